"""Trees: the one way xenlint lists and reads the files of a check.

A tree is a list of TreeFiles (a name and how to tell its content apart)
and a way to read them, from one place:

* DiskTree: files and folders on disk.  Only regular files are read;
  symlinks are followed only when they stay inside the folder they were met
  in (a symlink named on the command line is the user's choice); special
  files, dangling or looping links, links leading out and files over
  MAX_FILE_BYTES are skipped with a note; a file is opened without
  following a link it turned into since it was listed, and read only up to
  the limit, so a FIFO or /dev/zero planted in a tree costs nothing.
* GitTree: the files of git's index (what `git commit` would record) or of
  a revision, read with `git cat-file`; the work tree is never looked at.

Names are what findings show: relative to the tree for a patch's tree
(patch paths are), else the path as given joined with the file's place
below it.
"""

from __future__ import annotations

import os
from operator import attrgetter
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from analyzer.errors import InputError, ToolMissing

C_SUFFIXES = (".c", ".h")
# Searched for uses of symbols (XL106) but not linted.
CONTEXT_SUFFIXES = (".S", ".s", ".lds", ".ld")
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules"}
# Larger files are skipped with a note: the biggest C file of Linux 6.1 (a
# generated register header) has 4 MB; a bigger one is not code to lint.
MAX_FILE_BYTES = 16 << 20


class TreeFile(NamedTuple):
    """A file of a tree (a named tuple: a kernel tree lists 56,000 of them,
    and a frozen dataclass costs three times as much to make)."""

    name: str
    kind: str  # "c" (linted), "context" (assembly, linker scripts: searched for names)
    size: int
    # How to tell the content apart without reading it: a git blob id, else
    # None (the file's text is hashed once it is read).
    blob: str | None = None
    # os.stat of a file on disk (size, mtime_ns, ctime_ns, inode, device),
    # for the status index of unchanged trees (results_cache).
    status: tuple[int, ...] | None = None


_entry_name = attrgetter("name")


def kind_of(name: str) -> str | None:
    if name.endswith(C_SUFFIXES):
        return "c"
    if name.endswith(CONTEXT_SUFFIXES):
        return "context"
    return None


def decode_source(data: bytes, name: str) -> str:
    """Text of a C file; binary data is not C."""
    if b"\0" in data[:65536]:
        raise InputError(name, "binary file, not C source")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old Xen files carry Latin-1 names in comments; the code is ASCII.
        return data.decode("latin-1")


def read_regular(path: Path | str, name: str | None = None, limit: int = MAX_FILE_BYTES,
                 follow: bool = True) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them; anything else
    (a folder, a FIFO, a device, a file over the limit, a link when not
    ``follow``) is an InputError naming it.  Never blocks on a special file."""
    name = name or str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise InputError(name, "is a directory") from None
    except OSError as exc:
        raise InputError(name, exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(name, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(name, "not a regular file (a device, FIFO or socket)")
        if info.st_size > limit:
            raise InputError(name, f"larger than {limit >> 20} MiB; not read")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise InputError(name, f"larger than {limit >> 20} MiB; not read")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(name, exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


@dataclass
class DiskTree:
    """Files below folders (and single files) on disk.

    ``roots`` are the paths as given; with ``relative_to`` (the tree a patch
    applies to), names are relative to it, else each file's name is its root
    as given joined with its place below it.
    """

    roots: list[Path]
    relative_to: Path | None = None
    files: list[TreeFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # notes on what was not read, and why
    # Files that are neither C nor context, per root given (for a note).
    other: dict[str, list[str]] = field(default_factory=dict)
    _paths: dict[str, str | Path] = field(default_factory=dict, repr=False)
    _seen: set[tuple[int, int]] = field(default_factory=set, repr=False)  # each file once: (device, inode)
    # Name -> index in ``roots`` of the root it was found under.
    root_of: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for index, root in enumerate(self.roots):
            self._root = index
            # Names below a root are its path as given, less this prefix when relative_to it.
            self._relative = None
            if self.relative_to is not None and Path(root) == Path(self.relative_to):
                self._relative = len(str(root)) + 1
            if root.is_dir():
                self._walk(root)
            else:
                self._add_given(root)

    @property
    def top(self) -> Path | None:
        return self.relative_to

    @property
    def where(self) -> str:
        return str(self.relative_to or ", ".join(map(str, self.roots)))

    def has(self, name: str) -> bool:
        return name in self._paths

    def path(self, name: str) -> Path:
        return Path(self._paths[name])

    def read(self, name: str) -> bytes:
        return read_regular(self._paths[name], name)

    def read_text(self, name: str) -> str:
        return decode_source(self.read(name), name)

    def _name(self, root: Path, path: Path) -> str:
        if self.relative_to is not None:
            return path.relative_to(self.relative_to).as_posix() if path.is_relative_to(
                self.relative_to) else str(path)
        return str(path)

    def _add_given(self, path: Path) -> None:
        """A file named on the command line: read whatever a link leads to,
        if it is a regular file."""
        kind = kind_of(path.name)
        try:
            info = path.stat()
        except OSError as exc:
            raise InputError(str(path), exc.strerror or "no such file or directory") from None
        if kind is None:
            raise InputError(str(path), "not a C source file (expected *.c or *.h)")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(str(path), "not a regular file (a device, FIFO or socket)")
        name = self._name(path, path)
        self._add(name, path, kind, info)

    def _add(self, name: str, path: Path | str, kind: str, info: os.stat_result) -> None:
        identity = (info.st_dev, info.st_ino)
        if name in self._paths or identity in self._seen:
            return
        self._seen.add(identity)
        self._paths[name] = path
        self.root_of[name] = self._root
        self.files.append(TreeFile(name, kind, info.st_size, None,
                                   (info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                    info.st_ino, info.st_dev)))

    def _walk(self, root: Path) -> None:
        # Strings, not Paths, below the root: a Path per file costs more than its stat.
        top = os.path.realpath(root)
        top_info = os.stat(root)
        seen_dirs = {(top_info.st_dev, top_info.st_ino)}
        other = self.other.setdefault(str(root), [])
        base = str(root)
        prefix = base if base.endswith(os.sep) else base + os.sep
        paths, seen, root_of, files, index = self._paths, self._seen, self.root_of, self.files, self._root
        pending = [base]
        while pending:
            folder = pending.pop()
            try:
                entries = sorted(os.scandir(folder), key=_entry_name)
            except OSError as exc:
                self.skipped.append(f"{folder}: folder not read ({exc.strerror or exc})")
                continue
            subfolders = []
            for entry in entries:
                path = entry.path
                kind = kind_of(entry.name)
                if not entry.is_symlink() and not entry.is_dir(follow_symlinks=False):
                    if kind is None:
                        other.append(path[len(prefix):])  # counted for a note, never opened
                        continue
                    # The common case, kept short: a C file, not a link.
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        info = None  # gone since listed: the general path says so
                    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                        name = path if self._relative is None else path[self._relative:]
                        identity = (info.st_dev, info.st_ino)
                        if name not in paths and identity not in seen:
                            seen.add(identity)
                            paths[name] = path
                            root_of[name] = index
                            files.append(TreeFile(name, kind, info.st_size, None, (
                                info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
                                info.st_dev)))
                        continue
                try:
                    is_link = entry.is_symlink()
                    info = os.stat(path) if is_link else entry.stat(follow_symlinks=False)
                except OSError as exc:
                    why = ("a dangling symlink" if exc.errno == 2 else
                           "a looping symlink" if exc.errno == 40 else exc.strerror or str(exc))
                    if kind_of(entry.name) or is_link:
                        self.skipped.append(f"{path}: {why}; skipped")
                    continue
                if is_link:
                    real = os.path.realpath(path)
                    if real != top and not real.startswith(top + os.sep):
                        if stat.S_ISDIR(info.st_mode) or kind_of(entry.name):
                            self.skipped.append(f"{path}: a symlink leading out of {root}; skipped")
                        continue
                if stat.S_ISDIR(info.st_mode):
                    if entry.name in _SKIP_DIRS:
                        continue
                    identity = (info.st_dev, info.st_ino)
                    if identity in seen_dirs:
                        self.skipped.append(f"{path}: a symlink to a folder already read; skipped")
                        continue
                    seen_dirs.add(identity)
                    subfolders.append(path)
                    continue
                kind = kind_of(entry.name)
                if kind is None:
                    other.append(path[len(prefix):])
                    continue
                if not stat.S_ISREG(info.st_mode):
                    self.skipped.append(f"{path}: not a regular file (a device, FIFO or socket); skipped")
                    continue
                if info.st_size > MAX_FILE_BYTES:
                    self.skipped.append(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB; skipped")
                    continue
                name = path if self._relative is None else path[self._relative:]
                self._add(name, path, kind, info)
            pending.extend(reversed(subfolders))  # depth first, in name order


class GitTree:
    """The C and context files of git's index (``rev`` None) or of a revision.

    Listed on first use of ``files`` (the side of a change whose files are
    only read by name, a commit's parent, is never listed); read through
    one ``git cat-file --batch`` per call of ``read_many``; symlinks and
    submodules are not files to lint and are skipped.
    """

    def __init__(self, repo: Path, rev: str | None = None):
        self.repo = repo
        self.rev = rev
        self.skipped: list[str] = []
        self._files: list[TreeFile] | None = None
        self._blobs: dict[str, str] = {}
        self._read: dict[str, bytes | None] = {}  # name -> content (None: not in the tree)

    @property
    def where(self) -> str:
        return self.rev if self.rev is not None else "index"

    @property
    def top(self) -> Path:
        return self.repo

    @property
    def files(self) -> list[TreeFile]:
        if self._files is None:
            self._files = self._list()
        return self._files

    def _list(self) -> list[TreeFile]:
        if self.rev is None:
            out = git(["ls-files", "-s", "-z"], self.repo, "git ls-files")
            records = [line.split(b"\t", 1) for line in out.split(b"\0") if line]
            entries = [(head.split()[0], head.split()[1], path) for head, path in records]
        else:
            out = git(["ls-tree", "-r", "-z", "--full-tree", self.rev], self.repo, self.rev)
            records = [line.split(b"\t", 1) for line in out.split(b"\0") if line]
            entries = [(head.split()[0], head.split()[2], path) for head, path in records]
        files = []
        for mode, blob, raw in entries:
            name = raw.decode("utf-8", "surrogateescape")
            kind = kind_of(name)
            if kind is None or name in self._blobs:  # (an unmerged path: stages 1-3 of a conflict)
                continue
            if mode != b"100644" and mode != b"100755":
                self.skipped.append(f"{self.where}:{name}: not a regular file in git; skipped")
                continue
            self._blobs[name] = blob.decode()
            files.append(TreeFile(name, kind, -1, f"git:{self._blobs[name]}"))
        return files

    def has(self, name: str) -> bool:
        if self._files is not None:
            return name in self._blobs
        if name not in self._read:
            self.read_many([name], missing_ok=True)
        return self._read.get(name) is not None

    def read(self, name: str) -> bytes:
        return self.read_many([name])[name]

    def read_text(self, name: str) -> str:
        return decode_source(self.read(name), f"{self.where}:{name}")

    def _cat(self, names: list[str]) -> None:
        """Read ``names`` with one ``git cat-file --batch`` into the store."""
        spec = (lambda n: self._blobs[n]) if self._files is not None else (
            lambda n: f"{self.rev or ''}:{n}")
        request = "".join(f"{spec(name)}\n" for name in names).encode()
        out = git(["cat-file", "--batch"], self.repo, f"git cat-file ({self.where})", stdin=request)
        at = 0
        for name in names:
            header_end = out.index(b"\n", at)
            header = out[at:header_end].split()
            if len(header) < 3 or header[-1] == b"missing" or header[1] != b"blob":
                self._read[name] = None
                at = header_end + 1
                continue
            size = int(header[2])
            self._read[name] = out[header_end + 1:header_end + 1 + size]
            at = header_end + 1 + size + 1

    def read_many(self, names: list[str], missing_ok: bool = False) -> dict[str, bytes]:
        """Contents of ``names``, in one git call (files not in the tree:
        an InputError, or left out with ``missing_ok``)."""
        wanted = [name for name in names if name not in self._read]
        if len(wanted) > 256:  # a whole tree: git inflates in two processes at once
            from concurrent.futures import ThreadPoolExecutor

            half = len(wanted) // 2
            with ThreadPoolExecutor(2) as threads:
                list(threads.map(self._cat, (wanted[:half], wanted[half:])))
        elif wanted:
            self._cat(wanted)
        found = {}
        for name in names:
            data = self._read.get(name)
            if data is None:
                if missing_ok:
                    continue
                raise InputError(f"{self.where}:{name}", "not in the tree")
            if len(data) > MAX_FILE_BYTES:
                raise InputError(f"{self.where}:{name}", f"larger than {MAX_FILE_BYTES >> 20} MiB; not read")
            found[name] = data
        return found


def git(args: list[str], cwd: Path, what: str, stdin: bytes | None = None) -> bytes:
    """``git ARGS`` in ``cwd``: its output, or an InputError naming ``what``."""
    try:
        proc = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                              input=stdin, capture_output=True, timeout=300)
    except FileNotFoundError:
        raise ToolMissing("git", "install git to check staged changes or a revision") from None
    except subprocess.TimeoutExpired:
        raise InputError(what, "git did not answer within 300 s") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(what, message[-1] if message else f"git {args[0]} failed")
    return proc.stdout

"""Changes in a git repository as a patch plus the texts it applies to.

``staged_change`` (the index against HEAD) and ``diff_change`` (a revision
against the working tree, or ``A..B`` / ``A...B``) run ``git diff`` for C
files and read each changed file's pre-image with ``git cat-file``.  Nothing
here writes to the work tree or the index: git is only asked to print.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from unidiff import PatchSet

from analyzer.errors import InputError, ToolMissing

from .patchset import Patch, parse_patch_bytes
from .sources import decode_source

# Options that make `git diff` output independent of the user's git config.
_DIFF_OPTIONS = ["--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
                 "--src-prefix=a/", "--dst-prefix=b/", "--unified=3"]
_C_PATHSPECS = ["*.c", "*.h"]


@dataclass
class GitChange:
    root: Path  # the repository's top level; patch paths are relative to it
    description: str
    patch: Patch | None  # None when nothing changed
    base_texts: dict[str, str] = field(default_factory=dict)  # path -> pre-image


def _git(args: list[str], cwd: Path, what: str, stdin: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd,
                              input=stdin, capture_output=True, timeout=300)
    except FileNotFoundError:
        raise ToolMissing("git", "install git to check staged changes or a revision") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(what, message[-1] if message else f"git {args[0]} failed")
    return proc.stdout


def repository_root(start: Path) -> Path:
    where = start if start.is_dir() else start.parent
    if not where.exists():
        raise InputError(str(start), "no such file or directory")
    out = _git(["rev-parse", "--show-toplevel"], where, str(start))
    return Path(out.decode().strip())


def _resolves(rev: str, root: Path) -> bool:
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          cwd=root, capture_output=True)
    return proc.returncode == 0


def _commit(rev: str, root: Path) -> str:
    if not _resolves(rev, root):
        raise InputError(rev, "not a revision in this repository")
    return rev


def _read_blobs(root: Path, base: str, paths: list[str]) -> dict[str, str]:
    """``base:path`` for each path, through one `git cat-file --batch`."""
    if not paths:
        return {}
    request = "".join(f"{base}:{path}\n" for path in paths).encode()
    out = _git(["cat-file", "--batch"], root, f"git cat-file {base}", stdin=request)
    texts: dict[str, str] = {}
    at = 0
    for path in paths:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].split()
        if len(header) < 3 or header[-1] == b"missing":
            at = header_end + 1
            continue
        size = int(header[2])
        blob = out[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
        texts[path] = decode_source(blob, f"{base}:{path}")
    return texts


def _change(root: Path, diff_args: list[str], base: str | None, description: str,
            only: list[Path] | None) -> GitChange:
    data = _git(["diff", *_DIFF_OPTIONS, *diff_args, "--", *_C_PATHSPECS], root, description)
    if not data.strip():
        return GitChange(root, description, None)
    patch = parse_patch_bytes(data, description)
    if only:
        wanted = [p.resolve() for p in only]

        def chosen(pf) -> bool:
            target = (root / pf.path).resolve()
            return any(target == w or w in target.parents for w in wanted)

        kept = PatchSet("")
        kept.extend(pf for pf in patch.patchset if chosen(pf))
        patch.patchset = kept
        if not patch.files:
            return GitChange(root, description, None)
    changed = [pf for pf in patch.files if not pf.is_added_file]
    sources = {pf.path: pf.source_file[2:] if pf.source_file.startswith("a/") else pf.source_file
               for pf in changed}
    base_texts: dict[str, str] = {}
    if base is not None:
        blobs = _read_blobs(root, base, sorted(set(sources.values())))
        base_texts = {path: blobs[source] for path, source in sources.items() if source in blobs}
    return GitChange(root, description, patch, base_texts)


def staged_change(start: Path, only: list[Path] | None = None) -> GitChange:
    """What `git commit` would record: the index against HEAD (or an empty tree)."""
    root = repository_root(start)
    base = "HEAD" if _resolves("HEAD", root) else None
    return _change(root, ["--cached"], base, "staged changes", only)


def diff_change(rev: str, start: Path, only: list[Path] | None = None) -> GitChange:
    """``REV`` against the work tree; ``A..B`` is B against A; ``A...B`` is B against merge-base."""
    root = repository_root(start)
    if "..." in rev:
        left, right = rev.split("...", 1)
        left, right = _commit(left or "HEAD", root), _commit(right or "HEAD", root)
        base = _git(["merge-base", left, right], root, rev).decode().strip()
        args = [f"{left}...{right}"]
    elif ".." in rev:
        left, right = rev.split("..", 1)
        base = _commit(left or "HEAD", root)
        args = [f"{base}..{_commit(right or 'HEAD', root)}"]
    else:
        base = _commit(rev, root)
        args = [base]
    return _change(root, args, base, f"changes since {rev}", only)

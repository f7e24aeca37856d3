"""The facts cache: each file's FileFacts, keyed by its content.

A whole-tree check analyses some 1,300 files; when most of them did not
change since the last run, their facts are read back instead.

* Where: ``$XENLINT_CACHE_DIR`` or the user cache folder (platformdirs),
  never inside a tree being checked (the caller turns the cache off then).
  The model cross-check keeps its compiled harnesses in the same folder.
* Key: the analysis mode and the sha256 of the file's text (or its git blob
  id), inside a folder named after ``analysis_digest()``: the source of
  every module that shapes facts or findings and the parser versions, so
  facts from another xenlint (an upgrade, an edited module) are never read.
* Value: the FileFacts pickled without ``path`` and ``lines`` (both come from
  the caller: the same content may sit at several paths).  Only the facts
  classes may be unpickled, so a planted file cannot run code.
* Packs, not a file per entry: creating a file costs more than analysing a
  small C file, so a run writes its new entries as one pack; a run reads
  every pack of its folder once, and merges them when there are more than
  ``MAX_PACKS``.
* Robustness: every file is written to a temporary name and renamed into
  place, so concurrent runs never see half of one; an unreadable pack or
  entry is a miss; a folder that cannot be written (read-only, full) makes
  the run go on without storing anything.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the facts classes load only when facts are encoded or decoded
    from .frontend.facts import FileFacts

ENV_DIR = "XENLINT_CACHE_DIR"
_FACTS_MODULE = "analyzer.frontend.facts"
_PACKAGES = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "rules")
# Folders whose modules shape neither facts nor findings (how they are shown).
_NOT_ANALYSIS = {"commands", "reporters", "__pycache__"}


def default_directory() -> Path:
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("xenlint"))


def usable(folder: Path) -> bool:
    """Can files be created in ``folder`` (made if missing)?  A cache folder
    that is read-only, a file, or on a full disk is not used at all."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"x")
        probe.unlink()
        return True
    except OSError:
        return False


def _parser_versions() -> str:
    """Installed tree-sitter versions, from their dist-info folder names
    (importlib.metadata would scan every installed package: 20 ms)."""
    from importlib.util import find_spec

    found = []
    for module in ("tree_sitter", "tree_sitter_c"):
        spec = find_spec(module)
        site = Path(spec.origin).parent.parent if spec and spec.origin else None
        found += sorted(p.name for p in site.glob(f"{module}-*.dist-info")) if site else [f"{module}?"]
    return ",".join(found)


_digest: str | None = None


def analysis_digest() -> str:
    """Digest of every module that shapes facts or findings (the analyzer and
    the rules, less the commands and reporters) and of the parser versions:
    part of every cache key (about 1 ms, once per process)."""
    global _digest
    if _digest is None:
        digest = hashlib.sha256(_parser_versions().encode())
        for package in _PACKAGES:
            for folder, subfolders, names in os.walk(package):
                subfolders[:] = sorted(d for d in subfolders if d not in _NOT_ANALYSIS)
                for name in sorted(n for n in names if n.endswith((".py", ".c", ".h"))
                                   and n != "_version.py"):
                    path = os.path.join(folder, name)
                    digest.update(os.path.relpath(path, package.parent).encode() + b"\0")
                    with open(path, "rb") as source:
                        digest.update(source.read())
        _digest = digest.hexdigest()
    return _digest


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class SafeUnpickler(pickle.Unpickler):
    """Unpickles the classes xenlint defines in ``modules`` (never a function)
    and plain containers: nothing a planted file could use to run code."""

    modules = frozenset({_FACTS_MODULE})

    def find_class(self, module: str, name: str):
        if module in self.modules:
            import importlib

            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and found.__module__ == module:
                return found
        if module == "builtins" and name in ("frozenset", "set", "tuple", "list", "dict"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not an allowed class")


_temporary_names = itertools.count()


def write_atomically(entry: Path, blob: bytes) -> bool:
    """Write ``blob`` to ``entry`` so that no reader ever sees a partial file;
    False when the folder cannot be written (a cache never fails a check).

    The temporary name is unique per process and write (pid, counter), so
    concurrent writers never share one; the rename is atomic.
    """
    folder = entry.parent
    tmp = folder / f".tmp-{os.getpid()}-{next(_temporary_names)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


def encode(facts: FileFacts) -> bytes:
    """The facts without ``path`` and ``lines`` (the caller has both)."""
    path, lines = facts.path, facts.lines
    facts.path, facts.lines = "", []
    try:
        return pickle.dumps(facts, protocol=5)
    finally:
        facts.path, facts.lines = path, lines


def decode(blob: bytes, path: str, source) -> FileFacts:
    """FileFacts of ``blob`` at ``path``; ``source`` is the text, or a
    callable that reads it when a line is first wanted."""
    from .frontend.facts import FileFacts

    facts = SafeUnpickler(io.BytesIO(blob)).load()
    if not isinstance(facts, FileFacts):
        raise pickle.UnpicklingError("not a FileFacts")
    return placed(facts, path, source)


def placed(facts: FileFacts, path: str, source) -> FileFacts:
    """``facts`` given back the ``path`` and lines (of ``source``, as in
    decode) that encoding leaves out."""
    from .frontend.facts import LazyLines

    facts.path = path
    facts.lines = LazyLines(source)
    return facts


class _PackUnpickler(SafeUnpickler):
    """A pack is a dict of str keys to bytes blobs: no class at all."""

    modules = frozenset()

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a pack")


class FactsCache:
    """Facts by key, in packs ``directory``/facts-<digest>/<time>-<pid>-<n>.pack."""

    MAX_PACKS = 8
    # Above this many bytes of entries, merging keeps only what this run used.
    MAX_BYTES = 64 << 20

    def __init__(self, directory: Path | None = None):
        self.root = (directory or default_directory()).resolve()
        self.folder = self.root / f"facts-{analysis_digest()[:16]}"
        self.hits = 0
        self.misses = 0
        self.write_errors = 0
        self._stored: dict[str, bytes] | None = None  # every pack's entries, read on first use
        self._packs: list[Path] = []
        self._used: set[str] = set()

    def inside(self, paths) -> bool:
        """Would the cache write into one of the trees ``paths`` (files are not trees)?"""
        for path in paths:
            top = Path(path).resolve()
            if top.is_dir() and (self.root == top or top in self.root.parents):
                return True
        return False

    def load(self) -> dict[str, bytes]:
        """Every stored entry (read once)."""
        if self._stored is None:
            self._stored, self._packs = {}, []
            try:
                packs = sorted(self.folder.glob("*.pack"))  # oldest first: newer entries win
            except OSError:
                packs = []
            for pack in packs:
                try:
                    entries = _PackUnpickler(io.BytesIO(pack.read_bytes())).load()
                except Exception:  # damaged, or merged away by another run meanwhile
                    continue
                if isinstance(entries, dict):
                    self._stored.update(entries)
                    self._packs.append(pack)
        return self._stored

    def has(self, key: str) -> bool:
        return isinstance(self.load().get(key), bytes)

    def get_blob(self, key: str) -> bytes | None:
        """The stored encoding for ``key``, not yet checked (decode checks it;
        the caller counts hits and misses)."""
        blob = self.load().get(key)
        if isinstance(blob, bytes):
            self._used.add(key)
            return blob
        return None

    def add(self, entries: dict[str, bytes]) -> None:
        """Store ``entries`` as one pack; too many packs are merged into it."""
        stored = self.load()
        count = len(entries)
        merged = len(self._packs) >= self.MAX_PACKS
        if merged:
            kept = {**stored, **entries}
            if sum(len(blob) for blob in kept.values()) > self.MAX_BYTES:
                kept = {key: stored[key] for key in self._used if key in stored} | entries
            entries = kept
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(_temporary_names)}.pack"
        if not write_atomically(self.folder / name, pickle.dumps(entries, protocol=5)):
            self.write_errors += count
            return
        stored.update(entries)
        if merged:
            for pack in self._packs:
                try:
                    pack.unlink()
                except OSError:
                    pass  # another run merged it first
            self._packs = [self.folder / name]
        else:
            self._packs.append(self.folder / name)

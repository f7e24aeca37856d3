"""The facts cache: syntax-layer FileFacts of a file, keyed by its content.

A whole-tree check parses some 1,300 files; when most of them did not change
since the last run, their facts are read back instead of parsed again.

* Where: ``$XENLINT_CACHE_DIR`` or the user cache folder (platformdirs), never
  inside a tree being checked (the caller disables the cache then).
* Key: sha256 of the file's text, inside a folder named after the xenlint
  version and a digest of the front end's own source and parser versions, so
  facts from another version (or an edited front end) are never read.
* Value: the FileFacts pickled without ``path`` and ``lines`` (both come from
  the caller: the same content may sit at several paths).  Only the facts
  classes may be unpickled, so a planted file cannot run code.
* Packs, not a file per entry: creating a file costs more than parsing a
  small C file on some file systems (0.4 ms here, 1,300 files for Xen), so
  each process keeps the entries it makes and writes them as one pack when
  its run ends (``flush``); a run reads every pack of its folder once.  When
  there are more than ``MAX_PACKS``, a run merges them into one.
* Robustness: a pack is written to a temporary file and renamed into place,
  so concurrent writers and interrupted runs never leave a partial pack
  under its final name; a pack or entry that cannot be read is a miss and
  its entries are written again.

Only facts that depend on nothing but the text are cached: the semantic layer
(which depends on compile commands) and patch hunk images are not.
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

# Bump when FileFacts change meaning without their front end's source changing.
FACTS_SCHEMA = 1
ENV_DIR = "XENLINT_CACHE_DIR"
_FRONTEND_SOURCES = ("facts.py", "extract.py", "syntax.py", "conditions.py")
_FACTS_MODULE = "analyzer.frontend.facts"


def default_directory() -> Path:
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("xenlint"))


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


def namespace() -> str:
    """Folder name for facts of this xenlint version, schema and front end."""
    from . import __version__

    digest = hashlib.sha256(f"{FACTS_SCHEMA}|{_parser_versions()}".encode())
    frontend = Path(__file__).resolve().parent / "frontend"
    for name in _FRONTEND_SOURCES:
        digest.update((frontend / name).read_bytes())
    return f"facts-{__version__}-{digest.hexdigest()[:16]}"


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class SafeUnpickler(pickle.Unpickler):
    """Unpickles xenlint's data classes and nothing that could run code."""

    modules = frozenset({_FACTS_MODULE})

    def find_class(self, module: str, name: str):
        if module in self.modules:
            return super().find_class(module, name)
        if module == "builtins" and name in ("frozenset", "set", "tuple", "list", "dict"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not an allowed class")


_made_folders: set[Path] = set()
_temporary_names = itertools.count()


def write_atomically(entry: Path, blob: bytes) -> bool:
    """Write ``blob`` to ``entry`` so that no reader ever sees a partial file.

    The temporary name is unique per process and write (pid, counter), so
    concurrent writers never share one; the rename is atomic.
    """
    folder = entry.parent
    tmp = folder / f".tmp-{os.getpid()}-{next(_temporary_names)}"
    try:
        if folder not in _made_folders:
            folder.mkdir(parents=True, exist_ok=True)
            _made_folders.add(folder)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        _made_folders.discard(folder)  # removed under us, or never writable
        return False  # a read-only or full cache never fails a check
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
    decode) that encode and the pipe leave out."""
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
    """Facts by content key, in packs ``directory``/<namespace>/<time>-<pid>-<n>.pack."""

    MAX_PACKS = 8
    # Above this many bytes of entries, merging keeps only what this run used.
    MAX_BYTES = 64 << 20

    def __init__(self, directory: Path | None = None):
        self.root = (directory or default_directory()).resolve()
        self.folder = self.root / namespace()
        self.hits = 0
        self.misses = 0
        self.write_errors = 0
        self._stored: dict[str, bytes] | None = None  # every pack's entries, read on first use
        self._packs: list[Path] = []
        self._used: set[str] = set()
        self._new: dict[str, bytes] = {}

    def inside(self, paths) -> bool:
        """Would the cache write into one of the trees ``paths`` (files are not trees)?"""
        for path in paths:
            top = Path(path).resolve()
            if top.is_dir() and (self.root == top or top in self.root.parents):
                return True
        return False

    def _entries(self) -> dict[str, bytes]:
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

    def get(self, key: str, path: str, text: str) -> FileFacts | None:
        blob = self._entries().get(key)
        try:
            facts = decode(blob, path, text) if isinstance(blob, bytes) else None
        except Exception:  # truncated, corrupt or foreign: parse again, rewrite
            facts = None
        if facts is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used.add(key)
        return facts

    def get_blob(self, key: str) -> bytes | None:
        """The stored encoding for ``key``, not yet checked (decode checks it)."""
        blob = self._entries().get(key)
        if isinstance(blob, bytes):
            self.hits += 1
            return blob
        self.misses += 1
        return None

    def put(self, key: str, facts: FileFacts) -> None:
        self.put_blob(key, encode(facts))

    def put_blob(self, key: str, blob: bytes) -> None:
        """Keep an entry for ``flush``."""
        self._new[key] = blob

    def flush(self, merge: bool = True) -> None:
        """Write the entries put since the last flush as one pack.  With
        ``merge`` (one process of a run, never its workers), too many packs
        are merged into this one and removed."""
        if not self._new:
            return
        entries, self._new = self._new, {}
        count = len(entries)
        stored = self._entries()
        merged = merge and len(self._packs) >= self.MAX_PACKS
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

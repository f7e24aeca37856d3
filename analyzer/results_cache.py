"""The results cache: a whole check's findings, for when nothing changed.

Re-checking an unchanged tree (an editor's save hook, CI re-runs, a
pre-commit hook over a tree) would still rebuild the facts of every file from
the facts cache and run every rule.  This cache answers the whole question at
once, keyed by everything the answer depends on:

* the name and content of every checked and every context file,
* the rules chosen and whether the universe is a whole tree,
* the xenlint version and the source of every module of the analyzer and
  the rules (a changed rule or project query is a different answer).

It lives next to the facts cache (same folder, same atomic writes, same
restricted unpickling) and is skipped when the semantic layer is on, whose
facts depend on compile commands outside this key.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
from pathlib import Path

from .cache import FactsCache, SafeUnpickler, write_atomically

_PACKAGES = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "rules")
_code_digest: str | None = None


def code_digest() -> str:
    """Digest of the analyzer's and the rules' source (about 1 ms, once per
    process: a warm check pays it; os.walk, as Path.rglob took twice as long)."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        for package in _PACKAGES:
            for folder, subfolders, names in os.walk(package):
                subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
                for name in sorted(n for n in names if n.endswith(".py")):
                    path = os.path.join(folder, name)
                    digest.update(os.path.relpath(path, package.parent).encode() + b"\0")
                    with open(path, "rb") as source:
                        digest.update(source.read())
        _code_digest = digest.hexdigest()
    return _code_digest


class _ResultUnpickler(SafeUnpickler):
    modules = SafeUnpickler.modules | {"analyzer.findings", "analyzer.checker"}


def run_key(checked: list[str], keys: list[str], context: list[tuple[str, str | None]],
            rule_ids: list[str], whole_tree: bool) -> str:
    """Key of a run's answer: ``keys`` are the checked files' content keys,
    ``context`` (name, content key or None when unreadable) the context files'."""
    from . import __version__

    digest = hashlib.sha256(f"{__version__}|{code_digest()}|{whole_tree}|{','.join(rule_ids)}".encode())
    for name, key in zip(checked, keys):
        digest.update(f"\0c{name}\0{key}".encode())
    for name, key in context:
        digest.update(f"\0x{name}\0{key or '-'}".encode())
    return digest.hexdigest()


def _entry(cache: FactsCache, key: str) -> Path:
    return cache.root / "results" / key


def load(cache: FactsCache, key: str):
    """The stored CheckResult for ``key``, or None."""
    try:
        blob = _entry(cache, key).read_bytes()
        return _ResultUnpickler(io.BytesIO(blob)).load()
    except Exception:  # missing, truncated, corrupt or foreign: check again
        return None


# Results of this many runs are kept (the newest); older ones are removed.
KEEP = 16


def store(cache: FactsCache, key: str, result) -> None:
    _write_keeping_newest(cache, _entry(cache, key), pickle.dumps(result, protocol=5))


def _write_keeping_newest(cache: FactsCache, entry: Path, blob: bytes) -> None:
    if not write_atomically(entry, blob):
        cache.write_errors += 1
        return
    try:
        entries = sorted(entry.parent.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink()
    except OSError:
        pass  # another run pruned them first


# Unchanged files, known without reading them -------------------------------
#
# Reading and hashing every file of a tree is most of what an unchanged
# re-check costs.  Like git's index, a run also records each file's status
# (size, modification and change times, inode) under a key made of the file
# names alone; the next run stats the files, and when every status is the
# same it takes the results stored under the content key of that run.  The
# change time cannot be set back by a program, so an edit that restores the
# modification time is still seen.  A file modified within two seconds
# before its status was recorded may have changed again within the same
# clock tick, so such an entry is never trusted (git's "racy" rule).

RACY_NS = 2_000_000_000


def status_key(names: list[str], rule_ids: list[str], whole_tree: bool) -> str:
    from . import __version__

    digest = hashlib.sha256(f"status|{__version__}|{code_digest()}|{whole_tree}|"
                            f"{','.join(rule_ids)}".encode())
    for name in names:
        digest.update(f"\0{name}".encode())
    return digest.hexdigest()


def file_status(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def store_status(cache: FactsCache, key: str, statuses: list, result_key: str,
                 marked: list[str]) -> None:
    """Record the statuses taken before the files were read, with the content key."""
    entry = {"statuses": statuses, "result": result_key, "marked": marked,
             "recorded_ns": time.time_ns()}
    _write_keeping_newest(cache, cache.root / "status" / key, pickle.dumps(entry, protocol=5))


def load_status(cache: FactsCache, key: str) -> dict | None:
    """The status entry recorded under ``key``, if any (and readable)."""
    try:
        entry = SafeUnpickler(io.BytesIO((cache.root / "status" / key).read_bytes())).load()
        if isinstance(entry, dict) and {"statuses", "result", "marked", "recorded_ns"} <= entry.keys():
            return entry
    except Exception:  # missing, truncated, corrupt or foreign
        pass
    return None


def answer_if_unchanged(cache: FactsCache, entry: dict, statuses: list):
    """The stored CheckResult of the run that recorded ``entry``, when the
    files' ``statuses`` (file_status, now) are those it recorded, else None."""
    if entry["statuses"] != statuses:
        return None
    racy_after = entry["recorded_ns"] - RACY_NS
    if any(status is not None and status[1] >= racy_after for status in statuses):
        return None
    return load(cache, entry["result"])

"""Answers for inputs seen before: the caching layer around the checker.

Re-checking an unchanged tree (an editor's save hook, CI re-runs, a commit
hook over a tree) would still decode the facts of every file and run every
rule.  An answer (a whole check's result, or a tree's context facts for a
patch check) is stored under a key made of everything it depends on:

* what was asked (the rules, the kind of answer) and ``analysis_digest()``
  (the source of every module that shapes it, and the parser versions);
* the name and content key of every file it read.

Like git's index, the statuses of the files on disk (size, modification and
change times, inode, device) are recorded with the key under the file names
alone: when none changed the answer is taken without reading or hashing
anything.  The change time cannot be set back by a program, so an edit that
restores the modification time is still seen; a file modified less than two
seconds before its status was recorded may change again within the same
clock tick, so such a record is never trusted (git's "racy" rule).  Files
from git (a blob id each) need no status: their ids are their content keys.

Everything lives next to the facts cache, written atomically, read with the
restricted unpickler; an unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .cache import FactsCache, SafeUnpickler, analysis_digest, write_atomically

if TYPE_CHECKING:
    from .frame import Frame

RACY_NS = 2_000_000_000
# Answers of this many runs are kept (the newest) in each folder.
KEEP = 16


class _AnswerUnpickler(SafeUnpickler):
    modules = SafeUnpickler.modules | {"analyzer.findings", "analyzer.checker"}

    def find_class(self, module: str, name: str):
        if module == "builtins" and name in ("int", "str", "bool"):
            return super(SafeUnpickler, self).find_class(module, name)
        return super().find_class(module, name)


def _key(kind: str, what: str, names: Sequence[str], keys: Sequence[str | None]) -> str:
    digest = hashlib.sha256(f"{kind}|{analysis_digest()}|{what}".encode())
    for name, key in zip(names, keys):
        digest.update(f"\0{name}\0{key or '-'}".encode())
    return digest.hexdigest()


@dataclass
class StatusRecord:
    statuses: list
    answer: str  # the answer's key
    recorded_ns: int

    def unchanged(self, statuses: list) -> bool:
        """Are ``statuses`` (taken now) those recorded, none inside the racy window?"""
        if self.statuses != statuses:
            return False
        racy_after = self.recorded_ns - RACY_NS
        return not any(isinstance(s, tuple) and s[1] >= racy_after for s in statuses)


class Answers:
    """Stored answers of one kind ("check", "context") in ``cache``'s folder."""

    def __init__(self, cache: FactsCache, kind: str, what: str):
        self.cache = cache
        self.kind = kind
        self.what = what

    def _folder(self, sub: str) -> Path:
        return self.cache.root / f"{self.kind}-{sub}"

    def status_record(self, names: Sequence[str]) -> tuple[str, StatusRecord | None]:
        """(key of the status record for these names, the record if any)."""
        key = _key("status", self.what, names, ())
        try:
            entry = SafeUnpickler(io.BytesIO((self._folder("status") / key).read_bytes())).load()
            if isinstance(entry, tuple) and len(entry) == 3:
                return key, StatusRecord(list(entry[0]), str(entry[1]), int(entry[2]))
        except Exception:  # missing, truncated, corrupt or foreign
            pass
        return key, None

    def record_status(self, status_key: str, statuses: list, answer_key: str) -> None:
        """Record the statuses, taken before the files were read, with the answer's key."""
        self._write("status", status_key, (statuses, answer_key, time.time_ns()))

    def answer_key(self, names: Sequence[str], keys: Sequence[str | None]) -> str:
        return _key(self.kind, self.what, names, keys)

    def load(self, answer_key: str):
        try:
            blob = (self._folder("answers") / answer_key).read_bytes()
            return _AnswerUnpickler(io.BytesIO(blob)).load()
        except Exception:  # missing, truncated, corrupt or foreign
            return None

    def store(self, answer_key: str, value) -> None:
        self._write("answers", answer_key, value)

    def _write(self, sub: str, key: str, value) -> None:
        folder = self._folder(sub)
        if not write_atomically(folder / key, pickle.dumps(value, protocol=5)):
            self.cache.write_errors += 1
            return
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP:]:
                old.unlink()
        except OSError:
            pass  # another run pruned them first


def file_status(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def check_tree_cached(tree, checked, rule_ids: Sequence[str], *, frame: Frame, jobs: int,
                      cache: FactsCache):
    """checker.check_tree with the static rules ``rule_ids``, answered from an
    earlier run when the files are those it read: by status (nothing read),
    else by content (files read and hashed, no facts decoded), else checked
    and stored.  The rules load only when something is checked.  A frame
    that searches the rest of a checkout depends on files this tree does
    not list: those runs are checked (with cached facts), never answered."""
    from .cache import content_key
    from .checker import CheckResult, check_tree

    if frame.searches_rest():
        from rules import static_rules

        rules = [static_rules()[rule_id] for rule_id in rule_ids]
        return check_tree(tree, checked, rules, frame=frame, jobs=jobs, cache=cache)[0]
    wanted = set(checked)
    answers = Answers(cache, "check", f"{','.join(rule_ids)}|{frame.key()}")
    tagged = [("c " if f.name in wanted else "x ") + f.name for f in tree.files]
    statuses = [f.status if f.status is not None else f.blob for f in tree.files]
    status_key, record = answers.status_record(tagged)
    keys = None

    def answered(key: str):
        stored = answers.load(key)
        if isinstance(stored, CheckResult):
            stored.notes = list(tree.skipped) + getattr(stored, "judging_notes", [])
            return stored
        return None

    if record is not None and record.unchanged(statuses):
        stored = answered(record.answer)
        if stored is not None:
            return stored
    if record is not None or all(f.blob for f in tree.files):
        # Seen before but touched (a checkout, a save that changed nothing),
        # or from git: the contents' keys without the facts.
        keys = [f.blob or content_key(tree.read_text(f.name)) for f in tree.files]
        key = answers.answer_key(tagged, keys)
        stored = answered(key)
        if stored is not None:
            answers.record_status(status_key, statuses, key)
            return stored
    from rules import static_rules

    rules = [static_rules()[rule_id] for rule_id in rule_ids]
    result, keys = check_tree(tree, checked, rules, frame=frame, jobs=jobs,
                              cache=cache, keys=keys)
    key = answers.answer_key(tagged, keys)
    answers.record_status(status_key, statuses, key)
    answers.store(key, result)
    return result

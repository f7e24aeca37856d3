"""Facts of many files: from the facts cache, or analysed on N processes.

Each file is analysed in one of four modes:

* "layered": the cheapest front-end layer that yields every fact the rules
  use (frontend.layers), for files under check;
* "context": the index layer alone (per-CPU declarations and the
  identifiers a file spells), for the rest of a tree, which rules only ask
  about;
* "lean" and "lean-context": the same when no rule asks whether other files
  use a name (XL106 off, as under the linux profile): no identifiers, and
  no parse of a file without the protocol's words.

Files whose content key is known beforehand (a git blob) are looked up in
the cache before anything is read.  The others are read, hashed, looked up
and analysed by a standard process pool (fork: the workers inherit the
loaded parser, the file list and the cache's entries), costliest first;
only the encoded facts come back, and this process alone writes the cache.
A worker that dies has its files analysed here, where an error (an
unreadable file) surfaces like any other.  Results are in input order and
do not depend on the number of processes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

from .cache import FactsCache, content_key, decode, encode, placed

if TYPE_CHECKING:
    from .frontend.facts import FileFacts

# Below this many files to analyse, starting processes costs more than it saves.
MIN_FILES_FOR_WORKERS = 48
MODES = ("layered", "context", "lean", "lean-context")


# What one file's analysis may take: past it, the file is reported as not
# checked (over budget), and the run goes on.
FILE_SECONDS = 10


class _OverBudget(Exception):
    pass


def _out_of_time(signum, frame):
    raise _OverBudget


def analyse_text(name: str, text: str, mode: str) -> FileFacts:
    """The facts of one file's text in ``mode``, within FILE_SECONDS."""
    import signal
    import threading

    from .frontend.index import index_facts
    from .suppressions import has_marker

    timed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if timed:
        previous = signal.signal(signal.SIGALRM, _out_of_time)
        signal.setitimer(signal.ITIMER_REAL, FILE_SECONDS)
    try:
        if mode.endswith("context"):
            facts = index_facts(name, text, uses=mode == "context")
        else:
            from .frontend.layers import file_facts

            facts = file_facts(name, text, uses=mode == "layered")
    except (_OverBudget, RecursionError, MemoryError) as exc:
        facts = index_facts(name, "") if isinstance(exc, MemoryError) else index_facts(name, text)
        facts.over_budget = {_OverBudget: f"its analysis took more than {FILE_SECONDS} s",
                             RecursionError: "it is nested too deep to analyse",
                             MemoryError: "its analysis ran out of memory"}[type(exc)]
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    facts.marked = has_marker(text)
    return facts


@dataclass
class Gathered:
    # None where a lean mode found nothing in the file (NOTHING_LEAN): most
    # of a kernel tree, which then costs no object at all.
    facts: list[FileFacts | None]
    keys: list[str]  # each file's content key (the text's sha256, or "git:<blob id>")


# The content key of a file the lean modes find nothing in: its facts are
# empty whatever its text, so they are neither hashed nor cached.
NOTHING_LEAN = "lean:nothing"


def nothing_found(name: str) -> FileFacts:
    """The facts of a file a lean mode found nothing in."""
    from .frontend.facts import FileFacts

    return FileFacts(path=name, lines=[], layer="index")


@dataclass
class _Job:
    """What every process needs to analyse file i (inherited by forked workers)."""

    names: Sequence[str]
    modes: Sequence[str]
    read: Callable[[int], str]
    keys: list[str | None]
    cache: FactsCache | None
    # The file's bytes, undecoded (lean modes rule most files out on them).
    raw: Callable[[int], bytes] | None = None

    def encoded(self, i: int) -> tuple[int, str, object]:
        """(i, content key, facts): with a cache, the bytes it stores (a
        hit needs no analysis), else the facts themselves."""
        if self.raw is not None and self.modes[i].startswith("lean"):
            from .frontend.layers import yields_lean_facts
            from .inputs.trees import decode_source

            data = self.raw(i)
            if not yields_lean_facts(data):
                return i, NOTHING_LEAN, None
            text = decode_source(data, self.names[i])
        else:
            text = self.read(i)
        key = self.keys[i] or content_key(text)
        if self.cache is None:
            facts = analyse_text(self.names[i], text, self.modes[i])
            facts.path, facts.lines = "", []  # the parent has both
            return i, key, facts
        blob = self.cache.get_blob(f"{self.modes[i]}:{key}")
        if blob is None:
            blob = encode(analyse_text(self.names[i], text, self.modes[i]))
        return i, key, blob


_job: _Job | None = None  # the job of the pool running now (workers are forked with it)


def _work(indices: list[int]) -> list[tuple[int, str, object]]:
    assert _job is not None
    return [_job.encoded(i) for i in indices]


def gather(names: Sequence[str], modes: Sequence[str], read: Callable[[int], str], *,
           keys: Sequence[str | None] | None = None, sizes: Sequence[int] | None = None,
           lines: Callable[[int], object] | None = None, jobs: int = 1,
           cache: FactsCache | None = None,
           prefetch: Callable[[list[int]], None] | None = None,
           raw: Callable[[int], bytes] | None = None) -> Gathered:
    """Facts of each file, in input order, and the content key of each.

    ``read(i)`` gives file i's text; ``keys`` are content keys known without
    reading it (a git blob: "git:<id>"; else the text's sha256); ``sizes``
    order the work costliest first; ``lines(i)`` is what a finding's source
    line is read from (the text, or a callable reading it: default, ``read``);
    ``prefetch(indices)`` is told which files will be read, before any is;
    ``raw(i)``, file i's bytes, lets the lean modes skip decoding and
    hashing the files they find nothing in.
    """
    global _job
    count = len(names)
    known = list(keys) if keys is not None else [None] * count
    job = _Job(names, modes, read, known, cache, raw)
    facts: list[FileFacts | None] = [None] * count
    found_keys: list[str | None] = list(known)
    done = [False] * count
    new: dict[str, bytes] = {}

    def lines_of(i: int):
        return lines(i) if lines is not None else (lambda: read(i))

    def accept(i: int, key: str, analysed) -> None:
        found_keys[i] = key
        done[i] = True
        if key == NOTHING_LEAN:
            facts[i] = None  # see Gathered
            return
        if not isinstance(analysed, bytes):
            facts[i] = placed(analysed, names[i], lines_of(i))
            return
        entry = f"{modes[i]}:{key}"
        try:
            facts[i] = decode(analysed, names[i], lines_of(i))
            stored = cache.get_blob(entry) is not None  # (and marks it used this run)
        except Exception:  # a damaged cache entry: analyse it again here
            facts[i] = placed(analyse_text(names[i], read(i), modes[i]), names[i], lines_of(i))
            analysed, stored = encode(facts[i]), False
        if stored:
            cache.hits += 1
        else:
            cache.misses += 1
            new[entry] = analysed

    pending = []
    for i in range(count):
        blob = cache.get_blob(f"{modes[i]}:{known[i]}") if cache is not None and known[i] else None
        if blob is not None:
            accept(i, known[i], blob)
        else:
            pending.append(i)
    if prefetch is not None and pending:
        prefetch(pending)
    if sizes is not None:
        pending.sort(key=lambda i: -sizes[i] * (2 if names[i].endswith(".c") else 1))
    if jobs > 1 and len(pending) >= MIN_FILES_FOR_WORKERS and hasattr(os, "fork"):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if cache is not None:
            cache.load()  # once, here: the workers inherit the entries
        per_task = max(1, min(64, len(pending) // (jobs * 8)))
        tasks = [pending[k:k + per_task] for k in range(0, len(pending), per_task)]
        _job = job
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                for batch in pool.map(_work, tasks):
                    for i, key, analysed in batch:
                        accept(i, key, analysed)
        except BrokenProcessPool:
            pass  # a worker died: what it did not send is analysed below
        finally:
            _job = None
    for i in pending:
        if not done[i]:
            accept(*job.encoded(i))
    if cache is not None and new:
        cache.add(new)
    return Gathered(facts, found_keys)  # type: ignore[arg-type]

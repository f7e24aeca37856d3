"""Syntax-layer facts of many files, from the cache or a parse, on N processes.

Workers are forked from this process, so they inherit the loaded parser and
the list of files; each process (this one included) takes the next file from
a shared queue when it is free, reads it, hashes it, looks it up in the
cache and parses it if needed.  Only results cross a pipe: the encoding the
cache stores, so a fresh parse and a cache hit become facts by one code
path.  The queue is ordered costliest first (by size, .c before .h), so
whatever the estimate gets wrong, N processes stay busy until it is empty.
Each process writes its own cache pack.

Workers send their results file by file, and this process decodes them
between files of its own, so the queue hands the workers more files while
it does.  With a question (spellers.py), the files that give its names go
first; once they all have facts, this process sends the names to every
worker, and each process searches the files it analysed.

A worker that fails has the files it took and did not report analysed (and
searched) again here, where an error (an unreadable file, a bug) surfaces
like any other.  Results are in input order and do not depend on the number
of jobs.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .cache import FactsCache, content_key, decode, encode, placed
from .spellers import Question, SpellerSearch
from .workers import Inbox, TaskQueue, Worker, wait_any

if TYPE_CHECKING:  # default_jobs() is asked on every run; facts classes load with a parse
    from .frontend.facts import FileFacts

# Below this many files to analyse, forking costs more than it saves.
MIN_FILES_FOR_WORKERS = 48


def default_jobs() -> int:
    """One process per CPU this process may run on (2 on the project's machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Gathered:
    """What gathering found for each file, in input order."""

    facts: list[FileFacts]
    keys: list[str | None]  # content key (cache.content_key); None without a cache
    marked: list[bool]  # the text holds a suppression marker (suppressions.has_marker)
    # Which files spell the question's names, when the processes searched
    # while gathering (with workers and a question); else None.
    spellers: SpellerSearch | None = None


def gather_facts(items: Sequence[tuple[str, str]], jobs: int = 1,
                 cache: FactsCache | None = None,
                 keys: Sequence[str] | None = None) -> list[FileFacts]:
    """Facts of each (path, text) in ``items``, in the same order; ``keys``
    are the texts' content keys when the caller has them already."""
    return gather_texts(items, jobs, cache, keys).facts


def gather_texts(items: Sequence[tuple[str, str]], jobs: int = 1,
                 cache: FactsCache | None = None, keys: Sequence[str] | None = None,
                 question: Question | None = None) -> Gathered:
    """gather_facts, with all that gathering found (and a question, see gather_file_facts)."""
    names = [name for name, _ in items]
    texts = [text for _, text in items]
    return _gather(names, texts.__getitem__, texts.__getitem__, [len(t) for t in texts],
                   jobs, cache, known_keys=keys, question=question)


def gather_file_facts(names: Sequence[str], paths: Sequence[Path], jobs: int = 1,
                      cache: FactsCache | None = None,
                      meanwhile: Callable[[], None] | None = None,
                      sizes: Sequence[int] | None = None,
                      question: Question | None = None) -> Gathered:
    """Facts of the files at ``paths`` (reported as ``names``).

    Each process reads the files it takes, so reading, hashing and choosing
    a layer run in parallel too; a file's lines are read again only if a
    finding shows one.  An unreadable file is an InputError, raised by this
    process even when a worker met it first.  ``meanwhile`` is other work
    for this process, done once the workers run (the queue evens it out).
    ``sizes`` (of the files, to order the queue) saves a stat when known.
    With workers, the processes also search their files for the names of
    ``question`` (spellers.py) and ``Gathered.spellers`` holds the answer.
    """
    from .inputs.sources import read_source

    if sizes is None:
        sizes = [_size(path) for path in paths]

    def text_of(i: int) -> str:
        return read_source(paths[i])

    return _gather(names, text_of, lambda i: (lambda: read_source(paths[i])), sizes, jobs, cache,
                   meanwhile, question=question)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # read_source names the problem when the file is taken


def _gather(names: Sequence[str], text_of: Callable[[int], str],
            lines_of: Callable[[int], str | Callable[[], str]], sizes: Sequence[int],
            jobs: int, cache: FactsCache | None,
            meanwhile: Callable[[], None] | None = None,
            known_keys: Sequence[str] | None = None,
            question: Question | None = None) -> Gathered:
    from .frontend.layers import file_facts
    from .suppressions import has_marker

    count = len(names)
    facts: list[FileFacts | None] = [None] * count
    keys: list[str | None] = [None] * count
    marked = [False] * count

    def key_of(i: int, text: str) -> str:
        return known_keys[i] if known_keys is not None else content_key(text)

    def take(i: int) -> None:
        """Analyse file i in this process."""
        text = text_of(i)
        marked[i] = has_marker(text)
        if cache is not None:
            keys[i] = key_of(i, text)
            facts[i] = cache.get(keys[i], names[i], text)
        if facts[i] is None:
            facts[i] = file_facts(names[i], text)
            if cache is not None:
                cache.put(keys[i], facts[i])

    def take_encoded(i: int) -> tuple[tuple[int, str | None, bool, bytes | FileFacts], str]:
        """A worker's analysis of file i as the pipe takes it, and the
        identifiers the file spells.  With a cache: the bytes the cache
        stores (a hit needs no parse).  Without: the facts, pickled with the
        rest of the message, one pickle each way instead of one per file."""
        text = text_of(i)
        if cache is None:
            analysed = file_facts(names[i], text)
            analysed.path, analysed.lines = "", []  # the parent has both
            return (i, None, has_marker(text), analysed), analysed.identifiers
        key = key_of(i, text)
        blob = cache.get_blob(key)
        analysed = None
        if blob is not None:
            try:
                analysed = decode(blob, names[i], "")
            except Exception:  # a damaged entry: analysed again below
                blob = None
        if blob is None:
            analysed = file_facts(names[i], text)
            blob = encode(analysed)
            cache.put_blob(key, blob)
        return (i, key, has_marker(text), blob), analysed.identifiers

    if jobs <= 1 or count < MIN_FILES_FOR_WORKERS or not hasattr(os, "fork"):
        if meanwhile is not None:
            meanwhile()
        for i in range(count):
            take(i)
        if cache is not None:
            cache.flush()
        return Gathered(facts, keys, marked)  # type: ignore[arg-type]

    search = SpellerSearch() if question is not None else None
    giving = {i for i in range(count) if question.gives(names[i])} if question is not None else set()
    remaining = set(giving)  # giving files without facts yet
    # Costliest first (a .c file may need a parse, a header rarely does);
    # with a question, the files that give its names before all others.
    if question is not None:
        order = sorted(range(count), key=lambda i: (i not in giving, -sizes[i]))
    else:
        order = sorted(range(count), key=lambda i: -sizes[i] * (2 if names[i].endswith(".c") else 1))
    queue = TaskQueue()
    per_task = -(-count // queue.capacity)  # one file a task, unless the pipe is small
    tasks = [order[k:k + per_task] for k in range(0, count, per_task)]
    queue.fill(len(tasks))

    def work(send: Callable[[bytes], None], inbox: Inbox) -> None:
        """A worker's share: a message per task, its share of the search, then
        its cache write errors."""
        errors_before = cache.write_errors if cache is not None else 0
        mine = SpellerSearch() if question is not None else None
        for task in queue:
            done = []
            for i in tasks[task]:
                entry, identifiers = take_encoded(i)
                done.append(entry)
                if mine is not None:
                    mine.add(i, identifiers)
            send(pickle.dumps(("facts", done), protocol=5))
            if mine is not None and mine.names is None:
                _hear(inbox.poll(), mine)
        if mine is not None:
            while mine.names is None and not inbox.ended:
                _hear(inbox.wait(), mine)
            if mine.names is not None:
                send(pickle.dumps(("spellers", (mine.found, mine.searched)), protocol=5))
        if cache is not None:
            cache.flush(merge=False)  # its own pack; the parent merges
        errors = cache.write_errors - errors_before if cache is not None else 0
        send(pickle.dumps(("errors", errors), protocol=5))

    def own(i: int) -> None:
        take(i)
        remaining.discard(i)
        if search is not None:
            search.add(i, facts[i].identifiers)

    def receive(messages: list[bytes]) -> None:
        for message in messages:
            kind, payload = pickle.loads(message)
            if kind == "facts":
                for i, keys[i], marked[i], analysis in payload:
                    if not isinstance(analysis, bytes):
                        facts[i] = placed(analysis, names[i], lines_of(i))
                    else:
                        try:
                            facts[i] = decode(analysis, names[i], lines_of(i))
                        except Exception:  # damaged in the cache: analyse it here, now
                            take(i)  # (the worker searched it; the names may wait on it)
                    remaining.discard(i)
            elif kind == "spellers" and search is not None:
                search.merge(*payload)
            elif kind == "errors" and cache is not None:
                cache.write_errors += payload

    def learn_if_known() -> None:
        """Once every giving file has facts, the names go to every process."""
        if search is not None and search.names is None and not remaining:
            asked = frozenset(n for i in sorted(giving) for n in question.names_of(facts[i]))
            search.learn(asked)
            for worker in workers:
                worker.tell(pickle.dumps(asked, protocol=5))

    workers = [Worker(work) for _ in range(jobs - 1)]
    try:
        if meanwhile is not None:
            meanwhile()
        for task in queue:
            for i in tasks[task]:
                own(i)
            # What the workers sent so far is decoded here, between files,
            # not after the last: the queue gives them more files meanwhile.
            for worker in workers:
                receive(worker.inbox.poll())
            learn_if_known()
        while search is not None and search.names is None:
            if any(worker.inbox.ended for worker in workers):
                search = None  # a worker failed: the project searches every file itself
                break
            wait_any(workers)
            for worker in workers:
                receive(worker.inbox.poll())
            learn_if_known()
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    finally:
        queue.close()
    for worker in workers:
        receive(worker.finish()[0])  # a failed worker's missing files are analysed below
    for i in range(count):
        if facts[i] is None:
            take(i)
    if search is not None:  # what a failed worker did not search
        searched = set(search.searched)
        for i in range(count):
            if i not in searched:
                search.add(i, facts[i].identifiers)
    if cache is not None:
        cache.flush()
    return Gathered(facts, keys, marked, search)  # type: ignore[arg-type]


def _hear(messages: list[bytes], search: SpellerSearch) -> None:
    """A worker learns the names it searches for."""
    for message in messages:
        search.learn(pickle.loads(message))

"""Syntax-layer facts of many files: cache first, then the misses shared out.

The texts are read before any worker starts, and workers are forked from this
process: they inherit the texts and the loaded parser, so only results cross
a pipe.  The files to analyse are queued costliest first (a full parse costs
some twenty times an index read per byte), and every process, this one
included, takes the next file from the queue when it is free: with N jobs, N
processes work until the queue is empty, whatever the estimates got wrong.
Each process writes its own cache entries and the workers send back the
encoding the cache stores, so a fresh parse and a cache hit become facts by
one code path.

A worker that fails has the files it took analysed again here, where an
error surfaces with its traceback like any other.  Results are in input
order and do not depend on the number of jobs.
"""

from __future__ import annotations

import os
import pickle
from typing import Callable, Iterator, Sequence

from .cache import FactsCache, content_key, decode, encode
from .frontend.facts import FileFacts

# Below this many files to analyse, forking costs more than it saves.
MIN_FILES_FOR_WORKERS = 48
# Relative cost per byte of each layer (measured on Xen 4.17's xen/ folder).
LAYER_COST = {"statements": 20, "declarations": 2, "index": 1}


def default_jobs() -> int:
    """One process per CPU this process may run on (2 on the project's machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def gather_facts(items: Sequence[tuple[str, str]], jobs: int = 1,
                 cache: FactsCache | None = None) -> list[FileFacts]:
    """Facts of each (path, text) in ``items``, in the same order."""
    from .frontend.layers import file_facts, layer_of

    facts: list[FileFacts | None] = [None] * len(items)
    keys: list[str | None] = [None] * len(items)
    missing: list[int] = []
    for i, (path, text) in enumerate(items):
        if cache is not None:
            keys[i] = content_key(text)
            facts[i] = cache.get(keys[i], path, text)
        if facts[i] is None:
            missing.append(i)
    layers = {i: layer_of(*items[i]) for i in missing}

    def analyse(i: int) -> FileFacts:
        one = file_facts(*items[i], layer=layers[i])
        if cache is not None:
            cache.put(keys[i], one)
        return one

    def analyse_encoded(i: int) -> bytes:  # a worker's: the pipe and the cache take the same bytes
        blob = encode(file_facts(*items[i], layer=layers[i]))
        if cache is not None:
            cache.put_blob(keys[i], blob)
        return blob

    if jobs <= 1 or len(missing) < MIN_FILES_FOR_WORKERS or not hasattr(os, "fork"):
        for i in missing:
            facts[i] = analyse(i)
        if cache is not None:
            cache.flush()
        return facts  # type: ignore[return-value]

    missing.sort(key=lambda i: -LAYER_COST[layers[i]] * len(items[i][1]))
    per_task = -(-len(missing) // TaskQueue.LIMIT)  # one file a task below 16,384 files
    tasks = [missing[k:k + per_task] for k in range(0, len(missing), per_task)]
    queue = TaskQueue(len(tasks))

    def work() -> bytes:
        errors_before = cache.write_errors if cache is not None else 0
        done = [(i, analyse_encoded(i)) for task in queue for i in tasks[task]]
        if cache is not None:
            cache.flush(merge=False)  # its own pack; the parent merges
        errors = cache.write_errors - errors_before if cache is not None else 0
        return pickle.dumps((done, errors), protocol=5)

    workers = [_Worker(work) for _ in range(jobs - 1)]
    try:
        for task in queue:
            for i in tasks[task]:
                facts[i] = analyse(i)
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    finally:
        queue.close()
    for worker in workers:
        result = worker.result()
        if result is None:
            continue  # the worker failed: the files it took are analysed below
        done, write_errors = pickle.loads(result)
        if cache is not None:
            cache.write_errors += write_errors
        for i, blob in done:
            facts[i] = decode(blob, *items[i])
    for i in missing:
        if facts[i] is None:
            facts[i] = analyse(i)
    if cache is not None:
        cache.flush()
    return facts  # type: ignore[return-value]


class TaskQueue:
    """Task numbers 0..count-1 in a pipe, shared by forked processes.

    All numbers are written before any process reads (a pipe holds 16,384 of
    them), so a reader meets either a whole 4-byte number or the end; the
    kernel hands each number to exactly one reader.
    """

    LIMIT = 16384

    def __init__(self, count: int):
        if count > self.LIMIT:
            raise ValueError(f"at most {self.LIMIT} tasks, not {count}")
        self.read_end, self.write_end = os.pipe()
        os.write(self.write_end, b"".join(k.to_bytes(4, "little") for k in range(count)))

    def __iter__(self) -> Iterator[int]:
        # Each process closes its copy of the writing end before reading, or
        # the pipe would never report its end.
        self._close_writer()
        while True:
            data = os.read(self.read_end, 4)
            if len(data) < 4:
                return
            yield int.from_bytes(data, "little")

    def _close_writer(self) -> None:
        if self.write_end is not None:
            os.close(self.write_end)
            self.write_end = None

    def close(self) -> None:
        self._close_writer()
        os.close(self.read_end)


class _Worker:
    """A forked process that runs ``work`` and hands its bytes back through a pipe."""

    def __init__(self, work: Callable[[], bytes]):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never return into the caller's code
            status = 1
            try:
                os.close(read_end)
                data = work()
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.read_end = read_end

    def stop(self) -> None:
        os.close(self.read_end)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)

    def result(self) -> bytes | None:
        """The worker's bytes, or None if it failed."""
        with os.fdopen(self.read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None

"""Syntax-layer facts of many files: cache first, then the misses shared out.

The texts are read before any worker starts, and workers are forked from this
process: they inherit the texts and the loaded parser, so only results cross
a pipe.  The files to analyse are shared out once, by estimated cost (a full
parse costs some ten times a skeleton per byte, and one file in thirty takes
a full parse), and this process analyses one share itself: with N jobs, N
processes work and none waits on a queue.  Each process writes its own cache
entries and the workers send back the encoding the cache stores, so a fresh
parse and a cache hit become facts by one code path.

A worker that fails has its share analysed again here, where an error
surfaces with its traceback like any other.  Results are in input order and
do not depend on the number of jobs.
"""

from __future__ import annotations

import heapq
import os
import pickle
from typing import Callable, Sequence

from .cache import FactsCache, content_key, decode, encode
from .frontend.facts import FileFacts

# Below this many files to analyse, forking costs more than it saves.
MIN_FILES_FOR_WORKERS = 48
# Relative cost per byte of each layer (measured on Xen 4.17's xen/ folder).
LAYER_COST = {"statements": 25, "declarations": 3, "index": 1}


def default_jobs() -> int:
    """One process per CPU this process may run on (2 on the project's machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def share_out(costs: Sequence[tuple[int, int]], shares: int) -> list[list[int]]:
    """Indices of (index, cost) pairs in ``shares`` lists of about equal total
    cost: the costliest first, each to the least loaded share."""
    loads = [(0, k) for k in range(shares)]
    out: list[list[int]] = [[] for _ in range(shares)]
    for index, cost in sorted(costs, key=lambda pair: -pair[1]):
        load, k = heapq.heappop(loads)
        out[k].append(index)
        heapq.heappush(loads, (load + cost, k))
    for share in out:
        share.sort()  # input order: neighbouring files share headers in the cache folders
    return [share for share in out if share]


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

    def analyse(share: list[int], encoded: bool) -> list:
        """Facts (or their encoding) of ``share``, written to the cache."""
        out = []
        for i in share:
            one = file_facts(*items[i], layer=layers[i])
            blob = encode(one) if encoded or cache is not None else None
            if cache is not None:
                cache.put_blob(keys[i], blob)
            out.append(blob if encoded else one)
        return out

    if jobs <= 1 or len(missing) < MIN_FILES_FOR_WORKERS or not hasattr(os, "fork"):
        shares = [missing]
    else:
        costs = [(i, LAYER_COST[layers[i]] * len(items[i][1])) for i in missing]
        shares = share_out(costs, jobs)

    def work(share: list[int]) -> bytes:
        errors_before = cache.write_errors if cache is not None else 0
        blobs = analyse(share, True)
        errors = cache.write_errors - errors_before if cache is not None else 0
        return pickle.dumps((blobs, errors), protocol=5)

    workers = [_Worker(lambda share=share: work(share)) for share in shares[1:]]
    for i, one in zip(shares[0], analyse(shares[0], False)):
        facts[i] = one
    for worker, share in zip(workers, shares[1:]):
        result = worker.result()
        if result is None:  # the worker failed: analyse its share here
            for i, one in zip(share, analyse(share, False)):
                facts[i] = one
            continue
        blobs, write_errors = pickle.loads(result)
        if cache is not None:
            cache.write_errors += write_errors
        for i, blob in zip(share, blobs):
            facts[i] = decode(blob, *items[i])
    return facts  # type: ignore[return-value]


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

    def result(self) -> bytes | None:
        """The worker's bytes, or None if it failed."""
        with os.fdopen(self.read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None

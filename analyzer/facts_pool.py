"""Syntax-layer facts of many files: cache first, then the misses in parallel.

Parsing is CPU-bound and independent per file, so the files the cache does
not have are parsed by a pool of worker processes (fork: the workers inherit
the loaded parser, nothing is imported again); this process hands out work,
reads the files that need only the index layer (regular expressions, short
calls) and takes results in.  It parses nothing itself: the parser holds the
interpreter lock for a whole file, so a parent that parsed would starve its
own result reader and stall the workers on a full pipe.  Workers write their entries
to the cache themselves and send back the same compact encoding the cache
stores, so a fresh parse and a cache hit become facts by one code path.
Results come back in input order whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Sequence

from .cache import FactsCache, content_key, decode, encode
from .frontend.facts import FileFacts

# Below this many files to parse, starting workers costs more than it saves.
MIN_FILES_FOR_POOL = 48
_CHUNK = 16  # files per task: small enough to balance, large enough to amortise


def default_jobs() -> int:
    """One worker per CPU this process may run on (2 on the project's machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _parse_chunk(chunk: list[tuple[str, str, str | None]],
                 cache: FactsCache | None) -> tuple[list[bytes], int]:
    from .frontend.layers import file_facts

    blobs = []
    errors_before = cache.write_errors if cache is not None else 0
    for path, text, key in chunk:
        blob = encode(file_facts(path, text))
        if cache is not None and key is not None:
            cache.put_blob(key, blob)
        blobs.append(blob)
    return blobs, (cache.write_errors - errors_before) if cache is not None else 0


def gather_facts(items: Sequence[tuple[str, str]], jobs: int = 1,
                 cache: FactsCache | None = None) -> list[FileFacts]:
    """Facts of each (path, text) in ``items``, in the same order."""
    facts: list[FileFacts | None] = [None] * len(items)
    keys: list[str | None] = [None] * len(items)
    missing: list[int] = []
    for i, (path, text) in enumerate(items):
        if cache is not None:
            keys[i] = content_key(text)
            facts[i] = cache.get(keys[i], path, text)
        if facts[i] is None:
            missing.append(i)
    from .frontend.layers import file_facts, needs_parse

    # Files the index layer reads need no parser: this process reads them
    # while the workers parse, instead of waiting idle for their results.
    parse = {i: needs_parse(*items[i]) for i in missing}
    to_parse = [i for i in missing if parse[i]]
    by_index = [i for i in missing if not parse[i]]
    if jobs <= 1 or len(to_parse) < MIN_FILES_FOR_POOL:
        for i in missing:
            facts[i] = file_facts(*items[i])
            if cache is not None:
                cache.put(keys[i], facts[i])
        return facts  # type: ignore[return-value]
    chunks = [to_parse[k:k + _CHUNK] for k in range(0, len(to_parse), _CHUNK)]
    with _pool(jobs, len(chunks)) as pool:
        futures = {pool.submit(_parse_chunk, [(*items[i], keys[i]) for i in chunk], cache): chunk
                   for chunk in chunks}
        for i in by_index:
            facts[i] = file_facts(*items[i])
            if cache is not None:
                cache.put(keys[i], facts[i])
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            blobs, write_errors = future.result()
            if cache is not None:
                cache.write_errors += write_errors
            for i, blob in zip(futures[future], blobs):
                facts[i] = decode(blob, items[i][0], items[i][1])
    return facts  # type: ignore[return-value]


def _pool(jobs: int, tasks: int):
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=min(jobs, tasks), mp_context=context)

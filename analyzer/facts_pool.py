"""Syntax-layer facts of many files: cache first, then the misses in parallel.

Parsing is CPU-bound and independent per file, so with ``jobs`` = N the
files the cache does not have are parsed by N processes: N - 1 forked
workers (they inherit the loaded parser, nothing is imported again) and this
one.  Workers write their entries to the cache themselves and send back the
encoding the cache stores; this process parses its share directly, which
saves encoding and copying.  Results come back in input order whatever N.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Sequence

from .cache import FactsCache, content_key, decode, encode
from .frontend.facts import FileFacts

# Below this many files to parse, starting workers costs more than it saves.
MIN_FILES_FOR_POOL = 48
_CHUNK = 32  # files per task: few result messages, still balanced at the meeting point


def default_jobs() -> int:
    """One process per CPU this process may run on (2 on the project's machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _parse_chunk(chunk: list[tuple[str, str, str | None]],
                 cache: FactsCache | None) -> tuple[list[bytes], int]:
    from .frontend.extract import extract_facts

    blobs = []
    errors_before = cache.write_errors if cache is not None else 0
    for path, text, key in chunk:
        blob = encode(extract_facts(path, text))
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
    if missing:
        from .frontend.extract import extract_facts
    if jobs <= 1 or len(missing) < MIN_FILES_FOR_POOL:
        for i in missing:
            facts[i] = _parse_here(extract_facts, items[i], keys[i], cache)
        return facts  # type: ignore[return-value]
    # jobs - 1 workers take chunks from the front; this process takes them
    # from the back (no encoding, no copying) until the two meet.
    chunks = [missing[k:k + _CHUNK] for k in range(0, len(missing), _CHUNK)]
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
        futures = [pool.submit(_parse_chunk, [(*items[i], keys[i]) for i in chunk], cache)
                   for chunk in chunks]
        front = 0  # workers' results are taken in as they come, between own chunks

        def take(k: int) -> None:
            blobs, write_errors = futures[k].result()
            if cache is not None:
                cache.write_errors += write_errors
            for i, blob in zip(chunks[k], blobs):
                facts[i] = decode(blob, items[i][0], items[i][1])

        back = len(chunks)
        while back > front:
            if futures[front].done():
                take(front)
                front += 1
            elif futures[back - 1].cancel():
                back -= 1
                for i in chunks[back]:
                    facts[i] = _parse_here(extract_facts, items[i], keys[i], cache)
            else:
                break  # a worker has every chunk left
        for k in range(front, back):
            take(k)
    return facts  # type: ignore[return-value]


def _parse_here(extract_facts, item: tuple[str, str], key: str | None,
                cache: FactsCache | None) -> FileFacts:
    facts = extract_facts(*item)
    if cache is not None:
        cache.put(key, facts)
    return facts

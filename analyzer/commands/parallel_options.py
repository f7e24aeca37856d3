"""-j/--jobs and --no-cache: how a check spends CPUs and reuses earlier parses.

Cheap to import: the cache and the worker processes load only when used.
"""

from __future__ import annotations

from pathlib import Path


def add_speed_arguments(parser) -> None:
    parser.add_argument("-j", "--jobs", type=int, metavar="N", default=None,
                        help="parse on N processes (default: one per CPU; small inputs use one)")
    parser.add_argument("--no-cache", action="store_true",
                        help="parse every file again; do not read or write the facts cache "
                             "($XENLINT_CACHE_DIR, else the user cache folder)")


def default_jobs() -> int:
    """One process per CPU this process may run on."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def jobs(args) -> int:
    from analyzer.errors import InputError

    if args.jobs is None:
        return default_jobs()
    if args.jobs < 1:
        raise InputError("--jobs", f"must be at least 1, not {args.jobs}")
    return args.jobs


def facts_cache(args, checked: list[Path]):
    """(FactsCache or None, notes): none with --no-cache, or when the cache
    folder lies inside a checked tree (xenlint never writes to what it checks)."""
    if args.no_cache:
        return None, []
    from analyzer.cache import FactsCache, default_directory, usable

    cache = FactsCache(default_directory())
    if cache.inside(checked):  # asked before anything is created there
        return None, [f"facts cache {cache.root} is inside a checked tree: not used"]
    if not usable(cache.root):
        return None, [f"cache folder {cache.root} cannot be written (read-only, not a folder, or "
                      f"full): running without a cache"]
    return cache, []

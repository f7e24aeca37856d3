"""Fuzzing the inputs: whatever a mutation makes of a patch, a mail, a C file or
a tree, xenlint answers in bounded time with a verdict or one line naming the
input and its problem; never a traceback, never an internal error.

Seeded and bounded (about half a minute); bench/fuzz.py runs the same mutator
over thousands of inputs as separate processes and records time and memory.
"""

from __future__ import annotations

import time

import pytest

from fuzzing import cases
from helpers import run_cli

SEEDS = (1, 2, 3)
PER_SEED = 250


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_inputs_get_a_verdict_or_one_line(seed, tmp_path, monkeypatch):
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(tmp_path / "cache"))
    failures = []
    for case in cases(seed, PER_SEED, tmp_path):
        start = time.monotonic()
        code, out, err = run_cli(*case.argv)
        elapsed = time.monotonic() - start
        problem = None
        if code not in (0, 1, 2):
            problem = f"exit {code}: {err.strip()[:200]}"
        elif "Traceback" in err or "Traceback" in out:
            problem = "a traceback"
        elif code == 2 and (len(err.strip().splitlines()) != 1 or not err.startswith("xenlint: error:")):
            problem = f"not one line: {err[:200]!r}"
        elif elapsed > 5:
            problem = f"took {elapsed:.1f} s"
        if problem:
            failures.append(f"{case.name} ({' '.join(case.argv[:1])}): {problem}")
    assert not failures, "\n".join(failures[:20])


def test_mutated_mapping_code_never_breaks_extraction_or_vetting():
    """Function extraction raised ValueError on mangled input; it must read
    whatever it is given (the compile and the run are the sandbox's)."""
    import random

    from analyzer.crosscheck.extract import extract
    from analyzer.crosscheck.harness_gen import generate
    from analyzer.crosscheck.vet import too_large, vet
    from fuzzing import FIXTURES, _mutate

    sources = [(FIXTURES / "model" / "reference.c").read_bytes(),
               (FIXTURES / "tree-after" / "xen" / "arch" / "x86" / "guest" / "xen.c").read_bytes()]
    rng = random.Random(11)
    for _ in range(3000):
        _, data = _mutate(rng.choice(sources), rng)
        extraction = extract(data.decode("utf-8", "replace"), "x.c")
        if "map" in extraction.functions and not (too_large(extraction) or vet(extraction)):
            generate(extraction)

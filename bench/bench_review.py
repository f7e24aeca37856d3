#!/usr/bin/env python3
"""How long `xenlint review` takes, in process, against check-patch of one patch.

Prints seconds per run (best of N) for the synthetic five-patch thread on
fixtures/tree-before, the seed page alone, and check-patch of the seed, and
the ratio of a series review to one check-patch.  Figures only; no assertion.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cli  # noqa: E402

SEED = ROOT.parent / "shared" / "seeds" / "000_1ff9c2d8a882b65e.txt"
THREAD = ROOT / "fixtures" / "threads" / "thread.mbox"
TREE = ROOT / "fixtures" / "tree-before"


def best(argv: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(argv)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    cases = {"review thread.mbox --tree tree-before (5 patches)":
             ["review", str(THREAD), "--tree", str(TREE)],
             "review thread.mbox --format reply": ["review", str(THREAD), "--tree", str(TREE),
                                                  "--format", "reply", "--from", "b@example.org"]}
    if SEED.is_file():
        cases["review seed page"] = ["review", str(SEED)]
        cases["check-patch seed page"] = ["check-patch", str(SEED)]
    figures = {name: best(argv) for name, argv in cases.items()}
    for name, seconds in figures.items():
        print(f"{seconds * 1000:8.1f} ms  {name}")
    if "check-patch seed page" in figures:
        ratio = figures["review thread.mbox --tree tree-before (5 patches)"] / figures["check-patch seed page"]
        print(f"ratio: 5-patch series review / one check-patch = {ratio:.1f}")


if __name__ == "__main__":
    main()

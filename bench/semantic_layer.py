"""Cost of the semantic layer (libclang): wall time with and without a compile database.

    python bench/semantic_layer.py [TREE DATABASE]

Without arguments it measures the bundled fixtures/semantic tree.  Give a
configured Xen tree and its compile_commands.json to measure the real thing
(the tree is only read).  Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*argv: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cli", *argv, "--fail-on", "never"], cwd=ROOT,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    summary = (proc.stdout.strip().splitlines() or [proc.stderr.strip()])[-1]
    return elapsed, summary


def _import_cost(*argv: str) -> str:
    probe = ("import sys, cli; cli.main(sys.argv[1:]); "
             "print(any(m == 'clang' or m.startswith('clang.') for m in sys.modules), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, *argv], cwd=ROOT, capture_output=True, text=True)
    return proc.stderr.strip().splitlines()[-1]


def main() -> None:
    if len(sys.argv) == 3:
        tree, database = sys.argv[1], sys.argv[2]
    else:
        tree = str(ROOT / "fixtures" / "semantic" / "tree")
        database = str(Path(tree) / "compile_commands.json")
    syntax_time, syntax_summary = _run("check", tree, "--no-compile-commands")
    semantic_time, semantic_summary = _run("check", tree, "--compile-commands", database)
    print(f"tree: {tree}")
    print(f"syntax only : {syntax_time:7.2f} s  {syntax_summary}")
    print(f"with libclang: {semantic_time:7.2f} s  {semantic_summary}")
    print(f"ratio        : {semantic_time / syntax_time:7.1f}x")
    patch = ROOT / "fixtures" / "semantic" / "patches" / "0001-x86-guest-peek-pending-through-parameter.patch"
    print(f"libclang imported by a hunk-only check-patch: {_import_cost('check-patch', str(patch))}")


if __name__ == "__main__":
    main()

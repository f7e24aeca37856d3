"""libclang loads only when a compile database is in play, and fails in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "fixtures" / "semantic" / "tree"
PATCH = ROOT / "fixtures" / "semantic" / "patches" / "0001-x86-guest-peek-pending-through-parameter.patch"

_PROBE = """
import sys, cli
code = cli.main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m == "clang" or m.startswith("clang.")
                or m in ("analyzer.frontend.semantic", "analyzer.frontend.shared_info_flow"))
print("LOADED", ",".join(loaded), file=sys.stderr)
raise SystemExit(code)
"""


def _probe(*argv: str, env: dict | None = None) -> tuple[str, subprocess.CompletedProcess]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *argv], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)
    line = next(l for l in proc.stderr.splitlines() if l.startswith("LOADED"))
    return line[len("LOADED "):], proc


def test_hunk_only_run_does_not_import_libclang():
    loaded, proc = _probe("check-patch", str(PATCH))
    assert proc.returncode == 0 and loaded == ""


def test_check_without_a_database_does_not_import_libclang():
    loaded, proc = _probe("check", str(ROOT / "fixtures" / "tree-before"))
    assert proc.returncode in (0, 1) and loaded == ""


def test_check_with_a_database_does_import_libclang():
    # the probe can tell: the same run with the database found loads it
    loaded, proc = _probe("check", str(TREE / "xen/arch/x86/guest/time.c"),
                          "--compile-commands", str(TREE / "compile_commands.json"))
    assert proc.returncode == 1 and "clang.cindex" in loaded.split(",")


def test_missing_libclang_is_one_line_only_when_asked_for():
    env = {"XENLINT_LIBCLANG": "/nonexistent/libclang.so"}
    asked = subprocess.run([sys.executable, "-m", "cli", "check", str(TREE)], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
    assert asked.returncode == 2 and asked.stdout == ""
    lines = asked.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xenlint: error: libclang not found: ")
    assert "XENLINT_LIBCLANG" in lines[0] and "/nonexistent/libclang.so" in lines[0]
    not_asked = subprocess.run([sys.executable, "-m", "cli", "check", str(TREE), "--no-compile-commands"],
                               cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, **env}, timeout=120)
    assert not_asked.returncode == 1 and not_asked.stderr == ""

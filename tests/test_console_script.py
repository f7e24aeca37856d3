"""The console script (cli.run) ends without tearing the interpreter down:
its exit code and every byte of its output must still be those of cli.main."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import LEGACY_READS, run_cli, write

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def console(*argv) -> subprocess.CompletedProcess:
    # Buffered streams, as a user's shell has them: what is not flushed is lost.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", "import cli; cli.run()", *map(str, argv)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def test_findings_exit_code_and_output_are_those_of_main():
    argv = ("check", FIXTURES / "tree-before", "--no-cache")
    proc = console(*argv)
    code, out, err = run_cli(*argv)
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, out, err)
    assert code == 1 and "XL101" in out


def test_output_larger_than_a_pipe_is_written_whole(tmp_path):
    write(tmp_path, {f"guest{n}.c": LEGACY_READS for n in range(150)})
    argv = ("check", tmp_path, "--no-cache", "--format", "json")
    proc = console(*argv)
    code, out, _ = run_cli(*argv)
    assert len(out) > 65536, "the output must not fit a pipe's buffer"
    assert proc.returncode == code and proc.stdout == out


def test_bad_input_is_one_line_and_exit_code_2(tmp_path):
    proc = console("check", tmp_path / "missing.c")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "missing.c: no such file or directory" in proc.stderr

"""The terse mode as b4's per-patch check command, run by the real b4 (offline, local mbox)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES

THREAD = FIXTURES / "threads" / "thread.mbox"
FOLDER = FIXTURES / "threads" / "format-patch"
COVER_ID = "20251110090000.4242-0-ada@example.org"

pytestmark = pytest.mark.skipif(shutil.which("b4") is None, reason="b4 is not installed (pip install '.[test]')")


def _check_cmd() -> str:
    found = shutil.which("xenlint")
    base = shlex.quote(found) if found else f"{shlex.quote(sys.executable)} -m cli"
    return f"{base} review --format terse -"


@pytest.fixture
def repo(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="A", GIT_AUTHOR_EMAIL="a@example.org",
               GIT_COMMITTER_NAME="A", GIT_COMMITTER_EMAIL="a@example.org")
    (tmp_path / "home").mkdir()
    work = tmp_path / "repo"
    shutil.copytree(FIXTURES / "tree-before", work)

    def run(*args, check=True):
        proc = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=300)
        if check and proc.returncode:
            pytest.fail(f"{' '.join(args)} failed: {proc.stdout}{proc.stderr}")
        return proc.stdout + proc.stderr

    run("git", "init", "-q", "-b", "main")
    run("git", "add", ".")
    run("git", "commit", "-qm", "base")
    return work, run


def _lines_of(output: str, title: str) -> list[str]:
    """b4's check lines printed under the patch whose title is ``title``."""
    lines = output.splitlines()
    start = next(i for i, l in enumerate(lines) if title in l)
    out = []
    for line in lines[start + 1:]:
        if "xenlint:" not in line:
            break
        out.append(line.split("xenlint:", 1)[1].strip())
    return out


def test_b4_am_check(repo):
    work, run = repo
    run("git", "config", "b4.am-perpatch-check-cmd", _check_cmd())
    out = run("b4", "--offline-mode", "am", "--check", "-m", str(THREAD), "-o", str(work.parent / "out"), COVER_ID)
    assert _lines_of(out, "add a VCPUOP hypercall wrapper") == ["passed all checks"]
    two = _lines_of(out, "register a vcpu_info area per vCPU")
    assert [l.split(": ")[1] for l in two] == ["WARNING", "ERROR", "ERROR"]
    assert "[XL102]" in two[1] and "[XL103]" in two[2]
    # 5/5 reaches the command decoded but still labelled base64; it is read all the same
    assert _lines_of(out, "bound the legacy vcpu_info fallback") == ["passed all checks"]


def test_b4_prep_check_from_b4_config(repo):
    work, run = repo
    (work / ".b4-config").write_text(f"[b4]\n    prep-perpatch-check-cmd = {_check_cmd()}\n")
    run("git", "add", ".b4-config")
    run("git", "commit", "-qm", "b4 config")
    run("b4", "--offline-mode", "prep", "-n", "vcpu")
    run("git", "am", "-q", *[str(p) for p in sorted(FOLDER.glob("000[1-3]*.patch"))])
    out = run("b4", "--offline-mode", "prep", "--check", check=False)
    assert "Checking patches using" in out
    assert [l.split(": ")[1] for l in _lines_of(out, "take event channel upcalls")] == ["ERROR"]
    assert "[XL101]" in _lines_of(out, "take event channel upcalls")[0]

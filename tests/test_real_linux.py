"""Debian's real Linux 6.1 tree, its Xen guest folders only (fetched into the
test cache by tests/debian_source.py; skipped with the reason when it cannot be)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import xenlint

pytestmark = pytest.mark.realxen

# Every finding on these folders, judged (the closing note gives the why):
# xen_tsc_khz() reads vCPU 0's legacy slot, which L0 stops updating once vCPU 0
# registers its own area; Xen's own guest code moved the same read to the
# per-CPU pointer.  A new finding here must be judged before it is added.
JUDGED = {("XL101", "arch/x86/xen/time.c", "xen_tsc_khz")}


@pytest.fixture(scope="module")
def guest_run(real_linux_tree):
    run = xenlint("check", real_linux_tree, "--no-cache", "--format", "json", "-v")
    return real_linux_tree, run


def test_guest_folders_check_without_problems(guest_run):
    _, run = guest_run
    assert run.code in (0, 1) and "Traceback" not in run.err
    doc = run.json()
    assert doc["problems"] == []
    assert doc["summary"]["files"] > 150
    assert any(note.startswith("guest profiles (auto") and "linux" in note for note in doc["notes"])


def test_every_finding_on_the_guest_folders_is_one_judged(guest_run):
    top, run = guest_run
    found = {(f["rule"], Path(f["path"]).relative_to(top).as_posix(), f["function"])
             for f in run.json()["findings"]}
    assert found <= JUDGED, f"new findings to judge: {sorted(found - JUDGED)}"
    assert all(f["profile"] == "linux" for f in run.json()["findings"])


def test_xl106_runs_under_linux_when_named_and_searches_every_file(real_linux_tree):
    """sparse covers XL106 for Linux; named, each object it reports is spelled
    by no other file of the same image among the folders read (grep's view)."""
    from analyzer.programs import same_image

    run = xenlint("check", real_linux_tree, "--no-cache", "--format", "json",
                  "--select", "XL106")
    assert run.code in (0, 1)
    findings = run.json()["findings"]
    assert 0 < len(findings) < 20
    files = [(p, p.relative_to(real_linux_tree).as_posix()) for p in real_linux_tree.rglob("*.[chS]")]
    for finding in findings:
        name = finding["message"].split("'")[1]
        own = Path(finding["path"]).relative_to(real_linux_tree).as_posix()
        spellers = [rel for p, rel in files if same_image(own, rel)
                    and re.search(rf"\b{re.escape(name)}\b", p.read_text(errors="replace"))]
        assert spellers == [own], name

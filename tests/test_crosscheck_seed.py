"""Acceptance: the seed patch's I2 violation, found with a tree and from the hunks alone."""

import json
import subprocess
import sys

import pytest

from analyzer.crosscheck.run import crosscheck_source
from analyzer.crosscheck.patch_source import post_image
from analyzer.model.scenario import Scenario
from tests.conftest import FIXTURES, ROOT


def _i2(report):
    found = [f for f in report.findings if f.rule_id == "XL202"]
    assert found, [f.rule_id for f in report.findings]
    return found[0]


@pytest.mark.parametrize("tree", [FIXTURES / "tree-before", None], ids=["tree", "hunks-only"])
def test_seed_i2_with_minimal_scenario(seed_path, tree):
    image = post_image(str(seed_path), tree)
    report = crosscheck_source(image.text, image.path)
    finding = _i2(report)
    scenario = Scenario.from_json(finding.details["scenario"])
    # Minimal: 33 CPUs, vCPU 32's registration fails, nothing else happens.
    assert scenario.nr_cpu_ids == 33
    assert [f.vcpu for f in scenario.faults] == [32]
    assert scenario.events == ("BOOT_BSP", "AP_UP:32")
    assert "I2" in finding.message and "nr_cpu_ids=33" in finding.message
    assert "registration of vCPU 32 fails" in finding.message
    # Side by side: the C run points CPU 32 past the legacy array, the model does not.
    row = next(r for r in finding.details["pointers"] if r["cpu"] == 32)
    assert row["c"] == "&shared_info->vcpu_info[32] (out of bounds)"
    assert row["model"] != row["c"]
    assert "\n" not in finding.details["scenario"]
    assert "--replay" in finding.details["replay"]


def test_hunks_only_reports_rebuilt_functions(seed_path):
    image = post_image(str(seed_path), None)
    assert "hypervisor_setup" in image.rebuilt_functions


def test_replay_command_reproduces_the_finding(seed_path):
    image = post_image(str(seed_path), FIXTURES / "tree-before")
    finding = _i2(crosscheck_source(image.text, image.path))
    scenario = finding.details["scenario"]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "model", str(seed_path), "--tree",
         str(FIXTURES / "tree-before"), "--replay", scenario, "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    last = out["events"][-1]
    assert any(v.startswith("I2:") for v in last["violations"])

"""--model on check and check-patch: the cross-check joins the static rules' findings."""

import json

from conftest import FIXTURES
from helpers import xenlint


def test_check_patch_model_on_the_seed_hunks_alone(seed_path):
    run = xenlint("check-patch", str(seed_path), "--model", "--format", "json")
    findings = run.json()["findings"]
    i2 = [f for f in findings if f["rule"] == "XL202"]
    assert len(i2) == 1
    scenario = json.loads(i2[0]["details"]["scenario"])
    assert scenario["nr_cpu_ids"] >= 33
    assert [32, scenario["faults"][0][1]] in scenario["faults"]  # vCPU 32's registration fails
    # The static rules still report what they report without the model.
    assert {("XL106", 42), ("XL102", 130), ("XL103", 241)} <= {(f["rule"], f["line"]) for f in findings}


def test_check_patch_model_with_tree_reports_only_new_findings():
    v2 = FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-v2.diff"
    run = xenlint("check-patch", str(v2), "--tree", str(FIXTURES / "tree-before"),
                  "--model", "--format", "json")
    rules = {f["rule"] for f in run.json()["findings"]}
    assert "XL202" not in rules  # the committed shape keeps every CPU inside its slot
    assert "XL260" in rules  # ... and its BUG is reported as the policy in force
    assert any("model cross-check" in n for n in run.json()["notes"])


def test_check_model_always_runs_on_files_with_mapping_code():
    run = xenlint("check", str(FIXTURES / "tree-after"), "--model", "always", "--format", "json")
    doc = run.json()
    assert any(f["rule"].startswith("XL2") for f in doc["findings"])
    assert sum("model cross-check" in n for n in doc["notes"]) == 1  # xen.c only
    plain = xenlint("check", str(FIXTURES / "tree-after"), "--format", "json").json()
    assert plain["findings"] == []

"""Acceptance: the committed shape has no I2; its BUG is reported as the policy in force."""

from analyzer.crosscheck.run import crosscheck_source
from tests.conftest import FIXTURES

AFTER = FIXTURES / "tree-after" / "xen" / "arch" / "x86" / "guest" / "xen.c"
MODEL = FIXTURES / "model"


def test_tree_after_no_i2_and_bug_policy():
    report = crosscheck_source(AFTER.read_text(), str(AFTER))
    rules = {f.rule_id for f in report.findings}
    assert "XL202" not in rules
    policies = [f for f in report.findings if f.rule_id == "XL260"]
    bug = [f for f in policies if f.message == "policy in force: BUG when a vCPU >= 32 cannot register"]
    assert bug and str(bug[0].severity) == "info"
    # Anchored at the BUG_ON line.
    assert "BUG_ON" in AFTER.read_text().splitlines()[bug[0].line - 1]


def test_reference_fixture_is_clean():
    report = crosscheck_source((MODEL / "reference.c").read_text(), "reference.c")
    assert {f.rule_id for f in report.findings} == {"XL260"}
    assert report.scenarios_run > 80
    # Every branch of the mapping function is exercised by the default set.
    hit, total = report.coverage_by_function()["map_vcpuinfo"]
    assert hit == total

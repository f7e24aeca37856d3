"""The cross-check on Linux's x86 guest: xen_vcpu_setup() and its restore path.

Written fixtures in Linux's style (fixtures/model/linux/) and Debian's Linux
6.1 `arch/x86/xen/enlighten.c` (fetched by tests/debian_source.py; skipped
with the reason when it cannot be).
"""

from __future__ import annotations

import pytest

from analyzer.crosscheck.run import Prepared, crosscheck_source
from analyzer.model.scope import Scope
from tests.conftest import FIXTURES

LINUX = FIXTURES / "model" / "linux"
PANIC_POLICY = {
    "panic when a vCPU >= 32 cannot register",
    "panic when the BSP cannot register",
    "panic when an AP cannot register, even below vCPU 32",
}


def defects(report) -> set[tuple[str, int]]:
    return {(f.rule_id, f.line) for f in report.findings if f.rule_id != "XL260"}


def test_linux_shape_extracts_with_the_callers_modelled():
    prep = Prepared((LINUX / "vcpu_setup.c").read_text(), "vcpu_setup.c")
    roles = {role: f.name for role, f in prep.extraction.functions.items()}
    assert roles == {"map": "xen_vcpu_setup", "reset": "xen_vcpu_info_reset", "resume": "xen_vcpu_restore"}
    assert prep.harness.static_area == "xen_vcpu_info"
    assert prep.harness.problems == [] and prep.binary is not None, prep.build_error


def test_the_correct_shape_has_no_defect_and_panics_as_its_policy():
    report = crosscheck_source((LINUX / "vcpu_setup.c").read_text(), "vcpu_setup.c")
    assert defects(report) == set()
    assert set(report.policy_notes) == PANIC_POLICY
    assert report.skipped > 0 and "static per-CPU memory" in report.skipped_why
    assert report.scenarios_run > 50


def test_an_area_without_alignment_crosses_a_page():
    text = (LINUX / "unaligned_area.c").read_text()
    report = crosscheck_source(text, "unaligned_area.c")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "rc = HYPERVISOR_vcpu_op(" in s)
    assert defects(report) == {("XL205", line)}
    i5 = next(f for f in report.findings if f.rule_id == "XL205")
    assert '"placement":40' in i5.details["scenario"]          # near a page end
    # The aligned definition, in the same scope, never does.
    aligned = crosscheck_source((LINUX / "vcpu_setup.c").read_text(), "vcpu_setup.c",
                                scope=Scope(cpus=(1, 2), depth=1))
    assert defects(aligned) == set()


def test_a_restore_that_registers_running_vcpus_breaks_i8():
    text = (LINUX / "restore_while_up.c").read_text()
    report = crosscheck_source(text, "restore_while_up.c")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "rc = HYPERVISOR_vcpu_op(" in s)
    assert defects(report) == {("XL208", line)}
    f = next(f for f in report.findings if f.rule_id == "XL208")
    assert "RESUME_NEW_L0" in f.details["scenario"]
    # The path goes through the restore of one CPU into the registration.
    assert any(step.get("function") == "xen_vcpu_restore_one" for step in f.details["path"])


@pytest.mark.realxen
def test_debian_linux_enlighten_extracts_builds_and_runs(real_linux_tree):
    path = real_linux_tree / "arch" / "x86" / "xen" / "enlighten.c"
    report = crosscheck_source(path.read_text(), str(path))
    rules = {f.rule_id for f in report.findings}
    assert "XL280" not in rules and "XL270" not in rules, [f.message for f in report.findings]
    assert report.scenarios_run > 50 and defects(report) == set()
    assert set(report.policy_notes) == PANIC_POLICY
    # What was stubbed: steal-time setup on restore, never reached in an HVM guest.
    assert {name for name, _ in report.stubs} == {"xen_setup_runstate_info",
                                                  "XENFEAT_hvm_safe_pvclock (object)"}

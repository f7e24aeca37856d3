"""Debian's Xen 4.17 guest code: extraction, harness build and the default set complete.

The expected rule set records what the model reports today (see the notes
in the final report of the cross-check work); a change means the model or
the harness changed behaviour and must be looked at.
"""

import pytest

from analyzer.crosscheck.run import crosscheck_source
from analyzer.crosscheck.run import Prepared

pytestmark = pytest.mark.realxen

RECORDED = {"XL201", "XL203", "XL204", "XL205", "XL207", "XL211", "XL260"}
# Each distinct defect at the statement that caused it (Debian's 4.17.5 xen.c).
RECORDED_DEFECTS = {
    ("XL201", 170, "return rc;"),                       # vCPU >= 32 refused: the BSP left with NULL
    ("XL203", 146, "this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];"),  # no array: slot 40
    ("XL203", 167, "this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];"),  # same-host resume
    ("XL204", 352, "bitmap_zero(vcpu_info_mapped, NR_CPUS);"),                 # same-host resume
    ("XL205", 158, "rc = xen_hypercall_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);"),
    ("XL207", 158, "rc = xen_hypercall_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);"),
    ("XL207", 161, "this_cpu(vcpu_info) = &vcpu_info[vcpu];"),  # sized by CPUs, indexed by vCPU id
    ("XL211", 147, "return 0;"),
    ("XL211", 294, "vcpu_info = NULL;"),
}


@pytest.fixture(scope="module")
def xen_c(real_xen_tree):
    return real_xen_tree / "xen" / "arch" / "x86" / "guest" / "xen" / "xen.c"


def test_extraction_finds_the_newer_names(xen_c):
    prep = Prepared(xen_c.read_text(), str(xen_c))
    names = {role: f.name for role, f in prep.extraction.functions.items()}
    assert names == {"map": "map_vcpuinfo", "setup": "setup", "ap_setup": "ap_setup",
                     "resume": "resume", "ap_resume": "ap_resume"}
    assert prep.binary is not None, prep.build_error
    assert prep.harness.stubs == ["pv_console_init"]


def test_default_set_runs_and_findings_are_recorded(xen_c):
    report = crosscheck_source(xen_c.read_text(), str(xen_c))
    rules = {f.rule_id for f in report.findings}
    assert "XL270" not in rules and "XL280" not in rules
    assert report.scenarios_run == 84
    assert rules == RECORDED
    assert report.policy_notes[0] == "a CPU whose vCPU >= 32 cannot register is not brought online"
    hit, total = report.coverage_by_function()["map_vcpuinfo"]
    assert hit == total
    defects = {(f.rule_id, f.line, f.source) for f in report.findings if f.rule_id != "XL260"}
    assert defects == RECORDED_DEFECTS
    same_l0 = next(f for f in report.findings if f.rule_id == "XL203" and f.line == 167)
    assert "RESUME_SAME_L0" in same_l0.details["scenario"]
    # The path shows the branch into the fallback and the write that caused it.
    assert any("if ( !rc ) not taken" in line for line in same_l0.details["text_lines"])
    assert any(":167 this_cpu(vcpu_info)" in line for line in same_l0.details["text_lines"])

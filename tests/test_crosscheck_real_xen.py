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


# One-line mutants of Debian's 4.17 mapping code, each a kind real defects
# take.  The unmutated code has 9 defects of its own (RECORDED_DEFECTS): each
# mutant must add one at a root cause of its own, not hide behind those.
# Not here: dropping the xfree() of a failed BSP (a leak: no invariant sees it).
XEN_MUTANTS = [
    ("else if ( vcpu < XEN_LEGACY_MAX_VCPUS )", "else if ( vcpu <= XEN_LEGACY_MAX_VCPUS )", ("XL202", 167)),
    ("if ( test_bit(vcpu, vcpu_info_mapped) )", "if ( test_bit(smp_processor_id(), vcpu_info_mapped) )",
     ("XL203", 152)),
    ("set_bit(vcpu, vcpu_info_mapped);", "set_bit(smp_processor_id(), vcpu_info_mapped);", ("XL204", 162)),
    ("        set_bit(vcpu, vcpu_info_mapped);\n", "", ("XL204", 158)),
    ("info.mfn = virt_to_mfn(&vcpu_info[vcpu]);", "info.mfn = virt_to_mfn(&vcpu_info[0]);", ("XL210", 161)),
    ("        rc = 0;\n", "", ("XL250", 169)),
    ("    bitmap_zero(vcpu_info_mapped, NR_CPUS);\n", "", ("XL204", 162)),
    ("xzalloc_array(struct vcpu_info, nr_cpu_ids)", "xzalloc_array(struct vcpu_info, nr_cpu_ids - 1)",
     ("XL250", 146)),
    ("VCPUOP_register_vcpu_info, vcpu, &info", "VCPUOP_register_vcpu_info, smp_processor_id(), &info",
     ("XL208", 158)),
    # The same hypercall as the original's page-crossing I5, broken another way: its own defect.
    ("& ~PAGE_MASK;", "& PAGE_MASK;", ("XL205", 158)),
]


@pytest.fixture(scope="module")
def original_fingerprints(xen_c):
    return {f.fingerprint() for f in crosscheck_source(xen_c.read_text(), str(xen_c)).findings}


@pytest.mark.parametrize("find,replace,expected", XEN_MUTANTS, ids=[m[0][:40] for m in XEN_MUTANTS])
def test_a_mutant_of_the_real_code_is_its_own_defect(xen_c, original_fingerprints, find, replace, expected):
    text = xen_c.read_text()
    assert text.count(find) == 1
    findings = crosscheck_source(text.replace(find, replace), str(xen_c)).findings
    found = [f for f in findings if (f.rule_id, f.line) == expected]
    assert found, sorted((f.rule_id, f.line) for f in findings)
    # Not one of the original's: a defect's identity is its fingerprint (rule,
    # function, the statement that caused it, how), which survives moved lines.
    assert any(f.fingerprint() not in original_fingerprints for f in found), expected

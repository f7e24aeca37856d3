"""Applying hunks in memory: offsets, failures reported by name, the rest still checked."""

from unidiff import PatchSet

from conftest import FIXTURES
from analyzer.inputs.images import apply_file, sparse_images
from helpers import xenlint

ORIGINAL = "".join(f"line {n}\n" for n in range(1, 21))


def _pf(diff: str):
    return PatchSet(diff)[0]


def test_hunk_applies_at_an_offset():
    pf = _pf("--- a/f.c\n+++ b/f.c\n@@ -2,3 +2,4 @@\n line 10\n line 11\n+new\n line 12\n")
    image, failures = apply_file(pf, ORIGINAL)
    assert failures == []
    lines = image.text.splitlines()
    assert lines[11] == "new" and image.added == {12}


def test_failed_hunk_is_reported_and_the_rest_applied():
    pf = _pf("--- a/f.c\n+++ b/f.c\n"
             "@@ -1,2 +1,3 @@\n line 1\n+first\n line 2\n"
             "@@ -5,2 +6,3 @@\n no such\n+second\n context\n")
    image, failures = apply_file(pf, ORIGINAL, fuzz=0)
    assert len(failures) == 1 and failures[0].hunk == 2
    assert "@@ -5,2 +6,3 @@" in str(failures[0])
    assert image.text.splitlines()[1] == "first"
    # patch(1)'s default fuzz ignores the one context line at each end:
    # the hunk then goes where its header says, and says so.
    image, failures = apply_file(pf, ORIGINAL)
    assert failures == [] and [str(p) for p in image.placed] == ["f.c: hunk #2 succeeded at 6 with fuzz 1"]


def test_sparse_image_keeps_line_numbers_and_reopens_comments():
    pf = _pf("--- a/f.c\n+++ b/f.c\n@@ -10,3 +10,4 @@\n  * still a comment\n  */\n+int x;\n int y;\n")
    pre, post, failures = sparse_images(pf)
    assert failures == []
    lines = post.text.splitlines()
    assert lines[9] == " * still a comment" and lines[11] == "int x;"
    assert lines[8] == "/*" and post.added == {12}


def test_check_patch_reports_a_hunk_that_does_not_apply(tmp_path):
    patch = tmp_path / "p.patch"
    patch.write_text(
        "--- a/xen/arch/x86/time.c\n+++ b/xen/arch/x86/time.c\n"
        "@@ -1,6 +1,7 @@\n not in the file\n nor this\n nor this one\n+int x;\n neither\n nor that\n"
        " nor that one\n"
        "--- a/xen/arch/x86/guest/xen.c\n+++ b/xen/arch/x86/guest/xen.c\n"
        "@@ -38,3 +38,4 @@\n \n DEFINE_PER_CPU(unsigned int, vcpu_id);\n+unsigned long extra_state[2];\n \n")
    run = xenlint("check-patch", str(patch), "--tree", str(FIXTURES / "tree-before"),
                  "--format", "json")
    doc = run.json()
    assert len(doc["problems"]) == 1 and "time.c: hunk #1" in doc["problems"][0]
    assert ("XL106", "xen/arch/x86/guest/xen.c", 40) in run.hits()
    assert run.code == 1


def test_hunk_starting_mid_function_takes_the_function_from_its_header(tmp_path):
    patch = tmp_path / "mid.patch"
    patch.write_text("--- a/xen/g.c\n+++ b/xen/g.c\n"
                     "@@ -50,4 +50,5 @@ void hypervisor_ap_setup(void)\n"
                     "     set_vcpu_id();\n+    map_vcpuinfo();\n     init_evtchn();\n }\n \n")
    findings = xenlint("check-patch", str(patch), "--format", "json").json()["findings"]
    assert [(f["rule"], f["line"], f["function"]) for f in findings] == [
        ("XL103", 51, "hypervisor_ap_setup")]

"""The fixture tree before and after the per-CPU vcpu_info change, and our own patches."""

from conftest import FIXTURES
from helpers import xenlint

PATCHES = FIXTURES / "patches"
RFC = PATCHES / "0001-x86-guest-per-vcpu-vcpu_info-rfc.patch"
V2 = PATCHES / "0001-x86-guest-per-vcpu-vcpu_info-v2.diff"


def test_tree_before_has_only_direct_legacy_indexing():
    run = xenlint("check", str(FIXTURES / "tree-before"), "--format", "json")
    hits = {(r, p.split("tree-before/")[1], l) for r, p, l in run.hits()}
    assert hits == {
        ("XL101", "xen/arch/x86/guest/xen.c", 121),
        ("XL101", "xen/arch/x86/time.c", 18),
        ("XL101", "xen/arch/x86/time.c", 42),
    }


def test_tree_after_is_clean():
    run = xenlint("check", str(FIXTURES / "tree-after"), "--format", "json")
    assert run.json()["findings"] == []
    assert run.code == 0


def test_rfc_patch_against_tree():
    run = xenlint("check-patch", str(RFC), "--tree", str(FIXTURES / "tree-before"),
                  "--format", "json")
    assert {(r, l) for r, _, l in run.hits()} == {("XL106", 42), ("XL102", 146), ("XL103", 255)}


def test_v2_patch_is_clean_and_removes_direct_indexing():
    run = xenlint("check-patch", str(V2), "--tree", str(FIXTURES / "tree-before"),
                  "--format", "json")
    assert run.json()["findings"] == [] and run.code == 0


def test_patch_check_never_writes_the_tree(tmp_path):
    import shutil

    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "tree-before", tree)
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    xenlint("check-patch", str(RFC), "--tree", str(tree))
    after = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    assert before == after


def test_new_declaration_mismatching_old_definition_is_reported_where_added(tmp_path):
    patch = tmp_path / "decl.patch"
    patch.write_text(
        "--- a/xen/arch/x86/time.c\n+++ b/xen/arch/x86/time.c\n"
        "@@ -12,6 +12,7 @@\n"
        "  */\n \n DECLARE_PER_CPU(unsigned int, vcpu_id);\n"
        "+DECLARE_PER_CPU(unsigned long, vcpu_id);\n"
        " \n static u64 xen_timer_cpu_frequency(void)\n {\n")
    run = xenlint("check-patch", str(patch), "--tree", str(FIXTURES / "tree-before"),
                  "--format", "json")
    assert ("XL105", "xen/arch/x86/time.c", 15) in run.hits()


def test_changed_definition_breaks_an_untouched_declaration(tmp_path):
    # The patch touches only xen.c; time.c's old DECLARE_PER_CPU no longer matches.
    patch = tmp_path / "def.patch"
    patch.write_text(
        "--- a/xen/arch/x86/guest/xen.c\n+++ b/xen/arch/x86/guest/xen.c\n"
        "@@ -38,3 +38,3 @@\n \n-DEFINE_PER_CPU(unsigned int, vcpu_id);\n"
        "+DEFINE_PER_CPU(unsigned long, vcpu_id);\n \n")
    run = xenlint("check-patch", str(patch), "--tree", str(FIXTURES / "tree-before"),
                  "--format", "json")
    findings = run.json()["findings"]
    # Told at the line the patch changed, naming the declaration it breaks.
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("XL105", "xen/arch/x86/guest/xen.c", 39)]
    assert findings[0]["source"].startswith("DEFINE_PER_CPU(unsigned long, vcpu_id)")
    assert "DECLARE_PER_CPU(unsigned int, vcpu_id) at xen/arch/x86/time.c:14" in findings[0]["message"]

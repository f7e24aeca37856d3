"""Guest profiles: the vcpu_info protocol as Linux and FreeBSD write it.

The fixtures under fixtures/guests/ were written for xenlint in each
guest's style (no guest code copied); fixtures/guests/expected.json lists
every finding each file must get, and nothing else.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from analyzer.checker import check_tree
from analyzer.frame import PROGRAM, frame_for_paths
from analyzer.frontend.layers import file_facts
from analyzer.frontend.syntax import loop_macros_as_while
from analyzer.inputs.checkout import checkout_of
from analyzer.inputs.trees import DiskTree
from analyzer.profiles import PROFILES, ProfileSettings, profile_for
from analyzer.programs import in_kernel, same_image
from helpers import git_repo, run_cli, run_json, write
from rules import static_rules

ROOT = Path(__file__).resolve().parent.parent
GUESTS = ROOT / "fixtures" / "guests"
EXPECTED = json.loads((GUESTS / "expected.json").read_text())


def _cases() -> dict[str, dict[str, list]]:
    cases: dict[str, dict[str, list]] = defaultdict(dict)
    for path, spec in EXPECTED["files"].items():
        cases[spec["case"]][path] = sorted(map(tuple, spec["findings"]))
    return dict(cases)


CASES = _cases()


def check_folder(folder: Path, choice: str = "auto", explicit=frozenset({"XL106"})):
    rules = [rule for rule_id, rule in static_rules().items() if rule_id.startswith("XL1")]
    tree = DiskTree([folder])
    names = [f.name for f in tree.files if f.kind == "c"]
    frame = frame_for_paths([folder], None, ProfileSettings(choice, explicit))
    result, _ = check_tree(tree, names, rules, frame=frame)
    return result


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_guest_fixture_gets_exactly_its_expected_findings(case):
    result = check_folder(GUESTS / case)
    got: dict[str, list] = defaultdict(list)
    for finding in result.findings:
        got[str(Path(finding.path).relative_to(GUESTS))].append((finding.rule_id, finding.line))
    for path, wanted in CASES[case].items():
        assert sorted(got.pop(path, [])) == wanted, (path, EXPECTED["files"][path]["why"])
    assert dict(got) == {}


def test_the_fixtures_cover_every_static_rule_under_both_guests():
    for guest in ("linux", "freebsd"):
        fired = {rule for path, spec in EXPECTED["files"].items() if path.startswith(guest)
                 for rule, _ in spec["findings"]}
        wanted = {"XL101", "XL102", "XL103", "XL104", "XL105", "XL107"} | (
            {"XL106"} if guest == "linux" else set())
        assert wanted <= fired, guest
        clean = [path for path, spec in EXPECTED["files"].items()
                 if path.startswith(guest) and not spec["findings"] and "_good" in spec["case"]]
        assert len(clean) >= 6, guest


def test_findings_name_the_guest_profile_and_its_idiom():
    result = check_folder(GUESTS / "freebsd" / "xl101_bad")
    assert {f.profile for f in result.findings} == {"freebsd"}
    assert all("DPCPU_GET(vcpu_info)" in f.message for f in result.findings)
    result = check_folder(GUESTS / "linux" / "xl102_bad")
    assert {f.profile for f in result.findings} == {"linux"}
    assert all("MAX_VIRT_CPUS" in f.message for f in result.findings)


def test_auto_profile_by_path_then_tree_then_words():
    assert profile_for("arch/x86/xen/enlighten.c", frozenset()).name == "linux"
    assert profile_for("sys/x86/xen/hvm.c", frozenset()).name == "freebsd"
    assert profile_for("xen/arch/x86/guest/xen/xen.c", frozenset()).name == "xen"
    assert profile_for("kernel/sched/core.c", frozenset(), tree_kind="linux").name == "linux"
    assert profile_for("guest.c", frozenset({"DPCPU_"})).name == "freebsd"
    assert profile_for("guest.c", frozenset({"xen_vcpu"})).name == "linux"
    assert profile_for("guest.c", frozenset()).name == "xen"
    assert profile_for("arch/x86/xen/enlighten.c", frozenset(), "freebsd").name == "freebsd"


def test_checkout_kind_is_read_from_the_top_of_the_tree(tmp_path):
    linux = write(tmp_path / "linux", {"Kbuild": "", "Kconfig": "", "arch/x86/Kconfig": "",
                                       "kernel/fork.c": "int x;\n", "mm/slab.c": "int y;\n"})
    assert checkout_of(linux / "kernel" / "fork.c").kind == "linux"
    xen = write(tmp_path / "xen-src", {"Config.mk": "", "xen/common/a.c": "", "tools/b.c": ""})
    assert checkout_of(xen / "xen" / "common").kind == "xen"
    bsd = write(tmp_path / "src", {"sys/kern/a.c": "", "sys/conf/files": "", "bin/ls/ls.c": ""})
    assert checkout_of(bsd / "sys" / "kern" / "a.c").kind == "freebsd"
    assert checkout_of(write(tmp_path / "alone", {"a.c": ""})) is None


def test_linux_leaves_xl106_to_sparse_unless_named(tmp_path):
    tree = write(tmp_path / "t", {"arch/x86/xen/setup.c": "unsigned long xen_lonely_count;\n"
                                                           "void f(void) { xen_lonely_count++; }\n"})
    _, findings = run_json("check", tree)
    assert findings == []
    _, findings = run_json("check", tree, "--extend-select", "XL106")
    assert [(f["rule"], f["profile"]) for f in findings] == [("XL106", "linux")]
    write(tree, {".xenlint.toml": '[rules]\nXL106 = "on"\n'})
    _, findings = run_json("check", tree, cwd=tree)
    assert [f["rule"] for f in findings] == ["XL106"]
    # A prefix selects, but does not name: the profile's default stays.
    (tree / ".xenlint.toml").unlink()
    _, findings = run_json("check", tree, "--select", "XL1")
    assert findings == []
    # --profile xen judges the same file with Xen's defaults.
    _, findings = run_json("check", tree, "--profile", "xen")
    assert [(f["rule"], f["profile"]) for f in findings] == [("XL106", "xen")]


def test_profile_from_configuration_and_bad_values(tmp_path):
    tree = write(tmp_path / "t", {"guest.c": "unsigned long lonely_count;\n",
                                  ".xenlint.toml": 'profile = "linux"\n'})
    _, findings = run_json("check", tree, cwd=tree)
    assert findings == []
    write(tree, {".xenlint.toml": 'profile = "netbsd"\n'})
    code, _, err = run_cli("check", str(tree), cwd=tree)
    assert code == 2 and "netbsd" in err and len(err.splitlines()) == 1
    code, _, err = run_cli("check", str(tree), "--profile", "netbsd")
    assert code == 2 and len(err.splitlines()) == 1


def test_profile_shown_in_sarif_and_under_verbose():
    code, out, _ = run_cli("check", str(GUESTS / "linux" / "xl101_bad"), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert results and {r["properties"]["profile"] for r in results} == {"linux"}
    code, out, _ = run_cli("check", str(GUESTS / "freebsd" / "xl101_bad"), "-v")
    assert "guest profiles (auto: by path, tree and words): freebsd" in out


def test_profiles_command_lists_every_profile():
    code, out, _ = run_cli("profiles", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and [p["name"] for p in listed] == list(PROFILES)
    linux = listed[1]
    assert "alloc_percpu" in linux["percpu_allocations"] and "XL106" in linux["rules_off_by_default"]


# -- the front end reads each guest's idioms ---------------------------------------

def test_iterator_macro_loop_heads_read_as_while_loops():
    text = ("void f(void)\n{\n\tint cpu;\n\n\tfor_each_online_cpu(cpu) {\n\t\tg(cpu);\n\t}\n"
            "\tCPU_FOREACH(cpu)\n\t\tg(cpu);\n\tfor_each_cpu_done(cpu);\n}\n")
    rewritten = loop_macros_as_while(text)
    assert len(rewritten) == len(text)
    assert "\twhile              (cpu) {" in rewritten and "\twhile      (cpu)\n" in rewritten
    assert "for_each_cpu_done(cpu);" in rewritten  # a call statement stays a call
    facts = file_facts("t.c", "void f(void)\n{\n\tint i;\n\tfor_each_online_cpu(i) {\n"
                              "\t\tuse(&HYPERVISOR_shared_info->vcpu_info[i]);\n\t}\n}\n")
    assert [site.site.function for site in facts.legacy_indexes] == ["f"]


def test_a_nested_early_exit_is_a_once_guard_but_not_a_bound(tmp_path):
    guarded = ("DEFINE_PER_CPU(struct vcpu_info *, xen_vcpu);\n"
               "DEFINE_PER_CPU_ALIGNED(struct vcpu_info, xen_vcpu_info);\n"
               "void xen_vcpu_setup(int cpu)\n{\n\tstruct vcpu_register_vcpu_info info;\n"
               "\tif (xen_hvm_domain()) {\n"
               "\t\tif (per_cpu(xen_vcpu, cpu) == &per_cpu(xen_vcpu_info, cpu))\n\t\t\treturn;\n\t}\n"
               "\tif (HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, cpu, &info))\n"
               "\t\tpanic(\"no\");\n}\n"
               "void xen_vcpu_info_reset(int cpu)\n{\n"
               "\tif (xen_pv_domain()) {\n\t\tif (cpu >= MAX_VIRT_CPUS)\n\t\t\treturn;\n\t}\n"
               "\tper_cpu(xen_vcpu, cpu) = &HYPERVISOR_shared_info->vcpu_info[cpu];\n}\n")
    tree = write(tmp_path / "t", {"arch/x86/xen/enlighten.c": guarded})
    _, findings = run_json("check", tree)
    assert [(f["rule"], f["line"]) for f in findings] == [("XL102", 19)]


def test_a_dead_store_is_found_along_the_statements_that_follow(tmp_path):
    body = ("int xen_vcpu_setup(int cpu);\n"
            "int up(int cpu)\n{\n\tint rc;\n\trc = xen_vcpu_setup(cpu);\n\tprepare(cpu);\n"
            "\trc = other(cpu);\n\treturn rc;\n}\n"
            "int up2(int cpu)\n{\n\tint rc;\n\trc = xen_vcpu_setup(cpu);\n\tif (cpu)\n\t\tgoto out;\n"
            "\trc = other(cpu);\nout:\n\treturn rc;\n}\n"
            "int up3(int cpu)\n{\n\tint rc = 0;\n\twhile (cpu--) {\n\t\tif (rc)\n\t\t\tbreak;\n"
            "\t\trc = xen_vcpu_setup(cpu);\n\t}\n\treturn 0;\n}\n")
    tree = write(tmp_path / "t", {"arch/x86/xen/smp.c": body})
    _, findings = run_json("check", tree)
    # up: overwritten before any read; up2: a goto may reach the read; up3: read by the next iteration.
    assert [(f["rule"], f["line"]) for f in findings] == [("XL103", 5)]


def test_public_typedefs_name_the_same_type(tmp_path):
    tree = write(tmp_path / "t", {
        "sys/xen/xen_common.c": "DPCPU_DEFINE(struct vcpu_info *, vcpu_info);\n",
        "sys/x86/xen/xen_intr.c": "DPCPU_DECLARE(vcpu_info_t *, vcpu_info);\n",
        "sys/dev/xen/timer/timer.c": "DPCPU_DECLARE(vcpu_info_t, vcpu_info);\n"})
    _, findings = run_json("check", tree)
    assert [(f["rule"], Path(f["path"]).name) for f in findings] == [("XL105", "timer.c")]


# -- the programs of a tree ------------------------------------------------------------

def test_images_pair_common_code_with_one_architecture_at_a_time():
    assert same_image("arch/arm/kernel/setup.c", "kernel/fork.c")
    assert not same_image("arch/arm/kernel/setup.c", "arch/parisc/kernel/setup.c")
    assert not same_image("xen/arch/x86/irq.c", "tools/libs/ctrl/xc_domain.c")
    assert same_image("sys/x86/xen/hvm.c", "sys/amd64/amd64/mp_machdep.c")
    assert not same_image("sys/amd64/amd64/a.c", "sys/i386/i386/b.c")
    assert in_kernel("xen/common/sched/core.c") and not in_kernel("tools/xentop/xentop.c")


def test_several_definitions_in_one_image_are_configuration_alternatives(tmp_path):
    tree = write(tmp_path / "t", {
        "arch/x86/kernel/cpu/common.c": "DEFINE_PER_CPU(void *, hardirq_stack_ptr);\n",
        "arch/x86/kernel/irq_32.c": "DEFINE_PER_CPU(struct irq_stack *, hardirq_stack_ptr);\n",
        "arch/x86/include/asm/processor.h": "DECLARE_PER_CPU(void *, hardirq_stack_ptr);\n"
                                            "DECLARE_PER_CPU(struct irq_stack *, hardirq_stack_ptr);\n"
                                            "DECLARE_PER_CPU(long, hardirq_stack_ptr);\n",
        "arch/arm64/kernel/irq.c": "DEFINE_PER_CPU(unsigned long *, hardirq_stack_ptr);\n"})
    _, findings = run_json("check", tree)
    assert [(f["rule"], f["line"]) for f in findings] == [("XL105", 3)]


# -- XL106 sees the rest of the program, or says it cannot -----------------------------

def test_a_lone_file_in_a_git_checkout_is_judged_against_the_rest_of_it(tmp_path):
    repo = git_repo(tmp_path / "repo", {
        "drivers/guest/a.c": "unsigned long shared_count;\nunsigned long lonely_count;\n",
        "drivers/other/b.c": "extern unsigned long shared_count;\nvoid g(void) { shared_count++; }\n",
        "tools/c.c": "extern unsigned long lonely_count;\n"})
    code, out, _ = run_cli("check", str(repo / "drivers" / "guest" / "a.c"), "-v", "--format", "json")
    doc = json.loads(out)
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("XL106", 2)]
    assert any("searched" in note and "other file(s)" in note for note in doc["notes"])


def test_a_lone_file_with_nothing_around_it_makes_no_claim(tmp_path):
    lone = write(tmp_path / "x", {"a.c": "unsigned long lonely_count;\n"}) / "a.c"
    code, out, _ = run_cli("check", str(lone), "-v")
    assert code == 0 and "XL106 not checked" in out


def test_a_folder_inside_a_linux_tree_is_part_of_it(tmp_path):
    top = write(tmp_path / "linux", {
        "Kbuild": "", "Kconfig": "", "kernel/x.c": "extern int shared_flag;\nint h(void) { return shared_flag; }\n",
        "mm/m.c": "", "arch/x86/xen/a.c": "int shared_flag;\nint lonely_flag;\n"})
    frame = frame_for_paths([top / "arch" / "x86" / "xen"], None, ProfileSettings())
    assert frame.scope == PROGRAM and frame.kind == "linux" and frame.searches_rest()
    _, findings = run_json("check", top / "arch" / "x86" / "xen", "--extend-select", "XL106")
    assert [(f["rule"], f["line"]) for f in findings] == [("XL106", 2)]


def test_a_patch_alone_still_reports_an_object_it_adds_without_a_declaration(tmp_path):
    patch = tmp_path / "p.diff"
    patch.write_text("--- a/xen/arch/x86/guest/xen/xen.c\n+++ b/xen/arch/x86/guest/xen/xen.c\n"
                     "@@ -1,2 +1,3 @@\n #include <xen/init.h>\n+unsigned long vcpu_lonely_map[4];\n"
                     " #include <xen/lib.h>\n")
    _, findings = run_json("check-patch", patch)
    assert [(f["rule"], f["line"]) for f in findings] == [("XL106", 2)]



def test_a_patch_changing_a_definition_is_told_at_the_line_it_changed(tmp_path):
    tree = write(tmp_path / "tree", {
        "xen/arch/x86/guest/xen/xen.c": "#include <xen/percpu.h>\n\nDEFINE_PER_CPU(struct vcpu_info *, vcpu_info);\n",
        "xen/include/asm/guest.h": "#include <xen/percpu.h>\nDECLARE_PER_CPU(struct vcpu_info *, vcpu_info);\n"})
    patch = tmp_path / "p.diff"
    patch.write_text("--- a/xen/arch/x86/guest/xen/xen.c\n+++ b/xen/arch/x86/guest/xen/xen.c\n"
                     "@@ -1,3 +1,3 @@\n #include <xen/percpu.h>\n \n"
                     "-DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);\n"
                     "+DEFINE_PER_CPU(struct vcpu_info, vcpu_info);\n")
    _, findings = run_json("check-patch", patch, "--tree", tree)
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("XL105", "xen/arch/x86/guest/xen/xen.c", 3)]
    assert "no longer matches DECLARE_PER_CPU(struct vcpu_info *, vcpu_info) at " \
           "xen/include/asm/guest.h:2" in findings[0]["message"]
    # A patch that changes the declaration is told at the declaration.
    patch.write_text("--- a/xen/include/asm/guest.h\n+++ b/xen/include/asm/guest.h\n"
                     "@@ -1,2 +1,2 @@\n #include <xen/percpu.h>\n"
                     "-DECLARE_PER_CPU(struct vcpu_info *, vcpu_info);\n"
                     "+DECLARE_PER_CPU(struct vcpu_info, vcpu_info);\n")
    _, findings = run_json("check-patch", patch, "--tree", tree)
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("XL105", "xen/include/asm/guest.h", 2)]


def test_a_rule_a_profile_leaves_off_costs_nothing(tmp_path):
    """In a Linux tree XL106 is off: no file-scope declarations are parsed and
    no names collected (the lean modes), and the other rules find the same."""
    import json as json_

    top = write(tmp_path / "linux", {
        "Kbuild": "", "Kconfig": "", "mm/slab.c": "int slab_count;\n",
        "kernel/fork.c": "int total_forks;\nstatic int f(void) { return total_forks; }\n",
        "arch/x86/xen/time.c": "unsigned long xen_tsc_khz(void)\n{\n"
                               "\treturn HYPERVISOR_shared_info->vcpu_info[cpu].time.flags;\n}\n"})
    lean = json_.loads(run_cli("check", str(top), "--format", "json", "--no-cache")[1])
    named = json_.loads(run_cli("check", str(top), "--format", "json", "--no-cache",
                                "--extend-select", "XL106")[1])
    assert lean["summary"]["parsed"]["declaration_files"] == 0
    assert named["summary"]["parsed"]["declaration_files"] == 2
    assert [f["rule"] for f in lean["findings"]] == ["XL101"]
    assert sorted(f["rule"] for f in named["findings"]) == ["XL101", "XL106", "XL106"]

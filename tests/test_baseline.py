"""Baselines: old findings stay silent when code moves, new ones fail the gate."""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.baseline import read_baseline

from helpers import LEGACY_READS, run_cli, run_json, write


def setup(tmp_path: Path) -> tuple[Path, Path]:
    root = write(tmp_path / "top", {"xen/arch/x86/time.c": LEGACY_READS})
    baseline = root / "xenlint-baseline.json"
    code, out, err = run_cli("baseline", "write", baseline, root / "xen", cwd=root)
    assert code == 0, err
    assert "2 findings" in out
    return root, baseline


def test_baseline_silences_known_findings(tmp_path):
    root, baseline = setup(tmp_path)
    assert run_cli("check", root / "xen", cwd=root)[0] == 1
    code, findings = run_json("check", root / "xen", "--baseline", baseline, cwd=root)
    assert (code, findings) == (0, [])


def test_shifted_code_stays_silenced_and_a_new_finding_fails(tmp_path):
    root, baseline = setup(tmp_path)
    path = root / "xen/arch/x86/time.c"
    shifted = path.read_text().replace("#include <xen/percpu.h>\n",
                                       "#include <xen/percpu.h>\n#include <xen/lib.h>\n\n/* moved */\n")
    path.write_text(shifted)
    code, findings = run_json("check", root / "xen", "--baseline", baseline, cwd=root)
    assert (code, findings) == (0, [])
    path.write_text(shifted + "\nstatic unsigned int read_pad(unsigned int cpu)\n{\n"
                              "    return XEN_shared_info->vcpu_info[cpu].evtchn_upcall_pending;\n}\n")
    code, findings = run_json("check", root / "xen", "--baseline", baseline, cwd=root)
    assert code == 1
    assert [(f["rule"], f["function"]) for f in findings] == [("XL101", "read_pad")]


def test_matching_is_count_aware_for_identical_lines(tmp_path):
    """A second copy of an accepted line in the same function is new."""
    root, baseline = setup(tmp_path)
    path = root / "xen/arch/x86/time.c"
    line = "    struct vcpu_time_info *t = &XEN_shared_info->vcpu_info[cpu].time;\n"
    path.write_text(path.read_text().replace(line, line + line))
    assert path.read_text().count(line) == 2
    code, findings = run_json("check", root / "xen", "--baseline", baseline, cwd=root)
    assert code == 1 and len(findings) == 1 and findings[0]["function"] == "read_flags"


def test_baseline_entries_are_counted_fingerprints_without_line_numbers(tmp_path):
    root, baseline = setup(tmp_path)
    doc = json.loads(baseline.read_text())
    assert doc["schema"] == "xenlint-baseline/1"
    assert all("line" not in entry for entry in doc["findings"])
    assert sum(read_baseline(baseline).values()) == 2
    assert {e["path"] for e in doc["findings"]} == {"xen/arch/x86/time.c"}


def test_baseline_works_from_another_directory(tmp_path):
    root, baseline = setup(tmp_path)
    code, findings = run_json("check", "time.c", "--baseline", baseline, cwd=root / "xen/arch/x86")
    assert (code, findings) == (0, [])


def test_baseline_applies_to_check_patch(tmp_path):
    root, baseline = setup(tmp_path)
    import difflib

    old = (root / "xen/arch/x86/time.c").read_text()
    new = old.replace("    return t->flags;", "    return t->flags | 1;")
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        "a/xen/arch/x86/time.c", "b/xen/arch/x86/time.c"))
    patch = write(tmp_path, {"p.diff": diff}) / "p.diff"
    code, findings = run_json("check-patch", patch, "--tree", root, "--fail-on", "info", cwd=root)
    assert (code, findings) == (0, [])  # the patch adds nothing new anyway
    new = old.replace("    return t->flags;",
                      "    return t->flags | XEN_shared_info->vcpu_info[cpu].evtchn_upcall_pending;")
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        "a/xen/arch/x86/time.c", "b/xen/arch/x86/time.c"))
    patch.write_text(diff)
    code, findings = run_json("check-patch", patch, "--tree", root, "--baseline", baseline, cwd=root)
    assert code == 1 and [f["rule"] for f in findings] == ["XL101"]


def test_missing_or_foreign_baseline_is_an_error(tmp_path):
    root, baseline = setup(tmp_path)
    code, _, err = run_cli("check", root / "xen", "--baseline", root / "nope.json", cwd=root)
    assert code == 2 and "baseline file not found" in err
    (root / "other.json").write_text('{"findings": []}')
    code, _, err = run_cli("check", root / "xen", "--baseline", root / "other.json", cwd=root)
    assert code == 2 and "not a xenlint baseline" in err

"""Inline suppressions (xenlint comments, Xen's SAF deviations) and their mistakes."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli, run_json, write

TEMPLATE = """\
static unsigned int read_version(unsigned int cpu)
{{
{before}
    struct vcpu_time_info *info = &XEN_shared_info->vcpu_info[cpu].time;{same}
    return info->version;
}}
"""


def check(tmp_path: Path, before: str = "", same: str = "", extra: dict | None = None):
    root = write(tmp_path / "top", {"xen/time.c": TEMPLATE.format(before=before, same=same),
                                    **(extra or {})})
    return run_json("check", root / "xen", cwd=root)


def rules(findings):
    return [f["rule"] for f in findings]


def test_unsuppressed_finding(tmp_path):
    assert rules(check(tmp_path)[1]) == ["XL101"]


def test_suppression_on_the_line_before(tmp_path):
    code, findings = check(tmp_path, before="    /* xenlint: ignore[XL101] CPU 0 only, before registration */")
    assert (code, findings) == (0, [])


def test_suppression_on_the_same_line_and_several_ids(tmp_path):
    code, findings = check(tmp_path, same=" /* xenlint: ignore[XL105, xl101] boot time only */")
    assert (code, findings) == (0, [])


def test_suppression_of_another_rule_does_not_hide_this_one(tmp_path):
    _, findings = check(tmp_path, before="    /* xenlint: ignore[XL103] not this one */")
    assert rules(findings) == ["XL101"]


def test_suppression_two_lines_above_does_not_count(tmp_path):
    _, findings = check(tmp_path, before="    /* xenlint: ignore[XL101] too far away */\n")
    assert rules(findings) == ["XL101"]


def test_suppression_without_a_reason_is_a_finding_and_suppresses_nothing(tmp_path):
    code, findings = check(tmp_path, before="    /* xenlint: ignore[XL101] */")
    assert code == 1
    assert rules(findings) == ["XL001", "XL101"]
    assert "gives no reason" in findings[0]["message"]
    assert findings[0]["line"] == 3


def test_malformed_suppressions_are_findings(tmp_path):
    _, findings = check(tmp_path, before="    /* xenlint: disable everything please */")
    assert rules(findings) == ["XL001", "XL101"]
    _, findings = check(tmp_path, before="    /* xenlint: ignore[] because */")
    assert rules(findings) == ["XL001", "XL101"]


def test_unknown_rule_id_in_a_suppression_is_an_error_finding(tmp_path):
    code, findings = check(tmp_path, before="    /* xenlint: ignore[XL011] looked right to me */")
    assert code == 1
    assert rules(findings) == ["XL002", "XL101"]
    assert findings[0]["severity"] == "error" and "XL011" in findings[0]["message"]


SAFE_JSON = {
    "version": "1.0",
    "content": [
        {"id": "SAF-0-safe", "analyser": {"eclair": "MC3R1.R8.6"}, "name": "R8.6", "text": "..."},
        {"id": "SAF-1-safe", "analyser": {"eclair": "MC3R1.R18.1", "xenlint": "XL101"},
         "name": "legacy slot of the boot CPU", "text": "CPU 0 always has a legacy slot."},
    ],
}


def test_saf_deviation_mapped_to_xenlint_suppresses(tmp_path):
    extra = {"docs/misra/safe.json": json.dumps(SAFE_JSON)}
    code, findings = check(tmp_path, before="    /* SAF-1-safe */", extra=extra)
    assert (code, findings) == (0, [])


def test_saf_deviation_for_another_tool_does_not_suppress(tmp_path):
    extra = {"docs/misra/safe.json": json.dumps(SAFE_JSON)}
    _, findings = check(tmp_path, before="    /* SAF-0-safe */", extra=extra)
    assert rules(findings) == ["XL101"]


def test_saf_comment_without_safe_json_does_not_suppress(tmp_path):
    _, findings = check(tmp_path, before="    /* SAF-1-safe */")
    assert rules(findings) == ["XL101"]


def test_safe_json_naming_an_unknown_rule_is_an_error(tmp_path):
    bad = json.loads(json.dumps(SAFE_JSON))
    bad["content"][1]["analyser"]["xenlint"] = "XL100"
    root = write(tmp_path / "top", {"xen/time.c": TEMPLATE.format(before="", same=""),
                                    "docs/misra/safe.json": json.dumps(bad)})
    code, out, err = run_cli("check", root / "xen", cwd=root)
    assert code == 2 and "safe.json" in err and "XL100" in err


def test_suppression_comments_in_a_patch_count_only_where_the_patch_adds_them(tmp_path):
    """A reasonless suppression already in the tree is not the patch's problem."""
    old = TEMPLATE.format(before="    /* xenlint: ignore[XL101] */", same="")
    new = old.replace("    return info->version;",
                      "    /* xenlint: ignore[XL106] */\n    return info->version;")
    root = write(tmp_path / "top", {"xen/time.c": old})
    import difflib

    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        "a/xen/time.c", "b/xen/time.c"))
    patch = write(tmp_path, {"p.diff": diff}) / "p.diff"
    _, findings = run_json("check-patch", patch, "--tree", root, cwd=root)
    assert [(f["rule"], f["line"]) for f in findings] == [("XL001", 5)]


def test_rules_list_and_explain_cover_the_suppression_checks():
    code, out, _ = run_cli("rules")
    assert code == 0 and "XL001" in out and "XL002" in out
    code, out, _ = run_cli("explain", "XL001")
    assert code == 0 and "## Use instead" in out and "ignore[XL106]" in out

"""The conventions of the linters maintainers already use (flake8, ruff, gcc), the
same on every command; SARIF as GitHub code scanning reads it; model findings
first-class in the gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import xenlint

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BAD = FIXTURES / "rules" / "xl101_bad.c"  # three XL101 errors
RFC = FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-rfc.patch"
THREAD = FIXTURES / "threads" / "thread.mbox"
TREE = FIXTURES / "tree-before"
REFERENCE = FIXTURES / "model" / "reference.c"

REPORTING = {
    "check": [str(BAD), "--no-cache"],
    "check-patch": [str(RFC), "--tree", str(TREE)],
    "review": [str(THREAD), "--tree", str(TREE)],
    "model": [str(REFERENCE)],
}
COMMON = ("--format", "--output-file", "-o", "--fail-on", "--exit-zero", "--config", "--baseline",
          "--select", "--extend-select", "--ignore", "--statistics", "--no-show-source", "--color",
          "--verbose")
SPEED = ("--jobs", "--no-cache")


def options(*command) -> set[str]:
    run = xenlint(*command, "--help")
    assert run.code == 0
    return set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", run.out))


@pytest.mark.parametrize("command", [["check"], ["check-patch"], ["review"], ["model"], ["baseline", "write"]])
def test_every_reporting_command_takes_the_same_options(command):
    found = options(*command)
    assert set(COMMON) <= found, sorted(set(COMMON) - found)
    if command[0] != "model":
        assert set(SPEED) <= found and "--model" in found


@pytest.mark.parametrize("command", ["check", "check-patch", "review"])
def test_model_means_the_same_on_every_command(command):
    from cli import build_parser

    parser, _ = build_parser()
    for value in ("auto", "always", "never"):
        args = parser.parse_args([command, "x", "--model", value])
        assert args.model == value
    assert parser.parse_args([command, "x", "--model"]).model == "always"


@pytest.mark.parametrize("command", sorted(REPORTING))
def test_output_file(command, tmp_path):
    target = tmp_path / "report.txt"
    run = xenlint(command, *REPORTING[command], "-o", str(target), "--format", "json")
    assert run.out == "" and run.code in (0, 1), run.err
    assert json.loads(target.read_text())


@pytest.mark.parametrize("command", ["check", "check-patch", "review"])
def test_statistics_count_each_rule(command):
    run = xenlint(command, *REPORTING[command], "--statistics")
    counts = [line for line in run.out.splitlines() if re.match(r"^\d+\s+XL\d{3} [a-z-]+$", line)]
    assert counts, run.out
    total = sum(int(line.split()[0]) for line in counts)
    findings = len(re.findall(r"\[XL\d{3}\]", run.out))
    assert total == findings


def test_no_show_source_and_exit_zero():
    shown = xenlint("check", *REPORTING["check"])
    hidden = xenlint("check", *REPORTING["check"], "--no-show-source")
    assert "    return XEN_shared_info" in shown.out and "    return XEN_shared_info" not in hidden.out
    assert shown.code == 1
    assert xenlint("check", *REPORTING["check"], "--exit-zero").code == 0
    assert xenlint("check-patch", *REPORTING["check-patch"], "--exit-zero").code == 0


def test_exit_zero_does_not_hide_what_could_not_be_checked(tmp_path):
    patch = tmp_path / "big.patch"
    patch.write_text("--- a/xen/a.c\n+++ b/xen/a.c\n@@ -99999999,1 +99999999,2 @@\n int x;\n+int y;\n")
    assert xenlint("check-patch", str(patch), "--exit-zero").code == 1


def test_color_only_when_asked_or_on_a_terminal(monkeypatch):
    always = xenlint("check", *REPORTING["check"], "--color", "always")
    assert "\033[1;31merror\033[0m" in always.out
    assert "\033[" not in xenlint("check", *REPORTING["check"]).out  # not a terminal
    assert "\033[" not in xenlint("check", *REPORTING["check"], "--color", "never").out

    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    from analyzer.commands.common import style_of
    from cli import build_parser

    parser, _ = build_parser()
    args = parser.parse_args(["check", "x"])
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert style_of(args).color
    monkeypatch.setenv("NO_COLOR", "1")
    assert not style_of(args).color


def test_model_exits_on_fail_on_and_selects_rules(tmp_path):
    mutant = json.loads((FIXTURES / "model" / "mutants.json").read_text())
    defect = next(m for m in mutant if m["name"] == "> for >= on the legacy bound")
    code = tmp_path / "xen.c"
    code.write_text(REFERENCE.read_text().replace(defect["find"], defect["replace"]))
    run = xenlint("model", str(code), "--format", "json")
    assert run.code == 1 and "XL202" in {f["rule"] for f in json.loads(run.out)["findings"]}
    assert xenlint("model", str(code), "--fail-on", "never").code == 0
    selected = xenlint("model", str(code), "--select", "XL26", "--format", "json")
    assert selected.code == 0 and {f["rule"] for f in json.loads(selected.out)["findings"]} == {"XL260"}
    clean = xenlint("model", str(REFERENCE))
    assert clean.code == 0  # XL260 (info) alone does not fail


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "github"])
def test_review_writes_every_ci_format(fmt):
    run = xenlint("review", str(THREAD), "--tree", str(TREE), "--format", fmt)
    assert run.code == 1
    if fmt == "github":
        assert run.out.startswith("::")
    else:
        assert json.loads(run.out)


def test_shell_completion_comes_from_the_parser():
    run = xenlint("--print-completion", "bash")
    assert run.code == 0
    for word in ("check-patch", "--statistics", "--extend-select", "review"):
        assert word in run.out


# SARIF, as GitHub code scanning reads it ----------------------------------------------------

def test_sarif_has_the_properties_github_code_scanning_uses():
    run = xenlint("check", "fixtures/rules", "--format", "sarif", "--no-cache", cwd=ROOT)
    sarif = json.loads(run.out)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["rules"]
    for rule in driver["rules"]:
        properties = rule["properties"]
        assert properties["precision"] in ("very-high", "high", "medium", "low")
        assert properties["problem.severity"] in ("error", "warning", "recommendation")
        assert isinstance(properties["tags"], list) and properties["tags"]
        assert rule["help"]["markdown"].count("```") == 4 and "Why it matters" in rule["help"]["markdown"]
        assert re.match(r"^https?://[^ ]+#xl\d{3}$", rule["helpUri"])
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    for result in sarif["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert result["partialFingerprints"]
    confidences = {rule["id"]: rule["properties"]["precision"] for rule in driver["rules"]}
    assert confidences["XL102"] == "medium" and confidences["XL101"] == "high"


def test_every_rule_has_its_section_in_the_published_rules_page():
    from rules import ALL_IDS

    page = (ROOT / "docs" / "rules.md").read_text()
    for rule_id in ALL_IDS:
        assert f"\n## {rule_id}\n" in page


# Model findings in the gate ------------------------------------------------------------------

def defective(tmp_path: Path, prefix: str = "") -> Path:
    mutants = json.loads((FIXTURES / "model" / "mutants.json").read_text())
    defect = next(m for m in mutants if m["name"] == "> for >= on the legacy bound")
    code = tmp_path / "xen.c"
    code.write_text(prefix + REFERENCE.read_text().replace(defect["find"], defect["replace"]))
    return code


def test_a_model_finding_is_suppressed_inline(tmp_path):
    code = defective(tmp_path)
    # A model finding sits on the statement that caused it: the comment goes there.
    before = json.loads(xenlint("model", str(code), "--format", "json").out)["findings"]
    line = next(f["line"] for f in before if f["rule"] == "XL202")
    lines = code.read_text().splitlines(keepends=True)
    indent = lines[line - 1][:len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    lines.insert(line - 1, indent + "/* xenlint: ignore[XL202] vCPUs >= 32 cannot exist in this configuration */\n")
    code.write_text("".join(lines))
    run = xenlint("model", str(code), "--format", "json")
    rules = {f["rule"] for f in json.loads(run.out)["findings"]}
    assert "XL202" not in rules
    check = xenlint("check", str(code), "--model", "always", "--format", "json", "--no-cache")
    assert "XL202" not in {f["rule"] for f in check.json()["findings"]}


def test_a_baseline_holds_model_findings_across_line_shifts(tmp_path):
    code = defective(tmp_path)
    baseline = tmp_path / "baseline.json"
    written = xenlint("baseline", "write", str(baseline), str(code), "--model", "always")
    assert written.code == 0, written.err
    entries = json.loads(baseline.read_text())["findings"]
    assert "XL202" in {e["rule"] for e in entries}
    code.write_text("/* a new comment\n * moves every line down\n */\n" + code.read_text())
    run = xenlint("check", str(code), "--model", "always", "--baseline", str(baseline),
                  "--format", "json", "--no-cache")
    assert run.json()["findings"] == [] and run.code == 0

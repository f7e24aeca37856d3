"""Configuration: found by walking up, applied to rules, severities, paths; typos are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.config import RELEASES, find_config, load_config, normalise_release
from analyzer.errors import InputError

from helpers import LEGACY_READS, run_cli, run_json, write

NOT_STATIC = "unsigned long only_here;\n\nstatic void f(void)\n{\n    only_here = 1;\n}\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write(tmp_path / "xen-top", {
        "xen/arch/x86/time.c": LEGACY_READS,
        "xen/arch/x86/guest/xen.c": NOT_STATIC,
        "xen/generated/gen.c": LEGACY_READS,
    })


def rules_of(findings) -> list[str]:
    return sorted(f["rule"] for f in findings)


def test_no_configuration_means_defaults(tree):
    code, findings = run_json("check", tree / "xen", cwd=tree)
    assert code == 1
    assert rules_of(findings) == ["XL101"] * 4 + ["XL106"]


def test_pyproject_table_found_walking_up_turns_rules_off_and_changes_severity(tree):
    write(tree, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.xenlint]\nrelease = "4.18+"\n'
                                   '[tool.xenlint.rules]\nXL101 = "off"\nXL106 = "error"\n'})
    code, findings = run_json("check", tree / "xen" / "arch", cwd=tree)
    assert code == 1
    assert [(f["rule"], f["severity"]) for f in findings] == [("XL106", "error")]
    assert load_config(tree / "xen" / "arch").release == "4.18+"


def test_dot_xenlint_toml_wins_in_the_same_directory_and_nearer_wins(tree):
    write(tree, {"pyproject.toml": '[tool.xenlint]\nfail-on = "never"\n',
                 ".xenlint.toml": 'fail-on = "warning"\n',
                 "xen/arch/.xenlint.toml": '[rules]\nXL106 = "info"\n'})
    assert find_config(tree / "xen" / "tools" / "gen.c") == tree / ".xenlint.toml"
    assert find_config(tree / "xen" / "arch" / "x86") == tree / "xen" / "arch" / ".xenlint.toml"
    assert load_config(tree / "xen" / "tools").fail_on == "warning"


def test_pyproject_without_the_table_is_passed_over(tree):
    write(tree, {".xenlint.toml": 'fail-on = "never"\n',
                 "xen/pyproject.toml": '[project]\nname = "unrelated"\n'})
    assert find_config(tree / "xen" / "arch") == tree / ".xenlint.toml"
    code, _, _ = run_cli("check", tree / "xen", cwd=tree)
    assert code == 0  # fail-on = never from the file; the findings are still printed


def test_fail_on_from_configuration_and_overridden_on_the_command_line(tree):
    write(tree, {".xenlint.toml": 'fail-on = "never"\n'})
    assert run_cli("check", tree / "xen", cwd=tree)[0] == 0
    assert run_cli("check", tree / "xen", "--fail-on", "error", cwd=tree)[0] == 1
    write(tree, {".xenlint.toml": 'fail-on = "warning"\n[rules]\nXL101 = "off"\n'})
    assert run_cli("check", tree / "xen", cwd=tree)[0] == 1  # XL106 is a warning
    assert run_cli("check", tree / "xen", "--fail-on", "error", cwd=tree)[0] == 0


def test_excluded_paths_are_not_reported_but_still_searched(tree):
    write(tree, {".xenlint.toml": 'exclude = ["xen/generated/", "*.orig"]\n'})
    _, findings = run_json("check", tree / "xen", cwd=tree)
    assert not any(f["path"].startswith("xen/generated") for f in findings)
    assert rules_of(findings) == ["XL101", "XL101", "XL106"]
    # The excluded file still counts as a use elsewhere: give it a use of only_here.
    write(tree, {"xen/generated/gen.c": "extern unsigned long only_here;\nvoid g(void) { only_here = 2; }\n"})
    _, findings = run_json("check", tree / "xen", cwd=tree)
    assert rules_of(findings) == ["XL101", "XL101"]


def test_explicit_config_file(tree, tmp_path):
    other = write(tmp_path / "elsewhere", {"x.toml": '[rules]\nXL101 = "off"\nXL106 = "off"\n'})
    code, findings = run_json("check", tree / "xen", "--config", other / "x.toml", cwd=tree)
    assert (code, findings) == (0, [])


@pytest.mark.parametrize("text, problem", [
    ('[rules]\nXL999 = "off"\n', "unknown rule id XL999"),
    ('[rules]\nXL101 = "loud"\n', "'loud' is not one of"),
    ('relase = "4.17"\n', "unknown key relase"),
    ('release = "4.12"\n', "release '4.12' is not one the model knows"),
    ('fail-on = "sometimes"\n', "fail-on 'sometimes'"),
    ('exclude = "xen/tools"\n', "exclude must be a list"),
    ('rules = [\n', "not valid TOML"),
])
def test_configuration_mistakes_are_one_line_errors(tree, text, problem):
    write(tree, {".xenlint.toml": text})
    code, out, err = run_cli("check", tree / "xen", cwd=tree)
    assert code == 2 and out == ""
    assert err.startswith("xenlint: error: ") and problem in err, err
    assert len(err.strip().splitlines()) == 1


def test_unknown_rule_in_pyproject_names_the_file(tree):
    write(tree, {"pyproject.toml": '[tool.xenlint.rules]\nXL10 = "off"\n'})
    with pytest.raises(InputError) as exc:
        load_config(tree / "xen")
    assert "pyproject.toml" in str(exc.value) and "XL10" in str(exc.value)


def test_releases_are_the_models():
    assert normalise_release("4.17", "t") == "4.16-4.17"
    assert normalise_release("4.15", "t") == "4.15"
    assert normalise_release("4.19", "t") == "4.18+"
    assert normalise_release("4.18+", "t") == "4.18+"
    scenario = pytest.importorskip("analyzer.model.scenario")
    assert tuple(scenario.RELEASES) == RELEASES

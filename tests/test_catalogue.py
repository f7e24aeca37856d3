"""One rule catalogue: every id documented once, read by every part of xenlint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rules
from rules import ALL_IDS, FAMILIES, UnknownRule, doc, selection

from helpers import xenlint

ROOT = Path(__file__).resolve().parent.parent


def test_every_rule_module_is_in_the_table_and_parses():
    modules = sorted(p.stem for p in (ROOT / "rules").glob("xl*.py"))
    assert modules == sorted(m for family in FAMILIES.values() for m in family)
    for rule_id in ALL_IDS:
        d = doc(rule_id)
        assert d.id == rule_id and re.fullmatch(r"[a-z0-9-]+", d.name)
        assert d.what and d.why and d.example and d.instead and d.summary
        assert (d.found_by == "") == (d.family == "static"), rule_id


def test_a_static_rule_reads_its_documentation_from_its_header():
    rule = rules.static_rules()["XL106"]
    assert rule.doc is doc("XL106")
    module = __import__("rules.xl106_file_scope_not_static", fromlist=["x"])
    assert f"Confidence: {rule.doc.confidence}" in module.__doc__
    for attribute in ("what", "why", "example", "instead", "summary", "confidence"):
        assert not hasattr(type(rule), attribute), f"{attribute} is written twice"


@pytest.mark.parametrize("select, ignore, extend, expected", [
    (["XL1"], [], [], {f"XL10{n}" for n in range(1, 8)}),
    (["XL10"], [], [], {f"XL10{n}" for n in range(1, 8)}),
    (["XL201"], [], [], {"XL201"}),
    ([], ["XL001"], [], set(ALL_IDS) - {"XL001"}),
    ([], ["XL2"], [], {i for i in ALL_IDS if not i.startswith("XL2")}),
    (["XL1"], ["XL106"], [], {f"XL10{n}" for n in (1, 2, 3, 4, 5, 7)}),
    (["XL1"], ["XL1"], [], set()),  # equally specific: ignore wins
    (["XL101"], ["XL1"], [], {"XL101"}),  # more specific wins
    (["XL101"], [], ["XL2"], {"XL101"} | {i for i in ALL_IDS if i.startswith("XL2")}),
    (["xl101"], [], [], {"XL101"}),
])
def test_selection_by_ids_and_prefixes(select, ignore, extend, expected):
    assert selection(select, ignore, extend) == expected


def test_an_unknown_selector_is_named():
    with pytest.raises(UnknownRule, match="XL9"):
        selection(["XL9"])


FIXTURE = ROOT / "fixtures" / "rules"


def test_select_and_ignore_take_every_listed_id_on_the_command_line(tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("/* xenlint: ignore[XL106] */\nunsigned long lonely_map[4];\n")
    both = xenlint("check", str(tmp_path), "--format", "json")
    assert {f["rule"] for f in both.json()["findings"]} == {"XL001", "XL106"}
    run = xenlint("check", str(tmp_path), "--ignore", "XL001", "--format", "json")
    assert run.code == 0 and {f["rule"] for f in run.json()["findings"]} == {"XL106"}
    run = xenlint("check", str(tmp_path), "--select", "XL0", "--format", "json")
    assert {f["rule"] for f in run.json()["findings"]} == {"XL001"}
    run = xenlint("check", str(FIXTURE / "xl101_bad.c"), "--select", "XL201", "--format", "json")
    assert run.code == 0 and run.json()["findings"] == []
    run = xenlint("check", str(FIXTURE / "xl101_bad.c"), "--select", "XL1", "--format", "json")
    assert {f["rule"] for f in run.json()["findings"]} == {"XL101"}
    run = xenlint("check", str(FIXTURE / "xl101_bad.c"), "--select", "XL9")
    assert run.code == 2 and "XL9 names no rule" in run.err and len(run.err.splitlines()) == 1


def test_configuration_and_suppressions_know_every_listed_id(tmp_path):
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / ".xenlint.toml").write_text('[rules]\nXL201 = "off"\nXL001 = "warning"\n')
    (tree / "a.c").write_text("static int x; /* xenlint: ignore[XL270] not a finding here */\n")
    run = xenlint("check", str(tree / "a.c"), "--format", "json")
    assert run.code == 0 and run.json()["findings"] == [], run.err


def test_nothing_below_the_commands_imports_from_them():
    offenders = []
    for package in ("analyzer", "rules"):
        for path in (ROOT / package).rglob("*.py"):
            if "commands" in path.relative_to(ROOT).parts:
                continue
            if re.search(r"^\s*(from|import)\s+analyzer\.commands|from \.+commands", path.read_text(), re.M):
                offenders.append(str(path.relative_to(ROOT)))
            if re.search(r"^\s*import argparse|from argparse", path.read_text(), re.M):
                offenders.append(f"{path.relative_to(ROOT)} (argparse)")
    assert offenders == []


def test_sarif_publishes_the_confidence_the_header_states():
    import json

    run = xenlint("check", str(FIXTURE / "xl106_bad"), "--format", "sarif")
    (descriptor,) = json.loads(run.out)["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == "XL106"
    assert descriptor["properties"]["confidence"] == doc("XL106").confidence

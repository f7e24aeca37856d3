"""Acceptance: mutants of the reference mapping code are reported; a rewrite is not."""

import json

import pytest

from analyzer.crosscheck.run import crosscheck_source
from tests.conftest import FIXTURES

MODEL = FIXTURES / "model"
BASE = (MODEL / "reference.c").read_text()
MUTANTS = json.loads((MODEL / "mutants.json").read_text())


def test_enough_mutants():
    assert len(MUTANTS) >= 12


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["name"] for m in MUTANTS])
def test_mutant_is_reported(mutant):
    assert BASE.count(mutant["find"]) == 1, "mutant no longer applies to reference.c"
    report = crosscheck_source(BASE.replace(mutant["find"], mutant["replace"]), "mutant.c")
    rules = {f.rule_id for f in report.findings}
    assert set(mutant["expect"]) & rules, sorted(rules)
    assert "XL270" not in rules and "XL280" not in rules


def test_behaviour_preserving_rewrite_is_not_reported():
    text = (MODEL / "rewrite.c").read_text()
    assert text != BASE
    report = crosscheck_source(text, "rewrite.c")
    assert {f.rule_id for f in report.findings} == {"XL260"}

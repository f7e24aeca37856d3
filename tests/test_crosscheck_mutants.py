"""Mutation adequacy: each mutant of the reference mapping code is its own defect.

Every mutant (a one-line change of a kind real defects take) must be
reported at the statement recorded for it (`at`: rule, line, statement),
with a root cause the unmutated code does not have: a second defect is not
hidden behind the first.  Most are found by the default scenario set; those
marked `scope` only by the exhaustive scope (boundaries the default set
samples around).  Behaviour-preserving changes (a rewrite and the two
equivalent mutants) must add nothing.
"""

import difflib
import json

import pytest

from analyzer.crosscheck.run import crosscheck_source
from analyzer.model.scope import Scope
from tests.conftest import FIXTURES

MODEL = FIXTURES / "model"
BASE = (MODEL / "reference.c").read_text()
MUTANTS = json.loads((MODEL / "mutants.json").read_text())
EQUIVALENT = json.loads((MODEL / "equivalent_mutants.json").read_text())
# Small enough for the suite, wide enough for the boundary mutants: 1, 2 and 33 CPUs.
SCOPE = Scope(cpus=(1, 2, 33), depth=1)


def defects(text: str, scope=None) -> set[tuple[str, int, str]]:
    report = crosscheck_source(text, "mutant.c", scope=scope)
    return {(f.rule_id, f.line, f.source) for f in report.findings if f.rule_id != "XL260"}


_BASE_DEFECTS: dict = {}


def base_defects(scope) -> set:
    if scope not in _BASE_DEFECTS:
        _BASE_DEFECTS[scope] = defects(BASE, scope)
    return _BASE_DEFECTS[scope]


def in_base_lines(mutant_text: str, found: set) -> set:
    """The defects with their lines mapped back to the unmutated file (lines the change left alone)."""
    matcher = difflib.SequenceMatcher(a=mutant_text.splitlines(), b=BASE.splitlines(), autojunk=False)
    moved = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            moved[block.a + k + 1] = block.b + k + 1
    return {(rule, moved.get(line, -line), source) for rule, line, source in found}


def test_enough_mutants():
    assert len(MUTANTS) >= 30


def test_the_unmutated_code_is_clean_in_the_default_set_and_the_scope():
    assert base_defects(None) == set()
    assert base_defects(SCOPE) == set()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["name"] for m in MUTANTS])
def test_mutant_is_its_own_defect_at_its_own_line(mutant):
    assert BASE.count(mutant["find"]) == 1, "mutant no longer applies to reference.c"
    text = BASE.replace(mutant["find"], mutant["replace"])
    scope = SCOPE if mutant.get("scope") else None
    found = defects(text, scope)
    rule, line, source = mutant["at"]
    assert (rule, line, source) in found, sorted(found)
    assert rule in mutant["expect"]
    assert not {r for r, _, _ in found} & {"XL270", "XL280"}
    # Not masked: its root cause is not one the unmutated code already has.
    (where_in_base,) = in_base_lines(text, {(rule, line, source)})
    assert where_in_base not in base_defects(scope)


@pytest.mark.parametrize("mutant", EQUIVALENT, ids=[m["name"] for m in EQUIVALENT])
def test_equivalent_mutant_adds_nothing(mutant):
    assert BASE.count(mutant["find"]) == 1
    assert defects(BASE.replace(mutant["find"], mutant["replace"]), SCOPE) == set()


def test_behaviour_preserving_rewrite_is_not_reported():
    text = (MODEL / "rewrite.c").read_text()
    assert text != BASE
    report = crosscheck_source(text, "rewrite.c")
    assert {f.rule_id for f in report.findings} == {"XL260"}


def test_defects_of_one_rule_at_two_statements_are_two_findings():
    # Indexing the array by CPU and testing the CPU's bit both break I3, at different statements.
    one = next(m for m in MUTANTS if m["name"] == "index the array by CPU instead of vCPU")
    two = next(m for m in MUTANTS if m["name"] == "test the wrong bit (CPU instead of vCPU)")
    text = BASE.replace(one["find"], one["replace"]).replace(two["find"], two["replace"])
    lines = {line for rule, line, _ in defects(text) if rule == "XL203"}
    assert {33, 42} <= lines

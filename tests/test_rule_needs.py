"""Rule.needs: a file where every list a rule needs is empty gets no finding
from it, so the checker may skip the rule there (most files of a tree)."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest

from analyzer.frontend.facts import FileFacts
from analyzer.frontend.layers import file_facts
from helpers import c_files, read_c, static_rules
from analyzer.frame import FILES, PATCH, PROGRAM, Frame
from analyzer.project import ProjectFacts
from analyzer.rule import FACT_LISTS


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_projects() -> list[ProjectFacts]:
    """Each fixture folder as a tree, as a patch alone, and as files alone."""
    projects = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for scope in (PROGRAM, PATCH, FILES):
            project = ProjectFacts(frame=Frame(scope))
            for path in c_files(folder):
                project.add(file_facts(str(path), read_c(path)))
            project.prepare(list(project.files))
            projects.append(project)
    return projects


def test_fact_lists_are_lists_of_file_facts():
    names = {f.name for f in fields(FileFacts)}
    assert set(FACT_LISTS) <= names
    for rule in static_rules():
        assert rule.needs and set(rule.needs) <= set(FACT_LISTS), rule.id


@pytest.mark.parametrize("rule", static_rules(), ids=lambda r: r.id)
def test_a_rule_finds_nothing_without_the_lists_it_needs(rule):
    found_somewhere = False
    for project in fixture_projects():
        for facts in project.files.values():
            found_somewhere |= bool(list(rule.check(facts, project)))
            emptied = replace(facts, **{name: [] for name in rule.needs})
            assert list(rule.check(emptied, project)) == [], (rule.id, facts.path)
    assert found_somewhere, f"the fixtures hold no {rule.id} finding: the test proves nothing"

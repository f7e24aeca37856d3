"""Layer choice: a file gets the cheapest parse that still yields every fact rules use.

The oracle is the full syntax parse of every file: the rules must find the
same on the fixtures, and on the real tree nothing the full parse finds may
be lost (the declaration skeleton may find more: objects the full parse
loses in regions it had to recover from).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.checker import run_rules
from analyzer.frontend import layers
from analyzer.frontend.extract import extract_facts
from helpers import c_files, read_c, static_rules
from analyzer.project import ProjectFacts


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def findings(root: Path, facts_of) -> set[tuple[str, str, int]]:
    project = ProjectFacts()
    paths = []
    for path in c_files(root):
        project.add(facts_of(str(path), read_c(path)))
        paths.append(str(path))
    return {(f.rule_id, f.path, f.line) for f in run_rules(project, paths, static_rules())}


@pytest.mark.parametrize("tree", ["tree-before", "tree-after", "rules", "semantic", "model"])
def test_layers_find_what_the_full_parse_finds_on_fixtures(tree):
    root = FIXTURES / tree
    assert findings(root, layers.file_facts) == findings(root, extract_facts)


@pytest.mark.realxen
def test_layers_lose_nothing_on_the_real_tree(real_xen_tree):
    root = real_xen_tree / "xen"
    gated, full = findings(root, layers.file_facts), findings(root, extract_facts)
    assert full - gated == set()
    assert len(gated) >= len(full)


def test_statement_words_choose_the_full_parse():
    assert layers.needs_statements("x = &XEN_shared_info->vcpu_info[0];")
    assert layers.needs_statements("rc = map_vcpuinfo();")
    assert not layers.needs_statements("int opt_flag;\nDEFINE_PER_CPU(int, x);\n")
    facts = layers.file_facts("a.c", "unsigned long mapped[4];\nDEFINE_PER_CPU(int, x);\n")
    assert facts.layer == "declarations"
    assert [o.name for o in facts.objects] == ["mapped"] and [d.name for d in facts.percpu] == ["x"]
    assert layers.file_facts("a.h", "extern int y;\n").layer == "index"


def _lean_nothing_means_no_facts(paths) -> int:
    """For each file the lean modes rule out on its bytes, the lean layer
    (file_facts without uses) finds no fact and no suppression comment;
    returns how many files were ruled out."""
    from analyzer.frontend.facts import FileFacts  # noqa: F401 (the lists below)
    from analyzer.rule import FACT_LISTS
    from analyzer.suppressions import has_marker

    ruled_out = 0
    for path in paths:
        data = Path(path).read_bytes()
        if layers.yields_lean_facts(data):
            continue
        ruled_out += 1
        text = data.decode("utf-8", "surrogateescape")
        facts = layers.file_facts(str(path), text, uses=False)
        assert [name for name in FACT_LISTS if getattr(facts, name)] == [], path
        assert not has_marker(text), path
        full = extract_facts(str(path), text)
        # What only XL106 reads (objects) and what only matters in a file
        # with the protocol's words (functions, prototypes, addresses: a
        # mapping function's name is such a word) aside, nothing either.
        skipped = ("objects", "functions", "prototypes", "addresses")
        assert [name for name in FACT_LISTS if name not in skipped and getattr(full, name)] == [], path
    return ruled_out


def test_files_the_lean_modes_rule_out_hold_no_fact():
    assert _lean_nothing_means_no_facts(c_files(FIXTURES)) > 5


@pytest.mark.realxen
def test_files_the_lean_modes_rule_out_of_real_xen_hold_no_fact(real_xen_tree):
    paths = [p for p in (real_xen_tree / "xen").rglob("*.[ch]") if p.is_file()]
    assert _lean_nothing_means_no_facts(paths) > 800  # of some 1,300 (4.17: 877)

"""The README's rule table is generated from the rules' own documentation.

Regenerate it after adding or changing a rule with
    python tests/test_readme_rules_table.py
(the same table `xenlint rules --format markdown` prints).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
_SECTION = re.compile(re.escape(START) + r"\n(.*?)" + re.escape(END), re.S)


def generated_table() -> str:
    from analyzer.reporters.rule_table import markdown_table
    from rules import all_docs

    return markdown_table(all_docs())


def test_readme_rule_table_matches_the_rules():
    match = _SECTION.search(README.read_text())
    assert match, f"README.md has no {START} ... {END} section"
    assert match.group(1) == generated_table(), (
        "README.md's rule table is out of date: run 'python tests/test_readme_rules_table.py'")


def test_the_table_lists_every_rule_and_the_cli_prints_it():
    from helpers import run_cli
    from rules import all_docs

    table = generated_table()
    for doc in all_docs():
        assert f"| {doc.id} | {doc.name} | {doc.severity} |" in table
    code, out, _ = run_cli("rules", "--format", "markdown")
    assert code == 0 and out == table


RULES_PAGE = ROOT / "docs" / "rules.md"


def test_the_rules_page_matches_the_rules():
    from analyzer.reporters.rule_table import rules_page
    from rules import all_docs

    assert RULES_PAGE.read_text() == rules_page(all_docs()), (
        "docs/rules.md is out of date: run 'python tests/test_readme_rules_table.py'")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from analyzer.reporters.rule_table import rules_page
    from rules import all_docs

    RULES_PAGE.write_text(rules_page(all_docs()))
    text = README.read_text()
    if not _SECTION.search(text):
        sys.exit(f"README.md has no {START} ... {END} section")
    README.write_text(_SECTION.sub(lambda m: f"{START}\n{generated_table()}{END}", text))
    print("README.md rule table regenerated")

"""xenlint rules: list every rule, one line each."""

from __future__ import annotations

HELP = "list every rule: id, severity, name and one line"


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def all_docs() -> list[dict]:
    """Docs of the suppression checks, the static rules and the model cross-check's rules."""
    from analyzer.suppressions import RULE_DOCS as SUPPRESSION_DOCS
    from rules import ALL_RULES

    docs = list(SUPPRESSION_DOCS) + [rule.doc() for rule in ALL_RULES]
    try:
        from analyzer.model.rule_docs import RULE_DOCS
    except ImportError:
        RULE_DOCS = []
    docs.extend(RULE_DOCS)
    return docs


def markdown_table(docs: list[dict]) -> str:
    rows = ["| id | name | severity | what it finds |", "|---|---|---|---|"]
    rows += [f"| {d['id']} | {d['name']} | {d['severity']} | {d['summary']} |" for d in docs]
    return "\n".join(rows) + "\n"


def run(args) -> int:
    import json

    docs = all_docs()
    if args.format == "json":
        print(json.dumps(docs, indent=2))
    elif args.format == "markdown":
        print(markdown_table(docs), end="")
    else:
        for d in docs:
            print(f"{d['id']}  {d['severity']:<7}  {d['name']:<34}  {d['summary']}")
    return 0

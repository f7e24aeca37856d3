"""xenlint rules: list every rule, one line each."""

from __future__ import annotations

HELP = "list every rule: id, severity, name and one line"


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def run(args) -> int:
    import json

    from analyzer.reporters.rule_table import markdown_table
    from rules import all_docs

    docs = all_docs()
    if args.format == "json":
        print(json.dumps([doc.to_dict() for doc in docs], indent=2))
    elif args.format == "markdown":
        print(markdown_table(docs), end="")
    else:
        for d in docs:
            print(f"{d.id}  {str(d.severity):<7}  {d.name:<34}  {d.summary}")
    return 0

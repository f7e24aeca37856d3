"""xenlint explain ID: what a rule finds, why it matters, an example and the fix."""

from __future__ import annotations

HELP = "explain a rule: what it finds, why it matters, an example, what to write instead"


def add_arguments(parser) -> None:
    parser.add_argument("rule", metavar="ID", help="rule id, e.g. XL101, or its name")


def run(args) -> int:
    import sys

    from analyzer.errors import InputError
    from analyzer.reporters.rule_table import explanation
    from rules import find

    doc = find(args.rule)
    if doc is None:
        raise InputError(args.rule, "unknown rule id (see 'xenlint rules')")
    sys.stdout.write(explanation(doc))
    return 0

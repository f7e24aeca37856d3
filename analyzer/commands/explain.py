"""xenlint explain ID: what a rule finds, why it matters, an example and the fix."""

from __future__ import annotations

import textwrap

HELP = "explain a rule: what it finds, why it matters, an example, what to write instead"


def add_arguments(parser) -> None:
    parser.add_argument("rule", metavar="ID", help="rule id, e.g. XL101, or its name")


def run(args) -> int:
    from analyzer.errors import InputError

    from .rules_doc import all_docs

    wanted = args.rule.strip()
    for doc in all_docs():
        if wanted.upper() == doc["id"] or wanted == doc["name"]:
            break
    else:
        raise InputError(args.rule, "unknown rule id (see 'xenlint rules')")
    print(f"{doc['id']} {doc['name']} ({doc['severity']}, confidence {doc.get('confidence', 'high')})")
    print()
    for title, key in (("What it does", "what"), ("Why it matters", "why")):
        print(f"## {title}")
        print(textwrap.fill(doc[key], width=78))
        print()
    for title, key in (("Example", "example"), ("Use instead", "instead")):
        print(f"## {title}")
        print(textwrap.indent(doc[key], "    "))
        print()
    return 0

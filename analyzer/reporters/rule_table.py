"""The rule catalogue as text: the README's table, and one rule explained."""

from __future__ import annotations

import textwrap


def markdown_table(docs) -> str:
    rows = ["| id | name | severity | what it finds |", "|---|---|---|---|"]
    rows += [f"| {d.id} | {d.name} | {d.severity} | {d.summary} |" for d in docs]
    return "\n".join(rows) + "\n"


def explanation(doc) -> str:
    """``xenlint explain``: ruff's shape, what / why / example / use instead."""
    confidence = doc.confidence + (f": {doc.confidence_note}" if doc.confidence_note else "")
    out = [f"{doc.id} {doc.name} ({doc.severity}, confidence {confidence})"]
    if doc.found_by:
        out.append(f"Found by {doc.found_by}")
    out.append("")
    for title, text in (("What it does", doc.what), ("Why it matters", doc.why)):
        out += [f"## {title}", "\n\n".join(textwrap.fill(p, width=78) for p in text.split("\n\n")), ""]
    for title, text in (("Example", doc.example), ("Use instead", doc.instead)):
        out += [f"## {title}", textwrap.indent(text, "    "), ""]
    return "\n".join(out) + "\n"

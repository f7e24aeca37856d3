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


def rules_page(docs) -> str:
    """docs/rules.md: every rule's documentation, one section each (#xl101),
    the page SARIF's helpUri points into."""
    out = ["# xenlint rules", "",
           "Generated from the rule catalogue (`rules/`); `xenlint explain ID` prints the same.",
           "Regenerate with `python tests/test_readme_rules_table.py`.", ""]
    for doc in docs:
        confidence = doc.confidence + (f" ({doc.confidence_note})" if doc.confidence_note else "")
        out += [f"## {doc.id}", "", f"**{doc.name}** ({doc.severity}, confidence {confidence}): {doc.summary}.", ""]
        if doc.found_by:
            out += [f"Found by {doc.found_by}.", ""]
        out += ["### What it does", "", doc.what, "", "### Why it matters", "", doc.why, "",
                "### Example", "", "```c", doc.example, "```", "", "### Use instead", "", "```c",
                doc.instead, "```", ""]
    return "\n".join(out)


def help_markdown(doc) -> str:
    """A rule's help as GitHub code scanning shows it."""
    return (f"{doc.what}\n\n**Why it matters.** {doc.why}\n\n**Example**\n\n```c\n{doc.example}\n```\n\n"
            f"**Use instead**\n\n```c\n{doc.instead}\n```\n")

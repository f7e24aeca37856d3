"""Which layer a file needs, decided by what it spells (as spatch gates on tokens).

* statements: a file that spells a word of the vcpu_info protocol gets the
  full syntax parse; every statement-level fact (legacy indexing, mapping
  calls, registrations, guards) needs one of these words.
* declarations: any other .c file can only contribute file-scope objects
  (XL106) and per-CPU declarations.  It is parsed as a skeleton holding just
  its candidate file-scope declarations at their own line numbers, which is a
  small fraction of the file.
* index: any other header contributes only per-CPU declarations and the
  identifiers it spells (header objects are never reported), read by
  regular expressions.

Per-CPU declarations and identifiers of the last two come from the index
layer, so every rule sees the same facts it would see after a full parse.
"""

from __future__ import annotations

import re

from .facts import FileFacts, LazyLines
from .index import index_facts

# Every statement-level fact needs one of these in the file's text.
STATEMENT_WORDS = ("vcpu_info", "shared_info", "map_vcpuinfo", "xen_vcpu_setup")

# A declaration at file scope starts at column 0.
_LINE_START = re.compile(r"^[A-Za-z_]", re.M)
_NOT_A_DECLARATION = re.compile(
    r"(?:static|extern|typedef|return|else|if|for|while|do|switch|case|default|goto|"
    r"asm|__asm__|[A-Z][A-Z0-9_]*\s*\()\b")
_BRACKETS = re.compile(r"\[[^\]]*\]")


def needs_statements(text: str) -> bool:
    # Four substring searches run at memory speed, three times faster than
    # one regular expression with the four alternatives.
    return any(word in text for word in STATEMENT_WORDS)


def declaration_skeleton(text: str) -> str:
    """``text`` with only its candidate non-static file-scope declarations kept.

    A candidate starts at column 0, is not static/extern/typedef, and has no
    parenthesis before its name (that would be a function or a macro call),
    except a declarator like ``(*hook)``.  It is kept up to its ";" or, when
    it opens a brace, up to the next line that starts with "}" and holds a
    ";" (``};`` or ``} name;``).  Every other line is blank, so line numbers
    stay those of the file.
    """
    from .syntax import blank_attributes

    lines = text.split("\n")
    kept = [""] * len(lines)
    resume = 0
    i, counted_to = 0, 0  # line number of offset counted_to
    for m in _LINE_START.finditer(text):
        i += text.count("\n", counted_to, m.start())
        counted_to = m.start()
        if i < resume:
            continue
        line = lines[i]
        if _NOT_A_DECLARATION.match(line):
            continue
        j = i
        while j < len(lines) - 1 and ";" not in lines[j] and "{" not in lines[j] and "=" not in lines[j]:
            j += 1
        head = blank_attributes("\n".join(lines[i:j + 1]))
        cuts = [k for k in (head.find(";"), head.find("{"), head.find("=")) if k >= 0]
        declarator = _BRACKETS.sub("", head[:min(cuts)] if cuts else head)
        paren = declarator.find("(")
        if paren >= 0 and not declarator[paren + 1:].lstrip().startswith("*"):
            continue  # a function, or a macro call: "(*name)" alone declares an object
        end = _declaration_end(lines, i, j)
        kept[i:end + 1] = lines[i:end + 1]
        resume = end + 1
    return "\n".join(kept)


def _declaration_end(lines: list[str], first: int, head_end: int) -> int:
    """Last line of the declaration starting at ``first`` (its head ends at ``head_end``)."""
    head = "\n".join(lines[first:head_end + 1])
    semi, brace = head.find(";"), head.find("{")
    if brace >= 0 and (semi < 0 or brace < semi):
        closing = head.rfind("}")
        if closing > brace and ";" in head[closing:]:
            return head_end  # "= { ... };" on these lines
        for k in range(head_end + 1, len(lines)):
            if lines[k].startswith("}") and ";" in lines[k]:
                return k  # a body or initializer closes at column 0: "};" or "} name;"
        return len(lines) - 1
    for k in range(head_end, len(lines)):
        if ";" in lines[k]:
            return k
    return head_end


def layer_of(path: str, text: str) -> str:
    """"statements", "declarations" or "index": the cheapest layer that
    yields every fact of this file."""
    if needs_statements(text):
        return "statements"
    return "index" if path.endswith(".h") else "declarations"


def file_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None,
               layer: str | None = None) -> FileFacts:
    """Facts of ``path`` from ``layer`` (by default ``layer_of`` the file)."""
    from .extract import extract_facts, extract_tree_facts

    layer = layer or layer_of(path, text)
    if layer == "statements":
        return extract_facts(path, text, hunk_functions)
    index = index_facts(path, text)
    if layer == "index":
        index.lines = LazyLines(text)
        return index
    facts = extract_tree_facts(path, declaration_skeleton(text), hunk_functions)
    facts.layer = "declarations"
    facts.lines = LazyLines(text)
    facts.percpu = index.percpu
    facts.identifiers = index.identifiers
    return facts

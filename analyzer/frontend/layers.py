"""Which layer a file needs, decided by what it spells (as spatch gates on tokens).

* statements: a file that spells a word of the vcpu_info protocol gets the
  full syntax parse; every statement-level fact (legacy indexing, mapping
  calls, registrations, guards) needs one of these words.  Within the file,
  the walk skips the bodies of functions that spell none of them
  (extract.quiet_functions).
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

# A declaration at file scope starts at column 0.  Searching for the newline
# first lets the engine skip ahead to each "\n" instead of trying "^" at
# every character (ten times faster).
_LINE_START = re.compile(r"\n[A-Za-z_]")
_NOT_A_DECLARATION = re.compile(
    r"(?:static|extern|typedef|return|else|if|for|while|do|switch|case|default|goto|"
    r"asm|__asm__|[A-Z][A-Z0-9_]*\s*\()\b")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_HEAD_END = re.compile(r"[;{=]")
_CLOSING_LINE = re.compile(r"\n\}[^\n]*;")  # "\n" first, as _LINE_START


def needs_statements(text: str) -> bool:
    # Four substring searches run at memory speed, three times faster than
    # one regular expression with the four alternatives.
    return any(word in text for word in STATEMENT_WORDS)


def declaration_skeleton(text: str) -> str:
    """``text`` with only its candidate non-static file-scope declarations kept.

    A candidate starts at column 0, is not static/extern/typedef, and has no
    parenthesis before its name (that would be a function or a macro call),
    except a declarator like ``(*hook)``.  Its head runs to the end of the
    first line holding ";", "{" or "=".  It is kept up to its ";" or, when
    it opens a brace, up to the next line that starts with "}" and holds a
    ";" (``};`` or ``} name;``).  Every other line is blank, so line numbers
    stay those of the file.  Offsets, not a list of lines: the searches run
    in C, and a block of column-0 comment lines is not rescanned per line.
    """
    from .syntax import blank_attributes

    size = len(text)
    kept: list[tuple[int, int]] = []  # (first offset, end offset) of whole lines
    resume = 0
    starts = [0] if text[:1].isascii() and (text[:1].isalpha() or text[:1] == "_") else []
    starts += [m.start() + 1 for m in _LINE_START.finditer(text)]
    for first in starts:
        if first < resume:
            continue
        line_end = _line_end(text, first)
        if _NOT_A_DECLARATION.match(text, first, line_end):
            continue
        stop = _HEAD_END.search(text, first)
        head_end = _line_end(text, stop.start()) if stop else size
        head = blank_attributes(text[first:head_end])
        cuts = [k for k in (head.find(";"), head.find("{"), head.find("=")) if k >= 0]
        declarator = _BRACKETS.sub("", head[:min(cuts)] if cuts else head)
        paren = declarator.find("(")
        if paren >= 0 and not declarator[paren + 1:].lstrip().startswith("*"):
            continue  # a function, or a macro call: "(*name)" alone declares an object
        end = _declaration_end(text, first, head_end)
        kept.append((first, end))
        resume = end + 1
    pieces, done = [], 0
    for first, end in kept:
        pieces += ("\n" * text.count("\n", done, first), text[first:end])
        done = end
    pieces.append("\n" * text.count("\n", done))
    return "".join(pieces)


def _line_end(text: str, offset: int) -> int:
    """Offset of the newline ending the line that holds ``offset`` (or the text's end)."""
    end = text.find("\n", offset)
    return end if end >= 0 else len(text)


def _declaration_end(text: str, first: int, head_end: int) -> int:
    """End offset of the declaration starting at ``first`` whose head ends at ``head_end``."""
    head = text[first:head_end]
    semi, brace = head.find(";"), head.find("{")
    if brace >= 0 and (semi < 0 or brace < semi):
        closing = head.rfind("}")
        if closing > brace and ";" in head[closing:]:
            return head_end  # "= { ... };" on these lines
        # A body or initializer closes at column 0: "};" or "} name;".
        close = _CLOSING_LINE.search(text, head_end)  # from the newline ending the head
        return _line_end(text, close.start() + 1) if close else len(text)
    # The head's last line holds the first ";", "{" or "=": the ";" is there or later.
    last_line = text.rfind("\n", first, head_end)
    semi = text.find(";", last_line + 1 if last_line >= 0 else first)
    return _line_end(text, semi) if semi >= 0 else head_end


def layer_of(path: str, text: str) -> str:
    """"statements", "declarations" or "index": the cheapest layer that
    yields every fact of this file."""
    if needs_statements(text):
        return "statements"
    return "index" if path.endswith(".h") else "declarations"


def file_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None) -> FileFacts:
    """Facts of ``path`` from the cheapest layer that yields all of them (``layer_of``)."""
    from .extract import extract_facts, extract_tree_facts

    layer = layer_of(path, text)
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

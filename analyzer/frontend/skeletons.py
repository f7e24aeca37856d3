"""Skeletons: a file's text with the parts a layer does not need blanked.

Each keeps every line where it was (blanked parts keep their newlines), so a
fact found in a skeleton has the line and column it has in the file, and the
file's own text still gives the lines a report shows.

* declaration_skeleton: only the candidate non-static file-scope
  declarations of a .c file (the declarations layer);
* quiet_bodies_blanked: a file that needs statements, with the bodies of
  functions that spell none of the words a fact needs emptied.  Most of a
  big hypervisor file that mentions vcpu_info is such functions: parsing
  their bodies costs time and, where the parser has to recover from a
  macro it cannot read, invents functions that are not there.
"""

from __future__ import annotations

import re
from typing import Sequence

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


# Xen's style: a function body opens with "{" alone at column 0 on the line
# after the one closing the parameter list, and closes with "}" alone at
# column 0.
_BODY_OPEN = re.compile(r"\)[ \t]*\n\{[ \t]*\n")
_BODY_CLOSE = re.compile(r"\n\}[ \t]*(?:\n|\Z)")
_BRACE = re.compile(r"[{}]")
# A brace or #if in a comment, string or character constant is not code.
_COMMENT_OR_LITERAL = re.compile(
    r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)
_CONDITIONAL = re.compile(r"\n[ \t]*#[ \t]*(if|endif)")  # "if" also opens #ifdef, #ifndef
_NAME_BEFORE = re.compile(r"([A-Za-z_]\w*)\s*$")


def quiet_bodies_blanked(text: str, words: Sequence[str], register_word: str) -> str:
    """``text`` with the body of every function that spells none of ``words``
    emptied, newlines kept.  A body that spells ``register_word`` adds its
    function's name to the words, so its callers keep their bodies too.

    Only a plainly whole body is emptied: from "{" alone at column 0 after a
    line ending in ")" to the next "}" alone at column 0, holding as many
    "{" as "}" and closing every #if it opens.  Any other shape is left to
    the parser, and so is everything after it (an unclosed body makes the
    parser nest the functions that follow inside it), as is every body when ``register_word`` appears outside the
    bodies found (its function's name is then unknown).
    """
    bodies: list[tuple[int, int, int]] = []  # (offset of ")", first, end): "{\n" .. "\n}"
    pos = 0
    while (opening := _BODY_OPEN.search(text, pos)) is not None:
        first = opening.end() - 1
        closing = _BODY_CLOSE.search(text, first)
        if closing is None:
            break
        bodies.append((opening.start(), first, closing.start()))
        pos = closing.start() + 1
    words = list(words)
    registering = [(paren, first, end) for paren, first, end in bodies
                   if register_word in text[first:end]]
    if text.count(register_word) != sum(text.count(register_word, first, end)
                                        for _, first, end in registering):
        return text
    for paren, _, _ in registering:
        name = _function_name(text, paren)
        if name is None:
            return text
        words.append(name)
    pieces, done = [], 0
    for _, first, end in bodies:
        body = text[first:end]
        if not _plainly_whole(body):
            break  # the parser may nest what follows inside it: leave the rest whole
        if not any(word in body for word in words):
            pieces += (text[done:first], "\n" * body.count("\n"))
            done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _plainly_whole(body: str) -> bool:
    """Every "{" and #if the body's code opens, it closes, never closing first."""
    if "\n{" in body or "\n}" in body:
        return False
    code = _COMMENT_OR_LITERAL.sub(_newlines, body)
    return code.count("{") == code.count("}") and _nested(
        m.group() for m in _BRACE.finditer(code)) and _nested(
        m.group(1) for m in _CONDITIONAL.finditer(code))


def _newlines(match: re.Match) -> str:
    return "\n" * match.group().count("\n")


def _nested(marks) -> bool:
    depth = 0
    for mark in marks:
        depth += 1 if mark in ("{", "if") else -1
        if depth < 0:
            return False
    return depth == 0


def _function_name(text: str, paren: int) -> str | None:
    """The name before the parameter list whose ")" is at ``paren``."""
    depth = 0
    for i in range(paren, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                name = _NAME_BEFORE.search(text[max(0, i - 256):i])
                return name.group(1) if name else None
    return None

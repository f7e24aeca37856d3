"""Syntax layer: tree-sitter parse of a C file or of a patch's sparse image."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import tree_sitter_c
from tree_sitter import Language, Node, Parser, Tree

LANGUAGE = Language(tree_sitter_c.language())
_PARSER = Parser(LANGUAGE)

# Xen's attribute and section macros sit where C expects a declarator and make
# tree-sitter lose the declaration they decorate.  They are blanked (replaced
# by spaces, so lines and columns stay put) before parsing; facts that need
# them (alignment) read the original text.
_ATTRIBUTE_WORDS = (
    "__read_mostly", "__ro_after_init", "__initdata", "__initconst", "__initconstrel",
    "__init", "__exit", "__exitdata", "__hwdom_init", "__hwdom_initdata", "__cold",
    "__used", "__maybe_unused", "__packed", "__weak", "__noreturn", "__percpu",
    "__user", "__iomem", "__always_inline", "noinline", "asmlinkage", "cf_check",
    "__nocall", "__cacheline_aligned", "__read_mostly_ptr", "__devinitdata",
    "__initcall", "noreturn", "__must_check", "__pure", "__printf_like",
    "__initconst_cf_clobber", "__initdata_cf_clobber", "__alt_call_maybe_initdata",
    "__attribute_const__", "__attribute_pure__", "__exit_call", "__initsetup", "__kparam",
    "__paramfs", "__paramhypfs", "__setup_str", "__transparent__",
)
_ATTRIBUTE_CALLS = ("__aligned", "__section", "__attribute__", "__attribute", "__printf",
                    "__counted_by", "__nonstring", "__alias")


# DEFINE_PER_CPU(type, name) is not C; "DEFINE_PER_CPU(type) name " is (a
# macro type and a declarator), so the comma and the closing parenthesis are
# swapped in place and the rest of the file parses cleanly.
_PERCPU_RE = re.compile(r"\b(?:(?:DEFINE|DECLARE)_PER_CPU|DPCPU_(?:DEFINE|DECLARE))\w*\s*\((?P<type>[^;()]*(?:\([^;()]*\))?[^;()]*?)(?P<comma>,)\s*\w+\s*(?P<close>\))")


_PAREN_RE = re.compile(r"[()]")


def _blank(segment: str) -> str:
    return "\n".join(" " * len(part) for part in segment.split("\n"))


def _call_end(text: str, open_paren: int) -> int:
    """Index just past the parenthesis closing ``text[open_paren]`` (or the end)."""
    depth = 0
    for m in _PAREN_RE.finditer(text, open_paren):
        depth += 1 if m.group() == "(" else -1
        if depth == 0:
            return m.end()
    return len(text)


# Attribute words are whole identifiers; attribute calls are a name, blanks
# and "(".  They are found by scanning for the literal "__" (the engine skips
# to it) rather than with one alternation of thirty words, which makes the
# regular-expression engine try every position of the file.
_UNDERSCORE_RUN = re.compile(r"__\w*")
_WORD_CHAR = re.compile(r"\w")
_SPACE_PAREN = re.compile(r"\s*\(")
_UNDERSCORE_WORDS = frozenset(w for w in _ATTRIBUTE_WORDS if w.startswith("__"))
_BEFORE_A_TYPE = re.compile(r"[ \t]+(?:struct|union|enum|const|volatile|unsigned|signed|char|short|int|"
                            r"long|void|bool|_Bool)\b")
_PLAIN_WORDS = tuple(w for w in _ATTRIBUTE_WORDS if not w.startswith("__"))
_CALL_NAMES = frozenset(_ATTRIBUTE_CALLS)
assert all(name.startswith("__") for name in _CALL_NAMES)


def _attribute_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every attribute word and attribute call in ``text``."""
    spans = []
    for m in _UNDERSCORE_RUN.finditer(text):
        start = m.start()
        if start and _WORD_CHAR.match(text, start - 1):
            continue  # inside a longer identifier
        token = m.group()
        if token in _UNDERSCORE_WORDS or (token.islower() and _BEFORE_A_TYPE.match(text, m.end())):
            # A known annotation, or an unknown one (__refconst, __initdata_or_module)
            # written before a type: blanked, or the parser makes "struct" a name.
            spans.append((start, m.end()))
        elif token in _CALL_NAMES:
            paren = _SPACE_PAREN.match(text, m.end())
            if paren:
                spans.append((start, _call_end(text, paren.end() - 1)))
    for word in _PLAIN_WORDS:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not (start and _WORD_CHAR.match(text, start - 1)) and not _WORD_CHAR.match(text, end):
                spans.append((start, end))
            start = text.find(word, end)
    return spans


def blank_attributes(text: str) -> str:
    """Make Xen's macro-heavy declarations parseable without moving any byte.

    Attribute macros become spaces of the same length (newlines kept) and
    per-CPU definitions become macro-typed declarations.
    """
    spans = _attribute_spans(text)
    swaps = []
    if "_PER_CPU" in text or "DPCPU_" in text:
        for m in _PERCPU_RE.finditer(text):
            swaps += [(m.start("comma"), ")"), (m.start("close"), " ")]
    if not spans and not swaps:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    # Edits in text order; a swap inside a blanked span is blanked with it.
    edits = [(start, end, _blank(text[start:end])) for start, end in merged]
    starts = [start for start, _ in merged]
    for pos, char in swaps:
        k = bisect_right(starts, pos) - 1
        if k < 0 or pos >= merged[k][1]:
            edits.append((pos, pos + 1, char))
    edits.sort()
    out, done = [], 0
    for start, end, replacement in edits:
        out += [text[done:start], replacement]
        done = end
    out.append(text[done:])
    return "".join(out)


# Iterator macros used as loop heads (Linux's for_each_online_cpu(cpu) {,
# list_for_each_entry(...), FreeBSD's CPU_FOREACH(i), TAILQ_FOREACH(...)):
# the parser takes "name(args) {" for a nested function definition.  An
# indented head followed by a statement or "{" becomes "while (args)", same
# length, so the body is a loop body (exits, guards) and keeps its function.
_LOOP_HEAD = re.compile(r"^([ \t]+)(\w*(?:for_each|FOREACH)\w*)[ \t]*\(", re.M)
_STATEMENT_START = re.compile(r"\s*[{A-Za-z_]")


def loop_macros_as_while(text: str) -> str:
    """``text`` with iterator-macro loop heads read as while loops (see _LOOP_HEAD)."""
    if "for_each" not in text and "FOREACH" not in text:
        return text
    out, done = [], 0
    for m in _LOOP_HEAD.finditer(text):
        close = _call_end(text, m.end() - 1)
        if not _STATEMENT_START.match(text, close):
            continue  # a call statement ("...;") or an expression
        start, end = m.start(2), m.end(2)
        out += [text[done:start], "while" + " " * (end - start - 5)]
        done = end
    out.append(text[done:])
    return "".join(out)


@dataclass
class SyntaxTree:
    """A parsed file: the tree, the bytes it was parsed from, and its error regions."""

    tree: Tree
    source: bytes
    error_lines: list[int]

    @property
    def root(self) -> Node:
        return self.tree.root_node

    @property
    def clean(self) -> bool:
        return not self.error_lines


def _error_lines(root: Node) -> list[int]:
    if not root.has_error:
        return []
    lines: list[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            lines.append(node.start_point[0] + 1)
            continue
        stack.extend(c for c in node.children if c.has_error or c.is_missing)
    return sorted(set(lines))


def parse(text: str) -> SyntaxTree:
    source = loop_macros_as_while(blank_attributes(text)).encode("utf-8", "surrogateescape")
    tree = _PARSER.parse(source)
    return SyntaxTree(tree, source, _error_lines(tree.root_node))

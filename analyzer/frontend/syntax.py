"""Syntax layer: tree-sitter parse of a C file or of a patch's sparse image."""

from __future__ import annotations

import re
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
)
_ATTRIBUTE_CALLS = ("__aligned", "__section", "__attribute__", "__attribute", "__printf",
                    "__counted_by", "__nonstring", "__alias")
_WORD_RE = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, _ATTRIBUTE_WORDS)))
_CALL_RE = re.compile(r"\b(?:%s)\s*\(" % "|".join(map(re.escape, _ATTRIBUTE_CALLS)))


# DEFINE_PER_CPU(type, name) is not C; "DEFINE_PER_CPU(type) name " is (a
# macro type and a declarator), so the comma and the closing parenthesis are
# swapped in place and the rest of the file parses cleanly.
_PERCPU_RE = re.compile(r"\b(?:DEFINE|DECLARE)_PER_CPU\w*\s*\((?P<type>[^;()]*(?:\([^;()]*\))?[^;()]*?)(?P<comma>,)\s*\w+\s*(?P<close>\))")


def blank_attributes(text: str) -> str:
    """Make Xen's macro-heavy declarations parseable without moving any byte.

    Attribute macros become spaces of the same length (newlines kept) and
    per-CPU definitions become macro-typed declarations.
    """
    out = list(text)
    for m in _PERCPU_RE.finditer(text):
        out[m.start("comma")] = ")"
        out[m.start("close")] = " "
    for m in _WORD_RE.finditer(text):
        out[m.start():m.end()] = " " * (m.end() - m.start())
    for m in _CALL_RE.finditer(text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        for j in range(m.start(), min(i + 1, len(text))):
            if out[j] != "\n":
                out[j] = " "
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
    source = blank_attributes(text).encode("utf-8", "surrogateescape")
    tree = _PARSER.parse(source)
    return SyntaxTree(tree, source, _error_lines(tree.root_node))


def node_text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")

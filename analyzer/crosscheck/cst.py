"""Syntax trees of extracted functions (tree-sitter), for names and branches.

tree-sitter copes with unexpanded Xen macros inside function bodies, which is
what both uses need: which identifiers a function uses and declares, and
where its branch conditions are. Only the body is parsed, behind a plain
signature, because declaration macros (`__init cf_check`) confuse the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from analyzer.crosscheck.extract import Function

_PREFIX = b"void xl_body(void)\n"
# Allocation macros take a type as their first argument, which no C parser
# accepts as an expression; the type is masked with an identifier of the same
# length so byte offsets stay valid.
_TYPE_ARG = re.compile(rb"\b(x[mz]alloc(?:_array)?|xv[mz]alloc(?:_array)?)\s*\(\s*((?:struct|union)\s+\w+\s*\**|\w+\s*\*+)")


_MASK_NAME = re.compile(r"^x_+$")


def _mask_type_arguments(body: bytes) -> bytes:
    def mask(m: re.Match) -> bytes:
        start = m.start(2) - m.start()
        return m.group()[:start] + b"x" + b"_" * (m.end(2) - m.start(2) - 1)
    return _TYPE_ARG.sub(mask, body)


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter
    import tree_sitter_c

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c.language()))


@dataclass
class Branch:
    kind: str          # if, while, for, do, ?:, BUG_ON
    start: int         # byte offsets of the condition inside the function's UTF-8 text
    end: int
    line: int          # line in the source file
    text: str


@dataclass
class Statement:
    """A statement the harness marks as a site: where effects are blamed and paths step."""
    start: int         # byte offsets inside the function's UTF-8 text
    end: int
    line: int          # line in the source file
    text: str          # the statement, on one line
    wrap: bool         # expression or return statement: wrapped in braces; a declaration: marked before


@dataclass
class FunctionSyntax:
    function: Function
    source: bytes                  # the function's text, UTF-8
    used: set[str] = field(default_factory=set)
    called: set[str] = field(default_factory=set)
    declared: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    branches: list[Branch] = field(default_factory=list)
    loop_bodies: list[tuple[int, int, bool]] = field(default_factory=list)  # start, end, braced
    statements: list[Statement] = field(default_factory=list)
    has_errors: bool = False


def _declared_names(node, out: set[str]) -> None:
    """Identifiers a declarator introduces (not those in its initializer)."""
    if node.type == "identifier":
        out.add(node.text.decode())
        return
    for name in ("declarator",):
        child = node.child_by_field_name(name)
        if child is not None:
            _declared_names(child, out)
            return
    for child in node.children:
        if child.type in ("identifier", "pointer_declarator", "array_declarator",
                          "function_declarator", "parenthesized_declarator", "init_declarator"):
            _declared_names(child, out)


def parse_body(function: Function):
    """(tree of the body behind a plain signature, node -> line in the source file)."""
    source = function.text.encode()
    head_len = len(function.text[:function.body_offset].encode())
    tree = _parser().parse(_PREFIX + _mask_type_arguments(source[head_len:]))
    first_line = function.line + function.text[:function.body_offset].count("\n")

    def line_of(node) -> int:
        return first_line + node.start_point[0] - 1

    return tree, line_of


def analyse(function: Function) -> FunctionSyntax:
    source = function.text.encode()
    head_len = len(function.text[:function.body_offset].encode())
    tree, line_of = parse_body(function)
    shift = head_len - len(_PREFIX)
    out = FunctionSyntax(function, source, has_errors=tree.root_node.has_error)
    # Parameters come from the real signature's tokens.
    out.declared |= _parameters(function.head)

    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        t = node.type
        if t == "identifier":
            name = node.text.decode()
            if name != "xl_body" and not _MASK_NAME.match(name):
                out.used.add(name)
        elif t == "type_identifier":
            out.types.add(node.text.decode())
        elif t == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "identifier":
                out.called.add(fn.text.decode())
                if fn.text == b"BUG_ON":
                    args = node.child_by_field_name("arguments")
                    inner = [c for c in args.children if c.is_named] if args is not None else []
                    if len(inner) == 1:
                        out.branches.append(Branch("BUG_ON", inner[0].start_byte + shift,
                                                   inner[0].end_byte + shift, line_of(node),
                                                   inner[0].text.decode()))
        elif t in ("declaration", "parameter_declaration"):
            for child in node.children_by_field_name("declarator"):
                _declared_names(child, out.declared)
        if t in ("expression_statement", "return_statement") and not node.has_error and (
                t == "return_statement" or node.named_child_count):
            out.statements.append(_statement(node, shift, line_of(node), wrap=True))
        elif (t == "declaration" and not node.has_error and node.parent is not None
              and node.parent.type == "compound_statement"
              and any(c.type == "init_declarator" for c in node.children)):
            out.statements.append(_statement(node, shift, line_of(node), wrap=False))
        if t in ("if_statement", "while_statement", "do_statement", "for_statement",
                 "conditional_expression"):
            cond = node.child_by_field_name("condition")
            if cond is not None and cond.type == "parenthesized_expression":
                inner = [c for c in cond.children if c.is_named]
                cond = inner[0] if len(inner) == 1 else None
            elvis = t == "conditional_expression" and node.child_by_field_name("consequence") is None
            if cond is not None and not elvis:
                kind = {"if_statement": "if", "while_statement": "while", "do_statement": "do",
                        "for_statement": "for", "conditional_expression": "?:"}[t]
                out.branches.append(Branch(kind, cond.start_byte + shift, cond.end_byte + shift,
                                           line_of(node), cond.text.decode()))
            if t in ("while_statement", "do_statement", "for_statement"):
                body_node = node.child_by_field_name("body")
                if body_node is not None:
                    out.loop_bodies.append((body_node.start_byte + shift, body_node.end_byte + shift,
                                            body_node.type == "compound_statement"))
        stack.extend(node.children)
    out.branches.sort(key=lambda b: b.start)
    out.statements.sort(key=lambda s: s.start)
    return out


def _statement(node, shift: int, line: int, wrap: bool) -> Statement:
    text = " ".join(node.text.decode(errors="replace").split())
    return Statement(node.start_byte + shift, node.end_byte + shift, line, text, wrap)


def _parameters(head: str) -> set[str]:
    from analyzer.crosscheck.ctokens import tokenize

    toks = tokenize(head)
    names: set[str] = set()
    depth = 0
    prev = None
    for tok in toks:
        if tok.text == "(":
            depth += 1
        elif tok.text in (")", ",") and depth == 1 and prev is not None and prev.kind == "ident":
            names.add(prev.text)
        if tok.text == ")":
            depth -= 1
        prev = tok
    return names

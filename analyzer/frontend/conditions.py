"""What conditions hold at a site: enclosing branches and earlier checks.

This is a syntactic dominance approximation that is good enough for the
shapes kernel code uses: a site is governed by the if/else branches around
it, by BUG_ON/ASSERT before it in an enclosing block, and by earlier ifs in
an enclosing block that leave the function when their condition is true.
"""

from __future__ import annotations

from tree_sitter import Node

from .facts import Condition

_COMPARISON_OPS = {"<", "<=", ">", ">=", "==", "!="}
_EXITING_CALLS = {"BUG", "panic", "domain_crash", "__builtin_unreachable", "unreachable"}
_ASSERT_TRUE = {"ASSERT", "assert", "WARN_ON_ONCE_NOT", "KASSERT", "MPASS"}  # cond holds after
_ASSERT_FALSE = {"BUG_ON"}  # cond is false after


def norm(node: Node) -> str:
    """Expression text without white space or outer parentheses."""
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return "".join(node.text.decode("utf-8", "replace").split())


def _strip(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _terms(node: Node, joiner: str) -> list[Node]:
    node = _strip(node)
    if node.type == "binary_expression" and _operator(node) == joiner:
        return _terms(node.child_by_field_name("left"), joiner) + _terms(
            node.child_by_field_name("right"), joiner
        )
    return [node]


def make_condition(cond: Node, holds: bool, kind: str) -> Condition:
    top = _strip(cond)
    joiner = _operator(top) if top.type == "binary_expression" and _operator(top) in ("&&", "||") else ""
    terms = _terms(top, joiner) if joiner else [top]
    comparisons = []
    negated, positive = [], []
    for term in terms:
        if term.type == "binary_expression" and _operator(term) in _COMPARISON_OPS:
            left, right = term.child_by_field_name("left"), term.child_by_field_name("right")
            comparisons.append((norm(left), _operator(term), norm(right)))
            if _operator(term) in ("==", "!=") and norm(right) in ("NULL", "0"):
                (negated if _operator(term) == "==" else positive).append(norm(left))
        elif term.type == "unary_expression" and _operator(term) == "!":
            negated.append(norm(term.child_by_field_name("argument")))
        elif term.type in ("identifier", "field_expression"):
            positive.append(norm(term))
    calls, identifiers = [], []
    stack = [top]
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and fn.type == "identifier":
                calls.append(fn.text.decode())
        elif node.type == "identifier":
            identifiers.append(node.text.decode())
        stack.extend(node.named_children)
    return Condition(
        text=" ".join(top.text.decode("utf-8", "replace").split()),
        holds=holds,
        kind=kind,
        comparisons=tuple(comparisons),
        joiner=joiner,
        negated_names=tuple(negated) if holds else tuple(positive),
        calls=tuple(calls),
        identifiers=tuple(identifiers),
    )


def _leaves(stmt: Node, in_loop: bool = False) -> bool:
    """Does this statement always leave the enclosing function, or never
    return, or (``in_loop``: inside the loop that holds the site) leave the
    loop's current iteration (continue, break)?"""
    stmt = _strip(stmt)
    if stmt.type in ("return_statement", "goto_statement"):
        return True
    if in_loop and stmt.type in ("continue_statement", "break_statement"):
        return True
    if stmt.type == "compound_statement":
        body = [c for c in stmt.named_children if c.type != "comment"]
        return bool(body) and _leaves(body[-1], in_loop)
    if stmt.type == "expression_statement" and stmt.named_child_count:
        expr = _strip(stmt.named_children[0])
        if expr.type == "call_expression":
            fn = expr.child_by_field_name("function")
            return fn is not None and fn.text.decode() in _EXITING_CALLS
    if stmt.type == "if_statement":
        alt = stmt.child_by_field_name("alternative")
        cons = stmt.child_by_field_name("consequence")
        if alt is None or cons is None:
            return False
        alt_body = [c for c in alt.named_children if c.type != "comment"]
        return _leaves(cons, in_loop) and bool(alt_body) and _leaves(alt_body[-1], in_loop)
    return False


_LOOPS = ("for_statement", "while_statement", "do_statement")


def _in_loop_body(block: Node) -> bool:
    """Is ``block`` a loop's body (or directly inside one, before any other
    statement kind that continue/break would leave first)?"""
    parent = block.parent
    while parent is not None and parent.type in ("compound_statement", "if_statement", "else_clause"):
        parent = parent.parent
    return parent is not None and parent.type in _LOOPS


def _checks_before(block: Node, child: Node) -> list[Condition]:
    found: list[Condition] = []
    for stmt in block.named_children:
        if stmt.start_byte >= child.start_byte:
            break
        if stmt.type == "expression_statement" and stmt.named_child_count:
            expr = _strip(stmt.named_children[0])
            if expr.type == "call_expression":
                fn = expr.child_by_field_name("function")
                args = expr.child_by_field_name("arguments")
                name = fn.text.decode() if fn is not None else ""
                if args is not None and (args.named_child_count == 1 or (
                        name in ("KASSERT", "MPASS") and args.named_child_count >= 1)):
                    if name in _ASSERT_FALSE:
                        found.append(make_condition(args.named_children[0], False, "assert"))
                    elif name in _ASSERT_TRUE:
                        found.append(make_condition(args.named_children[0], True, "assert"))
        elif stmt.type == "if_statement" and stmt.child_by_field_name("alternative") is None:
            cons = stmt.child_by_field_name("consequence")
            cond = stmt.child_by_field_name("condition")
            if cons is None or cond is None:
                continue
            in_loop = _in_loop_body(block)
            if _leaves(cons, in_loop):
                found.append(make_condition(cond, False, "early-exit"))
            elif cons.type == "compound_statement":
                found.extend(_nested_exits(cons, in_loop))
    return found


def _nested_exits(block: Node, in_loop: bool) -> list[Condition]:
    """Early exits one level inside an earlier if's block: "partial-exit"."""
    found = []
    for stmt in block.named_children:
        if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
            continue
        cons, cond = stmt.child_by_field_name("consequence"), stmt.child_by_field_name("condition")
        if cons is not None and cond is not None and _leaves(cons, in_loop):
            found.append(make_condition(cond, False, "partial-exit"))
    return found


# The walk up from a site looks at this many enclosing nodes at most: each
# step up costs the depth of the tree, and guards further out than this are
# not in code people write (a site under 50,000 nested ifs took 20 s).
MAX_ENCLOSING = 256


def conditions_at(node: Node) -> tuple[Condition, ...]:
    """Conditions known at ``node``, innermost first, up to its function."""
    found: list[Condition] = []
    child, parent = node, node.parent
    steps = 0
    while parent is not None and parent.type not in ("function_definition", "translation_unit") \
            and steps < MAX_ENCLOSING:
        steps += 1
        if parent.type == "if_statement":
            cond = parent.child_by_field_name("condition")
            if cond is not None and child.start_byte >= cond.end_byte:
                alt = parent.child_by_field_name("alternative")
                in_else = alt is not None and alt.start_byte <= child.start_byte < alt.end_byte
                found.append(make_condition(cond, not in_else, "if"))
        elif parent.type in ("while_statement", "for_statement"):
            cond = parent.child_by_field_name("condition")
            body = parent.child_by_field_name("body")
            if cond is not None and body is not None and body.start_byte <= child.start_byte:
                found.append(make_condition(cond, True, "if"))
        elif parent.type == "compound_statement":
            found.extend(reversed(_checks_before(parent, child)))
        child, parent = parent, parent.parent
    return tuple(found)

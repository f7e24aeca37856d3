"""Where an address is stored: the one question both fact layers ask of a site.

``this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[v]`` (Xen),
``per_cpu(xen_vcpu, cpu) = ...`` and ``this_cpu_write(xen_vcpu, ...)``
(Linux), ``DPCPU_SET(vcpu_info, ...)`` and ``DPCPU_ID_SET(cpu, vcpu_info,
...)`` (FreeBSD) store a legacy slot into the per-CPU pointer; the syntax
layer and the semantic layer must agree on that, so they share this code.
"""

from __future__ import annotations

from tree_sitter import Node

from analyzer.profiles import PERCPU_STORE_CALLS, PERCPU_STORE_LVALUES

from .conditions import norm


def up(node: Node) -> Node | None:
    """The parent, looking through parentheses."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    return parent


def percpu_store_target(node: Node) -> str | None:
    """Per-CPU variable that ``&<node>`` (or ``<node>`` for ``a + i``) is assigned to."""
    parent = up(node)
    if parent is not None and parent.type == "pointer_expression":
        value, holder = parent, up(parent)
    else:
        value, holder = node, parent if node.type == "binary_expression" else None
    if holder is not None and holder.type == "argument_list":
        return _call_store_target(holder, value)
    if holder is None or holder.type != "assignment_expression":
        return None
    left, right = holder.child_by_field_name("left"), holder.child_by_field_name("right")
    if left is None or right is None or right.start_byte > node.start_byte:
        return None
    if left.type != "call_expression":
        return None
    function = left.child_by_field_name("function")
    arguments = left.child_by_field_name("arguments")
    if function is None or function.text.decode() not in PERCPU_STORE_LVALUES or arguments is None:
        return None
    named = [a for a in arguments.named_children if a.type != "comment"]
    return norm(named[0]) if named else None


def _call_store_target(arguments: Node, value: Node) -> str | None:
    """The per-CPU variable a store call (``DPCPU_SET(var, value)``) writes
    ``value`` into, when ``value`` is its value argument."""
    call = arguments.parent
    if call is None or call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    where = PERCPU_STORE_CALLS.get(function.text.decode() if function is not None else "")
    if where is None:
        return None
    named = [a for a in arguments.named_children if a.type != "comment"]
    variable, value_at = where
    if len(named) <= max(variable, value_at):
        return None
    given = named[value_at]
    while given.type == "parenthesized_expression" and given.named_child_count == 1:
        given = given.named_children[0]
    if (given.start_byte, given.end_byte) != (value.start_byte, value.end_byte):
        return None
    return norm(named[variable])

"""Where an address is stored: the one question both fact layers ask of a site.

``this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[v]`` stores a legacy
slot into the per-CPU pointer; the syntax layer and the semantic layer must
agree on that, so they share this code.
"""

from __future__ import annotations

from tree_sitter import Node

from .conditions import norm

PERCPU_STORES = ("this_cpu", "per_cpu")


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
        holder = up(parent)
    else:
        holder = parent if node.type == "binary_expression" else None
    if holder is None or holder.type != "assignment_expression":
        return None
    left, right = holder.child_by_field_name("left"), holder.child_by_field_name("right")
    if left is None or right is None or right.start_byte > node.start_byte:
        return None
    if left.type != "call_expression":
        return None
    function = left.child_by_field_name("function")
    arguments = left.child_by_field_name("arguments")
    if function is None or function.text.decode() not in PERCPU_STORES or arguments is None:
        return None
    named = [a for a in arguments.named_children if a.type != "comment"]
    return norm(named[0]) if named else None

"""Semantic sites placed on the syntax tree, so rules judge them like syntax sites.

libclang proves *that* ``X->vcpu_info[i]`` indexes the shared_info page; what
holds at that point (guards) and where the address goes (the per-CPU
pointer) are read from the tree-sitter tree at the same position, exactly as
the syntax layer reads them for its own sites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from tree_sitter import Node

from .conditions import conditions_at
from .facts import Function, LegacyIndex, Site
from .stores import percpu_store_target
from .syntax import parse

if TYPE_CHECKING:  # the libclang side; not needed to place sites
    from .shared_info_flow import Extent, FlowSite



class _Source:
    """Byte-exact slices of the text libclang and tree-sitter both saw."""

    def __init__(self, text: str):
        self.data = text.encode("utf-8", "surrogateescape")
        self.starts = [0]
        for i, byte in enumerate(self.data):
            if byte == 0x0A:
                self.starts.append(i + 1)

    def offset(self, line: int, col: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.data)
        return min(self.starts[line - 1] + col - 1, len(self.data))

    def text(self, extent: Extent | None) -> str:
        if extent is None:
            return ""
        piece = self.data[self.offset(extent.line, extent.col):self.offset(extent.end_line, extent.end_col)]
        return piece.decode("utf-8", "replace")


def _compact(text: str) -> str:
    """Like conditions.norm for text: no white space, no outer parentheses."""
    text = "".join(text.split())
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return text


def _covering(root: Node, extent: Extent) -> Node:
    node = root.descendant_for_point_range((extent.line - 1, extent.col - 1),
                                           (extent.end_line - 1, max(extent.end_col - 1, 0)))
    # A site inside a macro use is reported at the macro's name: take the call.
    if node.type == "identifier" and node.parent is not None and node.parent.type == "call_expression":
        node = node.parent
    return node


def place_sites(text: str, sites: list[FlowSite],
                function_at: Callable[[int], Function | None]) -> list[LegacyIndex]:
    """LegacyIndex facts for ``sites`` (found by libclang in ``text``)."""
    tree = parse(text)
    source = _Source(text)
    placed = []
    for site in sites:
        node = _covering(tree.root, site.extent)
        function = function_at(site.extent.line)
        placed.append(LegacyIndex(
            site=Site(site.extent.line, site.extent.col, function.name if function else None),
            base=_compact(source.text(site.base)),
            index=_compact(source.text(site.index)),
            text=" ".join(source.text(site.extent).split()),
            assigned_to_percpu=percpu_store_target(node),
            guards=conditions_at(node),
            via_alias=True))
    return placed

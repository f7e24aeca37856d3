"""Facts across files: what one file's rules may ask about the others."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .frontend.facts import FileFacts, PerCpuDecl


@dataclass
class ProjectFacts:
    """The universe a check runs in: the files checked plus their context.

    ``files`` are analysed with facts; ``identifier_files`` also covers files
    that are only searched for uses (assembly, files outside the check).
    """

    files: dict[str, FileFacts] = field(default_factory=dict)
    identifier_files: dict[str, frozenset[str]] = field(default_factory=dict)
    # True when the universe is a whole tree; False for a lone patch or file
    # list, where "declared elsewhere" can only mean "in the given headers".
    whole_tree: bool = False
    _percpu: dict[str, list[tuple[str, PerCpuDecl]]] | None = None

    def add(self, facts: FileFacts) -> None:
        self.files[facts.path] = facts
        self.identifier_files[facts.path] = facts.identifiers
        self._percpu = None

    def percpu_by_name(self) -> dict[str, list[tuple[str, PerCpuDecl]]]:
        if self._percpu is None:
            index: dict[str, list[tuple[str, PerCpuDecl]]] = defaultdict(list)
            for path, facts in self.files.items():
                for decl in facts.percpu:
                    index[decl.name].append((path, decl))
            self._percpu = dict(index)
        return self._percpu

    def used_outside(self, name: str, path: str, headers_only: bool = False) -> bool:
        for other, identifiers in self.identifier_files.items():
            if other == path or (headers_only and not other.endswith(".h")):
                continue
            if name in identifiers:
                return True
        return False

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
    # path -> the identifiers it spells (FileFacts.identifiers: space-separated).
    identifier_files: dict[str, str] = field(default_factory=dict)
    # True when the universe is a whole tree; False for a lone patch or file
    # list, where "declared elsewhere" can only mean "in the given headers".
    whole_tree: bool = False
    _percpu: dict[str, list[tuple[str, PerCpuDecl]]] | None = None
    # name -> paths spelling it, for the names of file-scope objects.
    _spellers: dict[str, list[str]] | None = None

    def add(self, facts: FileFacts) -> None:
        self.files[facts.path] = facts
        self.add_context(facts.path, facts.identifiers)
        self._percpu = None

    def add_context(self, path: str, identifiers: str) -> None:
        """A file searched only for uses of names (assembly, files outside the check)."""
        self.identifier_files[path] = identifiers
        self._spellers = None

    def percpu_by_name(self) -> dict[str, list[tuple[str, PerCpuDecl]]]:
        if self._percpu is None:
            index: dict[str, list[tuple[str, PerCpuDecl]]] = defaultdict(list)
            for path, facts in self.files.items():
                for decl in facts.percpu:
                    index[decl.name].append((path, decl))
            self._percpu = dict(index)
        return self._percpu

    def used_outside(self, name: str, path: str, headers_only: bool = False) -> bool:
        """Does a file other than ``path`` spell ``name`` (only headers: declare it)?"""
        spellers = self._spellers_of(name)
        return any(other != path and (not headers_only or other.endswith(".h"))
                   for other in spellers)

    def _spellers_of(self, name: str) -> list[str]:
        # Rules ask about file-scope objects; one pass over every file's
        # identifiers answers for all of them at once (a set intersection per
        # file), where asking file by file would split each file per name.
        if self._spellers is None:
            wanted = {obj.name for facts in self.files.values() for obj in facts.objects}
            spellers: dict[str, list[str]] = {name: [] for name in wanted}
            for path, identifiers in self.identifier_files.items():
                for spelled in wanted.intersection(identifiers.split()):
                    spellers[spelled].append(path)
            self._spellers = spellers
        if name not in self._spellers:  # not an object's name: one scan for it alone
            self._spellers[name] = [path for path, identifiers in self.identifier_files.items()
                                    if name in identifiers.split()]
        return self._spellers[name]

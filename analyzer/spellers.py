"""Which files spell the names rules ask about, searched while facts are gathered.

Rule XL106 asks, of every object with external linkage in a .c file,
whether another file spells its name (project.asked_names).  Going over the
words of every file for those names took one process 30 ms on Xen 4.17,
after every fact was in.  The names are known as soon as the files that
give them (the .c files) have their facts, so gathering takes those first,
and from then on each process searches the words of the files it analysed
while the work is still spread over processes (facts_pool).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from .frontend.facts import FileFacts


@dataclass(frozen=True)
class Question:
    """The names to search for: ``names_of`` the facts of each file whose
    path ``gives`` names."""

    gives: Callable[[str], bool]
    names_of: Callable[[FileFacts], Iterable[str]]


class SpellerSearch:
    """One process's share of the search, by file index; then everyone's."""

    def __init__(self) -> None:
        self.names: frozenset[str] | None = None  # None until every giving file has facts
        self.found: dict[str, list[int]] = {}  # name -> indices of the files spelling it
        self.searched: list[int] = []
        self._waiting: list[tuple[int, str]] = []  # (index, identifiers) met before the names

    def add(self, index: int, identifiers: str) -> None:
        """File ``index`` spells ``identifiers`` (FileFacts.identifiers)."""
        if self.names is None:
            self._waiting.append((index, identifiers))
        else:
            self._search(index, identifiers)

    def learn(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        for index, identifiers in self._waiting:
            self._search(index, identifiers)
        self._waiting.clear()

    def merge(self, found: dict[str, list[int]], searched: list[int]) -> None:
        """Another process's share."""
        for name, indices in found.items():
            self.found.setdefault(name, []).extend(indices)
        self.searched.extend(searched)

    def _search(self, index: int, identifiers: str) -> None:
        assert self.names is not None
        for name in self.names.intersection(identifiers.split()):
            self.found.setdefault(name, []).append(index)
        self.searched.append(index)

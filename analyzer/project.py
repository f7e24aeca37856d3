"""Facts across files: what one file's rules may ask about the others."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from .frame import PROGRAM, Frame
from .frontend.facts import Call, FileFacts, PerCpuDecl
from .profiles import Profile, profile_for
from .programs import in_kernel, same_image


@dataclass
class ProjectFacts:
    """The universe a check runs in: the files checked plus their context.

    ``files`` are analysed with facts; ``identifier_files`` also covers files
    that are only searched for uses (assembly, files outside the check).
    """

    files: dict[str, FileFacts] = field(default_factory=dict)
    # path -> the identifiers it spells (FileFacts.identifiers: space-separated).
    identifier_files: dict[str, str] = field(default_factory=dict)
    # What the check sees of the program, and the profile settings (frame.Frame).
    frame: Frame = Frame()
    # Files of the rest of the checkout searched for asked names (frame.search_rest).
    searched_outside: int = 0
    # Profile name -> files it judged in the last run_rules (checker.profile_note).
    judged: Counter = field(default_factory=Counter)
    _percpu: dict[str, list[tuple[str, PerCpuDecl]]] | None = None
    _returns: dict[str, bool] | None = None
    _calls: dict[str, list[tuple[str, Call]]] | None = None
    # name -> paths spelling it, for the names rules asked about.
    _spellers: dict[str, list[str]] | None = None

    def add(self, facts: FileFacts) -> None:
        self.files[facts.path] = facts
        self.add_context(facts.path, facts.identifiers)
        self._percpu = self._returns = self._calls = None

    @property
    def uses_in_sight(self) -> str:
        """What "used outside this file" can see: frame.PROGRAM, PATCH or FILES."""
        return self.frame.scope

    def profile_of(self, facts: FileFacts) -> Profile:
        """The guest profile a file is judged with (profiles.profile_for)."""
        return profile_for(self.frame.relative(facts.path), frozenset(facts.markers),
                           self.frame.profiles.choice, self.frame.kind)

    def rule_applies(self, rule_id: str, facts: FileFacts) -> bool:
        """Is ``rule_id`` on for this file: not off by its profile's default,
        unless turned on by name?"""
        if rule_id in self.frame.profiles.explicit:
            return True
        return all(off != rule_id for off, _ in self.profile_of(facts).default_off)

    def in_kernel(self, path: str) -> bool:
        """Is the file at ``path`` part of the tree's kernel (programs.in_kernel)?"""
        return in_kernel(self.frame.relative(path))

    def same_image(self, a: str, b: str) -> bool:
        """Can files ``a`` and ``b`` be linked into one image (programs.same_image)?"""
        return same_image(self.frame.relative(a), self.frame.relative(b))

    def returns_value(self, name: str) -> bool | None:
        """Does function ``name`` return a value, by its definition or a
        declaration anywhere in the project (None: neither is seen)?"""
        if self._returns is None:
            returns: dict[str, bool] = {}
            for facts in self.files.values():
                for fn in facts.prototypes:
                    returns.setdefault(fn.name, not fn.returns_void)
                for fn in facts.functions:
                    returns[fn.name] = not fn.returns_void  # a definition wins
            self._returns = returns
        return self._returns.get(name)

    def calls_to(self, name: str) -> list[tuple[str, Call]]:
        """(path, call) of every recorded call of ``name`` in the project."""
        if self._calls is None:
            calls: dict[str, list[tuple[str, Call]]] = defaultdict(list)
            for path, facts in self.files.items():
                for call in facts.calls:
                    calls[call.name].append((path, call))
            self._calls = dict(calls)
        return self._calls.get(name, [])

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

    def prepare(self, paths: Iterable[str]) -> None:
        """Index what rules will ask about the files in ``paths``: which files
        spell the names of their external objects (asked_names), in sight
        and, when the frame says so, in the rest of the checkout."""
        asked = {name for path in paths for name in asked_names(self.files[path])}
        self.index_uses(asked)
        if self.frame.searches_rest() and self.frame.scope == PROGRAM:
            # Only names no other file in sight spells need the search.
            lonely = {name for name in asked if len(self._spellers.get(name, ())) < 2}
            if lonely:
                found, self.searched_outside = self.frame.search_rest(lonely)
                for name, paths_found in found.items():
                    self._spellers[name] = self._spellers.get(name, []) + paths_found

    def index_uses(self, names: set[str]) -> None:
        """Find the files spelling each of ``names``.

        Many names (a whole tree: hundreds of objects) take one pass that
        splits every file's identifiers once and intersects; a few names (a
        patch against a tree) take a substring search per file and name,
        confirmed as a whole word only where the substring is found.
        """
        spellers = self._spellers if self._spellers is not None else {}
        self._spellers = spellers
        names = {name for name in names if name not in spellers}
        if len(names) > _FEW_NAMES:
            found: dict[str, list[str]] = {name: [] for name in names}
            for path, identifiers in self.identifier_files.items():
                for spelled in names.intersection(identifiers.split()):
                    found[spelled].append(path)
            spellers.update(found)
            return
        for name in names:
            spellers[name] = [path for path, identifiers in self.identifier_files.items()
                              if name in identifiers and _spells(identifiers, name)]

    def used_outside(self, name: str, path: str, headers_only: bool = False) -> bool:
        """Does a file other than ``path``, of a program linked with it
        (programs.same_image), spell ``name`` (only headers: declare it)?"""
        if self._spellers is None or name not in self._spellers:
            self.index_uses({name})
        return any(other != path and (not headers_only or other.endswith(".h"))
                   and self.same_image(path, other) for other in self._spellers[name])


def asked_names(facts: FileFacts) -> set[str]:
    """The names rules ask "does another file spell it?" about: objects with
    external linkage defined in a .c file (rule XL106)."""
    if facts.is_header:
        return set()
    return {obj.name for obj in facts.objects if not (obj.is_static or obj.is_extern)}


# Up to this many names, a substring search per file and name beats
# splitting every file's identifiers.
_FEW_NAMES = 64


def _spells(identifiers: str, name: str) -> bool:
    """Is ``name`` one of the space-separated ``identifiers``?"""
    at = identifiers.find(name)
    end = len(name)
    while at >= 0:
        if (at == 0 or identifiers[at - 1] == " ") and \
                (at + end == len(identifiers) or identifiers[at + end] == " "):
            return True
        at = identifiers.find(name, at + 1)
    return False

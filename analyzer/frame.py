"""The frame of a check: what it sees of the program its files belong to,
and which guest's vocabulary judges them.

Rules judge one file at a time but ask about the rest of its program ("does
any other file use this name?", "which guest is this?").  The answers
depend on how the files were given: a whole tree, files inside a checkout
(whose rest is searched), files alone, or a patch alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .inputs.checkout import Checkout, checkout_of, search_names
from .profiles import ProfileSettings, profile_by_place

# What "used outside this file" can see.
PROGRAM = "program"  # every file of the program: a tree, or files plus the rest of their checkout
PATCH = "patch"  # a patch alone: only the headers given with it
FILES = "files"  # files alone, with no checkout above them: not decidable


@dataclass(frozen=True)
class Frame:
    scope: str = PROGRAM
    # The checkout the files are in (its kind picks the profile of files
    # that say nothing of themselves; paths are judged relative to its top).
    checkout: Checkout | None = None
    # The folder relative file names are relative to (the tree of a patch,
    # a git repository's top, else the working directory).
    names_from: str = ""
    # When the files in sight are part of ``checkout``: those folders and
    # files, the rest of the checkout being searched for asked names.
    in_sight: tuple[str, ...] = ()
    profiles: ProfileSettings = ProfileSettings()

    @property
    def kind(self) -> str | None:
        return self.checkout.kind if self.checkout is not None else None

    def relative(self, path: str) -> str:
        """``path`` (a file name of the check) relative to the checkout's top,
        so that folders above it (a checkout kept in ~/scripts/) mean nothing."""
        if self.checkout is None:
            return path
        top = self._top_prefix
        if path.startswith(top):  # the common case, without a system call
            return path[len(top):]
        absolute = os.path.join(self.names_from or os.getcwd(), path)
        if absolute.startswith(top) and ".." not in absolute:
            return absolute[len(top):]
        rel = os.path.relpath(absolute, self.checkout.top)
        return path if rel.startswith("..") else rel

    @property
    def _top_prefix(self) -> str:
        return str(self.checkout.top).rstrip("/") + "/"

    def may_apply(self, rule_id: str, path: str) -> bool:
        """Can ``rule_id`` be on for the file at ``path``, as far as its place
        tells before it is read (a profile's default_off, unless named)?"""
        if rule_id in self.profiles.explicit:
            return True
        profile = profile_by_place(self.relative(path), self.profiles.choice, self.kind)
        return profile is None or all(off != rule_id for off, _ in profile.default_off)

    def searches_rest(self) -> bool:
        return bool(self.in_sight) and self.checkout is not None

    def search_rest(self, names: set[str]) -> tuple[dict[str, list[str]], int]:
        """({name: files of the rest of the checkout spelling it}, files searched)."""
        return search_names(self.checkout, names, [Path(p) for p in self.in_sight])

    def for_patch_alone(self) -> Frame:
        return replace(self, scope=PATCH, checkout=None, in_sight=())

    def key(self) -> str:
        """What of the frame a cached answer depends on."""
        top = str(self.checkout.top) if self.checkout is not None else ""
        return f"{self.scope}|{self.kind}|{top}|{','.join(self.in_sight)}|{self.profiles.key()}"


def frame_for_paths(paths: list[Path], tree_dir: Path | None, profiles: ProfileSettings) -> Frame:
    """The frame of ``xenlint check PATH... [--tree DIR]``.

    --tree is the program.  Else files, and folders inside a Xen, Linux or
    FreeBSD tree, are part of the checkout above them, whose rest is
    searched; a folder in any other place (a git repository of anything) is
    taken as the whole program; files with no checkout above them cannot
    say what is used elsewhere.
    """
    cwd = os.getcwd()
    if tree_dir is not None:
        checkout = checkout_of(tree_dir)
        if checkout is None or not _covers([tree_dir], checkout.top):
            checkout = Checkout(Path(os.path.abspath(tree_dir)), checkout.kind if checkout else None, False)
        return Frame(PROGRAM, checkout, cwd, profiles=profiles)
    checkout = checkout_of(paths[0])
    folders = [p for p in paths if p.is_dir()]
    if checkout is not None and (checkout.kind is not None or not folders):
        if _covers(paths, checkout.top):
            return Frame(PROGRAM, checkout, cwd, profiles=profiles)
        return Frame(PROGRAM, checkout, cwd, tuple(os.path.abspath(p) for p in paths), profiles)
    if folders:
        return Frame(PROGRAM, Checkout(Path(os.path.abspath(folders[0])), None, False), cwd,
                     profiles=profiles)
    return Frame(FILES, None, cwd, profiles=profiles)


def frame_for_tree(top: Path, profiles: ProfileSettings) -> Frame:
    """The frame of a whole tree whose file names are relative to ``top``
    (a patch's --tree, git's index or a revision)."""
    checkout = checkout_of(top)
    if checkout is None or not _covers([top], checkout.top):
        checkout = Checkout(Path(os.path.abspath(top)), checkout.kind if checkout else None, False)
    return Frame(PROGRAM, checkout, str(top), profiles=profiles)


def _covers(paths: list[Path], top: Path) -> bool:
    return any(os.path.abspath(p) == str(top) for p in paths)

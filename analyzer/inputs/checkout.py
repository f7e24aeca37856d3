"""The checkout a checked path belongs to, and searching the rest of it for names.

A file or folder given alone is usually part of a larger program: rules
that ask "does any other file use this name?" (XL106) must look at the rest
of it, and the guest profile of a file follows the kind of tree it is in
(every file of a Linux tree is Linux code, words or not).  The top is the
nearest folder above that looks like the top of a Xen, Linux or FreeBSD
tree, else the nearest holding ``.git``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

from .trees import C_SUFFIXES, CONTEXT_SUFFIXES, DiskTree

# What the top of each kind of tree holds: (files, folders).
_MARKERS = (
    ("linux", ("Kbuild", "Kconfig"), ("arch", "kernel", "mm")),
    ("xen", ("Config.mk",), ("xen", "tools")),
    ("freebsd", (), ("sys/kern", "sys/conf")),  # a src checkout
    ("freebsd", (), ("kern", "conf", "vm")),  # its sys/ folder alone
)


@dataclass(frozen=True)
class Checkout:
    top: Path  # absolute, not resolved through symlinks
    kind: str | None  # "xen", "linux", "freebsd", or None (a git checkout of anything else)
    git: bool  # a git work tree: searched with git grep


def kind_at(directory: Path) -> str | None:
    """The kind of tree whose top ``directory`` is, or None."""
    for kind, files, folders in _MARKERS:
        if all((directory / f).is_file() for f in files) and all((directory / d).is_dir() for d in folders):
            return kind
    return None


def checkout_of(path: Path) -> Checkout | None:
    """The checkout ``path`` is in: the nearest tree top above it, else the
    nearest folder holding .git; None when neither is found."""
    start = Path(os.path.abspath(path))
    if not start.is_dir():
        start = start.parent
    git_top = None
    for directory in (start, *start.parents):
        kind = kind_at(directory)
        if kind is not None:
            return Checkout(directory, kind, (directory / ".git").exists())
        if git_top is None and (directory / ".git").exists():
            git_top = directory
    return Checkout(git_top, None, True) if git_top is not None else None


def _is_below(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def search_names(checkout: Checkout, names: set[str], in_sight: list[Path]) -> tuple[dict[str, list[str]], int]:
    """({name: absolute paths of the files spelling it}, files searched) over
    the C, assembly and linker-script files of ``checkout`` outside the
    folders and files ``in_sight`` (those are read already)."""
    roots = [os.path.abspath(p) for p in in_sight]
    found: dict[str, list[str]] = {name: [] for name in names}
    if not names:
        return found, 0
    if checkout.git and shutil.which("git"):
        searched = _git_grep(checkout.top, sorted(names), roots, found)
        if searched is not None:
            return found, searched
    return found, _scan(checkout.top, names, roots, found)


_SUFFIX_SPECS = [f"*{suffix}" for suffix in C_SUFFIXES + CONTEXT_SUFFIXES]


def _git_grep(top: Path, names: list[str], roots: list[str], found: dict[str, list[str]]) -> int | None:
    """git grep over tracked and untracked (not ignored) files; None when git fails."""
    command = ["git", "-C", str(top), "grep", "-I", "-w", "-F", "-o", "--untracked", "--null",
               "--no-color"]
    for name in names:
        command += ["-e", name]
    try:
        proc = subprocess.run(command + ["--", *_SUFFIX_SPECS], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode not in (0, 1):  # 1: nothing matched
        return None
    files = set()
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        rel, _, name = line.partition("\0")
        path = os.path.join(str(top), rel)
        if name in found and not _is_below(path, roots):
            files.add(path)
            if not found[name] or found[name][-1] != path:
                found[name].append(path)
    listed = subprocess.run(["git", "-C", str(top), "ls-files", "-co", "--exclude-standard", "--",
                             *_SUFFIX_SPECS], capture_output=True, timeout=300)
    return listed.stdout.count(b"\n") if listed.returncode == 0 else len(files)


def _scan(top: Path, names: set[str], roots: list[str], found: dict[str, list[str]]) -> int:
    """Read every C and assembly file below ``top`` not in sight (DiskTree's
    rules: regular files, links only inside, size-limited)."""
    tree = DiskTree([top])
    encoded = {name: name.encode() for name in names}
    searched = 0
    for file in tree.files:
        path = str(tree.path(file.name))
        if _is_below(os.path.abspath(path), roots):
            continue
        searched += 1
        try:
            data = tree.read(file.name)
        except InputError:  # unreadable: as if it spelled nothing (listed in tree.skipped)
            continue
        for name, raw in encoded.items():
            if raw in data and re.search(rb"(?<![A-Za-z0-9_])" + re.escape(raw) + rb"(?![A-Za-z0-9_])", data):
                found[name].append(os.path.abspath(path))
    return searched

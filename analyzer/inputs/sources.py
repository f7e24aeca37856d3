"""C files and trees: finding them and reading them as text."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import InputError

C_SUFFIXES = (".c", ".h")
# Searched for uses of symbols (XL106) but not linted.
CONTEXT_SUFFIXES = (".S", ".s", ".lds", ".ld")
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules"}


def decode_source(data: bytes, name: str) -> str:
    """Text of a C file; binary data is not C."""
    if b"\0" in data[:65536]:
        raise InputError(name, "binary file, not C source")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old Xen files carry Latin-1 names in comments; the code is ASCII.
        return data.decode("latin-1")


def read_input(path: Path, directory: str = "is a directory") -> bytes:
    """The bytes of an input file; an unreadable one is an InputError naming it."""
    try:
        with open(path, "rb") as file:  # Path.read_bytes adds a third to a small file's cost
            return file.read()
    except IsADirectoryError:
        raise InputError(str(path), directory) from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None


def read_source(path: Path) -> str:
    return decode_source(read_input(path), str(path))


@dataclass
class FileSelection:
    """The C files a check covers, plus what it skipped and why."""

    files: list[Path] = field(default_factory=list)
    context: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def walk_tree(root: Path, skipped: list[Path] | None = None) -> tuple[list[Path], list[Path]]:
    """(C files, context files) below ``root``, in a stable order.

    Files that are neither are appended to ``skipped`` when it is given.
    """
    c_files, context = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        folder = Path(dirpath)  # joining to it parses only the name: half the cost
        for name in sorted(filenames):
            if name.endswith(C_SUFFIXES):
                c_files.append(folder / name)
            elif name.endswith(CONTEXT_SUFFIXES):
                context.append(folder / name)
            elif skipped is not None:
                skipped.append(folder / name)
    return c_files, context


def select_files(paths: list[str]) -> FileSelection:
    selection = FileSelection()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(raw, "no such file or directory")
        if path.is_dir():
            skipped: list[Path] = []
            c_files, context = walk_tree(path, skipped)
            if not c_files:
                raise InputError(raw, "directory contains no C files (*.c, *.h)")
            if skipped:
                sample = ", ".join(str(p.relative_to(path)) for p in skipped[:3])
                selection.notes.append(f"{raw}: skipped {len(skipped)} file(s) that are not C "
                                       f"({sample}{', ...' if len(skipped) > 3 else ''})")
            selection.files.extend(c_files)
            selection.context.extend(context)
        elif path.suffix in C_SUFFIXES:
            if not os.access(path, os.R_OK):
                raise InputError(raw, "permission denied")
            selection.files.append(path)
        else:
            raise InputError(raw, "not a C source file (expected *.c or *.h)")
    return selection


class SourceTexts(Mapping):
    """Checked files' texts by display name, each read on first use.

    ``marked`` names the files that hold a suppression marker when that is
    known without reading them (an unchanged tree), else it is None and a
    reader looks at every text.
    """

    def __init__(self, paths: dict[str, Path], texts: dict[str, str] | None = None,
                 marked: set[str] | None = None):
        self._paths = paths
        self._texts = dict(texts or {})
        self.marked = marked

    def __getitem__(self, name: str) -> str:
        text = self._texts.get(name)
        if text is None:
            text = self._texts[name] = read_source(self._paths[name])
        return text

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

"""compile_commands.json: which files the semantic layer may parse, and how.

Reading the database needs no libclang (plain JSON), so finding out that no
file is in it costs nothing at start-up.  Only the arguments that change what
the preprocessor and the parser see are kept: include paths, macros, forced
includes, the language standard and the target.  Compiler options for code
generation (many of them GCC-only, which clang would reject) are dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.inputs.sources import read_input

DATABASE_NAME = "compile_commands.json"

# Options whose argument is a path: "-Idir" or "-I dir", "-include file".
# Longest first, so "-isystem" is not read as "-i" + "system".
_PATH_OPTIONS = ("--sysroot", "-idirafter", "-isysroot", "-isystem", "-imacros", "-include",
                 "-iquote", "-I")
# Options whose argument is a name or value.
_VALUE_OPTIONS = ("-target", "-D", "-U", "-x")
# Options written with "=" and kept as they are.
_KEPT_PREFIXES = ("-std=", "--target=", "--sysroot=")
# Flags kept as they are.
_KEPT_FLAGS = frozenset({"-nostdinc", "-nostdlibinc", "-m32", "-m64", "-mx32", "-ffreestanding",
                         "-fno-builtin", "-funsigned-char", "-fsigned-char", "-fshort-wchar",
                         "-fms-extensions", "-fno-common", "-ansi"})


@dataclass(frozen=True)
class CompileEntry:
    file: Path  # absolute, resolved
    directory: Path  # absolute working directory of the compilation
    arguments: tuple[str, ...]  # for libclang: parse-relevant options, paths made absolute


def _raw_arguments(entry: dict, source: str) -> list[str]:
    if isinstance(entry.get("arguments"), list):
        return [str(a) for a in entry["arguments"]]
    if isinstance(entry.get("command"), str):
        try:
            import shlex

            return shlex.split(entry["command"])
        except ValueError as exc:
            raise InputError(source, f"unreadable 'command' for {entry.get('file')}: {exc}") from None
    raise InputError(source, f"entry for {entry.get('file')!r} has neither 'arguments' nor 'command'")


def parse_arguments(raw: list[str], directory: Path) -> tuple[str, ...]:
    """The parse-relevant subset of a compiler command line (argv[0] excluded)."""
    kept: list[str] = []
    args = raw[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.startswith(_KEPT_PREFIXES) or arg in _KEPT_FLAGS:
            kept.append(arg)
            continue
        option = next((o for o in _PATH_OPTIONS + _VALUE_OPTIONS if arg.startswith(o)), None)
        if option is None:
            continue  # code generation, warnings, -c, -o FILE's "-o", the source itself
        if arg == option:
            if i >= len(args):
                break
            value = args[i]
            i += 1
        else:
            value = arg[len(option):]
        if option in _PATH_OPTIONS and not os.path.isabs(value):
            value = os.path.normpath(directory / value)
        kept.extend((option, value))
    return tuple(kept)


class CompileDatabase:
    """The entries of one compile_commands.json, by resolved source path."""

    def __init__(self, path: Path, entries: dict[Path, CompileEntry]):
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, path: Path) -> "CompileDatabase":
        import json  # only when there is a database

        source = str(path)
        raw = read_input(path)
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(source, f"not a JSON compilation database ({exc})") from None
        if not isinstance(data, list):
            raise InputError(source, "not a JSON compilation database (expected a list of entries)")
        entries: dict[Path, CompileEntry] = {}
        base = path.resolve().parent
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) \
                    or not isinstance(entry.get("directory"), str):
                raise InputError(source, "every entry needs 'directory' and 'file' strings")
            # The format wants an absolute directory; a relative one is taken
            # from the database's own folder, so fixtures can travel.
            directory = base / entry["directory"]
            file = (directory / entry["file"]).resolve()
            arguments = parse_arguments(_raw_arguments(entry, source), directory)
            entries.setdefault(file, CompileEntry(file, directory, arguments))
        return cls(path, entries)

    @classmethod
    def find(cls, explicit: str | None, *candidates: Path | None) -> "CompileDatabase | None":
        """The database given with --compile-commands, else one at a checked tree's top."""
        if explicit:
            path = Path(explicit)
            if path.is_dir():
                path = path / DATABASE_NAME
            if not path.is_file():
                raise InputError(explicit, "no such compilation database")
            return cls.load(path)
        for folder in candidates:
            if folder is not None and (folder / DATABASE_NAME).is_file():
                return cls.load(folder / DATABASE_NAME)
        return None

    def entry_for(self, path: Path) -> CompileEntry | None:
        return self.entries.get(path.resolve())

    def __len__(self) -> int:
        return len(self.entries)

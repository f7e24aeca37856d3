"""Semantic layer: libclang on files a compile_commands.json says how to build.

It runs after the syntax layer and only adds facts: legacy vcpu_info indexes
whose base is an alias of the shared_info page that names alone cannot show
(a parameter, a struct field, a typedef'd pointer, a macro).  Their guards
come from the syntax tree at the same position, so the rules judge them like
any other site.  A file libclang cannot compile, or whose AST lacks function
bodies the syntax layer sees, is recorded as a semantic failure and keeps its
syntax facts.

libclang is loaded only when a layer is built (a database is in play); a
missing or broken library is then a one-line ToolMissing.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from analyzer.errors import ToolMissing

from .compiledb import CompileDatabase
from .facts import FileFacts

# Overrides the library the libclang wheel ships (e.g. a distribution's).
LIBRARY_VARIABLE = "XENLINT_LIBCLANG"
_INSTALL_HINT = ("the semantic layer (--compile-commands) needs the libclang shared library: "
                 f"reinstall it with 'pip install --force-reinstall libclang' or set "
                 f"{LIBRARY_VARIABLE} to a libclang.so")


def load_libclang():
    """(cindex module, Index), or ToolMissing in one line."""
    try:
        from clang import cindex
    except ImportError as exc:
        raise ToolMissing("libclang", f"{_INSTALL_HINT} ({exc})") from None
    library = os.environ.get(LIBRARY_VARIABLE)
    if library and not cindex.Config.loaded:
        cindex.Config.set_library_file(library)
    try:
        return cindex, cindex.Index.create()
    except (cindex.LibclangError, OSError, AttributeError) as exc:
        # libclang's own message goes on to advise Python calls; keep its first sentence
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].split(". ")[0]
        raise ToolMissing("libclang", f"{_INSTALL_HINT} ({first})") from None


class SemanticLayer:
    """libclang over the files of one compile database.

    ``root`` is the folder the checked paths are relative to (``--tree`` for
    a patch); ``unsaved`` maps checked paths to the text libclang must see
    instead of the disk (a patch's images: the tree is never written).
    """

    def __init__(self, database: CompileDatabase, root: Path | None = None,
                 unsaved: dict[str, str] | None = None, *, _shared=None):
        self.database = database
        self.root = root
        self.unsaved = dict(unsaved or {})
        if _shared is None:
            cindex, index = load_libclang()
            _shared = {"cindex": cindex, "index": index, "skipped": set()}
        self._shared = _shared

    def with_images(self, texts: dict[str, str]) -> "SemanticLayer":
        """The same layer seeing ``texts`` (checked path -> text) instead of the disk."""
        return SemanticLayer(self.database, self.root, texts, _shared=self._shared)

    @property
    def skipped(self) -> set[str]:
        """Checked files not in the database: syntax layer only."""
        return self._shared["skipped"]

    def disk_path(self, path: str) -> Path:
        candidate = Path(path)
        if self.root is not None and not candidate.is_absolute():
            candidate = self.root / candidate
        return candidate.absolute()

    def enrich(self, facts: FileFacts, text: str, stats) -> None:
        """Add semantic facts to ``facts`` (the syntax layer's, for ``text``)."""
        entry = self.database.entry_for(self.disk_path(facts.path))
        if entry is None:
            self.skipped.add(facts.path)
            return
        stats.semantic_files += 1
        main = str(entry.file)
        unsaved = [(main, text)]
        for path, other in self.unsaved.items():
            disk = str(self.disk_path(path).resolve())
            if disk != main:
                unsaved.append((disk, other))
        cindex = self._shared["cindex"]
        # A site spells vcpu_info in this file (or a page name, for macros
        # that index it); the flow walk and the macro record it needs are the
        # costly part, so only such files get them.
        follow = "vcpu_info" in text or "shared_info" in text

        def parse(detailed: bool):
            return self._shared["index"].parse(
                main, list(entry.arguments) + ["-fsyntax-only"], unsaved_files=unsaved,
                options=cindex.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD if detailed else 0)

        try:
            tu = parse(follow)
            failure = _compile_errors(tu)
            if failure is None and not follow and _missing_functions(tu, main, facts, cindex):
                tu = parse(True)  # skipped #if regions are recorded only in the detailed record
            failure = failure or _missing_functions(tu, main, facts, cindex)
        except cindex.TranslationUnitLoadError as exc:
            stats.semantic_failures[facts.path] = f"libclang could not parse it ({exc})"
            return
        if failure:
            stats.semantic_failures[facts.path] = failure
        facts.layer = "semantic"
        if follow:
            from .shared_info_flow import SharedInfoFlow

            _merge(facts, text, SharedInfoFlow(tu, main, text).run())


def _compile_errors(tu) -> str | None:
    errors = [d for d in tu.diagnostics if d.severity >= 3]  # Error, Fatal
    if not errors:
        return None
    first = errors[0]
    where = first.location
    place = f"{Path(where.file.name).name}:{where.line}: " if where.file is not None else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{len(errors)} compile error{'s' if len(errors) != 1 else ''}: {place}{first.spelling}{more}"


def _missing_functions(tu, main: str, facts: FileFacts, cindex) -> str | None:
    """Functions the syntax layer sees that libclang's AST silently lacks.

    Each must lie in a function libclang defines (tree-sitter may take a
    macro loop for one) or in a region the preprocessor skipped (configured
    out: the configuration speaking, not a failure).
    """
    covered = [(c.extent.start.line, c.extent.end.line) for c in tu.cursor.get_children()
               if c.kind == cindex.CursorKind.FUNCTION_DECL and c.is_definition()
               and c.location.file is not None and c.location.file.name == main]
    covered += _skipped_lines(tu, main, cindex)
    missing = sorted({fn.name for fn in facts.functions
                      if not any(first <= fn.line <= last for first, last in covered)})
    if not missing:
        return None
    shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
    return (f"libclang's AST lacks {len(missing)} function bod{'ies' if len(missing) != 1 else 'y'} "
            f"the syntax layer sees: {shown}")


def _skipped_lines(tu, main: str, cindex) -> list[tuple[int, int]]:
    """Line ranges of the main file the preprocessor skipped (#if 0, unset CONFIG_)."""
    lib = cindex.conf.lib
    get = getattr(lib, "clang_getSkippedRanges", None)
    if get is None:
        return []

    class RangeList(ctypes.Structure):
        _fields_ = [("count", ctypes.c_uint), ("ranges", ctypes.POINTER(cindex.SourceRange))]

    get.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    get.restype = ctypes.POINTER(RangeList)
    lib.clang_disposeSourceRangeList.argtypes = [ctypes.POINTER(RangeList)]
    lib.clang_disposeSourceRangeList.restype = None
    file = cindex.File.from_name(tu, main)
    found = get(tu._as_parameter_, file._as_parameter_ if hasattr(file, "_as_parameter_") else file)
    if not found:
        return []
    try:
        ranges = found.contents
        return [(ranges.ranges[i].start.line, ranges.ranges[i].end.line) for i in range(ranges.count)]
    finally:
        lib.clang_disposeSourceRangeList(found)


def _merge(facts: FileFacts, text: str, sites) -> None:
    """Add the sites the syntax layer did not see (same line and column: seen)."""
    seen = {(s.site.line, s.site.col) for s in facts.legacy_indexes}
    new = {(s.extent.line, s.extent.col): s for s in sites}
    new = [s for key, s in sorted(new.items()) if key not in seen]
    if new:
        from .semantic_sites import place_sites

        facts.legacy_indexes.extend(place_sites(text, new, facts.function_at))

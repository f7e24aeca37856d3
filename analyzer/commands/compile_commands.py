"""--compile-commands: the semantic layer's options, shared by check and check-patch.

Cheap to import: the database is read, and libclang loaded, only in run().
"""

from __future__ import annotations

from pathlib import Path


def add_semantic_arguments(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--compile-commands", metavar="FILE",
                       help="compile_commands.json for the semantic layer (libclang); by default "
                            "one at the top of --tree or of a checked directory is used")
    group.add_argument("--no-compile-commands", action="store_true",
                       help="syntax layer only, even when a compile_commands.json is found")


def semantic_layer(args, root: Path | None, *candidates: Path | None, patch: bool = False):
    """(SemanticLayer or None, notes) for this run; libclang loads only if a database is found.

    For a patch, ``root`` is --tree; without it there are only hunks, which
    no compiler can parse, so the layer is off.
    """
    explicit = getattr(args, "compile_commands", None)
    if getattr(args, "no_compile_commands", False):
        return None, []
    if patch and root is None:
        if explicit:
            from analyzer.errors import InputError

            raise InputError("--compile-commands", "needs --tree: a patch's hunks alone cannot be compiled")
        return None, []
    from analyzer.frontend.compiledb import CompileDatabase

    database = CompileDatabase.find(explicit, *candidates)
    if database is None:
        return None, []
    from analyzer.frontend.semantic import SemanticLayer

    notes = [] if explicit else [f"semantic layer: using {database.path} "
                                 f"({len(database)} files; --no-compile-commands to skip)"]
    return SemanticLayer(database, root=root), notes


def semantic_report(layer) -> tuple[dict, list[str]]:
    """Stats and a note on the checked files the database has no entry for."""
    if layer is None:
        return {}, []
    skipped = sorted(layer.skipped)
    if not skipped:
        return {"semantic_skipped_files": 0}, []
    shown = ", ".join(skipped[:10]) + (f" (+{len(skipped) - 10} more)" if len(skipped) > 10 else "")
    return {"semantic_skipped_files": len(skipped)}, [
        f"semantic layer: {len(skipped)} checked file{'s' if len(skipped) != 1 else ''} not in "
        f"{layer.database.path.name} (headers, files not built), syntax layer only: {shown}"]

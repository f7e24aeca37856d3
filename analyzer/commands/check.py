"""xenlint check PATH...: lint C files and trees."""

from __future__ import annotations

from pathlib import Path

from .common import add_output_arguments, emit, exit_code, selected_rules

HELP = "check C files and directories (recursing into *.c and *.h)"


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="C files or directories")
    parser.add_argument("--tree", metavar="DIR",
                        help="the tree the files belong to: searched for uses and declarations")
    add_output_arguments(parser)


def run(args) -> int:
    from analyzer.checker import check_selection
    from analyzer.errors import InputError
    from analyzer.inputs.sources import select_files, walk_tree
    from analyzer.reporters import Report

    selection = select_files(args.paths)
    for path, raw in ((Path(p), p) for p in args.paths):
        if path.is_file() and path.stat().st_size == 0:
            raise InputError(raw, "empty file")
    whole_tree = any(Path(p).is_dir() for p in args.paths)
    if args.tree:
        tree = Path(args.tree)
        if not tree.is_dir():
            raise InputError(args.tree, "not a directory")
        chosen = {p.resolve() for p in selection.files}
        c_files, context = walk_tree(tree)
        selection.context.extend(p for p in c_files + context if p.resolve() not in chosen)
        whole_tree = True
    result = check_selection(selection, selected_rules(args), whole_tree=whole_tree)
    stats = result.stats
    report = Report(result.findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures},
                    notes=result.notes)
    emit(report, args)
    return exit_code(result.findings, args.fail_on)

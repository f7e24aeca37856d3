"""xenlint check-patch FILE|-: lint what a patch brings in."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import add_output_arguments, emit, exit_code, selected_rules

HELP = "check a patch (diff, format-patch file, mail or archive page; '-' for stdin)"


def add_arguments(parser) -> None:
    parser.add_argument("patch", metavar="FILE", help="the patch, or - to read standard input")
    parser.add_argument("--tree", metavar="DIR",
                        help="apply the patch to this tree in memory and check the post-image")
    add_output_arguments(parser)


def run(args) -> int:
    from analyzer.errors import InputError
    from analyzer.inputs.patchset import read_patch
    from analyzer.patchcheck import check_patch
    from analyzer.reporters import Report

    tree = None
    if args.tree:
        tree = Path(args.tree)
        if not tree.is_dir():
            raise InputError(args.tree, "not a directory")
    patch = read_patch(args.patch, stdin=sys.stdin.buffer)
    result = check_patch(patch, selected_rules(args), tree=tree)
    stats = result.stats
    report = Report(result.findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures},
                    notes=result.notes, problems=[str(f) for f in result.failures])
    emit(report, args)
    return exit_code(result.findings, args.fail_on, problems=len(result.failures))

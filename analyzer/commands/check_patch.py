"""xenlint check-patch FILE|-: lint what a patch brings in."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import add_output_arguments, emit, exit_code
from .compile_commands import add_semantic_arguments, semantic_layer, semantic_report

HELP = "check a patch (diff, format-patch file, mail or archive page; '-' for stdin)"


def add_arguments(parser) -> None:
    parser.add_argument("patch", metavar="FILE", help="the patch, or - to read standard input")
    parser.add_argument("--tree", metavar="DIR",
                        help="apply the patch to this tree in memory and check the post-image")
    add_semantic_arguments(parser)
    add_output_arguments(parser)


def run(args) -> int:
    from analyzer import gate as gating
    from analyzer.errors import InputError
    from analyzer.inputs.patchset import read_patch
    from analyzer.patchcheck import check_patch
    from analyzer.reporters import Report

    tree = None
    if args.tree:
        tree = Path(args.tree)
        if not tree.is_dir():
            raise InputError(args.tree, "not a directory")
    gate = gating.prepare(args, tree or Path.cwd(), root=tree)
    patch = read_patch(args.patch, stdin=sys.stdin.buffer)
    semantic, semantic_notes = semantic_layer(args, tree, tree, patch=True)
    result = check_patch(patch, gating.rules_for(args, gate), tree=tree, semantic=semantic)
    semantic_stats, skipped_notes = semantic_report(semantic)
    texts = {path: image.text for path, image in result.post_images.items()}
    added = {path: image.added for path, image in result.post_images.items()}
    findings, notes = gating.apply(gate, result.findings, texts, added)
    stats = result.stats
    report = Report(findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures, **semantic_stats},
                    notes=result.notes + semantic_notes + skipped_notes + notes,
                    problems=[str(f) for f in result.failures])
    emit(report, args)
    return exit_code(findings, gating.fail_on(args, gate), problems=len(result.failures))

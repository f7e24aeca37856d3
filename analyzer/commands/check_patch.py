"""xenlint check-patch FILE|-: lint what a patch brings in."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import add_fuzz_argument, add_model_argument, add_output_arguments, gate_for, tree_argument
from .compile_commands import add_semantic_arguments, semantic_layer, semantic_report
from .parallel_options import add_speed_arguments, facts_cache, jobs
from .shared_steps import patch_frame, report_patch_check

HELP = "check a patch (diff, format-patch file, mail or archive page; '-' for stdin)"


def add_arguments(parser) -> None:
    parser.add_argument("patch", metavar="FILE", help="the patch, or - to read standard input")
    parser.add_argument("--tree", metavar="DIR",
                        help="apply the patch to this tree in memory and check the post-image")
    add_fuzz_argument(parser)
    add_model_argument(parser, default="never")
    add_semantic_arguments(parser)
    add_speed_arguments(parser)
    add_output_arguments(parser)


def run(args) -> int:
    from analyzer.inputs.patchset import read_patch
    from analyzer.patchcheck import check_patch

    tree = tree_argument(args.tree)
    gate = gate_for(args, tree or Path.cwd(), root=tree)
    patch = read_patch(args.patch, stdin=sys.stdin.buffer)
    semantic, semantic_notes = semantic_layer(args, tree, tree, patch=True)
    context, cache_notes = tree_context(args, tree)
    result = check_patch(patch, gate.static_rules(), context, semantic=semantic,
                         frame=patch_frame(gate, tree))
    result.notes.extend(cache_notes)
    semantic_stats, skipped_notes = semantic_report(semantic)
    return report_patch_check(args, gate, result, semantic_notes + skipped_notes, semantic_stats,
                              model=args.model,
                              pre_texts=result.pre_texts if tree is not None else None,
                              patch_files=patch.files)


def tree_context(args, tree: Path | None):
    """(TreeContext of ``--tree`` or None, notes): the tree read through the
    one tree reader, the facts cache and -j."""
    if tree is None:
        return None, []
    from analyzer.inputs.trees import DiskTree
    from analyzer.patchcheck import TreeContext

    cache, notes = facts_cache(args, [tree])
    disk = DiskTree([tree], relative_to=tree)
    return (TreeContext(disk, jobs=jobs(args), cache=cache, fuzz=getattr(args, "fuzz", 2)),
            notes + disk.skipped)

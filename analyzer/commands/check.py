"""xenlint check PATH... | --staged | --diff REV: lint C files, trees and git changes."""

from __future__ import annotations

from pathlib import Path

from .common import add_output_arguments, emit, exit_code
from .compile_commands import add_semantic_arguments, semantic_layer, semantic_report
from .parallel_options import add_speed_arguments, facts_cache, jobs
from .shared_steps import report_patch_check, select_checked_files

HELP = "check C files and directories (recursing into *.c and *.h), or staged / committed changes"


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="C files or directories (with --staged/--diff: limit to these)")
    parser.add_argument("--tree", metavar="DIR",
                        help="the tree the files belong to: searched for uses and declarations")
    changes = parser.add_mutually_exclusive_group()
    changes.add_argument("--staged", action="store_true",
                         help="check what is staged for commit (the index against HEAD)")
    changes.add_argument("--diff", metavar="REV",
                         help="check the changes since REV (REV, A..B or A...B)")
    parser.add_argument("--model", choices=("auto", "always", "never"), default="auto",
                        help="model cross-check of the vcpu_info mapping code: auto (the default) "
                             "runs it with --staged/--diff when the change touches that code; "
                             "always runs it on every checked file that has it; never")
    add_semantic_arguments(parser)
    add_speed_arguments(parser)
    add_output_arguments(parser)


def run(args) -> int:
    if args.staged or args.diff:
        return _run_git(args)
    from analyzer import gate as gating
    from analyzer.checker import check_selection
    from analyzer.errors import InputError
    from analyzer.reporters import Report

    if not args.paths:
        raise InputError("xenlint check", "give C files or directories, --staged, or --diff REV")
    gate = gating.prepare(args, Path(args.paths[0]))
    selection, whole_tree = select_checked_files(args, gate)
    semantic, semantic_notes = semantic_layer(
        args, None, *([Path(args.tree)] if args.tree else []), *(Path(p) for p in args.paths if Path(p).is_dir()))
    cache, cache_notes = facts_cache(args, [Path(p) for p in args.paths + ([args.tree] if args.tree else [])])
    result = check_selection(selection, gating.rules_for(args, gate), whole_tree=whole_tree,
                             semantic=semantic, jobs=jobs(args), cache=cache)
    result.notes.extend(cache_notes)
    semantic_stats, skipped_notes = semantic_report(semantic)
    texts = result.texts
    found, model_notes = list(result.findings), []
    if args.model == "always":
        from analyzer.inputs.images import Image
        from analyzer.mapping_change import model_findings

        extra, model_notes = model_findings({path: Image(path, text) for path, text in texts.items()},
                                            gate.config.release, only_touched=False)
        found.extend(extra)
    findings, notes = gating.apply(gate, found, texts)
    stats = result.stats
    report = Report(findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures, **semantic_stats},
                    notes=result.notes + semantic_notes + skipped_notes + model_notes + notes)
    emit(report, args)
    return exit_code(findings, gating.fail_on(args, gate))


def _run_git(args) -> int:
    """--staged / --diff: the change as a patch, applied in memory to its base."""
    from analyzer import gate as gating
    from analyzer.inputs.git import diff_change, staged_change
    from analyzer.patchcheck import check_patch
    from analyzer.reporters import Report

    start = Path(args.paths[0]) if args.paths else Path.cwd()
    only = [Path(p) for p in args.paths] or None
    change = staged_change(start, only) if args.staged else diff_change(args.diff, start, only)
    gate = gating.prepare(args, start, root=change.root)
    if change.patch is None:
        report = Report([], 0, notes=[f"no C files in the {change.description}"])
        emit(report, args)
        return exit_code([], gating.fail_on(args, gate))
    semantic, semantic_notes = semantic_layer(args, change.root, change.root, patch=True)
    result = check_patch(change.patch, gating.rules_for(args, gate), tree=change.root,
                         overlay=change.base_texts, semantic=semantic)
    semantic_stats, skipped_notes = semantic_report(semantic)
    return report_patch_check(args, gate, result, semantic_notes + skipped_notes, semantic_stats,
                              model=args.model, pre_texts=change.base_texts)

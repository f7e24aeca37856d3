"""xenlint check PATH... | --staged | --diff REV: lint C files, trees and git changes."""

from __future__ import annotations

import os
from pathlib import Path

from .common import add_model_argument, add_output_arguments, emit, exit_code, fail_on, gate_for
from .compile_commands import add_semantic_arguments, semantic_layer, semantic_report
from .parallel_options import add_speed_arguments, facts_cache, jobs
from .shared_steps import checked_tree, report_patch_check

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
    add_model_argument(parser, default="auto")
    add_semantic_arguments(parser)
    add_speed_arguments(parser)
    add_output_arguments(parser)


def run(args) -> int:
    if args.staged or args.diff:
        return _run_git(args)
    from analyzer import gate as gating
    from analyzer.errors import InputError
    from analyzer.reporters import Report

    if not args.paths:
        raise InputError("xenlint check", "give C files or directories, --staged, or --diff REV")
    gate = gate_for(args, Path(args.paths[0]))
    tree, checked, frame, notes = checked_tree(args, gate)
    semantic, semantic_notes = semantic_layer(
        args, None, *([Path(args.tree)] if args.tree else []), *(Path(p) for p in args.paths if Path(p).is_dir()))
    cache, cache_notes = facts_cache(args, [Path(p) for p in args.paths + ([args.tree] if args.tree else [])])
    if cache is not None and semantic is None:
        from analyzer.results_cache import check_tree_cached

        result = check_tree_cached(tree, checked, gate.static_rule_ids(), frame=frame,
                                   jobs=jobs(args), cache=cache)
    else:
        from analyzer.checker import check_tree

        result, _ = check_tree(tree, checked, gate.static_rules(), frame=frame,
                               jobs=jobs(args), cache=cache, semantic=semantic)
    semantic_stats, skipped_notes = semantic_report(semantic)
    texts = {name: tree.read_text(name) for name in result.marked}
    found, model_notes = list(result.findings), []
    if args.model == "always" and gate.wants_model():
        from analyzer.inputs.images import Image
        from analyzer.mapping_change import model_findings

        images = {name: Image(name, tree.read_text(name)) for name in result.mapping}
        extra, model_notes = model_findings(images, gate.config.release, only_touched=False,
                                            scope=gate.config.model_scope)
        found.extend(extra)
        texts.update((name, image.text) for name, image in images.items())
    findings, gate_notes = gating.apply(gate, found, texts)
    from .common import write_model_pages

    write_model_pages(args, findings, texts, gate.config.release)
    stats = result.stats
    report = Report(findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures, **semantic_stats},
                    notes=notes + result.notes + cache_notes + semantic_notes + skipped_notes
                    + model_notes + gate_notes, problems=stats.problems(), root=gate.root)
    emit(report, args)
    return exit_code(findings, fail_on(args, gate), problems=len(report.problems))


def _check_index(args, gate, change, only) -> int:
    """Every C file of git's index (below ``only``, when given), whole."""
    from analyzer import gate as gating
    from analyzer.frame import frame_for_tree
    from analyzer.reporters import Report
    from analyzer.results_cache import check_tree_cached

    tree = change.post_tree
    root = change.root.resolve()
    wanted = [p.resolve() for p in only or []]
    checked = [f.name for f in tree.files if f.kind == "c" and (
        not wanted or any((root / f.name) == w or w in (root / f.name).parents for w in wanted))]
    cache, cache_notes = facts_cache(args, [change.root])
    frame = frame_for_tree(change.root, gate.profiles)
    if cache is not None:
        result = check_tree_cached(tree, checked, gate.static_rule_ids(), frame=frame,
                                   jobs=jobs(args), cache=cache)
    else:
        from analyzer.checker import check_tree

        result, _ = check_tree(tree, checked, gate.static_rules(), frame=frame, jobs=jobs(args))
    texts = {name: tree.read_text(name) for name in result.marked}
    findings, gate_notes = gating.apply(gate, result.findings, texts)
    stats = result.stats
    report = Report(findings, result.files_checked, stats={**stats.to_dict(), "recovered": stats.recovered},
                    notes=[f"nothing staged: every C file of git's index checked whole"]
                    + result.notes + cache_notes + gate_notes,
                    problems=stats.problems(), root=gate.root)
    emit(report, args)
    return exit_code(findings, fail_on(args, gate), problems=len(report.problems))


def pre_commit_range() -> str | None:
    """``A...B`` when pre-commit runs the hook over a range of commits
    (``pre-commit run --from-ref A --to-ref B`` sets these, as it does in CI)."""
    start, end = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    return f"{start}...{end}" if start and end else None


def _run_git(args) -> int:
    """--staged / --diff: the change's post-images in their own tree (the
    index, a revision or the work tree), the rest of that tree as context."""
    from analyzer.frame import frame_for_tree
    from analyzer.inputs.git import diff_change, staged_change
    from analyzer.inputs.images import change_images, source_path
    from analyzer.patchcheck import PatchCheckResult, TreeContext, check_images
    from analyzer.reporters import Report

    start = Path(args.paths[0]) if args.paths else Path.cwd()
    only = [Path(p) for p in args.paths] or None
    revisions = pre_commit_range() if args.staged else None
    if revisions is not None:  # `pre-commit run --from-ref A --to-ref B`: what that range brought
        change = diff_change(revisions, start, only)
    elif args.staged:
        change = staged_change(start, only)
    else:
        change = diff_change(args.diff, start, only)
    gate = gate_for(args, start, root=change.root)
    if change.patch is None and args.staged and revisions is None and os.environ.get("PRE_COMMIT") == "1":
        # pre-commit runs the hook with nothing staged only for --all-files or
        # --files: the tree as git's index holds it is what it asks about.
        return _check_index(args, gate, change, only)
    if change.patch is None:
        report = Report([], 0, notes=[f"no C files in the {change.description}"], root=gate.root)
        emit(report, args)
        return exit_code([], fail_on(args, gate))
    semantic, semantic_notes = semantic_layer(args, change.root, change.root, patch=True)
    cache, cache_notes = facts_cache(args, [change.root])
    context = TreeContext(change.post_tree, jobs=jobs(args), cache=cache)
    result = PatchCheckResult(change.patch, notes=list(change.patch.notes) + cache_notes)
    changed = [pf for pf in change.patch.files if pf.path.endswith((".c", ".h")) and not pf.is_removed_file]
    for side, names in ((change.pre_tree, [source_path(pf) for pf in changed]),
                        (change.post_tree, [pf.path for pf in changed])):
        if hasattr(side, "read_many"):  # git: one call for every file of the change
            side.read_many(names, missing_ok=True)
    pairs = []
    for pf in changed:
        pre, post, failures = change_images(pf, change.pre_tree, change.post_tree)
        result.failures.extend(failures)
        if post is not None:
            pairs.append((pre, post))
    check_images(result, pairs, gate.static_rules(), context, semantic=semantic,
                 frame=frame_for_tree(change.root, gate.profiles))
    semantic_stats, skipped_notes = semantic_report(semantic)
    return report_patch_check(args, gate, result, semantic_notes + skipped_notes, semantic_stats,
                              model=args.model, pre_texts=result.pre_texts, cache=cache)

"""Steps several commands take the same way: choosing files, reporting a patch check."""

from __future__ import annotations

from pathlib import Path


def select_checked_files(args, gate):
    """(FileSelection, whole_tree) for ``args.paths`` and ``--tree``, with excluded
    paths moved to context (still searched for uses, never reported)."""
    from analyzer import gate as gating
    from analyzer.errors import InputError
    from analyzer.inputs.sources import select_files, walk_tree

    from .common import tree_argument

    selection = select_files(args.paths)
    for path, raw in ((Path(p), p) for p in args.paths):
        if path.is_file() and path.stat().st_size == 0:
            raise InputError(raw, "empty file")
    whole_tree = any(Path(p).is_dir() for p in args.paths)
    tree = tree_argument(args.tree)
    if tree is not None:
        chosen = {p.resolve() for p in selection.files}
        c_files, context = walk_tree(tree)
        selection.context.extend(p for p in c_files + context if p.resolve() not in chosen)
        whole_tree = True
    selection.files, excluded = gating.split_excluded(selection.files, gate)
    selection.context.extend(excluded)
    return selection, whole_tree


def report_patch_check(args, gate, result, semantic_notes, semantic_stats, *, model: str,
                       pre_texts=None, patch_files=()) -> int:
    """Add the model cross-check (``model``: "auto", "always" or "never"), pass the
    findings through the gate, print them; returns the exit code."""
    from analyzer import gate as gating
    from analyzer.reporters import Report

    from .common import emit, exit_code

    found, model_notes = list(result.findings), []
    if model != "never":
        from analyzer.mapping_change import model_findings

        extra, model_notes = model_findings(result.post_images, gate.config.release, pre_texts,
                                            patch_files=patch_files, only_touched=model == "auto")
        found.extend(extra)
    texts = {path: image.text for path, image in result.post_images.items()}
    added = {path: image.added for path, image in result.post_images.items()}
    findings, notes = gating.apply(gate, found, texts, added)
    stats = result.stats
    report = Report(findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures, **semantic_stats},
                    notes=result.notes + semantic_notes + model_notes + notes,
                    problems=[str(f) for f in result.failures])
    emit(report, args)
    return exit_code(findings, gating.fail_on(args, gate), problems=len(result.failures))

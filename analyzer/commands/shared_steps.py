"""Steps several commands take the same way: choosing files, reporting a patch check."""

from __future__ import annotations

from pathlib import Path


def checked_tree(args, gate):
    """(DiskTree, names to check, frame, notes) for ``args.paths`` and
    ``--tree``: the files below the paths are checked, the rest of --tree
    and excluded paths are context (searched, never reported); the frame
    (analyzer.frame) says what the check sees of their program."""
    from analyzer.errors import InputError
    from analyzer.frame import frame_for_paths
    from analyzer.inputs.trees import DiskTree

    from .common import tree_argument

    paths = [Path(p) for p in args.paths]
    for path, raw in zip(paths, args.paths):
        if not path.exists() and not path.is_symlink():
            raise InputError(raw, "no such file or directory")
        if path.is_file() and path.stat().st_size == 0:
            raise InputError(raw, "empty file")
    tree_dir = tree_argument(getattr(args, "tree", None))
    tree = DiskTree(paths + ([tree_dir] if tree_dir is not None else []))
    notes = []
    for index, (path, raw) in enumerate(zip(paths, args.paths)):
        if not path.is_dir():
            continue
        found = [f for f in tree.files if tree.root_of[f.name] == index]
        if not any(f.kind == "c" for f in found):
            raise InputError(raw, "directory contains no C files (*.c, *.h)")
        other = tree.other.get(str(path), [])
        if other:
            sample = ", ".join(other[:3])
            notes.append(f"{raw}: skipped {len(other)} file(s) that are not C "
                         f"({sample}{', ...' if len(other) > 3 else ''})")
    checked = [f.name for f in tree.files if f.kind == "c" and tree.root_of[f.name] < len(paths)]
    if gate.config.exclude:
        checked = [name for name in checked if not gate.config.is_excluded(tree.path(name))]
    frame = frame_for_paths(paths, tree_dir, gate.profiles)
    return tree, checked, frame, notes


def patch_frame(gate, tree: Path | None):
    """The frame a patch is judged in: its --tree's, else a patch alone's."""
    from analyzer.frame import PATCH, Frame, frame_for_tree

    return frame_for_tree(tree, gate.profiles) if tree is not None else Frame(PATCH, profiles=gate.profiles)


def report_patch_check(args, gate, result, semantic_notes, semantic_stats, *, model: str,
                       pre_texts=None, patch_files=(), cache=None) -> int:
    """Add the model cross-check (``model``: "auto", "always" or "never"), pass the
    findings through the gate, print them; returns the exit code."""
    from analyzer import gate as gating
    from analyzer.reporters import Report

    from .common import emit, exit_code, fail_on

    found, model_notes = list(result.findings), []
    if model != "never" and gate.wants_model():
        from analyzer.mapping_change import model_findings

        extra, model_notes = model_findings(result.post_images, gate.config.release, pre_texts,
                                            patch_files=patch_files, only_touched=model == "auto",
                                            cache=cache, scope=gate.config.model_scope)
        found.extend(extra)
    texts = {path: image.text for path, image in result.post_images.items()}
    added = {path: image.added for path, image in result.post_images.items()}
    findings, notes = gating.apply(gate, found, texts, added)
    from .common import write_model_pages

    write_model_pages(args, findings, texts, gate.config.release)
    stats = result.stats
    report = Report(findings, result.files_checked,
                    stats={**stats.to_dict(), "recovered": stats.recovered,
                           "semantic_failures": stats.semantic_failures, **semantic_stats},
                    notes=result.notes + semantic_notes + model_notes + notes,
                    problems=[str(f) for f in result.failures] + stats.problems(), root=gate.root)
    emit(report, args)
    return exit_code(findings, fail_on(args, gate), problems=len(report.problems))

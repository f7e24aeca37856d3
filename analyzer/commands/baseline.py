"""xenlint baseline write FILE PATH...: accept today's findings so CI fails only on new ones."""

from __future__ import annotations

from pathlib import Path

HELP = "write a baseline of the current findings (use it with --baseline FILE)"


def add_arguments(parser) -> None:
    from .common import add_model_argument, add_output_arguments
    from .parallel_options import add_speed_arguments

    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    write = actions.add_parser("write", help="check PATH... and record every finding in FILE",
                               description="check PATH... (as 'xenlint check' does) and record "
                                           "every finding in FILE")
    write.add_argument("file", metavar="FILE", help="the baseline to write (JSON)")
    write.add_argument("paths", nargs="+", metavar="PATH", help="C files or directories")
    write.add_argument("--tree", metavar="DIR",
                       help="the tree the files belong to: searched for uses and declarations")
    add_model_argument(write, default="never")
    add_speed_arguments(write)
    add_output_arguments(write)


def run(args) -> int:
    from analyzer import gate as gating
    from analyzer.baseline import write_baseline
    from analyzer.checker import check_tree

    from .common import gate_for
    from .parallel_options import jobs
    from .shared_steps import checked_tree

    args.baseline = None  # writing one: nothing is filtered by an old baseline
    gate = gate_for(args, Path(args.paths[0]))
    tree, checked, frame, _ = checked_tree(args, gate)
    result, _ = check_tree(tree, checked, gate.static_rules(), frame=frame, jobs=jobs(args))
    texts = {name: tree.read_text(name) for name in result.marked}
    found = list(result.findings)
    if args.model != "never" and gate.wants_model():  # model findings are baselined like any other
        from analyzer.inputs.images import Image
        from analyzer.mapping_change import model_findings

        images = {name: Image(name, tree.read_text(name)) for name in result.mapping}
        found += model_findings(images, gate.config.release, only_touched=False,
                                 scope=gate.config.model_scope)[0]
        texts.update((name, image.text) for name, image in images.items())
    findings, _ = gating.apply(gate, found, texts)
    entries = write_baseline(Path(args.file), findings, gate.root)
    print(f"xenlint: baseline {args.file}: {len(findings)} finding{'s' if len(findings) != 1 else ''}"
          f" ({entries} fingerprint{'s' if entries != 1 else ''}) in {result.files_checked} files")
    return 0

"""xenlint review SOURCE: per-patch verdicts (and reply drafts) for a mailing-list series."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import (add_fuzz_argument, add_model_argument, add_output_arguments, exit_code,
                     fail_on, gate_for, style_of, tree_argument, write_output)
from .parallel_options import add_speed_arguments

HELP = ("review a patch series: an mbox, b4 .mbx, format-patch folder, mail or archive page "
        "('-' for stdin); per-patch findings, or reply drafts with --format reply")

# --format -> reporter module under analyzer.reporters
REPORTERS = {"text": "review", "json": "review_json", "reply": "reply", "terse": "terse",
             "sarif": "sarif", "gitlab": "gitlab", "github": "github"}
# Formats for CI, which report the series' findings as one list, as check-patch does.
FLAT = ("sarif", "gitlab", "github")


def add_arguments(parser) -> None:
    parser.add_argument("source", metavar="SOURCE",
                        help="mbox / .mbx file, folder of git format-patch files, one mail or "
                             "archive page, or - for standard input")
    parser.add_argument("--tree", metavar="DIR",
                        help="apply the patches in order, in memory, on this tree and check each "
                             "on top of the ones before it")
    add_fuzz_argument(parser)
    add_speed_arguments(parser)
    add_output_arguments(parser, formats=tuple(REPORTERS))
    parser.add_argument("--from", dest="sender", metavar="ADDRESS",
                        help="From of the reply drafts (default: git config user.name/user.email)")
    add_model_argument(parser, default="never")


def _git_sender() -> str | None:
    import subprocess

    def get(key: str) -> str:
        try:
            return subprocess.run(["git", "config", "--get", key], capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    email_, name = get("user.email"), get("user.name")
    if not email_:
        return None
    from email.utils import formataddr

    return formataddr((name, email_)) if name else email_


def _model_findings(result, release: str, only_touched: bool, scope: str = "default") -> None:
    """Cross-check each reviewed patch whose post-image has the mapping code
    (with ``only_touched``, whose added lines are in it)."""
    from analyzer.mapping_change import model_findings

    for review in result.reviews:
        found, notes = model_findings(review.post_images, release,
                                      patch_files=review.entry.patch.files, only_touched=only_touched,
                                      scope=scope)
        review.findings.extend(found)
        review.notes.extend(notes)


def flat_report(result, root):
    """A series review as one Report: every patch's findings, every problem."""
    from analyzer.reporters import Report

    problems = list(result.series.problems)
    problems += [f"{r.entry.label}: {failure}" for r in result.reviews for failure in r.failures]
    return Report(sorted(result.findings, key=lambda f: f.sort_key()),
                  sum(r.files_checked for r in result.reviews),
                  stats=result.stats.to_dict(), problems=problems,
                  notes=[*result.series.notes, *(n for r in result.reviews for n in r.notes)], root=root)


def run(args) -> int:
    from analyzer import gate as gating
    from analyzer.errors import InputError
    from analyzer.inputs.thread import read_thread
    from analyzer.reporters import get_reporter
    from analyzer.series import assemble, review

    from .check_patch import tree_context
    from .shared_steps import patch_frame

    tree = tree_argument(args.tree)
    sender = None
    if args.format == "reply":
        sender = args.sender or _git_sender()
        if not sender:
            raise InputError("--from", "reply drafts need a sender: pass --from 'Name <address>' "
                                       "or set git config user.email")
    gate = gate_for(args, tree or Path.cwd(), root=tree)
    rules = gate.static_rules()
    series = assemble(read_thread(args.source, stdin=sys.stdin.buffer))
    if not series.patches:
        why = f"no patch could be reviewed: {series.problems[0]}" if series.problems else (
            "no patch in it" + (f" ({'; '.join(series.skipped[:3])})" if series.skipped else ""))
        raise InputError(series.source, why)
    context, _ = tree_context(args, tree)
    result = review(series, rules, context, patch_frame(gate, tree))
    if args.model != "never" and gate.wants_model():
        _model_findings(result, gate.config.release, only_touched=args.model == "auto",
                        scope=gate.config.model_scope)
    for patch_review in result.reviews:  # configuration, suppression comments, --baseline
        images = patch_review.post_images
        patch_review.findings, notes = gating.apply(
            gate, patch_review.findings, {path: image.text for path, image in images.items()},
            {path: image.added for path, image in images.items()})
        patch_review.notes.extend(notes)
    from .common import write_model_pages

    for number, patch_review in enumerate(result.reviews, 1):  # --html: a folder per patch
        if any(f.rule_id.startswith("XL2") for f in patch_review.findings):
            texts = {path: image.text for path, image in patch_review.post_images.items()}
            write_model_pages(args, patch_review.findings, texts, gate.config.release,
                              f"patch {number} of the series", subfolder=f"patch-{number:02d}")
    render = get_reporter(REPORTERS[args.format])
    if args.format == "reply":
        text = render(result, style_of(args), sender=sender)
        if not text:
            print("xenlint: no patch has findings; no reply drafted", file=sys.stderr)
    elif args.format in FLAT:
        text = render(flat_report(result, gate.root), style_of(args))
    else:
        text = render(result, style_of(args))
    write_output(text, args)
    if args.format == "reply":
        for problem in series.problems:
            print(f"xenlint: {problem}", file=sys.stderr)
    problems = len(series.problems) + sum(1 for r in result.reviews if r.applied is False or r.failures)
    return exit_code(result.findings, fail_on(args, gate), problems=problems)

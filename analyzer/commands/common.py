"""Options and output shared by the commands that report findings.

This package is the only one that knows argparse: below it, everything
takes plain values (gate.prepare, checker, patchcheck, series, reporters).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analyzer.errors import InputError
from analyzer.findings import Finding, Severity
from analyzer.profiles import CHOICES as PROFILE_CHOICES
from analyzer.reporters import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_output_arguments(parser: argparse.ArgumentParser, formats=FORMATS) -> None:
    """The options every reporting command takes, meaning the same everywhere
    (flake8's, ruff's and gcc's names where they have one)."""
    parser.add_argument("--format", choices=formats, default="text",
                        help="output format (default: text)")
    parser.add_argument("-o", "--output-file", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--fail-on", choices=("info", "warning", "error", "never"), default=None,
                        help="lowest severity that makes the exit code 1 "
                             "(default: the configuration's fail-on, else error)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even with findings (the same as --fail-on never)")
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: the .xenlint.toml or pyproject.toml "
                             "[tool.xenlint] found walking up from the checked path)")
    parser.add_argument("--baseline", metavar="FILE",
                        help="report only findings not in this baseline "
                             "(written by 'xenlint baseline write')")
    parser.add_argument("--select", metavar="IDS", type=_ids, default=[],
                        help="comma-separated rule ids or prefixes to report (XL101, XL1, XL2; "
                             "default: all)")
    parser.add_argument("--extend-select", metavar="IDS", type=_ids, default=[],
                        help="rule ids or prefixes to report in addition to --select")
    parser.add_argument("--ignore", metavar="IDS", type=_ids, default=[],
                        help="rule ids or prefixes not to report (the more specific of "
                             "--select and --ignore wins)")
    parser.add_argument("--profile", choices=PROFILE_CHOICES, default=None,
                        help="the guest whose idioms judge the files: auto (the default) decides per "
                             "file from its path, its tree and the words it spells (see 'xenlint "
                             "profiles')")
    parser.add_argument("--statistics", action="store_true",
                        help="end the text report with a count of findings per rule")
    parser.add_argument("--no-show-source", dest="show_source", action="store_false",
                        help="do not print the source line under each finding")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text report: auto (the default) only on a terminal and "
                             "when NO_COLOR is not set")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print notes and every parse recovery")


def add_model_argument(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--model", choices=("auto", "always", "never"), nargs="?", const="always",
                        default=default,
                        help="model cross-check of the vcpu_info mapping code (compiles and runs it "
                             "in a sandbox): auto runs it when the change touches that code, always "
                             "on every file that has it, never; --model alone is always "
                             f"(default: {default})")
    add_html_argument(parser)


def add_html_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--html", metavar="DIR",
                        help="also write a page per distinct defect the model cross-check finds "
                             "(index.html first) to DIR: static, self-contained, for a CI artifact")


def write_model_pages(args, findings, sources: dict[str, str], release: str, summary: str = "",
                      subfolder: str = "") -> None:
    """--html DIR: the model's defects as pages (nothing to do without --html)."""
    target = getattr(args, "html", None)
    if not target:
        return
    from pathlib import Path

    from analyzer.crosscheck.run import replay_results
    from analyzer.reporters.model_pages import render

    model = [f for f in findings if f.rule_id.startswith("XL2")]
    replays: dict = {}
    for path, text in sources.items():
        replays.update(replay_results(text, path, [f for f in model if f.path == path], release))
    pages = render(model, sources, replays, summary=summary)
    folder = Path(target) / subfolder if subfolder else Path(target)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            (folder / name).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(target, exc.strerror or str(exc)) from None


def style_of(args):
    """The reporters' Style from the command line."""
    import os

    from analyzer.reporters import Style

    color = getattr(args, "color", "never")
    if color == "auto":
        stream = sys.stdout if not getattr(args, "output_file", None) else None
        color = "always" if stream is not None and stream.isatty() and not os.environ.get("NO_COLOR") \
            else "never"
    return Style(verbose=args.verbose, show_source=getattr(args, "show_source", True),
                 statistics=getattr(args, "statistics", False), color=color == "always")


def fail_on(args, gate) -> str:
    """--exit-zero, else --fail-on, else the configuration's, else error."""
    return "never" if getattr(args, "exit_zero", False) else gate.fail_on(args.fail_on)


def write_output(text: str, args) -> None:
    """The report, to -o FILE or to standard output."""
    target = getattr(args, "output_file", None)
    if target:
        from pathlib import Path

        try:
            Path(target).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(target, exc.strerror or str(exc)) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def gate_for(args, start: Path, root: Path | None = None):
    """The gate of this run (analyzer.gate.prepare) from the command line."""
    from analyzer import gate

    return gate.prepare(start, root, config_file=getattr(args, "config", None),
                        baseline=getattr(args, "baseline", None),
                        select=getattr(args, "select", ()), ignore=getattr(args, "ignore", ()),
                        extend_select=getattr(args, "extend_select", ()),
                        profile=getattr(args, "profile", None))


def exit_code(findings: list[Finding], fail_on: str | None, problems: int = 0) -> int:
    if problems:
        return EXIT_FINDINGS
    fail_on = fail_on or "error"
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in findings) else EXIT_CLEAN


def emit(report, args) -> None:
    from analyzer.reporters import get_reporter

    write_output(get_reporter(args.format)(report, style_of(args)), args)


def add_fuzz_argument(parser: argparse.ArgumentParser) -> None:
    """--fuzz N, as patch(1)'s -F: how a patch applies to --tree."""
    def lines(text: str) -> int:
        value = int(text)
        if value < 0:
            raise ValueError(text)
        return value

    lines.__name__ = "number of lines"  # what argparse names in its error
    parser.add_argument("--fuzz", type=lines, metavar="N", default=2,
                        help="with --tree, let a hunk ignore up to N lines of context at each end "
                             "when it does not apply as written, like patch -F N (default: 2, "
                             "patch's); hunks applied at an offset or with fuzz are listed as notes")


def tree_argument(value: str | None) -> Path | None:
    """``--tree DIR`` as a Path (None when not given); anything but a folder is an input error."""
    if not value:
        return None
    tree = Path(value)
    if not tree.is_dir():
        raise InputError(value, "not a directory")
    return tree

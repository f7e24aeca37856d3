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
from analyzer.reporters import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_output_arguments(parser: argparse.ArgumentParser, formats=FORMATS) -> None:
    parser.add_argument("--format", choices=formats, default="text",
                        help="output format (default: text)")
    parser.add_argument("--fail-on", choices=("info", "warning", "error", "never"), default=None,
                        help="lowest severity that makes the exit code 1 "
                             "(default: the configuration's fail-on, else error)")
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
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also print notes and every parse recovery")


def gate_for(args, start: Path, root: Path | None = None):
    """The gate of this run (analyzer.gate.prepare) from the command line."""
    from analyzer import gate

    return gate.prepare(start, root, config_file=getattr(args, "config", None),
                        baseline=getattr(args, "baseline", None),
                        select=getattr(args, "select", ()), ignore=getattr(args, "ignore", ()),
                        extend_select=getattr(args, "extend_select", ()))


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

    text = get_reporter(args.format)(report, verbose=args.verbose)
    sys.stdout.write(text)
    sys.stdout.flush()


def tree_argument(value: str | None) -> Path | None:
    """``--tree DIR`` as a Path (None when not given); anything but a folder is an input error."""
    if not value:
        return None
    tree = Path(value)
    if not tree.is_dir():
        raise InputError(value, "not a directory")
    return tree

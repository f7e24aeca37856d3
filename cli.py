"""xenlint command line: one sub-command per module in analyzer/commands/.

Each command module is cheap to import (heavy libraries load inside run()),
so a pre-commit run pays only for what its input needs.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Sub-command name -> module under analyzer.commands.
COMMANDS = {
    "check": "check",
    "check-patch": "check_patch",
    "model": "model",
    "review": "review",
    "baseline": "baseline",
    "rules": "rules_doc",
    "explain": "explain",
}

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    from analyzer import __version__

    parser = argparse.ArgumentParser(
        prog="xenlint",
        description="Check Xen sources and patches for per-CPU vcpu_info misuse.",
    )
    parser.add_argument("--version", action="version", version=f"xenlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(f"analyzer.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"analyzer.commands.{module_name}":
                raise
            continue  # a command still being built is simply not offered
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
        modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    from analyzer.errors import InputError, ToolMissing

    parser, modules = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return modules[args.command].run(args)
    except (InputError, ToolMissing) as exc:
        print(f"xenlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("xenlint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR


def run() -> None:
    """The console script: ``main``, then exit without tearing the
    interpreter down.  Freeing a whole tree's facts one object at a time
    takes longer than some checks (15 ms on Xen); everything xenlint writes
    is closed by then, and the standard streams are flushed here.  (mypy
    ends the same way.)"""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # a reader that stopped early, as "| head"
        code = code or EXIT_ERROR
    os._exit(code)


if __name__ == "__main__":
    run()

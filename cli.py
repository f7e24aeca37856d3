"""xenlint command line: one sub-command per module in analyzer/commands/.

Each command module is cheap to import (heavy libraries load inside run()),
so a pre-commit run pays only for what its input needs.

Exit codes: 0 clean, 1 findings (at or above --fail-on), 2 usage, input or
configuration error, 3 internal error; each error is one line on stderr,
a traceback only with --debug.
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
    "profiles": "profiles_doc",
    "explain": "explain",
}

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as every other usage error
        self.exit(EXIT_ERROR, f"xenlint: error: {self.prog}: {message}\n")


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    from analyzer import __version__

    parser = _Parser(prog="xenlint",
                     description="Check Xen sources and patches for per-CPU vcpu_info misuse.")
    parser.add_argument("--version", action="version", version=f"xenlint {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show a traceback when xenlint fails (internal errors)")
    parser.add_argument("--print-completion", choices=("bash", "zsh", "tcsh"), metavar="SHELL",
                        help="print a completion script for SHELL (bash, zsh, tcsh), made by shtab "
                             "from these options, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = {}
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"analyzer.commands.{module_name}")
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
        modules[name] = module
    return parser, modules


def _inputs(argv: list[str]) -> str:
    """The inputs named on the command line, for an internal error's one line."""
    named = [a for a in argv[1:] if not a.startswith("-")][:3]
    return ", ".join(named) if named else "(no input named)"


def main(argv: list[str] | None = None) -> int:
    from analyzer.errors import InputError, ToolMissing

    argv = sys.argv[1:] if argv is None else argv
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    if args.print_completion:
        import shtab

        print(shtab.complete(parser, shell=args.print_completion))
        return EXIT_CLEAN
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
    except (Exception, RecursionError, MemoryError) as exc:  # a bug: never passed off as a verdict
        if args.debug:
            raise
        what = " ".join(str(exc).split())[:200]
        print(f"xenlint: internal error in '{args.command}' on {_inputs(argv)}: "
              f"{type(exc).__name__}{': ' + what if what else ''} (rerun with --debug for a traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL


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

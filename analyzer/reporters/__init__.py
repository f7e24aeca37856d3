"""Reporters: findings in, text out.  They never judge code.

Every reporter takes a Report (findings plus what was checked), or a series
review, and a Style, and returns the text to print; ``get_reporter`` finds
the one a --format names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analyzer.findings import Finding


@dataclass
class Report:
    findings: list[Finding]
    files_checked: int = 0
    stats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Per-file problems that are not findings (a hunk that does not apply).
    problems: list[str] = field(default_factory=list)
    # Free-form sections a command adds (model coverage, stubbed calls).
    sections: dict[str, list[str]] = field(default_factory=dict)
    # The folder relative finding paths start from (SARIF's %SRCROOT%); None: the current one.
    root: Path | None = None


@dataclass(frozen=True)
class Style:
    """How a person wants a report: flake8's and gcc's conventions."""

    verbose: bool = False  # notes and every parse recovery
    show_source: bool = True  # the source line under each finding
    statistics: bool = False  # a count per rule at the end
    color: bool = False  # gcc's colours for severities and locations

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def severity(self, severity) -> str:
        name = str(severity)
        return self.paint(name, {"error": "1;31", "warning": "1;35", "info": "1;36"}[name])

    def location(self, path: str, line: int, col: int) -> str:
        return self.paint(f"{path}:{line}:{col}:", "1")


def statistics(findings) -> list[str]:
    """flake8's --statistics: how many findings each rule has, most first."""
    from collections import Counter

    from rules import doc

    counts = Counter(f.rule_id for f in findings)
    return [f"{n:<5} {rule_id} {doc(rule_id).name}"
            for rule_id, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def get_reporter(name: str):
    import importlib

    module = importlib.import_module(f"analyzer.reporters.{name}_report")
    return module.render


FORMATS = ("text", "json", "sarif", "gitlab", "github")

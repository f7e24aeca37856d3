"""Reporters: findings in, text out.  They never judge code.

Every reporter takes a Report (findings plus what was checked) and returns
the text to print; ``REPORTERS`` maps --format names to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def get_reporter(name: str):
    import importlib

    module = importlib.import_module(f"analyzer.reporters.{name}_report")
    return module.render


FORMATS = ("text", "json", "sarif", "gitlab", "github")

"""Terse lines for b4's per-patch check hook, in checkpatch's --terse shape.

b4 (am-perpatch-check-cmd, prep-perpatch-check-cmd) pipes one patch to the
command and shows each line it prints: a line with "ERROR:" marks the patch
failed, any other line is a warning, no output at all means it passed.
"""

from __future__ import annotations

from . import Style

_LEVEL = {"error": "ERROR", "warning": "WARNING", "info": "CHECK"}


def render(result, style: Style = Style()) -> str:
    out = []
    several = len(result.reviews) > 1
    for review in result.reviews:
        prefix = f"{review.entry.label}: " if several else ""
        for failure in review.failures:
            out.append(f"{prefix}{failure.path}: ERROR: hunk #{failure.hunk} does not apply ({failure.header})")
        for finding in review.findings:
            fixed = review.fixed_by.get(finding.fingerprint())
            tail = f" (fixed by {fixed})" if fixed else ""
            out.append(f"{prefix}{finding.path}:{finding.line}: {_LEVEL[str(finding.severity)]}: "
                       f"{finding.message} [{finding.rule_id}]{tail}")
    for problem in result.series.problems:
        out.append(f"ERROR: {problem}")
    return "".join(line + "\n" for line in out)

"""GitLab Code Quality report (the Code Climate subset GitLab reads).

A JSON array; each issue has description, check_name, fingerprint (unique in
the report), severity (info, minor, major, critical, blocker) and location
with path and lines.begin.  Paths are relative to the directory xenlint ran
in, which in a GitLab job is the repository root.
"""

from __future__ import annotations

import json

from . import Report, Style
from .fingerprints import unique_fingerprints

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}


def render(report: Report, style: Style = Style()) -> str:
    issues = []
    for finding, fingerprint in zip(report.findings, unique_fingerprints(report.findings)):
        issues.append({
            "type": "issue",
            "description": f"{finding.rule_id}: {finding.message}",
            "check_name": finding.rule_id,
            "fingerprint": fingerprint,
            "severity": SEVERITIES[str(finding.severity)],
            "categories": ["Bug Risk"],
            "location": {"path": finding.path, "lines": {"begin": max(finding.line, 1)}},
        })
    return json.dumps(issues, indent=2) + "\n"

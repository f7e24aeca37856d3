"""JSON output, schema version 1 (documented in docs/json-schema.md).

{
  "schema": "xenlint/1",
  "findings": [{"rule", "severity", "path", "line", "column", "message",
                "function", "source", "fingerprint", "details"?}],
  "summary": {"files": int, "errors": int, "warnings": int, "infos": int,
              "parsed": {"syntax_files", "syntax_recovered_files", "index_files",
                         "semantic_files", "semantic_failed_files"}},
  "problems": [str], "notes": [str], "sections": {title: [str]}
}
"""

from __future__ import annotations

import json
from collections import Counter

from . import Report, Style

SCHEMA = "xenlint/1"


def render(report: Report, style: Style = Style()) -> str:
    counts = Counter(str(f.severity) for f in report.findings)
    parsed = {k: v for k, v in report.stats.items() if not isinstance(v, dict)}
    doc = {
        "schema": SCHEMA,
        "findings": [f.to_dict() for f in report.findings],
        "summary": {
            "files": report.files_checked,
            "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
            "parsed": parsed,
        },
        "problems": report.problems,
        "notes": report.notes,
        "sections": report.sections,
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"

"""JSON of a series review, schema "xenlint-review/1".

{
  "schema": "xenlint-review/1", "source": str, "tree": str|null,
  "patches": [{"label", "number", "total", "version", "subject", "author",
               "message_id", "applied": bool|null, "failures": [str],
               "findings": [finding + {"fixed_by": label|null}],
               "fixes": [{"rule", "path", "line", "fingerprint", "from": label}],
               "notes": [str], "verdict": str}],
  "skipped": [str], "problems": [str], "notes": [str], "summary": str
}
Findings have the fields of the "xenlint/1" schema (docs/json-schema.md).
"""

from __future__ import annotations

from . import Style

import json

from .review_report import summary, verdict

SCHEMA = "xenlint-review/1"


def _patch(review) -> dict:
    entry, info = review.entry, review.entry.mail.info
    return {
        "label": entry.label, "number": entry.tags.number, "total": entry.tags.total,
        "version": entry.tags.version, "subject": info.subject, "author": info.author,
        "message_id": info.message_id, "applied": review.applied,
        "failures": [str(f) for f in review.failures],
        "findings": [{**f.to_dict(), "fixed_by": review.fixed_by.get(f.fingerprint())}
                     for f in review.findings],
        "fixes": [{"rule": f.rule_id, "path": f.path, "line": f.line,
                   "fingerprint": f.fingerprint(), "from": owner} for f, owner in review.fixes],
        "notes": review.notes, "verdict": verdict(review),
    }


def render(result, style: Style = Style()) -> str:
    series = result.series
    doc = {
        "schema": SCHEMA, "source": series.source,
        "tree": str(result.tree) if result.tree is not None else None,
        "patches": [_patch(r) for r in result.reviews],
        "skipped": series.skipped, "problems": series.problems, "notes": series.notes,
        "summary": summary(result),
    }
    return json.dumps(doc, indent=2) + "\n"

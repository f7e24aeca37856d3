"""SARIF 2.1.0: one run, the rules that fired as reportingDescriptors, one result per finding.

Read by GitHub code scanning (upload-sarif), GitLab and most IDEs.  Paths
stay relative (to the directory xenlint ran in, or the repository root for
--staged/--diff) under the %SRCROOT% base id, which the consumer resolves to
its checkout; fingerprints go in partialFingerprints.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import Report
from .fingerprints import unique_fingerprints

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _descriptor(doc) -> dict:
    help_text = (f"{doc.what}\n\nWhy it matters: {doc.why}\n\n"
                 f"Example:\n{doc.example}\n\nUse instead:\n{doc.instead}")
    return {
        "id": doc.id,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.what},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[str(doc.severity)]},
        "properties": {"confidence": doc.confidence},
    }


def _artifact(path: str) -> dict:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": Path(path).as_posix(), "uriBaseId": "%SRCROOT%"}


def render(report: Report, verbose: bool = False) -> str:
    from analyzer import __version__

    from rules import doc

    rule_ids = sorted({f.rule_id for f in report.findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    results = []
    for finding, fingerprint in zip(report.findings, unique_fingerprints(report.findings)):
        region = {"startLine": max(finding.line, 1)}
        if finding.col >= 1:
            region["startColumn"] = finding.col
        if finding.source:
            region["snippet"] = {"text": finding.source}
        location = {"physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region}}
        if finding.function:
            location["logicalLocations"] = [{"name": finding.function, "kind": "function"}]
        results.append({
            "ruleId": finding.rule_id,
            "ruleIndex": index[finding.rule_id],
            "level": LEVELS[str(finding.severity)],
            "message": {"text": finding.message},
            "locations": [location],
            "partialFingerprints": {"xenlintFingerprint/v1": fingerprint},
        })
    notifications = [{"level": "warning", "message": {"text": problem}} for problem in report.problems]
    invocation = {"executionSuccessful": not report.problems}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {"driver": {
            "name": "xenlint",
            "version": __version__,
            "rules": [_descriptor(doc(rule_id)) for rule_id in rule_ids],
        }},
        "invocations": [invocation],
        "results": results,
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"

"""SARIF 2.1.0: one run, the rules that fired as reportingDescriptors, one result per finding.

Read by GitHub code scanning (upload-sarif), GitLab and most IDEs.  Paths
stay relative (to the directory xenlint ran in, or the repository root for
--staged/--diff) under the %SRCROOT% base id, which originalUriBaseIds
resolves to that directory; fingerprints go in partialFingerprints.  The
rule properties are the ones GitHub documents: ``precision`` (from the
rule's confidence), ``tags``, ``help.markdown``, ``helpUri`` (the rule's
section of docs/rules.md where the project is published) and
``problem.severity``.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import Report, Style
from .fingerprints import unique_fingerprints

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


# GitHub's precision values for a rule's confidence; its severity names.
PRECISION = {"high": "high", "medium": "medium", "low": "low"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}


def docs_url() -> str:
    """docs/rules.md where the project is published ([project.urls] Documentation)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        for entry in metadata("xenlint").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() == "documentation":
                return url.strip()
    except PackageNotFoundError:
        pass
    return "https://git.example.invalid/xenlint/-/blob/main/docs/rules.md"


def _descriptor(doc, base: str) -> dict:
    from .rule_table import help_markdown

    help_text = (f"{doc.what}\n\nWhy it matters: {doc.why}\n\n"
                 f"Example:\n{doc.example}\n\nUse instead:\n{doc.instead}")
    return {
        "id": doc.id,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.what},
        "help": {"text": help_text, "markdown": help_markdown(doc)},
        "helpUri": f"{base}#{doc.id.lower()}",
        "defaultConfiguration": {"level": LEVELS[str(doc.severity)]},
        "properties": {"precision": PRECISION[doc.confidence], "confidence": doc.confidence,
                       "problem.severity": PROBLEM_SEVERITY[str(doc.severity)],
                       "tags": ["correctness", "xen", "vcpu_info", doc.family]},
    }


def _artifact(path: str) -> dict:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": Path(path).as_posix(), "uriBaseId": "%SRCROOT%"}


def _code_flow(finding) -> dict | None:
    """The model's path to a defect (details["path"]) as a SARIF code flow:
    each branch direction and write, in order, at its line."""
    steps = [s for s in finding.details.get("path") or () if s.get("line")]
    if not steps:
        return None
    locations = []
    for step in steps[:200]:
        region = {"startLine": step["line"]}
        locations.append({"location": {
            "physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region},
            "message": {"text": step["text"]}}})
    return {"threadFlows": [{"locations": locations}]}


def render(report: Report, style: Style = Style()) -> str:
    from analyzer import __version__

    from rules import doc

    base = docs_url()
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
        result = {
            "ruleId": finding.rule_id,
            "ruleIndex": index[finding.rule_id],
            "level": LEVELS[str(finding.severity)],
            "message": {"text": finding.message},
            "locations": [location],
            "partialFingerprints": {"xenlintFingerprint/v1": fingerprint},
        }
        if finding.profile:
            result["properties"] = {"profile": finding.profile}
        flow = _code_flow(finding)
        if flow:
            result["codeFlows"] = [flow]
        results.append(result)
    notifications = [{"level": "warning", "message": {"text": problem}} for problem in report.problems]
    invocation = {"executionSuccessful": not report.problems}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {"driver": {
            "name": "xenlint",
            "version": __version__,
            "rules": [_descriptor(doc(rule_id), base) for rule_id in rule_ids],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": (report.root or Path.cwd()).resolve().as_uri() + "/"}},
        "results": results,
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"

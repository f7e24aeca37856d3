"""Inline suppressions: xenlint's own comments and Xen's SAF deviation comments.

    /* xenlint: ignore[XL106] only the boot CPU writes it */
    /* SAF-3-safe */          (an id that docs/misra/safe.json maps to xenlint)

A suppression covers findings on its own line and on the line after it.  A
xenlint suppression must name rule ids and give a reason; one that does not
suppresses nothing and is itself a finding (XL001), and one naming a rule
that does not exist is a finding too (XL002), so a typo never hides a defect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import InputError
from analyzer.findings import Finding, Severity
from analyzer.inputs.sources import read_input
from rules import MODULES

# /* xenlint: DIRECTIVE[IDS] REASON */ or // xenlint: ...
_XENLINT = re.compile(
    r"(?:/\*\s*xenlint:(?P<body>.*?)\*/|//\s*xenlint:(?P<line_body>.*)$)", re.M)
_DIRECTIVE = re.compile(r"\s*(?P<verb>[A-Za-z_-]*)\s*(?:\[(?P<ids>[^\]]*)\])?\s*(?P<reason>.*?)\s*$", re.S)
_SAF = re.compile(r"/\*\s*(?P<id>SAF-\d+-safe)\b")

MALFORMED_ID = "XL001"
UNKNOWN_ID = "XL002"


@dataclass
class Suppression:
    line: int
    rule_ids: frozenset[str]
    reason: str
    origin: str  # "xenlint" or the SAF id


@dataclass
class FileSuppressions:
    by_line: dict[int, list[Suppression]] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    def covering(self, finding: Finding) -> Suppression | None:
        for line in (finding.line, finding.line - 1):
            for suppression in self.by_line.get(line, ()):
                if finding.rule_id in suppression.rule_ids:
                    return suppression
        return None


def load_safe_json(path: Path) -> dict[str, frozenset[str]]:
    """SAF id -> xenlint rule ids, from Xen's docs/misra/safe.json.

    An entry maps to xenlint through ``"analyser": {"xenlint": "XL106"}`` (a
    string, comma-separated ids, or a list); entries for other tools only are
    ignored.  An unknown xenlint id there is a configuration error.
    """
    import json  # only for a safe.json

    raw = read_input(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not valid JSON: {exc}") from None
    entries = data.get("content") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(str(path), "has no 'content' list of deviations")
    mapping: dict[str, frozenset[str]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        value = (entry.get("analyser") or {}).get("xenlint")
        if not value or not entry.get("id"):
            continue
        ids = value if isinstance(value, list) else str(value).split(",")
        rule_ids = frozenset(str(i).strip().upper() for i in ids if str(i).strip())
        unknown = sorted(rule_ids - MODULES.keys())
        if unknown:
            raise InputError(str(path), f"{entry['id']} maps to unknown xenlint rule id "
                                        f"{', '.join(unknown)} (see 'xenlint rules')")
        mapping[str(entry["id"])] = rule_ids
    return mapping


def find_safe_json(start: Path) -> Path | None:
    """docs/misra/safe.json of the Xen tree that contains ``start``."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / "docs" / "misra" / "safe.json"
        if candidate.is_file():
            return candidate
    return None


def _problem(rule_id: str, path: str, line: int, col: int, message: str, source: str) -> Finding:
    return Finding(rule_id=rule_id, severity=Severity.ERROR, path=path, line=line, col=col,
                   message=message, source=source)


def has_marker(text: str, saf: bool = True) -> bool:
    """Can ``text`` hold a suppression ("xenlint:" or, with safe.json, "SAF-")?"""
    return "xenlint:" in text or (saf and "SAF-" in text)


def scan(path: str, text: str,
         saf: dict[str, frozenset[str]] | None = None) -> FileSuppressions:
    """The suppressions in one file's text, and the malformed ones as findings."""
    found = FileSuppressions()
    has_xenlint = "xenlint:" in text
    has_saf = bool(saf) and "SAF-" in text
    if not (has_xenlint or has_saf):
        return found
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def position(offset: int) -> tuple[int, int]:
        import bisect

        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    if has_xenlint:
        for match in _XENLINT.finditer(text):
            line, col = position(match.start())
            source = lines[line - 1]
            body = match.group("body") if match.group("body") is not None else match.group("line_body")
            directive = _DIRECTIVE.match(body)
            verb, ids_text, reason = directive["verb"], directive["ids"], directive["reason"]
            if verb != "ignore" or ids_text is None:
                found.problems.append(_problem(
                    MALFORMED_ID, path, line, col,
                    "xenlint suppression must read 'xenlint: ignore[ID,...] reason'", source))
                continue
            ids = {part.strip().upper() for part in ids_text.split(",") if part.strip()}
            if not ids:
                found.problems.append(_problem(
                    MALFORMED_ID, path, line, col, "xenlint suppression names no rule id", source))
                continue
            if not reason:
                found.problems.append(_problem(
                    MALFORMED_ID, path, line, col,
                    f"xenlint suppression of {', '.join(sorted(ids))} gives no reason; "
                    f"say why the finding is not a defect", source))
                continue
            unknown = sorted(ids - MODULES.keys())
            if unknown:
                found.problems.append(_problem(
                    UNKNOWN_ID, path, line, col,
                    f"xenlint suppression names unknown rule id {', '.join(unknown)} "
                    f"(see 'xenlint rules')", source))
                continue
            end_line = position(match.end() - 1)[0]
            suppression = Suppression(line, frozenset(ids), reason, "xenlint")
            # A comment spanning lines covers its last line and the one after.
            for covered in {line, end_line}:
                found.by_line.setdefault(covered, []).append(suppression)
    if has_saf:
        for match in _SAF.finditer(text):
            rule_ids = saf.get(match["id"])
            if rule_ids:
                line, _ = position(match.start())
                found.by_line.setdefault(line, []).append(
                    Suppression(line, rule_ids, match["id"], match["id"]))
    return found

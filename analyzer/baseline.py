"""Baselines: the findings a project has accepted, so a CI gate fails only on new ones.

A baseline entry is a finding's fingerprint (rule, file, enclosing function,
normalised source text: no line numbers, so edits elsewhere do not disturb
it) with a count.  Matching is count-aware: two identical lines in one file
share a fingerprint, and a third copy added later is still new.

The file path inside the fingerprint is taken relative to the baseline file's
directory, so the same baseline works whatever directory xenlint runs from.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path

from analyzer.errors import InputError
from analyzer.findings import Finding

SCHEMA = "xenlint-baseline/1"


def _anchored(finding: Finding, root: Path, baseline_dir: Path) -> Finding:
    """``finding`` with its path relative to the baseline's directory, in POSIX form."""
    absolute = Path(finding.path) if Path(finding.path).is_absolute() else root / finding.path
    rel = os.path.relpath(os.path.abspath(absolute), os.path.abspath(baseline_dir))
    return dataclasses.replace(finding, path=Path(rel).as_posix())


def baseline_key(finding: Finding, root: Path, baseline_dir: Path) -> str:
    return _anchored(finding, root, baseline_dir).fingerprint()


def write_baseline(path: Path, findings: list[Finding], root: Path) -> int:
    """Write every finding to ``path``; returns how many entries (fingerprints) it holds."""
    baseline_dir = path.resolve().parent
    entries: dict[str, dict] = {}
    for finding in findings:
        anchored = _anchored(finding, root, baseline_dir)
        key = anchored.fingerprint()
        entry = entries.setdefault(key, {
            "fingerprint": key, "rule": finding.rule_id, "path": anchored.path,
            "function": finding.function, "source": " ".join(finding.source.split()),
            "count": 0,
        })
        entry["count"] += 1
    doc = {"schema": SCHEMA,
           "findings": sorted(entries.values(), key=lambda e: (e["path"], e["rule"], e["fingerprint"]))}
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    return len(entries)


def read_baseline(path: Path) -> Counter:
    """Fingerprint -> how many findings with it the baseline accepts."""
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), "baseline file not found (write one with 'xenlint baseline write')") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not a xenlint baseline: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(str(path), f"not a xenlint baseline (expected schema {SCHEMA!r})")
    counts: Counter = Counter()
    for entry in doc.get("findings", []):
        try:
            counts[str(entry["fingerprint"])] += int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise InputError(str(path), f"malformed baseline entry {entry!r}") from None
    return counts


def new_findings(findings: list[Finding], accepted: Counter, root: Path,
                 baseline_path: Path) -> tuple[list[Finding], int]:
    """(findings not covered by the baseline, how many were covered)."""
    remaining = Counter(accepted)
    baseline_dir = baseline_path.resolve().parent
    new: list[Finding] = []
    for finding in findings:
        key = baseline_key(finding, root, baseline_dir)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(finding)
    return new, len(findings) - len(new)

"""The gate between the rules and the reporters: configuration, suppressions, baseline.

Commands call ``prepare`` once (reads the configuration, Xen's safe.json and
the baseline) and ``apply`` on the findings the checker produced.  The rules
and the checker know nothing of this: they report everything they see.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from analyzer.config import Config, load_config
from analyzer.errors import InputError
from analyzer.findings import Finding
from analyzer.profiles import ProfileSettings


@dataclass
class Gate:
    config: Config
    root: Path  # the directory finding paths are relative to
    # The rule ids this run reports: --select/--extend-select/--ignore, less
    # those the configuration turns off.
    selected: frozenset[str] = frozenset()
    saf: dict[str, frozenset[str]] = field(default_factory=dict)
    baseline: Counter | None = None
    baseline_path: Path | None = None
    # --profile or the configuration's, and the rules named on (profiles.ProfileSettings).
    profiles: ProfileSettings = ProfileSettings()

    def static_rule_ids(self) -> list[str]:
        """Ids of the static rules to run, in catalogue order (no rule module loaded)."""
        from rules import ALL_IDS, family_of

        return [i for i in ALL_IDS if i in self.selected and family_of(i) == "static"]

    def static_rules(self) -> list:
        """The static rules to run (rules.static_rules), in catalogue order."""
        from rules import static_rules

        rules = static_rules()
        return [rules[rule_id] for rule_id in self.static_rule_ids()]

    def wants_model(self) -> bool:
        """Is any model cross-check rule (XL2xx) selected?"""
        from rules import family_of

        return any(family_of(rule_id) == "model" for rule_id in self.selected)

    def fail_on(self, given: str | None) -> str:
        """--fail-on, else the configuration's fail-on, else error."""
        return given or self.config.fail_on or "error"


def prepare(start: Path, root: Path | None = None, *, config_file: str | None = None,
            baseline: str | None = None, select: Sequence[str] = (), ignore: Sequence[str] = (),
            extend_select: Sequence[str] = (), profile: str | None = None) -> Gate:
    """Read what governs a run over ``start``: configuration, rule selection,
    guest profile, safe.json, baseline.  An unknown rule selector is an
    InputError."""
    from analyzer.suppressions import find_safe_json, load_safe_json
    from rules import UnknownRule, selection

    config = load_config(start, config_file)
    try:
        chosen = selection(select, ignore, extend_select)
    except UnknownRule as exc:
        raise InputError("--select/--ignore", f"{exc} names no rule (see 'xenlint rules')") from None
    from rules import MODULES

    # A rule named in full (not by a prefix) is wanted whatever a profile says.
    named = {s.upper() for s in (*select, *extend_select) if s.upper() in MODULES} | config.named
    settings = ProfileSettings(profile or config.profile or "auto", frozenset(named))
    gate = Gate(config=config, root=(root or Path.cwd()), selected=chosen - config.disabled,
                profiles=settings)
    safe_json = find_safe_json(start)
    if safe_json is not None:
        gate.saf = load_safe_json(safe_json)
    if baseline:
        from analyzer.baseline import read_baseline

        gate.baseline_path = Path(baseline)
        gate.baseline = read_baseline(gate.baseline_path)
    return gate


def split_excluded(paths: list[Path], gate: Gate) -> tuple[list[Path], list[Path]]:
    """(paths to check, excluded paths: still read as context, never reported)."""
    kept, excluded = [], []
    for path in paths:
        (excluded if gate.config.is_excluded(path) else kept).append(path)
    return kept, excluded


def _absolute(gate: Gate, path: str) -> Path:
    return Path(path) if Path(path).is_absolute() else gate.root / path


def apply(gate: Gate, findings: list[Finding], texts: dict[str, str],
          added: dict[str, set[int]] | None = None, *,
          use_baseline: bool = True) -> tuple[list[Finding], list[str]]:
    """(findings to report, notes on what was filtered out).

    ``texts`` are the checked files' texts by finding path (suppression
    comments are read there); with ``added`` (a patch's added lines), problems
    with suppression comments are reported only where the patch added them.
    """
    from analyzer.suppressions import has_marker, scan

    notes: list[str] = []
    kept: list[Finding] = []
    problems: list[Finding] = []
    scanned = {}
    marked = getattr(texts, "marked", None)  # SourceTexts of an unchanged tree know them
    for path in (marked if marked is not None else texts):
        text = texts[path]
        if not has_marker(text, bool(gate.saf)):
            continue  # nothing to scan: the common case, without loading the rule ids
        found = scan(path, text, gate.saf)
        scanned[path] = found
        problems.extend(p for p in found.problems
                        if added is None or p.line in added.get(path, ()))
    suppressed = Counter()
    for finding in findings:
        suppression = scanned[finding.path].covering(finding) if finding.path in scanned else None
        if suppression is None:
            kept.append(finding)
        else:
            suppressed[suppression.origin] += 1
    for origin, count in sorted(suppressed.items()):
        what = "xenlint: ignore[...] comments" if origin == "xenlint" else f"{origin} deviation comments"
        notes.append(f"{count} finding{'s' if count != 1 else ''} suppressed by {what}")

    config = gate.config
    out: list[Finding] = []
    excluded = 0
    for finding in kept + problems:
        if finding.rule_id not in gate.selected:
            continue
        if config.is_excluded(_absolute(gate, finding.path)):
            excluded += 1
            continue
        severity = config.severities.get(finding.rule_id)
        if severity is not None and severity != finding.severity:
            finding = dataclasses.replace(finding, severity=severity)
        out.append(finding)
    if excluded:
        notes.append(f"{excluded} finding{'s' if excluded != 1 else ''} in excluded paths "
                     f"({config.source})")
    if use_baseline and gate.baseline is not None:
        from analyzer.baseline import new_findings

        out.sort(key=Finding.sort_key)
        out, matched = new_findings(out, gate.baseline, gate.root, gate.baseline_path)
        notes.append(f"{matched} finding{'s' if matched != 1 else ''} already in the baseline "
                     f"{gate.baseline_path}")
    out.sort(key=Finding.sort_key)
    return out, notes

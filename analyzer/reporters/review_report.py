"""The per-patch review summary: subject, author, Message-ID, findings, verdict.

Takes a SeriesReview (analyzer.series) and lays it out patch by patch, in
series order, then what was not reviewed and why.
"""

from __future__ import annotations

from . import Style

from collections import Counter

from analyzer.findings import Finding


def counts(findings: list[Finding]) -> str:
    tally = Counter(str(f.severity) for f in findings)
    parts = [f"{tally[s]} {s}{'s' if tally[s] != 1 else ''}" for s in ("error", "warning", "info") if tally[s]]
    return ", ".join(parts) if parts else "no findings"


def verdict(review) -> str:
    words = []
    if review.applied is False:
        words.append("does not apply")
    elif review.failures:
        words.append(f"{len(review.failures)} hunk{'s' if len(review.failures) != 1 else ''} not checked")
    words.append(counts(review.findings))
    fixed = sum(1 for f in review.findings if f.fingerprint() in review.fixed_by)
    if fixed:
        words.append(f"{fixed} fixed later in the series")
    if review.fixes:
        owners = sorted({label for _, label in review.fixes})
        words.append(f"fixes {len(review.fixes)} finding{'s' if len(review.fixes) != 1 else ''} "
                     f"of {', '.join(owners)}")
    return "; ".join(words)


def _finding_lines(finding: Finding, fixed_by: str | None, style: Style) -> list[str]:
    line = (f"  {style.location(finding.path, finding.line, finding.col)} {style.severity(finding.severity)}: "
            f"{finding.message} [{finding.rule_id}]")
    if fixed_by:
        line += f" (fixed by {fixed_by})"
    out = [line]
    if finding.source and style.show_source:
        out.append(f"      {finding.source.strip()}")
    out.extend(f"      {extra}" for extra in finding.details.get("text_lines", ()))
    return out


def render(result, style: Style = Style()) -> str:
    series = result.series
    out: list[str] = []
    where = f" on {result.tree}" if result.tree is not None else " (hunks alone, no --tree)"
    out.append(f"xenlint review of {series.source}: {len(result.reviews)} "
               f"patch{'es' if len(result.reviews) != 1 else ''}{where}")
    for review in result.reviews:
        entry = review.entry
        info = entry.mail.info
        out.append("")
        out.append(f"{entry.label}: {info.subject or entry.tags.title or entry.mail.name}")
        out.append(f"  From: {info.author or '(unknown)'}")
        out.append(f"  Message-ID: <{info.message_id}>" if info.message_id else "  Message-ID: (none)")
        for failure in review.failures:
            out.append(f"  {'apply failed' if review.applied is False else 'not checked'}: {failure}")
        for note in review.notes if style.verbose or review.applied is False else []:
            out.append(f"  note: {note}")
        for finding in review.findings:
            out.extend(_finding_lines(finding, review.fixed_by.get(finding.fingerprint()), style))
        for finding, owner in review.fixes:
            out.append(f"  fixes {finding.path}:{finding.line}: {finding.rule_id} from {owner}")
        out.append(f"  verdict: {verdict(review)}")
    if series.notes or series.skipped or series.problems:
        out.append("")
        out.append("series:")
        out.extend(f"  problem: {problem}" for problem in series.problems)
        out.extend(f"  note: {note}" for note in series.notes)
        out.extend(f"  skipped: {skipped}" for skipped in series.skipped)
    if style.verbose:
        for path, lines in sorted(result.stats.recovered.items()):
            shown = ", ".join(map(str, lines[:8])) + (" ..." if len(lines) > 8 else "")
            out.append(f"note: {path}: syntax layer recovered from parse errors at line {shown}")
    if style.statistics:
        from . import statistics

        out.extend(statistics(result.findings))
    out.append("")
    out.append(summary(result))
    return "\n".join(out) + "\n"


def summary(result) -> str:
    findings = result.findings
    fixed = sum(len(r.fixed_by) for r in result.reviews)
    text = f"xenlint: {counts(findings)} in {len(result.reviews)} patch{'es' if len(result.reviews) != 1 else ''}"
    if fixed:
        text += f" ({fixed} fixed later in the series)"
    failed = sum(1 for r in result.reviews if r.applied is False)
    if failed:
        text += f"; {failed} patch{'es' if failed != 1 else ''} did not apply"
    if result.series.problems:
        n = len(result.series.problems)
        text += f"; {n} unreadable message{'s' if n != 1 else ''}"
    return text

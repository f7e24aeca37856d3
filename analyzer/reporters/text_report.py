"""gcc-style text: `path:line:col: severity: message [ID]`, the source line, a summary."""

from __future__ import annotations

from collections import Counter

from . import Report, Style, statistics


def render(report: Report, style: Style = Style()) -> str:
    out: list[str] = []
    for finding in report.findings:
        out.append(f"{style.location(finding.path, finding.line, finding.col)} "
                   f"{style.severity(finding.severity)}: {finding.message} [{finding.rule_id}]")
        if finding.source and style.show_source:
            out.append(f"    {finding.source.strip()}")
        for line in finding.details.get("text_lines", ()):
            out.append(f"    {line}")
    for problem in report.problems:
        out.append(f"xenlint: {problem}")
    for title, lines in report.sections.items():
        out.append(f"{title}:")
        out.extend(f"  {line}" for line in lines)
    if style.statistics:
        out.extend(statistics(report.findings))
    if style.verbose:
        out.extend(f"note: {note}" for note in report.notes)
        for path, lines in sorted(report.stats.get("recovered", {}).items()):
            shown = ", ".join(map(str, lines[:8])) + (" ..." if len(lines) > 8 else "")
            out.append(f"note: {path}: syntax layer recovered from parse errors at line {shown}")
        for path, why in sorted(report.stats.get("semantic_failures", {}).items()):
            out.append(f"note: {path}: semantic layer failed: {why}")
    out.append(summary(report))
    return "\n".join(out) + "\n"


def summary(report: Report) -> str:
    counts = Counter(str(f.severity) for f in report.findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
    found = ", ".join(parts) if parts else "no findings"
    stats = report.stats
    layers = [f"syntax {stats.get('syntax_files', 0)}"]
    if stats.get("declaration_files"):
        layers.append(f"declarations {stats['declaration_files']}")
    if stats.get("syntax_recovered_files"):
        layers[-1] += f" ({stats['syntax_recovered_files']} with recovered parse errors)"
    if stats.get("semantic_files") or stats.get("semantic_failed_files"):
        layers.append(f"semantic {stats.get('semantic_files', 0)}"
                      + (f" ({stats['semantic_failed_files']} failed)" if stats.get("semantic_failed_files") else ""))
    if stats.get("index_files"):
        layers.append(f"index {stats['index_files']}")
    text = f"xenlint: {found} in {report.files_checked} file{'s' if report.files_checked != 1 else ''}; parsed: {', '.join(layers)}"
    if report.problems:
        text += f"; {len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}"
    return text

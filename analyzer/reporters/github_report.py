"""GitHub Actions workflow commands: one annotation line per finding.

    ::error file=PATH,line=N,col=N,title=XL101 legacy-vcpu-info-index::MESSAGE

Property values escape %, CR, LF, ':' and ','; the message escapes %, CR
and LF, as the runner expects.  A closing summary line without '::' is plain
log output.
"""

from __future__ import annotations

from . import Report, Style

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding, title: str) -> str:
    props = [f"file={escape_property(finding.path)}", f"line={max(finding.line, 1)}"]
    if finding.col >= 1:
        props.append(f"col={finding.col}")
    props.append(f"title={escape_property(title)}")
    return f"::{COMMANDS[str(finding.severity)]} {','.join(props)}::{escape_data(finding.message)}"


def render(report: Report, style: Style = Style()) -> str:
    from rules import doc

    from .text_report import summary

    out = [annotation(f, f"{f.rule_id} {doc(f.rule_id).name}") for f in report.findings]
    out.extend(f"::warning::{escape_data('xenlint: ' + problem)}" for problem in report.problems)
    out.append(summary(report))
    return "\n".join(out) + "\n"

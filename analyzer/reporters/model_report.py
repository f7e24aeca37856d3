"""Text and JSON output of `xenlint model`: findings, coverage, stubs, replays.

Findings print as everywhere else (`path:line:col: severity: message [ID]`),
followed by the model's pointer table and replay command.
"""

from __future__ import annotations

from analyzer.crosscheck.findings import pointer_table, table_text
from analyzer.model.scope import SYMMETRY


def _finding_text(f) -> list[str]:
    out = [f"{f.path}:{f.line}:{f.col}: {f.severity}: {f.message} [{f.rule_id}]"]
    out += ["    " + line for line in f.details.get("text_lines", ())]
    if "table" in f.details:
        out += ["    " + line for line in f.details["table"].splitlines()]
    if "replay" in f.details:
        out.append(f"    replay: {f.details['replay']}")
    return out


def report_text(report, findings, verbose: bool = False) -> str:
    """The findings (those the gate kept), then what was run and covered."""
    out = [f"note: {note}" for note in report.notes] if verbose else []
    for f in sorted(findings, key=lambda f: (-int(f.severity), f.rule_id)):
        out += _finding_text(f)
    skipped = f" ({report.skipped} scenarios skipped: {report.skipped_why})" if report.skipped else ""
    if report.scope is not None:
        out.append(f"\nall {report.scenarios_run - report.probes} scenarios of scope "
                   f"{report.scope.describe()} checked (and {report.probes} policy probes) in "
                   f"{report.seconds:.1f} s, {report.defects} distinct defects{skipped}")
        out.append(f"reduced by symmetry: {SYMMETRY}")
    else:
        out.append(f"\n{report.scenarios_run} scenarios run, {report.defects} distinct defects{skipped}")
    out.append("coverage (branch directions exercised):")
    for fn, (hit, total) in report.coverage_by_function().items():
        out.append(f"    {fn}: {hit}/{total}")
    for b in report.coverage:
        if not (b.taken and b.not_taken):
            side = "true" if not b.taken else "false"
            out.append(f"      never {side}: {b.function} line {b.line} {b.kind} ({b.text})")
    out.append("stubbed calls: " + (", ".join(f"{n} ({c} calls)" for n, c in report.stubs) or "none"))
    return "\n".join(out) + "\n"


def replay_text(report, scenario, findings) -> str:
    out = [f"scenario: {scenario.to_json()}", f"          {scenario.describe()}"]
    for f in findings:
        if f.rule_id in ("XL260", "XL280", "XL270"):
            out += _finding_text(f)
    for result in report.results:
        by_event = _steps_by_event(report, result)
        for ev in result.events:
            marks = ", ".join(f"I{v.invariant}: {v.detail}" for v in ev.violations)
            out += ["", *[f"  {text}" for text in by_event.get(ev.index + 1, [])],
                    table_text(pointer_table(ev), ev)]
            if ev.diverges:
                out.append("    the C run and the model disagree here")
            if marks:
                out.append(f"    violated: {marks}")
    return "\n".join(out) + "\n"


def _steps_by_event(report, result) -> dict[int, list[str]]:
    """Event number -> the path the C code took in it (branches, writes), as text."""
    from analyzer.crosscheck.causes import path_steps

    if not result.path or report.harness is None:
        return {}
    out: dict[int, list[str]] = {}
    event = 0
    for step in path_steps(result.path, len(result.scenario.expanded_events()), result.scenario,
                           report.harness, report.path):
        if step["kind"] == "event":
            event = step["event"]
        else:
            out.setdefault(event, []).append(step["text"])
    return out


def report_json(report, findings, replay: bool = False) -> str:
    import json

    out = {
        "path": report.path,
        "findings": [f.to_dict() for f in findings],
        "scenarios_run": report.scenarios_run,
        "distinct_defects": report.defects,
        "seconds": round(report.seconds, 3),
        "scope": None if report.scope is None else {
            "description": report.scope.describe(), "cpus": list(report.scope.cpus),
            "depth": report.scope.depth, "symmetry": SYMMETRY},
        "policy": report.policy_notes,
        "coverage": [{"function": b.function, "line": b.line, "kind": b.kind, "condition": b.text,
                      "true": b.taken, "false": b.not_taken} for b in report.coverage],
        "stubs": [{"name": n, "calls": c} for n, c in report.stubs],
    }
    if replay:
        out["events"] = [
            {"event": ev.index + 1, "kind": ev.event[0], "cpu": ev.event[1], "diverges": ev.diverges,
             "path": _steps_by_event(report, result).get(ev.index + 1, []),
             "violations": [f"I{v.invariant}: {v.detail}" for v in ev.violations],
             "pointers": pointer_table(ev)}
            for result in report.results for ev in result.events]
    return json.dumps(out, indent=2) + "\n"

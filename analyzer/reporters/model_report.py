"""Text and JSON output of `xenlint model`: findings, coverage, stubs, replays.

Findings print as everywhere else (`path:line:col: severity: message [ID]`),
followed by the model's pointer table and replay command.
"""

from __future__ import annotations

from analyzer.crosscheck.findings import pointer_table, table_text


def _finding_text(f) -> list[str]:
    out = [f"{f.path}:{f.line}:{f.col}: {f.severity}: {f.message} [{f.rule_id}]"]
    if "table" in f.details:
        out += ["    " + line for line in f.details["table"].splitlines()]
    if "replay" in f.details:
        out.append(f"    replay: {f.details['replay']}")
    return out


def print_report(report) -> None:
    for f in sorted(report.findings, key=lambda f: (-int(f.severity), f.rule_id)):
        print("\n".join(_finding_text(f)))
    print(f"\n{report.scenarios_run} scenarios run"
          + (" (migration scenarios skipped: the file has no resume function)" if report.skipped_resume else ""))
    print("coverage (branch directions exercised):")
    for fn, (hit, total) in report.coverage_by_function().items():
        print(f"    {fn}: {hit}/{total}")
    missed = [b for b in report.coverage if not (b.taken and b.not_taken)]
    for b in missed:
        side = "true" if not b.taken else "false"
        print(f"      never {side}: {b.function} line {b.line} {b.kind} ({b.text})")
    print("stubbed calls: " + (", ".join(f"{n} ({c} calls)" for n, c in report.stubs) or "none"))


def print_replay(report, scenario) -> None:
    print(f"scenario: {scenario.to_json()}")
    print(f"          {scenario.describe()}")
    for f in report.findings:
        if f.rule_id in ("XL260", "XL280", "XL270"):
            print("\n".join(_finding_text(f)))
    for result in report.results:
        for ev in result.events:
            marks = ", ".join(f"I{v.invariant}: {v.detail}" for v in ev.violations)
            print()
            print(table_text(pointer_table(ev), ev))
            if ev.diverges:
                print("    the C run and the model disagree here")
            if marks:
                print(f"    violated: {marks}")


def report_json(report, replay: bool = False) -> dict:
    out = {
        "path": report.path,
        "findings": [f.to_dict() for f in report.findings],
        "scenarios_run": report.scenarios_run,
        "policy": report.policy_notes,
        "coverage": [{"function": b.function, "line": b.line, "kind": b.kind, "condition": b.text,
                      "true": b.taken, "false": b.not_taken} for b in report.coverage],
        "stubs": [{"name": n, "calls": c} for n, c in report.stubs],
    }
    if replay:
        out["events"] = [
            {"event": ev.index + 1, "kind": ev.event[0], "cpu": ev.event[1], "diverges": ev.diverges,
             "violations": [f"I{v.invariant}: {v.detail}" for v in ev.violations],
             "pointers": pointer_table(ev)}
            for result in report.results for ev in result.events]
    return out

"""Turn cross-check results into findings (rule family XL2xx).

One finding per distinct defect (a rule and the statement that caused it,
see causes.py), at that statement's line, carrying the smallest scenario that
shows it as one line of JSON, the command that replays it, the path the C
code took to it, and the per-CPU pointer table of the C run next to the
model's at the first event that shows the problem.
"""

from __future__ import annotations

import shlex

from analyzer.crosscheck.compare import EventResult, ScenarioResult
from analyzer.findings import Finding, Severity
from analyzer.model.scenario import Scenario
from analyzer.model.snapshot import Snapshot, Stop, ptr_text

MAX_TABLE_ROWS = 12


def replay_command(target: str, scenario: Scenario) -> str:
    """`target` is the command's input as typed (e.g. "patch.mbox --tree DIR"), already quoted."""
    return f"xenlint model {target} --replay {shlex.quote(scenario.to_json())}"


def _state(snap: Snapshot, cpu: int) -> str:
    c = snap.cpus[cpu]
    if not c.online:
        return "offline" if c.ptr.name == "NULL" else f"offline, {ptr_text(c.ptr, c.ptr_idx)}"
    return ptr_text(c.ptr, c.ptr_idx)


def pointer_table(ev: EventResult) -> list[dict]:
    """Rows for the CPUs that are online in either run or differ between them."""
    rows = []
    for cpu in range(len(ev.c.cpus)):
        c_cpu, m_cpu = ev.c.cpus[cpu], ev.model.cpus[cpu]
        c_text, m_text = _state(ev.c, cpu), _state(ev.model, cpu)
        if not (c_cpu.online or m_cpu.online or c_text != m_text):
            continue
        rows.append({"cpu": cpu, "vcpu": c_cpu.vcpu if c_cpu.online else m_cpu.vcpu,
                     "c": c_text, "model": m_text})
    interesting = [r for r in rows if r["c"] != r["model"]]
    if len(rows) > MAX_TABLE_ROWS:
        rows = (interesting + [r for r in rows if r not in interesting])[:MAX_TABLE_ROWS]
        rows.sort(key=lambda r: r["cpu"])
    return rows


def _stop_text(snap: Snapshot) -> str:
    return "running" if snap.stop is Stop.NONE else f"stopped ({snap.stop.name})"


def table_text(rows: list[dict], ev: EventResult) -> str:
    lines = [f"after event {ev.index + 1} ({ev.event[0]}{'' if ev.event[1] < 0 else ':' + str(ev.event[1])}):"
             f" C {_stop_text(ev.c)}, model {_stop_text(ev.model)}",
             f"{'CPU':>4} {'vCPU':>5}  {'C run':<44} model"]
    for r in rows:
        mark = "  " if r["c"] == r["model"] else "≠ "
        lines.append(f"{r['cpu']:>4} {r['vcpu']:>5}  {r['c']:<44} {mark}{r['model']}")
    return "\n".join(lines)


def invariant_title(invariant: int) -> str:
    """The invariant's statement, as its rule's summary gives it ("I2: no pointer ...")."""
    import rules

    return rules.doc(f"XL2{invariant:02d}").summary.partition(": ")[2]


class Location:
    """Where findings about the mapping code are anchored."""

    def __init__(self, path: str, line: int, function: str, source: str, replay_target: str = ""):
        self.path, self.line, self.function, self.source = path, line, function, source
        self.replay_target = replay_target or shlex.quote(path)

    def at(self, line: int, function: str, source: str) -> "Location":
        """The same input, anchored at another statement."""
        return Location(self.path, line, function, source, self.replay_target)


def _details(loc: Location, result: ScenarioResult, ev: EventResult, extra: dict | None = None) -> dict:
    rows = pointer_table(ev)
    details = {
        "scenario": result.scenario.to_json(),
        "replay": replay_command(loc.replay_target, result.scenario),
        "event": ev.index + 1,
        "pointers": rows,
        "table": table_text(rows, ev),
    }
    if extra:
        details.update(extra)
    return details


def invariant_finding(loc: Location, invariant: int, result: ScenarioResult, ev: EventResult,
                      violation=None, cause: str = "") -> Finding:
    """`loc` is the statement that caused it; `cause` says how, in a few words."""
    violation = violation or next(v for v in ev.violations if v.invariant == invariant)
    scenario = result.scenario
    because = f"; {cause}" if cause else ""
    return Finding(
        rule_id=f"XL2{invariant:02d}", severity=Severity.ERROR, path=loc.path, line=loc.line, col=1,
        message=(f"I{invariant} violated ({invariant_title(invariant)}): {violation.detail}{because}; "
                 f"scenario: {scenario.describe()}"),
        function=loc.function, source=loc.source,
        discriminator=f"I{invariant}" + (f":{violation.flag.name}" if violation.about == "flag" else ""),
        details=_details(loc, result, ev, {"invariant": f"I{invariant}", "cause": cause}))


def divergence_finding(loc: Location, result: ScenarioResult, ev: EventResult, cause: str = "") -> Finding:
    because = f"; {cause}" if cause else ""
    return Finding(
        rule_id="XL250", severity=Severity.WARNING, path=loc.path, line=loc.line, col=1,
        message=(f"the C code and the reference model disagree after event {ev.index + 1} "
                 f"({ev.event[0]}){because}; scenario: {result.scenario.describe()}"),
        function=loc.function, source=loc.source, details=_details(loc, result, ev, {"cause": cause}))


def policy_finding(loc: Location, text: str, line: int, dimension: str) -> Finding:
    return Finding(
        rule_id="XL260", severity=Severity.INFO, path=loc.path, line=line or loc.line, col=1,
        message=f"policy in force: {text}", function=loc.function, source=loc.source, discriminator=dimension,
        details={"policy": dimension})


def sandbox_finding(loc: Location, scenario: Scenario, reason: str) -> Finding:
    return Finding(
        rule_id="XL270", severity=Severity.ERROR, path=loc.path, line=loc.line, col=1,
        message=f"the extracted code was stopped by the sandbox: {reason}; scenario: {scenario.describe()}",
        function=loc.function, source=loc.source,
        details={"scenario": scenario.to_json(), "replay": replay_command(loc.replay_target, scenario),
                 "reason": reason})


def extraction_finding(loc: Location, problem: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(
        rule_id="XL280", severity=severity, path=loc.path, line=loc.line, col=1,
        message=f"extraction incomplete: {problem}", function=loc.function,
        source=loc.source, discriminator=problem, details={"problem": problem})


def refusal_finding(loc: Location, refusal) -> Finding:
    """Vetting refused the code (vet.Refusal): it was never compiled."""
    return Finding(
        rule_id="XL280", severity=Severity.ERROR, path=loc.path, line=refusal.line, col=1,
        message=f"extraction incomplete: {refusal}; the cross-check did not run",
        function=loc.function, source=loc.source, discriminator=str(refusal),
        details={"problem": str(refusal), "construct": refusal.construct})


def incomplete_finding(loc: Location, missing: int, sent: int, crashes) -> Finding:
    """Scenarios sent that never came back whole: the run did not pass."""
    reasons = sorted({crash.reason for crash in crashes})
    why = f" ({'; '.join(reasons[:3])})" if reasons else ""
    return Finding(
        rule_id="XL270", severity=Severity.ERROR, path=loc.path, line=loc.line, col=1,
        message=f"{missing} of {sent} scenarios did not complete{why}: the cross-check cannot "
                f"vouch for this code", function=loc.function, source=loc.source,
        discriminator="incomplete", details={"incomplete": missing, "sent": sent, "reasons": reasons})

"""Root causes and paths: which statement of the C code made a scenario fail.

The harness blames every change of a per-CPU pointer, a mapped bit, a
registration, the array pointer and every flag it raises on the statement
that was running (runtime.c, "sites").  A violation names what it is about
(invariants.Violation); its root cause is the statement that last changed
that thing.  Two failing scenarios with the same rule and the same root cause
are one defect; different causes are different defects, each reported at its
own line with its own smallest scenario.

A recorded path (a second run of the chosen scenarios, in path mode) lists
each branch direction and each effect in order; `path_steps` turns it into
`xen.c:125 if ( rc ) taken` / `xen.c:126 this_cpu(vcpu_info) = ...` lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.crosscheck.compare import EventResult, ScenarioResult
from analyzer.model.invariants import Violation
from analyzer.model.snapshot import Causes, Stop

NO_SITE = -1
# Path step kinds, as runtime.c writes them (kind << 24 | value).
_EVENT, _BRANCH, _EFFECT, _STOP = 1, 2, 3, 4
MAX_PATH_LINES = 24


@dataclass(frozen=True)
class Cause:
    site: int         # statement site id, or NO_SITE
    how: str          # "wrote CPU 1's vcpu_info pointer", ...


def _ptr(causes: Causes, cpu: int) -> Cause:
    if not 0 <= cpu < len(causes.ptr):
        return Cause(causes.last, "the code left here")
    site = causes.ptr[cpu]
    # Where the code left: on this CPU if code ran there, else anywhere.
    left = causes.left[cpu] if causes.left[cpu] != NO_SITE else causes.last
    if site == NO_SITE:
        return Cause(left, f"the code left here without setting CPU {cpu}'s vcpu_info pointer")
    if site < Causes.STALE:
        return Cause(site, f"CPU {cpu}'s vcpu_info pointer was last written here")
    if left != NO_SITE:
        # Written in an earlier event and left as it was by the code that ran
        # now: the defect is where that code left, not the old write.
        return Cause(left, f"the code left here without updating CPU {cpu}'s vcpu_info pointer")
    return Cause(site - Causes.STALE, f"CPU {cpu}'s vcpu_info pointer was last written here")


def violation_cause(v: Violation, ev: EventResult) -> Cause:
    causes = ev.causes
    if causes is None:
        return Cause(NO_SITE, "")
    if v.about == "ptr":
        return _ptr(causes, v.cpu)
    if v.about == "bit" and 0 <= v.vcpu < len(causes.bit):
        if causes.bit[v.vcpu] != NO_SITE:
            return Cause(causes.bit[v.vcpu], f"vCPU {v.vcpu}'s mapped bit was last changed here")
        if causes.reg[v.vcpu] != NO_SITE:
            return Cause(causes.reg[v.vcpu], f"vCPU {v.vcpu} was registered here without its mapped bit")
    if v.about == "reg" and 0 <= v.vcpu < len(causes.reg) and causes.reg[v.vcpu] != NO_SITE:
        return Cause(causes.reg[v.vcpu], f"vCPU {v.vcpu}'s area was registered here")
    if v.about == "flag" and v.flag:
        site = causes.flag(v.flag)
        if site != NO_SITE:
            return Cause(site, "this statement did it")
    if v.about == "array" and causes.array != NO_SITE:
        return Cause(causes.array, "the array was last allocated, freed or replaced here")
    return Cause(causes.last, "the code left here")


def divergence_cause(ev: EventResult) -> Cause:
    """Where the C run first differs from the model: a stop, else a CPU's pointer."""
    causes = ev.causes
    if causes is None:
        return Cause(NO_SITE, "")
    c_stopped, m_stopped = ev.c.stop is not Stop.NONE, ev.model.stop is not Stop.NONE
    if c_stopped and not m_stopped:
        return Cause(causes.stop, "the C code stopped the system here; the model does not")
    if m_stopped and not c_stopped:
        return Cause(causes.last, "the model stops the system; the C code went on from here")
    for cpu, (c, m) in enumerate(zip(ev.c.cpus, ev.model.cpus)):
        if (c.ptr, c.ptr_idx, c.online) != (m.ptr, m.ptr_idx, m.online):
            return _ptr(causes, cpu)
    for v, (c, m) in enumerate(zip(ev.c.vcpus, ev.model.vcpus)):
        if c.mapped != m.mapped and c.mapped != -1 and causes.bit[v] != NO_SITE:
            return Cause(causes.bit[v], f"vCPU {v}'s mapped bit was last changed here")
        if (c.reg, c.reg_idx) != (m.reg, m.reg_idx) and causes.reg[v] != NO_SITE:
            return Cause(causes.reg[v], f"vCPU {v}'s area was registered here")
    return Cause(causes.last, "the code left here")


def stop_cause(result: ScenarioResult) -> Cause:
    ev = result.hung()
    if ev is None or ev.causes is None:
        return Cause(NO_SITE, "")
    return Cause(ev.causes.stop, "the step budget ran out in this statement")


def facet(violation: Violation | None) -> str:
    """How an invariant broke, where one statement can break it in more than
    one way (I5: an area across a page, an offset past it): part of a
    defect's identity."""
    return violation.flag.name if violation is not None and violation.about == "flag" else ""


def defects(result: ScenarioResult):
    """(rule, cause, event, violation) for each distinct defect one scenario shows, first event first."""
    seen: set[tuple[str, int, str]] = set()
    subjects: set[tuple] = set()
    out = []
    for ev in result.events:
        for v in ev.violations:
            rule = f"XL2{v.invariant:02d}"
            if v.about != "flag":
                # A state that stays wrong is blamed where it went wrong, not
                # on whatever code ran in a later event.
                subject = (rule, v.about, v.cpu, v.vcpu)
                if subject in subjects:
                    continue
                subjects.add(subject)
            cause = violation_cause(v, ev)
            if (rule, cause.site, facet(v)) not in seen:
                seen.add((rule, cause.site, facet(v)))
                out.append((rule, cause, ev, v))
    if not out:
        ev = result.first_divergence()
        if ev is not None:
            out.append(("XL250", divergence_cause(ev), ev, None))
    return out


def path_steps(path: list[int], until_event: int, scenario, harness, file: str) -> list[dict]:
    """The recorded path up to the end of event `until_event` (0-based), as steps."""
    import os

    events = scenario.expanded_events()
    file = os.path.basename(file)   # steps read like "xen.c:125 if ( rc ) taken"
    steps: list[dict] = []
    for word in path:
        kind, value = word >> 24, word & 0xFFFFFF
        if kind == _EVENT:
            if value > until_event:
                break
            name, cpu = events[value] if value < len(events) else ("?", -1)
            steps.append({"event": value + 1, "kind": "event",
                          "text": f"event {value + 1}: {name}" + ("" if cpu < 0 else f":{cpu}")})
        elif kind == _BRANCH and value // 2 < len(harness.branches):
            fn, branch = harness.branches[value // 2]
            steps.append({"kind": "branch", "function": fn, "line": branch.line, "taken": bool(value & 1),
                          "text": f"{file}:{branch.line} {branch.kind} ( {branch.text} ) "
                                  + ("taken" if value & 1 else "not taken")})
        elif kind in (_EFFECT, _STOP) and value < len(harness.sites):
            fn, st = harness.sites[value]
            steps.append({"kind": "write" if kind == _EFFECT else "stop", "function": fn, "line": st.line,
                          "text": f"{file}:{st.line} {st.text}" + (" (stopped)" if kind == _STOP else "")})
        elif kind == 0:
            steps.append({"kind": "cut", "text": "(the path was cut here: too many steps)"})
    return steps


def path_text(steps: list[dict], cause_line: int) -> list[str]:
    """The steps a reader needs: the event that caused it from its start, and the failing one."""
    # Keep the events that hold a write at the cause's line, and the last event.
    by_event: list[list[dict]] = []
    for step in steps:
        if step["kind"] == "event" or not by_event:
            by_event.append([])
        by_event[-1].append(step)
    keep = [i for i, chunk in enumerate(by_event)
            if any(s.get("line") == cause_line and s["kind"] in ("write", "stop", "exit") for s in chunk)]
    chosen = sorted(set(keep[-1:] + [len(by_event) - 1])) if by_event else []
    lines: list[str] = []
    for i in chosen:
        chunk = by_event[i]
        head, body = chunk[0], chunk[1:]
        if head["kind"] != "event":
            head, body = {"text": "before the first event"}, chunk
        lines.append(head["text"] + ":" + ("" if body else " no branch or write of the mapping code"))
        lines += ["  " + s["text"] for s in body]
    if len(lines) > MAX_PATH_LINES:
        lines = lines[:MAX_PATH_LINES - 1] + [f"  ... {len(lines) - MAX_PATH_LINES + 1} more steps (JSON has them all)"]
    return lines

"""Compare one scenario's C run with the model, event by event.

The C run's snapshots are checked against the invariants; the model's are
the reference for divergence. Once both have stopped (BUG, panic, ASSERT are
all "stopped in a defined way") nothing further is compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from analyzer.model.guest import model_run
from analyzer.model.invariants import Violation, check
from analyzer.model.policy import Policy
from analyzer.model.scenario import Scenario
from analyzer.model.snapshot import UNKNOWN, Causes, Snapshot, Stop


@dataclass
class EventResult:
    index: int
    event: tuple[str, int]
    c: Snapshot
    model: Snapshot
    violations: list[Violation]
    diverges: bool
    causes: Causes | None = None     # which statements of the C code produced c


@dataclass
class ScenarioResult:
    scenario: Scenario
    events: list[EventResult] = field(default_factory=list)
    stop_line: int = 0
    path: list[int] | None = None    # the recorded path, when the run was asked for it

    def first_violation(self, invariant: int) -> EventResult | None:
        for ev in self.events:
            if any(v.invariant == invariant for v in ev.violations):
                return ev
        return None

    def first_divergence(self) -> EventResult | None:
        return next((ev for ev in self.events if ev.diverges), None)

    def hung(self) -> EventResult | None:
        return next((ev for ev in self.events if ev.c.stop is Stop.HUNG), None)


def _normalise(model: Snapshot, c: Snapshot) -> Snapshot:
    """Blank out in the model what the C code does not have (e.g. a mapped bitmap)."""
    if any(v.mapped == UNKNOWN for v in c.vcpus):
        model = replace(model, vcpus=tuple(replace(v, mapped=UNKNOWN) for v in model.vcpus))
    return model


def _same(c: Snapshot, model: Snapshot) -> bool:
    c_stopped, m_stopped = c.stop is not Stop.NONE, model.stop is not Stop.NONE
    if c_stopped or m_stopped:
        return c_stopped == m_stopped and (c.stop is Stop.HUNG) == (model.stop is Stop.HUNG)
    return c.words() == _normalise(model, c).words()


def compare(scenario: Scenario, words, nev: int, size: int, stop_line: int, path,
            policy: Policy) -> ScenarioResult:
    ncpus, nvcpus = scenario.nr_cpu_ids, scenario.vcpus_in_domain
    snap_size = Snapshot.size(ncpus, nvcpus)
    out = ScenarioResult(scenario, stop_line=stop_line, path=None if path is None else path.tolist())
    model, model_words = model_run(scenario, policy)
    events = scenario.expanded_events()
    booted = False
    for i in range(nev):
        c_words = words[i * size:i * size + snap_size].tolist()
        m_snap = model[i]
        if c_words == model_words[i]:
            # Identical to the model, which keeps every invariant (its own
            # tests check that): nothing to decode or check.
            booted = booted or (events[i][0] == "BOOT_BSP" and m_snap.outcome == 0)
            out.events.append(EventResult(i, events[i], m_snap, m_snap, [], diverges=False))
            continue
        c_snap = Snapshot.from_words(c_words, ncpus, nvcpus)
        booted = booted or (events[i][0] == "BOOT_BSP" and c_snap.outcome == 0)
        causes = Causes.from_words(words[i * size + snap_size:(i + 1) * size], ncpus, nvcpus)
        out.events.append(EventResult(
            i, events[i], c_snap, m_snap, check(c_snap, events[i], booted),
            diverges=not _same(c_snap, m_snap), causes=causes))
    return out

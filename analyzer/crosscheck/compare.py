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


class EventResult:
    """One event of a run: the C run's snapshot, the model's, what broke.

    Snapshots are decoded from their words when first read: most events of
    most runs are only compared, word for word.
    """

    __slots__ = ("index", "event", "_c", "_model", "violations", "diverges", "causes", "_shape")

    def __init__(self, index: int, event: tuple[str, int], c, model, violations: list[Violation],
                 diverges: bool, causes: Causes | None = None, shape: tuple[int, int] = (0, 0)):
        self.index, self.event, self._c, self._model = index, event, c, model
        self.violations, self.diverges, self.causes, self._shape = violations, diverges, causes, shape

    def _decoded(self, value) -> Snapshot:
        return value if isinstance(value, Snapshot) else Snapshot.from_words(value, *self._shape)

    @property
    def c_stop(self) -> Stop:
        """How the C run stood after the event, without decoding the rest."""
        return self._c.stop if isinstance(self._c, Snapshot) else Stop(self._c[1])

    @property
    def c(self) -> Snapshot:
        self._c = self._decoded(self._c)
        return self._c

    @property
    def model(self) -> Snapshot:
        self._model = self._decoded(self._model)
        return self._model


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
        return next((ev for ev in self.events if ev.c_stop is Stop.HUNG), None)


def _normalise(model: Snapshot, c: Snapshot) -> Snapshot:
    """Blank out in the model what the C code does not have (e.g. a mapped bitmap)."""
    if any(v.mapped == UNKNOWN for v in c.vcpus):
        model = replace(model, vcpus=tuple(v._replace(mapped=UNKNOWN) for v in model.vcpus))
    return model


def _comparable(c: list[int], m: list[int], ncpus: int, nvcpus: int) -> list[int]:
    """The model's words with what the C code does not have, or the contract
    does not cover, taken from the C run's: the mapped bit where the code has
    no bitmap, the per-CPU data of CPUs offline in both (as _same does)."""
    h = Snapshot.HEADER
    base = h + 4 * ncpus
    out = None
    if nvcpus and c[base] == -1 and m[base] != -1:
        out = list(m)
        out[base::4] = c[base::4]
    for i in range(h, base, 4):
        # Only a pointer no invariant minds (NULL, a legacy slot, an element
        # of the array): anything else must reach the checks.
        harmless = c[i + 2] in (0, 1) or (c[i + 2] == 3 and c[i + 3] < c[4])
        if not (c[i] & 2) and not (m[i] & 2) and harmless and c[i + 1:i + 4] != m[i + 1:i + 4]:
            if out is None:
                out = list(m)
            out[i + 1:i + 4] = c[i + 1:i + 4]
    return m if out is None else out


def _same(c: Snapshot, model: Snapshot) -> bool:
    c_stopped, m_stopped = c.stop is not Stop.NONE, model.stop is not Stop.NONE
    if c_stopped or m_stopped:
        return c_stopped == m_stopped and (c.stop is Stop.HUNG) == (model.stop is Stop.HUNG)
    model = _normalise(model, c)
    if any(not cc.online and not mc.online and (cc.ptr, cc.ptr_idx, cc.vcpu) != (mc.ptr, mc.ptr_idx, mc.vcpu)
           for cc, mc in zip(c.cpus, model.cpus)):
        # An offline CPU's per-CPU data is not part of the contract (Linux keeps
        # it, Xen frees it): compare the rest.
        model = replace(model, cpus=tuple(
            mc if cc.online or mc.online else mc._replace(ptr=cc.ptr, ptr_idx=cc.ptr_idx, vcpu=cc.vcpu)
            for cc, mc in zip(c.cpus, model.cpus)))
    return c.words() == model.words()


def compare(scenario: Scenario, words, nev: int, size: int, stop_line: int, path,
            policy: Policy, all_events: bool = True) -> ScenarioResult:
    """The C run's events against the model's; without `all_events`, events
    where the two agree word for word are left out of the result."""
    ncpus, nvcpus = scenario.nr_cpu_ids, scenario.vcpus_in_domain
    snap_size = Snapshot.size(ncpus, nvcpus)
    out = ScenarioResult(scenario, stop_line=stop_line, path=None if path is None else path.tolist())
    model_words = model_run(scenario, policy)
    events = scenario.expanded_events()
    shape = (ncpus, nvcpus)
    booted = False
    prev_c: list[int] = []
    prev_m: list[int] = []
    for i in range(nev):
        c_words = words[i * size:i * size + snap_size].tolist()
        m_words = model_words[i]
        if c_words != m_words:
            m_words = _comparable(c_words, m_words, ncpus, nvcpus)
        if (not all_events and c_words[5] == 0 and events[i][0] not in ("RESUME_NEW_L0", "BOOT_BSP")
                and c_words[1:] == prev_c[1:] and m_words[1:] == prev_m[1:]):
            # Both runs stand where they stood after the previous event and
            # nothing was raised in between: what was wrong then was already
            # recorded, and nothing new can be.
            continue
        prev_c, prev_m = c_words, m_words
        if c_words == m_words:
            # Identical to the model, which keeps every invariant (its own
            # tests check that): nothing to decode or check.
            booted = booted or (events[i][0] == "BOOT_BSP" and m_words[0] == 0)
            if all_events:
                out.events.append(EventResult(i, events[i], m_words, m_words, [], False, None, shape))
            continue
        c_snap = Snapshot.from_words(c_words, ncpus, nvcpus)
        m_snap = Snapshot.from_words(m_words, ncpus, nvcpus)
        booted = booted or (events[i][0] == "BOOT_BSP" and c_snap.outcome == 0)
        causes = Causes.from_words(words[i * size + snap_size:(i + 1) * size], ncpus, nvcpus)
        out.events.append(EventResult(
            i, events[i], c_snap, m_snap, check(c_snap, events[i], booted),
            diverges=not _same(c_snap, m_snap), causes=causes, shape=shape))
    return out

"""The reference guest (spec §3): what correct mapping code does, event by event.

It follows the structure of Xen's own guest code (map on the CPU itself,
reuse a registration that L0 still holds, fall back to the legacy slot below
vCPU 32) with the open design choices taken from a `Policy`. Pointers are kept
as (kind, index) pairs, the form the C run is compared in.
"""

from __future__ import annotations

import functools

from analyzer.model.l0 import L0, PAGE_SIZE, VCPU_INFO_SIZE
from analyzer.model.policy import Policy
from analyzer.model.scenario import LEGACY_MAX_VCPUS, Scenario
from analyzer.model.snapshot import Flag, Outcome, Ptr, Snapshot, Stop

NULL = (Ptr.NULL, 0)
# The model's array sits on page 1 of its address space, aligned to a whole
# vcpu_info so no element ever crosses a page (I5).
ARRAY_PAGE = 1


class Halt(Exception):
    def __init__(self, stop: Stop):
        self.stop = stop


OK, FELL_BACK, REFUSED = "ok", "fell back to legacy", "refused"


class ReferenceGuest:
    def __init__(self, scenario: Scenario, policy: Policy):
        self.sc = scenario
        self.policy = policy
        self.l0 = L0(scenario.release, scenario.vcpus_in_domain)
        self.nr_cpu_ids = scenario.nr_cpu_ids
        self.present = set(range(scenario.nr_cpu_ids))
        self.online: set[int] = set()
        self.ever_up: set[int] = set()
        self.vid = [0] * scenario.nr_cpu_ids
        self.ptr = [NULL] * scenario.nr_cpu_ids
        self.array_len = 0
        self.array_base = 0
        self.mapped: set[int] = set()
        self.stop = Stop.NONE
        self.booted = False

    # -- helpers ---------------------------------------------------------
    def _reset_percpu(self, cpu: int) -> None:
        self.vid[cpu] = 0
        self.ptr[cpu] = NULL

    def _high_vcpu_unusable(self, cpu: int, resuming: bool) -> str:
        policy = self.policy.on_unregistrable_high_vcpu
        if policy == "bug":
            raise Halt(Stop.BUG)
        if policy == "panic" or cpu == 0 or resuming:
            # The BSP cannot be refused, nor can a CPU that is already running.
            raise Halt(Stop.PANIC)
        return REFUSED

    def _map(self, cpu: int, resuming: bool = False) -> str:
        v = self.vid[cpu]
        if self.policy.area == "percpu":
            # One static area per CPU: the CPU registers its own, whatever its vCPU id.
            return self._use_area(cpu, v, cpu, resuming)
        if v >= self.array_len:
            # No array, or a vCPU id past its end (ids can exceed nr_cpu_ids
            # after a kexec): only the legacy slot is usable.
            if v < LEGACY_MAX_VCPUS:
                self.ptr[cpu] = (Ptr.LEGACY, v)
                return FELL_BACK if self.array_len else OK
            return self._high_vcpu_unusable(cpu, resuming)
        return self._use_area(cpu, v, v, resuming)

    def _use_area(self, cpu: int, v: int, element: int, resuming: bool) -> str:
        """Point `cpu` at area `element`, registering it for vCPU `v` unless it is already."""
        if v in self.mapped:
            self.ptr[cpu] = (Ptr.AREA, element)
            return OK
        error = self.l0.register(
            caller=v, vcpu=v, address=self.array_base + element * VCPU_INFO_SIZE,
            injected=self.sc.fault_for(v, self.l0.epoch))
        if error is None:
            self.ptr[cpu] = (Ptr.AREA, element)
            self.mapped.add(v)
            return OK
        if v < LEGACY_MAX_VCPUS:
            self.ptr[cpu] = (Ptr.LEGACY, v)
            return FELL_BACK
        return self._high_vcpu_unusable(cpu, resuming)

    def _low_failure(self, cpu: int) -> None:
        """A vCPU below 32 could not register: under a panic policy the system stops."""
        if (self.policy.bsp_failure if cpu == 0 else self.policy.ap_low_failure) == "panic":
            raise Halt(Stop.PANIC)

    def _limit_to_legacy(self) -> None:
        if self.nr_cpu_ids > LEGACY_MAX_VCPUS:
            self.present -= set(range(LEGACY_MAX_VCPUS, self.nr_cpu_ids))
            self.nr_cpu_ids = LEGACY_MAX_VCPUS

    # -- events ----------------------------------------------------------
    def boot_bsp(self) -> Outcome:
        if self.booted:
            return Outcome.SKIPPED
        self.booted = True
        self.l0.down.discard(self.sc.vcpu_of(0))
        self.vid[0] = self.sc.vcpu_of(0)
        if not self.sc.alloc_fails:
            self.array_len = self.nr_cpu_ids
            start = -(-self.sc.placement // VCPU_INFO_SIZE) * VCPU_INFO_SIZE
            self.array_base = ARRAY_PAGE * PAGE_SIZE + start
        result = self._map(0)
        if result == FELL_BACK:
            self._low_failure(0)
        if not self.array_len or result != OK:
            if self.policy.bsp_failure == "all_legacy" or not self.array_len:
                # Nothing is registered yet, so the array can go.
                self.array_len = 0
                self.mapped.clear()
                self._map(0)
                self._limit_to_legacy()
        self.l0.vector_set.add(self.vid[0])
        self.online.add(0)
        self.ever_up.add(0)
        return Outcome.RAN

    def cpu_up(self, cpu: int, again: bool) -> Outcome:
        if (not self.booted or cpu == 0 or cpu in self.online or cpu not in self.present
                or cpu >= self.nr_cpu_ids or (cpu in self.ever_up) != again):
            return Outcome.SKIPPED
        self.ever_up.add(cpu)
        self._reset_percpu(cpu)
        v = self.sc.vcpu_of(cpu)
        self.l0.down.discard(v)
        self.vid[cpu] = v
        result = self._map(cpu)
        if result == FELL_BACK:
            self._low_failure(cpu)
        if result == REFUSED or (result == FELL_BACK and self.policy.ap_low_failure == "refuse"):
            self.l0.down.add(v)
            self._reset_percpu(cpu)
            return Outcome.RAN
        self.l0.vector_set.add(v)
        self.online.add(cpu)
        return Outcome.RAN

    def cpu_offline(self, cpu: int) -> Outcome:
        if cpu == 0 or cpu not in self.online:
            return Outcome.SKIPPED
        self.online.discard(cpu)
        self.l0.down.add(self.vid[cpu])
        self._reset_percpu(cpu)
        return Outcome.RAN

    def resume(self, new_l0: bool) -> Outcome:
        if not self.booted:
            return Outcome.SKIPPED
        if not new_l0:
            return Outcome.RAN  # registrations survive; nothing to redo
        self.l0.new_epoch({self.vid[c] for c in self.online})
        self.mapped.clear()
        for cpu in sorted(self.online):
            if self._map(cpu, resuming=True) == FELL_BACK:
                self._low_failure(cpu)
            self.l0.vector_set.add(self.vid[cpu])
        return Outcome.RAN

    def step(self, kind: str, cpu: int) -> Outcome:
        if self.stop is not Stop.NONE:
            return Outcome.HALTED
        try:
            if kind == "BOOT_BSP":
                return self.boot_bsp()
            if kind in ("AP_UP", "AP_ONLINE_AGAIN"):
                return self.cpu_up(cpu, again=kind == "AP_ONLINE_AGAIN")
            if kind == "AP_OFFLINE":
                return self.cpu_offline(cpu)
            if kind in ("UPCALL", "TIME_READ"):
                return Outcome.RAN if cpu in self.online else Outcome.SKIPPED
            if kind == "SUSPEND_CANCELLED":
                # The caller returns before any of the mapping code runs.
                return Outcome.RAN if self.booted else Outcome.SKIPPED
            if kind in ("RESUME_NEW_L0", "RESUME_SAME_L0"):
                return self.resume(new_l0=kind == "RESUME_NEW_L0")
        except Halt as halt:
            self.stop = halt.stop
            return Outcome.RAN
        raise ValueError(f"unknown event {kind}")

    # -- observation -----------------------------------------------------
    def _deliver_upcalls(self) -> Flag:
        """The spurious upcall after a registration arrives once a vector is set."""
        flags = Flag(0)
        for v in sorted(self.l0.upcall_pending & self.l0.vector_set):
            for cpu in self.online:
                own = cpu if self.policy.area == "percpu" else v
                if self.vid[cpu] == v and self.ptr[cpu] != (Ptr.AREA, own):
                    flags |= Flag.UPCALL_MISSED
            self.l0.upcall_pending.discard(v)
        return flags

    def words(self, outcome: Outcome) -> list[int]:
        """The snapshot after an event, in its flat form (Snapshot.words()),
        built without the objects: most runs only compare these."""
        flags = int(self._deliver_upcalls()) if outcome is Outcome.RAN else 0
        out = [int(outcome), int(self.stop), self.nr_cpu_ids, self.l0.epoch, self.array_len, flags]
        for c in range(self.sc.nr_cpu_ids):
            out += self._cpu_words(c)
        for v in range(self.sc.vcpus_in_domain):
            out += self._vcpu_words(v)
        return out

    def _cpu_words(self, c: int) -> tuple[int, int, int, int]:
        kind, idx = self.ptr[c]
        return ((c in self.present and c < self.nr_cpu_ids) | (c in self.online) << 1,
                self.vid[c], int(kind), idx)

    def _vcpu_words(self, v: int) -> tuple[int, int, int, int]:
        addr = self.l0.reg.get(v)
        if addr is None:
            return int(v in self.mapped), 0, 0, int(v in self.l0.down)
        return (int(v in self.mapped), int(Ptr.AREA), (addr - self.array_base) // VCPU_INFO_SIZE,
                int(v in self.l0.down))

    def words_after(self, previous: list[int], kind: str, cpu: int, vcpu: int,
                    outcome: Outcome) -> list[int]:
        """words(outcome), rebuilt only where event `kind` can have changed
        the state: an AP event touches its CPU and that CPU's vCPU, an upcall
        or a time read nothing but the header; boot and resume everything.
        (tests/test_model_guest.py checks it against words() on every
        scenario of a scope.)"""
        if kind in ("BOOT_BSP", "RESUME_NEW_L0", "RESUME_SAME_L0") or not previous:
            return self.words(outcome)
        flags = int(self._deliver_upcalls()) if outcome is Outcome.RAN else 0
        out = list(previous)
        out[0:6] = (int(outcome), int(self.stop), self.nr_cpu_ids, self.l0.epoch, self.array_len, flags)
        if kind in ("AP_UP", "AP_ONLINE_AGAIN", "AP_OFFLINE") and outcome is Outcome.RAN:
            base = 6 + 4 * cpu
            out[base:base + 4] = self._cpu_words(cpu)
            base = 6 + 4 * self.sc.nr_cpu_ids + 4 * vcpu
            out[base:base + 4] = self._vcpu_words(vcpu)
        return out


def run_model(scenario: Scenario, policy: Policy) -> list[Snapshot]:
    """The model's snapshot after each expanded event of `scenario`."""
    n, nv = scenario.nr_cpu_ids, scenario.vcpus_in_domain
    return [Snapshot.from_words(words, n, nv) for words in model_run(scenario, policy)]


@functools.lru_cache(maxsize=4096)
def model_run(scenario: Scenario, policy: Policy) -> tuple[list[int], ...]:
    """The words of the model's snapshot after each expanded event, kept for
    the run: the C runs of a change's pre- and post-image meet the same
    scenarios."""
    guest = ReferenceGuest(scenario, policy)
    out: list[list[int]] = []
    previous: list[int] = []
    for kind, cpu in scenario.expanded_events():
        # The vCPU an AP event concerns: the CPU's id when it comes up, its
        # current one when it goes down.
        vcpu = scenario.vcpu_of(cpu) if cpu >= 0 and kind != "AP_OFFLINE" else (
            guest.vid[cpu] if cpu >= 0 else -1)
        previous = guest.words_after(previous, kind, cpu, vcpu, guest.step(kind, cpu))
        out.append(previous)
    return tuple(out)

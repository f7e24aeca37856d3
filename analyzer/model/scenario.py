"""A scenario: the parameters and the event sequence one run of the model replays.

A scenario is plain data, serialised as one line of JSON so a finding can carry
it and `xenlint model FILE --replay 'JSON'` can run it again. Defaults are left
out of the JSON to keep the line short.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from analyzer.model.l0 import ERRORS, RELEASES

LEGACY_MAX_VCPUS = 32
# Largest guest the harness is built for (NR_CPUS of the generated C).
MAX_CPUS = 128

# Events that take a CPU argument ("AP_UP:3") and those that do not.
CPU_EVENTS = ("AP_UP", "AP_OFFLINE", "AP_ONLINE_AGAIN", "UPCALL", "TIME_READ")
PLAIN_EVENTS = ("BOOT_BSP", "SUSPEND_CANCELLED", "RESUME_NEW_L0", "RESUME_SAME_L0")
# Shorthand expanded before a run: every CPU from 1 to nr_cpu_ids - 1.
MACRO_EVENTS = {"AP_UP_ALL": "AP_UP", "UPCALL_ALL": "UPCALL"}
RESUME_EVENTS = ("RESUME_NEW_L0", "RESUME_SAME_L0")


@dataclass(frozen=True)
class Fault:
    """Every registration of `vcpu` fails with `error` (in `epoch` only, if set)."""

    vcpu: int
    error: str
    epoch: int | None = None

    def to_json(self) -> list:
        return [self.vcpu, self.error] if self.epoch is None else [self.vcpu, self.error, self.epoch]


@dataclass(frozen=True)
class Scenario:
    nr_cpu_ids: int
    events: tuple[str, ...]
    # vCPU id of each CPU; empty means CPU i runs on vCPU i.
    vcpu_ids: tuple[int, ...] = ()
    # vCPUs the domain has at L0; 0 means nr_cpu_ids.
    domain_vcpus: int = 0
    faults: tuple[Fault, ...] = ()
    alloc_fails: bool = False
    # Byte offset from a page start where the allocator places the next block
    # (rounded up to the alignment the code asks for).
    placement: int = 0
    release: str = "4.16-4.17"
    name: str = field(default="", compare=False)

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    # -- validation -------------------------------------------------------
    def problems(self) -> list[str]:
        out = []
        if not 1 <= self.nr_cpu_ids <= MAX_CPUS:
            out.append(f"nr_cpu_ids must be 1..{MAX_CPUS}")
        if self.release not in RELEASES:
            out.append(f"release must be one of {', '.join(RELEASES)}")
        if self.vcpu_ids and len(self.vcpu_ids) != self.nr_cpu_ids:
            out.append("vcpu_ids needs one entry per CPU")
        if len(set(self.vcpu_ids)) != len(self.vcpu_ids):
            out.append("vcpu_ids must be distinct")
        if any(not 0 <= v < self.vcpus_in_domain for v in self.vcpu_ids):
            out.append("every vCPU id must be below domain_vcpus")
        if self.domain_vcpus and self.domain_vcpus > MAX_CPUS:
            out.append(f"domain_vcpus must be at most {MAX_CPUS}")
        if self.domain_vcpus and self.domain_vcpus < self.nr_cpu_ids:
            out.append("domain_vcpus must be at least nr_cpu_ids")
        for f in self.faults:
            if f.error not in ERRORS:
                out.append(f"unknown error {f.error!r} (one of {', '.join(ERRORS)})")
        if not 0 <= self.placement < 4096 or self.placement % 8:
            out.append("placement must be a multiple of 8 below 4096")
        for ev in self.events:
            kind, _, arg = ev.partition(":")
            if kind in CPU_EVENTS:
                if not arg.isdigit() or int(arg) >= self.nr_cpu_ids:
                    out.append(f"event {ev!r} needs a CPU below nr_cpu_ids")
            elif kind not in PLAIN_EVENTS and kind not in MACRO_EVENTS or arg:
                out.append(f"unknown event {ev!r}")
        return out

    # -- derived ----------------------------------------------------------
    @property
    def vcpus_in_domain(self) -> int:
        return self.domain_vcpus or self.nr_cpu_ids

    def vcpu_of(self, cpu: int) -> int:
        return self.vcpu_ids[cpu] if self.vcpu_ids else cpu

    def fault_for(self, vcpu: int, epoch: int) -> str | None:
        for f in self.faults:
            if f.vcpu == vcpu and (f.epoch is None or f.epoch == epoch):
                return f.error
        return None

    def expanded_events(self) -> list[tuple[str, int]]:
        """Events as (kind, cpu) with the shorthands spelled out; cpu is -1 if none."""
        out = []
        for ev in self.events:
            kind, _, arg = ev.partition(":")
            if kind in MACRO_EVENTS:
                out.extend((MACRO_EVENTS[kind], c) for c in range(1, self.nr_cpu_ids))
            else:
                out.append((kind, int(arg) if arg else -1))
        return out

    def uses_resume(self) -> bool:
        return any(ev in RESUME_EVENTS for ev in self.events)

    def size(self) -> tuple:
        """Ordering used to pick the smallest of several failing scenarios."""
        return (len(self.expanded_events()), self.nr_cpu_ids, len(self.faults),
                len(self.events), self.placement, self.vcpus_in_domain, self.to_json())

    # -- JSON -------------------------------------------------------------
    def to_dict(self) -> dict:
        out: dict = {"nr_cpu_ids": self.nr_cpu_ids}
        if self.vcpu_ids:
            out["vcpu_ids"] = list(self.vcpu_ids)
        if self.domain_vcpus:
            out["domain_vcpus"] = self.domain_vcpus
        if self.faults:
            out["faults"] = [f.to_json() for f in self.faults]
        if self.alloc_fails:
            out["alloc_fails"] = True
        if self.placement:
            out["placement"] = self.placement
        if self.release != "4.16-4.17":
            out["release"] = self.release
        out["events"] = list(self.events)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Scenario":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(data, dict):
            raise ValueError("a scenario is a JSON object")
        known = {"nr_cpu_ids", "vcpu_ids", "domain_vcpus", "faults", "alloc_fails",
                 "placement", "release", "events"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown scenario keys: {', '.join(sorted(unknown))}")
        try:
            faults = tuple(Fault(int(f[0]), str(f[1]), None if len(f) < 3 else int(f[2]))
                           for f in data.get("faults", ()))
            return cls(
                nr_cpu_ids=int(data["nr_cpu_ids"]),
                events=tuple(str(e) for e in data.get("events", ())),
                vcpu_ids=tuple(int(v) for v in data.get("vcpu_ids", ())),
                domain_vcpus=int(data.get("domain_vcpus", 0)),
                faults=faults,
                alloc_fails=bool(data.get("alloc_fails", False)),
                placement=int(data.get("placement", 0)),
                release=str(data.get("release", "4.16-4.17")),
            )
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"malformed scenario: {exc}") from None

    # -- prose ------------------------------------------------------------
    def describe(self) -> str:
        """One sentence for finding messages: the parameters that matter."""
        parts = [f"nr_cpu_ids={self.nr_cpu_ids}"]
        if self.vcpu_ids:
            moved = [f"CPU{c}->vCPU{v}" for c, v in enumerate(self.vcpu_ids) if c != v]
            parts.append("vCPU ids " + ", ".join(moved[:4]) + (" ..." if len(moved) > 4 else ""))
        if self.domain_vcpus:
            parts.append(f"domain has {self.domain_vcpus} vCPUs")
        for f in self.faults:
            when = "" if f.epoch is None else f" in epoch {f.epoch}"
            parts.append(f"registration of vCPU {f.vcpu} fails with -{f.error}{when}")
        if self.alloc_fails:
            parts.append("allocation fails")
        if self.placement:
            parts.append(f"allocations placed at page offset {self.placement}")
        parts.append(f"L0 {self.release}")
        parts.append("events " + " ".join(self.events))
        return ", ".join(parts)

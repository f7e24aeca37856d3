"""Infer the design choices the C code made, from three probe scenarios.

Each probe provokes one choice (spec §3, last paragraph) and reads the C
run's reaction. A reaction that is no valid choice (say, pointing a vCPU
>= 32 at a legacy slot) leaves the default in place: the invariants report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.model.policy import Policy
from analyzer.model.scenario import Fault, Scenario
from analyzer.model.snapshot import Ptr, Snapshot, Stop


def probes(release: str) -> dict[str, Scenario]:
    return {
        "high": Scenario(33, ("BOOT_BSP", "AP_UP:32"), faults=(Fault(32, "ENOMEM"),), release=release),
        "bsp": Scenario(4, ("BOOT_BSP", "AP_UP:1"), faults=(Fault(0, "ENOMEM"),), release=release),
        "ap_low": Scenario(4, ("BOOT_BSP", "AP_UP:1"), faults=(Fault(1, "ENOMEM"),), release=release),
    }


@dataclass
class Inference:
    policy: Policy
    # Dimension -> (value, stop line or 0) for choices the code demonstrably made.
    observed: dict[str, tuple[str, int]] = field(default_factory=dict)


def infer(results: dict[str, tuple[list[Snapshot], int]]) -> Inference:
    """`results`: probe name -> (C snapshots, stop line), for probes that ran."""
    chosen = {}
    observed = {}
    if "high" in results:
        snaps, line = results["high"]
        last = snaps[-1]
        cpu32 = last.cpus[32]
        if last.stop in (Stop.BUG, Stop.ASSERT):
            chosen["on_unregistrable_high_vcpu"] = "bug"
        elif last.stop is Stop.PANIC:
            chosen["on_unregistrable_high_vcpu"] = "panic"
        elif last.stop is Stop.NONE and not cpu32.online and snaps[0].stop is Stop.NONE:
            chosen["on_unregistrable_high_vcpu"] = "refuse"
        if "on_unregistrable_high_vcpu" in chosen:
            observed["on_unregistrable_high_vcpu"] = (chosen["on_unregistrable_high_vcpu"], line)
    if "bsp" in results:
        snaps, _ = results["bsp"]
        boot, ap = snaps
        if boot.stop is Stop.PANIC:
            chosen["bsp_failure"] = "panic"
            observed["bsp_failure"] = ("panic", results["bsp"][1])
        elif boot.stop is Stop.NONE and ap.stop is Stop.NONE:
            value = "per_ap" if ap.cpus[1].ptr is Ptr.AREA else "all_legacy" if boot.array_len == 0 else None
            if value:
                chosen["bsp_failure"] = value
                observed["bsp_failure"] = (value, 0)
    if "ap_low" in results:
        snaps, _ = results["ap_low"]
        ap = snaps[-1]
        if ap.stop is Stop.PANIC and snaps[0].stop is Stop.NONE:
            chosen["ap_low_failure"] = "panic"
            observed["ap_low_failure"] = ("panic", results["ap_low"][1])
        elif ap.stop is Stop.NONE:
            value = "legacy" if ap.cpus[1].online and ap.cpus[1].ptr is Ptr.LEGACY else (
                "refuse" if not ap.cpus[1].online else None)
            if value:
                chosen["ap_low_failure"] = value
                observed["ap_low_failure"] = (value, 0)
    return Inference(Policy(**chosen), observed)

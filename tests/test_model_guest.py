"""The reference guest, its invariants and the scenario format."""

import pytest

from analyzer.model.default_scenarios import default_scenarios
from analyzer.model.guest import run_model
from analyzer.model.invariants import check
from analyzer.model.policy import (AP_FAILURE_POLICIES, BSP_FAILURE_POLICIES,
                                   HIGH_VCPU_POLICIES, Policy)
from analyzer.model.scenario import Fault, Scenario
from analyzer.model.snapshot import Flag, Ptr, Snapshot, Stop

# Every value of every dimension at least once (the full product is slow).
POLICIES = [Policy(h, BSP_FAILURE_POLICIES[i % 2], AP_FAILURE_POLICIES[i // 2 % 2])
            for i, h in enumerate(HIGH_VCPU_POLICIES + ("refuse",))]


def violations(scenario, policy):
    out = []
    booted = False
    for ev, snap in zip(scenario.expanded_events(), run_model(scenario, policy)):
        booted = booted or ev[0] == "BOOT_BSP"
        out += check(snap, ev, booted)
    return out


@pytest.mark.parametrize("release", ["4.15", "4.16-4.17", "4.18+"])
def test_model_keeps_every_invariant_under_every_policy(release):
    scenarios = default_scenarios(release)
    for policy in POLICIES:
        for s in scenarios:
            assert violations(s, policy) == [], (policy, s.to_json())


def test_default_set_covers_events_and_fault_classes():
    scenarios = default_scenarios()
    kinds = {k for s in scenarios for k, _ in s.expanded_events()}
    assert kinds == {"BOOT_BSP", "AP_UP", "AP_OFFLINE", "AP_ONLINE_AGAIN", "UPCALL", "TIME_READ",
                     "SUSPEND_CANCELLED", "RESUME_NEW_L0", "RESUME_SAME_L0"}
    assert {1, 2, 32, 33, 64} <= {s.nr_cpu_ids for s in scenarios}
    errors = {f.error for s in scenarios for f in s.faults}
    assert errors == {"ENOENT", "EINVAL", "ENXIO", "ENOMEM", "EACCES", "EBUSY"}
    fault_sites = {("bsp" if f.vcpu == s.vcpu_of(0) else "low" if f.vcpu < 32 else "high")
                   for s in scenarios for f in s.faults}
    assert fault_sites == {"bsp", "low", "high"}
    assert any(s.alloc_fails for s in scenarios) and any(s.placement for s in scenarios)
    assert any(s.vcpu_ids for s in scenarios)
    assert default_scenarios() == default_scenarios()   # deterministic


def test_high_vcpu_policies():
    s = Scenario(33, ("BOOT_BSP", "AP_UP:32"), faults=(Fault(32, "ENOMEM"),))
    bug = run_model(s, Policy("bug"))[-1]
    refuse = run_model(s, Policy("refuse"))[-1]
    assert bug.stop is Stop.BUG
    assert refuse.stop is Stop.NONE and not refuse.cpus[32].online
    assert run_model(s, Policy("panic"))[-1].stop is Stop.PANIC


def test_bsp_failure_policies():
    s = Scenario(4, ("BOOT_BSP", "AP_UP:1"), faults=(Fault(0, "EINVAL"),))
    legacy = run_model(s, Policy(bsp_failure="all_legacy"))[-1]
    per_ap = run_model(s, Policy(bsp_failure="per_ap"))[-1]
    assert legacy.array_len == 0 and legacy.cpus[1].ptr is Ptr.LEGACY
    assert per_ap.array_len == 4 and per_ap.cpus[1].ptr is Ptr.AREA


def test_migration_re_registers_and_same_l0_keeps():
    s = Scenario(2, ("BOOT_BSP", "AP_UP_ALL", "RESUME_NEW_L0", "RESUME_SAME_L0"))
    snaps = run_model(s, Policy())
    assert snaps[2].epoch == 1 and all(v.reg is Ptr.AREA for v in snaps[2].vcpus)
    assert snaps[3].words() == snaps[2].words()


def _snap(**cpu0):
    from analyzer.model.snapshot import CpuState, Outcome, VcpuState
    cpu = dict(present=True, online=True, vcpu=0, ptr=Ptr.AREA, ptr_idx=0)
    cpu.update(cpu0)
    return Snapshot(Outcome.RAN, Stop.NONE, 1, 0, 1, Flag(0), (CpuState(**cpu),),
                    (VcpuState(1, Ptr.AREA, 0, False),))


@pytest.mark.parametrize("change, invariant", [
    (dict(ptr=Ptr.NULL), 1),
    (dict(ptr=Ptr.LEGACY_OOB, ptr_idx=40, vcpu=40), 2),
    (dict(ptr=Ptr.LEGACY, ptr_idx=0), 3),
    (dict(ptr=Ptr.AREA_OOB, ptr_idx=3), 7),
])
def test_invariants_catch_bad_states(change, invariant):
    assert invariant in {v.invariant for v in check(_snap(**change), ("UPCALL", 0), True)}
    assert check(_snap(), ("UPCALL", 0), True) == []


def test_scenario_json_round_trip_and_validation():
    s = Scenario(33, ("BOOT_BSP", "AP_UP:32"), vcpu_ids=tuple(range(33)),
                 faults=(Fault(32, "EINVAL", 1),), placement=8, release="4.18+")
    line = s.to_json()
    assert "\n" not in line and Scenario.from_json(line) == s
    with pytest.raises(ValueError, match="below nr_cpu_ids"):
        Scenario(2, ("AP_UP:5",))
    with pytest.raises(ValueError, match="unknown error"):
        Scenario(2, ("BOOT_BSP",), faults=(Fault(0, "EPERM"),))
    with pytest.raises(ValueError, match="unknown scenario keys"):
        Scenario.from_json('{"nr_cpu_ids": 2, "evnts": []}')
    assert "registration of vCPU 32 fails" in s.describe()

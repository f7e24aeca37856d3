"""The default scenario set: deterministic, bounded, and aimed at the edges.

It covers every event and every fault class where they matter: nr_cpu_ids 1, 2,
32, 33 and 64; vCPU ids equal to the CPU index and not; registration failing
on the BSP, on an AP below 32 and on an AP at 32 or above, with each error;
allocation failure; placements that make an element cross a page; hotplug;
migration; same-L0 resume and a cancelled suspend.
"""

from __future__ import annotations

from analyzer.model.l0 import ERRORS
from analyzer.model.scenario import Fault, Scenario

BOOT = ("BOOT_BSP", "AP_UP_ALL", "UPCALL_ALL")


def _s(nr: int, events=BOOT, **kw) -> Scenario:
    return Scenario(nr_cpu_ids=nr, events=tuple(events), **kw)


def _boots(release: str) -> list[Scenario]:
    out = [_s(n, release=release) for n in (1, 2, 32, 33, 64)]
    out.append(_s(2, ("BOOT_BSP", "TIME_READ:0", "AP_UP:1", "TIME_READ:1"), release=release))
    return out


def _vcpu_ids(release: str) -> list[Scenario]:
    """CPU index != vCPU id, as after a kexec from a secondary vCPU."""
    return [
        _s(4, vcpu_ids=(2, 0, 3, 1), release=release),
        _s(33, vcpu_ids=tuple(reversed(range(33))), release=release),
        _s(4, vcpu_ids=(0, 1, 2, 35), domain_vcpus=36, release=release),
        _s(2, vcpu_ids=(40, 0), domain_vcpus=41, release=release),
        _s(2, vcpu_ids=(3, 1), domain_vcpus=4, release=release),
        _s(2, vcpu_ids=(40, 0), domain_vcpus=41, alloc_fails=True, release=release),
        _s(2, vcpu_ids=(40, 0), domain_vcpus=41, faults=(Fault(40, "EINVAL"),), release=release),
        _s(34, vcpu_ids=(0, 33) + tuple(range(2, 33)) + (1,), release=release),
    ]


def _failures(release: str) -> list[Scenario]:
    out = []
    for error in ERRORS:
        for nr, vcpu in ((33, 0), (33, 1), (33, 32), (2, 0), (2, 1)):
            out.append(_s(nr, faults=(Fault(vcpu, error),), release=release))
    # Two APs failing, one on each side of the legacy limit.
    out.append(_s(34, faults=(Fault(1, "ENOMEM"), Fault(33, "ENOMEM")), release=release))
    # Failure of a high AP with a permuted id, hit on a low CPU index.
    out.append(_s(34, vcpu_ids=(0, 33) + tuple(range(2, 33)) + (1,),
                  faults=(Fault(33, "EINVAL"),), release=release))
    return out


def _allocation(release: str) -> list[Scenario]:
    out = [_s(n, alloc_fails=True, release=release) for n in (1, 2, 32, 33, 64)]
    # Element 0 crosses a page; element 63 crosses; the last element ends
    # exactly on a page end; an element in the middle of a 33-entry array crosses.
    for nr, placement in ((2, 4040), (64, 8), (2, 4032), (33, 3000), (4, 16)):
        out.append(_s(nr, placement=placement, release=release))
    return out


def _hotplug(release: str) -> list[Scenario]:
    cycle = lambda c: ("BOOT_BSP", "AP_UP_ALL", f"AP_OFFLINE:{c}",  # noqa: E731
                       f"AP_ONLINE_AGAIN:{c}", f"UPCALL:{c}", f"TIME_READ:{c}")
    return [
        _s(4, cycle(2), release=release),
        _s(34, cycle(33), release=release),
        _s(4, cycle(1), vcpu_ids=(0, 2, 1, 3), release=release),
        _s(4, ("BOOT_BSP", "AP_UP:1", "AP_UP:2", "AP_OFFLINE:1", "AP_UP:3",
               "AP_ONLINE_AGAIN:1", "UPCALL_ALL"), vcpu_ids=(0, 3, 1, 2), release=release),
        _s(33, cycle(32), faults=(Fault(32, "ENOMEM"),), release=release),
        _s(4, cycle(2), faults=(Fault(2, "ENOMEM"),), release=release),
        _s(4, cycle(2), faults=(Fault(0, "EINVAL"),), release=release),
        _s(34, cycle(33), alloc_fails=True, release=release),
    ]


def _suspend_resume(release: str) -> list[Scenario]:
    migrate = ("BOOT_BSP", "AP_UP_ALL", "RESUME_NEW_L0", "UPCALL_ALL")
    out = []
    for nr in (1, 2, 33):
        out.append(_s(nr, migrate, release=release))
        out.append(_s(nr, ("BOOT_BSP", "AP_UP_ALL", "RESUME_SAME_L0", "UPCALL_ALL"), release=release))
        out.append(_s(nr, ("BOOT_BSP", "AP_UP_ALL", "SUSPEND_CANCELLED", "UPCALL_ALL"), release=release))
    for vcpu in (0, 1, 32):
        out.append(_s(33, migrate, faults=(Fault(vcpu, "ENOMEM", 1),), release=release))
    out.append(_s(4, ("BOOT_BSP", "AP_UP_ALL", "AP_OFFLINE:2", "RESUME_NEW_L0",
                      "AP_ONLINE_AGAIN:2", "UPCALL_ALL"), release=release))
    out.append(_s(2, ("BOOT_BSP", "AP_UP_ALL", "RESUME_NEW_L0", "RESUME_NEW_L0", "UPCALL_ALL"),
                  release=release))
    out.append(_s(33, migrate, alloc_fails=True, release=release))
    out.append(_s(4, migrate, faults=(Fault(0, "EINVAL", 0),), release=release))
    out.append(_s(4, migrate, vcpu_ids=(3, 1, 0, 2), release=release))
    return out


def default_scenarios(release: str = "4.16-4.17") -> list[Scenario]:
    groups = (_boots, _vcpu_ids, _failures, _allocation, _hotplug, _suspend_resume)
    return [s for group in groups for s in group(release)]

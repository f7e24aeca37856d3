"""A stated small scope: every scenario in it, for `xenlint model --exhaustive`.

The default scenario set samples the edges; a scope enumerates them.  Its
dimensions, each a small set of classes:

- nr_cpu_ids at and around each boundary: 1, 2, 31, 32, 33, 64;
- the vCPU-id map: identity; reversed; the BSP on a high vCPU id; the last AP
  on a high vCPU id.  "High" is 32 when nr_cpu_ids <= 32 (at the legacy
  limit) and nr_cpu_ids otherwise (past nr_cpu_ids, and past 32);
- registration faults: none, or each L0 error on each class of vCPU (the
  BSP, an AP below 32, an AP at 32 or above) in every epoch, in epoch 0 only
  (boot) or in epoch 1 only (after a migration);
- the allocator: as asked, failing, or placing the array 4032 or 4040 bytes
  into a page (the first element ends on, or crosses, the page end);
- event sequences: boot and every AP up, then up to `depth` operations out
  of {offline and online again an AP below 32, the same for an AP at 32 or
  above, a cancelled suspend, a resume on the same L0, a migration}, then an
  upcall on every CPU.

Symmetry and equivalence reduce it, and the report says so: vCPUs of one
class behave alike, so one stands for its class (the first of it in CPU
order); a fault limited to epoch 0 or 1 differs from a fault in every epoch
only when the sequence migrates, so those are combined with migrating
sequences only; an AP class the id map does not have is not enumerated.

Faults an L0 cannot give are left out: "already registered" (EBUSY, which
only 4.18+ returns, and EINVAL) from a new L0 after a migration, which holds
no registration yet and is offered an area the old one accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from analyzer.model.l0 import ERRORS
from analyzer.model.scenario import LEGACY_MAX_VCPUS, MAX_CPUS, Fault, Scenario

DEFAULT_CPUS = (1, 2, 31, 32, 33, 64)
DEFAULT_DEPTH = 1   # about 10,000 scenarios; depth 2 is about 56,000
PLACEMENTS = (None, "fail", 4032, 4040)    # None: as asked
ID_MAPS = ("identity", "reversed", "bsp-high", "ap-high")
ALREADY_REGISTERED = ("EINVAL", "EBUSY")
SYMMETRY = ("vCPUs of one class (the BSP, an AP below 32, an AP at 32 or above) behave alike: "
            "one stands for its class; epoch-limited faults only with a migration")


@dataclass(frozen=True)
class Scope:
    cpus: tuple[int, ...] = DEFAULT_CPUS
    depth: int = DEFAULT_DEPTH
    errors: tuple[str, ...] = tuple(ERRORS)

    def __post_init__(self):
        if not self.cpus or any(not 1 <= n <= MAX_CPUS - 1 for n in self.cpus):
            raise ValueError(f"every nr_cpu_ids of a scope must be 1..{MAX_CPUS - 1}")
        if not 0 <= self.depth <= 4:
            raise ValueError("the depth of a scope must be 0..4")
        unknown = set(self.errors) - set(ERRORS)
        if unknown:
            raise ValueError(f"unknown error(s) {', '.join(sorted(unknown))}")

    def _errors(self, release: str) -> tuple[str, ...]:
        # EBUSY is 4.18's "already registered"; earlier L0s never return it.
        return tuple(e for e in self.errors if e != "EBUSY" or release == "4.18+")

    def describe(self) -> str:
        return (f"nr_cpu_ids {{{', '.join(map(str, self.cpus))}}} x {len(ID_MAPS)} vCPU-id maps x "
                f"faults (none, or {len(self.errors)} errors x 3 vCPU classes x 3 epoch choices, "
                f"less those no L0 gives) x "
                f"{len(PLACEMENTS)} allocator cases x event sequences up to depth {self.depth}")

    def scenarios(self, release: str = "4.16-4.17"):
        """Every scenario of the scope, nr_cpu_ids ascending (small first)."""
        for nr in sorted(set(self.cpus)):
            for id_map in ID_MAPS:
                ids = _id_map(nr, id_map)
                if ids is None:
                    continue
                vcpu_ids, domain = ids
                classes = _classes(nr, vcpu_ids)
                for events in _sequences(classes, self.depth):
                    migrates = "RESUME_NEW_L0" in events
                    for faults in _faults(classes, self._errors(release), migrates):
                        for placement in PLACEMENTS:
                            yield Scenario(
                                nr_cpu_ids=nr, events=events, vcpu_ids=vcpu_ids, domain_vcpus=domain,
                                faults=faults, alloc_fails=placement == "fail",
                                placement=placement if isinstance(placement, int) else 0,
                                release=release, name=f"scope {id_map}")

    def count(self) -> int:
        return sum(1 for _ in self.scenarios())


def _high(nr: int) -> int:
    return LEGACY_MAX_VCPUS if nr <= LEGACY_MAX_VCPUS else nr


def _id_map(nr: int, kind: str) -> tuple[tuple[int, ...], int] | None:
    """(vcpu_ids, domain_vcpus), or None when the map is the same as another for this nr."""
    if kind == "identity":
        return (), 0
    if kind == "reversed":
        return (tuple(reversed(range(nr))), 0) if nr > 1 else None
    high = _high(nr)
    if kind == "bsp-high":
        return (high,) + tuple(range(1, nr)), high + 1
    if nr < 2:
        return None
    return tuple(range(nr - 1)) + (high,), high + 1


def _classes(nr: int, vcpu_ids: tuple[int, ...]) -> dict[str, int]:
    """CPU standing for each class of vCPU: "bsp", "low" (AP < 32), "high" (AP >= 32)."""
    vcpu = (lambda c: vcpu_ids[c]) if vcpu_ids else (lambda c: c)
    out = {"bsp": 0}
    for c in range(1, nr):
        key = "low" if vcpu(c) < LEGACY_MAX_VCPUS else "high"
        out.setdefault(key, c)
    out["vcpu:bsp"] = vcpu(0)
    for key in ("low", "high"):
        if key in out:
            out[f"vcpu:{key}"] = vcpu(out[key])
    return out


def _sequences(classes: dict[str, int], depth: int):
    ops: list[tuple[str, ...]] = []
    for key in ("low", "high"):
        if key in classes:
            c = classes[key]
            ops.append((f"AP_OFFLINE:{c}", f"AP_ONLINE_AGAIN:{c}"))
    ops += [("SUSPEND_CANCELLED",), ("RESUME_SAME_L0",), ("RESUME_NEW_L0",)]
    for length in range(depth + 1):
        for chosen in product(ops, repeat=length):
            middle = tuple(ev for op in chosen for ev in op)
            yield ("BOOT_BSP", "AP_UP_ALL") + middle + ("UPCALL_ALL",)


def _faults(classes: dict[str, int], errors: tuple[str, ...], migrates: bool):
    yield ()
    epochs = (None, 0, 1) if migrates else (None,)
    for key in ("bsp", "low", "high"):
        if f"vcpu:{key}" not in classes:
            continue
        for error in errors:
            for epoch in epochs:
                if epoch == 1 and error in ALREADY_REGISTERED:
                    continue   # a new L0 holds no registration to refuse a second one
                yield (Fault(classes[f"vcpu:{key}"], error, epoch),)

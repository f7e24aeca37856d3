"""The hypervisor side (L0) of VCPUOP_register_vcpu_info, per release (spec §2).

The checks run in the spec's order and the first failing one decides the
error. The C harness carries a line-by-line twin of `L0.register` (see
crosscheck/c/runtime.c); tests/test_crosscheck_l0.py keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RELEASES = ("4.15", "4.16-4.17", "4.18+")
PAGE_SIZE = 4096
VCPU_INFO_SIZE = 64

# Linux/Xen errno values (positive; the hypercall returns the negation).
ERRORS = {"ENOENT": 2, "ENXIO": 6, "ENOMEM": 12, "EACCES": 13, "EBUSY": 16, "EINVAL": 22}


def release_index(release: str) -> int:
    return RELEASES.index(release)


def check_registration(release: str, *, vcpu: int, domain_vcpus: int, caller: int,
                       target_down: bool, registered: bool, offset: int,
                       frame_ok: bool) -> str | None:
    """Return the error name L0 answers with, or None when it accepts."""
    r = release_index(release)
    if not 0 <= vcpu < domain_vcpus:
        return "ENOENT"
    if r >= 2 and offset >= PAGE_SIZE:
        return "EINVAL"
    if offset > PAGE_SIZE - VCPU_INFO_SIZE:
        return "EINVAL" if r == 0 else "ENXIO"
    if offset % 8:
        return "EINVAL" if r == 0 else "ENXIO"
    if registered:
        return "EBUSY" if r >= 2 else "EINVAL"
    if caller != vcpu and not target_down and r < 2:
        return "EINVAL"
    if not frame_ok:
        return "EINVAL"
    return None


@dataclass
class L0:
    """L0's view of one domain: what is registered and which vCPUs are down."""

    release: str
    domain_vcpus: int
    epoch: int = 0
    reg: dict[int, int] = field(default_factory=dict)       # vCPU -> guest address
    down: set[int] = field(default_factory=set)
    # vCPUs with a spurious upcall raised by a registration, not yet delivered.
    upcall_pending: set[int] = field(default_factory=set)
    vector_set: set[int] = field(default_factory=set)

    def __post_init__(self):
        self.down = set(range(self.domain_vcpus))

    def register(self, *, caller: int, vcpu: int, address: int, injected: str | None) -> str | None:
        """A registration of the area at guest `address` for `vcpu`; None on success."""
        if injected:
            return injected
        error = check_registration(
            self.release, vcpu=vcpu, domain_vcpus=self.domain_vcpus, caller=caller,
            target_down=vcpu in self.down, registered=vcpu in self.reg,
            offset=address % PAGE_SIZE, frame_ok=True)
        if error is None:
            self.reg[vcpu] = address
            self.upcall_pending.add(vcpu)
        return error

    def new_epoch(self, running: set[int]) -> None:
        """Migration: the target is a new domain, nothing is registered there."""
        self.epoch += 1
        self.reg.clear()
        self.upcall_pending.clear()
        self.vector_set.clear()
        self.down = set(range(self.domain_vcpus)) - running

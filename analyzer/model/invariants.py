"""Invariants I1-I11 (spec §3), checked on the snapshot after every event.

The same checks run on the model's snapshots and on the C run's, so a model
that broke one would be caught by the model's own tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model.scenario import LEGACY_MAX_VCPUS
from analyzer.model.snapshot import Flag, Outcome, Ptr, Snapshot, Stop, ptr_text


@dataclass(frozen=True)
class Violation:
    invariant: int
    detail: str
    # What the violation is about, so the C run's causes can name the
    # statement that produced it: a CPU's pointer, a vCPU's bit or
    # registration, a flag raised while the event ran, the array.
    cpu: int = -1
    vcpu: int = -1
    flag: Flag = Flag(0)
    about: str = ""          # "ptr", "bit", "reg", "flag", "array", "stop"


def expected_area(snap: Snapshot, vcpu: int) -> tuple[Ptr, int] | None:
    """Where L0 writes vcpu_info for `vcpu`: its registered area, else its legacy slot."""
    if 0 <= vcpu < len(snap.vcpus) and snap.vcpus[vcpu].reg is not Ptr.NULL:
        v = snap.vcpus[vcpu]
        return (v.reg, v.reg_idx)
    return (Ptr.LEGACY, vcpu) if vcpu < LEGACY_MAX_VCPUS else None


def check(snap: Snapshot, event: tuple[str, int], booted: bool) -> list[Violation]:
    out: list[Violation] = []
    if snap.outcome is Outcome.HALTED or snap.stop is Stop.HUNG:
        return out
    halted = snap.stop is not Stop.NONE
    add = lambda n, text, **about: out.append(Violation(n, text, **about))  # noqa: E731

    if not halted:
        for c, cpu in enumerate(snap.cpus):
            if cpu.online and cpu.ptr is Ptr.NULL:
                add(1, f"CPU {c} (vCPU {cpu.vcpu}) is online with a NULL vcpu_info pointer",
                    cpu=c, about="ptr")
    for c, cpu in enumerate(snap.cpus):
        # An element index past the array's length is an index problem (I7);
        # I2 is a legacy slot that does not exist, or a pointer between elements.
        past_end = cpu.ptr is Ptr.AREA_OOB and cpu.ptr_idx >= snap.array_len
        # With no area at all, a CPU on vCPU >= 32 has nowhere to point: that
        # is I11's case (the guest should not have such a CPU), not I2's.
        no_area_case = (booted and snap.array_len == 0 and cpu.online
                        and cpu.vcpu >= LEGACY_MAX_VCPUS and cpu.ptr_idx == cpu.vcpu)
        if (cpu.ptr is Ptr.LEGACY_OOB and not no_area_case) or (cpu.ptr is Ptr.AREA_OOB and not past_end):
            add(2, f"CPU {c} (vCPU {cpu.vcpu}) points at {ptr_text(cpu.ptr, cpu.ptr_idx)}",
                cpu=c, about="ptr")
        elif past_end:
            add(7, f"CPU {c} (vCPU {cpu.vcpu}) points at element {cpu.ptr_idx} "
                   f"of a {snap.array_len}-element array", cpu=c, about="ptr")
    mismatched = []
    if not halted:
        for c, cpu in enumerate(snap.cpus):
            if not cpu.online or cpu.ptr is Ptr.NULL:
                continue
            want = expected_area(snap, cpu.vcpu)
            if (cpu.ptr, cpu.ptr_idx) != want:
                where = "nowhere (no legacy slot, nothing registered)" if want is None else ptr_text(*want)
                mismatched.append(c)
                add(3, f"CPU {c} (vCPU {cpu.vcpu}) reads {ptr_text(cpu.ptr, cpu.ptr_idx)} "
                       f"but L0 writes {where}", cpu=c, about="ptr")
    for v, vs in enumerate(snap.vcpus):
        if vs.mapped != -1 and bool(vs.mapped) != (vs.reg is not Ptr.NULL):
            state = "registered" if vs.reg is not Ptr.NULL else "not registered"
            add(4, f"vCPU {v} is {state} at L0 but the guest's mapped bit is {vs.mapped}",
                vcpu=v, about="bit")
    if snap.flags & Flag.DOUBLE_REGISTRATION:
        add(4, "a vCPU was registered twice in one epoch", flag=Flag.DOUBLE_REGISTRATION, about="flag")
    if snap.flags & Flag.BAD_AREA:
        add(5, "the guest asked L0 to register an area that crosses a page", flag=Flag.BAD_AREA, about="flag")
    if snap.flags & Flag.BAD_OFFSET:
        add(5, "the guest asked L0 to register an area at an offset past the page or not 8-byte aligned",
            flag=Flag.BAD_OFFSET, about="flag")
    if snap.flags & Flag.FREED_REGISTERED:
        add(6, "memory holding a registered vcpu_info area was freed", flag=Flag.FREED_REGISTERED, about="flag")
    elif any(v.reg is Ptr.DANGLING for v in snap.vcpus):
        add(6, "memory holding a registered vcpu_info area was freed", about="array")
    if snap.flags & Flag.INDEX_RANGE:
        add(7, "a vCPU id indexed past the end of the array or bitmap", flag=Flag.INDEX_RANGE, about="flag")
    elif any(v.reg is Ptr.AREA_OOB for v in snap.vcpus):
        v = next(i for i, vs in enumerate(snap.vcpus) if vs.reg is Ptr.AREA_OOB)
        add(7, "a vCPU id indexed past the end of the array or bitmap", vcpu=v, about="reg")
    if snap.flags & Flag.REMOTE_WHILE_UP:
        add(8, "a vCPU asked L0 to register another, running vCPU's area", flag=Flag.REMOTE_WHILE_UP, about="flag")
    if event[0] == "RESUME_NEW_L0" and not halted and mismatched:
        add(9, "after the migration CPU(s) " + ", ".join(map(str, mismatched))
               + " still use areas the new L0 does not write", cpu=mismatched[0], about="ptr")
    if snap.flags & Flag.UPCALL_MISSED:
        add(10, "the upcall raised by a registration found the CPU reading another area", flag=Flag.UPCALL_MISSED, about="flag")
    if booted and not halted and snap.array_len == 0:
        bad = [c for c, cpu in enumerate(snap.cpus)
               if (cpu.present and c >= LEGACY_MAX_VCPUS) or (cpu.online and cpu.vcpu >= LEGACY_MAX_VCPUS)]
        if snap.nr_cpu_ids > LEGACY_MAX_VCPUS or bad:
            add(11, f"no area is in use but nr_cpu_ids={snap.nr_cpu_ids}"
                    + (f" and CPU(s) {', '.join(map(str, bad[:6]))} need a slot beyond 32" if bad else ""),
                about="array")
    return out

"""The state after one event, in a form both the model and the C run produce.

Pointers are compared by what they point at (a legacy slot, an element of the
array, ...) and never by address: the C allocator and the model may place the
array differently. The flat integer encoding (`words`) is the wire format of
the C harness too (crosscheck/c/wire.h is generated from the constants here),
so a C run and a model run agree exactly when their words are equal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class Ptr(enum.IntEnum):
    NULL = 0
    LEGACY = 1       # &shared_info->vcpu_info[idx], idx < 32
    LEGACY_OOB = 2   # inside shared_info but past the legacy array (or misaligned)
    AREA = 3         # &array[idx], idx < array length
    AREA_OOB = 4     # beyond the array's length, or not on an element
    DANGLING = 5     # inside an allocation that was freed
    OTHER = 6        # inside some other live allocation
    WILD = 7         # anywhere else


class Stop(enum.IntEnum):
    NONE = 0
    BUG = 1
    PANIC = 2
    ASSERT = 3
    HUNG = 4     # the step budget ran out inside the extracted code


class Outcome(enum.IntEnum):
    RAN = 0
    SKIPPED = 1  # the event did not apply (CPU not present, already online, ...)
    HALTED = 2   # the system had stopped before this event


# Things seen while an event ran, rather than in the state after it.
class Flag(enum.IntFlag):
    DOUBLE_REGISTRATION = 1 << 0   # I4
    BAD_AREA = 1 << 1              # I5: asked L0 for an area crossing a page
    FREED_REGISTERED = 1 << 2      # I6
    INDEX_RANGE = 1 << 3           # I7: registration address or bit index out of range
    REMOTE_WHILE_UP = 1 << 4       # I8
    UPCALL_MISSED = 1 << 5         # I10: the spurious upcall read another area
    BAD_OFFSET = 1 << 6            # I5: an offset past the page, or not 8-byte aligned


_PTRS = tuple(Ptr)   # index -> member, much faster than Ptr(value)

UNKNOWN = -1  # a field the C code does not have (e.g. no "mapped" bitmap)


# Named tuples, not dataclasses: a 64-CPU snapshot holds 129 of them and a
# big scope decodes tens of thousands of snapshots.
class CpuState(NamedTuple):
    present: bool
    online: bool
    vcpu: int
    ptr: Ptr
    ptr_idx: int


class VcpuState(NamedTuple):
    mapped: int          # 0/1, or UNKNOWN
    reg: Ptr             # Ptr.NULL when nothing is registered
    reg_idx: int
    down: bool


@dataclass(frozen=True)
class Snapshot:
    outcome: Outcome
    stop: Stop
    nr_cpu_ids: int
    epoch: int
    array_len: int       # 0 when there is no live array
    flags: Flag
    cpus: tuple[CpuState, ...]
    vcpus: tuple[VcpuState, ...]

    HEADER = 6

    def words(self) -> list[int]:
        out = [int(self.outcome), int(self.stop), self.nr_cpu_ids, self.epoch,
               self.array_len, int(self.flags)]
        for c in self.cpus:
            out += (int(c.present) | int(c.online) << 1, c.vcpu, int(c.ptr), c.ptr_idx)
        for v in self.vcpus:
            out += (v.mapped, int(v.reg), v.reg_idx, int(v.down))
        return out

    @classmethod
    def size(cls, ncpus: int, nvcpus: int) -> int:
        return cls.HEADER + 4 * ncpus + 4 * nvcpus

    @classmethod
    def from_words(cls, w, ncpus: int, nvcpus: int) -> "Snapshot":
        h = cls.HEADER
        ptr = _PTRS
        cpus = tuple(
            CpuState(bool(w[i] & 1), bool(w[i] & 2), w[i + 1], ptr[w[i + 2]], w[i + 3])
            for i in range(h, h + 4 * ncpus, 4))
        base = h + 4 * ncpus
        vcpus = tuple(
            VcpuState(w[i], ptr[w[i + 1]], w[i + 2], bool(w[i + 3]))
            for i in range(base, base + 4 * nvcpus, 4))
        return cls(Outcome(w[0]), Stop(w[1]), w[2], w[3], w[4], Flag(w[5]), cpus, vcpus)


@dataclass(frozen=True)
class Causes:
    """Which statement of the C code last changed each part of a snapshot.

    Site ids index the harness's statement sites (crosscheck/harness_gen.py);
    -1 is the environment (the harness resetting a CPU, a new L0) or nothing.
    Only the C run has causes; the model's snapshots have none.
    """

    last: int                    # where the code left in this event: the last statement of
                                 # the mapping function that ran, else the last of any
    stop: int                    # the statement that stopped the system
    array: int                   # the last change of the array pointer, or its free
    flags: tuple[int, ...]       # per Flag bit: the statement that raised it this event
    ptr: tuple[int, ...]         # per CPU: the last write of its vcpu_info pointer (+ STALE
                                 # when that write was in an earlier event)
    left: tuple[int, ...]        # per CPU: where the code that ran on it in this event left
                                 # (in the mapping function if it ran there), or -1
    bit: tuple[int, ...]         # per vCPU: the last change of its mapped bit
    reg: tuple[int, ...]         # per vCPU: the registration L0 holds

    HEADER = 3 + len(Flag)
    STALE = 1 << 20

    @classmethod
    def size(cls, ncpus: int, nvcpus: int) -> int:
        return cls.HEADER + 2 * ncpus + 2 * nvcpus

    @classmethod
    def from_words(cls, w, ncpus: int, nvcpus: int) -> "Causes":
        h, n = cls.HEADER, ncpus
        return cls(w[0], w[1], w[2], tuple(w[3:h]), tuple(w[h:h + n]), tuple(w[h + n:h + 2 * n]),
                   tuple(w[h + 2 * n:h + 2 * n + nvcpus]),
                   tuple(w[h + 2 * n + nvcpus:h + 2 * n + 2 * nvcpus]))

    def flag(self, flag: Flag) -> int:
        return self.flags[int(flag).bit_length() - 1]


def ptr_text(kind: Ptr, idx: int) -> str:
    """How a pointer is shown in the side-by-side tables."""
    if kind is Ptr.NULL:
        return "NULL"
    if kind in (Ptr.LEGACY, Ptr.LEGACY_OOB):
        return f"&shared_info->vcpu_info[{idx}]" + (" (out of bounds)" if kind is Ptr.LEGACY_OOB else "")
    if kind in (Ptr.AREA, Ptr.AREA_OOB):
        return f"&vcpu_info[{idx}]" + (" (out of bounds)" if kind is Ptr.AREA_OOB else "")
    return {Ptr.DANGLING: f"freed memory (element {idx})",
            Ptr.OTHER: "another allocation", Ptr.WILD: "wild pointer"}[kind]

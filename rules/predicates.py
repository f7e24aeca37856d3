"""Questions several rules ask of facts (not a rule itself)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.frontend.facts import VCPU_INFO_POINTER, type_key

if TYPE_CHECKING:  # annotations only: listing the rules loads no facts class
    from analyzer.frontend.facts import Condition, FileFacts
    from analyzer.project import ProjectFacts

LEGACY_LIMITS = ("XEN_LEGACY_MAX_VCPUS", "MAX_VIRT_CPUS")
# Per-CPU pointers to a vCPU's vcpu_info, by name, in Xen and Linux.
KNOWN_VCPU_POINTERS = frozenset({"vcpu_info", "xen_vcpu"})
REGISTER_OP = "VCPUOP_register_vcpu_info"


def is_legacy_limit(expr: str) -> bool:
    if expr in LEGACY_LIMITS:
        return True
    return expr.startswith("ARRAY_SIZE(") and expr.rstrip(")").endswith("vcpu_info")


def bounds(cond: Condition, index: str) -> bool:
    """Does ``cond`` (as it holds at the site) imply ``index < legacy limit``?"""
    if cond.holds and cond.joiner == "||":
        return False
    if not cond.holds and cond.joiner == "&&":
        return False
    below = {("<", True), (">=", False)}  # index OP limit
    above = {(">", True), ("<=", False)}  # limit OP index
    for left, op, right in cond.comparisons:
        if left == index and is_legacy_limit(right) and (op, cond.holds) in below:
            return True
        if right == index and is_legacy_limit(left) and (op, cond.holds) in above:
            return True
        if left == index and right.endswith("-1") and is_legacy_limit(right[:-2]) and \
                (op, cond.holds) in {("<=", True), (">", False)}:
            return True
    return False


# (per-CPU index it was computed from, names): rules ask once per file, and
# the answer only changes when the project's per-CPU index is rebuilt.
_pointer_names: tuple[object, frozenset[str]] = (None, frozenset())


def vcpu_pointer_names(project: ProjectFacts) -> frozenset[str]:
    global _pointer_names
    index = project.percpu_by_name()
    if _pointer_names[0] is not index:
        names = set(KNOWN_VCPU_POINTERS)
        for name, decls in index.items():
            if any(type_key(d.type_text) == VCPU_INFO_POINTER for _, d in decls):
                names.add(name)
        _pointer_names = (index, frozenset(names))
    return _pointer_names[1]


def backing_arrays(facts: FileFacts) -> set[str]:
    """File-scope pointers to struct vcpu_info: the registered-area array."""
    return {o.name for o in facts.objects if type_key(o.type_text) == VCPU_INFO_POINTER}


def array_absent(cond: Condition, arrays: set[str]) -> bool:
    """Does ``cond`` say the backing array was never allocated?"""
    return any(name in arrays for name in cond.negated_names)


def registers(call_args: tuple[str, ...]) -> bool:
    return bool(call_args) and call_args[0] == REGISTER_OP

"""Questions several rules ask of facts (not a rule itself).

Every guest-specific name comes from the file's profile
(analyzer/profiles.py, through ``ProjectFacts.profile_of``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from analyzer.frontend.facts import VCPU_INFO_POINTER, type_key

if TYPE_CHECKING:  # annotations only: listing the rules loads no facts class
    from analyzer.frontend.facts import Call, Condition, FileFacts
    from analyzer.profiles import Profile
    from analyzer.project import ProjectFacts

REGISTER_OP = "VCPUOP_register_vcpu_info"
LEGACY_SLOTS = 32  # XEN_LEGACY_MAX_VCPUS on x86
# nitems(X->vcpu_info) (FreeBSD) and ARRAY_SIZE(X->vcpu_info) (Xen, Linux)
# count the legacy array itself.
_ARRAY_COUNT = re.compile(r"^(?:ARRAY_SIZE|nitems)\(.*vcpu_info\)$")
_CONSTANT = re.compile(r"^(?:\d+|0x[0-9a-fA-F]+)[uUlL]*$")


def is_legacy_limit(expr: str, profile: Profile) -> bool:
    return expr in profile.legacy_limits or bool(_ARRAY_COUNT.match(expr))


def constant_below_limit(index: str) -> bool:
    """A constant legacy index below the legacy array's size (vcpu_info[0])."""
    return bool(_CONSTANT.match(index)) and int(index.rstrip("uUlL"), 0) < LEGACY_SLOTS


def bounds(cond: Condition, index: str, profile: Profile) -> bool:
    """Does ``cond`` (as it holds at the site) imply ``index < legacy limit``?"""
    if cond.kind == "partial-exit":  # holds on some paths only
        return False
    if cond.holds and cond.joiner == "||":
        return False
    if not cond.holds and cond.joiner == "&&":
        return False
    below = {("<", True), (">=", False)}  # index OP limit
    above = {(">", True), ("<=", False)}  # limit OP index
    for left, op, right in cond.comparisons:
        if left == index and is_legacy_limit(right, profile) and (op, cond.holds) in below:
            return True
        if right == index and is_legacy_limit(left, profile) and (op, cond.holds) in above:
            return True
        if left == index and right.endswith("-1") and is_legacy_limit(right[:-2], profile) and \
                (op, cond.holds) in {("<=", True), (">", False)}:
            return True
    return False


def vcpu_pointer_names(project: ProjectFacts, profile: Profile) -> frozenset[str]:
    """Per-CPU pointers to a vCPU's vcpu_info: the profile's, and every
    per-CPU variable declared with type ``struct vcpu_info *``."""
    index = project.percpu_by_name()
    cached = _pointer_names.get(id(index))
    if cached is None or cached[0] is not index:
        names = {name for name, decls in index.items()
                 if any(type_key(d.type_text) == VCPU_INFO_POINTER for _, d in decls)}
        cached = _pointer_names[id(index)] = (index, frozenset(names))
        if len(_pointer_names) > 8:
            _pointer_names.pop(next(iter(_pointer_names)))
    return cached[1] | profile.vcpu_pointers


# id of a per-CPU index -> (the index, names): rules ask once per file.
_pointer_names: dict[int, tuple[object, frozenset[str]]] = {}


def backing_arrays(facts: FileFacts) -> set[str]:
    """File-scope pointers to struct vcpu_info: the registered-area array."""
    return {o.name for o in facts.objects if type_key(o.type_text) == VCPU_INFO_POINTER}


def array_absent(cond: Condition, arrays: set[str]) -> bool:
    """Does ``cond`` say the backing array was never allocated?"""
    return any(name in arrays for name in cond.negated_names)


def registers(call_args: tuple[str, ...]) -> bool:
    return bool(call_args) and call_args[0] == REGISTER_OP


def registering_functions(facts: FileFacts) -> set[str]:
    """Functions of the file that issue VCPUOP_register_vcpu_info."""
    return {c.site.function for c in facts.calls if registers(c.args) and c.site.function}


def guards_registration(cond: Condition, pointers: frozenset[str]) -> bool:
    """Is ``cond`` an "already registered" test?  A bitmap or cpumask test, a
    mapped/registered flag, or (Linux, FreeBSD) the per-CPU pointer itself:
    already pointing at the area, or non-NULL."""
    if any(call in _GUARD_CALLS for call in cond.calls):
        return True
    if any(_GUARD_NAME.search(name) for name in cond.identifiers):
        return True
    return any(name in pointers for name in cond.identifiers)


_GUARD_CALLS = {"test_bit", "test_and_set_bit", "__test_and_set_bit", "cpumask_test_cpu",
                "cpumask_test_and_set_cpu", "CPU_ISSET"}
_GUARD_NAME = re.compile(r"mapped|registered|_reg$|vcpu_info_set", re.I)


def guarded_call(call: Call, pointers: frozenset[str]) -> bool:
    return any(guards_registration(cond, pointers) for cond in call.guards)

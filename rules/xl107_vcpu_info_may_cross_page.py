"""registered struct vcpu_info lacks alignment to its size and may cross a page

Severity:   error
Confidence: high: dynamically allocated arrays are judged by `xenlint model`, which knows the allocator's placement

What it does
    Finds `struct vcpu_info` objects defined statically or per CPU (plain
    DEFINE_PER_CPU(struct vcpu_info, name)) whose address is registered
    with VCPUOP_register_vcpu_info, when nothing aligns them to at least
    64 bytes; also per-CPU areas from alloc_percpu(struct vcpu_info) or
    __alloc_percpu(sizeof(struct vcpu_info), align) with an alignment below
    64 (Linux Arm), and FreeBSD's DPCPU_DEFINE(vcpu_info_t, ...) without
    __aligned(64).
Why it matters
    The hypervisor refuses an area that crosses a page boundary. struct
    vcpu_info is 64 bytes with natural alignment 8, so without an explicit
    alignment the linker may place it across a page: registration then
    fails on some builds only.
Example
    static DEFINE_PER_CPU(struct vcpu_info, xen_vcpu_info);
Use instead
    static DEFINE_PER_CPU_ALIGNED(struct vcpu_info, xen_vcpu_info);
    /* or: static struct vcpu_info info __aligned(64); */
"""

from analyzer.frontend.facts import type_key
from analyzer.rule import Rule

from .predicates import registering_functions

VCPU_INFO_SIZE = 64
_AREA_TYPES = {"structvcpu_info", "vcpu_info_t", "structvcpu_info[]", "vcpu_info_t[]"}
_AREA_SIZES = {"sizeof(structvcpu_info)", "sizeof(vcpu_info_t)"}


def _is_vcpu_info(type_text: str) -> bool:
    return type_key(type_text) in _AREA_TYPES


class VcpuInfoMayCrossPage(Rule):
    message = ("'{name}' ({type}) is registered with the hypervisor but only {align}-byte "
               "aligned: it may cross a page and the registration then fails; align it to "
               "sizeof(struct vcpu_info)")
    needs = ("percpu", "objects", "allocations")

    def check(self, facts, project):
        register_functions = registering_functions(facts)
        candidates = [(d.name, d.type_text, d.alignment, d.site) for d in facts.percpu
                      if d.is_definition and _is_vcpu_info(d.type_text)]
        candidates += [(o.name, o.type_text, o.alignment, o.site) for o in facts.objects
                       if not o.is_extern and _is_vcpu_info(o.type_text)]
        # alloc_percpu(struct vcpu_info) is aligned to the type (8), __alloc_percpu
        # to its argument; an alignment computed by an expression is taken as enough.
        candidates += [(a.assigned_to, f"{a.call}({a.what})", a.alignment, a.site)
                       for a in facts.allocations if a.assigned_to
                       and (_is_vcpu_info(a.what) or type_key(a.what) in _AREA_SIZES)
                       and a.alignment != -1]
        for name, type_text, alignment, site in candidates:
            if alignment is not None and alignment >= VCPU_INFO_SIZE:
                continue
            if not self._registered(facts, name, register_functions):
                continue
            yield self.report(facts, site, name=name, type=type_text,
                              align=alignment or "default (8)")

    @staticmethod
    def _registered(facts, name, register_functions) -> bool:
        # &name, &this_cpu(name), per_cpu_ptr(name, cpu) or DPCPU_PTR(name)
        # in a function that registers: the address (or its frame and
        # offset) goes to L0.  A local of the same name is another object.
        return any(a.name == name and not a.local and a.site.function in register_functions
                   for a in facts.addresses)

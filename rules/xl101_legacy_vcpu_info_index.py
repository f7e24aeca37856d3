"""XL101: direct indexing of the legacy shared_info vcpu_info array.

Finds:      X->vcpu_info[i] (or X->vcpu_info + i) with X the shared_info page
            (XEN_shared_info, HYPERVISOR_shared_info, or a local alias of it),
            anywhere but the fallback that stores the address into the
            per-CPU vcpu_info pointer.
Matters:    the array has XEN_LEGACY_MAX_VCPUS (32) slots; vCPU 32 and up have
            none, and once a vCPU registered its own area L0 stops updating
            the legacy slot, so the read is stale even below 32.
Confidence: high.
"""

from analyzer.findings import Severity
from analyzer.rule import Rule

from .predicates import vcpu_pointer_names


class LegacyVcpuInfoIndex(Rule):
    id = "XL101"
    name = "legacy-vcpu-info-index"
    severity = Severity.ERROR
    confidence = "high"
    summary = "shared_info->vcpu_info[] indexed directly instead of the per-CPU vcpu_info pointer"
    what = ("Finds `XEN_shared_info->vcpu_info[...]` and `HYPERVISOR_shared_info->vcpu_info[...]` "
            "(and the same through a local alias of the shared_info pointer) outside the one "
            "place allowed to use it: the mapping function's legacy fallback, which stores the "
            "slot's address into the per-CPU `vcpu_info` pointer.")
    why = ("shared_info holds only XEN_LEGACY_MAX_VCPUS (32) vcpu_info slots. A vCPU numbered 32 "
           "or more has no slot, so the access reads past the array; and once a vCPU has "
           "registered its own area with VCPUOP_register_vcpu_info, L0 no longer updates its "
           "legacy slot, so even vCPUs below 32 read stale event and time data.")
    example = ("struct vcpu_time_info *info =\n"
               "    &XEN_shared_info->vcpu_info[this_cpu(vcpu_id)].time;")
    instead = ("struct vcpu_time_info *info = &this_cpu(vcpu_info)->time;\n"
               "/* or, for another CPU: &per_cpu(vcpu_info, cpu)->time */")
    message = ("direct use of {text}: the legacy array has only XEN_LEGACY_MAX_VCPUS slots and "
               "goes stale once a vCPU registers its own area; use this_cpu(vcpu_info) or "
               "per_cpu(vcpu_info, cpu)")
    needs = ("legacy_indexes",)

    def check(self, facts, project):
        pointers = vcpu_pointer_names(project)
        for site in facts.legacy_indexes:
            if site.assigned_to_percpu in pointers:
                continue  # the sanctioned fallback; XL102 judges its bound
            yield self.report(facts, site.site, text=site.text)

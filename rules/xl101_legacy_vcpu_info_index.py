"""shared_info->vcpu_info[] indexed directly instead of the per-CPU vcpu_info pointer

Severity:   error
Confidence: high

What it does
    Finds `XEN_shared_info->vcpu_info[...]` and
    `HYPERVISOR_shared_info->vcpu_info[...]` (and the same through a local
    alias of the shared_info pointer) outside the one place allowed to use
    it: the mapping function's legacy fallback, which stores the slot's
    address into the per-CPU pointer (`vcpu_info`, Linux's `xen_vcpu`,
    FreeBSD's DPCPU `vcpu_info`). A constant index below 32
    (`vcpu_info[0]`) is reported for staleness alone: Xen's own guest code
    moved its `vcpu_info[0].time` read to the per-CPU pointer in the patch
    that introduced per-vCPU areas.
Why it matters
    shared_info holds only XEN_LEGACY_MAX_VCPUS (32) vcpu_info slots. A
    vCPU numbered 32 or more has no slot, so the access reads past the
    array; and once a vCPU has registered its own area with
    VCPUOP_register_vcpu_info, L0 no longer updates its legacy slot, so
    even vCPUs below 32 read stale event and time data.
Example
    struct vcpu_time_info *info =
        &XEN_shared_info->vcpu_info[this_cpu(vcpu_id)].time;
Use instead
    struct vcpu_time_info *info = &this_cpu(vcpu_info)->time;
    /* or, for another CPU: &per_cpu(vcpu_info, cpu)->time */
"""

from analyzer.rule import Rule

from .predicates import constant_below_limit, vcpu_pointer_names


class LegacyVcpuInfoIndex(Rule):
    message = "direct use of {text}: {why}; use {reader}"
    WHY = "the legacy array has only 32 slots and goes stale once a vCPU registers its own area"
    WHY_CONSTANT = ("L0 stops updating vCPU {index}'s legacy slot once that vCPU registers its "
                    "own area")
    needs = ("legacy_indexes",)

    def check(self, facts, project):
        profile = project.profile_of(facts)
        pointers = vcpu_pointer_names(project, profile)
        for site in facts.legacy_indexes:
            if site.assigned_to_percpu in pointers:
                continue  # the sanctioned fallback; XL102 judges its bound
            why = self.WHY_CONSTANT.format(index=site.index) if constant_below_limit(site.index) \
                else self.WHY
            yield self.report(facts, site.site, text=site.text, why=why, reader=profile.reader)

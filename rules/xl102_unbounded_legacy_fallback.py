"""per-CPU vcpu_info pointed at a legacy slot without a XEN_LEGACY_MAX_VCPUS bound

Severity:   error
Confidence: medium: the bound is judged by its shape; `xenlint model` judges such paths by running them

What it does
    Finds the fallback `this_cpu(vcpu_info) =
    &XEN_shared_info->vcpu_info[vcpu]` on a path that is not dominated by
    `vcpu < XEN_LEGACY_MAX_VCPUS` (an enclosing if, an earlier
    BUG_ON/ASSERT, or an early exit). The branch taken when the vcpu_info
    array was never allocated counts as bounded if the same file clamps
    nr_cpu_ids to the legacy limit. Linux (`per_cpu(xen_vcpu, cpu) =`,
    bound `MAX_VIRT_CPUS`) and FreeBSD (`DPCPU_SET(vcpu_info, ...)`, bound
    `nitems(HYPERVISOR_shared_info->vcpu_info)`) are read through their
    profiles; `continue`/`break` out of the loop, `BUG()` and `panic()`
    are early exits, and a constant index below the bound is bounded.
Why it matters
    Registration can fail for any vCPU (L0 refuses it, the area crosses a
    page, the vCPU registered already). For vCPU 32 or above there is no
    legacy slot: the pointer lands past the end of shared_info's vcpu_info
    array and every upcall and time read on that CPU uses whatever lies
    there.
Example
    rc = xen_hypercall_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);
    if ( rc )
        this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];
Use instead
    if ( rc )
    {
        BUG_ON(vcpu >= XEN_LEGACY_MAX_VCPUS);
        this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];
    }
    /* or: else if ( vcpu < XEN_LEGACY_MAX_VCPUS ) ..., refusing the CPU otherwise */
"""

from analyzer.rule import Rule

from .predicates import array_absent, backing_arrays, bounds, constant_below_limit, vcpu_pointer_names


class UnboundedLegacyFallback(Rule):
    message = ("legacy fallback {text} is not bounded by {bound}: if registration fails for a "
               "vCPU >= 32 the CPU points past the legacy array; test {index} against {bound} "
               "first, or refuse the CPU")
    needs = ("legacy_indexes",)

    def check(self, facts, project):
        profile = project.profile_of(facts)
        pointers = vcpu_pointer_names(project, profile)
        arrays = backing_arrays(facts)
        clamped = bool(facts.nr_cpu_ids_clamps)
        for site in facts.legacy_indexes:
            if site.assigned_to_percpu not in pointers:
                continue
            if constant_below_limit(site.index):
                continue
            if any(bounds(cond, site.index, profile) for cond in site.guards):
                continue
            if clamped and any(array_absent(cond, arrays) for cond in site.guards):
                continue
            yield self.report(facts, site.site, text=site.text, index=site.index, bound=profile.bound)

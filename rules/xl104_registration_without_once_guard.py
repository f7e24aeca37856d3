"""VCPUOP_register_vcpu_info issued without checking the vCPU is not registered already

Severity:   error
Confidence: medium: the guard is recognised by its shape

What it does
    Finds VCPUOP_register_vcpu_info hypercalls that are not skipped when
    the vCPU's area is already registered: no enclosing or earlier test of
    a per-vCPU mapped bitmap (test_bit), or of a mapped/registered flag,
    guards the call. The guest forms count too: the per-CPU pointer
    already pointing at the registered area (Linux x86) or being non-NULL
    (Linux Arm, FreeBSD) followed by a return or a goto past the call.
Why it matters
    The hypervisor accepts one registration per vCPU and per domain
    lifetime. CPU hotplug and same-host resume run the mapping code again;
    the second call fails (-EINVAL, or -EBUSY from Xen 4.18), and the
    error path then points the CPU at a legacy slot that L0 stopped
    updating, or at nothing for vCPU >= 32.
Example
    info.mfn = virt_to_mfn(&vcpu_info[vcpu]);
    rc = xen_hypercall_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);
Use instead
    if ( test_bit(vcpu, vcpu_info_mapped) )
    {
        this_cpu(vcpu_info) = &vcpu_info[vcpu];
        return 0;
    }
    rc = xen_hypercall_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);
    if ( !rc )
        set_bit(vcpu, vcpu_info_mapped);
"""

from analyzer.rule import Rule

from .predicates import guards_registration, registers, vcpu_pointer_names


class RegistrationWithoutOnceGuard(Rule):
    message = ("{call}(VCPUOP_register_vcpu_info, ...) is not guarded by an 'already registered' "
               "test: L0 refuses a second registration of the same vCPU (hotplug, resume)")
    needs = ("calls",)

    def check(self, facts, project):
        profile = project.profile_of(facts)
        pointers = vcpu_pointer_names(project, profile)
        readers = profile.percpu_readers
        for call in facts.calls:
            if not registers(call.args):
                continue
            if any(_once_guard(cond, pointers, readers) for cond in call.guards):
                continue
            # The guard may stand at every call of the registering function
            # instead (FreeBSD tests DPCPU_GET(vcpu_info) in the caller).
            callers = project.calls_to(call.site.function) if call.site.function else []
            if callers and all(any(_once_guard(cond, pointers, readers) for cond in caller.guards)
                               for _, caller in callers):
                continue
            yield self.report(facts, call.site, call=call.name)


def _once_guard(cond, pointers, readers) -> bool:
    """A bitmap test or a mapped flag; or the per-CPU pointer, read through
    the guest's accessor: already pointing at the area, or non-NULL."""
    if guards_registration(cond, frozenset()):
        return True
    return any(name in pointers for name in cond.identifiers) and any(c in readers for c in cond.calls)

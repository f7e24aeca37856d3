"""VCPUOP_register_vcpu_info issued without checking the vCPU is not registered already

Severity:   error
Confidence: medium: the guard is recognised by its shape

What it does
    Finds VCPUOP_register_vcpu_info hypercalls that are not skipped when
    the vCPU's area is already registered: no enclosing or earlier test of
    a per-vCPU mapped bitmap (test_bit), or of a mapped/registered flag,
    guards the call.
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

import re

from analyzer.rule import Rule

from .predicates import registers

_GUARD_CALLS = {"test_bit", "test_and_set_bit", "__test_and_set_bit", "cpumask_test_cpu",
                "cpumask_test_and_set_cpu"}
_GUARD_NAME = re.compile(r"mapped|registered|_reg$|vcpu_info_set", re.I)


def _is_once_guard(cond) -> bool:
    if any(call in _GUARD_CALLS for call in cond.calls):
        return True
    return any(_GUARD_NAME.search(name) for name in cond.identifiers)


class RegistrationWithoutOnceGuard(Rule):
    message = ("{call}(VCPUOP_register_vcpu_info, ...) is not guarded by an 'already registered' "
               "test: L0 refuses a second registration of the same vCPU (hotplug, resume)")
    needs = ("calls",)

    def check(self, facts, project):
        for call in facts.calls:
            if not registers(call.args):
                continue
            if any(_is_once_guard(cond) for cond in call.guards):
                continue
            yield self.report(facts, call.site, call=call.name)

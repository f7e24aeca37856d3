"""result of map_vcpuinfo() or VCPUOP_register_vcpu_info ignored

Severity:   error
Confidence: high

What it does
    Finds calls to `map_vcpuinfo()` (and to any function of the same file
    that issues VCPUOP_register_vcpu_info and returns a status) and direct
    VCPUOP_register_vcpu_info hypercalls whose result is dropped, cast to
    void, or assigned to a variable that is never read. A mapping function
    that returns nothing (Linux's `void xen_vcpu_setup()`, FreeBSD's
    `void xen_setup_vcpu_info()`), read from its definition or declaration,
    or from the profile when neither is in sight, is not a finding.
Why it matters
    Mapping can fail: L0 refuses the registration, or vCPU >= 32 has no
    legacy slot to fall back to. A caller that does not look at the result
    brings the CPU online anyway, and its first event upcall or time read
    uses an unusable vcpu_info pointer.
Example
    void hypervisor_ap_setup(void)
    {
        set_vcpu_id();
        map_vcpuinfo();
        init_evtchn();
    }
Use instead
    int hypervisor_ap_setup(void)
    {
        set_vcpu_id();
        return map_vcpuinfo() ?: init_evtchn();
    }
"""

from analyzer.rule import Rule

from .predicates import registering_functions, registers

_HOW = {"discarded": "is discarded", "void-cast": "is cast to void"}


class MappingResultIgnored(Rule):
    message = ("result of {call} {how}: a CPU whose vcpu_info mapping failed would come "
               "online without a usable pointer")
    needs = ("calls",)

    def check(self, facts, project):
        profile = project.profile_of(facts)
        mapping = profile.mapping_functions | registering_functions(facts)
        for call in facts.calls:
            if call.result == "used":
                continue
            if not registers(call.args):
                # A mapping function's result, when it has one: a void setup
                # (Linux's xen_vcpu_setup since 2021) reports failure otherwise.
                if call.name not in mapping:
                    continue
                returns = project.returns_value(call.name)
                if returns is None:  # not in sight: what this guest's function does
                    returns = call.name in profile.mapping_functions and profile.mapping_returns_status
                if not returns:
                    continue
            if call.result.startswith("dead-store:"):
                how = f"is stored in '{call.result.split(':', 1)[1]}' and never read"
            else:
                how = _HOW[call.result]
            label = f"{call.name}(VCPUOP_register_vcpu_info, ...)" if registers(call.args) \
                else f"{call.name}()"
            yield self.report(facts, call.site, call=label, how=how)

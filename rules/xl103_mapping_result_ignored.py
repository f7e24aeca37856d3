"""XL103: the result of mapping or registering vcpu_info is ignored.

Finds:      a call to map_vcpuinfo() (or another function of the file that
            registers a vcpu_info area and returns a status) or to a
            VCPUOP_register_vcpu_info hypercall whose result is discarded,
            cast to void, or stored in a variable nobody reads.
Matters:    a CPU whose mapping failed comes online without a usable
            vcpu_info pointer (invariant I1): its first upcall dereferences
            NULL or a slot that does not exist.
Confidence: high.
"""

from analyzer.findings import Severity
from analyzer.rule import Rule

from .predicates import registers

_HOW = {"discarded": "is discarded", "void-cast": "is cast to void"}


class MappingResultIgnored(Rule):
    id = "XL103"
    name = "mapping-result-ignored"
    severity = Severity.ERROR
    confidence = "high"
    summary = "result of map_vcpuinfo() or VCPUOP_register_vcpu_info ignored"
    what = ("Finds calls to `map_vcpuinfo()` (and to any function of the same file that issues "
            "VCPUOP_register_vcpu_info and returns a status) and direct "
            "VCPUOP_register_vcpu_info hypercalls whose result is dropped, cast to void, or "
            "assigned to a variable that is never read.")
    why = ("Mapping can fail: L0 refuses the registration, or vCPU >= 32 has no legacy slot to fall "
           "back to. A caller that does not look at the result brings the CPU online anyway, and "
           "its first event upcall or time read uses an unusable vcpu_info pointer.")
    example = ("void hypervisor_ap_setup(void)\n"
               "{\n"
               "    set_vcpu_id();\n"
               "    map_vcpuinfo();\n"
               "    init_evtchn();\n"
               "}")
    instead = ("int hypervisor_ap_setup(void)\n"
               "{\n"
               "    set_vcpu_id();\n"
               "    return map_vcpuinfo() ?: init_evtchn();\n"
               "}")
    message = ("result of {call} {how}: a CPU whose vcpu_info mapping failed would come "
               "online without a usable pointer")
    needs = ("calls",)

    def check(self, facts, project):
        for call in facts.calls:
            if call.result == "used":
                continue
            if call.result.startswith("dead-store:"):
                how = f"is stored in '{call.result.split(':', 1)[1]}' and never read"
            else:
                how = _HOW[call.result]
            label = f"{call.name}(VCPUOP_register_vcpu_info, ...)" if registers(call.args) \
                else f"{call.name}()"
            yield self.report(facts, call.site, call=label, how=how)

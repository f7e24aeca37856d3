"""I9: after a migration every online CPU is re-established, or the system stops

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I9 of the vcpu_info model: after
    a migration every online CPU is re-established, or the system stops.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    A migration starts a new domain at the target: no registration
    survives, every CPU must register again or the system must stop.
Example
    void resume(void) { map_vcpuinfo(); }   /* bitmap still says mapped */
Use instead
    bitmap_zero(vcpu_info_mapped, NR_CPUS);
    if ( map_vcpuinfo() ) panic(...);
    smp_call_function(ap_resume, NULL, 1);
"""

"""I4: one registration per vCPU per epoch; the mapped bitmap agrees with L0

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I4 of the vcpu_info model: one
    registration per vCPU per epoch; the mapped bitmap agrees with L0.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    L0 refuses a second registration; a bitmap that disagrees with L0
    makes the guest re-register (and fall back to a slot L0 no longer
    writes) or trust an area L0 never wrote.
Example
    this_cpu(vcpu_info) = &vcpu_info[vcpu];   /* registered, bit never set */
Use instead
    this_cpu(vcpu_info) = &vcpu_info[vcpu];
    set_bit(vcpu, vcpu_info_mapped);
"""

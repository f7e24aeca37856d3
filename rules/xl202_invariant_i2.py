"""I2: no pointer to a legacy slot of a vCPU >= 32, nor between array elements

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I2 of the vcpu_info model: no
    pointer to a legacy slot of a vCPU >= 32, nor between array elements.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    shared_info has legacy slots for vCPUs 0-31 only;
    &shared_info->vcpu_info[32] is the event channel bitmap, so the CPU
    reads and clears the wrong memory and never sees its own events.
Example
    if ( rc )
        this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];
Use instead
    if ( rc )
    {
        BUG_ON(vcpu >= XEN_LEGACY_MAX_VCPUS);
        this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];
    }
"""

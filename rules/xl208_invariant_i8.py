"""I8: up to 4.17 a vCPU registers another vCPU's area only while that vCPU is down

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I8 of the vcpu_info model: up to
    4.17 a vCPU registers another vCPU's area only while that vCPU is
    down.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    Up to Xen 4.17, L0 only lets a vCPU register another vCPU's area while
    that vCPU is down.
Example
    (see the scenario and pointer table in the finding)
Use instead
    make the C run agree with the reference model for that scenario
"""

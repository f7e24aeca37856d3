"""the C code and the reference model disagree without breaking an invariant

Severity:   warning
Confidence: medium
Found by:   xenlint model (analyzer/crosscheck/compare.py)

What it does
    After some event of a scenario, a CPU's pointer, a mapped bit, L0's
    registrations or whether the system stopped differ between the C run
    and the reference model running with the policies the code was seen to
    follow.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    Usually a design choice the model does not know, or a defect whose
    damage shows only later (e.g. panicking where the remaining CPUs could
    continue).
Example
    BUG_ON(map_vcpuinfo());   /* stops on a failure the model survives */
Use instead
    handle the failure the way the spec's design choices allow, or document the choice
"""

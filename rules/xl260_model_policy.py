"""the design choice the code makes where correct implementations differ

Severity:   info
Confidence: high
Found by:   xenlint model (analyzer/crosscheck/policy_probe.py)

What it does
    Probe scenarios show what the code does when a vCPU >= 32 cannot
    register (BUG, refuse to bring the CPU online, panic), when the BSP
    cannot register, and when an AP below 32 cannot register. The model
    then runs with those choices.
Why it matters
    These are choices, not defects (spec §3); they are reported so a
    reviewer sees them.
Example
    BUG_ON(vcpu >= XEN_LEGACY_MAX_VCPUS);
Use instead
    nothing to change; make sure the choice is the intended one
"""

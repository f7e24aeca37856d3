"""I11: without a usable area: nr_cpu_ids <= 32 and every CPU in use has a vCPU id < 32

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I11 of the vcpu_info model:
    without a usable area: nr_cpu_ids <= 32 and every CPU in use has a
    vCPU id < 32.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    Without an area, only vCPUs 0-31 have anywhere to receive events.
Example
    (see the scenario and pointer table in the finding)
Use instead
    make the C run agree with the reference model for that scenario
"""

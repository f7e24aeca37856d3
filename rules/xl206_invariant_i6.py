"""I6: the array is not freed while L0 still writes into it

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I6 of the vcpu_info model: the
    array is not freed while L0 still writes into it.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    L0 keeps writing the registered area after the guest frees it: memory
    corruption.
Example
    (see the scenario and pointer table in the finding)
Use instead
    make the C run agree with the reference model for that scenario
"""

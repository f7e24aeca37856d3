"""I10: the spurious upcall after a registration reads the registered area

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I10 of the vcpu_info model: the
    spurious upcall after a registration reads the registered area.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    A successful registration raises a spurious upcall into the new area;
    a CPU still reading the old one loses it.
Example
    (see the scenario and pointer table in the finding)
Use instead
    make the C run agree with the reference model for that scenario
"""

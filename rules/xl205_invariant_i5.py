"""I5: every registered area lies within one page and is 8-byte aligned

Severity:   error
Confidence: high
Found by:   xenlint model (analyzer/model/invariants.py, on the C run's state after each event)

What it does
    Running the extracted mapping code against the L0 contract, a scenario
    reached a state that breaks invariant I5 of the vcpu_info model: every
    registered area lies within one page and is 8-byte aligned.
    Reported once per distinct defect: at the statement that caused it
    (the last write of the offending pointer, bit or registration, or
    where the code left without making it), with the path the C code
    took to it and the smallest scenario that shows it.
Why it matters
    L0 rejects an area that crosses a page or is misaligned, turning an
    allocator accident into a registration failure.
Example
    info.offset = (unsigned long)&vcpu_info[vcpu] & PAGE_MASK;
Use instead
    info.offset = (unsigned long)&vcpu_info[vcpu] & ~PAGE_MASK;
"""

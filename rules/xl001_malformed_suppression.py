"""xenlint suppression comment without rule ids or without a reason

Severity:   error
Confidence: high
Found by:   analyzer/suppressions.py, on every suppression comment the gate reads

What it does
    Finds '/* xenlint: ... */' comments that are not of the form
    'ignore[ID,...] reason'. Such a comment suppresses nothing.
Why it matters
    A suppression is a reviewed decision that a finding is not a defect;
    the reason is what the next reviewer reads. Without ids it would hide
    every rule, without a reason nobody can tell whether it still holds.
Example
    /* xenlint: ignore[XL106] */
    unsigned long vcpu_info_mapped[BITS_TO_LONGS(NR_CPUS)];
Use instead
    /* xenlint: ignore[XL106] referenced from the assembly entry path */
    unsigned long vcpu_info_mapped[BITS_TO_LONGS(NR_CPUS)];
"""

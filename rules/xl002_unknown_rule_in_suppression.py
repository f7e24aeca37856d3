"""xenlint suppression comment names a rule id that does not exist

Severity:   error
Confidence: high
Found by:   analyzer/suppressions.py, on every suppression comment the gate reads

What it does
    Finds 'ignore[ID]' suppressions whose ID is not a xenlint rule (see
    'xenlint rules'). The comment suppresses nothing.
Why it matters
    A misspelt id would otherwise be silently ineffective, or silently
    effective again once a rule with that id appears.
Example
    this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[id]; /* xenlint: ignore[XL012] bounded by the caller */
Use instead
    this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[id]; /* xenlint: ignore[XL102] bounded by the caller */
"""

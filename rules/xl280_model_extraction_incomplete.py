"""the mapping code could not be extracted or run completely

Severity:   warning
Confidence: high
Found by:   xenlint model (analyzer/crosscheck/extract.py, harness_gen.py, build.py)

What it does
    map_vcpuinfo() or one of its callers is missing, a function was
    rebuilt from a hunk header, the code uses types the harness does not
    know, or the harness did not compile.
Why it matters
    The cross-check only speaks for the code it ran; what it could not see
    it cannot vouch for.
Example
    a patch whose hunk starts in the middle of hypervisor_setup()
Use instead
    give the tree the patch applies to (--tree), or check the whole file
"""

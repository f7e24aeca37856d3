"""Cross-check of C mapping code against the reference model.

Extract map_vcpuinfo() and its callers from a C text (extract), generate a
harness around them (harness_gen, c/), compile it (build), run scenarios in
a sandboxed process (sandbox, wire), compare each event with the model
(compare) and report findings XL201-XL280 (findings).

The entry point is run.crosscheck_source; importing this package loads
nothing else (a commit hook answered from the cache never needs the rest).
"""

# The mapping functions the cross-check extracts (Xen's shim, Linux's x86
# guest); here, not in extract.py, so that the checker can ask cheaply.
MAPPING_FUNCTIONS = ("map_vcpuinfo", "xen_vcpu_setup")

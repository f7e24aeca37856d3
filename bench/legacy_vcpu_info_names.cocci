// Rule XL101 as a Coccinelle semantic patch, names only (no type inference,
// so spatch need not parse the headers): direct indexing of the legacy
// shared_info->vcpu_info[] array through the well-known shared_info
// pointers.  Written for xenlint's bench/linux_tree.py, report mode ("*").

@legacy_index@
expression I;
@@
(
* XEN_shared_info->vcpu_info[I]
|
* HYPERVISOR_shared_info->vcpu_info[I]
|
* XEN_shared_info->vcpu_info + I
|
* HYPERVISOR_shared_info->vcpu_info + I
)

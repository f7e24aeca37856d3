// Rule XL101 (legacy-vcpu-info-index) as a Coccinelle semantic patch, for the
// benchmark: direct indexing of the legacy shared_info->vcpu_info[] array,
// through the well-known shared_info pointers or any expression of type
// struct shared_info *.  Written for xenlint's bench/, report mode ("*").

@legacy_index@
expression I;
struct shared_info *S;
@@
(
* XEN_shared_info->vcpu_info[I]
|
* HYPERVISOR_shared_info->vcpu_info[I]
|
* S->vcpu_info[I]
|
* XEN_shared_info->vcpu_info + I
|
* HYPERVISOR_shared_info->vcpu_info + I
|
* S->vcpu_info + I
)

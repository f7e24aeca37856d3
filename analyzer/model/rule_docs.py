"""Documentation of the model cross-check rules (XL201-XL280) for `xenlint explain`."""

from __future__ import annotations

from analyzer.model.invariants import TITLES

_WHY = {
    1: "An upcall or a time read on that CPU dereferences the pointer: a NULL pointer crashes the hypervisor.",
    2: "shared_info has legacy slots for vCPUs 0-31 only; &shared_info->vcpu_info[32] is the event channel "
       "bitmap, so the CPU reads and clears the wrong memory and never sees its own events.",
    3: "L0 writes event and time data into one area per vCPU; a CPU reading another area misses upcalls "
       "and reads stale time.",
    4: "L0 refuses a second registration; a bitmap that disagrees with L0 makes the guest re-register "
       "(and fall back to a slot L0 no longer writes) or trust an area L0 never wrote.",
    5: "L0 rejects an area that crosses a page or is misaligned, turning an allocator accident into a "
       "registration failure.",
    6: "L0 keeps writing the registered area after the guest frees it: memory corruption.",
    7: "A vCPU id past the array's length indexes memory the guest never allocated.",
    8: "Up to Xen 4.17, L0 only lets a vCPU register another vCPU's area while that vCPU is down.",
    9: "A migration starts a new domain at the target: no registration survives, every CPU must "
       "register again or the system must stop.",
    10: "A successful registration raises a spurious upcall into the new area; a CPU still reading the "
        "old one loses it.",
    11: "Without an area, only vCPUs 0-31 have anywhere to receive events.",
}

_EXAMPLES = {
    2: ("if ( rc )\n    this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];",
        "if ( rc )\n{\n    BUG_ON(vcpu >= XEN_LEGACY_MAX_VCPUS);\n"
        "    this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];\n}"),
    4: ("this_cpu(vcpu_info) = &vcpu_info[vcpu];   /* registered, bit never set */",
        "this_cpu(vcpu_info) = &vcpu_info[vcpu];\nset_bit(vcpu, vcpu_info_mapped);"),
    5: ("info.offset = (unsigned long)&vcpu_info[vcpu] & PAGE_MASK;",
        "info.offset = (unsigned long)&vcpu_info[vcpu] & ~PAGE_MASK;"),
    9: ("void resume(void) { map_vcpuinfo(); }   /* bitmap still says mapped */",
        "bitmap_zero(vcpu_info_mapped, NR_CPUS);\nif ( map_vcpuinfo() ) panic(...);\n"
        "smp_call_function(ap_resume, NULL, 1);"),
}

_DEFAULT_EXAMPLE = ("(see the scenario and pointer table in the finding)",
                    "make the C run agree with the reference model for that scenario")


def _invariant_doc(n: int) -> dict:
    bad, good = _EXAMPLES.get(n, _DEFAULT_EXAMPLE)
    return {
        "id": f"XL2{n:02d}", "name": f"invariant-i{n}", "severity": "error",
        "summary": f"I{n}: {TITLES[n]}",
        "what": f"Running the extracted mapping code against the L0 contract, a scenario reached a state "
                f"that breaks invariant I{n} of the vcpu_info model: {TITLES[n]}.",
        "why": _WHY[n],
        "example": bad,
        "instead": good,
    }


RULE_DOCS: list[dict] = [_invariant_doc(n) for n in sorted(TITLES)] + [
    {
        "id": "XL250", "name": "model-divergence", "severity": "warning",
        "summary": "the C code and the reference model disagree without breaking an invariant",
        "what": "After some event of a scenario, a CPU's pointer, a mapped bit, L0's registrations or "
                "whether the system stopped differ between the C run and the reference model running "
                "with the policies the code was seen to follow.",
        "why": "Usually a design choice the model does not know, or a defect whose damage shows only later "
               "(e.g. panicking where the remaining CPUs could continue).",
        "example": "BUG_ON(map_vcpuinfo());   /* stops on a failure the model survives */",
        "instead": "handle the failure the way the spec's design choices allow, or document the choice",
    },
    {
        "id": "XL260", "name": "model-policy", "severity": "info",
        "summary": "the design choice the code makes where correct implementations differ",
        "what": "Probe scenarios show what the code does when a vCPU >= 32 cannot register (BUG, refuse "
                "to bring the CPU online, panic), when the BSP cannot register, and when an AP below "
                "32 cannot register. The model then runs with those choices.",
        "why": "These are choices, not defects (spec §3); they are reported so a reviewer sees them.",
        "example": "BUG_ON(vcpu >= XEN_LEGACY_MAX_VCPUS);",
        "instead": "nothing to change; make sure the choice is the intended one",
    },
    {
        "id": "XL270", "name": "model-sandbox-stop", "severity": "error",
        "summary": "the extracted code crashed, hung or was killed by the sandbox",
        "what": "The harness process running the extracted code died: a system call seccomp strict mode "
                "forbids (files, processes, memory from the kernel), a signal such as SIGSEGV, the CPU "
                "or wall-clock limit, the step budget inside a loop, or output that broke the protocol.",
        "why": "Mapping code has no business doing any of that; a crash in the harness usually means an "
               "invalid pointer or an endless loop in the real system too.",
        "example": "for ( ;; ) { }   /* or system(...), fopen(...), raw syscalls */",
        "instead": "keep the mapping code to memory the guest owns and bounded loops",
    },
    {
        "id": "XL280", "name": "model-extraction-incomplete", "severity": "warning",
        "summary": "the mapping code could not be extracted or run completely",
        "what": "map_vcpuinfo() or one of its callers is missing, a function was rebuilt from a hunk "
                "header, the code uses types the harness does not know, or the harness did not compile.",
        "why": "The cross-check only speaks for the code it ran; what it could not see it cannot vouch for.",
        "example": "a patch whose hunk starts in the middle of hypervisor_setup()",
        "instead": "give the tree the patch applies to (--tree), or check the whole file",
    },
]

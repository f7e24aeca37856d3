"""Design choices on which correct implementations differ (spec §3, last paragraph).

The reference guest takes them as parameters; the cross-check infers the ones
the C code made (crosscheck/policy_probe.py) and runs the model with those, so
a choice is reported once as the policy in force instead of as a divergence.
"""

from __future__ import annotations

from dataclasses import dataclass

HIGH_VCPU_POLICIES = ("bug", "refuse", "panic")
BSP_FAILURE_POLICIES = ("all_legacy", "per_ap", "panic")
AP_FAILURE_POLICIES = ("legacy", "refuse", "panic")
AREA_LAYOUTS = ("array", "percpu")


@dataclass(frozen=True)
class Policy:
    # A vCPU >= 32 whose registration fails (there is no legacy slot for it).
    on_unregistrable_high_vcpu: str = "refuse"
    # The BSP's registration fails for a vCPU < 32: drop the array and put every
    # CPU on its legacy slot, or keep the array and let each AP try.
    bsp_failure: str = "all_legacy"
    # An AP < 32 whose registration fails: use its legacy slot, or refuse to
    # bring the CPU online.
    ap_low_failure: str = "legacy"
    # Where the registered areas are: an array indexed by vCPU id (Xen's shim),
    # or one static area per CPU that each CPU registers for itself (Linux).
    # Read from the code's definitions, not probed.
    area: str = "array"

    def __post_init__(self):
        if self.on_unregistrable_high_vcpu not in HIGH_VCPU_POLICIES:
            raise ValueError(f"on_unregistrable_high_vcpu must be one of {HIGH_VCPU_POLICIES}")
        if self.bsp_failure not in BSP_FAILURE_POLICIES:
            raise ValueError(f"bsp_failure must be one of {BSP_FAILURE_POLICIES}")
        if self.ap_low_failure not in AP_FAILURE_POLICIES:
            raise ValueError(f"ap_low_failure must be one of {AP_FAILURE_POLICIES}")
        if self.area not in AREA_LAYOUTS:
            raise ValueError(f"area must be one of {AREA_LAYOUTS}")

    def describe(self) -> list[str]:
        high = {"bug": "BUG when a vCPU >= 32 cannot register",
                "refuse": "a CPU whose vCPU >= 32 cannot register is not brought online",
                "panic": "panic when a vCPU >= 32 cannot register"}
        bsp = {"all_legacy": "when the BSP cannot register, every CPU uses its legacy slot "
                             "and the guest is limited to 32 CPUs",
               "per_ap": "when the BSP cannot register, each AP still tries its own registration",
               "panic": "panic when the BSP cannot register"}
        ap = {"legacy": "an AP below vCPU 32 whose registration fails uses its legacy slot",
              "refuse": "an AP whose registration fails is not brought online, even below vCPU 32",
              "panic": "panic when an AP cannot register, even below vCPU 32"}
        return [high[self.on_unregistrable_high_vcpu], bsp[self.bsp_failure],
                ap[self.ap_low_failure]]

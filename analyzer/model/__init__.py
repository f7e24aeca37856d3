"""Reference model of the vcpu_info mapping (spec: shared/spec/vcpu_info_model.md).

Pure Python: the L0 registration contract per release (l0), the reference
guest with its policies (guest, policy), invariants I1-I11 (invariants),
scenarios (scenario, default_scenarios) and hypothesis exploration (explore).
"""

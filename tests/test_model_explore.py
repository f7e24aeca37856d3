"""Hypothesis exploration: deterministic for a seed, shrinks to a minimal scenario."""

from analyzer.model.explore import explore


def needs_high_fault(scenario):
    high = [f for f in scenario.faults if f.vcpu >= 32]
    return ["high fault"] if scenario.nr_cpu_ids >= 33 and high else []


def test_explore_shrinks_to_a_minimal_failing_scenario():
    out = explore(needs_high_fault, count=300, seed=1)
    assert out.failing is not None and out.problems == ["high fault"]
    s = out.failing
    assert s.nr_cpu_ids == 33 and len(s.faults) == 1 and s.faults[0].vcpu == 32
    assert s.events == ("BOOT_BSP",) and not s.alloc_fails and s.placement == 0


def test_explore_is_deterministic_for_a_seed():
    a = explore(needs_high_fault, count=300, seed=7)
    b = explore(needs_high_fault, count=300, seed=7)
    assert a.failing == b.failing and a.tried == b.tried


def test_explore_reports_nothing_when_nothing_fails():
    out = explore(lambda s: [], count=20, seed=0)
    assert out.failing is None and out.tried == 20

"""Scenario exploration with hypothesis: random scenarios, shrunk when one fails.

`explore` is independent of what is checked: the caller passes a function
that returns the problems a scenario shows (the cross-check passes one that
runs the C harness and compares with the model). The search is
deterministic for a given seed, and hypothesis's shrinking turns the first
failing scenario into a minimal one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from analyzer.model.l0 import ERRORS
from analyzer.model.scenario import Fault, Scenario

NR_CHOICES = (1, 2, 3, 4, 8, 31, 32, 33, 34, 40, 64)
PLACEMENTS = (0, 8, 16, 64, 3000, 4032, 4040)


def scenarios(release: str):
    """A hypothesis strategy for valid scenarios, simplest first when shrinking."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        nr = draw(st.sampled_from(NR_CHOICES))
        extra = draw(st.sampled_from((0, 0, 1, 8, 40)))
        dom = nr + extra
        if draw(st.booleans()):
            vids = tuple(draw(st.permutations(range(dom)))[:nr])
        else:
            vids = ()
        faults = tuple(draw(st.lists(
            st.builds(Fault, st.integers(0, dom - 1), st.sampled_from(sorted(ERRORS)),
                      st.sampled_from((None, 0, 1))),
            max_size=3, unique_by=lambda f: f.vcpu)))
        cpu = st.integers(0, nr - 1)
        one = st.one_of(
            st.builds(lambda c: f"AP_UP:{c}", cpu),
            st.builds(lambda c: f"AP_OFFLINE:{c}", cpu),
            st.builds(lambda c: f"AP_ONLINE_AGAIN:{c}", cpu),
            st.builds(lambda c: f"UPCALL:{c}", cpu),
            st.builds(lambda c: f"TIME_READ:{c}", cpu),
            st.sampled_from(("AP_UP_ALL", "RESUME_NEW_L0", "RESUME_SAME_L0", "SUSPEND_CANCELLED")),
        )
        events = ("BOOT_BSP",) + tuple(draw(st.lists(one, max_size=10)))
        return Scenario(nr_cpu_ids=nr, events=events, vcpu_ids=vids,
                        domain_vcpus=dom if extra else 0, faults=faults,
                        alloc_fails=draw(st.booleans()), placement=draw(st.sampled_from(PLACEMENTS)),
                        release=release)

    return build()


@dataclass
class ExploreResult:
    tried: int = 0
    failing: Scenario | None = None      # the shrunk scenario, if any failed
    problems: list[str] = field(default_factory=list)


def explore(check: Callable[[Scenario], list[str]], *, count: int, seed: int = 0,
            release: str = "4.16-4.17") -> ExploreResult:
    """Try `count` scenarios; return the minimal one for which `check` reports problems."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    result = ExploreResult()
    last_failure: dict = {}

    @hseed(seed)
    @settings(max_examples=count, database=None, deadline=None, derandomize=False,
              phases=(Phase.generate, Phase.shrink), suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(scenarios(release))
    def search(scenario):
        result.tried += 1
        problems = check(scenario)
        if problems:
            last_failure["scenario"] = scenario
            last_failure["problems"] = problems
            raise AssertionError("; ".join(problems))

    try:
        search()
    except AssertionError:
        # Hypothesis re-runs the minimal example last, so it is the one recorded.
        result.failing = last_failure.get("scenario")
        result.problems = last_failure.get("problems", [])
    return result

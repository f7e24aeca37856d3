"""Every rule: a true positive on its *_bad fixture, nothing on its *_good one."""

import pytest

from conftest import FIXTURES
from helpers import xenlint

RULES = FIXTURES / "rules"

# rule -> (fixture name, expected (file, line) hits on the bad fixture)
CASES = {
    "XL101": ("xl101", {("xl101_bad.c", 10), ("xl101_bad.c", 17), ("xl101_bad.c", 22)}),
    "XL102": ("xl102", {("xl102_bad.c", 10), ("xl102_bad.c", 21), ("xl102_bad.c", 27)}),
    "XL103": ("xl103", {("xl103_bad.c", 8), ("xl103_bad.c", 13), ("xl103_bad.c", 18),
                        ("xl103_bad.c", 25)}),
    "XL104": ("xl104", {("xl104_bad.c", 17)}),
    "XL105": ("xl105", {("time.c", 4), ("time.c", 5)}),
    "XL106": ("xl106", {("guest.c", 4), ("guest.c", 5)}),
    "XL107": ("xl107", {("xl107_bad.c", 5), ("xl107_bad.c", 6)}),
}


def _target(name: str, kind: str):
    single = RULES / f"{name}_{kind}.c"
    return single if single.exists() else RULES / f"{name}_{kind}"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_bad_fixture(rule):
    name, expected = CASES[rule]
    run = xenlint("check", str(_target(name, "bad")), "--select", rule, "--format", "json")
    got = {(path.rsplit("/", 1)[-1], line) for r, path, line in run.hits() if r == rule}
    assert got == expected
    assert run.code == (1 if rule != "XL106" else 0)  # XL106 is a warning


@pytest.mark.parametrize("rule", sorted(CASES))
def test_good_fixture_is_clean_for_every_rule(rule):
    name, _ = CASES[rule]
    run = xenlint("check", str(_target(name, "good")), "--format", "json")
    assert run.json()["findings"] == []
    assert run.code == 0


def test_warning_fails_only_when_asked():
    bad = str(_target("xl106", "bad"))
    assert xenlint("check", bad).code == 0
    assert xenlint("check", bad, "--fail-on", "warning").code == 1


def test_unknown_rule_in_select_is_an_input_error():
    run = xenlint("check", str(_target("xl101", "bad")), "--select", "XL999")
    assert run.code == 2
    assert "XL999" in run.err and "Traceback" not in run.err

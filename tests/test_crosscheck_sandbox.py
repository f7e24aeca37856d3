"""Hostile extracted code: stopped by the sandbox (XL270) or refused before it
is compiled (XL280); never a clean pass, never a way out, never host content
in a message."""

import json

import pytest

from analyzer.crosscheck.run import crosscheck_source
from tests.conftest import FIXTURES

MODEL = FIXTURES / "model"
BASE = (MODEL / "reference.c").read_text()
MUTANTS = {m["name"]: m for m in json.loads((MODEL / "mutants.json").read_text())}
DEFECT = MUTANTS["> for >= on the legacy bound"]  # I2: XL202
HOSTILE = json.loads((MODEL / "hostile.json").read_text())
ANCHOR = "    struct vcpu_register_vcpu_info info = { };\n    long rc;\n"
FUNCTION = "static int map_vcpuinfo(void)\n"
SECRET = "xenlint_host_secret_7f3a"


def test_enough_hostile_functions():
    assert len(HOSTILE) >= 25
    assert sum(case.get("base") == "defective" for case in HOSTILE) >= 4


@pytest.mark.parametrize("case", HOSTILE, ids=[h["name"] for h in HOSTILE])
def test_hostile_code_is_stopped_or_refused(case, tmp_path):
    marker = tmp_path / "escaped"
    host_file = tmp_path / "host.txt"
    host_file.write_text(f"{SECRET} = 1;\n")

    def fill(text: str) -> str:
        return text.replace("@MARKER@", str(marker)).replace("@HOSTFILE@", str(host_file))

    base = BASE if case.get("base") != "defective" else BASE.replace(DEFECT["find"], DEFECT["replace"])
    assert base.count(ANCHOR) == 1 and base.count(FUNCTION) == 1
    text = base.replace(ANCHOR, ANCHOR + "\n    " + fill(case["code"]) + "\n")
    if "helper" in case:
        text = text.replace(FUNCTION, fill(case["helper"]) + "\n" + FUNCTION)
    report = crosscheck_source(text, "hostile.c")
    rules = {f.rule_id for f in report.findings}
    held = [f for f in report.findings if f.rule_id in ("XL270", "XL280") and str(f.severity) == "error"]
    if case.get("base") == "defective":
        assert held or "XL202" in rules, sorted(rules)  # the defect is never erased
    else:
        assert held, sorted(rules)
    assert not marker.exists()
    for finding in report.findings:
        assert SECRET not in finding.message and SECRET not in json.dumps(finding.details)
    stopped = [f for f in held if f.rule_id == "XL270" and "scenario" in f.details]
    for finding in stopped:
        assert "--replay" in finding.details["replay"]


def test_a_refusal_names_the_construct_and_its_line():
    text = BASE.replace(ANCHOR, ANCHOR + "\n    write(0, \"x\", 1);\n")
    line = text.split("\n").index("    write(0, \"x\", 1);") + 1
    report = crosscheck_source(text, "hostile.c")
    (refusal,) = [f for f in report.findings if f.rule_id == "XL280"]
    assert refusal.line == line and "'write'" in refusal.message and "did not run" in refusal.message
    assert report.scenarios_run == 0

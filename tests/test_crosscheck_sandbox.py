"""Acceptance: hostile extracted code is stopped by the sandbox and reported as XL270."""

import json

import pytest

from analyzer.crosscheck.run import crosscheck_source
from tests.conftest import FIXTURES

MODEL = FIXTURES / "model"
BASE = (MODEL / "reference.c").read_text()
HOSTILE = json.loads((MODEL / "hostile.json").read_text())
ANCHOR = "    struct vcpu_register_vcpu_info info = { };\n    long rc;\n"


@pytest.mark.parametrize("case", HOSTILE, ids=[h["name"] for h in HOSTILE])
def test_hostile_code_is_stopped(case, tmp_path):
    marker = tmp_path / "escaped"
    code = case["code"].replace("@MARKER@", str(marker))
    assert BASE.count(ANCHOR) == 1
    report = crosscheck_source(BASE.replace(ANCHOR, ANCHOR + "\n    " + code + "\n"), "hostile.c")
    stopped = [f for f in report.findings if f.rule_id == "XL270"]
    assert stopped, [f.rule_id for f in report.findings]
    assert str(stopped[0].severity) == "error"
    assert stopped[0].details["reason"]
    assert "--replay" in stopped[0].details["replay"]
    assert not marker.exists()

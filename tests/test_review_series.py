"""xenlint review on a series: order, versions, cumulative apply, attribution, bad input."""

from __future__ import annotations


import pytest

from conftest import FIXTURES
from helpers import xenlint
from analyzer.inputs.thread import read_thread
from analyzer.series import assemble, review
from analyzer.inputs.trees import DiskTree
from analyzer.patchcheck import TreeContext

from helpers import static_rules

THREAD = FIXTURES / "threads" / "thread.mbox"
FOLDER = FIXTURES / "threads" / "format-patch"
TREE = FIXTURES / "tree-before"
XEN_C = "xen/arch/x86/guest/xen.c"


def _by_label(result):
    return {r.entry.label: r for r in result.reviews}


def _rules(r):
    return sorted(f.rule_id for f in r.findings)


def test_synthetic_thread_on_tree():
    series = assemble(read_thread(str(THREAD)))
    assert [e.label for e in series.patches] == ["1/5", "2/5", "v2 3/5", "4/5", "5/5"]
    assert any("3/5 v1" in n and "superseded by v2" in n for n in series.notes)
    kinds = sorted(s.rsplit(": ", 1)[1] for s in series.skipped)
    assert kinds == ["a reply, not a patch", "a reply, not a patch", "cover letter"]
    assert series.problems == []
    result = review(series, static_rules(), TreeContext(DiskTree([TREE], relative_to=TREE)))
    by = _by_label(result)
    assert by["1/5"].entry.mail.info.author == "Zoé Pérez <zoe@example.org>"  # the Latin-1 mail
    assert _rules(by["1/5"]) == [] and by["1/5"].applied
    assert _rules(by["2/5"]) == ["XL102", "XL103", "XL106"]
    assert all(f.path == XEN_C for f in by["2/5"].findings)
    assert _rules(by["v2 3/5"]) == []  # v1's XL101 is gone with v1
    four = by["4/5"]
    assert four.applied is False and four.failures
    assert four.failures[0].path == "xen/arch/x86/time.c" and "read_xen_timer" in four.failures[0].header
    five = by["5/5"]  # the base64 mail, still checked after 4/5 failed
    assert five.applied and _rules(five) == []
    assert [(f.rule_id, owner) for f, owner in five.fixes] == [("XL102", "2/5")]
    fixed = {f.rule_id: by["2/5"].fixed_by.get(f.fingerprint()) for f in by["2/5"].findings}
    assert fixed == {"XL102": "5/5", "XL103": None, "XL106": None}


def test_format_patch_folder_applies_every_patch_and_attributes_v1_defect():
    result = review(assemble(read_thread(str(FOLDER))), static_rules(), TreeContext(DiskTree([TREE], relative_to=TREE)))
    by = _by_label(result)
    assert list(by) == ["1/5", "2/5", "3/5", "4/5", "5/5"]
    assert all(r.applied for r in result.reviews)
    assert _rules(by["3/5"]) == ["XL101"]
    assert by["3/5"].findings[0].function == "init_evtchn"


def test_without_tree_each_patch_is_checked_on_its_hunks():
    result = review(assemble(read_thread(str(THREAD))), static_rules())
    by = _by_label(result)
    assert _rules(by["2/5"]) == ["XL102", "XL103", "XL106"]
    assert all(r.applied is None for r in result.reviews)


def test_seed_one_patch(seed_path):
    run = xenlint("review", str(seed_path), "--format", "json")
    assert run.code == 1
    doc = run.json()
    assert [p["label"] for p in doc["patches"]] == ["49/74"]
    patch = doc["patches"][0]
    assert patch["message_id"] == "20180104130625.28605-50-wei.liu2@citrix.com"
    assert {(f["rule"], f["line"]) for f in patch["findings"]} == {
        ("XL106", 42), ("XL102", 130), ("XL103", 241)}
    assert any("1-48, 50-74 of 74" in n for n in doc["notes"])


def test_text_summary_names_subject_author_and_message_id():
    run = xenlint("review", str(THREAD), "--tree", str(TREE))
    assert run.code == 1
    assert "2/5: [PATCH 2/5] x86/guest: register a vcpu_info area per vCPU" in run.out
    assert "Message-ID: <20251110090000.4242-2-ada@example.org>" in run.out
    assert "(fixed by 5/5)" in run.out
    assert "apply failed: xen/arch/x86/time.c: hunk #2" in run.out
    assert "the series goes on without it" in run.out
    assert "fixes xen/arch/x86/guest/xen.c:133: XL102 from 2/5" in run.out
    assert run.out.rstrip().endswith("1 patch did not apply")


def _messages(data: bytes) -> list[bytes]:
    return [b"From mboxrd@z" + part for part in data.split(b"From mboxrd@z")[1:]]


def test_bad_messages_are_named_and_the_rest_reviewed(tmp_path):
    parts = _messages(THREAD.read_bytes())
    # the 2/5 patch is message 7; cut it in the middle of a hunk
    two = parts[6]
    cut = two[: two.index(b"+    info.mfn") + 8]  # mid-line, mid-hunk
    headers_only = parts[2].split(b"\n\n", 1)[0] + b"\n"  # 5/5 without a body
    bad = tmp_path / "bad.mbox"
    bad.write_bytes(parts[4] + headers_only + b"\n" + parts[1] + cut)
    run = xenlint("review", str(bad), "--format", "json")
    assert run.code == 1
    doc = run.json()
    assert [p["label"] for p in doc["patches"]] == ["1/5", "3/5"]
    problems = doc["problems"]
    assert any("message 2" in p and "5/5" in p and "no body" in p for p in problems), problems
    assert any("message 4" in p and "2/5" in p and "cut short" in p for p in problems), problems
    assert any("ends in the middle of a line" in n for n in doc["notes"])


def test_only_replies_is_an_input_error(tmp_path):
    parts = _messages(THREAD.read_bytes())
    replies = tmp_path / "replies.mbox"
    replies.write_bytes(parts[3] + parts[8])
    run = xenlint("review", str(replies))
    assert run.code == 2
    assert "no patch in it" in run.err and "a reply, not a patch" in run.err


def test_terse_lines_from_stdin(seed_path, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_path.read_bytes())))
    run = xenlint("review", "--format", "terse", "-")
    lines = run.out.splitlines()
    assert lines == [l for l in lines if l.startswith("xen/arch/x86/guest/xen.c:")]
    assert [l.split(": ")[1] for l in lines] == ["WARNING", "ERROR", "ERROR"]
    assert run.code == 1


def test_model_cross_check_runs_on_patches_with_mapping_code(seed_path):
    import shutil

    if shutil.which("cc") is None:
        pytest.skip("no C compiler for the model cross-check")
    run = xenlint("review", str(seed_path), "--model", "--format", "json")
    (patch,) = run.json()["patches"]
    rules = {f["rule"] for f in patch["findings"]}
    assert {"XL102", "XL103", "XL106"} <= rules
    assert any(r.startswith("XL2") for r in rules)
    assert any("model cross-check (L0 " in n and " scenarios" in n for n in patch["notes"])

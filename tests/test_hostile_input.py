"""Hostile input: every result honest, every input bounded (each case a report reproduced).

Trees with special files, patches whose numbers are lies, files written to be
slow, mail headers written to break replies, a cache that cannot be used, and
the exit code of a crash.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from helpers import xenlint

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
RFC = FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-rfc.patch"
BEFORE = FIXTURES / "tree-before"


def one_line_error(run) -> bool:
    return "Traceback" not in run.err and len(run.err.strip().splitlines()) <= 1


@pytest.fixture
def odd_tree(tmp_path) -> Path:
    """tree-before plus a FIFO, a link to /dev/zero, links out of the tree,
    a dangling link, a looping link and a link to a folder outside."""
    tree = tmp_path / "tree"
    shutil.copytree(BEFORE, tree)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.c").write_text("unsigned long secret_outside_object[4];\n")
    guest = tree / "xen" / "arch" / "x86" / "guest"
    os.mkfifo(guest / "fifo.c")
    (guest / "zero.c").symlink_to("/dev/zero")
    (guest / "leak.c").symlink_to(outside / "secret.c")
    (guest / "dangling.c").symlink_to(tree / "no-such-file.c")
    (guest / "loop.c").symlink_to(guest / "loop.c")
    (guest / "away").symlink_to(outside)
    (guest / "inside.c").symlink_to(guest / "xen.c")  # stays inside: followed (once)
    return tree


def test_special_files_in_a_tree_are_skipped_with_a_note(odd_tree):
    start = time.monotonic()
    run = xenlint("check", str(odd_tree), "--format", "json", "--no-cache", "-v")
    assert time.monotonic() - start < 20
    assert run.code in (0, 1) and one_line_error(run), run.err
    doc = run.json()
    paths = {f["path"] for f in doc["findings"]}
    assert not any("secret" in p or "leak" in p or "away" in p for p in paths)
    notes = "\n".join(doc["notes"])
    for name in ("fifo.c", "zero.c", "leak.c", "dangling.c", "loop.c", "away"):
        assert name in notes, name
    assert "not a regular file" in notes and "dangling" in notes and "leading out" in notes
    text = xenlint("check", str(odd_tree), "--no-cache", "-v")
    assert "fifo.c" in text.out  # -v lists them


@pytest.mark.parametrize("command", ["check-patch", "review"])
def test_patches_against_a_tree_with_special_files(odd_tree, command):
    start = time.monotonic()
    run = xenlint(command, str(RFC), "--tree", str(odd_tree), "--format", "json")
    assert time.monotonic() - start < 20
    assert run.code == 1 and one_line_error(run), run.err


@pytest.mark.parametrize("path", ["../outside/x.c", "xen/../../outside/x.c", "/etc/x.c"])
def test_a_patch_path_out_of_the_tree_is_refused_by_name(tmp_path, path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.c").write_text("int a;\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "x.c").write_text("int a;\n")
    patch = tmp_path / "p.diff"
    patch.write_text(f"--- a/{path}\n+++ b/{path}\n@@ -1 +1,2 @@\n int a;\n+unsigned long lonely[4];\n")
    run = xenlint("check-patch", str(patch), "--tree", str(tree), "--format", "json")
    assert run.code == 1 and one_line_error(run)
    problems = run.json()["problems"]
    assert problems and ("climbs out" in problems[0] or "absolute" in problems[0])
    assert run.json()["findings"] == []


def big_hunk_patch(tmp_path) -> Path:
    patch = tmp_path / "big.patch"
    patch.write_text("diff --git a/xen/a.c b/xen/a.c\n--- a/xen/a.c\n+++ b/xen/a.c\n"
                     "@@ -99999999,1 +99999999,2 @@\n int x;\n+int y;\n"
                     "@@ -1,1 +1,2 @@\n int z;\n+unsigned long lonely_map[4];\n")
    return patch


@pytest.mark.parametrize("command, tree", [("check-patch", False), ("check-patch", True),
                                           ("review", False), ("review", True)])
def test_a_hunk_header_number_costs_nothing(tmp_path, command, tree):
    """A 6-line patch said to start at line 99,999,999 took 27 s and 1.8 GB."""
    patch = big_hunk_patch(tmp_path)
    args = [command, str(patch), "--format", "json"]
    if tree:
        (tmp_path / "t" / "xen").mkdir(parents=True)
        (tmp_path / "t" / "xen" / "a.c").write_text("int z;\nint x;\n")
        args += ["--tree", str(tmp_path / "t")]
    start = time.monotonic()
    run = xenlint(*args)
    assert time.monotonic() - start < 5
    assert run.code == 1 and one_line_error(run), run.err
    assert "hunk #1" in run.out and "1,000,000" in run.out
    if command == "check-patch":  # the rest is still checked
        assert [f["rule"] for f in run.json()["findings"]] == ["XL106"]


def test_files_written_to_be_slow_are_over_budget_not_silent(tmp_path):
    (tmp_path / "flat.c").write_text("int vcpu_info_x = " + "+".join(["1"] * 1_200_000) + ";\n")
    (tmp_path / "deep.c").write_text(
        "void f(void) { struct vcpu_info *v;\n" + "if (x) {\n" * 40000
        + "v = &XEN_shared_info->vcpu_info[1];\n" + "}\n" * 40000 + "}\n")
    start = time.monotonic()
    run = xenlint("check", str(tmp_path), "--no-cache", "--format", "json")
    assert time.monotonic() - start < 10
    doc = run.json()
    assert run.code == 1
    assert any("flat.c: not checked in full" in p and "MiB" in p for p in doc["problems"])
    assert doc["summary"]["parsed"]["over_budget_files"] == 1
    text = xenlint("check", str(tmp_path), "--no-cache")
    assert "1 problem" in text.out.splitlines()[-1]


def test_an_analysis_past_its_time_is_stopped_and_reported(tmp_path, monkeypatch):
    from analyzer import gather
    from analyzer.frontend import layers

    real = layers.file_facts

    def slow(path, text, *args, **kwargs):
        if path.endswith("slow.c"):
            time.sleep(5)
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(layers, "file_facts", slow)
    monkeypatch.setattr(gather, "FILE_SECONDS", 0.2)
    (tmp_path / "slow.c").write_text("unsigned long lonely[4];\n")
    (tmp_path / "fine.c").write_text("unsigned long another_lonely[4];\n")
    run = xenlint("check", str(tmp_path), "--no-cache", "--format", "json")
    doc = run.json()
    assert run.code == 1
    assert [Path(f["path"]).name for f in doc["findings"]] == ["fine.c"]
    assert any("slow.c: not checked in full: its analysis took more than" in p for p in doc["problems"])


def crlf_patch(tmp_path) -> Path:
    text = RFC.read_text().replace(
        "From: Ada Example <ada@example.org>",
        "From: =?utf-8?q?Ada=0D=0ABcc=3A_victim=40example=2Eorg?= <ada@example.org>")
    text = text.replace("Subject: [PATCH RFC 1/1]", "Subject: =?utf-8?q?=5BPATCH_RFC_1/1=5D=0D=0AX-Evil=3A_1?=")
    path = tmp_path / "crlf.patch"
    path.write_text(text)
    return path


def test_an_encoded_cr_lf_in_a_header_breaks_nothing(tmp_path):
    import email
    import email.policy

    patch = crlf_patch(tmp_path)
    assert xenlint("check-patch", str(patch), "--tree", str(BEFORE)).code == 1
    run = xenlint("review", str(patch), "--tree", str(BEFORE))
    assert run.code == 1 and one_line_error(run), run.err
    reply = xenlint("review", str(patch), "--tree", str(BEFORE), "--format", "reply", "--from", "Me <me@example.org>")
    assert reply.code == 1, reply.err
    draft = email.message_from_string(reply.out.split("\n", 1)[1], policy=email.policy.default)
    assert "Bcc" not in draft.keys() and "X-Evil" not in draft.keys()
    assert [a.addr_spec for a in draft["To"].addresses] == ["ada@example.org"]


def test_a_crash_is_exit_3_in_one_line_whatever_fail_on(monkeypatch):
    from analyzer import checker

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(checker, "run_rules", broken)
    for extra in ([], ["--fail-on", "never"]):
        run = xenlint("check", str(FIXTURES / "rules" / "xl101_bad.c"), "--no-cache", *extra)
        assert run.code == 3
        assert run.err.startswith("xenlint: internal error in 'check'") and "KeyError" in run.err
        assert one_line_error(run) and "xl101_bad.c" in run.err
    with pytest.raises(KeyError):
        xenlint("--debug", "check", str(FIXTURES / "rules" / "xl101_bad.c"), "--no-cache")


# The compile step and the harness cache ------------------------------------------------------

def model_of(text: str):
    from analyzer.crosscheck.run import crosscheck_source

    return crosscheck_source(text, "x.c")


REFERENCE = (FIXTURES / "model" / "reference.c").read_text()


def test_a_compiler_writing_invalid_utf8_is_a_finding_not_a_crash(tmp_path, monkeypatch):
    cc = tmp_path / "cc"
    cc.write_text("#!/bin/sh\nprintf 'error: \\377\\376 broken\\n' >&2\nexit 1\n")
    cc.chmod(0o755)
    monkeypatch.setenv("CC", str(cc))
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(tmp_path / "cache"))
    report = model_of(REFERENCE)
    (finding,) = [f for f in report.findings if f.rule_id == "XL280"]
    assert "does not compile" in finding.message and "\ufffd" in finding.message


def test_a_cache_folder_that_is_not_a_folder_means_building_elsewhere(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would go\n")
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(blocker))
    report = model_of(REFERENCE)
    assert report.scenarios_run > 50
    assert not {f.rule_id for f in report.findings} & {"XL270", "XL280"}
    assert any("cannot be written" in note for note in report.notes)
    run = xenlint("check", str(FIXTURES / "rules" / "xl101_bad.c"), "-v")  # the facts cache too
    assert run.code == 1 and one_line_error(run)
    assert "cannot be written" in run.out and "running without a cache" in run.out


def test_a_truncated_cached_harness_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(tmp_path / "cache"))
    first = model_of(REFERENCE)
    (binary,) = [p for p in (tmp_path / "cache" / "harness").rglob("harness") if p.is_file()]
    binary.write_bytes(binary.read_bytes()[:1000])
    again = model_of(REFERENCE)
    assert not {f.rule_id for f in again.findings} & {"XL270", "XL280"}
    assert again.scenarios_run == first.scenarios_run
    assert [f.fingerprint() for f in again.findings] == [f.fingerprint() for f in first.findings]


def test_a_mapping_function_of_fifty_thousand_lines_is_refused_quickly():
    body = "    this_cpu(vcpu_id) = 0;\n" * 50_000
    text = REFERENCE.replace("    unsigned int vcpu = this_cpu(vcpu_id);\n",
                             "    unsigned int vcpu = this_cpu(vcpu_id);\n" + body, 1)
    start = time.monotonic()
    report = model_of(text)
    assert time.monotonic() - start < 10
    (refusal,) = [f for f in report.findings if f.rule_id == "XL280"]
    assert "lines" in refusal.message and report.scenarios_run == 0

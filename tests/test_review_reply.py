"""Reply drafts: real RFC 5322 messages in an mbox, interleaved quoting of the patch."""

from __future__ import annotations

import email
import email.policy
import mailbox

import pytest

from conftest import FIXTURES
from helpers import xenlint

THREAD = FIXTURES / "threads" / "thread.mbox"
TREE = FIXTURES / "tree-before"
ME = "Rev Iewer <rev@example.com>"
SEED_ID = "20180104130625.28605-50-wei.liu2@citrix.com"


def _drafts(path) -> list[email.message.EmailMessage]:
    box = mailbox.mbox(str(path), factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default))
    return list(box)


def _quoted(body: str) -> list[str]:
    return [line[2:] if line.startswith("> ") else line[1:] for line in body.splitlines()
            if line.startswith(">")]


def _patch_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]


def _assert_quotes_follow_patch(quoted: list[str], patch_text: str) -> None:
    """Every quoted line is a line of the patch, in the patch's order."""
    lines = _patch_lines(patch_text)
    at = 0
    for q in quoted:
        q = q.rstrip()
        try:
            at = lines.index(q, at) + 1
        except ValueError:
            pytest.fail(f"quoted line not in the patch (in order): {q!r}")


def test_seed_reply_draft(seed_path, tmp_path):
    out = tmp_path / "drafts.mbox"
    run = xenlint("review", str(seed_path), "--format", "reply", "--from", ME, "--output", str(out))
    assert run.code == 1 and run.out == ""
    (msg,) = _drafts(out)
    assert msg["From"] == ME
    assert msg["To"] == "Wei Liu <wei.liu2@citrix.com>"
    assert msg["Cc"] == "Xen-devel <xen-devel@lists.xenproject.org>"
    assert msg["Subject"] == "Re: [PATCH RFC v1 49/74] x86/guest: map per-cpu vcpu_info area."
    assert msg["In-Reply-To"] == f"<{SEED_ID}>"
    assert msg["References"].split()[-1] == f"<{SEED_ID}>"
    assert msg["Date"] and msg["Message-ID"]
    assert not msg.defects
    body = msg.get_content()
    lines = body.splitlines()
    assert lines[0].endswith("wrote:") and lines[1].startswith("> ")  # no top-posting
    quoted = _quoted(body)
    _assert_quotes_follow_patch(quoted, seed_path.read_text())
    # the offending lines of map_vcpuinfo() and hypervisor_ap_setup(), each followed by its finding
    fallback = "+        this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[vcpu];"
    assert fallback in quoted
    assert " void hypervisor_ap_setup(void)" in quoted and "+    map_vcpuinfo();" in quoted
    after = body.split("> " + fallback, 1)[1]
    assert after.lstrip("\n").startswith("xenlint XL102 (error in map_vcpuinfo())")
    after = body.split("> +    map_vcpuinfo();", 1)[1]
    assert after.lstrip("\n").startswith("xenlint XL103 (error in hypervisor_ap_setup())")
    # only the lines around findings are quoted, not the whole patch
    assert len(quoted) < 25


def test_thread_reply_drafts(tmp_path):
    run = xenlint("review", str(THREAD), "--tree", str(TREE), "--format", "reply", "--from", ME)
    assert run.code == 1
    out = tmp_path / "drafts.mbox"
    out.write_text(run.out)
    drafts = _drafts(out)
    subjects = [d["Subject"] for d in drafts]
    assert subjects == ["Re: [PATCH 2/5] x86/guest: register a vcpu_info area per vCPU",
                        "Re: [PATCH 4/5] x86/time: read the Xen clock through the per-CPU vcpu_info"]
    two, four = drafts
    assert two["In-Reply-To"] == "<20251110090000.4242-2-ada@example.org>"
    assert two["References"] == ("<20251110090000.4242-0-ada@example.org> "
                                 "<20251110090000.4242-2-ada@example.org>")
    assert two["To"] == "Ada Example <ada@example.org>" and two["Cc"] == "xen-devel@lists.example.org"
    body = two.get_content()
    patch_two = (FIXTURES / "threads" / "format-patch" /
                 "0002-x86-guest-register-a-vcpu_info-area-per-vCPU.patch").read_text()
    _assert_quotes_follow_patch(_quoted(body), patch_two)
    assert "Patch 5/5 of this series fixes this" in body
    assert "+    register_vcpu_info_area();" in _quoted(body)
    assert "This hunk does not apply to my tree" in four.get_content()


def test_drafts_without_a_sender_are_refused(tmp_path, monkeypatch, seed_path):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    run = xenlint("review", str(seed_path), "--format", "reply")
    assert run.code == 2 and "--from" in run.err


def test_sender_from_git_config(tmp_path, monkeypatch, seed_path):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Git User\n\temail = git@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    run = xenlint("review", str(seed_path), "--format", "reply")
    msg = email.message_from_string(run.out.split("\n", 1)[1], policy=email.policy.default)
    assert msg["From"] == "Git User <git@example.com>"

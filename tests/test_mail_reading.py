"""One mail and one thread: subjects, encodings, mbox splitting, folders, pages."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from conftest import FIXTURES
from analyzer.errors import InputError
from analyzer.inputs.mail import message_text, parse_subject
from analyzer.inputs.patchset import patch_from_message, read_patch
from analyzer.inputs.thread import read_thread, split_mbox

THREAD = FIXTURES / "threads" / "thread.mbox"
FOLDER = FIXTURES / "threads" / "format-patch"
DIFF = ("--- a/xen/x.c\n+++ b/xen/x.c\n@@ -1,2 +1,3 @@\n int a;\n+int b;\n int c;\n")


@pytest.mark.parametrize("subject, reply, patch, version, number, total, title", [
    ("[PATCH RFC v1 49/74] x86/guest: map per-cpu vcpu_info area.", False, True, 1, 49, 74,
     "x86/guest: map per-cpu vcpu_info area."),
    ("Re: [PATCH v2 3/5] x86: y", True, True, 2, 3, 5, "x86: y"),
    ("RE: Aw: [PATCH 0/5] cover", True, True, 1, 0, 5, "cover"),
    ("[Xen-devel] [RFC PATCH for-4.18 v3 02/10] z", False, True, 3, 2, 10, "z"),
    ("[PATCH] lone", False, True, 1, None, None, "lone"),
    ("plain mail", False, False, 1, None, None, "plain mail"),
])
def test_parse_subject(subject, reply, patch, version, number, total, title):
    tags = parse_subject(subject)
    assert (tags.is_reply, tags.is_patch, tags.version, tags.number, tags.total, tags.title) == \
        (reply, patch, version, number, total, title)
    assert tags.is_cover_letter == (number == 0)


def _mail(body: str, **content) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "A <a@example.org>"
    msg["Subject"] = "[PATCH] t"
    msg["Message-ID"] = "<m1@example.org>"
    msg.set_content(body, **content)
    return email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)


@pytest.mark.parametrize("content", [
    {"cte": "quoted-printable"}, {"cte": "base64"}, {"charset": "iso-8859-1", "cte": "8bit"},
    {"charset": "iso-8859-1", "cte": "quoted-printable"}])
def test_encodings_are_undone(content):
    body = "Signed-off-by: Zoé <z@example.org>\n---\n" + DIFF
    msg = _mail(body, **content)
    assert "Zoé" in message_text(msg, "m")
    patch = patch_from_message(msg, "m")
    assert patch.message_id == "m1@example.org"
    assert [pf.path for pf in patch.files] == ["xen/x.c"]


def test_patch_as_attachment():
    msg = EmailMessage()
    msg["Subject"] = "[PATCH] attached"
    msg.set_content("See the attachment.\n")
    msg.add_attachment(DIFF.encode(), maintype="text", subtype="x-patch", filename="fix.patch")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert [pf.path for pf in patch_from_message(parsed, "m").files] == ["xen/x.c"]


def test_base64_label_kept_on_decoded_text():
    # b4 pipes patches decoded but still labelled base64; the text is used as is.
    raw = (b"From: A <a@example.org>\nSubject: [PATCH] t\nContent-Type: text/plain; charset=utf-8\n"
           b"Content-Transfer-Encoding: base64\n\n---\n" + DIFF.encode())
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert "+int b;" in message_text(msg, "m")


def test_undeclared_non_utf8_body_is_an_input_error():
    raw = b"From: A <a@example.org>\nSubject: [PATCH] t\n\nZo\xe9\n---\n" + DIFF.encode()
    with pytest.raises(InputError, match="not UTF-8"):
        message_text(email.message_from_bytes(raw, policy=email.policy.default), "m")


def test_split_mbox_unquotes_mboxrd_and_keeps_from_lines_in_bodies():
    data = (b"From x@z Thu Jan  1 00:00:00 1970\nSubject: one\n\nbody\n>From the start\n"
            b"From here on, text\n\n"
            b"From x@z Thu Jan  1 00:00:00 1970\nSubject: two\n\nbody two\n")
    chunks = split_mbox(data)
    assert len(chunks) == 2
    assert b"From the start" in chunks[0] and b"From here on, text" in chunks[0]


def test_read_thread_mbox():
    thread = read_thread(str(THREAD))
    assert len(thread.mails) == 9
    assert all(m.error is None for m in thread.mails)
    latin1 = [m for m in thread.mails if m.info.subject and m.info.subject.startswith("[PATCH 1/5]")][0]
    assert latin1.info.author == "Zoé Pérez <zoe@example.org>"
    assert "Pérez-style" in latin1.text


def test_read_thread_folder_and_single_page(seed_path):
    folder = read_thread(str(FOLDER))
    assert [parse_subject(m.info.subject).number for m in folder.mails] == [0, 1, 2, 3, 4, 5]
    page = read_thread(str(seed_path))
    assert len(page.mails) == 1 and page.mails[0].message is None


def test_read_patch_refuses_mbox_and_keeps_single_mail_behaviour():
    with pytest.raises(InputError, match="use 'xenlint review'"):
        read_patch(THREAD)
    patch = read_patch(FOLDER / "0002-x86-guest-register-a-vcpu_info-area-per-vCPU.patch")
    assert patch.subject == "[PATCH 2/5] x86/guest: register a vcpu_info area per vCPU"

"""Read one patch: a plain diff, a git format-patch file, a mail, an archive page.

The result is a Patch: the mail's identity (subject, author, Message-ID) and
a unidiff PatchSet, unidiff's small data model (PatchSet > PatchedFile >
Hunk > Line), which the rest of xenlint uses as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from analyzer.errors import InputError

from .diffscan import DiffScanError, scan_diff
from .mail import (MailInfo, is_mbox, looks_like_mail, message_info, message_text, page_info,
                   split_mbox)
from .sources import read_input, read_stream

if TYPE_CHECKING:  # a plain diff (git's, a file) never loads the email package
    from email.message import Message


@dataclass
class Patch:
    name: str
    patchset: PatchSet
    subject: str | None = None
    author: str | None = None
    message_id: str | None = None
    date: str | None = None
    diff_first_line: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def files(self):
        return [f for f in self.patchset if not f.is_binary_file]


def _single_message(data: bytes, name: str) -> Message:
    if is_mbox(data) and len(split_mbox(data)) > 1:
        raise InputError(name, "is an mbox with several messages; use 'xenlint review'")
    import email
    import email.policy

    return email.message_from_bytes(data, policy=email.policy.default)


def patch_from_text(text: str, name: str, info: MailInfo | None = None) -> Patch:
    """The Patch inside ``text``; without ``info``, identity comes from page headers."""
    try:
        scanned = scan_diff(text, name)
    except DiffScanError as exc:
        raise InputError(name, str(exc)) from None
    try:
        patchset = PatchSet(scanned.text)
    except UnidiffParseError as exc:
        raise InputError(name, f"diff does not parse: {exc}") from None
    if info is None:
        info = page_info(text, scanned.first_line)
    return Patch(
        name=name, patchset=patchset, subject=info.subject,
        author=info.author, message_id=info.message_id, date=info.date,
        diff_first_line=scanned.first_line, notes=scanned.notes)


def patch_from_message(msg: Message, name: str) -> Patch:
    """The Patch a mail carries (inline, quoted-printable, base64 or attached)."""
    return patch_from_text(message_text(msg, name), name, message_info(msg))


def parse_patch_bytes(data: bytes, name: str) -> Patch:
    if not data.strip():
        raise InputError(name, "empty input, no patch")
    if b"\0" in data[:65536]:
        raise InputError(name, "binary data, not a patch or mail")
    if looks_like_mail(data):
        return patch_from_message(_single_message(data, name), name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                               f"{exc.start}) and no mail header declares a charset") from None
    return patch_from_text(text, name)


def read_patch(source: str | Path, stdin=None) -> Patch:
    """Read a patch from a path, or from ``stdin`` (bytes stream) when source is '-'."""
    if str(source) == "-":
        return parse_patch_bytes(read_stream(stdin), "<stdin>")
    path = Path(source)
    return parse_patch_bytes(read_input(path, "is a directory, not a patch"), str(path))

"""Read one patch: a plain diff, a git format-patch file, a mail, an archive page.

The result is a Patch: the mail's identity (subject, author, Message-ID) and
a unidiff PatchSet, unidiff's small data model (PatchSet > PatchedFile >
Hunk > Line), which the rest of xenlint uses as is.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from pathlib import Path

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from analyzer.errors import InputError

from .diffscan import DiffScanError, scan_diff

_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")
_PAGE_HEADER = re.compile(r"^(Subject|From|Message-I[Dd]|Date): (.*?)(?:\s+\((raw)\))?\s*$", re.M)


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


def _looks_like_mail(data: bytes) -> bool:
    head = data[:4096].decode("latin-1").split("\n")
    if head and head[0].startswith("From "):
        return True
    headers = 0
    for line in head[:30]:
        if not line.strip():
            break
        if _HEADER_LINE.match(line):
            headers += 1
        elif not line[:1].isspace():
            return False
    return headers >= 2 and any(l.lower().startswith(("subject:", "from:")) for l in head[:30])


def _mail_body(data: bytes, name: str) -> tuple[str, dict]:
    if data.count(b"\nFrom ") + data.startswith(b"From ") > 1 and re.search(
            rb"^From \S+ +\w{3} \w{3} ", data[1:], re.M):
        raise InputError(name, "is an mbox with several messages; use 'xenlint review'")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    headers = {k: str(msg.get(k, "")).strip() or None for k in ("Subject", "From", "Message-ID", "Date")}
    part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
    texts = []
    for candidate in ([part] if part is not None else []) + [
            p for p in msg.walk() if p is not part and not p.is_multipart()
            and (p.get_content_type() in ("text/x-patch", "text/x-diff", "text/plain")
                 or (p.get_filename() or "").endswith((".patch", ".diff")))]:
        payload = candidate.get_payload(decode=True) or b""
        charset = candidate.get_content_charset()
        if charset is None:
            try:
                texts.append(payload.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InputError(name, f"mail body is not UTF-8 (byte 0x{payload[exc.start]:02x} "
                                       f"at offset {exc.start}) and declares no charset") from None
        else:
            try:
                texts.append(payload.decode(charset))
            except (LookupError, UnicodeDecodeError):
                raise InputError(name, f"mail body does not decode as its declared charset {charset}") from None
    if not texts:
        raise InputError(name, "mail has no text body")
    return "\n".join(texts), headers


def _page_headers(text: str, before_line: int) -> dict:
    head = "\n".join(text.split("\n")[: max(before_line - 1, 0)])
    found: dict = {}
    for m in _PAGE_HEADER.finditer(head):
        key = {"Message-Id": "Message-ID", "Message-ID": "Message-ID"}.get(m.group(1), m.group(1))
        found.setdefault(key, m.group(2).strip())
    return found


def parse_patch_bytes(data: bytes, name: str) -> Patch:
    if not data.strip():
        raise InputError(name, "empty input, no patch")
    if b"\0" in data[:65536]:
        raise InputError(name, "binary data, not a patch or mail")
    if _looks_like_mail(data):
        text, headers = _mail_body(data, name)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(name, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                                   f"{exc.start}) and no mail header declares a charset") from None
        headers = None
    try:
        scanned = scan_diff(text, name)
    except DiffScanError as exc:
        raise InputError(name, str(exc)) from None
    try:
        patchset = PatchSet(scanned.text)
    except UnidiffParseError as exc:
        raise InputError(name, f"diff does not parse: {exc}") from None
    if headers is None:
        headers = _page_headers(text, scanned.first_line)
    message_id = headers.get("Message-ID")
    if message_id:
        message_id = message_id.strip().strip("<>")
    return Patch(
        name=name, patchset=patchset, subject=headers.get("Subject"),
        author=headers.get("From"), message_id=message_id, date=headers.get("Date"),
        diff_first_line=scanned.first_line, notes=scanned.notes)


def read_patch(source: str | Path, stdin=None) -> Patch:
    """Read a patch from a path, or from ``stdin`` (bytes stream) when source is '-'."""
    if str(source) == "-":
        data = (stdin.read() if stdin is not None else b"")
        return parse_patch_bytes(data, "<stdin>")
    path = Path(source)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a patch") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    return parse_patch_bytes(data, str(path))

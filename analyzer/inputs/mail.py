"""One mail: its identity, its decoded text, and what its subject says.

Works on ``email.message.Message`` objects (one mail, one mbox entry, one
format-patch file) and on archive pages, whose headers are lines of text
above the message.  Knows nothing about diffs: finding the patch inside the
text is diffscan's job, turning it into a Patch is patchset's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzer.errors import InputError

if TYPE_CHECKING:  # the email package loads only for a mail
    from email.message import Message

_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*: ")
# Header lines an archive page (public-inbox style) shows above the message,
# with its decorations: "(raw)" after the Message-ID, "[thread overview]" after the Date.
_PAGE_HEADER = re.compile(
    r"^(Subject|From|To|Cc|Message-I[Dd]|In-Reply-To|References|Date):[ \t]+(.*?)"
    r"(?:\s+\((?:raw)\))?(?:\s+\[thread overview\])?\s*$", re.M)
_PAGE_KEYS = {"message-id": "message_id", "in-reply-to": "in_reply_to"}  # lower-cased header -> field

# "[PATCH RFC v3 02/10]", "[RFC PATCH for-4.18 v2 3/5]", "[PATCH]", "[XEN PATCH v2]".
_TAG_BLOCK = re.compile(r"^\s*\[([^\]]*)\]\s*")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|fwd?)\s*(\[\d+\])?\s*:\s*)+", re.I)
_NUMBER = re.compile(r"^(\d+)/(\d+)$")
_VERSION = re.compile(r"^v(\d+)$", re.I)
_MSGID = re.compile(r"<([^<>\s]+)>")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=\s]")
# An mbox "From_" line: format-patch's "From <sha> Mon Sep 17 00:00:00 2001",
# b4's "From git@z Thu Jan  1 00:00:00 1970", an archive's "From mboxrd@z ...".
_FROM_LINE = re.compile(rb"^From \S+ +\w{3} \w{3} +\d{1,2} \d{1,2}:\d\d(:\d\d)? .*\d{4}\s*$")
_MBOXRD_QUOTED = re.compile(rb"^>(>*From )", re.M)


def bare_message_id(value: str | None) -> str | None:
    """``<id@host>`` -> ``id@host``; None when there is no id."""
    if not value:
        return None
    found = _MSGID.search(value)
    text = found.group(1) if found else value.strip().strip("<>")
    return text or None


def message_ids(value: str | None) -> list[str]:
    """Every ``<id>`` in a References or In-Reply-To value, in order."""
    return _MSGID.findall(value or "")


@dataclass
class MailInfo:
    """A mail's identity and addressing, as a reply needs them."""

    subject: str | None = None
    author: str | None = None  # the From header, display form
    message_id: str | None = None  # without <>
    date: str | None = None
    to: list[str] = field(default_factory=list)  # display forms ("Name <addr>")
    cc: list[str] = field(default_factory=list)
    in_reply_to: str | None = None  # without <>
    references: list[str] = field(default_factory=list)  # without <>, oldest first


@dataclass
class SubjectTags:
    """What a list subject says about the mail: ``Re: [PATCH RFC v2 3/5] title``."""

    title: str
    is_reply: bool = False
    is_patch: bool = False  # a [... PATCH ...] tag is present
    version: int = 1
    number: int | None = None
    total: int | None = None
    prefixes: list[str] = field(default_factory=list)  # RFC, for-4.18, XEN, ...

    @property
    def is_cover_letter(self) -> bool:
        return self.is_patch and self.number == 0


def parse_subject(subject: str | None) -> SubjectTags:
    text = " ".join((subject or "").split())
    reply = _REPLY_PREFIX.match(text)
    if reply:
        text = text[reply.end():]
    tags = SubjectTags(title=text, is_reply=bool(reply))
    while True:
        block = _TAG_BLOCK.match(text)
        if not block:
            break
        text = text[block.end():]
        words = block.group(1).replace(",", " ").split()
        if not any(w.upper() == "PATCH" for w in words):
            tags.prefixes.extend(words)  # a list tag such as [Xen-devel]
            continue
        tags.is_patch = True
        for word in words:
            if word.upper() == "PATCH":
                continue
            number, version = _NUMBER.match(word), _VERSION.match(word)
            if number:
                tags.number, tags.total = int(number.group(1)), int(number.group(2))
            elif version:
                tags.version = int(version.group(1))
            else:
                tags.prefixes.append(word)
    tags.title = text.strip()
    return tags


def looks_like_mail(data: bytes) -> bool:
    """Does ``data`` start with mail headers (or an mbox "From " line)?"""
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


def _addresses(values: list[str]) -> list[str]:
    """Display forms ("Name <addr>", the name quoted where it must be) of the
    addresses in header values, raw or decoded."""
    from email.utils import getaddresses

    out = []
    for name, addr in getaddresses([str(v) for v in values if v]):
        if addr and not _CONTROL.search(addr):
            name = _decoded(name)
            if name and _SPECIALS.search(name):
                name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            out.append(f"{name} <{addr}>" if name else addr)
    return out


# Characters a display name must be quoted for (RFC 5322 "specials").
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


def _decoded(raw: str) -> str:
    """An RFC 2047 value decoded and flattened to one line (raw 8-bit bytes,
    which the email package keeps as surrogates, read as UTF-8 or Latin-1)."""
    from email.header import decode_header, make_header

    if any("\udc80" <= c <= "\udcff" for c in raw):
        data = raw.encode("utf-8", "surrogateescape")
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            raw = data.decode("latin-1")
    try:
        text = str(make_header(decode_header(raw)))
    except (ValueError, LookupError, UnicodeError, TypeError):
        text = raw
    return " ".join(_CONTROL.sub(" ", text).split())


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _header_values(msg: Message, name: str, decode: bool = True) -> list[str]:
    """Every ``name`` header of ``msg`` as written (raw) or decoded and
    flattened to one line, read without the email package's parser: a header
    a stranger wrote may hold an encoded CR or LF, which that parser refuses
    (and a reply must never carry)."""
    return [_decoded(str(raw)) if decode else str(raw)
            for key, raw in msg.raw_items() if key.lower() == name.lower()]


def message_info(msg: Message) -> MailInfo:
    def header(name: str) -> str | None:
        values = _header_values(msg, name)
        return values[0] or None if values else None

    references = message_ids(header("References"))
    authors = _addresses(_header_values(msg, "From", decode=False))
    return MailInfo(
        subject=header("Subject"), author=authors[0] if authors else header("From"),
        message_id=bare_message_id(header("Message-ID")), date=header("Date"),
        to=_addresses(_header_values(msg, "To", decode=False)),
        cc=_addresses(_header_values(msg, "Cc", decode=False)),
        in_reply_to=bare_message_id(header("In-Reply-To")), references=references)


def page_info(text: str, before_line: int | None = None) -> MailInfo:
    """Headers an archive page shows as text above line ``before_line`` (1-based)."""
    lines = text.split("\n")
    head = "\n".join(lines[: max(before_line - 1, 0)] if before_line else lines)
    found: dict[str, str] = {}
    for m in _PAGE_HEADER.finditer(head):
        key = m.group(1).lower()
        found.setdefault(_PAGE_KEYS.get(key, key), m.group(2).strip())
    return MailInfo(
        subject=found.get("subject"), author=found.get("from"),
        message_id=bare_message_id(found.get("message_id")), date=found.get("date"),
        to=_addresses([found["to"]]) if "to" in found else [],
        cc=_addresses([found["cc"]]) if "cc" in found else [],
        in_reply_to=bare_message_id(found.get("in_reply_to")),
        references=message_ids(found.get("references")))


def _decode(payload: bytes, charset: str | None, name: str) -> str:
    if charset is None:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(name, f"mail body is not UTF-8 (byte 0x{payload[exc.start]:02x} "
                                   f"at offset {exc.start}) and declares no charset") from None
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        raise InputError(name, f"mail body does not decode as its declared charset {charset}") from None


def _payload(part: Message) -> bytes:
    """A part's bytes with its transfer encoding undone.

    A part still labelled base64 whose text is plainly not base64 was decoded
    already by a tool that kept the old header (b4 pipes patches so); its
    text is taken as it is rather than decoded into garbage.
    """
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        raw = part.get_payload(decode=False)
        if isinstance(raw, str) and _NOT_BASE64.search(raw):
            return raw.encode("utf-8", "surrogateescape")
    return part.get_payload(decode=True) or b""


def message_text(msg: Message, name: str) -> str:
    """The decoded text of a mail: the plain body, then any patch attachments.

    Transfer encodings (quoted-printable, base64) and declared charsets are
    undone; a diff sent as a ``text/x-patch`` or ``*.patch`` attachment is
    part of the text, so the diff scanner finds it like an inline one.
    """
    part = msg.get_body(preferencelist=("plain",)) if msg.is_multipart() else msg
    candidates = [part] if part is not None else []
    candidates += [p for p in msg.walk() if p is not part and not p.is_multipart()
                   and (p.get_content_type() in ("text/x-patch", "text/x-diff", "text/plain")
                        or (p.get_filename() or "").endswith((".patch", ".diff")))]
    texts = [_decode(_payload(c), c.get_content_charset(), name) for c in candidates]
    if not texts:
        raise InputError(name, "mail has no text body")
    return "\n".join(texts)


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox (mboxo or mboxrd), split at From_ lines."""
    lines = data.splitlines(keepends=True)
    chunks: list[list[bytes]] = []
    previous_blank = True
    for line in lines:
        if previous_blank and _FROM_LINE.match(line):
            chunks.append([])
        elif chunks:
            chunks[-1].append(line)
        previous_blank = not line.strip()
    return [_MBOXRD_QUOTED.sub(rb"\1", b"".join(chunk)) for chunk in chunks]


def is_mbox(data: bytes) -> bool:
    return bool(_FROM_LINE.match(data.split(b"\n", 1)[0]))

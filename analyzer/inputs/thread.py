"""Read a review source into mails: an mbox, b4's .mbx, a format-patch folder, a page.

Every message becomes a Mail with its identity and decoded text, or with the
reason its text could not be read; one bad message never stops the others.
Telling patches from cover letters and replies is the series' job.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from analyzer.errors import InputError

from .mail import MailInfo, is_mbox, looks_like_mail, message_info, message_text, page_info, split_mbox
from .sources import read_input, read_stream

# Files of a format-patch folder or a b4 output folder worth reading.
MAIL_SUFFIXES = (".patch", ".diff", ".mbx", ".mbox", ".eml", ".mail", ".txt")


@dataclass
class Mail:
    name: str  # "thread.mbox message 3", or the file's name when it holds one mail
    info: MailInfo
    text: str | None = None  # decoded body and patch attachments
    error: str | None = None  # why the text could not be read
    message: Message | None = None  # None for an archive page or a bare diff

    def label(self) -> str:
        """The name plus what identifies the mail to a person."""
        extra = [f"<{self.info.message_id}>"] if self.info.message_id else []
        if self.info.subject:
            extra.append(repr(self.info.subject))
        return f"{self.name} ({', '.join(extra)})" if extra else self.name


@dataclass
class Thread:
    source: str
    mails: list[Mail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _mail_from_bytes(data: bytes, name: str) -> Mail:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    info = message_info(msg)
    mail = Mail(name, info, message=msg)
    if not msg.keys():
        mail.error = "no mail headers: the message is cut or not a mail"
        return mail
    _, sep, body = data.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not sep or not body.strip():
        mail.error = "message has no body (headers only: cut short, or sent empty)"
        return mail
    try:
        mail.text = message_text(msg, name)
    except InputError as exc:
        mail.error = exc.problem
    return mail


def _page(data: bytes, name: str) -> Mail:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Mail(name, MailInfo(), error=f"not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                                            f"offset {exc.start}) and no mail header declares a charset")
    return Mail(name, page_info(text), text=text)


def mails_from_bytes(data: bytes, name: str) -> tuple[list[Mail], list[str]]:
    """(mails, notes) of one file's or one stream's bytes."""
    if not data.strip():
        raise InputError(name, "empty input, no mail or patch")
    if b"\0" in data[:65536]:
        raise InputError(name, "binary data, not an mbox, mail or patch")
    notes = []
    if is_mbox(data):
        chunks = split_mbox(data)
        if not data.endswith(b"\n"):
            notes.append(f"{name}: ends in the middle of a line; the last message may be cut short")
        if len(chunks) == 1:
            return [_mail_from_bytes(chunks[0], name)], notes
        return [_mail_from_bytes(chunk, f"{name} message {i}") for i, chunk in enumerate(chunks, 1)], notes
    if looks_like_mail(data):
        return [_mail_from_bytes(data, name)], notes
    return [_page(data, name)], notes


def read_thread(source: str, stdin=None) -> Thread:
    """Mails of ``source``: a file, a folder of mail files, or '-' for ``stdin`` (bytes)."""
    if source == "-":
        data = read_stream(stdin)
        mails, notes = mails_from_bytes(data, "<stdin>")
        return Thread("<stdin>", mails, notes)
    path = Path(source)
    if not path.exists():
        raise InputError(source, "no such file or directory")
    thread = Thread(source)
    if not path.is_dir():
        thread.mails, thread.notes = mails_from_bytes(read_input(path), source)
        return thread
    files = sorted(p for p in path.iterdir() if p.is_file())
    for file in files:
        if not file.name.endswith(MAIL_SUFFIXES):
            thread.notes.append(f"{file}: not a mail or patch file name ({', '.join(MAIL_SUFFIXES)}), skipped")
            continue
        try:
            mails, notes = mails_from_bytes(read_input(file), str(file))
        except InputError as exc:
            thread.mails.append(Mail(str(file), MailInfo(), error=exc.problem))
            continue
        thread.mails.extend(mails)
        thread.notes.extend(notes)
    if not thread.mails:
        raise InputError(source, "folder holds no mail or patch files")
    return thread

"""Reply drafts: one RFC 5322 message per reviewed patch, as an mbox.

Each draft answers the patch's mail the way the list expects: ``Re:``
subject, In-Reply-To and References from the patch's Message-ID, To the
author and Cc whoever the patch went to, and interleaved quoting: only the
hunk lines leading to a finding are quoted with "> ", the finding follows
them, nothing is top-posted.  xenlint only writes the drafts; sending them
(git send-email, a mail client) is left to the reviewer.
"""

from __future__ import annotations

import email.policy
import io
import re
import textwrap
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

from analyzer.findings import Finding

# A line that opens a function or a file-scope declaration: quoting from it
# shows the reader where the finding is.
_DECLARATION_START = re.compile(r"^[A-Za-z_][\w\s\*,()\[\]]*\(")
_CONTEXT_BEFORE = 3  # hunk lines quoted above a finding when no function start is near
_FUNCTION_REACH = 8  # how far up a function start may pull the quote
_WIDTH = 72
_FAILED_HUNK_LINES = 12  # lines of a hunk that does not apply quoted to show which one
# Headers are not folded below the hard limit: Python reads back a header folded
# right after its colon with a leading space, and a subject must survive intact.
_POLICY = email.policy.default.clone(linesep="\n", max_line_length=998)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, break_long_words=False, break_on_hyphens=False) or [""]


def _comment(finding: Finding, fixed_by: str | None) -> list[str]:
    where = f" in {finding.function}()" if finding.function else ""
    lines = _wrap(f"xenlint {finding.rule_id} ({finding.severity}{where}): {finding.message}.")
    if fixed_by:
        lines += [""] + _wrap(f"Patch {fixed_by} of this series fixes this; please fold the fix into "
                              f"this patch so that every step of the series is safe.")
    return lines


def _post_line(finding: Finding, post_images: dict) -> str:
    image = post_images.get(finding.path)
    if image is not None and not image.sparse:
        lines = image.text.split("\n")
        if 0 < finding.line <= len(lines):
            return lines[finding.line - 1]
    return finding.source


def _locate(patch, finding: Finding, post_images: dict):
    """(file index, hunk index, line index) of the hunk line a finding sits on, or None."""
    wanted = _post_line(finding, post_images).rstrip()
    best, best_distance = None, None
    for fi, pf in enumerate(patch.files):
        if pf.path != finding.path:
            continue
        for hi, hunk in enumerate(pf):
            for li, line in enumerate(hunk):
                if line.target_line_no is None or line.value.rstrip("\n").rstrip() != wanted:
                    continue
                distance = abs(line.target_line_no - finding.line)
                if best is None or distance < best_distance:
                    best, best_distance = (fi, hi, li), distance
    return best


def _quoted(line) -> str:
    return ("> " + str(line).rstrip("\n")).rstrip()


def _failed_hunk(patch, failure):
    for pf in patch.files:
        if pf.path == failure.path and 0 < failure.hunk <= len(pf):
            return pf[failure.hunk - 1]
    return None


def _window_start(lines, at: int, floor: int) -> int:
    for i in range(at - 1, max(floor, at - _FUNCTION_REACH) - 1, -1):
        value = lines[i].value.rstrip("\n")
        if _DECLARATION_START.match(value) and not value.rstrip().endswith(";"):
            return i
    return max(floor, at - _CONTEXT_BEFORE)


def reply_body(review) -> str:
    """The interleaved reply text for one PatchReview."""
    entry = review.entry
    info = entry.mail.info
    patch = entry.patch
    out = [f"On {info.date or 'an earlier date'}, {info.author or 'the author'} wrote:"]
    placed, elsewhere = [], []
    for finding in review.findings:
        spot = _locate(patch, finding, review.post_images)
        (placed if spot else elsewhere).append((spot, finding))
    placed.sort(key=lambda item: (item[0], item[1].col, item[1].rule_id))
    quoted_file, quoted_hunk, quoted_to = None, None, -1
    for (fi, hi, li), finding in placed:
        pf = patch.files[fi]
        hunk_lines = list(pf[hi])
        if fi != quoted_file:
            out.append(f"> --- {pf.source_file}")
            out.append(f"> +++ {pf.target_file}")
            quoted_file, quoted_hunk = fi, None
        if hi != quoted_hunk:
            out.append(_quoted(str(pf[hi]).split("\n", 1)[0]))
            quoted_hunk, quoted_to = hi, -1
        if li > quoted_to:
            start = _window_start(hunk_lines, li, quoted_to + 1)
            out.extend(_quoted(line) for line in hunk_lines[start:li + 1])
            quoted_to = li
        out.append("")
        out.extend(_comment(finding, review.fixed_by.get(finding.fingerprint())))
        out.append("")
    for failure in review.failures:
        hunk = _failed_hunk(patch, failure)
        if hunk is None:
            out.append("")
            out.extend(_wrap(f"This does not apply to my tree: {failure}."))
        else:
            out.append(f"> --- a/{failure.path}")
            out.append(f"> +++ b/{failure.path}")
            lines = str(hunk).rstrip("\n").split("\n")
            out.extend(_quoted(line) for line in lines[:_FAILED_HUNK_LINES])
            out.append("")
            out.extend(_wrap(f"This hunk does not apply to my tree: {failure.reason.removeprefix('does not apply: ')}. "
                             f"Which tree is the patch against?"))
        out.append("")
    if elsewhere:
        out.append("")
        out.extend(_wrap("Outside the hunks of this patch, in the file as it stands after it:"))
        for _, finding in elsewhere:
            out.append("")
            out.append(f"  {finding.path}:{finding.line}: {finding.source.strip()}")
            out.extend(_comment(finding, review.fixed_by.get(finding.fingerprint())))
        out.append("")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def _address(text: str) -> str:
    return (getaddresses([text]) or [("", "")])[0][1].lower()


def draft(review, sender: str, date: str | None = None) -> EmailMessage:
    """The reply to one patch's mail, addressed like the list's reply-all."""
    info = review.entry.mail.info
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    me = _address(sender)
    to = [info.author] if info.author else []
    seen = {me} | {_address(a) for a in to}
    cc = []
    for addr in info.to + info.cc:
        if _address(addr) not in seen:
            seen.add(_address(addr))
            cc.append(addr)
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    subject = info.subject or review.entry.tags.title or "your patch"
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    msg["Date"] = date or formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=me.split("@", 1)[1] if "@" in me else None)
    if info.message_id:
        references = info.references or ([info.in_reply_to] if info.in_reply_to else [])
        msg["In-Reply-To"] = f"<{info.message_id}>"
        msg["References"] = " ".join(f"<{r}>" for r in [*references, info.message_id])
    msg.set_content(reply_body(review), charset="utf-8", cte="8bit")
    return msg


def drafts(result, sender: str, date: str | None = None) -> list[EmailMessage]:
    return [draft(review, sender, date) for review in result.reviews if review.findings or review.failures]


def render(result, style=None, *, sender: str, date: str | None = None) -> str:
    """The drafts as one mbox (mboxrd "From " quoting), ready for git send-email or a mail client."""
    buffer = io.BytesIO()
    for msg in drafts(result, sender, date):
        msg.set_unixfrom("From xenlint Thu Jan  1 00:00:00 1970")
        BytesGenerator(buffer, mangle_from_=True, policy=_POLICY).flatten(msg, unixfrom=True)
        buffer.write(b"\n")
    return buffer.getvalue().decode("utf-8")

"""Find the unified diff inside a mail, a format-patch file or an archive page.

The text around a diff can be anything: mail headers, a commit message that
itself quotes a diff, a reply quoting the patch with "> ", a signature, a
mailing-list footer and a thread overview.  The scanner therefore reads
hunks by their line counts (as git-apply does) instead of by the look of a
line, which also lets it repair what mail clients do to diffs: a long line
wrapped in two, and the lone space of an empty context line stripped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_GIT_HEADER = re.compile(
    r"^(diff --git |index [0-9a-f]+\.\.[0-9a-f]+|(old|new|deleted file|new file) mode |"
    r"similarity index |dissimilarity index |rename (from|to) |copy (from|to) |Binary files )")


@dataclass
class ScannedDiff:
    text: str  # the diff alone, ready for unidiff
    first_line: int  # where it starts in the input (1-based)
    notes: list[str] = field(default_factory=list)
    hunks: int = 0


class DiffScanError(ValueError):
    pass


def _file_header_at(lines: list[str], i: int) -> bool:
    return (lines[i].startswith("--- ") and i + 1 < len(lines)
            and lines[i + 1].startswith("+++ ") and i + 2 < len(lines)
            and _HUNK.match(lines[i + 2]) is not None)


def _diff_starts(lines: list[str]) -> list[int]:
    starts = []
    for i, line in enumerate(lines):
        if line.startswith("diff --git ") or (_file_header_at(lines, i)
                                              and not (i and lines[i - 1].startswith("diff --git"))
                                              and not (i > 1 and _GIT_HEADER.match(lines[i - 1]))):
            starts.append(i)
    return starts


def scan_diff(text: str, name: str) -> ScannedDiff:
    lines = text.replace("\r\n", "\n").split("\n")
    starts = _diff_starts(lines)
    if not starts:
        raise DiffScanError("no unified diff found")
    # A format-patch mail separates message and diff by a line "---"; a diff
    # quoted in the commit message comes before it and is not the patch.
    separators = [i for i, line in enumerate(lines) if line == "---"]
    if separators:
        after = [s for s in starts if s > separators[0]]
        if after:
            starts = after
    out: list[str] = []
    notes: list[str] = []
    hunks = 0
    i = starts[0]
    while i < len(lines):
        line = lines[i]
        if _HUNK.match(line):
            i, consumed = _read_hunk(lines, i, out, notes, name)
            hunks += consumed
            continue
        if line.startswith("diff --git ") or _GIT_HEADER.match(line) or _file_header_at(lines, i) \
                or (line.startswith("+++ ") and out and out[-1].startswith("--- ")):
            out.append(line)
            i += 1
            continue
        break  # the first line that is not diff ends it: signature, footer, thread list
    if not hunks and not any(l.startswith("Binary files") or "mode " in l for l in out):
        raise DiffScanError("diff has file headers but no hunks")
    return ScannedDiff("\n".join(out) + "\n", starts[0] + 1, notes, hunks)


def _read_hunk(lines, i, out, notes, name) -> tuple[int, int]:
    m = _HUNK.match(lines[i])
    old_left = int(m.group(2)) if m.group(2) is not None else 1
    new_left = int(m.group(4)) if m.group(4) is not None else 1
    out.append(lines[i])
    header_line = i + 1
    i += 1
    while old_left > 0 or new_left > 0:
        if i >= len(lines):
            raise DiffScanError(f"hunk at line {header_line} is cut short "
                                f"({old_left} old and {new_left} new lines missing)")
        line = lines[i]
        tag = line[:1]
        if line == "":
            line, tag = " ", " "  # a mailer stripped the space of an empty context line
        if tag == " " and old_left and new_left:
            old_left -= 1
            new_left -= 1
        elif tag == "-" and old_left:
            old_left -= 1
        elif tag == "+" and new_left:
            new_left -= 1
        elif tag == "\\":
            pass
        elif out and out[-1][:1] in "+- " and not _HUNK.match(line):
            # A mail client wrapped the previous line: glue the piece back.
            notes.append(f"{name}: line {i + 1} looks like a wrapped diff line; joined to the one before")
            out[-1] = out[-1] + " " + line
            i += 1
            continue
        else:
            raise DiffScanError(f"hunk at line {header_line} is malformed at line {i + 1}: {line[:40]!r}")
        out.append(line)
        i += 1
    if i < len(lines) and lines[i].startswith("\\"):
        out.append(lines[i])
        i += 1
    return i, 1

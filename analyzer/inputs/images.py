"""Pre- and post-images of a patched file, built from a patch alone or applied to a tree.

An Image is a file's text as one side of the patch sees it, plus which of its
lines the patch added.  Without a tree the image is sparse: hunk lines sit at
their real line numbers and the lines between hunks are blank, so facts and
findings keep the numbers a reviewer sees in the patched file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from unidiff import PatchedFile



@dataclass
class Image:
    path: str
    text: str
    added: set[int] = field(default_factory=set)  # post-image lines the patch added
    sparse: bool = False
    # Sparse images only: line -> function named by the hunk header ("@@ ... @@
    # void f(void)") for hunk lines that precede the end of that function,
    # since a hunk starting mid-function has no function header to parse.
    hunk_functions: dict[int, str] = field(default_factory=dict)
    # Applied images only: hunks that applied at an offset or with fuzz.
    placed: list = field(default_factory=list)


_FUNCTION_IN_HEADER = re.compile(r"(\w+)\s*\([^()]*\)?\s*$")


def _hunk_function(section_header: str) -> str | None:
    m = _FUNCTION_IN_HEADER.search(section_header.strip())
    return m.group(1) if m and "(" in section_header else None


@dataclass
class HunkFailure:
    path: str
    hunk: int  # 1-based index within the file
    header: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: hunk #{self.hunk} ({self.header}) {self.reason}"


def patched_path(pf: PatchedFile) -> str:
    return pf.path


def _sparse(lines_at: dict[int, str]) -> str:
    if not lines_at:
        return ""
    last = max(lines_at)
    return "\n".join(lines_at.get(n, "") for n in range(1, last + 1)) + "\n"


def _starts_in_comment(values: list[str]) -> bool:
    """Does a hunk begin inside a /* comment (a "*/" before any "/*")?"""
    for value in values:
        opens, closes = value.find("/*"), value.find("*/")
        if closes >= 0 and (opens < 0 or closes < opens):
            return True
        if opens >= 0:
            return False
    return False


def _reopen_comment(side: dict[int, str], first: int, values: list[str]) -> None:
    # The blank gap line before the hunk gets the "/*" the hunk lost, so the
    # parser does not read the comment's words as declarations.
    if first > 1 and (first - 1) not in side and _starts_in_comment(values):
        side[first - 1] = "/*"


# No source file xenlint reads has this many lines (Linux 6.1's longest, a
# generated register header, has 222,893): a hunk said to lie further is
# not a hunk of source, and padding an image to it would cost what the
# number says, not what the input holds.
MAX_LINE = 1_000_000


def implausible(pf: PatchedFile) -> list[HunkFailure]:
    """Hunks whose line numbers lie beyond any source file."""
    return [HunkFailure(pf.path, number, _hunk_header(hunk),
                        f"lies beyond line {MAX_LINE:,}, past the end of any source file; not checked")
            for number, hunk in enumerate(pf, 1)
            if hunk.source_start + hunk.source_length > MAX_LINE
            or hunk.target_start + hunk.target_length > MAX_LINE]


def sparse_images(pf: PatchedFile) -> tuple[Image, Image, list[HunkFailure]]:
    """(pre, post, failures): images made of the hunks alone; a hunk whose
    line numbers are implausible (``implausible``) is a failure, left out."""
    failures = implausible(pf)
    bad = {failure.hunk for failure in failures}
    pre: dict[int, str] = {}
    post: dict[int, str] = {}
    added: set[int] = set()
    for number, hunk in enumerate(pf, 1):
        if number in bad:
            continue
        _reopen_comment(pre, hunk.source_start,
                        [l.value for l in hunk if l.source_line_no is not None])
        _reopen_comment(post, hunk.target_start,
                        [l.value for l in hunk if l.target_line_no is not None])
        for line in hunk:
            value = line.value.rstrip("\n")
            if line.source_line_no is not None:
                pre[line.source_line_no] = value
            if line.target_line_no is not None:
                post[line.target_line_no] = value
                if line.is_added:
                    added.add(line.target_line_no)
    return (Image(pf.path, _sparse(pre), sparse=True),
            Image(patched_path(pf), _sparse(post), added, sparse=True,
                  hunk_functions=_hunk_functions(pf, bad)), failures)


def _hunk_functions(pf: PatchedFile, bad: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for number, hunk in enumerate(pf, 1):
        if number in bad:
            continue
        name = _hunk_function(hunk.section_header or "")
        if not name:
            continue
        for line in hunk:
            if line.target_line_no is None:
                continue
            if line.value.startswith("}"):
                break  # the function the header names ends here
            found[line.target_line_no] = name
    return found


def _hunk_header(hunk) -> str:
    header = f"@@ -{hunk.source_start},{hunk.source_length} +{hunk.target_start},{hunk.target_length} @@"
    return f"{header} {hunk.section_header}".rstrip()


def _matches(lines: list[str], at: int, expected: list[str], loose: bool) -> bool:
    if at < 0 or at + len(expected) > len(lines):
        return False
    if loose:
        return all(a.rstrip() == b.rstrip() for a, b in zip(lines[at:at + len(expected)], expected))
    return lines[at:at + len(expected)] == expected


@dataclass(frozen=True)
class HunkPlacement:
    """Where a hunk applied, when not where its header said (patch(1)'s
    "Hunk #2 succeeded at 135 with fuzz 1 (offset 3 lines).")."""

    path: str
    hunk: int  # 1-based index within the file
    line: int  # first line of the hunk in the post-image (patch(1) prints that)
    offset: int
    fuzz: int
    loose: bool = False  # matched only with trailing white space ignored

    def __str__(self) -> str:
        text = f"{self.path}: hunk #{self.hunk} succeeded at {self.line}"
        if self.fuzz:
            text += f" with fuzz {self.fuzz}"
        if self.offset:
            text += f" (offset {self.offset} line{'s' if abs(self.offset) != 1 else ''})"
        if self.loose:
            text += ", ignoring trailing white space"
        return text


# patch(1)'s default: up to two lines of context may be ignored at each end.
DEFAULT_FUZZ = 2


def _context_ends(hunk) -> tuple[int, int]:
    """(leading, trailing) context lines of ``hunk``: before its first and
    after its last added or removed line."""
    kinds = [l.is_context for l in hunk if l.is_context or l.is_removed or l.is_added]
    leading = next((i for i, ctx in enumerate(kinds) if not ctx), len(kinds))
    trailing = next((i for i, ctx in enumerate(reversed(kinds)) if not ctx), len(kinds))
    return leading, trailing


class _LineIndex:
    """Where each line of a file is (as written, and with trailing white
    space stripped), so a hunk is looked for only where its rarest line
    is: a patch of many hunks that fit nowhere costs hunks x occurrences,
    not hunks x lines."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self._where: dict[bool, dict[str, list[int]]] = {}

    def positions(self, line: str, loose: bool) -> list[int]:
        where = self._where.get(loose)
        if where is None:
            where = self._where[loose] = {}
            for number, text in enumerate(self.lines):
                where.setdefault(text.rstrip() if loose else text, []).append(number)
        return where.get(line.rstrip() if loose else line, [])


def _locate(index: _LineIndex, old: list[str], want: int, low: int, high: int, loose: bool) -> int | None:
    """patch(1)'s search for ``old`` from ``want``: there, one line after,
    one before, two after, ... between ``low`` and ``high`` (the first
    places it may start at)."""
    if high < low:
        return None
    anchor = min(range(len(old)), key=lambda k: len(index.positions(old[k], loose)))
    starts = [p - anchor for p in index.positions(old[anchor], loose) if low <= p - anchor <= high]
    starts.sort(key=lambda at: (abs(at - want), at < want))
    for at in starts:
        if _matches(index.lines, at, old, loose):
            return at
    return None


def apply_file(pf: PatchedFile, original: str, fuzz: int = DEFAULT_FUZZ) -> tuple[Image, list[HunkFailure]]:
    """Apply ``pf`` to ``original`` like patch(1): each hunk where its header
    says, else at the nearest offset; failing that, with up to ``fuzz`` lines
    of context ignored at each end (the file's own lines are kept there);
    failing that, with trailing white space ignored (mail clients strip it).

    A hunk that finds no place is skipped and reported; the others still
    apply, so the rest of the patch is still checked.  Hunks that applied
    elsewhere than their header said (or with fuzz) are listed on the image
    (``placed``), as patch(1) lists them.
    """
    lines = original.split("\n")
    trailing_newline = original.endswith("\n")
    if trailing_newline:
        lines.pop()
    result: list[str] = []
    added_at: list[bool] = []
    failures: list[HunkFailure] = []
    placed: list[HunkPlacement] = []
    cursor = 0  # next unconsumed original line (0-based)
    offset = 0
    rejected_growth = 0  # lines the rejected hunks would have added
    index = _LineIndex(lines)
    for number, hunk in enumerate(pf, 1):
        if hunk.source_start + hunk.source_length > MAX_LINE:
            failures.append(HunkFailure(pf.path, number, _hunk_header(hunk),
                                        f"lies beyond line {MAX_LINE:,}, past the end of any source "
                                        f"file (this one has {len(lines)} lines); not applied"))
            continue
        body = [l for l in hunk if l.is_context or l.is_removed or l.is_added]
        leading, trailing = _context_ends(hunk)
        # patch(1): fuzz goes up to the hunk's longer context; a hunk with
        # less context at one end than the other (it was made at the start
        # or the end of the file) may only apply there, unless fuzz evens it.
        context = max(leading, trailing)
        found = None
        for loose in (False, True):
            for level in range(0, min(max(fuzz, 0), context) + 1):
                front, back = level + leading - context, level + trailing - context
                cut_front, cut_back = max(front, 0), max(back, 0)
                kept = _trim(body, cut_front, cut_back)
                old = [l.value.rstrip("\n") for l in kept if l.is_context or l.is_removed]
                full = sum(1 for l in body if l.is_context or l.is_removed)
                if not full:
                    break  # a pure addition: placed below
                if front < 0:  # only at the start of the file (or as the whole file)
                    fits = cursor <= leading and (back >= 0 or len(old) == len(lines))
                    at = 0 if fits and _matches(lines, 0, old, loose) else None
                elif back < 0:  # only at the end of the file
                    at = len(lines) - len(old)
                    at = at if at >= cursor and _matches(lines, at, old, loose) else None
                else:
                    # The hunk starts inside the file, ignored leading lines
                    # included; ignored trailing lines may run past its end.
                    low = max(cursor, cut_front)
                    high = len(lines) - full + cut_front + cut_back
                    want = hunk.source_start - 1 + offset + cut_front
                    if old:
                        at = _locate(index, old, want, low, high, loose)
                    else:  # every line ignored: where it says, or the nearest place it fits
                        at = min(max(want, low), high) if low <= high else None
                if at is not None:
                    found = (at, kept, old, level, loose, cut_front)
                    break
            if found is not None:
                break
        if found is None and not any(l.is_context or l.is_removed for l in body):
            # A pure addition (a new file, or lines added at a position).
            at = min(max(hunk.source_start + offset, cursor), len(lines))
            found = (at, body, [], 0, False, 0)
        if found is None:
            failures.append(HunkFailure(pf.path, number, _hunk_header(hunk),
                                        "does not apply: its context is not in the file"
                                        + (f", even with fuzz {fuzz}" if fuzz else "")))
            rejected_growth += hunk.target_length - hunk.source_length
            continue
        at, kept, old, level, loose, cut_front = found
        result.extend(lines[cursor:at])
        added_at.extend([False] * (at - cursor))
        for line in kept:
            if line.is_context or line.is_added:
                result.append(line.value.rstrip("\n"))
                added_at.append(line.is_added)
        cursor = at + len(old)
        start = at - cut_front  # where the whole hunk (ignored context included) sits
        pure_addition = not any(l.is_context or l.is_removed for l in body)
        new_offset = offset if pure_addition else start - (hunk.source_start - 1)
        if new_offset or level or loose:
            # patch(1) names the line where the hunk starts in the file it
            # writes (without the lines rejected hunks would have added).
            placed.append(HunkPlacement(pf.path, number, hunk.target_start + new_offset - rejected_growth,
                                        new_offset, level, loose))
        offset = new_offset
    result.extend(lines[cursor:])
    added_at.extend([False] * (len(lines) - cursor))
    text = "\n".join(result) + ("\n" if trailing_newline or not original else "")
    added = {i + 1 for i, flag in enumerate(added_at) if flag}
    return Image(patched_path(pf), text, added, placed=placed), failures


def _trim(body: list, front: int, back: int) -> list:
    """``body`` less ``front`` leading and ``back`` trailing context lines."""
    return body[front:len(body) - back]


def source_path(pf: PatchedFile) -> str:
    """The path a patched file had before the change (its "a/" name)."""
    return pf.source_file.split("/", 1)[-1] if pf.source_file.startswith(("a/", "b/")) \
        else pf.source_file


def unsafe_path(path: str) -> str | None:
    """Why a patch path must not be looked up in a tree (absolute, or
    climbing out with ".."), or None."""
    if path.startswith("/") or PurePosixPath(path).is_absolute():
        return "is an absolute path; a patch names files inside the tree"
    if ".." in PurePosixPath(path).parts:
        return "climbs out of the tree with '..'; refused"
    return None


def tree_images(pf: PatchedFile, tree, fuzz: int = DEFAULT_FUZZ) -> tuple[Image | None, Image | None,
                                                                    list[HunkFailure]]:
    """(pre, post, failures) of ``pf`` applied to ``tree`` (an inputs.trees
    tree, read-only): a path outside the tree is refused by name."""
    source = source_path(pf)
    for path in {pf.path, source} - {"/dev/null", "dev/null"}:
        problem = unsafe_path(path)
        if problem:
            return None, None, [HunkFailure(pf.path, 0, "file", problem)]
    if pf.is_added_file:
        pre_text = ""
    else:
        if not tree.has(source):
            source = pf.path
        if not tree.has(source):
            return None, None, [HunkFailure(pf.path, 0, "file", f"is not in the tree {tree.where}")]
        pre_text = tree.read_text(source)
    pre = Image(pf.path, pre_text)
    if pf.is_removed_file:
        return pre, None, []
    post, failures = apply_file(pf, pre_text, fuzz)
    return pre, post, failures


def change_images(pf: PatchedFile, pre_tree, post_tree) -> tuple[Image | None, Image | None,
                                                                 list[HunkFailure]]:
    """(pre, post, failures) of a change whose both sides a tree holds (git's
    index or a revision, or a work tree): each side is read, nothing applied;
    the diff only says which lines are new."""
    source = source_path(pf)
    pre = None
    if not pf.is_added_file and pre_tree is not None and pre_tree.has(source):
        pre = Image(pf.path, pre_tree.read_text(source))
    if pf.is_removed_file:
        return pre, None, []
    if not post_tree.has(pf.path):
        return pre, None, [HunkFailure(pf.path, 0, "file", f"is not in {post_tree.where}")]
    added = {line.target_line_no for hunk in pf for line in hunk if line.is_added}
    return pre or Image(pf.path, ""), Image(pf.path, post_tree.read_text(pf.path), added), []

"""Write a synthetic 74-patch series against a Xen tree, as an mbox.

Each patch is a small, realistic edit of one file of the tree's xen/ folder
(a comment before a function, an error code changed, a static helper added),
applied on top of the patches before it; two patches edit a file an earlier
patch edited, and one brings in a direct legacy vcpu_info access (XL101) so
the review has something to find.  The files are picked deterministically
(sorted paths, fixed seed): the same tree gives the same series.

    python bench/make_series.py TREE OUT.mbox [--count 74]
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

AUTHOR = "Bench Author <bench@example.invalid>"
GUEST_FILE = "xen/arch/x86/guest/xen/xen.c"
_FUNCTION_START = re.compile(r"^(?:static\s+)?(?:int|void|long|unsigned\s+\w+)\s+\**\w+\([^;]*$")
_ERROR_RETURN = re.compile(r"return -EINVAL;")


def _comment(lines: list[str], k: int) -> str | None:
    for i, line in enumerate(lines):
        if _FUNCTION_START.match(line):
            lines.insert(i, f"/* Bench series note {k}: callers hold no lock here. */\n")
            return "document locking of the first function"
    return None


def _error_code(lines: list[str], k: int) -> str | None:
    for i, line in enumerate(lines):
        if _ERROR_RETURN.search(line):
            lines[i] = line.replace("-EINVAL", "-EOPNOTSUPP")
            return "report unsupported requests as -EOPNOTSUPP"
    return None


def _helper(lines: list[str], k: int) -> str:
    lines += ["\n", f"static inline unsigned int bench_helper_{k}(unsigned int v)\n", "{\n",
              f"    return v + {k}u;\n", "}\n"]
    return f"add bench_helper_{k}()"


def _legacy_access(lines: list[str], k: int) -> str | None:
    for i, line in enumerate(lines):
        if line.startswith("static") and " ap_resume(void" in line:
            lines[i:i] = ["static unsigned int bench_pending(unsigned int cpu)\n", "{\n",
                          "    return XEN_shared_info->vcpu_info[cpu].evtchn_upcall_pending;\n",
                          "}\n", "\n"]
            return "add bench_pending() (reads the legacy vcpu_info slot)"
    return None


def series(tree: Path, count: int, seed: int = 74) -> list[tuple[str, str, str]]:
    """(path, subject, diff) of each patch, in order."""
    xen = tree / "xen"
    candidates = sorted(str(p.relative_to(tree)) for p in xen.rglob("*.c"))
    rng = random.Random(seed)
    picks = rng.sample(candidates, count - 3)
    # Two files edited twice (a later patch on top of an earlier one) and the guest file.
    picks[40:40] = [picks[3]]
    picks[60:60] = [picks[10]]
    picks.append(GUEST_FILE if (tree / GUEST_FILE).is_file() else picks[20])
    current: dict[str, list[str]] = {}
    out = []
    for k, rel in enumerate(picks, 1):
        before = current.get(rel)
        if before is None:
            before = (tree / rel).read_text(encoding="utf-8", errors="surrogateescape").splitlines(True)
        after = list(before)
        edits = (_legacy_access,) if rel == GUEST_FILE else (_comment, _error_code, _helper)
        subject = None
        for edit in edits[k % len(edits):] + edits[:k % len(edits)]:
            subject = edit(after, k)
            if subject:
                break
        if not subject:
            subject = _helper(after, k)
        diff = "".join(difflib.unified_diff(before, after, f"a/{rel}", f"b/{rel}", n=3))
        current[rel] = after
        out.append((rel, subject, f"diff --git a/{rel} b/{rel}\n{diff}"))
    return out


def mbox(patches: list[tuple[str, str, str]]) -> str:
    total = len(patches)
    date = datetime(2024, 1, 15, 9, 0, tzinfo=timezone.utc)
    mails = []
    for n, (rel, subject, diff) in enumerate(patches, 1):
        area = "/".join(rel.split("/")[1:3])
        mails.append(
            f"From bench-{n:04d} Mon Sep 17 00:00:00 2001\n"
            f"From: {AUTHOR}\n"
            f"Date: {format_datetime(date)}\n"
            f"Subject: [PATCH {n:02d}/{total}] {area}: {subject}\n"
            f"Message-Id: <bench-series-{n}@example.invalid>\n"
            + ("" if n == 1 else "In-Reply-To: <bench-series-0@example.invalid>\n")
            + "\n"
            f"Synthetic patch {n} of {total} for xenlint's benchmark.\n\n"
            f"Signed-off-by: {AUTHOR}\n---\n{diff}\n"
        )
    return "".join(mails)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path, help="top of the Xen source (contains xen/)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=74)
    args = parser.parse_args()
    args.out.write_text(mbox(series(args.tree, args.count)), encoding="utf-8", errors="surrogateescape")


if __name__ == "__main__":
    main()

"""The C text to cross-check when the input is a patch: its post-image.

With a tree the patch is applied (read-only) and the whole patched file is
used. Without one, the hunks alone give a sparse post-image; a hunk that
starts inside a function gets that function's signature back from the hunk
header ("@@ ... @@ void __init hypervisor_setup(void)"), so a caller whose
head lies outside the patch can still be extracted. Such functions are
reported as incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import InputError

_SIGNATURE = re.compile(r"^[\w\s\*]*\b(\w+)\s*\([^()]*\)\s*$")


@dataclass
class PostImage:
    path: str
    text: str
    rebuilt_functions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def add_hunk_signatures(pf, text: str) -> tuple[str, list[str]]:
    """Give functions that a hunk enters mid-body their head back, from the hunk header."""
    lines = text.split("\n")
    rebuilt = []
    for hunk in pf:
        header = (hunk.section_header or "").strip()
        m = _SIGNATURE.match(header)
        if not m:
            continue
        name = m.group(1)
        body = [ln.value for ln in hunk if ln.target_line_no is not None]
        before_end = []
        for value in body:
            if value.startswith("}"):
                break
            before_end.append(value)
        if any(re.search(rf"\b{name}\s*\(", v) and not v.startswith((" ", "\t")) for v in before_end):
            continue   # the hunk has the function's own head
        if len(before_end) == len(body):
            continue   # the function does not end inside this hunk
        slot = hunk.target_start - 2   # the (blank) line before the hunk, 0-based
        if slot < 0 or slot >= len(lines) or lines[slot].strip():
            continue
        lines[slot] = f"{header} {{"
        rebuilt.append(name)
    return "\n".join(lines), rebuilt


def post_image(source: str, tree: Path | None = None) -> PostImage:
    """Post-image of the file in patch `source` that defines map_vcpuinfo()."""
    import sys

    from analyzer.inputs.images import sparse_images, tree_images
    from analyzer.inputs.patchset import read_patch
    from analyzer.inputs.trees import DiskTree

    patch = read_patch(source, stdin=sys.stdin.buffer)
    disk = DiskTree([tree], relative_to=tree) if tree is not None else None
    candidates = []
    for pf in patch.files:
        if pf.is_removed_file or not pf.path.endswith(".c"):
            continue
        if tree is not None:
            _, post, failures = tree_images(pf, disk)
            if post is not None and not failures:
                candidates.append(PostImage(pf.path, post.text))
                continue
            note = "; ".join(str(f) for f in failures) or "file not found in the tree"
        else:
            note = ""
        _, sparse, failures = sparse_images(pf)
        if failures:
            note = "; ".join(filter(None, [note, *map(str, failures)]))
        text, rebuilt = add_hunk_signatures(pf, sparse.text)
        image = PostImage(pf.path, text, rebuilt)
        if note:
            image.notes.append(f"could not apply to {tree} ({note}); using the hunks alone")
        candidates.append(image)
    for image in candidates:
        if re.search(r"\bmap_vcpuinfo\s*\(", image.text):
            return image
    raise InputError(str(source), "no file in the patch defines or calls map_vcpuinfo()")

"""Patches apply as GNU patch applies them: the same post-image, the same
hunks rejected, the same offsets and fuzz, on seeded random drift between
the tree a patch was made against and the tree it is applied to."""

from __future__ import annotations

import difflib
import random
import re
import shutil
import subprocess

import pytest
from unidiff import PatchSet

from analyzer.inputs.images import apply_file

PATCH = shutil.which("patch")
pytestmark = pytest.mark.skipif(PATCH is None, reason="GNU patch (the reference) is not installed")

WORDS = ["int", "cpu", "rc", "info", "vcpu", "return", "if", "map", "set_bit", "0", "1", "x"]


def _line(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(["", "}", "{", "    return 0;", "#endif"])  # lines that repeat
    return "    " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) + ";"


def _case(seed: int) -> tuple[str, str, str]:
    """(diff made against ``base``, the tree's drifted copy of base, base)."""
    rng = random.Random(seed)
    base = [_line(rng) for _ in range(rng.randint(20, 120))]
    new = list(base)
    for _ in range(rng.randint(1, 5)):  # the patch's edits
        at = rng.randrange(len(new))
        kind = rng.random()
        if kind < 0.4:
            new[at] = _line(rng)
        elif kind < 0.7:
            new[at:at] = [_line(rng) for _ in range(rng.randint(1, 3))]
        else:
            del new[at:at + rng.randint(1, 3)]
    drifted = list(base)
    for _ in range(rng.randint(0, 6)):  # what changed in the tree since
        at = rng.randrange(len(drifted))
        kind = rng.random()
        if kind < 0.5:
            drifted[at:at] = [_line(rng) for _ in range(rng.randint(1, 4))]
        elif kind < 0.8:
            del drifted[at:at + rng.randint(1, 2)]
        else:
            drifted[at] = _line(rng)
    diff = "".join(difflib.unified_diff([l + "\n" for l in base], [l + "\n" for l in new],
                                        "a/f.c", "b/f.c", n=3))
    return diff, "\n".join(drifted) + "\n", "\n".join(base) + "\n"


def _gnu_patch(tmp_path, diff: str, original: str, fuzz: int):
    target = tmp_path / "f.c"
    target.write_text(original)
    out = tmp_path / "out.c"
    # -f: never take a hunk for a reversed patch (xenlint applies as given).
    proc = subprocess.run([PATCH, "-f", "-F", str(fuzz), "-o", str(out), "-r", "-", "--no-backup-if-mismatch",
                           str(target)], input=diff, capture_output=True, text=True, timeout=30)
    failed = {int(n) for n in re.findall(r"Hunk #(\d+) FAILED", proc.stdout)}
    placed = {int(m[0]): (int(m[1]), int(m[2] or 0), int(m[3] or 0)) for m in re.findall(
        r"Hunk #(\d+) succeeded at (\d+)(?: with fuzz (\d+))?(?: \(offset (-?\d+) lines?\))?",
        proc.stdout)}
    placed = {n: (line, offset, fuzz_) for n, (line, fuzz_, offset) in placed.items()}
    return (out.read_text() if out.exists() else None), failed, placed


@pytest.mark.parametrize("fuzz", [0, 1, 2, 3])
def test_post_images_rejections_and_placements_match_gnu_patch(tmp_path, fuzz):
    compared = placed_seen = rejected_seen = 0
    for seed in range(250):
        diff, drifted, _ = _case(seed)
        if not diff:
            continue
        (pf,) = PatchSet(diff)
        image, failures = apply_file(pf, drifted, fuzz)
        text, failed, placed = _gnu_patch(tmp_path, diff, drifted, fuzz)
        assert {f.hunk for f in failures} == failed, (seed, diff)
        ours = {p.hunk: (p.line, p.offset, p.fuzz) for p in image.placed}
        assert ours == placed, (seed, diff)
        if not failed:
            assert image.text == text, (seed, diff)
            compared += 1
        placed_seen += bool(placed)
        rejected_seen += bool(failed)
    # The corpus exercises every outcome.
    assert compared > 100 and placed_seen > 30 and rejected_seen > 5


def test_check_patch_lists_hunks_applied_elsewhere_and_reports_post_image_lines(tmp_path):
    tree = tmp_path / "tree"
    (tree / "xen").mkdir(parents=True)
    lines = [f"int filler_{i};" for i in range(40)]
    (tree / "xen" / "a.c").write_text("\n".join(["/* moved down by five lines */"] * 5 + lines) + "\n")
    patch = tmp_path / "p.diff"
    patch.write_text("--- a/xen/a.c\n+++ b/xen/a.c\n@@ -10,6 +10,7 @@\n int filler_9;\n int filler_10;\n"
                     " int filler_11;\n+void f(void) { use(&XEN_shared_info->vcpu_info[cpu]); }\n"
                     " int filler_12;\n int changed_since;\n int filler_14;\n")
    from helpers import run_cli

    code, out, _ = run_cli("check-patch", str(patch), "--tree", str(tree), "--format", "json")
    import json

    doc = json.loads(out)
    assert "xen/a.c: hunk #1 succeeded at 15 with fuzz 2 (offset 5 lines)" in doc["notes"]
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("XL101", 18)]
    code, out, _ = run_cli("check-patch", str(patch), "--tree", str(tree), "--fuzz", "1", "--format", "json")
    assert json.loads(out)["problems"] and code == 1

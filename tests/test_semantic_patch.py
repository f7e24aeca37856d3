"""check-patch --tree with a compile database: libclang sees the post-image in memory."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers import xenlint

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "fixtures" / "semantic" / "tree"
PATCH = ROOT / "fixtures" / "semantic" / "patches" / "0001-x86-guest-peek-pending-through-parameter.patch"


def _digest(tree: Path) -> dict[str, str]:
    return {str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file()}


def test_post_image_is_given_to_libclang_unsaved():
    before = _digest(TREE)
    # the helper the patch adds is nowhere on disk: only the in-memory image has it
    assert "peek_pending" not in (TREE / "xen/arch/x86/guest/xen.c").read_text()
    run = xenlint("check-patch", str(PATCH), "--tree", str(TREE), "--format", "json")
    doc = run.json()
    assert {(f["rule"], f["path"], f["line"], f["column"]) for f in doc["findings"]} == \
        {("XL101", "xen/arch/x86/guest/xen.c", 38, 12)}  # page->vcpu_info[id], page a parameter
    assert doc["summary"]["parsed"]["semantic_files"] == 1
    assert doc["summary"]["parsed"]["semantic_failed_files"] == 0
    assert _digest(TREE) == before  # nothing written, nothing left behind


def test_semantic_findings_on_untouched_lines_are_not_the_patchs():
    # xen.c:32 (an unbounded fallback through a parameter) predates the patch
    run = xenlint("check-patch", str(PATCH), "--tree", str(TREE), "--format", "json")
    assert all(f["line"] != 32 for f in run.json()["findings"])
    whole = xenlint("check", str(TREE / "xen/arch/x86/guest/xen.c"),
                    "--compile-commands", str(TREE / "compile_commands.json"), "--format", "json")
    assert any(f["line"] == 32 and f["rule"] == "XL102" for f in whole.json()["findings"])


def test_without_the_database_the_parameter_alias_is_not_seen():
    run = xenlint("check-patch", str(PATCH), "--tree", str(TREE), "--no-compile-commands",
                  "--format", "json")
    assert run.code == 0 and run.json()["findings"] == []


def test_compile_commands_without_tree_is_a_usage_error():
    run = xenlint("check-patch", str(PATCH), "--compile-commands",
                  str(TREE / "compile_commands.json"))
    assert run.code == 2 and run.out == ""
    assert run.err.strip() == ("xenlint: error: --compile-commands: needs --tree: "
                               "a patch's hunks alone cannot be compiled")

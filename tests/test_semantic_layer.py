"""The semantic layer (libclang) on a configured Xen-like tree with compile_commands.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import xenlint

from analyzer.checker import ParseStats, analyse
from analyzer.frontend.compiledb import CompileDatabase

TREE = Path(__file__).resolve().parent.parent / "fixtures" / "semantic" / "tree"
DATABASE = TREE / "compile_commands.json"
GUEST = TREE / "xen" / "arch" / "x86" / "guest"


def _hits(run):
    return {(f["rule"], Path(f["path"]).name, f["line"], f["column"]) for f in run.json()["findings"]}


def _semantic_layer(database=DATABASE):
    from analyzer.frontend.semantic import SemanticLayer

    return SemanticLayer(CompileDatabase.load(database))


def test_aliases_only_the_semantic_layer_sees():
    # parameter, struct field, typedef'd pointer from a macro, file-scope pointer
    expected = {("XL101", "time.c", line, 12) for line in (28, 39, 47, 58)}
    on = xenlint("check", str(GUEST / "time.c"), "--compile-commands", str(DATABASE),
                 "--format", "json")
    off = xenlint("check", str(GUEST / "time.c"), "--format", "json")
    assert _hits(on) == expected
    assert _hits(off) == set()
    assert on.json()["summary"]["parsed"]["semantic_files"] == 1
    assert off.json()["summary"]["parsed"].get("semantic_files", 0) == 0


def test_semantic_sites_are_marked_and_named_like_syntax_sites():
    stats = ParseStats()
    path = str(GUEST / "time.c")
    facts = analyse(path, (GUEST / "time.c").read_text(), stats, semantic=_semantic_layer())
    by_line = {site.site.line: site for site in facts.legacy_indexes}
    assert sorted(by_line) == [28, 39, 47, 58]
    assert all(site.via_alias for site in by_line.values())
    assert (by_line[39].base, by_line[39].index, by_line[39].text) == \
        ("clk->page", "clk->cpu", "clk->page->vcpu_info[clk->cpu]")
    assert by_line[28].site.function == "upcall_pending"
    assert stats.semantic_files == 1 and not stats.semantic_failures


def test_a_site_both_layers_see_is_reported_once():
    run = xenlint("check", str(GUEST / "xen.c"), "--compile-commands", str(DATABASE),
                  "--format", "json")
    findings = [(f["rule"], f["line"], f["column"]) for f in run.json()["findings"]]
    assert findings.count(("XL101", 18, 12)) == 1  # XEN_shared_info->vcpu_info[cpu]
    assert findings.count(("XL101", 19, 12)) == 1  # s->vcpu_info[cpu], s a local alias
    stats = ParseStats()
    facts = analyse(str(GUEST / "xen.c"), (GUEST / "xen.c").read_text(), stats,
                    semantic=_semantic_layer())
    assert stats.semantic_files == 1 and not stats.semantic_failures
    positions = [(s.site.line, s.site.col) for s in facts.legacy_indexes]
    assert len(positions) == len(set(positions)) == 4
    # the two both layers see keep the syntax layer's verdict on aliasing
    assert {(s.site.line, s.via_alias) for s in facts.legacy_indexes if s.site.line in (18, 19)} == \
        {(18, False), (19, True)}


def test_semantic_sites_get_guards_from_the_syntax_tree():
    # both fallbacks reach the page through a parameter; only one is bounded
    run = xenlint("check", str(GUEST / "xen.c"), "--compile-commands", str(DATABASE),
                  "--format", "json")
    hits = _hits(run)
    assert ("XL102", "xen.c", 32, 28) in hits
    assert not any(line == 26 for _, _, line, _ in hits)  # BUG_ON(id >= XEN_LEGACY_MAX_VCPUS)
    assert not any(rule == "XL101" and line in (26, 32) for rule, _, line, _ in hits)
    off = xenlint("check", str(GUEST / "xen.c"), "--no-compile-commands", "--format", "json")
    assert ("XL102", "xen.c", 32, 28) not in _hits(off)


def test_clean_file_stays_clean_with_the_semantic_layer():
    # struct shared_info pointers that never come from the shared_info page
    run = xenlint("check", str(GUEST / "clean.c"), "--compile-commands", str(DATABASE),
                  "--format", "json")
    assert run.code == 0 and run.json()["findings"] == []
    parsed = run.json()["summary"]["parsed"]
    assert parsed["semantic_files"] == 1 and parsed["semantic_failed_files"] == 0


def test_compile_errors_are_a_counted_semantic_failure_and_syntax_still_checks():
    run = xenlint("check", str(GUEST / "broken.c"), "--compile-commands", str(DATABASE), "-v")
    assert "broken.c:13:12: error:" in run.out and "[XL101]" in run.out  # syntax layer's finding
    assert "semantic layer failed: 1 compile error: broken.c:11: use of undeclared identifier" in run.out
    assert run.out.rstrip().endswith("parsed: syntax 1, semantic 1 (1 failed)")
    quiet = xenlint("check", str(GUEST / "broken.c"), "--compile-commands", str(DATABASE))
    assert "semantic 1 (1 failed)" in quiet.out and "semantic layer failed" not in quiet.out


def _private_tree(tmp_path: Path, source: str) -> Path:
    """A one-file tree using the fixture headers, with a standard (absolute) database."""
    (tmp_path / "m.c").write_text(source)
    include = TREE / "xen" / "include"
    (tmp_path / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tmp_path), "file": "m.c",
        "command": f"gcc -I{include} -include {include}/xen/config.h -O2 -c m.c -o m.o"}]))
    return tmp_path


def test_function_bodies_libclang_drops_are_a_semantic_failure(tmp_path):
    # The preprocessor swallows "dropped" (a macro that discards its argument);
    # "configured_out" sits in a skipped #ifdef, which is the configuration
    # speaking, not a failure.  The syntax layer checks both.
    tree = _private_tree(tmp_path, """\
#include <asm/guest.h>
#define DROP(...)

DROP(
uint8_t dropped(unsigned int cpu)
{
    return XEN_shared_info->vcpu_info[cpu].evtchn_upcall_pending;
}
)

#ifdef CONFIG_NOT_SET
uint8_t configured_out(unsigned int cpu)
{
    return XEN_shared_info->vcpu_info[cpu].evtchn_upcall_pending;
}
#endif
""")
    run = xenlint("check", str(tree), "-v")  # the database is found at the top
    assert "semantic layer: using" in run.out
    assert "semantic layer failed: libclang's AST lacks 1 function body the syntax layer sees: dropped" \
        in run.out
    assert "m.c:7:12: error:" in run.out and "m.c:14:12: error:" in run.out
    assert "semantic 1 (1 failed)" in run.out


def test_index_spelled_inside_a_function_like_macro(tmp_path):
    tree = _private_tree(tmp_path, """\
#include <asm/guest.h>
#define SLOT(c) (XEN_shared_info->vcpu_info[c])
#define PAGE (XEN_shared_info)

uint8_t via_slot(unsigned int cpu)
{
    return SLOT(cpu).evtchn_upcall_pending;
}

uint8_t via_page(unsigned int cpu)
{
    return (PAGE->vcpu_info + cpu)->evtchn_upcall_mask;
}
""")
    on = xenlint("check", str(tree / "m.c"), "--compile-commands",
                 str(tree / "compile_commands.json"), "--format", "json")
    off = xenlint("check", str(tree / "m.c"), "--no-compile-commands", "--format", "json")
    assert _hits(on) == {("XL101", "m.c", 7, 12), ("XL101", "m.c", 12, 13)}
    assert _hits(off) == set()


def test_headers_not_in_the_database_are_counted_as_syntax_only():
    run = xenlint("check", str(TREE), "--format", "json", "-v")
    doc = run.json()
    assert doc["summary"]["parsed"]["semantic_files"] == 4
    assert doc["summary"]["parsed"]["semantic_skipped_files"] == 7
    assert any("7 checked files not in compile_commands.json" in n for n in doc["notes"])


def test_no_compile_commands_turns_discovery_off():
    run = xenlint("check", str(TREE), "--no-compile-commands", "--format", "json")
    assert "semantic_files" not in run.json()["summary"]["parsed"] or \
        run.json()["summary"]["parsed"]["semantic_files"] == 0


@pytest.mark.realxen
def test_unconfigured_real_xen_file_is_a_visible_semantic_failure(real_xen_tree, tmp_path):
    # No generated config headers: libclang cannot build the file faithfully.
    xen = real_xen_tree / "xen"
    target = xen / "arch" / "x86" / "guest" / "xen" / "xen.c"
    database = tmp_path / "compile_commands.json"
    database.write_text(json.dumps([{
        "directory": str(xen), "file": str(target),
        "arguments": ["gcc", "-nostdinc", "-Iinclude", "-Iarch/x86/include", "-D__XEN__",
                      "-c", str(target)]}]))
    run = xenlint("check", str(target), "--compile-commands", str(database), "-v")
    assert run.code in (0, 1)
    assert "xen.c: semantic layer failed:" in run.out
    assert "semantic 1 (1 failed)" in run.out


def test_configured_out_function_in_a_file_without_sites_is_not_a_failure(tmp_path):
    # files that never spell vcpu_info are parsed without the macro record
    # first; a function in a skipped #ifdef must still not count as dropped
    tree = _private_tree(tmp_path, """\
#include <xen/types.h>

unsigned int built(unsigned int x)
{
    return x + 1;
}

#ifdef CONFIG_NOT_SET
unsigned int configured_out(unsigned int x)
{
    return x - 1;
}
#endif
""")
    run = xenlint("check", str(tree / "m.c"), "--compile-commands",
                  str(tree / "compile_commands.json"), "--format", "json")
    parsed = run.json()["summary"]["parsed"]
    assert parsed["semantic_files"] == 1 and parsed["semantic_failed_files"] == 0

"""The facts cache: same facts as a fresh parse, never trusted across versions,
robust to damaged entries and concurrent writers, never inside a checked tree."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
from pathlib import Path

import pytest

from analyzer import cache as cache_mod
from analyzer.cache import FactsCache, content_key
from analyzer.gather import analyse_text, gather
from analyzer.inputs.trees import DiskTree

from helpers import xenlint

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def fixture_items() -> list[tuple[str, str]]:
    tree = DiskTree([FIXTURES / "tree-before", FIXTURES / "tree-after", FIXTURES / "rules"])
    files = [f for f in tree.files if f.kind == "c"]
    assert len(files) > 10
    return [(str(Path(f.name).relative_to(FIXTURES)), tree.read_text(f.name)) for f in files]


def gather_facts(items, cache=None, jobs=1):
    """The layered facts of (path, text) items, through the gatherer."""
    return gather([p for p, _ in items], ["layered"] * len(items), lambda i: items[i][1],
                  jobs=jobs, cache=cache).facts


def file_facts(path, text):
    return analyse_text(path, text, "layered")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(folder))
    return folder


def test_cached_facts_equal_fresh_facts(cache_dir):
    items = fixture_items()
    fresh = [file_facts(path, text) for path, text in items]
    cold = FactsCache(cache_dir)
    assert gather_facts(items, cache=cold) == fresh
    assert (cold.hits, cold.misses) == (0, len(items))
    warm = FactsCache(cache_dir)
    assert gather_facts(items, cache=warm) == fresh
    assert (warm.hits, warm.misses) == (len(items), 0)


def test_same_content_at_another_path_gets_that_path(cache_dir):
    path, text = fixture_items()[0]
    cache = FactsCache(cache_dir)
    gather_facts([(path, text)], cache=cache)
    facts = gather_facts([("elsewhere/copy.c", text)], cache=cache)[0]
    assert cache.hits == 1
    assert facts == file_facts("elsewhere/copy.c", text)


def test_other_analysing_code_does_not_read_old_entries(cache_dir, monkeypatch):
    items = fixture_items()[:3]
    first = FactsCache(cache_dir)
    gather_facts(items, cache=first)
    monkeypatch.setattr(cache_mod, "_digest", "the digest of an edited front end")
    newer = FactsCache(cache_dir)
    gather_facts(items, cache=newer)
    assert newer.hits == 0 and newer.misses == 3
    assert first.folder != newer.folder


def _copy_of_the_project(tmp_path) -> Path:
    import shutil

    copy = tmp_path / "project"
    for package in ("analyzer", "rules"):
        shutil.copytree(ROOT / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_every_module_that_shapes_facts_is_in_the_cache_key(tmp_path, monkeypatch):
    """An upgrade that changes any front-end module (or a rule, or the
    checker) never reads facts or answers of the old code; commands and
    reporters (how findings are shown) do not count."""
    copy = _copy_of_the_project(tmp_path)
    packages = (copy / "analyzer", copy / "rules")
    monkeypatch.setattr(cache_mod, "_PACKAGES", packages)
    monkeypatch.setattr(cache_mod, "_digest", None)
    original = cache_mod.analysis_digest()
    shaping = sorted((copy / "analyzer" / "frontend").glob("*.py")) + [
        copy / "analyzer" / name for name in ("checker.py", "project.py", "gather.py")] + [
        copy / "rules" / "xl106_file_scope_not_static.py", copy / "analyzer" / "inputs" / "images.py"]
    assert len(shaping) >= 14
    for module in shaping:
        text = module.read_text()
        module.write_text(text + "\n# edited\n")
        monkeypatch.setattr(cache_mod, "_digest", None)
        assert cache_mod.analysis_digest() != original, module.name
        module.write_text(text)
    for module in (copy / "analyzer" / "commands" / "check.py",
                   copy / "analyzer" / "reporters" / "text_report.py"):
        module.write_text(module.read_text() + "\n# edited\n")
    monkeypatch.setattr(cache_mod, "_digest", None)
    assert cache_mod.analysis_digest() == original


def test_an_edited_front_end_never_answers_from_the_old_cache(tmp_path):
    """The reported bug: a layers.py change kept the old answer from the cache."""
    import shutil
    import subprocess
    import sys

    copy = _copy_of_the_project(tmp_path)
    shutil.copy(ROOT / "cli.py", copy / "cli.py")
    env = {**os.environ, "XENLINT_CACHE_DIR": str(tmp_path / "cache")}
    fixture = str(FIXTURES / "rules" / "xl101_bad.c")

    def findings(*extra) -> int:
        proc = subprocess.run([sys.executable, "cli.py", "check", fixture, "--format", "json", *extra],
                              cwd=copy, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        import json

        return len(json.loads(proc.stdout)["findings"])

    assert findings() == 3  # cold, fills the cache
    assert findings() == 3  # warm
    layers = copy / "analyzer" / "frontend" / "layers.py"
    edited, count = re.subn(r"^STATEMENT_WORDS = \(.*\)$", 'STATEMENT_WORDS = ("no such word",)',
                            layers.read_text(), flags=re.M)
    assert count == 1
    layers.write_text(edited)
    assert findings("--no-cache") == 0
    assert findings() == 0


def test_a_changed_file_is_parsed_again(cache_dir):
    path, text = fixture_items()[0]
    cache = FactsCache(cache_dir)
    gather_facts([(path, text)], cache=cache)
    changed = text + "\nint added_later;\n"
    facts = gather_facts([(path, changed)], cache=cache)[0]
    assert cache.hits == 0 and cache.misses == 2
    assert "added_later" in {o.name for o in facts.objects}


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "foreign-pickle", "bad-entry"])
def test_a_damaged_pack_is_a_miss_and_is_written_again(cache_dir, damage):
    path, text = fixture_items()[0]
    cache = FactsCache(cache_dir)
    gather_facts([(path, text)], cache=cache)
    [pack] = list(cache.folder.glob("*.pack"))
    blob = pack.read_bytes()
    pack.write_bytes({
        "truncate": lambda: blob[: len(blob) // 2],
        "garbage": lambda: os.urandom(200),
        "empty": lambda: b"",
        "foreign-pickle": _evil_pickle,  # would run a command if unpickled
        "bad-entry": lambda: pickle.dumps({f"layered:{content_key(text)}": _evil_pickle()}),
    }[damage]())
    again = FactsCache(cache_dir)
    assert gather_facts([(path, text)], cache=again) == [file_facts(path, text)]
    assert again.hits == 0
    third = FactsCache(cache_dir)
    gather_facts([(path, text)], cache=third)
    assert third.hits == 1


def test_many_packs_are_merged_into_one(cache_dir):
    items = fixture_items()
    for k in range(FactsCache.MAX_PACKS + 2):  # each run adds one changed file
        gather_facts([items[0], (f"edit{k}.c", f"int edited_{k};\n")], cache=FactsCache(cache_dir))
    packs = list(FactsCache(cache_dir).folder.glob("*.pack"))
    assert 1 <= len(packs) <= FactsCache.MAX_PACKS
    warm = FactsCache(cache_dir)
    gather_facts([(f"edit{k}.c", f"int edited_{k};\n") for k in range(FactsCache.MAX_PACKS + 2)],
                 cache=warm)
    assert warm.misses == 0


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def _evil_pickle() -> bytes:
    return pickle.dumps(_Evil())


def _hammer(folder: str, key: str, blob: bytes, rounds: int) -> None:
    for _ in range(rounds):  # a pack per round; every few rounds, a merge
        FactsCache(Path(folder)).add({key: blob})


def test_concurrent_writers_never_expose_a_partial_pack(cache_dir):
    path, text = max(fixture_items(), key=lambda item: len(item[1]))
    expected = file_facts(path, text)
    key = content_key(text)
    blob = cache_mod.encode(expected)
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_hammer, args=(str(cache_dir), key, blob, 100)) for _ in range(3)]
    for w in writers:
        w.start()
    def read_back():
        blob = FactsCache(cache_dir).get_blob(key)
        return cache_mod.decode(blob, path, text) if blob is not None else None

    seen = 0
    while any(w.is_alive() for w in writers):
        got = read_back()
        if got is not None:
            assert got == expected
            seen += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert read_back() == expected
    assert seen > 0
    assert not [p for p in cache_dir.rglob(".tmp-*")]  # no temporary file left behind
    assert len(list(cache_dir.rglob("*.pack"))) <= FactsCache.MAX_PACKS + 3


def test_an_unwritable_cache_does_not_fail_a_check(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go\n")
    cache = FactsCache(blocker)
    items = fixture_items()[:2]
    assert gather_facts(items, cache=cache) == [file_facts(p, t) for p, t in items]
    assert cache.write_errors == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_cache_folder_does_not_fail_a_check(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(folder))
    try:
        run = xenlint("check", str(FIXTURES / "tree-before"), "--format", "json")
    finally:
        folder.chmod(0o700)
    assert run.code == 1 and len(run.json()["findings"]) == 3


def test_cli_warm_run_prints_what_a_cold_run_prints(cache_dir):
    tree = str(FIXTURES / "tree-before")
    uncached = xenlint("check", tree, "--no-cache", "--format", "json")
    assert not cache_dir.exists()
    cold = xenlint("check", tree, "--format", "json")
    assert any(cache_dir.rglob("*")), "the cache folder comes from XENLINT_CACHE_DIR"
    warm = xenlint("check", tree, "--format", "json")
    assert uncached.out == cold.out == warm.out
    assert uncached.code == cold.code == warm.code


def test_cache_inside_the_checked_tree_is_not_used(tmp_path, monkeypatch):
    tree = tmp_path / "tree"
    (tree / "xen").mkdir(parents=True)
    (tree / "xen" / "a.c").write_text("unsigned long lonely_bitmap[4];\n")
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(tree / ".cache"))
    run = xenlint("check", str(tree), "-v")
    assert "XL106" in run.out
    assert "inside a checked tree" in run.out + run.err
    assert sorted(p.name for p in tree.rglob("*")) == ["a.c", "xen"]


def test_default_folder_is_the_user_cache_folder(monkeypatch):
    from platformdirs import user_cache_dir

    monkeypatch.delenv("XENLINT_CACHE_DIR", raising=False)
    assert cache_mod.default_directory() == Path(user_cache_dir("xenlint"))


# The results cache: a whole check's answer when nothing changed -------------

def small_tree(tmp_path) -> Path:
    tree = tmp_path / "tree"
    (tree / "xen").mkdir(parents=True)
    (tree / "xen" / "a.c").write_text("unsigned long lonely_bitmap[4];\nint shared_count;\n")
    (tree / "xen" / "b.c").write_text("void f(void) { shared_count++; }\n")
    (tree / "xen" / "entry.S").write_text("    call something\n")
    return tree


def hits(run) -> set[tuple[str, int]]:
    return {(f["rule"], f["line"]) for f in run.json()["findings"]}


def test_results_follow_every_input_change(tmp_path, cache_dir):
    tree = small_tree(tmp_path)
    check = ("check", str(tree), "--format", "json")
    first = xenlint(*check)
    assert hits(first) == {("XL106", 1)}
    assert list((cache_dir / "check-answers").iterdir())
    assert xenlint(*check).out == first.out
    # a checked file changes
    (tree / "xen" / "b.c").write_text("void f(void) { }\n")
    assert hits(xenlint(*check)) == {("XL106", 1), ("XL106", 2)}
    # a context (assembly) file starts using the name
    (tree / "xen" / "entry.S").write_text("    incl shared_count(%rip)\n")
    assert hits(xenlint(*check)) == {("XL106", 1)}
    # another rule selection is another answer
    assert hits(xenlint(*check, "--select", "XL101")) == set()
    # a file removed
    (tree / "xen" / "a.c").unlink()
    assert hits(xenlint(*check)) == set()


def test_results_of_other_code_are_not_used(tmp_path, cache_dir, monkeypatch):
    tree = small_tree(tmp_path)
    xenlint("check", str(tree))
    stored = list((cache_dir / "check-answers").iterdir())
    monkeypatch.setattr(cache_mod, "_digest", "another analyzer")
    xenlint("check", str(tree))
    assert len(list((cache_dir / "check-answers").iterdir())) == len(stored) + 1


def test_damaged_results_are_computed_again(tmp_path, cache_dir):
    tree = small_tree(tmp_path)
    first = xenlint("check", str(tree), "--format", "json")
    for entry in (cache_dir / "check-answers").iterdir():
        entry.write_bytes(_evil_pickle())
    assert xenlint("check", str(tree), "--format", "json").out == first.out
    for entry in (cache_dir / "check-answers").iterdir():
        entry.write_bytes(b"\x80\x05truncated")
    assert xenlint("check", str(tree), "--format", "json").out == first.out


# Unchanged files known by their status, without reading them -----------------

def aged_tree(tmp_path) -> Path:
    """small_tree with a suppressed finding, every file last modified an hour ago."""
    tree = small_tree(tmp_path)
    (tree / "xen" / "c.c").write_text(
        "int quiet_flag; /* xenlint: ignore[XL106] -- poked by the debugger */\n")
    hour_ago = os.stat(tree).st_mtime_ns - 3600 * 10**9
    for path in tree.rglob("*"):
        os.utime(path, ns=(hour_ago, hour_ago))
    return tree


def count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    real = DiskTree.read

    def counting(self, name):
        reads.append(Path(name).name)
        return real(self, name)

    monkeypatch.setattr(DiskTree, "read", counting)
    return reads


def test_an_unchanged_tree_is_answered_without_reading_unmarked_files(tmp_path, cache_dir, monkeypatch):
    tree = aged_tree(tmp_path)
    check = ("check", str(tree), "--format", "json")
    first = xenlint(*check)
    assert hits(first) == {("XL106", 1)}
    reads = count_reads(monkeypatch)
    again = xenlint(*check)
    assert again.out == first.out and again.code == first.code
    assert reads == ["c.c"]  # only the file whose suppression comment the gate must read


def test_an_edit_that_restores_the_modification_time_is_still_seen(tmp_path, cache_dir):
    tree = aged_tree(tmp_path)
    check = ("check", str(tree), "--format", "json")
    assert hits(xenlint(*check)) == {("XL106", 1)}
    b_c = tree / "xen" / "b.c"
    before = os.stat(b_c)
    b_c.write_text("void f(void) { shared_xount++; }\n")  # same size
    os.utime(b_c, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(b_c).st_size == before.st_size
    assert hits(xenlint(*check)) == {("XL106", 1), ("XL106", 2)}


def test_recently_modified_files_are_read_again(tmp_path, cache_dir, monkeypatch):
    tree = small_tree(tmp_path)  # just written: within the racy window
    check = ("check", str(tree), "--format", "json")
    first = xenlint(*check)
    reads = count_reads(monkeypatch)
    assert xenlint(*check).out == first.out
    assert sorted(reads) == ["a.c", "b.c", "entry.S"]


def test_the_status_index_sees_added_removed_and_context_files(tmp_path, cache_dir):
    tree = aged_tree(tmp_path)
    check = ("check", str(tree), "--format", "json")
    hour_ago = os.stat(tree / "xen" / "a.c").st_mtime_ns

    def aged(path: Path, text: str) -> None:  # outside the racy window: only the status tells
        path.write_text(text)
        os.utime(path, ns=(hour_ago, hour_ago))

    assert hits(xenlint(*check)) == {("XL106", 1)}
    aged(tree / "xen" / "entry.S", "    incl lonely_bitmap(%rip)\n")  # assembly starts using it
    assert hits(xenlint(*check)) == set()
    aged(tree / "xen" / "d.c", "unsigned long another_lonely[2];\n")  # a file added
    assert [Path(f["path"]).name for f in xenlint(*check).json()["findings"]] == ["d.c"]
    (tree / "xen" / "d.c").unlink()  # and removed again
    assert hits(xenlint(*check)) == set()


def test_a_touched_tree_is_answered_by_content_without_parsing(tmp_path, cache_dir, monkeypatch):
    from analyzer.frontend import layers

    tree = aged_tree(tmp_path)
    check = ("check", str(tree), "--format", "json")
    first = xenlint(*check)
    for path in tree.rglob("*.c"):
        os.utime(path)  # a checkout or a build touches files without changing them
    parsed: list[str] = []
    real = layers.file_facts
    monkeypatch.setattr(layers, "file_facts",
                        lambda path, *a, **k: parsed.append(path) or real(path, *a, **k))
    from analyzer.frontend import index

    real_index = index.index_facts
    monkeypatch.setattr(index, "index_facts",
                        lambda path, *a, **k: parsed.append(path) or real_index(path, *a, **k))
    decoded: list[str] = []
    real_decode = cache_mod.decode
    monkeypatch.setattr(cache_mod, "decode", lambda blob, path, source: decoded.append(path)
                        or real_decode(blob, path, source))
    again = xenlint(*check)
    assert again.out == first.out
    assert parsed == [] and decoded == []  # the answer by content, before any facts
    (tree / "xen" / "b.c").write_text("void f(void) { }\n")  # an edit: only that file is parsed
    assert hits(xenlint(*check)) == {("XL106", 1), ("XL106", 2)}
    assert [Path(p).name for p in parsed] == ["b.c"]


def test_a_tree_context_for_patches_is_read_back_whole(tmp_path, cache_dir, monkeypatch):
    """check-patch --tree: an unchanged tree's context facts come back in one
    read, without reading, hashing or parsing a file of the tree."""
    tree = aged_tree(tmp_path)
    patch = tmp_path / "p.diff"
    patch.write_text("--- a/xen/b.c\n+++ b/xen/b.c\n@@ -1 +1,2 @@\n void f(void) { shared_count++; }\n"
                     "+unsigned long new_lonely[2];\n")
    first = xenlint("check-patch", str(patch), "--tree", str(tree), "--format", "json")
    assert hits(first) == {("XL106", 2)}
    reads = count_reads(monkeypatch)
    again = xenlint("check-patch", str(patch), "--tree", str(tree), "--format", "json")
    assert again.out == first.out
    assert reads == ["b.c"]  # the patched file, for its pre-image

"""The facts cache: same facts as a fresh parse, never trusted across versions,
robust to damaged entries and concurrent writers, never inside a checked tree."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

import pytest

import analyzer
from analyzer import cache as cache_mod
from analyzer.cache import FactsCache, content_key
from analyzer.facts_pool import gather_facts
from analyzer.frontend.layers import file_facts
from analyzer.inputs.sources import read_source, walk_tree

from helpers import xenlint

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def fixture_items() -> list[tuple[str, str]]:
    files = walk_tree(FIXTURES / "tree-before")[0] + walk_tree(FIXTURES / "tree-after")[0] \
        + walk_tree(FIXTURES / "rules")[0]
    assert len(files) > 10
    return [(str(p.relative_to(FIXTURES)), read_source(p)) for p in files]


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


def test_a_new_version_does_not_read_old_entries(cache_dir, monkeypatch):
    items = fixture_items()[:3]
    first = FactsCache(cache_dir)
    gather_facts(items, cache=first)
    monkeypatch.setattr(analyzer, "__version__", analyzer.__version__ + ".post1")
    newer = FactsCache(cache_dir)
    gather_facts(items, cache=newer)
    assert newer.hits == 0 and newer.misses == 3
    monkeypatch.setattr(cache_mod, "FACTS_SCHEMA", cache_mod.FACTS_SCHEMA + 1)
    other_schema = FactsCache(cache_dir)
    gather_facts(items, cache=other_schema)
    assert other_schema.hits == 0
    assert len({first.folder, newer.folder, other_schema.folder}) == 3


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
        "bad-entry": lambda: pickle.dumps({content_key(text): _evil_pickle()}),
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
        cache = FactsCache(Path(folder))
        cache.put_blob(key, blob)
        cache.flush()


def test_concurrent_writers_never_expose_a_partial_pack(cache_dir):
    path, text = max(fixture_items(), key=lambda item: len(item[1]))
    expected = file_facts(path, text)
    key = content_key(text)
    blob = cache_mod.encode(expected)
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_hammer, args=(str(cache_dir), key, blob, 100)) for _ in range(3)]
    for w in writers:
        w.start()
    seen = 0
    while any(w.is_alive() for w in writers):
        got = FactsCache(cache_dir).get(key, path, text)
        if got is not None:
            assert got == expected
            seen += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert FactsCache(cache_dir).get(key, path, text) == expected
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
    assert list((cache_dir / "results").iterdir())
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
    from analyzer import results_cache

    tree = small_tree(tmp_path)
    xenlint("check", str(tree))
    stored = list((cache_dir / "results").iterdir())
    monkeypatch.setattr(results_cache, "_code_digest", "another analyzer")
    xenlint("check", str(tree))
    assert len(list((cache_dir / "results").iterdir())) == len(stored) + 1


def test_damaged_results_are_computed_again(tmp_path, cache_dir):
    tree = small_tree(tmp_path)
    first = xenlint("check", str(tree), "--format", "json")
    for entry in (cache_dir / "results").iterdir():
        entry.write_bytes(_evil_pickle())
    assert xenlint("check", str(tree), "--format", "json").out == first.out
    for entry in (cache_dir / "results").iterdir():
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
    from analyzer import checker
    from analyzer.inputs import sources

    reads: list[str] = []

    def counting(path):
        reads.append(Path(path).name)
        return sources.decode_source(sources.read_input(Path(path)), str(path))

    monkeypatch.setattr(checker, "read_source", counting)
    monkeypatch.setattr(sources, "read_source", counting)
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
    assert sorted(reads) == ["a.c", "b.c"]


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
    monkeypatch.setattr(layers, "file_facts", lambda path, *a: parsed.append(path) or real(path, *a))
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

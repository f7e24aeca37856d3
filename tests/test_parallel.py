"""-j N: the same findings, in the same order, whatever the number of processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer import gather as gather_mod
from analyzer.gather import MIN_FILES_FOR_WORKERS, analyse_text, gather
from analyzer.inputs.trees import DiskTree

from helpers import xenlint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def many_items() -> list[tuple[str, str]]:
    tree = DiskTree([FIXTURES])
    items = [(str(Path(f.name).relative_to(FIXTURES)), tree.read_text(f.name))
             for f in tree.files if f.kind == "c"]
    copies = -(-2 * MIN_FILES_FOR_WORKERS // len(items))  # enough to start the pool
    return [(f"copy{k}/{path}", text) for k in range(copies) for path, text in items]


def gather_facts(items, jobs=1, cache=None):
    return gather([p for p, _ in items], ["layered"] * len(items), lambda i: items[i][1],
                  sizes=[len(t) for _, t in items], jobs=jobs, cache=cache).facts


def test_pool_facts_equal_in_process_facts_in_input_order():
    items = many_items()
    assert len(items) >= MIN_FILES_FOR_WORKERS
    serial = gather_facts(items, jobs=1)
    assert serial == [analyse_text(path, text, "layered") for path, text in items]
    assert gather_facts(items, jobs=2) == serial
    assert gather_facts(items, jobs=3) == serial


def test_pool_fills_the_cache_for_the_next_run(tmp_path):
    from analyzer.cache import FactsCache

    items = many_items()
    gather_facts(items, jobs=2, cache=FactsCache(tmp_path))
    warm = FactsCache(tmp_path)
    assert gather_facts(items, jobs=2, cache=warm) == gather_facts(items, jobs=1)
    assert warm.misses == 0 and warm.hits == len(items)


def test_a_dead_worker_has_its_share_analysed_in_this_process(monkeypatch):
    import os

    items = many_items()
    serial = gather_facts(items, jobs=1)
    parent, real = os.getpid(), gather_mod._Job.encoded

    def dies_in_a_worker(self, i):
        if os.getpid() != parent:
            os._exit(9)  # as a worker killed by the kernel
        return real(self, i)

    monkeypatch.setattr(gather_mod._Job, "encoded", dies_in_a_worker)
    assert gather_facts(items, jobs=2) == serial


@pytest.mark.parametrize("value", ["0", "-2"])
def test_jobs_must_be_positive(value):
    run = xenlint("check", str(FIXTURES / "tree-before"), "-j", value)
    assert run.code == 2
    assert "--jobs" in run.err and "Traceback" not in run.err


@pytest.mark.realxen
def test_real_tree_findings_do_not_depend_on_workers(real_xen_tree):
    part = str(real_xen_tree / "xen" / "arch" / "x86")
    one = xenlint("check", part, "--no-cache", "-j", "1", "--format", "json")
    two = xenlint("check", part, "--no-cache", "-j", "2", "--format", "json")
    assert one.json()["summary"]["files"] > MIN_FILES_FOR_WORKERS
    assert one.out == two.out
    assert one.code == two.code


def test_an_unreadable_file_met_by_a_worker_is_one_line_error(tmp_path, monkeypatch):
    import os

    tree = tmp_path / "tree"
    (tree / "xen").mkdir(parents=True)
    for k in range(2 * MIN_FILES_FOR_WORKERS):
        (tree / "xen" / f"f{k:03}.c").write_text(f"static int v{k};\n" * (k + 1))
    (tree / "xen" / "zz_binary.c").write_bytes(b"\x7fELF\0\0\0" * 4096)  # the largest: queued first
    parent, real = os.getpid(), DiskTree.read
    met_in: list[str] = []

    def read(self, name):
        if name.endswith("zz_binary.c"):
            met_in.append("parent" if os.getpid() == parent else "worker")
        return real(self, name)

    monkeypatch.setattr(DiskTree, "read", read)
    for jobs in ("1", "2"):
        run = xenlint("check", str(tree), "--no-cache", "-j", jobs)
        assert run.code == 2
        assert "zz_binary.c" in run.err and "binary" in run.err
        assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1
    assert met_in == ["parent"], "with -j 2 a worker meets it, and this process never reads it"

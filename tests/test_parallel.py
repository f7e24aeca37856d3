"""-j N: the same findings, in the same order, whatever the number of workers."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from analyzer import facts_pool, workers
from analyzer.facts_pool import MIN_FILES_FOR_WORKERS, gather_facts
from analyzer.workers import TaskQueue
from analyzer.frontend.layers import file_facts
from analyzer.inputs.sources import read_source, walk_tree

from helpers import xenlint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def many_items() -> list[tuple[str, str]]:
    files = walk_tree(FIXTURES)[0]
    items = [(str(p.relative_to(FIXTURES)), read_source(p)) for p in files]
    copies = -(-2 * MIN_FILES_FOR_WORKERS // len(items))  # enough to start the pool
    return [(f"copy{k}/{path}", text) for k in range(copies) for path, text in items]


def test_pool_facts_equal_in_process_facts_in_input_order():
    items = many_items()
    assert len(items) >= MIN_FILES_FOR_WORKERS
    serial = gather_facts(items, jobs=1)
    assert serial == [file_facts(path, text) for path, text in items]
    assert gather_facts(items, jobs=2) == serial
    assert gather_facts(items, jobs=3) == serial


def test_pool_fills_the_cache_for_the_next_run(tmp_path):
    from analyzer.cache import FactsCache

    items = many_items()
    gather_facts(items, jobs=2, cache=FactsCache(tmp_path))
    warm = FactsCache(tmp_path)
    assert gather_facts(items, jobs=2, cache=warm) == gather_facts(items, jobs=1)
    assert warm.misses == 0


def test_a_failed_worker_has_its_share_analysed_in_process(monkeypatch):
    import pickle

    class WorkersCannotSend:
        loads = staticmethod(pickle.loads)

        @staticmethod
        def dumps(*args, **kwargs):  # only the workers send: they all fail
            raise RuntimeError("worker lost")

    items = many_items()
    serial = gather_facts(items, jobs=1)
    monkeypatch.setattr(facts_pool, "pickle", WorkersCannotSend)
    assert gather_facts(items, jobs=3) == serial


def test_task_queue_hands_each_task_to_exactly_one_process():
    import pickle

    queue = TaskQueue()
    assert queue.capacity >= 128
    queue.fill(500 if queue.capacity >= 500 else queue.capacity)
    worker = workers.Worker(lambda send, inbox: send(pickle.dumps(list(queue))))
    mine = list(queue)
    queue.close()
    messages, succeeded = worker.finish()
    assert succeeded and len(messages) == 1
    theirs = pickle.loads(messages[0])
    assert sorted(mine + theirs) == list(range(min(500, queue.capacity)))


def test_a_worker_hears_this_process_and_sees_the_end_of_its_inbox():
    def echo(send, inbox):
        for message in inbox.wait():
            send(b"heard " + message)
        inbox.drain()  # returns once this process stops telling
        send(b"ended")

    def hung(*_):
        raise TimeoutError("a worker never saw the end of its inbox")

    first, second = workers.Worker(echo), workers.Worker(echo)  # the second must not hold the first's pipe
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        first.tell(b"one")
        assert first.finish() == ([b"heard one", b"ended"], True)
        second.tell(b"two")
        assert second.finish() == ([b"heard two", b"ended"], True)
    finally:
        first.stop()
        second.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


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
    import time

    from analyzer.frontend import identifiers

    tree = tmp_path / "tree"
    (tree / "xen").mkdir(parents=True)
    for k in range(2 * MIN_FILES_FOR_WORKERS):
        (tree / "xen" / f"f{k:03}.c").write_text(f"static int v{k};\n" * (k + 1))
    (tree / "xen" / "zz_binary.c").write_bytes(b"\x7fELF\0\0\0" * 4096)  # the largest: queued first
    (tree / "xen" / "entry.S").write_text("    ret\n")
    parent, real = os.getpid(), identifiers.spelled_identifiers

    def slow_in_parent(text):  # this process reads the context files first: the worker
        if os.getpid() == parent:  # takes the first task, the binary file
            time.sleep(0.3)
        return real(text)

    monkeypatch.setattr(identifiers, "spelled_identifiers", slow_in_parent)
    for jobs in ("1", "2"):
        run = xenlint("check", str(tree), "--no-cache", "-j", jobs)
        assert run.code == 2
        assert "zz_binary.c" in run.err and "binary" in run.err
        assert "Traceback" not in run.err and len(run.err.strip().splitlines()) == 1


def test_files_are_grouped_into_tasks_when_the_pipe_is_small(monkeypatch):
    monkeypatch.setattr(workers, "_pipe_size", lambda fd: 40)  # the pipe holds ten numbers
    items = many_items()
    assert len(items) > 10
    assert gather_facts(items, jobs=2) == gather_facts(items, jobs=1)


# The search for the names rules ask about (spellers.py), done by the processes
# while they gather, must find what the project's own pass over every file finds.

def spellers_by_search(items, jobs: int) -> dict[str, set[str]] | None:
    from analyzer.facts_pool import gather_texts
    from analyzer.project import QUESTION

    gathered = gather_texts(items, jobs=jobs, question=QUESTION)
    search = gathered.spellers
    if search is None:
        return None
    assert sorted(search.searched) == list(range(len(items)))  # every file, once
    return {name: {items[i][0] for i in search.found.get(name, ())} for name in search.names}


def spellers_by_project(items) -> dict[str, set[str]]:
    from analyzer.project import ProjectFacts, asked_names

    project = ProjectFacts(whole_tree=True)
    for facts in gather_facts(items, jobs=1):
        project.add(facts)
    names = {name for facts in project.files.values() for name in asked_names(facts)}
    project.index_uses(names)
    return {name: set(project._spellers[name]) for name in names}


def test_search_while_gathering_finds_what_the_project_finds():
    items = many_items()
    expected = spellers_by_project(items)
    assert expected and any(len(paths) > 1 for paths in expected.values())
    assert spellers_by_search(items, jobs=2) == expected
    assert spellers_by_search(items, jobs=3) == expected
    assert spellers_by_search(items, jobs=1) is None  # one process: the project searches


def test_a_worker_failing_after_the_names_leaves_its_files_to_this_process(monkeypatch):
    import pickle

    class SpellersCannotBeSent:
        loads = staticmethod(pickle.loads)

        @staticmethod
        def dumps(obj, *args, **kwargs):
            if isinstance(obj, tuple) and obj[0] == "spellers":
                raise RuntimeError("worker lost")
            return pickle.dumps(obj, *args, **kwargs)

    items = many_items()
    expected = spellers_by_project(items)
    monkeypatch.setattr(facts_pool, "pickle", SpellersCannotBeSent)
    assert spellers_by_search(items, jobs=2) == expected


def test_a_worker_failing_before_the_names_leaves_the_search_to_the_project(monkeypatch):
    import os

    from analyzer.frontend import layers

    items = many_items()
    serial = gather_facts(items, jobs=1)
    parent, real = os.getpid(), layers.file_facts

    def fails_in_a_worker(path, text, *args):
        if os.getpid() != parent:
            raise RuntimeError("worker lost")  # on its first file, a .c file: names wait on it
        return real(path, text, *args)

    monkeypatch.setattr(layers, "file_facts", fails_in_a_worker)
    assert spellers_by_search(items, jobs=2) is None
    assert gather_facts(items, jobs=2) == serial

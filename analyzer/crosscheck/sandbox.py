"""Run batches of scenarios in the sandboxed harness process.

The harness gets one socket (fd 0) and nothing else; it sets its own resource
limits and enters seccomp strict mode before running extracted code. When
the process dies (killed by seccomp, a signal, a resource limit, or the wall
clock), the scenario it was running is blamed and the rest of the batch
continues in a fresh process.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.crosscheck import wire
from analyzer.model.scenario import Scenario

# CPU seconds a harness process may use: a base plus room for big batches.
# A batch's work is its events (a 64-CPU boot is 130 of them), and the
# harness runs over 100,000 events a second: the limit only stops runaways.
CPU_SECONDS_BASE = 2
EVENTS_PER_CPU_SECOND = 50_000
# The wall clock also waits for this process to read the records: about
# 20,000 events a second at the slowest (64-CPU snapshots on a loaded machine).
EVENTS_PER_WALL_SECOND = 20_000


MAX_RESTARTS = 4


def _events(scenarios: list[Scenario]) -> int:
    return sum(len(s.expanded_events()) for s in scenarios)


@dataclass
class Crash:
    scenario: Scenario
    reason: str
    # Killed for time (wall clock or RLIMIT_CPU): retrying would only hang again.
    out_of_time: bool = False


@dataclass
class BatchResult:
    runs: dict[int, tuple]              # scenario index -> (words, nev, size, stop line, path)
    crashes: list[Crash] = field(default_factory=list)
    not_run: list[int] = field(default_factory=list)
    coverage: bytes = b""
    stub_calls: list[int] = field(default_factory=list)
    printk: list[str] = field(default_factory=list)


def _describe_exit(code: int | None, timed_out: bool) -> str:
    if timed_out:
        return "hung: killed after the wall-clock limit"
    if code is None:
        return "did not exit"
    if code < 0:
        sig = -code
        if sig == signal.SIGKILL:
            return "killed (SIGKILL: a system call seccomp strict mode forbids, or a limit)"
        if sig == signal.SIGXCPU:
            return "killed on the CPU time limit (RLIMIT_CPU)"
        if sig == signal.SIGSEGV:
            return "crashed with SIGSEGV (invalid memory access)"
        try:
            return f"killed by {signal.Signals(sig).name}"
        except ValueError:
            return f"killed by signal {sig}"
    return {3: "output pipe failed", 4: "input ended early", 5: "could not enter seccomp",
            6: "bad input header", 7: "rejected a scenario"}.get(code, f"exited with status {code}")


def _run_once(binary: Path, scenarios: list[Scenario], timeout: float, paths: bool):
    cpu_seconds = CPU_SECONDS_BASE + _events(scenarios) // EVENTS_PER_CPU_SECOND
    parent, child = socket.socketpair()
    try:
        proc = subprocess.Popen([str(binary), str(cpu_seconds)], stdin=child,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                close_fds=True, start_new_session=True)
    finally:
        child.close()
    nonce = wire.new_nonce()
    payload = wire.encode_batch(scenarios, nonce, paths)

    def send():
        try:
            parent.sendall(payload)
        except OSError:
            pass   # the harness died; the reader reports it

    writer = threading.Thread(target=send, daemon=True)
    writer.start()
    reader = wire.Reader(nonce, [(len(s.expanded_events()), wire.record_size(s)) for s in scenarios],
                         paths)
    corrupt = None
    deadline = time.monotonic() + timeout
    timed_out = False
    with selectors.DefaultSelector() as sel:
        sel.register(parent, selectors.EVENT_READ)
        while not reader.done:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if not sel.select(min(left, 1.0)):
                continue
            try:
                data = parent.recv(1 << 20)
            except OSError:
                break   # the harness died (reset): the exit status says how
            if not data:
                break
            try:
                reader.feed(data)
            except wire.Corrupt as exc:
                corrupt = str(exc)
                break
    if timed_out or corrupt or not reader.done:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
    parent.close()
    writer.join(timeout=1)
    reason = None
    if corrupt:
        reason = f"corrupted the result stream ({corrupt})"
    elif not reader.done or code != 0:
        reason = _describe_exit(code if not timed_out else None, timed_out)
    return reader, reason


def run_batch(binary: Path, scenarios: list[Scenario], *, timeout: float | None = None,
              paths: bool = False) -> BatchResult:
    """Run `scenarios`; with `paths`, each run also records its path (branches and effects)."""
    result = BatchResult(runs={})
    pending = list(range(len(scenarios)))
    restarts = 0
    while pending:
        batch = [scenarios[i] for i in pending]
        budget = timeout or CPU_SECONDS_BASE + 2.0 + _events(batch) / EVENTS_PER_WALL_SECOND
        reader, reason = _run_once(binary, batch, budget, paths)
        for local, words, nev, size, line, path in reader.results:
            result.runs[pending[local]] = (words, nev, size, line, path)
        if reader.done:
            result.coverage = _merge(result.coverage, reader.coverage)
            result.stub_calls = _add(result.stub_calls, reader.stub_calls)
            result.printk = sorted(set(result.printk) | set(reader.printk))
        if reason is None:
            break
        done = len(reader.results)
        if done >= len(pending):
            break
        out_of_time = reason.startswith(("hung", "killed on the CPU time limit"))
        result.crashes.append(Crash(scenarios[pending[done]], reason, out_of_time))
        pending = pending[done + 1:]
        restarts += 1
        if restarts > MAX_RESTARTS or out_of_time:
            result.not_run = pending
            break
    return result


def _merge(a: bytes, b: bytes) -> bytes:
    if not a:
        return b
    return bytes(x | y for x, y in zip(a, b))


def _add(a: list[int], b: list[int]) -> list[int]:
    if not a:
        return list(b)
    return [x + y for x, y in zip(a, b)]

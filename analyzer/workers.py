"""Forked worker processes and the queue they share: the process machinery
of facts_pool, which knows nothing of C or facts.

* TaskQueue: task numbers in a pipe; every process takes the next one.
* Worker: a forked process that runs a function and hands its bytes back.

Fork, not spawn: a worker inherits the parent's loaded modules and data, so
nothing is imported or sent again.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator


class TaskQueue:
    """Task numbers in a pipe, shared by forked processes.

    ``fill`` writes every number before any process reads, so a reader meets
    either a whole 4-byte number or the end, and the kernel hands each number
    to exactly one reader.  Nothing reads while the numbers are written, so
    they must fit the pipe: ``capacity`` says how many do (16,384 in Linux's
    usual 64 KiB pipe; the caller groups files into fewer tasks beyond that).
    """

    def __init__(self):
        self.read_end, self.write_end = os.pipe()
        self.capacity = _pipe_size(self.write_end) // 4

    def fill(self, count: int) -> None:
        if count > self.capacity:
            raise ValueError(f"at most {self.capacity} tasks, not {count}")
        data = memoryview(b"".join(k.to_bytes(4, "little") for k in range(count)))
        while data:
            data = data[os.write(self.write_end, data):]

    def __iter__(self) -> Iterator[int]:
        # Each process closes its copy of the writing end before reading, or
        # the pipe would never report its end.
        self._close_writer()
        while True:
            data = os.read(self.read_end, 4)
            if len(data) < 4:
                return
            yield int.from_bytes(data, "little")

    def _close_writer(self) -> None:
        if self.write_end is not None:
            os.close(self.write_end)
            self.write_end = None

    def close(self) -> None:
        self._close_writer()
        os.close(self.read_end)


def _pipe_size(fd: int) -> int:
    """Bytes a pipe holds: asked of Linux; elsewhere the least POSIX promises
    for one write (a pipe holds at least that much)."""
    try:
        import fcntl

        return fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)
    except (ImportError, AttributeError, OSError):
        return 512


class Worker:
    """A forked process that runs ``work`` and hands its bytes back through a pipe."""

    def __init__(self, work: Callable[[], bytes]):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never return into the caller's code
            status = 1
            try:
                os.close(read_end)
                data = work()
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.read_end = read_end

    def stop(self) -> None:
        os.close(self.read_end)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)

    def result(self) -> bytes | None:
        """The worker's bytes, or None if it failed."""
        with os.fdopen(self.read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 else None

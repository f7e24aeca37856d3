"""Forked worker processes and the queue they share: the process machinery
of facts_pool, which knows nothing of C or facts.

* TaskQueue: task numbers in a pipe; every process takes the next one.
* Worker: a forked process that runs a function and sends messages back
  as it goes.

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
    """A forked process that runs ``work(send)``: each ``send(bytes)`` reaches
    this process as one message while the worker goes on.

    ``poll`` takes the messages that arrived, never waiting, so this process
    can use them between tasks of its own; ``finish`` waits for the rest.  A
    worker that fails part-way leaves whole the messages it sent before.
    """

    def __init__(self, work: Callable[[Callable[[bytes], None]], None]):
        read_end, write_end = os.pipe()
        _grow(write_end)
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never return into the caller's code
            status = 1
            try:
                os.close(read_end)
                work(lambda data: _write_all(write_end, len(data).to_bytes(8, "little") + data))
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.read_end = read_end
        os.set_blocking(read_end, False)
        self._pending = bytearray()
        self._ended = False

    def poll(self) -> list[bytes]:
        """The messages that arrived whole so far, without waiting."""
        while not self._ended:
            try:
                chunk = os.read(self.read_end, _CHUNK)
            except BlockingIOError:
                break
            self._take(chunk)
        return self._messages()

    def finish(self) -> tuple[list[bytes], bool]:
        """The messages still to come, once the worker has ended, and whether it succeeded."""
        os.set_blocking(self.read_end, True)
        while not self._ended:
            self._take(os.read(self.read_end, _CHUNK))
        os.close(self.read_end)
        _, status = os.waitpid(self.pid, 0)
        return self._messages(), os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        os.close(self.read_end)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)

    def _take(self, chunk: bytes) -> None:
        if chunk:
            self._pending += chunk
        else:
            self._ended = True

    def _messages(self) -> list[bytes]:
        messages, start, pending = [], 0, self._pending
        while len(pending) - start >= 8:
            size = int.from_bytes(pending[start:start + 8], "little")
            if len(pending) - start - 8 < size:
                break
            messages.append(bytes(pending[start + 8:start + 8 + size]))
            start += 8 + size
        del pending[:start]
        return messages


_CHUNK = 1 << 20


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _grow(fd: int) -> None:
    """Let a result pipe hold 1 MiB (Linux's limit for a user), so a worker
    rarely waits while this process is busy with a file of its own."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass

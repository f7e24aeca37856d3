"""Forked worker processes and the queue they share: the process machinery
of facts_pool, which knows nothing of C or facts.

* TaskQueue: task numbers in a pipe; every process takes the next one.
* Worker: a forked process that runs a function; messages go both ways
  while it runs (Inbox at each end).

Fork, not spawn: a worker inherits the parent's loaded modules and data, so
nothing is imported or sent again.
"""

from __future__ import annotations

import os
import select
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


class Inbox:
    """Framed messages arriving on the reading end of a pipe."""

    def __init__(self, fd: int):
        self.fd = fd
        os.set_blocking(fd, False)
        self._pending = bytearray()
        self.ended = False  # the writing end is closed and everything was read

    def poll(self) -> list[bytes]:
        """The messages that arrived whole so far, without waiting."""
        while not self.ended:
            try:
                chunk = os.read(self.fd, _CHUNK)
            except BlockingIOError:
                break
            if chunk:
                self._pending += chunk
            else:
                self.ended = True
        return self._messages()

    def wait(self) -> list[bytes]:
        """At least one message, waiting for it: none only once the writer has ended."""
        messages = self.poll()
        while not messages and not self.ended:
            select.select([self.fd], [], [])
            messages = self.poll()
        return messages

    def drain(self) -> list[bytes]:
        """Every message still to come, waiting for the writer to end."""
        messages: list[bytes] = []
        while not self.ended:
            messages += self.wait()
        return messages

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


def send_message(fd: int, data: bytes) -> None:
    """One framed message, written whole (waiting while the pipe is full)."""
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


class Worker:
    """A forked process that runs ``work(send, inbox)``.

    Each ``send(bytes)`` reaches this process as one message while the worker
    goes on: ``inbox.poll`` takes what arrived, never waiting, so this process
    can use it between tasks of its own; ``finish`` waits for the rest.  A
    worker that fails part-way leaves whole the messages it sent before.
    ``tell(bytes)`` reaches the worker's ``inbox`` the same way.
    """

    def __init__(self, work: Callable[[Callable[[bytes], None], Inbox], None]):
        from_worker, to_parent = os.pipe()
        from_parent, to_worker = os.pipe()
        _grow(to_parent)
        _grow(to_worker)  # tell() then rarely waits for the worker to read
        self.pid: int | None = os.fork()
        if self.pid == 0:  # the worker: never return into the caller's code
            status = 1
            try:
                # Ends held for earlier workers: a copy of one's writing end
                # here would keep it from ever seeing the end of its inbox.
                for fd in (from_worker, to_worker, *_PARENT_ENDS):
                    os.close(fd)
                _PARENT_ENDS.clear()
                work(lambda data: send_message(to_parent, data), Inbox(from_parent))
                status = 0
            finally:
                os._exit(status)
        os.close(to_parent)
        os.close(from_parent)
        self.inbox = Inbox(from_worker)
        self._to_worker: int | None = to_worker
        _PARENT_ENDS.update((from_worker, to_worker))

    def tell(self, data: bytes) -> None:
        """Send ``data`` to the worker; lost if it has ended."""
        if self._to_worker is not None:
            try:
                send_message(self._to_worker, data)
            except BrokenPipeError:
                pass

    def finish(self) -> tuple[list[bytes], bool]:
        """The messages still to come, once the worker has ended, and whether it succeeded."""
        self._close_to_worker()  # a worker waiting on its inbox sees the end
        messages = self.inbox.drain()
        self._close(self.inbox.fd)
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return messages, os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        """End the worker now, unless it was finished."""
        if self.pid is None:
            return
        self._close_to_worker()
        self._close(self.inbox.fd)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        self.pid = None

    def _close_to_worker(self) -> None:
        if self._to_worker is not None:
            self._close(self._to_worker)
            self._to_worker = None

    @staticmethod
    def _close(fd: int) -> None:
        if fd in _PARENT_ENDS:
            os.close(fd)
            _PARENT_ENDS.discard(fd)


def wait_any(workers: list[Worker]) -> None:
    """Wait until one of ``workers`` has sent something or ended."""
    fds = [w.inbox.fd for w in workers if not w.inbox.ended]
    if fds:
        select.select(fds, [], [])


# This process's ends of the pipes of workers still running.
_PARENT_ENDS: set[int] = set()
_CHUNK = 1 << 20


def _grow(fd: int) -> None:
    """Let a pipe hold 1 MiB (Linux's limit for a user), so a worker rarely
    waits while this process is busy with a file of its own, and this
    process rarely waits for a worker busy with one of its own."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass

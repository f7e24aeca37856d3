"""Input files named on the command line: patches, mails, configuration, baselines."""

from __future__ import annotations

from pathlib import Path

from analyzer.errors import InputError

# A patch, a thread or a configuration larger than this is not one a person
# wrote: reading stops there (a named pipe or /dev/zero would never end).
MAX_INPUT_BYTES = 64 << 20


def read_input(path: Path, directory: str = "is a directory", limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of an input file (a pipe too: process substitution gives
    one); an unreadable or oversized one is an InputError naming it."""
    try:
        with open(path, "rb") as file:  # Path.read_bytes adds a third to a small file's cost
            data = file.read(limit + 1)
    except IsADirectoryError:
        raise InputError(str(path), directory) from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise InputError(str(path), f"larger than {limit >> 20} MiB; not read")
    return data


def read_stream(stream, name: str = "<stdin>", limit: int = MAX_INPUT_BYTES) -> bytes:
    """All of a binary stream (standard input), up to ``limit`` bytes."""
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise InputError(name, f"larger than {limit >> 20} MiB; not read")
    return data

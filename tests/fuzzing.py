"""A seeded mutator of xenlint's inputs, shared by the fuzz test and bench/fuzz.py.

Each case is a command line and the files it reads, made from the project's
own fixtures by one mutation of the kinds a fuzzer or an attacker tries:
truncation, byte flips, huge numbers in hunk headers, bytes that are not
UTF-8, CR/LF and encoded words in mail headers, broken MIME, and trees
holding a FIFO, a link to a device, links that loop or lead out.  The same
seed gives the same cases.
"""

from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED_PAGE = ROOT.parent / "shared" / "seeds" / "000_1ff9c2d8a882b65e.txt"

PATCHES = [FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-rfc.patch",
           FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-v2.diff",
           FIXTURES / "threads" / "thread.mbox"]
C_FILES = sorted((FIXTURES / "rules").glob("*.c")) + [FIXTURES / "model" / "reference.c",
                                                     FIXTURES / "tree-after/xen/arch/x86/guest/xen.c"]
COMMANDS = ("check", "check-patch", "check-patch --tree", "review", "review --tree", "model")


@dataclass
class Case:
    name: str  # what was done, for a failure's message
    command: str  # one of COMMANDS
    argv: list[str]


def _mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(("truncate", "flip", "huge-hunk", "not-utf8", "crlf-header", "broken-mime",
                       "duplicate", "delete-lines", "huge-count"))
    lines = data.split(b"\n")
    if kind == "truncate":
        return kind, data[:rng.randrange(len(data) + 1)]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            if out:
                out[rng.randrange(len(out))] = rng.randrange(256)
        return kind, bytes(out)
    if kind in ("huge-hunk", "huge-count"):
        hunks = [i for i, line in enumerate(lines) if line.startswith(b"@@ ")]
        if hunks:
            i = rng.choice(hunks)
            big = rng.choice((10**8, 99999999, 2**31 - 1, 2**63, 10**30))
            lines[i] = (b"@@ -%d,%d +%d,%d @@" % (big, 3, big, 4) if kind == "huge-hunk"
                        else b"@@ -1,%d +1,%d @@" % (big, big))
        return kind, b"\n".join(lines)
    if kind == "not-utf8":
        i = rng.randrange(len(lines))
        lines[i] = lines[i] + bytes([0xFF, 0xFE, 0xC3, 0x28, 0x80])
        return kind, b"\n".join(lines)
    if kind == "crlf-header":
        headers = [i for i, line in enumerate(lines[:40]) if line[:5] in (b"From:", b"Subje", b"To: ", b"Cc: ")]
        i = rng.choice(headers) if headers else 0
        lines[i] = lines[i] + rng.choice((b" =?utf-8?q?x=0D=0ABcc=3A_a=40b?=", b"\r\nX-Injected: 1",
                                          b" =?utf-8?b?AAAA?=", b" =?bogus-charset?q?x?="))
        return kind, b"\n".join(lines)
    if kind == "broken-mime":
        head = (b"Content-Type: multipart/mixed\nContent-Transfer-Encoding: base64\n"
                b"MIME-Version: 1.0\n")
        return kind, (lines[0] + b"\n" + head + b"\n".join(lines[1:])) if lines else head
    if kind == "duplicate":
        i, j = sorted(rng.randrange(len(lines) + 1) for _ in range(2))
        return kind, b"\n".join(lines[:j] + lines[i:j] + lines[j:])
    i, j = sorted(rng.randrange(len(lines) + 1) for _ in range(2))
    return "delete-lines", b"\n".join(lines[:i] + lines[j:])


def odd_tree(where: Path, rng: random.Random) -> Path:
    """tree-before with special files planted in it."""
    tree = where / "tree"
    shutil.copytree(FIXTURES / "tree-before", tree, symlinks=True)
    guest = tree / "xen" / "arch" / "x86" / "guest"
    plants = rng.sample(("fifo", "zero", "loop", "dangling", "out", "dir-out"), k=rng.randint(1, 4))
    for plant in plants:
        if plant == "fifo":
            os.mkfifo(guest / "fifo.c")
        elif plant == "zero":
            (guest / "zero.c").symlink_to("/dev/zero")
        elif plant == "loop":
            (guest / "loop.c").symlink_to(guest / "loop.c")
        elif plant == "dangling":
            (guest / "gone.c").symlink_to(where / "nothing-here.c")
        elif plant == "out":
            (guest / "out.c").symlink_to("/etc/hostname")
        else:
            (guest / "away").symlink_to("/etc")
    return tree


def cases(seed: int, count: int, work: Path, *, model_every: int = 8) -> list[Case]:
    """``count`` cases; their files are written under ``work``."""
    rng = random.Random(seed)
    sources = PATCHES + ([SEED_PAGE] if SEED_PAGE.is_file() else [])
    out: list[Case] = []
    tree = odd_tree(work, rng)
    for k in range(count):
        command = COMMANDS[k % len(COMMANDS)]
        if command == "model" and k % (len(COMMANDS) * model_every) != len(COMMANDS) - 1:
            command = "check-patch"  # the model compiles: only every few cases
        source = rng.choice(C_FILES if command in ("check", "model") and rng.random() < 0.7 else sources)
        kind, data = _mutate(source.read_bytes(), rng)
        suffix = source.suffix if source.suffix in (".c", ".patch", ".diff", ".mbox") else ".txt"
        path = work / f"case{k:05d}{suffix}"
        path.write_bytes(data)
        argv = command.split(" ", 1)[0:1] + [str(path)]
        if command.endswith("--tree"):
            argv += ["--tree", str(tree)]
        if command == "check":
            argv += ["--no-cache"]
        out.append(Case(f"{kind} of {source.name} through {command}", command, argv))
    return out

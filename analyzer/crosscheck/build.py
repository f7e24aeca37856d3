"""Compile a generated harness, cached by content hash in the user cache dir.

The cache lives in platformdirs' user_cache_dir("xenlint") (or
$XENLINT_CACHE_DIR), never in the checked tree. A harness is built in a
private temporary directory and moved into place atomically, so concurrent
runs never see half-written binaries.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from analyzer.crosscheck import wire
from analyzer.crosscheck.harness_gen import c_source
from analyzer.errors import ToolMissing

CFLAGS = ["-std=gnu11", "-O1", "-w", "-fno-strict-aliasing", "-fwrapv", "-fno-stack-protector",
          "-Wl,-z,now"]


class BuildFailed(Exception):
    """The generated harness does not compile; `message` has the first errors."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def compiler() -> str:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise ToolMissing("cc", "install a C compiler (e.g. apt-get install gcc) to run the model cross-check")


def _sources(harness_text: str) -> dict[str, str]:
    return {
        "wire.h": wire.c_header(),
        "abi.h": c_source("abi.h"),
        "prelude.h": c_source("prelude.h"),
        "runtime.c": c_source("runtime.c"),
        "harness.c": harness_text,
    }


def build(harness_text: str) -> Path:
    """Path of the compiled harness for `harness_text`, compiling it if needed."""
    cc = compiler()
    sources = _sources(harness_text)
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    digest.update(" ".join([cc, *CFLAGS]).encode())
    key = digest.hexdigest()[:32]
    from analyzer.cache import default_directory

    root = default_directory() / "harness"
    binary = root / key / "harness"
    if binary.is_file():
        return binary
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".build-") as tmp:
        work = Path(tmp)
        for name, text in sources.items():
            (work / name).write_text(text)
        proc = subprocess.run(
            [cc, *CFLAGS, "-I", str(work), "-o", str(work / "harness"),
             str(work / "runtime.c"), str(work / "harness.c")],
            capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            errors = [ln for ln in proc.stderr.splitlines() if "error" in ln][:3]
            raise BuildFailed("; ".join(errors) or proc.stderr.strip()[:300])
        final = root / key
        try:
            os.replace(work, final)
        except OSError:
            if not binary.is_file():   # another run won the race with a different error
                raise
        work.mkdir(exist_ok=True)      # TemporaryDirectory cleans up what it created
    return binary

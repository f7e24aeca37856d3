"""Compile a generated harness, contained, and cache it by content.

The unit holding the extracted code (vetted first: vet.py) is compiled with
``-nostdinc`` and only the harness's own headers on the include path, so
nothing of the host can be read into it; the runtime (ours, trusted) is
compiled on its own with the C library's headers, once, and linked in.
The compiler runs in a session of its own with CPU, memory, file-size and
core limits and a wall-clock timeout; on any end its whole process group is
killed, so no cc1 is left behind; its output is decoded without failing.

Harnesses are cached under the user cache folder (or $XENLINT_CACHE_DIR),
never in the checked tree: built in a private temporary folder, moved into
place atomically, and kept with the sha256 of the binary, which is checked
before every use; a damaged binary is built again.  A cache folder that
cannot be used (read-only, full, not a folder) means building in a temporary
folder for this run alone.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from analyzer.crosscheck import wire
from analyzer.crosscheck.harness_gen import c_source
from analyzer.errors import ToolMissing

CFLAGS = ["-std=gnu11", "-O1", "-w", "-fno-strict-aliasing", "-fwrapv", "-fno-stack-protector"]
LDFLAGS = ["-Wl,-z,now"]
# What the compiler may spend on one harness.
CC_CPU_SECONDS = 60
CC_MEMORY_BYTES = 2 << 30
CC_OUTPUT_BYTES = 256 << 20
CC_WALL_SECONDS = 90
MAX_MESSAGE = 300


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


def _limits() -> None:  # in the compiler's process, before exec
    import resource

    for limit, value in ((resource.RLIMIT_CPU, CC_CPU_SECONDS), (resource.RLIMIT_AS, CC_MEMORY_BYTES),
                         (resource.RLIMIT_FSIZE, CC_OUTPUT_BYTES), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


def run_compiler(args: list[str], cwd: Path) -> tuple[int, str]:
    """(exit status, output) of the compiler, contained: limits, a timeout,
    its process group killed whatever happens, output decoded leniently."""
    proc = subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, preexec_fn=_limits, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=CC_WALL_SECONDS)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        out, status = b"", None
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # cc1, as, ld: whatever is left of the group
        except (ProcessLookupError, PermissionError):
            pass
        if proc.returncode is None:
            proc.kill()
            proc.wait()
    text = out[:1 << 20].decode("utf-8", "replace")
    if status is None:
        return -1, f"the compiler ran past {CC_WALL_SECONDS} s and was stopped"
    if status < 0:
        name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
        return status, f"the compiler was stopped by {name} (a CPU, memory or output limit)"
    return status, text


def _first_errors(output: str, work: Path) -> str:
    errors = [line.replace(str(work) + "/", "") for line in output.splitlines() if "error" in line][:3]
    return ("; ".join(errors) or output.strip().replace(str(work) + "/", ""))[:MAX_MESSAGE]


def _sources(harness_text: str) -> dict[str, str]:
    return {
        "wire.h": wire.c_header(),
        "abi.h": c_source("abi.h"),
        "prelude.h": c_source("prelude.h"),
        "runtime.c": c_source("runtime.c"),
        "harness.c": harness_text,
    }


def _digest(cc: str, sources: dict[str, str], names) -> str:
    digest = hashlib.sha256(" ".join([cc, *CFLAGS, *LDFLAGS]).encode())
    for name in sorted(names):
        digest.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    return digest.hexdigest()[:32]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_scratch: list[str] = []


def _scratch_folder() -> Path:
    """A folder for this run's harnesses when the cache cannot be used."""
    if not _scratch:
        _scratch.append(tempfile.mkdtemp(prefix="xenlint-harness-"))
        atexit.register(shutil.rmtree, _scratch[0], True)
    return Path(_scratch[0])


def _cached(entry: Path, product: str) -> Path | None:
    """``entry/product`` when it is there whole (its sha256 matches the one
    recorded beside it); a damaged one is removed so that it is built again."""
    binary, recorded = entry / product, entry / f"{product}.sha256"
    try:
        if binary.is_file() and recorded.read_text().strip() == _file_digest(binary):
            return binary
    except OSError:
        pass
    if entry.exists():
        shutil.rmtree(entry, ignore_errors=True)
    return None


def _build_into(root: Path, key: str, product: str, work_sources: dict[str, str],
                commands: list[list[str]]) -> Path:
    """Build ``product`` in a private folder under ``root`` and move it to
    ``root/key`` (atomically: a concurrent run sees all of it or none)."""
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".build-") as tmp:
        work = Path(tmp)
        for name, text in work_sources.items():
            (work / name).write_text(text)
        for args in commands:
            status, output = run_compiler([a.replace("@WORK@", str(work)) for a in args], work)
            if status != 0:
                raise BuildFailed(_first_errors(output, work))
        (work / f"{product}.sha256").write_text(_file_digest(work / product) + "\n")
        final = root / key
        try:
            os.replace(work, final)
        except OSError:
            if _cached(final, product) is None:  # another run won the race, or a leftover
                shutil.rmtree(final, ignore_errors=True)
                os.replace(work, final)
        work.mkdir(exist_ok=True)  # TemporaryDirectory cleans up what it created
    built = _cached(root / key, product)
    if built is None:
        raise BuildFailed(f"the built {product} could not be read back from {root}")
    return built


def build(harness_text: str) -> tuple[Path, list[str]]:
    """(path of the compiled harness for ``harness_text``, notes), compiling it if needed."""
    from analyzer.cache import default_directory, usable

    cc = compiler()
    sources = _sources(harness_text)
    notes = []
    root = default_directory() / "harness"
    if not usable(root):
        notes.append(f"harness cache {root} cannot be written; building in a temporary folder")
        root = _scratch_folder()
    runtime_key = "rt-" + _digest(cc, sources, ("wire.h", "abi.h", "runtime.c"))
    runtime = _cached(root / runtime_key, "runtime.o") or _build_into(
        root, runtime_key, "runtime.o", {n: sources[n] for n in ("wire.h", "abi.h", "runtime.c")},
        [[cc, *CFLAGS, "-c", "-I", "@WORK@", "-o", "@WORK@/runtime.o", "@WORK@/runtime.c"]])
    key = _digest(cc, sources, sources)
    harness = _cached(root / key, "harness")
    if harness is None:
        unit = {n: sources[n] for n in ("wire.h", "abi.h", "prelude.h", "harness.c")}
        harness = _build_into(root, key, "harness", unit, [
            # The extracted code's unit: no system or user include path at all.
            [cc, *CFLAGS, "-nostdinc", "-I", "@WORK@", "-c", "-o", "@WORK@/harness.o", "@WORK@/harness.c"],
            [cc, *LDFLAGS, "-o", "@WORK@/harness", "@WORK@/harness.o", str(runtime)],
        ])
    return harness, notes

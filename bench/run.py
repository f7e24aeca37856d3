"""xenlint's benchmark: one command, every baseline in the same run.

    python bench/run.py [--repeat 5] [--src DIR] [--skip-scaling] [--out DIR]

Input: Debian's Xen 4.17 source (``apt-get source xen``, cached in
~/.cache/xenlint-src like the tests), its xen/ folder.  Every command runs as
a fresh process, ``--repeat`` times, and the commands a target compares run
in turn (spatch, cold, warm, spatch, ...; -j 1, -j 2, -j 1, ...), so the
machine's load weighs on both sides alike; the table shows medians of wall time and
of CPU time (user + system, the process and its workers), peak memory, and
ratios against grep and Coccinelle.  Raw output of each command goes to
bench/results/<date>/raw/, the figures to results.json and summary.md there.

A baseline that is not installed is reported as missing, with the command
that installs it; a xenlint command that does not exist yet is reported as
"not available yet".  Nothing here asserts: the targets are printed with
their verdicts, and the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_1ff9c2d8a882b65e.txt"
COCCI = BENCH / "legacy_vcpu_info.cocci"
# Libraries hunk-only work must not load (start-up time of a pre-commit hook).
HEAVY_MODULES = ("clang", "pycparser", "hypothesis", "platformdirs", "concurrent")
GREP_TOKENS = "XEN_shared_info|HYPERVISOR_shared_info|vcpu_info"
INSTALL = {
    "spatch": "apt-get install -y coccinelle",
    "grep": "apt-get install -y grep",
    "rg": "apt-get install -y ripgrep",
}


# Running and measuring ------------------------------------------------------

def _tree_pss_kb(pid: int) -> int:
    """Proportional set size of ``pid`` and all its descendants, in KiB.

    PSS, not RSS: forked workers share their parent's pages until they write
    them, and a sum of RSS would count those pages once per process.
    """
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_kb: int  # largest single process (kernel's ru_maxrss)
    tree_rss_kb: int  # largest PSS sum over the process tree, sampled every 10 ms (0: not sampled)
    code: int


def run_once(cmd: list[str], cwd: Path, env: dict, out: Path | None, sample: bool = False) -> Run:
    stdout = open(out, "wb") if out else subprocess.DEVNULL
    stderr = open(out.with_suffix(".err"), "wb") if out else subprocess.DEVNULL
    peak = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
    done = threading.Event()

    def sample_memory():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss_kb(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    if sample:  # reading /proc costs CPU: only in runs that are not timed
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for f in (stdout, stderr):
        if hasattr(f, "close"):
            f.close()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak[0], proc.returncode)


@dataclass
class Result:
    name: str
    cmd: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    missing: str = ""  # why it did not run
    memory: int = 0  # PSS of the process tree in KiB, from one more (untimed) run

    def median(self, attr: str = "wall") -> float | None:
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else None

    def peak(self, attr: str) -> int | None:
        return max(getattr(r, attr) for r in self.runs) if self.runs else None

    def to_dict(self) -> dict:
        return {"name": self.name, "cmd": self.cmd, "missing": self.missing,
                "median_wall_s": self.median(), "median_cpu_s": self.median("cpu"),
                "peak_rss_kb": self.peak("max_rss_kb"), "peak_tree_pss_kb": self.memory,
                "runs": [r.__dict__ for r in self.runs]}


class Bench:
    def __init__(self, args, out: Path):
        self.args = args
        self.out = out
        self.raw = out / "raw"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, Result] = {}
        self.env = dict(os.environ)
        # A developer's Python caches bytecode; a sandbox that forbids it
        # would charge every run for compiling xenlint again.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.cache = Path(tempfile.mkdtemp(prefix="xenlint-bench-cache-"))
        self.env["XENLINT_CACHE_DIR"] = str(self.cache)
        self.loads: list[tuple[str, str]] = []
        self.seed_heavy_imports: list[str] | None = None

    def note_load(self, when: str) -> None:
        with open("/proc/loadavg") as f:
            self.loads.append((when, " ".join(f.read().split()[:3])))

    def measure(self, key: str, name: str, cmd: list[str], cwd: Path, repeat: int,
                before=None, warmup: bool = False) -> Result:
        return self.measure_together([(key, name, cmd, before)], cwd, repeat, warmup)[0]

    def measure_together(self, specs: list[tuple], cwd: Path, repeat: int,
                         warmup: bool = False) -> list[Result]:
        """Commands whose figures are compared with one another, each a
        (key, name, command, before) run in turn (A B A B ...): a change of
        the machine's load during the run weighs on all of them alike."""
        results, ready = [], []
        for key, name, cmd, before in specs:
            result = Result(name, cmd)
            self.results[key] = result
            results.append(result)
            if shutil.which(cmd[0]) is None:
                result.missing = f"{cmd[0]} not installed ({INSTALL.get(cmd[0], 'install it')})"
                print(f"  {name}: MISSING - {result.missing}", flush=True)
                continue
            ready.append((key, cmd, before, result))
            if warmup:
                run_once(cmd, cwd, self.env, None)
        for i in range(repeat):
            for key, cmd, before, result in ready:
                if before:
                    before()
                result.runs.append(run_once(cmd, cwd, self.env, self.raw / f"{key}.{i}.out" if i == 0 else None))
        for key, cmd, before, result in ready:
            if before:
                before()
            result.memory = run_once(cmd, cwd, self.env, None, sample=True).tree_rss_kb
            print(f"  {result.name}: median {result.median():.3f} s wall, {result.median('cpu'):.3f} s CPU, "
                  f"exit {result.runs[0].code}", flush=True)
        return results

    def unavailable(self, key: str, name: str, why: str) -> None:
        self.results[key] = Result(name, missing=why)
        print(f"  {name}: {why}", flush=True)

    def empty_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)
        self.cache.mkdir()


# Inputs ---------------------------------------------------------------------

def find_source(explicit: str | None) -> Path:
    """Debian's Xen 4.17 source, fetched like the tests do (a private apt
    setup under the cache folder: the machine's configuration is untouched)."""
    if explicit:
        return Path(explicit)
    sys.path.insert(0, str(ROOT / "tests"))
    from debian_source import debian_xen_tree

    tree, why = debian_xen_tree()
    if tree is None:
        sys.exit(f"bench: Debian's Xen 4.17 source: {why}")
    return tree


def hook_repository(src: Path, where: Path) -> tuple[Path, str]:
    """A git repository of the tree (packed, as a clone is) with a one-line
    change to the guest mapping code staged: what a commit hook sees."""
    repo = where / "xen-repo"
    shutil.copytree(src, repo, symlinks=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.org",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"], ["gc", "-q"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    guest = repo / "xen/arch/x86/guest/xen/xen.c"
    text = guest.read_text()
    marker = "static int map_vcpuinfo(void)\n{\n"
    guest.write_text(text.replace(marker, marker + "    /* edited by the benchmark */\n", 1))
    subprocess.run(["git", "add", "-A"], cwd=repo, env=env, check=True)
    return repo, "xen/arch/x86/guest/xen/xen.c: one line added inside map_vcpuinfo()"


def c_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".c", ".h") and p.is_file()]


def make_copies(src_xen: Path, where: Path, n: int) -> Path:
    top = where / f"{n}x"
    if not top.exists():
        for k in range(n):
            shutil.copytree(src_xen, top / f"xen-{k}")
    return top


def xenlint_script() -> list[str]:
    """The console script next to this interpreter, not the first ``xenlint``
    on PATH: that can be a version manager's shim (pyenv's is a bash script
    that costs about 50 ms a run, more than a warm check), which a virtual
    environment or a distribution package does not have."""
    script = Path(sysconfig.get_path("scripts")) / "xenlint"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, str(ROOT / "cli.py")]


def xenlint_commands() -> set[str]:
    """The sub-commands this checkout offers (one still being built is absent)."""
    found = set()
    for name in ("check", "check-patch", "model", "review"):
        proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), name, "--help"], cwd=ROOT,
                              capture_output=True, text=True)
        if proc.returncode == 0:
            found.add(name)
    return found


def tool_version(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "missing"
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if (proc.stdout or proc.stderr) else "?"


# The run --------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description="xenlint benchmark against grep and Coccinelle")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--src", help="top of the Xen 4.17 source (default: the cached Debian source)")
    parser.add_argument("--skip-scaling", action="store_true", help="no 2x/4x copies")
    parser.add_argument("--out", type=Path, help="results folder (default bench/results/<date>)")
    args = parser.parse_args()

    src = find_source(args.src)
    xen = src / "xen"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    out = args.out or BENCH / "results" / stamp
    bench = Bench(args, out)
    # The console script a pre-commit hook runs, as pip installed it for this
    # interpreter; from a checkout without it, the module.
    xl_python = [sys.executable]
    xl = xenlint_script()
    files = c_files(xen)
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    commands = xenlint_commands()
    r = args.repeat
    print(f"input: {xen} ({len(files)} .c/.h files, {size_mb:.1f} MB); {r} runs each", flush=True)
    bench.note_load("start")

    print("baselines", flush=True)
    bench.measure("grep", f"grep -rn -E '{GREP_TOKENS}' (same tokens)",
                  ["grep", "-rn", "-E", GREP_TOKENS, "--include=*.c", "--include=*.h", "xen"], src, r)
    if shutil.which("rg"):
        bench.measure("rg", "rg -n (same tokens)", ["rg", "-n", GREP_TOKENS, "-g", "*.[ch]", "xen"], src, r)
    spatch = ["spatch", "--sp-file", str(COCCI), "--dir", str(xen)]
    bench.measure("spatch_j2", "spatch rule XL101 -j 2", spatch + ["-j", "2"], src, r)
    if shutil.which("spatch"):
        bench.measure("spatch_all", "spatch, every file parsed (--disable-worth-trying-opt -j 2)",
                      spatch + ["-j", "2", "--disable-worth-trying-opt"], src, 1)

    # A target's figures are measured in turn, in the same stretch of time.
    print("xenlint check xen/ (all rules), in turn with spatch's default run", flush=True)
    check = xl + ["check", str(xen)]
    bench.measure_together([
        ("spatch", "spatch rule XL101 (default options)", spatch, None),
        ("cold", "xenlint check, cold (empty cache)", check, bench.empty_cache),
        ("warm", "xenlint check, warm cache (nothing changed)", check, None),
    ], ROOT, r)
    print("1 worker and 2, in turn", flush=True)
    bench.measure_together([
        ("j1", "xenlint check --no-cache -j 1", check + ["--no-cache", "-j", "1"], None),
        ("j2", "xenlint check --no-cache -j 2", check + ["--no-cache", "-j", "2"], None),
    ], ROOT, r)
    bench.note_load("after check")

    print("pre-commit and series", flush=True)
    bench.measure("python", "python -c pass (interpreter start)", [sys.executable, "-c", "pass"], ROOT, r)
    if SEED.is_file():
        bench.measure("seed", "xenlint check-patch SEED (fresh process)", xl + ["check-patch", str(SEED)],
                      ROOT, r * 2, warmup=True)
        imports = subprocess.run([*xl_python, "-X", "importtime", str(ROOT / "cli.py"), "check-patch",
                                  str(SEED)], cwd=ROOT, env=bench.env, capture_output=True, text=True).stderr
        heavy = sorted({line.split("|")[-1].strip().split(".")[0] for line in imports.splitlines()
                        if line.split("|")[-1].strip().split(".")[0] in HEAVY_MODULES})
        bench.seed_heavy_imports = heavy
        print(f"  check-patch SEED loads: {', '.join(heavy) or 'none of ' + ', '.join(HEAVY_MODULES)}")
        if "model" in commands:
            bench.measure("model", "xenlint model SEED (compile included)", xl + ["model", str(SEED)],
                          ROOT, max(3, r // 2), warmup=False)
        else:
            bench.unavailable("model", "xenlint model SEED", "not available yet")
    else:
        bench.unavailable("seed", "xenlint check-patch SEED", f"seed missing at {SEED}")
        bench.unavailable("model", "xenlint model SEED", f"seed missing at {SEED}")
    if "review" in commands:
        series = Path(tempfile.mkdtemp(prefix="xenlint-bench-series-")) / "series.mbox"
        subprocess.run([sys.executable, str(BENCH / "make_series.py"), str(src), str(series)], check=True)
        bench.measure("review", "xenlint review, 74-patch series against the tree",
                      xl + ["review", str(series), "--tree", str(src)], ROOT, max(3, r // 2))
    else:
        bench.unavailable("review", "xenlint review (74 patches)", "not available yet")
    bench.note_load("after series")

    print("pre-commit path: check --staged in a git repository of the tree", flush=True)
    scratch_repo = Path(tempfile.mkdtemp(prefix="xenlint-bench-repo-"))
    try:
        repo, change = hook_repository(src, scratch_repo)
        print(f"  staged: {change}", flush=True)

        def keep_only_harnesses() -> None:
            for entry in bench.cache.iterdir():
                if entry.name != "harness":
                    shutil.rmtree(entry, ignore_errors=True)

        staged = xl + ["check", "--staged"]
        bench.measure_together([
            ("hook_cold", "check --staged, cold (only compiled harnesses kept)", staged, keep_only_harnesses),
            ("hook_warm", "check --staged, warm (nothing changed since the last run)", staged, None),
        ], repo, r)
        bench.measure_together([
            ("hook_cold_nomodel", "check --staged --model never, cold", staged + ["--model", "never"],
             keep_only_harnesses),
            ("hook_warm_nomodel", "check --staged --model never, warm", staged + ["--model", "never"], None),
        ], repo, r)
    finally:
        shutil.rmtree(scratch_repo, ignore_errors=True)
    if SEED.is_file():
        bench.measure("seed_tree_warm", "check-patch SEED --tree (warm cache)",
                      xl + ["check-patch", str(SEED), "--tree", str(src)], ROOT, r, warmup=True)
    bench.note_load("after pre-commit")

    if not args.skip_scaling:
        print("scaling: the tree copied side by side", flush=True)
        scratch = Path(tempfile.mkdtemp(prefix="xenlint-bench-copies-"))
        try:
            for n in (1, 2, 4):
                top = xen if n == 1 else make_copies(xen, scratch, n)
                bench.measure(f"grep_{n}x", f"grep, {n}x tree",
                              ["grep", "-rn", "-E", GREP_TOKENS, "--include=*.c", "--include=*.h", str(top)],
                              ROOT, max(3, r // 2))
                bench.measure(f"scale_{n}x", f"xenlint check --no-cache, {n}x tree",
                              xl + ["check", str(top), "--no-cache"], ROOT, max(3, r // 2))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    bench.note_load("end")
    shutil.rmtree(bench.cache, ignore_errors=True)

    summary = report(bench, src, len(files), size_mb, commands)
    (out / "summary.md").write_text(summary)
    (out / "results.json").write_text(json.dumps({
        "date": stamp, "machine": machine(), "input": {"path": str(xen), "files": len(files), "mb": size_mb},
        "loads": bench.loads, "results": {k: v.to_dict() for k, v in bench.results.items()}}, indent=1))
    print()
    print(summary)
    print(f"raw output and figures: {out}")
    return 0


def machine() -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "?")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"cpu": cpu, "cpus": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
            "mem_mb": int(mem) // 1024 if mem != "?" else "?", "kernel": platform.release(),
            "python": platform.python_version(), "xenlint_commit": commit.stdout.strip(),
            "spatch": tool_version(["spatch", "--version"]), "grep": tool_version(["grep", "--version"])}


def report(bench: Bench, src: Path, nfiles: int, size_mb: float, commands: set[str]) -> str:
    res = bench.results
    m = machine()

    def wall(key):
        return res[key].median() if key in res and res[key].runs else None

    def fmt(v, unit="s"):
        return "-" if v is None else (f"{v:.3f} {unit}" if unit == "s" else f"{v:.0f} {unit}")

    lines = [f"# xenlint benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
             f"- machine: {m['cpu']}, {m['usable_cpus']} usable CPUs, {m['mem_mb']} MB, "
             f"Linux {m['kernel']}, Python {m['python']}",
             f"- xenlint commit {m['xenlint_commit']}; {m['spatch']}; {m['grep']}",
             f"- input: {src / 'xen'}: {nfiles} .c/.h files, {size_mb:.1f} MB",
             f"- xenlint runs as: `{' '.join(xenlint_script())}`",
             f"- command: `python bench/run.py --repeat {bench.args.repeat}`"
             + (" --skip-scaling" if bench.args.skip_scaling else ""),
             "- load average (1, 5, 15 min): " + "; ".join(f"{w}: {l}" for w, l in bench.loads), "",
             "| measurement | median wall | median CPU | peak memory: RSS of largest process / PSS of process tree | "
             "vs grep | vs spatch default |", "|---|---|---|---|---|---|"]
    grep, spatch = wall("grep"), wall("spatch")
    for key, result in res.items():
        if key.startswith(("grep_", "scale_")):
            continue
        if result.missing:
            lines.append(f"| {result.name} | {result.missing} | | | | |")
            continue
        w = result.median()
        rss = f"{result.peak('max_rss_kb') / 1024:.0f} / {result.memory / 1024:.0f} MB"
        vs_grep = f"{w / grep:.1f}x" if grep else "-"
        vs_spatch = f"{w / spatch:.2f}x" if spatch else "-"
        lines.append(f"| {result.name} | {fmt(w)} | {fmt(result.median('cpu'))} | {rss} | "
                     f"{vs_grep} | {vs_spatch} |")
    if any(k.startswith("scale_") for k in res):
        lines += ["", "Scaling (tree copied side by side, `--no-cache`, default workers):", "",
                  "| copies | grep | xenlint | xenlint / 1x | xenlint s per MB |", "|---|---|---|---|---|"]
        base = wall("scale_1x")
        for n in (1, 2, 4):
            x = wall(f"scale_{n}x")
            if x is not None:
                lines.append(f"| {n}x | {fmt(wall(f'grep_{n}x'))} | {fmt(x)} | {x / base:.2f} | "
                             f"{x / (size_mb * n):.3f} |")
    if bench.seed_heavy_imports is not None:
        lines += ["", "Heavy libraries loaded by `check-patch SEED`: "
                  + (", ".join(bench.seed_heavy_imports) or "none of " + ", ".join(HEAVY_MODULES))]
    lines += ["", "Targets:", ""]
    cold, warm, j1, j2 = wall("cold"), wall("warm"), wall("j1"), wall("j2")
    checks = [
        ("whole tree cold >= 3x faster than spatch (default options)",
         cold and spatch and spatch / cold >= 3, f"spatch/cold = {spatch / cold:.2f}" if cold and spatch else "n/a"),
        ("whole tree cold <= 25x grep", cold and grep and cold / grep <= 25,
         f"cold/grep = {cold / grep:.1f}" if cold and grep else "n/a"),
        ("warm cache <= 0.2x cold", warm and cold and warm / cold <= 0.2,
         f"warm/cold = {warm / cold:.3f}" if warm and cold else "n/a"),
        ("seed check-patch, fresh process < 0.25 s", wall("seed") is not None and wall("seed") < 0.25,
         fmt(wall("seed"))),
        ("74-patch review < 5 s", wall("review") is not None and wall("review") < 5, fmt(wall("review"))),
        ("peak memory, whole tree < 200 MB (PSS of parent and workers)",
         "cold" in res and res["cold"].runs and res["cold"].memory / 1024 < 200,
         f"{res['cold'].memory / 1024:.0f} MB" if "cold" in res and res["cold"].runs else "n/a"),
        ("2 workers vs 1 >= 1.6x", j1 and j2 and j1 / j2 >= 1.6, f"j1/j2 = {j1 / j2:.2f}" if j1 and j2 else "n/a"),
        ("whole tree cold no slower than 0.40 s (recorded before the rework)", cold is not None and cold <= 0.40,
         fmt(cold)),
        ("whole tree warm <= 0.08 s", warm is not None and warm <= 0.08, fmt(warm)),
        ("pre-commit path warm <= 0.15 s", wall("hook_warm") is not None and wall("hook_warm") <= 0.15,
         fmt(wall("hook_warm"))),
        ("pre-commit path cold <= 0.6 s", wall("hook_cold") is not None and wall("hook_cold") <= 0.6,
         fmt(wall("hook_cold"))),
        ("check-patch SEED --tree warm <= 0.2 s", wall("seed_tree_warm") is not None
         and wall("seed_tree_warm") <= 0.2, fmt(wall("seed_tree_warm"))),
    ]
    for label, ok, value in checks:
        lines.append(f"- [{'met' if ok else 'NOT met'}] {label}: {value}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())

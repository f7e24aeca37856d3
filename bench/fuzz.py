"""The fuzz corpus at scale: every mutated input through xenlint as its own process.

    python bench/fuzz.py [--count 2400] [--seed 7] [--out DIR]

The mutator is the test-suite's (tests/fuzzing.py); here each case runs as
a fresh process (the console script), timed, with its peak memory taken
from the kernel (ru_maxrss of the process and its children, so a compiler
run by `model` counts).  It prints, per command: inputs tried, exit codes,
tracebacks and internal errors (target 0), errors that are not one line,
the slowest input and the largest peak memory (targets: every input under
5 s and 500 MB), and writes them to results.json and summary.md under
bench/results/fuzz-<date>/ with the inputs that missed a target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import COMMANDS, cases  # noqa: E402

TIME_TARGET, MEMORY_TARGET_MB = 5.0, 500


def xenlint() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "xenlint"
    return [str(script)] if script.is_file() else [sys.executable, str(ROOT / "cli.py")]


def run(argv: list[str], env: dict, err_path: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB of the process and the children it waited
    for, e.g. the compiler, from wait4), stderr."""
    import threading

    with open(err_path, "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=env)
        timer = threading.Timer(120, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        elapsed = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, elapsed, usage.ru_maxrss / 1024, err_path.read_text(errors="replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    out = args.out or BENCH / "results" / f"fuzz-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="xenlint-fuzz-"))
    env = {**os.environ, "XENLINT_CACHE_DIR": str(work / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    stats: dict[str, dict] = defaultdict(lambda: {"inputs": 0, "exits": defaultdict(int), "tracebacks": 0,
                                                  "internal": 0, "not_one_line": 0, "worst_s": 0.0,
                                                  "worst_case": "", "peak_mb": 0.0, "peak_case": ""})
    misses = []
    try:
        corpus = cases(args.seed, args.count, work, model_every=4)
        print(f"{len(corpus)} inputs, seed {args.seed}", flush=True)
        for k, case in enumerate(corpus):
            code, elapsed, peak, err = run(xenlint() + case.argv, env, work / "stderr")
            s = stats[case.command]
            s["inputs"] += 1
            s["exits"][code] += 1
            s["tracebacks"] += "Traceback" in err
            s["internal"] += code == 3
            s["not_one_line"] += code == 2 and len(err.strip().splitlines()) != 1
            if elapsed > s["worst_s"]:
                s["worst_s"], s["worst_case"] = elapsed, case.name
            if peak > s["peak_mb"]:
                s["peak_mb"], s["peak_case"] = peak, case.name
            if elapsed > TIME_TARGET or peak > MEMORY_TARGET_MB or code not in (0, 1, 2) \
                    or "Traceback" in err:
                kept = out / "missed" / Path(case.argv[1]).name
                kept.parent.mkdir(exist_ok=True)
                shutil.copy(case.argv[1], kept)
                misses.append({"case": case.name, "argv": case.argv, "exit": code,
                               "seconds": round(elapsed, 3), "peak_mb": round(peak, 1),
                               "stderr": err[-500:], "kept": str(kept.relative_to(out))})
            if k % 200 == 0:
                print(f"  {k} done", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"# xenlint fuzz corpus, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
             f"`python bench/fuzz.py --count {args.count} --seed {args.seed}`: each input a fresh "
             f"process (`{' '.join(xenlint())}`)", "",
             "| command | inputs | exit codes | tracebacks | internal errors (exit 3) | 2 not one line | "
             "slowest | peak memory |", "|---|---|---|---|---|---|---|---|"]
    for command in COMMANDS:
        if command not in stats:
            continue
        s = stats[command]
        exits = ", ".join(f"{code}: {n}" for code, n in sorted(s["exits"].items()))
        lines.append(f"| {command} | {s['inputs']} | {exits} | {s['tracebacks']} | {s['internal']} | "
                     f"{s['not_one_line']} | {s['worst_s']:.2f} s ({s['worst_case']}) | "
                     f"{s['peak_mb']:.0f} MB ({s['peak_case']}) |")
    total = sum(s["inputs"] for s in stats.values())
    worst = max(s["worst_s"] for s in stats.values())
    peak = max(s["peak_mb"] for s in stats.values())
    lines += ["", "Targets:", "",
              f"- [{'met' if not sum(s['tracebacks'] for s in stats.values()) else 'NOT met'}] tracebacks: "
              f"{sum(s['tracebacks'] for s in stats.values())} in {total} inputs",
              f"- [{'met' if worst < TIME_TARGET else 'NOT met'}] every input under {TIME_TARGET:.0f} s: "
              f"slowest {worst:.2f} s",
              f"- [{'met' if peak < MEMORY_TARGET_MB else 'NOT met'}] every input under "
              f"{MEMORY_TARGET_MB} MB: largest {peak:.0f} MB",
              f"- inputs that missed a target: {len(misses)} (kept in missed/)"]
    summary = "\n".join(lines) + "\n"
    (out / "summary.md").write_text(summary)
    (out / "results.json").write_text(json.dumps({"stats": stats, "misses": misses}, indent=1, default=str))
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

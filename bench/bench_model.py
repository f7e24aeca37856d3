"""Benchmark of the model cross-check: prints figures and their ratio to the targets.

Targets (issue 15): the default scenario set of the seed under 0.5 s with the
compile; at least 500,000 scenarios/s end to end (the harness run and the
comparison with the model); the default exhaustive scope of Xen 4.17's guest
code (Debian's source, when cached) under 60 s.  Run from the repo root:
    python bench/bench_model.py [--seed-patch PATH] [--scenarios N] [--xen-c PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.crosscheck.run import crosscheck_source  # noqa: E402
from analyzer.crosscheck.patch_source import post_image  # noqa: E402
from analyzer.crosscheck.run import Prepared  # noqa: E402
from analyzer.crosscheck.sandbox import run_batch  # noqa: E402
from analyzer.model.guest import run_model  # noqa: E402
from analyzer.model.policy import Policy  # noqa: E402
from analyzer.model.scenario import Fault, Scenario  # noqa: E402

SEED = ROOT.parent / "shared" / "seeds" / "000_1ff9c2d8a882b65e.txt"
SEED_TARGET_S = 0.5
THROUGHPUT_TARGET = 500_000
SCOPE_TARGET_S = 60.0
XEN_C = (Path.home() / ".cache" / "xenlint-src" / "x" / "xen-4.17.5+72-g01140da4e8" / "xen" / "arch"
         / "x86" / "guest" / "xen" / "xen.c")


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def small_scenarios(n: int) -> list[Scenario]:
    shapes = [
        Scenario(2, ("BOOT_BSP", "AP_UP:1", "UPCALL:1")),
        Scenario(4, ("BOOT_BSP", "AP_UP_ALL", "AP_OFFLINE:2", "AP_ONLINE_AGAIN:2")),
        Scenario(4, ("BOOT_BSP", "AP_UP_ALL"), faults=(Fault(1, "ENOMEM"),)),
        Scenario(2, ("BOOT_BSP", "AP_UP:1", "RESUME_NEW_L0")),
    ]
    return [shapes[i % len(shapes)] for i in range(n)]


def raw_harness_rate(binary: Path, scenarios: list[Scenario]) -> float:
    """Scenarios/s of the harness process alone: encode, run, move the bytes; no decoding."""
    import socket
    import subprocess
    import threading

    from analyzer.crosscheck import wire

    payload = wire.encode_batch(scenarios, wire.new_nonce())
    start = time.perf_counter()
    parent, child = socket.socketpair()
    proc = subprocess.Popen([str(binary), "30"], stdin=child, stdout=subprocess.DEVNULL)
    child.close()
    threading.Thread(target=lambda: parent.sendall(payload), daemon=True).start()
    while parent.recv(1 << 20):
        pass
    proc.wait()
    return len(scenarios) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed-patch", default=str(SEED))
    parser.add_argument("--scenarios", type=int, default=200_000)
    parser.add_argument("--xen-c", default=str(XEN_C), help="Xen 4.17's xen/arch/x86/guest/xen/xen.c")
    args = parser.parse_args()

    image = post_image(args.seed_patch, None)
    with tempfile.TemporaryDirectory() as cold_cache:
        os.environ["XENLINT_CACHE_DIR"] = cold_cache
        cold, _ = timed(lambda: crosscheck_source(image.text, image.path))
        warm, report = timed(lambda: crosscheck_source(image.text, image.path))
        print(f"seed cross-check, cold cache (includes cc): {cold:.3f} s "
              f"(target {SEED_TARGET_S} s, ratio {cold / SEED_TARGET_S:.2f})")
        print(f"seed cross-check, warm cache:               {warm:.3f} s "
              f"(target {SEED_TARGET_S} s, ratio {warm / SEED_TARGET_S:.2f}), "
              f"{report.scenarios_run} scenarios, {len(report.findings)} findings")

        prep = Prepared(image.text, image.path)
        batch = small_scenarios(args.scenarios)
        from analyzer.crosscheck.run import run_scenarios

        policy = report.policy
        elapsed, (results, _) = timed(lambda: run_scenarios(prep, batch, policy, all_events=False))
        rate = len(results) / elapsed
        print(f"end to end, C run and model compared ({len(batch)} small scenarios, one process): "
              f"{rate:,.0f} scenarios/s (target {THROUGHPUT_TARGET:,}, ratio {rate / THROUGHPUT_TARGET:.2f})")
        elapsed, result = timed(lambda: run_batch(prep.binary, batch))
        print(f"harness run and records read, no comparison: {len(result.runs) / elapsed:,.0f} scenarios/s")

        raw = raw_harness_rate(prep.binary, batch)
        print(f"harness process alone (run + pipe, no Python decoding): {raw:,.0f} scenarios/s "
              f"(ratio {raw / THROUGHPUT_TARGET:.2f})")

        sample = batch[:2000]
        elapsed, _ = timed(lambda: [run_model(s, Policy()) for s in sample])
        print(f"Python reference model alone: {len(sample) / elapsed:,.0f} scenarios/s")

        xen_c = Path(args.xen_c)
        if not xen_c.is_file():
            print(f"exhaustive scope: skipped ({xen_c} not found; the tests fetch Debian's Xen 4.17)")
            return 0
        from analyzer.model.scope import Scope

        text = xen_c.read_text()
        for jobs in (2, 1):
            elapsed, scoped = timed(lambda: crosscheck_source(text, str(xen_c), scope=Scope(), jobs=jobs))
            print(f"exhaustive default scope of Xen 4.17's xen.c, {jobs} process(es): "
                  f"{scoped.scenarios_run - scoped.probes:,} scenarios in {elapsed:.1f} s "
                  f"({(scoped.scenarios_run - scoped.probes) / elapsed:,.0f}/s), {scoped.defects} distinct "
                  f"defects (target {SCOPE_TARGET_S:.0f} s, ratio {elapsed / SCOPE_TARGET_S:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

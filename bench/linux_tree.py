"""xenlint on the whole Linux 6.1 tree, against grep and spatch, in one run.

    python bench/linux_tree.py [--repeat 3] [--src DIR] [--out DIR]

Input: Debian bookworm's Linux 6.1 source, all of it (``apt-get source
linux``, cached under ~/.cache/xenlint-src/linux-full by tests/debian_source.py;
about 1.4 GB).  Measured in turn, the same stretch of time: grep for the
protocol's words, spatch with XL101 as a names-only semantic patch
(bench/legacy_vcpu_info_names.cocci, -j 2), xenlint check cold (empty
cache), warm (nothing changed) and without cache, -j 2.  Then time against
size: xenlint cold on half of the tree (hard links of whole top-level
folders, about half the files) and on all of it.  Figures, with the memory
of each process tree (PSS, sampled), go to bench/results/linux-<date>/.
Nothing asserts; the targets are printed with their verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]

from run import GREP_TOKENS, Bench, machine, xenlint_script  # noqa: E402

NAMES_COCCI = BENCH / "legacy_vcpu_info_names.cocci"
# What a Linux tree's top holds, so the half tree is still a Linux tree.
LINUX_TOP = ("Kbuild", "Kconfig", "arch", "kernel", "mm")


def find_linux(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    from debian_source import debian_linux_tree

    tree, why = debian_linux_tree(full=True, verbose=True)
    if tree is None:
        sys.exit(f"linux_tree.py: Debian's Linux 6.1 source: {why}")
    return tree


def c_count(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.suffix in (".c", ".h") and p.is_file()
               and not p.is_symlink())


def half_tree(src: Path, where: Path) -> tuple[Path, int]:
    """Hard links of the tree's top and of whole top-level folders, largest
    first while the files stay under half; (top, C files)."""
    total = c_count(src)
    half = where / "half"
    half.mkdir()
    count = 0
    for name in LINUX_TOP:
        os.system(f"cp -al '{src / name}' '{half / name}'")
    count = c_count(half)
    folders = sorted((p for p in src.iterdir() if p.is_dir() and p.name not in LINUX_TOP),
                     key=lambda p: -c_count(p))
    for folder in folders:
        n = c_count(folder)
        if count + n <= total // 2 + total // 20:
            os.system(f"cp -al '{folder}' '{half / folder.name}'")
            count += n
    return half, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--src", help="top of a Linux 6.1 tree (default: Debian's, cached)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.skip_scaling = True
    src = find_linux(args.src)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    out = args.out or BENCH / "results" / f"linux-{stamp}"
    bench = Bench(args, out)
    xl = xenlint_script()
    total = c_count(src)
    r = args.repeat
    print(f"input: {src} ({total} .c/.h files); {r} runs each", flush=True)
    bench.note_load("start")
    check = xl + ["check", str(src), "-j", "2"]
    bench.measure_together([
        ("grep", f"grep -rn -E '{GREP_TOKENS}' (same words)",
         ["grep", "-rn", "-E", GREP_TOKENS, "--include=*.c", "--include=*.h", str(src)], None),
        ("spatch", "spatch XL101, names only, -j 2",
         ["spatch", "--sp-file", str(NAMES_COCCI), "--dir", str(src), "-j", "2"], None),
        ("cold", "xenlint check -j 2, cold (empty cache)", check, bench.empty_cache),
        ("warm", "xenlint check -j 2, warm (nothing changed)", check, None),
        ("nocache", "xenlint check -j 2 --no-cache", check + ["--no-cache"], None),
    ], BENCH.parent, r)
    bench.note_load("after the whole tree")
    with tempfile.TemporaryDirectory(dir=src.parent) as scratch:  # hard links: same file system
        half, half_count = half_tree(src, Path(scratch))
        print(f"half tree: {half_count} .c/.h files", flush=True)
        bench.measure_together([
            ("half_cold", f"xenlint check -j 2 --no-cache, half tree ({half_count} files)",
             xl + ["check", str(half), "-j", "2", "--no-cache"], None),
            ("whole_cold", f"xenlint check -j 2 --no-cache, whole tree ({total} files)",
             check + ["--no-cache"], None),
        ], BENCH.parent, r)
    bench.note_load("end")
    res = {k: v for k, v in bench.results.items()}

    def wall(key):
        return res[key].median() if res.get(key) and res[key].runs else None

    spatch, cold, warm = wall("spatch"), wall("cold"), wall("warm")
    half_s, whole_s = wall("half_cold"), wall("whole_cold")
    peak_mb = max((res[k].memory for k in ("cold", "warm", "nocache") if res.get(k)), default=0) / 1024
    per_file_ratio = (whole_s / total) / (half_s / half_count) if half_s and whole_s else None
    verdicts = [
        ("cold no slower than spatch's run", cold is not None and spatch is not None and cold <= spatch,
         f"cold {cold:.2f} s, spatch {spatch:.2f} s" if cold and spatch else "n/a"),
        ("warm at most 0.5 s", warm is not None and warm <= 0.5, f"warm {warm:.2f} s" if warm else "n/a"),
        ("peak memory, all processes, under 500 MB", peak_mb < 500, f"{peak_mb:.0f} MB (PSS)"),
        ("time linear in the tree (s per file, whole / half, within 1.25)",
         per_file_ratio is not None and per_file_ratio <= 1.25,
         f"{per_file_ratio:.2f}" if per_file_ratio else "n/a"),
    ]
    m = machine()
    lines = [f"# xenlint on the whole Linux 6.1 tree, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", "",
             f"- machine: {m['cpu']}, {m['usable_cpus']} usable CPUs, {m['mem_mb']} MB; "
             f"xenlint commit {m['xenlint_commit']}; {m['spatch']}; {m['grep']}",
             f"- input: {src}: {total} .c/.h files",
             f"- command: `python bench/linux_tree.py --repeat {r}`",
             "- load average: " + "; ".join(f"{w}: {l}" for w, l in bench.loads), "",
             "| measurement | median wall | median CPU | peak PSS, process tree | vs grep | vs spatch |",
             "|---|---|---|---|---|---|"]
    grep = wall("grep")
    for key, result in res.items():
        if not result.runs:
            lines.append(f"| {result.name} | {result.missing or '-'} | | | | |")
            continue
        w = result.median()
        lines.append(f"| {result.name} | {w:.3f} s | {result.median('cpu'):.3f} s | "
                     f"{result.memory / 1024:.0f} MB | {w / grep:.2f}x | "
                     f"{w / spatch:.2f}x |" if grep and spatch else f"| {result.name} | {w:.3f} s | | | | |")
    lines += ["", "| target | met | figures |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {figures} |" for name, ok, figures in verdicts]
    text = "\n".join(lines) + "\n"
    (out / "summary.md").write_text(text)
    (out / "results.json").write_text(json.dumps({k: v.to_dict() for k, v in res.items()}, indent=2))
    print(text)
    shutil.rmtree(bench.cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

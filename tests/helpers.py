"""Helpers shared by the tests: run the CLI in-process, make small trees and git repos."""

from __future__ import annotations

import io
import json
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import cli

# A small Xen-like file with one XL101 per function (used by several tests).
LEGACY_READS = """\
#include <xen/percpu.h>

DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);

static unsigned int read_version(unsigned int cpu)
{
    struct vcpu_time_info *info = &XEN_shared_info->vcpu_info[cpu].time;
    return info->version;
}

static unsigned int read_flags(unsigned int cpu)
{
    struct vcpu_time_info *t = &XEN_shared_info->vcpu_info[cpu].time;
    return t->flags;
}
"""


def run_cli(*argv, cwd: Path | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``xenlint ARGV`` run in-process."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in argv])
            except SystemExit as exc:  # argparse: --help, --version, a usage error
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def run_json(*argv, cwd: Path | None = None) -> tuple[int, list[dict]]:
    code, out, err = run_cli(*argv, "--format", "json", cwd=cwd)
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def git_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org")
    return env


def git(repo: Path, *args, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, env=git_env(), capture_output=True,
                          text=True, check=check)


def git_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)

    def hits(self) -> set[tuple[str, str, int]]:
        """(rule, path, line) of every finding, from JSON output."""
        return {(f["rule"], f["path"], f["line"]) for f in self.json()["findings"]}


def xenlint(*argv, cwd: Path | None = None) -> Run:
    """``xenlint ARGV`` run in-process, as a Run."""
    return Run(*run_cli(*argv, cwd=cwd))


def c_files(root: Path) -> list[Path]:
    """The C files below ``root``, as the tree reader lists them."""
    from analyzer.inputs.trees import DiskTree

    tree = DiskTree([Path(root)])
    return [tree.path(f.name) for f in tree.files if f.kind == "c"]


def read_c(path: Path) -> str:
    from analyzer.inputs.trees import decode_source, read_regular

    return decode_source(read_regular(path), str(path))


def static_rules() -> list:
    from rules import static_rules as rules

    return list(rules().values())

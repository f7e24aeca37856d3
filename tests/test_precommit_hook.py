"""check --staged / --diff REV, and the pre-commit hook driven by the real pre-commit package."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from helpers import LEGACY_READS, git, git_env, git_repo, run_cli, run_json, write

XEN_C = """\
#include <xen/percpu.h>

DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);

static void set_up(unsigned int cpu)
{
    per_cpu(vcpu_info, cpu) = NULL;
}
"""
BAD_DECL = "DECLARE_PER_CPU(struct vcpu_info, vcpu_info);\n"
GOOD_DECL = "DECLARE_PER_CPU(struct vcpu_info *, vcpu_info);\n"


def snapshot(repo: Path) -> dict:
    """Hashes of every file in the work tree and of the index: what must not change."""
    paths = [p for p in repo.rglob("*") if p.is_file() and p.relative_to(repo).parts[0] != ".git"]
    paths.append(repo / ".git" / "index")
    return {str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return git_repo(tmp_path / "xen-repo", {
        "xen/arch/x86/guest/xen.c": XEN_C,
        "xen/arch/x86/time.c": LEGACY_READS,  # two old XL101 findings
        "xen/include/asm-x86/percpu-decl.h": "#ifndef PD\n#define PD\n#endif\n",
    })


def test_staged_reports_the_declaration_the_change_adds(repo):
    header = repo / "xen/include/asm-x86/percpu-decl.h"
    header.write_text(header.read_text().replace("#define PD\n", "#define PD\n" + BAD_DECL))
    git(repo, "add", "-A")
    before = snapshot(repo)
    code, findings = run_json("check", "--staged", cwd=repo)
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("XL105", "xen/include/asm-x86/percpu-decl.h", 3)]
    assert snapshot(repo) == before  # neither the work tree nor the index was written


def test_staged_ignores_old_findings_in_touched_files_and_unstaged_edits(repo):
    time_c = repo / "xen/arch/x86/time.c"
    time_c.write_text(time_c.read_text().replace("return t->flags;", "return t->flags & 1;"))
    git(repo, "add", "-A")
    # An unstaged edit is not what would be committed.
    time_c.write_text(time_c.read_text() + "static int z(void) { return XEN_shared_info->vcpu_info[1].evtchn_upcall_pending; }\n")
    code, findings = run_json("check", "--staged", cwd=repo)
    assert (code, findings) == (0, [])
    # The same edit, staged, is reported.
    git(repo, "add", "-A")
    code, findings = run_json("check", "--staged", cwd=repo)
    assert code == 1 and [f["function"] for f in findings] == ["z"]


def test_staged_reads_every_file_from_the_index_never_the_work_tree(repo):
    """An unstaged edit to another file of the tree does not change what the
    hook reports: the staged change and its whole context come from the index."""
    xen_c = repo / "xen/arch/x86/guest/xen.c"
    xen_c.write_text(xen_c.read_text() + "unsigned long used_elsewhere[4];\n")
    git(repo, "add", "-A")
    staged = run_json("check", "--staged", cwd=repo)
    assert [(f["rule"], f["line"]) for f in staged[1]] == [("XL106", 9)]
    time_c = repo / "xen/arch/x86/time.c"  # not staged: starts using the name
    time_c.write_text(time_c.read_text() + "extern unsigned long used_elsewhere[4];\n")
    assert run_json("check", "--staged", cwd=repo) == staged
    # The staged file itself: its staged text, not the work tree's.
    xen_c.write_text(xen_c.read_text().replace("unsigned long used_elsewhere", "static unsigned long used_elsewhere"))
    assert run_json("check", "--staged", cwd=repo) == staged
    git(repo, "add", "xen/arch/x86/time.c")
    assert run_json("check", "--staged", cwd=repo) == (0, [])


def test_diff_rev_checks_committed_changes(repo):
    header = repo / "xen/include/asm-x86/percpu-decl.h"
    header.write_text(header.read_text().replace("#define PD\n", "#define PD\n" + BAD_DECL))
    git(repo, "commit", "-qam", "declare it")
    code, findings = run_json("check", "--diff", "HEAD~1", cwd=repo)
    assert code == 1 and [f["rule"] for f in findings] == ["XL105"]
    assert run_json("check", "--diff", "HEAD~1..HEAD", cwd=repo)[1] == findings
    assert run_json("check", "--diff", "HEAD~1...HEAD", cwd=repo)[1] == findings
    code, findings = run_json("check", "--diff", "HEAD", cwd=repo)
    assert (code, findings) == (0, [])


def test_staged_from_a_subdirectory_and_limited_to_paths(repo):
    header = repo / "xen/include/asm-x86/percpu-decl.h"
    header.write_text(header.read_text().replace("#define PD\n", "#define PD\n" + BAD_DECL))
    git(repo, "add", "-A")
    code, findings = run_json("check", "--staged", cwd=repo / "xen" / "arch")
    assert code == 1 and findings[0]["path"] == "xen/include/asm-x86/percpu-decl.h"
    code, findings = run_json("check", "--staged", "xen/arch", cwd=repo)
    assert (code, findings) == (0, [])


def test_git_errors_are_one_line(repo, tmp_path):
    code, _, err = run_cli("check", "--diff", "no-such-branch", cwd=repo)
    assert code == 2 and "no-such-branch: not a revision" in err
    plain = tmp_path / "plain"
    plain.mkdir()
    code, _, err = run_cli("check", "--staged", cwd=plain)
    assert code == 2 and err.startswith("xenlint: error:") and len(err.strip().splitlines()) == 1
    code, _, err = run_cli("check", cwd=repo)
    assert code == 2 and "--staged" in err


def test_mapping_change_detection():
    from analyzer.inputs.images import Image
    from analyzer.mapping_change import touched_mapping_files

    text = (ROOT / "fixtures/tree-after/xen/arch/x86/guest/xen.c").read_text()
    lines = text.split("\n")
    inside = next(i for i, l in enumerate(lines, 1) if "map_vcpuinfo(void)" in l) + 3
    outside = next(i for i, l in enumerate(lines, 1) if l.startswith("#include"))
    path = "xen/arch/x86/guest/xen.c"
    assert touched_mapping_files({path: Image(path, text, {inside})}) == [path]
    assert touched_mapping_files({path: Image(path, text, {outside})}) == []
    assert touched_mapping_files({"x.c": Image("x.c", LEGACY_READS, {7})}) == []


# --- the pre-commit framework ------------------------------------------------------------

HOOK_SOURCES = ("pyproject.toml", "README.md", "cli.py", "analyzer", "rules", ".pre-commit-hooks.yaml")


def hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """This checkout as a hook repository: itself at HEAD when that is what is being tested,
    else a one-commit snapshot of its working files (pre-commit installs from a commit)."""
    status = subprocess.run(["git", "status", "--porcelain", "--", *HOOK_SOURCES], cwd=ROOT,
                            capture_output=True, text=True, env=git_env())
    if status.returncode == 0 and not status.stdout.strip():
        head = git(ROOT, "rev-parse", "HEAD").stdout.strip()
        return ROOT, head
    snap = tmp_path / "hook-repo"
    snap.mkdir()
    for name in HOOK_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, snap / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, snap / name)
    git_repo(snap, {})
    return snap, git(snap, "rev-parse", "HEAD").stdout.strip()


def test_pre_commit_hook_refuses_a_bad_commit_and_accepts_a_good_one(tmp_path):
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    hook_repo, rev = hook_repository(tmp_path)
    repo = git_repo(tmp_path / "xen-repo", {
        "xen/arch/x86/guest/xen.c": XEN_C,
        "xen/arch/x86/time.c": LEGACY_READS,
        "xen/include/asm-x86/percpu-decl.h": "#ifndef PD\n#define PD\n#endif\n",
    })
    write(repo, {".pre-commit-config.yaml":
                 f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: xenlint\n"})
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "use xenlint")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never"}
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr

    def commit(message: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=1200)

    header = repo / "xen/include/asm-x86/percpu-decl.h"
    header.write_text(header.read_text().replace("#define PD\n", "#define PD\n" + BAD_DECL))
    git(repo, "add", "-A")
    refused = commit("declare vcpu_info with the wrong type")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "xenlint" in output and "XL105" in output, output
    assert "percpu-decl.h:3:" in output
    assert git(repo, "log", "--oneline").stdout.count("\n") == 2  # nothing recorded

    header.write_text(header.read_text().replace(BAD_DECL, GOOD_DECL))
    git(repo, "add", "-A")
    accepted = commit("declare vcpu_info")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr
    assert git(repo, "log", "-1", "--format=%s").stdout.strip() == "declare vcpu_info"


def _pre_commit_repo(tmp_path: Path, hooks: list[str], declaration: str = BAD_DECL) -> tuple[Path, dict]:
    """A Xen-like repository using this checkout's hooks ``hooks``, with pre-commit's home in tmp:
    two old XL101 errors in time.c, and ``declaration`` in a header."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    hook_repo, rev = hook_repository(tmp_path)
    repo = git_repo(tmp_path / "xen-repo", {
        "xen/arch/x86/guest/xen.c": XEN_C,
        "xen/arch/x86/time.c": LEGACY_READS,
        "xen/include/asm-x86/percpu-decl.h": "#ifndef PD\n#define PD\n" + declaration + "#endif\n",
    })
    ids = "".join(f"      - id: {hook}\n" for hook in hooks)
    write(repo, {".pre-commit-config.yaml": f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n{ids}"})
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "use xenlint")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    return repo, env


def _pre_commit(repo: Path, env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=1200)


@pytest.mark.parametrize("hook", ["xenlint", "xenlint-files"])
def test_pre_commit_run_all_files_reports_a_defect_in_the_tree(tmp_path, hook):
    """With --all-files nothing is staged: the tree as committed is what is asked
    about (the staged hook checks git's index whole; the files hook the files named)."""
    repo, env = _pre_commit_repo(tmp_path, [hook])
    run = _pre_commit(repo, env, "--all-files")
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "percpu-decl.h:3:" in output and "XL105" in output, output
    assert "time.c" in output and "XL101" in output  # whole files: the old defects too
    assert "Failed" in output


def test_pre_commit_run_from_ref_to_ref_reports_what_the_range_brought(tmp_path):
    """In CI, pre-commit runs the hook over a range: only that range's findings."""
    repo, env = _pre_commit_repo(tmp_path, ["xenlint"], declaration="")
    base = git(repo, "rev-parse", "HEAD").stdout.strip()  # holds two XL101 errors already
    header = repo / "xen/include/asm-x86/percpu-decl.h"
    header.write_text(header.read_text().replace("#define PD\n", "#define PD\n" + BAD_DECL))
    git(repo, "commit", "-qam", "declare vcpu_info")
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    run = _pre_commit(repo, env, "--from-ref", base, "--to-ref", head)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "percpu-decl.h:3:" in output and "XL105" in output, output
    assert "XL101" not in output  # there before the range: not its doing
    quiet = _pre_commit(repo, env, "--from-ref", head, "--to-ref", head)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr


# --- the files a maintainer pastes ---------------------------------------------------------

def test_hook_definition_and_ci_samples_are_valid_yaml_that_run_xenlint():
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "xenlint"]
    assert hook["entry"] == "xenlint check --staged" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    gitlab = yaml.safe_load((ROOT / "docs/gitlab-ci.yml").read_text())["xenlint"]
    script = "\n".join(gitlab["script"])
    assert "--format gitlab > gl-code-quality-report.json" in script
    assert gitlab["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    workflow = yaml.safe_load((ROOT / "docs/github-workflow.yml").read_text())
    steps = workflow["jobs"]["xenlint"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "--format github" in runs and "--format sarif" in runs
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    # Every xenlint command line in the samples parses with today's CLI.
    import shlex

    from cli import build_parser

    parser, _ = build_parser()
    for text in (script, runs, hook["entry"]):
        for line in text.splitlines():
            line = line.strip().split(" > ")[0].split(" || ")[0]
            if line.startswith("xenlint "):
                words = [w.replace("$baseline", "") for w in shlex.split(line)[1:] if w != "$baseline"]
                words = [w if "$" not in w else "HEAD~1..HEAD" for w in words]
                parser.parse_args(words)


def test_staged_change_in_mapping_code_runs_the_cross_check_and_keeps_only_new_findings(tmp_path):
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("the model cross-check compiles a harness and no C compiler is installed")
    source = ROOT / "fixtures/tree-after"
    files = {str(p.relative_to(source)): p.read_text() for p in source.rglob("*.[ch]")}
    repo = git_repo(tmp_path / "xen-repo", files)
    xen_c = repo / "xen/arch/x86/guest/xen.c"
    text = xen_c.read_text()
    assert "static int map_vcpuinfo(void)\n{\n" in text
    xen_c.write_text(text.replace("static int map_vcpuinfo(void)\n{\n",
                                  "static int map_vcpuinfo(void)\n{\n    /* a comment */\n", 1))
    git(repo, "add", "-A")
    code, out, err = run_cli("check", "--staged", "-v", cwd=repo)
    assert "model cross-check (L0 " in out and " findings are new" in out, out + err
    assert "0 of " in out  # a comment changes no behaviour: nothing the change brings in
    assert code == 0, out
    code, out, _ = run_cli("check", "--staged", "-v", "--model", "never", cwd=repo)
    assert code == 0 and "model cross-check" not in out


def _ci_repo(tmp_path: Path) -> tuple[Path, str]:
    """A Xen-like repository with a merge request's worth of change: base, then a commit
    bringing an XL105 error (the base holds two old XL101 errors)."""
    repo = git_repo(tmp_path / "xen-repo", {
        "xen/arch/x86/guest/xen.c": XEN_C,
        "xen/arch/x86/time.c": LEGACY_READS,
        "xen/include/asm-x86/percpu-decl.h": "#ifndef PD\n#define PD\n#endif\n",
    })
    base = git(repo, "rev-parse", "HEAD").stdout.strip()
    header = repo / "xen/include/asm-x86/percpu-decl.h"
    header.write_text(header.read_text().replace("#define PD\n", "#define PD\n" + BAD_DECL))
    git(repo, "commit", "-qam", "declare vcpu_info")
    return repo, base


def _bash(script: str, repo: Path, env: dict) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)  # this environment's xenlint
    return subprocess.run(["bash", "-c", script], cwd=repo, capture_output=True, text=True, timeout=600,
                          env={**git_env(), **env, "PATH": bin_dir + ":" + __import__("os").environ["PATH"]})


def test_the_gitlab_job_runs_and_writes_a_code_quality_report(tmp_path):
    import json

    yaml = pytest.importorskip("yaml")
    job = yaml.safe_load((ROOT / "docs/gitlab-ci.yml").read_text())["xenlint"]
    assert "git+" in job["variables"]["XENLINT_PIP"]  # from its repository, not a PyPI name
    repo, base = _ci_repo(tmp_path)
    run = _bash("\n".join(job["script"]), repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base})
    assert run.returncode == 1, run.stdout + run.stderr  # the MR brings an error: the job fails
    report = json.loads((repo / job["artifacts"]["reports"]["codequality"]).read_text())
    assert [issue["check_name"] for issue in report] == ["XL105"]  # only what the MR brings
    assert report[0]["location"]["path"] == "xen/include/asm-x86/percpu-decl.h"
    assert "XL105" in run.stdout  # the readable copy in the log


def test_the_github_workflow_steps_run(tmp_path):
    import json

    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / "docs/github-workflow.yml").read_text())
    assert "git+" in workflow["env"]["XENLINT_PIP"]
    steps = {step.get("name"): step for step in workflow["jobs"]["xenlint"]["steps"]}
    repo, base = _ci_repo(tmp_path)
    git(repo, "branch", "staging", base)
    annotate = steps["Annotate the pull request"]["run"].replace("${{ github.base_ref }}", "staging")
    git(repo, "update-ref", "refs/remotes/origin/staging", base)
    run = _bash(annotate, repo, {})
    assert run.returncode == 1 and run.stdout.startswith("::error file=xen/include/asm-x86/percpu-decl.h,line=3,")
    assert "XL101" not in run.stdout
    run = _bash(steps["Whole tree as SARIF"]["run"], repo, {})
    assert run.returncode == 0, run.stderr
    sarif = json.loads((repo / "xenlint.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"XL101", "XL105"}

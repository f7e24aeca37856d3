"""`xenlint model`: exit codes, formats, bad input, build cache, missing compiler."""

import json

import pytest

import cli
from analyzer.crosscheck import build
from analyzer.errors import ToolMissing
from tests.conftest import FIXTURES, ROOT

REFERENCE = str(FIXTURES / "model" / "reference.c")
AFTER = str(FIXTURES / "tree-after" / "xen" / "arch" / "x86" / "guest" / "xen.c")


def test_clean_file_exits_0_and_lists_coverage(capsys):
    assert cli.main(["model", REFERENCE]) == 0
    out = capsys.readouterr().out
    assert "map_vcpuinfo: 12/12" in out and "stubbed calls: none" in out


def test_findings_exit_1_in_json(capsys):
    assert cli.main(["model", AFTER, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert any(f["rule"] == "XL260" for f in data["findings"])
    assert data["coverage"] and data["scenarios_run"] > 0


@pytest.mark.parametrize("argv, problem", [
    (["--replay", "{not json"], "not JSON"),
    (["--replay", '{"nr_cpu_ids": 2, "events": ["AP_UP:9"]}'], "below nr_cpu_ids"),
    (["--explore", "-1"], "must be 0 or more"),
])
def test_bad_input_exits_2(capsys, argv, problem):
    assert cli.main(["model", REFERENCE, *argv]) == 2
    assert problem in capsys.readouterr().err


def test_patch_without_map_function_exits_2(tmp_path, capsys):
    patch = tmp_path / "p.diff"
    patch.write_text("--- a/x.c\n+++ b/x.c\n@@ -1,1 +1,2 @@\n int a;\n+int b;\n")
    assert cli.main(["model", str(patch)]) == 2
    assert "map_vcpuinfo" in capsys.readouterr().err


def test_harness_cache_follows_env_and_stays_out_of_the_tree(tmp_path, monkeypatch):
    monkeypatch.setenv("XENLINT_CACHE_DIR", str(tmp_path / "cache"))
    from analyzer.crosscheck.run import Prepared
    prep = Prepared((FIXTURES / "model" / "reference.c").read_text(), "reference.c")
    assert prep.binary is not None and (tmp_path / "cache") in prep.binary.parents
    assert ROOT not in prep.binary.parents
    again = Prepared((FIXTURES / "model" / "reference.c").read_text(), "reference.c")
    assert again.binary == prep.binary


def test_missing_compiler_raises_tool_missing(monkeypatch):
    monkeypatch.setenv("CC", "")
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissing):
        build.compiler()

"""Reading compile_commands.json: entries, arguments kept for libclang, bad databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import xenlint

from analyzer.errors import InputError
from analyzer.frontend.compiledb import CompileDatabase, parse_arguments

TREE = Path(__file__).resolve().parent.parent / "fixtures" / "semantic" / "tree"


def test_only_parse_relevant_arguments_are_kept_with_absolute_paths():
    raw = ["gcc", "-m64", "-DNDEBUG", "-D", "__XEN__", "-Iinclude", "-I", "arch/x86/include",
           "-isystem", "/usr/lib/gcc/include", "-include", "include/xen/config.h",
           "-imacros", "x.h", "-std=gnu99", "-O2", "-fno-jump-tables", "-mindirect-branch=thunk",
           "-Wp,-MD,.x.o.d", "-MF", "dep.d", "-c", "a.c", "-o", "a.o", "-Wall", "-Werror"]
    assert parse_arguments(raw, Path("/src/xen")) == (
        "-m64", "-D", "NDEBUG", "-D", "__XEN__", "-I", "/src/xen/include",
        "-I", "/src/xen/arch/x86/include", "-isystem", "/usr/lib/gcc/include",
        "-include", "/src/xen/include/xen/config.h", "-imacros", "/src/xen/x.h", "-std=gnu99")


def test_fixture_database_with_relative_directory_and_command_strings():
    db = CompileDatabase.load(TREE / "compile_commands.json")
    assert len(db) == 4
    entry = db.entry_for(TREE / "xen" / "arch" / "x86" / "guest" / "xen.c")
    assert entry is not None and entry.directory == TREE / "xen"
    assert ("-I", str(TREE / "xen" / "include")) == entry.arguments[1:3]
    assert db.entry_for(TREE / "xen" / "include" / "asm" / "guest.h") is None


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not a JSON compilation database"),
    ('{"file": "a.c"}', "expected a list of entries"),
    ('[{"file": "a.c"}]', "every entry needs 'directory' and 'file' strings"),
    ('[{"directory": "/", "file": "a.c"}]', "neither 'arguments' nor 'command'"),
])
def test_bad_databases_are_input_errors(tmp_path, content, problem):
    path = tmp_path / "compile_commands.json"
    path.write_text(content)
    with pytest.raises(InputError) as err:
        CompileDatabase.load(path)
    assert problem in str(err.value)


def test_bad_database_on_the_command_line_is_one_line_exit_2(tmp_path):
    path = tmp_path / "cc.json"
    path.write_text("[1, 2]")
    run = xenlint("check", str(TREE / "xen/arch/x86/guest/time.c"), "--compile-commands", str(path))
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    missing = xenlint("check", str(TREE / "xen/arch/x86/guest/time.c"),
                      "--compile-commands", str(tmp_path / "nope.json"))
    assert missing.code == 2 and "no such compilation database" in missing.err


def test_a_folder_given_as_database_means_its_compile_commands_json():
    run = xenlint("check", str(TREE / "xen/arch/x86/guest/time.c"), "--compile-commands",
                  str(TREE), "--format", "json")
    assert run.json()["summary"]["parsed"]["semantic_files"] == 1

"""Bad input: one line naming the input and the problem, exit 2, no traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from helpers import xenlint


def _assert_input_error(run, name: str):
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("xenlint: error: ") and name in lines[0]
    assert "Traceback" not in run.err


def test_empty_c_file(tmp_path):
    empty = tmp_path / "empty.c"
    empty.write_text("")
    _assert_input_error(xenlint("check", str(empty)), "empty.c")


def test_binary_c_file(tmp_path):
    binary = tmp_path / "blob.c"
    binary.write_bytes(b"\x7fELF\x00\x01\x02" * 20)
    run = xenlint("check", str(binary))
    _assert_input_error(run, "blob.c")
    assert "binary" in run.err


def test_file_that_is_not_c(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    _assert_input_error(xenlint("check", str(other)), "notes.txt")


def test_missing_path(tmp_path):
    _assert_input_error(xenlint("check", str(tmp_path / "nope.c")), "nope.c")


def test_directory_without_c(tmp_path):
    (tmp_path / "README").write_text("no C here\n")
    run = xenlint("check", str(tmp_path))
    _assert_input_error(run, str(tmp_path))
    assert "no C files" in run.err


def _as_unprivileged(*argv):
    """``xenlint ARGV`` in a forked child that gave up root (uid nobody): root
    reads files whatever their mode, so CI (which runs as root) would never see
    a file it cannot read otherwise."""
    import json
    import os

    from helpers import Run, run_cli

    if os.geteuid() != 0:
        return xenlint(*argv)
    run_cli(*argv)  # as root, once: every module the run needs is loaded before the child
    read, write = os.pipe()  # gives up root (nobody cannot read /root, where Python may live)
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, json.dumps(run_cli(*argv)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    return Run(*json.loads(data))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_unreadable_file(tmp_path):
    import os
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="xenlint-unreadable-"))  # reachable by nobody
    try:
        folder.chmod(0o755)
        locked = folder / "locked.c"
        locked.write_text("int x;\n")
        locked.chmod(0)
        run = _as_unprivileged("check", str(locked), "--no-cache")
        _assert_input_error(run, "locked.c")
        assert "Permission denied" in run.err
        for k in range(60):  # enough for a worker process to meet it
            (folder / f"f{k:02}.c").write_text(f"static int v{k};\n")
        (folder / f"f{k:02}.c").chmod(0o644)
        run = _as_unprivileged("check", str(folder), "--no-cache", "-j", "2")
        _assert_input_error(run, "locked.c")
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def test_empty_patch(tmp_path):
    empty = tmp_path / "empty.patch"
    empty.write_text("")
    _assert_input_error(xenlint("check-patch", str(empty)), "empty.patch")


def test_patch_with_no_diff(tmp_path):
    mail = tmp_path / "question.eml"
    mail.write_text("From: a@example.org\nSubject: a question\n\nWhy is vcpu_info per CPU?\n")
    run = xenlint("check-patch", str(mail))
    _assert_input_error(run, "question.eml")
    assert "no unified diff" in run.err


def test_diff_cut_in_the_middle_of_a_hunk(tmp_path):
    cut = tmp_path / "cut.patch"
    cut.write_text("--- a/x.c\n+++ b/x.c\n@@ -1,5 +1,6 @@\n int a;\n+int b;\n int c;\n")
    run = xenlint("check-patch", str(cut))
    _assert_input_error(run, "cut.patch")
    assert "cut short" in run.err


def test_non_utf8_mail_without_charset(tmp_path):
    mail = tmp_path / "latin.eml"
    mail.write_bytes(b"From: Ren\xe9 <r@example.org>\nSubject: [PATCH] x\n\n"
                     b"Caf\xe9\n---\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+int b;\n")
    run = xenlint("check-patch", str(mail))
    _assert_input_error(run, "latin.eml")
    assert "UTF-8" in run.err


def test_non_utf8_mail_with_declared_charset_is_read(tmp_path):
    mail = tmp_path / "latin1.eml"
    mail.write_bytes(b"From: r@example.org\nSubject: [PATCH] x\nMIME-Version: 1.0\n"
                     b"Content-Type: text/plain; charset=iso-8859-1\n\nCaf\xe9\n---\n"
                     b"--- a/x.c\n+++ b/x.c\n@@ -1 +1,2 @@\n int a;\n+unsigned long m[4];\n")
    run = xenlint("check-patch", str(mail), "--format", "json")
    assert run.code == 0
    assert ("XL106", "x.c", 2) in run.hits()


def test_binary_patch_input(tmp_path):
    blob = tmp_path / "blob.patch"
    blob.write_bytes(b"\x00\x01\x02\x03")
    _assert_input_error(xenlint("check-patch", str(blob)), "blob.patch")


def test_tree_that_is_not_a_directory():
    run = xenlint("check-patch", str(FIXTURES / "patches" / "0001-x86-guest-per-vcpu-vcpu_info-v2.diff"),
                  "--tree", str(FIXTURES / "nowhere"))
    _assert_input_error(run, "nowhere")


def test_console_script_prints_one_line_and_exits_2(tmp_path):
    empty = tmp_path / "empty.patch"
    empty.write_text("")
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "check-patch", str(empty)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr

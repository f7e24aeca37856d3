"""Finding the diff inside mail text: the shapes that confuse naive scanners."""

import pytest

from analyzer.errors import InputError
from analyzer.inputs.patchset import parse_patch_bytes

DIFF = (
    "diff --git a/xen/g.c b/xen/g.c\n"
    "index 1111111..2222222 100644\n"
    "--- a/xen/g.c\n"
    "+++ b/xen/g.c\n"
    "@@ -1,3 +1,4 @@\n"
    " int a;\n"
    "+unsigned long vcpu_info_mapped[4];\n"
    " \n"
    " int b;\n"
)


def _one_file(patch):
    assert [f.path for f in patch.files] == ["xen/g.c"]
    hunk = patch.files[0][0]
    return [line.value.rstrip("\n") for line in hunk if line.is_added]


def test_plain_diff():
    assert _one_file(parse_patch_bytes(DIFF.encode(), "p")) == ["unsigned long vcpu_info_mapped[4];"]


def test_diff_quoted_in_the_commit_message_is_not_the_patch():
    mail = (
        "From: a@example.org\nSubject: [PATCH] g: fix\nMessage-ID: <1@x>\n\n"
        "An earlier attempt did this:\n\n"
        "--- a/xen/old.c\n+++ b/xen/old.c\n@@ -1 +1 @@\n-int z;\n+int y;\n\n"
        "which was wrong.\n---\n" + DIFF + "-- \n2.39.5\n")
    patch = parse_patch_bytes(mail.encode(), "m")
    assert _one_file(patch) == ["unsigned long vcpu_info_mapped[4];"]
    assert patch.message_id == "1@x"


def test_quoted_reply_lines_are_not_diff():
    text = "On Mon, A wrote:\n> --- a/xen/q.c\n> +++ b/xen/q.c\n> @@ -1 +1 @@\n> -x\n> +y\n\n" + DIFF
    assert _one_file(parse_patch_bytes(text.encode(), "r")) == ["unsigned long vcpu_info_mapped[4];"]


def test_reply_that_only_quotes_a_patch_has_no_diff():
    text = "On Mon, A wrote:\n> --- a/xen/q.c\n> +++ b/xen/q.c\n> @@ -1 +1 @@\n> -x\n> +y\n\nLooks fine.\n"
    with pytest.raises(InputError, match="no unified diff"):
        parse_patch_bytes(text.encode(), "r")


def test_wrapped_line_is_joined_back():
    wrapped = DIFF.replace("+unsigned long vcpu_info_mapped[4];\n", "+unsigned long\nvcpu_info_mapped[4];\n")
    patch = parse_patch_bytes(wrapped.encode(), "w")
    assert _one_file(patch) == ["unsigned long vcpu_info_mapped[4];"]
    assert any("wrapped" in note for note in patch.notes)


def test_stripped_empty_context_line():
    stripped = DIFF.replace("\n \n", "\n\n")
    assert _one_file(parse_patch_bytes(stripped.encode(), "s")) == ["unsigned long vcpu_info_mapped[4];"]


def test_thread_junk_after_the_diff_is_ignored():
    junk = DIFF + "-- \n2.11.0\n\n_______________\nXen-devel mailing list\n" \
                  "2018-01-04 13:05 [PATCH 01/74] x86: thing Wei Liu\n+++ not a diff\n@@ nothing @@\n"
    assert _one_file(parse_patch_bytes(junk.encode(), "j")) == ["unsigned long vcpu_info_mapped[4];"]


def test_archive_page_headers(seed_path):
    patch = parse_patch_bytes(seed_path.read_bytes(), "seed")
    assert patch.subject == "[PATCH RFC v1 49/74] x86/guest: map per-cpu vcpu_info area."
    assert patch.message_id == "20180104130625.28605-50-wei.liu2@citrix.com"
    assert [f.path for f in patch.files] == [
        "xen/arch/x86/guest/xen.c", "xen/arch/x86/time.c", "xen/include/asm-x86/guest/hypercall.h"]

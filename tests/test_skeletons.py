"""Skeletons keep every line in place and only blank what a layer does not need.

The oracle for the statements skeleton is the full parse of the file: where
that parse is clean, the facts of the skeleton are exactly its facts.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analyzer.frontend import extract, layers, syntax
from analyzer.frontend.skeletons import declaration_skeleton, quiet_bodies_blanked
from helpers import c_files, read_c

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def blanked(text: str) -> str:
    return quiet_bodies_blanked(text, extract.BODY_WORDS, extract.REGISTER_OP)


def kept_lines(skeleton: str) -> set[int]:
    return {i + 1 for i, line in enumerate(skeleton.split("\n")) if line.strip()}


def test_declaration_skeleton_keeps_line_numbers_and_only_candidate_declarations():
    text = ("#include <x.h>\n"
            "static int hidden;\n"
            "unsigned long mapped[4];\n"
            "int f(int a)\n{\n    int local = a;\n    return local;\n}\n"
            "struct ops table = {\n    .f = f,\n};\n"
            "void (*hook)(void);\n"
            "bool __read_mostly\n    opt_flag;\n"
            "DEFINE_SPINLOCK(lock);\n")
    skeleton = declaration_skeleton(text)
    assert skeleton.count("\n") == text.count("\n")
    assert kept_lines(skeleton) == {3, 9, 10, 11, 12, 13, 14}


GUEST = """\
static int quiet(int a)
{
    int b = a + 1;
    return b;
}

static void loud(unsigned int cpu)
{
    struct vcpu_info *v = &XEN_shared_info->vcpu_info[cpu];
    (void)v;
}

static int do_register(unsigned int cpu)
{
    struct vcpu_register_vcpu_info info = { .mfn = 0 };
    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, cpu, &info);
}

static int caller(void)
{
    return do_register(0);
}

static int odd_braces(int x)
{
#ifdef CONFIG_A
    if ( x ) {
#else
    if ( !x ) {
#endif
        x++;
    }
    return x;
}

static int unclosed(void)
{
#ifdef CONFIG_B
    return 1;
}
#else
    return 0;
}
#endif
"""


def test_quiet_bodies_are_emptied_and_every_line_stays_in_place():
    skeleton = blanked(GUEST)
    assert skeleton.count("\n") == GUEST.count("\n")
    lines = GUEST.split("\n")
    emptied = {i + 1 for i, line in enumerate(lines) if line.strip()} - kept_lines(skeleton)
    assert emptied == {3, 4}  # only quiet()'s body: the others spell a word, or are not plain
    for number in kept_lines(skeleton):
        assert skeleton.split("\n")[number - 1] == lines[number - 1]


def test_a_registering_function_keeps_its_callers_bodies():
    text = GUEST.replace("return do_register(0);", "return do_register(0) + quiet(1);")
    assert "return do_register(0) + quiet(1);" in blanked(text)
    without_caller = GUEST.replace("return do_register(0);", "return 7;")
    assert "return 7;" not in blanked(without_caller)


def test_braces_in_comments_and_literals_are_not_code():
    fooled = "static int f(int x)\n{\n    if ( x ) {\n    /* } */\n    return x;\n}\n"
    assert blanked(fooled) == fooled  # its "{" is never closed: the parser decides
    plain = "static int g(void)\n{\n    puts(\"{\");\n    return '}';\n}\n"
    assert blanked(plain) == "static int g(void)\n{\n\n\n}\n"


def test_the_register_word_outside_any_plain_body_leaves_the_text_whole():
    text = GUEST + "#define REGISTER VCPUOP_register_vcpu_info\n"
    assert blanked(text) == text


def statement_files() -> list[Path]:
    files = [p for p in c_files(FIXTURES) if layers.layer_of(str(p), read_c(p)) == "statements"]
    assert len(files) > 5
    return files


def assert_skeleton_facts_equal_full_parse(path: str, text: str) -> None:
    """Facts of the statements layer against the full parse's.  Parse errors
    in emptied bodies go with them; no other error and no other fact changes
    (the text must not make the parser guess inside a quiet function)."""
    full = extract.extract_facts(path, text)
    layered = layers.file_facts(path, text)
    assert list(layered.lines) == list(full.lines)
    assert set(layered.error_lines) <= set(full.error_lines)
    assert replace(layered, lines=full.lines, error_lines=full.error_lines) == full, path


@pytest.mark.parametrize("path", statement_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_statements_skeleton_gives_the_full_parse_facts_on_fixtures(path):
    text = read_c(path)
    assert_skeleton_facts_equal_full_parse(str(path), text)


FUNCTION_PARTS = st.sampled_from([
    "    int x = 0;\n", "    x = XEN_shared_info->vcpu_info[cpu].time.version;\n",
    "    p = &x;\n", "    if ( x ) {\n", "    }\n", "#ifdef CONFIG_X\n", "#else\n", "#endif\n",
    "    rc = map_vcpuinfo();\n", "    v = this_cpu(vcpu_info);\n", "    helper();\n",
    "    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, cpu, &info);\n",
    "    s = \"{\";\n", "    /* } */\n", "    return x;\n",
])


@st.composite
def xen_style_file(draw) -> str:
    functions = []
    for number in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(["f", "helper", "setup", "g"])) + str(number)
        body = "".join(draw(st.lists(FUNCTION_PARTS, max_size=8)))
        if draw(st.booleans()):
            body += f"    {functions[-1][0]}();\n" if functions else ""
        functions.append((name, f"static int {name}(unsigned int cpu)\n{{\n{body}}}\n"))
    return "DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);\n\n" + "\n".join(f for _, f in functions)


@settings(max_examples=200, deadline=None)
@given(xen_style_file())
def test_statements_skeleton_gives_the_full_parse_facts_on_generated_code(text):
    assume(syntax.parse(text).clean)
    assert_skeleton_facts_equal_full_parse("gen.c", text)


@pytest.mark.realxen
def test_statements_skeleton_recovers_from_less_on_the_real_tree(real_xen_tree):
    """Emptied bodies take their parse errors with them; none appear elsewhere."""
    for path in c_files(real_xen_tree / "xen"):
        text = read_c(path)
        if layers.layer_of(str(path), text) != "statements":
            continue
        full_errors = set(syntax.parse(text).error_lines)
        assert set(syntax.parse(blanked(text)).error_lines) <= full_errors, path


def test_an_unclosed_body_leaves_every_later_body_to_the_parser():
    # The parser nests f2 inside f0, whose "{" the "}" of its if closes;
    # emptying f2 by its own braces would lose the &x the parse reads there.
    text = ("DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);\n\nstatic int f0(unsigned int cpu)\n{\n"
            "    if ( x ) {\n}\n\nstatic int f1(unsigned int cpu)\n{\n"
            "    x = XEN_shared_info->vcpu_info[cpu].time.version;\n}\n\n"
            "static int f2(unsigned int cpu)\n{\n    p = &x;\n}\n\nstatic int f3(unsigned int cpu)\n"
            "{\n    }\n}\n")
    assert_skeleton_facts_equal_full_parse("gen.c", text)

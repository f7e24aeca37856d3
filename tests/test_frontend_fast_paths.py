"""The front end's fast paths give exactly what the plain algorithms give.

* extract: one tree-sitter query replaces a Python pre-order walk over
  every node, and the bodies of functions that spell none of the words a
  fact needs are skipped (only address-of facts there, which no rule reads
  outside registering functions, may differ);
* syntax: attribute macros are found by scanning for "__" instead of one
  alternation of thirty words.
The plain versions live here, as oracles.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.frontend import extract, syntax
from helpers import c_files, read_c

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def plain_blank(text: str) -> str:
    words = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, syntax._ATTRIBUTE_WORDS)))
    calls = re.compile(r"\b(?:%s)\s*\(" % "|".join(map(re.escape, syntax._ATTRIBUTE_CALLS)))
    out = list(text)
    for m in syntax._PERCPU_RE.finditer(text):
        out[m.start("comma")] = ")"
        out[m.start("close")] = " "
    for m in words.finditer(text):
        out[m.start():m.end()] = " " * (m.end() - m.start())
    # An unknown lowercase "__word" written before a type is an annotation too.
    unknown = re.compile(r"(?<!\w)__[0-9_]*[a-z][a-z0-9_]*(?=[ \t]+(?:struct|union|enum|const|volatile|unsigned|"
                         r"signed|char|short|int|long|void|bool|_Bool)\b)")
    for m in unknown.finditer(text):
        out[m.start():m.end()] = " " * (m.end() - m.start())
    for m in calls.finditer(text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        for j in range(m.start(), min(i + 1, len(text))):
            if out[j] != "\n":
                out[j] = " "
    return "".join(out)


BLOCKS = ("preproc_if", "preproc_ifdef")
BRANCHES = ("preproc_else", "preproc_elif", "preproc_elifdef")


def at_file_scope(node) -> bool:
    """In the translation unit, in an #if block of it, or in such a block's branch."""
    parent = node.parent
    if parent is not None and parent.type in BRANCHES:
        parent = parent.parent
        if parent is None or parent.type not in BLOCKS:
            return False
        return parent.parent is not None and parent.parent.type == "translation_unit"
    if parent is not None and parent.type in BLOCKS:
        parent = parent.parent
    return parent is not None and parent.type == "translation_unit"


class PlainWalker(extract._Walker):
    """Every node visited in pre-order, each kind sent to its handler."""

    def walk(self, gate: bool = True):
        stack = [(self.tree.root, None)]
        while stack:
            node, function = stack.pop()
            kind = node.type
            if kind == "function_definition":
                function = self.on_function(node) or function
            elif kind == "declaration" and at_file_scope(node):
                self.on_file_scope_declaration(node)
            elif kind == "identifier":
                self.on_identifier(node, function)
            elif kind == "call_expression":
                self.on_call(node, function)
            elif kind == "subscript_expression":
                self.on_subscript(node, function)
            elif kind == "binary_expression":
                self.on_pointer_arithmetic(node, function)
            elif kind == "pointer_expression":
                self.on_address_of(node, function)
            elif kind == "assignment_expression":
                self.on_assignment(node, function)
            elif kind == "init_declarator":
                self.on_init(node, function)
            stack.extend((c, function) for c in reversed(node.children))
        self.finish_calls()
        return self.facts


def facts_three_ways(path: str, text: str):
    tree = syntax.parse(text)
    fast = extract._Walker(path, text, tree).walk()
    ungated = extract._Walker(path, text, tree).walk(gate=False)
    plain = PlainWalker(path, text, tree).walk()
    return fast, ungated, plain


def assert_same_facts(fast, plain, where=""):
    """The gated walk skips the bodies of quiet functions (extract.quiet_functions):
    it may miss address-of facts there, and only there, since rules read them
    only in functions that register, and the entries of functions nested in
    them (GNU C).  Every other fact is the same."""
    registering = {c.site.function for c in plain.calls
                   if c.args and c.args[0] == extract.REGISTER_OP}
    missed = [a for a in plain.addresses if a not in fast.addresses]
    assert all(a in plain.addresses for a in fast.addresses), where
    assert not [a for a in missed if a.site.function in registering or a.site.function is None], where
    unlisted = list(plain.functions)
    for fn in fast.functions:
        unlisted.remove(fn)  # ValueError: an entry the plain walk does not have
    assert all(any(o.line <= fn.line and fn.end_line <= o.end_line for o in fast.functions)
               for fn in unlisted), where  # only functions nested in listed ones (GNU C)
    assert replace(fast, addresses=[], functions=[]) == replace(plain, addresses=[], functions=[]), where


def fixture_files() -> list[Path]:
    files = c_files(FIXTURES)
    assert len(files) > 10
    return files


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_query_walk_equals_plain_walk_on_fixtures(path):
    text = read_c(path)
    fast, ungated, plain = facts_three_ways(str(path), text)
    assert ungated == plain
    assert_same_facts(fast, plain)
    assert syntax.blank_attributes(text) == plain_blank(text)


@pytest.mark.realxen
def test_query_walk_equals_plain_walk_on_real_guest_code(real_xen_tree):
    folder = real_xen_tree / "xen" / "arch" / "x86" / "guest"
    files = c_files(folder) + [real_xen_tree / "xen" / "common" / "domain.c",
                                    real_xen_tree / "xen" / "arch" / "x86" / "smpboot.c"]
    for path in files:
        text = read_c(path)
        fast, ungated, plain = facts_three_ways(str(path), text)
        assert ungated == plain, path
        assert_same_facts(fast, plain, path)
        assert syntax.blank_attributes(text) == plain_blank(text), path


@pytest.mark.realxen
def test_blanking_equals_plain_blanking_on_the_whole_real_tree(real_xen_tree):
    for path in c_files(real_xen_tree / "xen"):
        text = read_c(path)
        assert syntax.blank_attributes(text) == plain_blank(text), path


PIECES = st.sampled_from([
    "__init", "__initdata", "x__init", "__init_x", "noinline", "cf_check", "my_noinline",
    "__aligned", "__attribute__", "__attribute", "__section", "__printf", " ", "\n", "(", ")",
    "((", "))", ",", ";", "64", "int", "DEFINE_PER_CPU", "DECLARE_PER_CPU_READ_MOSTLY",
    "struct vcpu_info", "*", "name", "é", "\t", "__", "_",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_blanking_equals_plain_blanking_on_generated_text(text):
    assert syntax.blank_attributes(text) == plain_blank(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "static ", "int ", "x", "y", " = ", "XEN_shared_info", "->vcpu_info[", "]", " + ", "&",
    "this_cpu(vcpu_info)", "map_vcpuinfo()", "DEFINE_PER_CPU(struct vcpu_info *, v)", ";\n",
    "void f(void) {", "}", "if (", ") ", "nr_cpu_ids", "per_cpu_ptr(p, c)", "{", "(", ")",
    "struct vcpu_info *s", "HYPERVISOR_shared_info", "VCPUOP_register_vcpu_info", ", ",
]), max_size=60).map("".join))
def test_query_walk_equals_plain_walk_on_generated_code(text):
    fast, ungated, plain = facts_three_ways("gen.c", text)
    assert ungated == plain
    assert_same_facts(fast, plain)

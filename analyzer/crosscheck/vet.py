"""Vetting: what extracted code may hold before the compiler ever sees it.

The cross-check compiles and runs code written by strangers (a patch from a
mailing list).  The sandbox (sandbox.py, c/runtime.c) contains what that
code does while it runs; vetting refuses, on tree-sitter's syntax tree of
the raw text, what could act outside the run or forge its result:

* preprocessor directives (``#include`` would read a host file into the
  compile, ``#define`` would rewrite the harness), digraph directives and
  ``_Pragma``;
* inline assembly (a system call without the C library);
* identifiers the harness reserves: its runtime (``xl_*``, ``XL_*``), the
  storage behind per-CPU variables (``per_cpu__*``);
* calls to anything but the extracted functions, the functions the harness
  models (the prelude's API) and the kernel functions it stubs, and calls
  through anything but a name (a pointer, a field, a cast address);
* attributes that place code or data where it runs outside a scenario
  (constructor, destructor, section, alias, ifunc, cleanup, ...), and GCC
  builtins beyond a few that compute nothing outside their arguments.

Each refusal names the construct and its line in the checked file (XL280).
What vetting does not promise is written in the README's threat model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analyzer.crosscheck.extract import ENVIRONMENT_FUNCTIONS, Extraction

# Kernel functions guest mapping code calls that the harness stubs: each
# returns 0 and its calls are counted in the report.
STUBBED_API = frozenset({
    "pv_console_init",          # Xen's shim: the PV console, after the mapping
    "xen_setup_runstate_info",  # Linux's restore: steal-time accounting, not the vcpu_info area
})
# Attributes that only shape layout, inlining or warnings.
HARMLESS_ATTRIBUTES = frozenset({
    "aligned", "packed", "unused", "used", "noinline", "always_inline", "cold", "hot", "noreturn",
    "pure", "const", "warn_unused_result", "nonnull", "may_alias", "deprecated", "format",
    "maybe_unused", "fallthrough", "noclone", "nonstring", "flatten"})
HARMLESS_BUILTINS = frozenset({
    "__builtin_expect", "__builtin_unreachable", "__builtin_constant_p", "__builtin_offsetof",
    "__builtin_types_compatible_p", "__builtin_choose_expr", "__builtin_ctz", "__builtin_ctzl",
    "__builtin_clz", "__builtin_clzl", "__builtin_ffs", "__builtin_ffsl", "__builtin_popcount",
    "__builtin_popcountl"})
# Larger mapping code is not cross-checked (XL280): a real one has a few
# hundred lines, and the compiler's and the harness's costs grow with it.
MAX_EXTRACTED_BYTES = 256 << 10
MAX_FUNCTION_LINES = 4000
_RESERVED = re.compile(r"^(xl_|XL_|per_cpu__|__xl)")
_ASM = frozenset({"asm", "__asm__", "__asm"})
_ATTRIBUTE = frozenset({"__attribute__", "__attribute"})


@dataclass(frozen=True)
class Refusal:
    construct: str
    line: int  # in the checked file
    where: str  # the function or object it is in

    def __str__(self) -> str:
        return f"refused to compile {self.where}: {self.construct} at line {self.line}"


@lru_cache(maxsize=1)
def modelled_api() -> frozenset[str]:
    """Functions and function-like macros the harness prelude defines, less its runtime's."""
    from analyzer.crosscheck.harness_gen import c_source

    text = c_source("prelude.h")
    names = set(re.findall(r"#define\s+(\w+)\(", text))
    names |= set(re.findall(r"static inline [\w\s\*]*?\b(\w+)\s*\(", text))
    names |= set(re.findall(r"#define\s+(\w+)\s+\w+\s*$", text, re.M))  # aliases: __set_bit set_bit
    return frozenset(n for n in names if not _RESERVED.match(n))


@lru_cache(maxsize=1)
def prelude_types() -> frozenset[str]:
    from analyzer.crosscheck.harness_gen import c_source

    text = c_source("abi.h") + c_source("prelude.h")
    return frozenset(re.findall(r"\btypedef\b[^;]*?\b(\w+)\s*;", text))


def _blank_comments_and_strings(text: str) -> str:
    """The text with comments and string/char literals blanked (newlines
    kept): what is left is what the preprocessor acts on."""
    out, i, n = [], 0, len(text)
    pattern = re.compile(r"/\*.*?(\*/|\Z)|//[^\n]*|\"(\\.|[^\"\\\n])*\"?|'(\\.|[^'\\\n])*'?", re.S)
    for m in pattern.finditer(text):
        out.append(text[i:m.start()])
        out.append(re.sub(r"[^\n]", " ", m.group()))
        i = m.end()
    out.append(text[i:n])
    return "".join(out)


def directives(text: str, first_line: int, where: str) -> list[Refusal]:
    """Preprocessor directives in ``text`` (lines counted from ``first_line``):
    a logical line whose first token is ``#`` or the digraph ``%:``."""
    found = []
    lines = _blank_comments_and_strings(text).split("\n")
    continued = False
    for k, line in enumerate(lines):
        stripped = line.lstrip()
        if not continued and stripped.startswith(("#", "%:")):
            word = re.match(r"(#|%:)\s*(\w*)", stripped)
            found.append(Refusal(f"preprocessor directive '{word.group(1)}{word.group(2)}'",
                                 first_line + k, where))
        continued = line.endswith("\\")
    return found


def _leaves(node):
    stack = [node]
    while stack:
        current = stack.pop()
        if current.child_count == 0:
            yield current
        else:
            stack.extend(reversed(current.children))


def too_large(extraction: Extraction) -> list[Refusal]:
    """A refusal when the extracted code is beyond what the cross-check runs."""
    functions = extraction.all_functions()
    total = sum(len(f.text) for f in functions) + sum(len(o.text) for o in extraction.objects)
    for function in functions:
        lines = function.text.count("\n") + 1
        if lines > MAX_FUNCTION_LINES:
            return [Refusal(f"a function of {lines} lines (the cross-check runs up to "
                            f"{MAX_FUNCTION_LINES})", function.line, f"{function.name}()")]
    if total > MAX_EXTRACTED_BYTES:
        first = functions[0] if functions else None
        return [Refusal(f"{total >> 10} KiB of extracted code (the cross-check runs up to "
                        f"{MAX_EXTRACTED_BYTES >> 10} KiB)", first.line if first else 1,
                        "the mapping code")]
    return []


def vet(extraction: Extraction) -> list[Refusal]:
    """Everything in the extracted functions and objects the harness must not compile."""
    from analyzer.crosscheck.cst import parse_body

    functions = extraction.all_functions()
    callable_names = ({f.name for f in functions} | set(ENVIRONMENT_FUNCTIONS) | modelled_api()
                      | STUBBED_API)
    types = prelude_types()
    refusals: list[Refusal] = []
    for obj in extraction.objects:
        where = f"the declaration of {obj.name}"
        refusals += directives(obj.text, obj.line, where) + _tokens(obj.text, obj.line, where)
    for function in functions:
        where = f"{function.name}()"
        refusals += directives(function.text, function.line, where)
        refusals += _tokens(function.text, function.line, where)
        tree, line_of = parse_body(function)
        local_names = _declared(tree.root_node)
        for node in _walk(tree.root_node):
            if node.type == "call_expression":
                problem = _call_problem(node, callable_names, local_names, types)
                if problem:
                    refusals.append(Refusal(problem, line_of(node), where))
            elif node.type == "ERROR":  # what the parser could not read: every "name(" is a call
                refusals += [Refusal(f"a call to '{name}', which the harness does not model",
                                     line_of(node), where)
                             for name in _names_called_in(node)
                             if name not in callable_names and name not in types
                             and name not in local_names and not _identifier_problem(name)]
    unique = {(r.construct, r.line, r.where): r for r in refusals}
    return sorted(unique.values(), key=lambda r: (r.line, r.construct))


_NOT_CALLS = frozenset({"if", "while", "for", "switch", "return", "sizeof", "typeof", "__typeof__",
                        "__alignof__", "_Alignof", "alignof", "do", "else", "case", "__extension__"})


def _names_called_in(node) -> list[str]:
    leaves = list(_leaves(node))
    return [leaf.text.decode("utf-8", "replace") for leaf, following in zip(leaves, leaves[1:])
            if leaf.type == "identifier" and following.type == "("
            and leaf.text.decode("utf-8", "replace") not in _NOT_CALLS]


def _identifier_problem(name: str) -> str | None:
    if name in _ASM:
        return "inline assembly"
    if _RESERVED.match(name):
        return f"identifier '{name}', reserved by the harness"
    if name == "_Pragma":
        return "preprocessor operator '_Pragma'"
    if name.startswith("__builtin_") and name not in HARMLESS_BUILTINS:
        return f"builtin '{name}'"
    return None


def _tokens(text: str, first_line: int, where: str) -> list[Refusal]:
    """Token-level checks, whatever a parser makes of the text (a function
    head with Xen's macros, a declaration): asm, reserved names, builtins,
    attributes."""
    from analyzer.crosscheck.ctokens import line_of, tokenize

    found = []
    tokens = tokenize(text)
    for k, token in enumerate(tokens):
        if token.kind != "ident":
            continue
        line = first_line + line_of(text, token.start) - 1
        problem = _identifier_problem(token.text)
        if problem:
            found.append(Refusal(problem, line, where))
        elif token.text in _ATTRIBUTE:
            depth, names = 0, []
            for following in tokens[k + 1:]:
                if following.text == "(":
                    depth += 1
                elif following.text == ")":
                    depth -= 1
                    if depth == 0:
                        break
                elif depth == 2 and following.kind == "ident" and tokens[tokens.index(following) - 1].text in ("(", ","):
                    names.append(following.text.strip("_") or following.text)
            bad = [n for n in names if n not in HARMLESS_ATTRIBUTES]
            if bad:
                found.append(Refusal(f"attribute '{bad[0]}'", line, where))
    return found


def _walk(root):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _declared(root) -> set[str]:
    """Names declared inside the body (locals), which a call may not go through."""
    from analyzer.crosscheck.cst import _declared_names

    names: set[str] = set()
    for node in _walk(root):
        if node.type in ("declaration", "parameter_declaration"):
            for child in node.children_by_field_name("declarator"):
                _declared_names(child, names)
    return names


def _call_problem(node, callable_names, local_names, types) -> str | None:
    callee = node.child_by_field_name("function")
    while callee is not None and callee.type == "parenthesized_expression" and callee.named_child_count == 1:
        callee = callee.named_children[0]
    if callee is None:
        return "a call tree-sitter cannot read"
    if callee.type != "identifier":
        return "a call through a pointer or an expression, not a function's name"
    name = callee.text.decode("utf-8", "replace")
    if name in types:
        return None  # "(u32)(x)": a cast tree-sitter read as a call
    if name in local_names:
        return f"a call through the local pointer '{name}'"
    if name in callable_names or _identifier_problem(name):
        return None  # reserved names are refused as identifiers
    return f"a call to '{name}', which the harness does not model"

"""Find the mapping function, its callers and the file-scope objects they use.

Works on raw source text (a whole file or a post-image rebuilt from hunks):
top-level items are split with the tokenizer, so unknown macros in
declarations (`__init`, `cf_check`, `DEFINE_PER_CPU(...)`) do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzer.crosscheck import MAPPING_FUNCTIONS
from analyzer.crosscheck.ctokens import Token, line_of, tokenize

# Role -> names it has had across Xen releases, newest last.
ROLES = {
    "map": MAPPING_FUNCTIONS,
    "setup": ("hypervisor_setup", "setup"),
    "ap_setup": ("hypervisor_ap_setup", "ap_setup"),
    "resume": ("hypervisor_resume", "resume", "xen_vcpu_restore"),
    "ap_resume": ("ap_resume",),
    # Linux: the CPU's pointer back to its legacy slot (or NULL), before setup and restore.
    "reset": ("xen_vcpu_info_reset",),
}
VCPU_ID_NAMES = ("vcpu_id", "xen_vcpu_id")

# Same-file helpers whose effect is part of the modelled environment: the
# harness supplies its own versions (they read CPUID, map shared_info, bind
# the event channel vector), so the file's versions are not compiled.
ENVIRONMENT_FUNCTIONS = ("set_vcpu_id", "map_shared_info", "init_memmap", "init_evtchn")


@dataclass
class Function:
    name: str
    text: str            # the whole definition
    head: str            # everything before the body's "{"
    body_offset: int     # offset of "{" inside text
    line: int            # line of the definition in the source
    returns_void: bool
    takes_cpu: bool = False    # one parameter: the CPU to act on (Linux's xen_vcpu_setup(cpu))
    incomplete: bool = False   # rebuilt from a hunk whose start was not in the patch


@dataclass
class FileObject:
    name: str
    text: str
    line: int
    per_cpu: bool
    static: bool


@dataclass
class Extraction:
    path: str
    functions: dict[str, Function] = field(default_factory=dict)   # by role
    objects: list[FileObject] = field(default_factory=list)
    helpers: list[Function] = field(default_factory=list)          # other same-file callees
    problems: list[str] = field(default_factory=list)

    def all_functions(self) -> list[Function]:
        return self.helpers + [self.functions[r] for r in ROLES if r in self.functions]


@dataclass
class _Item:
    tokens: list[Token]
    start: int
    end: int
    is_function: bool


def _starts_definition(text: str, tok: Token) -> bool:
    """An identifier in column 0 that is not a label: the head of a new top-level item."""
    if tok.kind != "ident" or (tok.start and text[tok.start - 1] != "\n"):
        return False
    line_end = text.find("\n", tok.start)
    line = text[tok.start:line_end if line_end >= 0 else len(text)].rstrip()
    return not re.match(r"^\w+\s*:", line) and "(" in line


def _split_top_level(text: str) -> list[_Item]:
    tokens = tokenize(text)
    items: list[_Item] = []
    current: list[Token] = []
    depth = 0
    body_start = None
    for i, tok in enumerate(tokens):
        if depth > 0 and _starts_definition(text, tok):
            # A body never closed (a hunk cut it off): resynchronise here.
            depth, current, body_start = 0, [], None
        current.append(tok)
        if tok.text == "{":
            if depth == 0 and len(current) > 1 and current[-2].text == ")":
                body_start = len(current) - 1
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0 and body_start is not None:
                items.append(_Item(current, current[0].start, tok.end, True))
                current, body_start = [], None
            elif depth < 0:
                depth, current = 0, []
        elif tok.text == ";" and depth == 0:
            items.append(_Item(current, current[0].start, tok.end, False))
            current = []
    return items


def _function_name(item: _Item) -> str | None:
    depth = 0
    prev = None
    for tok in item.tokens:
        if tok.text == "(":
            if depth == 0 and prev is not None and prev.kind == "ident":
                return prev.text
            depth += 1
        elif tok.text == ")":
            depth -= 1
        prev = tok
    return None


def _object_name(item: _Item) -> tuple[str | None, bool]:
    """Name of the object a top-level declaration defines, and whether it is per-CPU."""
    toks = item.tokens
    if not toks or toks[0].text in ("typedef", "extern"):
        return None, False
    if toks[0].text.startswith("DEFINE_PER_CPU"):
        idents = [t for t in toks if t.kind == "ident"]
        return (idents[-1].text if len(idents) > 1 else None), True
    for i, tok in enumerate(toks[:-2]):
        if tok.text == "DECLARE_BITMAP" and toks[i + 1].text == "(":
            return toks[i + 2].text, False
    # The declarator's name is the last identifier at depth 0 before "[",
    # "=", ";" or ","; attribute words after it (__aligned(64), __read_mostly,
    # __attribute__((...))) are not names.
    depth = 0
    name = None
    for tok in toks:
        if tok.text in ("(", "{"):
            depth += 1
        elif tok.text in (")", "}"):
            depth -= 1
        elif depth == 0 and tok.text in ("[", "=", ";", ","):
            return name, False
        elif depth == 0 and tok.kind == "ident" and not tok.text.startswith("__"):
            name = tok.text
        elif depth == 0 and tok.kind != "ident" and tok.text != "*":
            name = None
    return None, False


def _make_function(name: str, text: str, start: int, end: int, tokens: list[Token]) -> Function | None:
    """The function an item defines, or None when its name is not in its head
    (an item the splitter resynchronised on: mangled or cut text)."""
    brace = next((i for i, t in enumerate(tokens) if t.text == "{" and i and tokens[i - 1].text == ")"),
                 None)
    head_idents = [t.text for t in tokens[:brace]] if brace is not None else []
    if name not in head_idents:
        return None
    body_offset = tokens[brace].start - start
    head = text[start:tokens[brace].start]
    name_pos = head_idents.index(name)
    returns_void = "void" in head_idents[:name_pos] and "*" not in head_idents[:name_pos]
    params = head_idents[name_pos + 1:]
    takes_cpu = bool(params) and params[1:] != ["void", ")"] and params.count(",") == 0 and \
        any(t in ("int", "unsigned") for t in params)
    return Function(name, text[start:end], head, body_offset, line_of(text, start), returns_void,
                    takes_cpu=takes_cpu)


def identifiers(text: str) -> set[str]:
    return {t.text for t in tokenize(text) if t.kind == "ident"}


def extract(text: str, path: str) -> Extraction:
    out = Extraction(path)
    items = _split_top_level(text)
    defined: dict[str, Function] = {}
    objects: dict[tuple[str, bool], FileObject] = {}   # a per-CPU and a plain object may share a name
    for item in items:
        if item.is_function:
            name = _function_name(item)
            function = _make_function(name, text, item.start, item.end, item.tokens) if name else None
            if function is not None:
                defined[name] = function
        else:
            name, per_cpu = _object_name(item)
            if name and _function_name(item) != name:
                first = [t.text for t in item.tokens[:3]]
                objects[name, per_cpu] = FileObject(name, text[item.start:item.end], line_of(text, item.start),
                                           per_cpu, "static" in first)
    for role, names in ROLES.items():
        for name in names:
            if name in defined:
                out.functions[role] = defined[name]
    if "map" not in out.functions:
        out.problems.append("no mapping function (map_vcpuinfo() or xen_vcpu_setup()) defined")
        return out
    # Same-file helpers the extracted functions call, transitively.
    wanted = set(ENVIRONMENT_FUNCTIONS) | {f.name for f in out.functions.values()}
    queue = [f.text[f.body_offset:] for f in out.functions.values()]
    used: set[str] = set()
    while queue:
        names = identifiers(queue.pop())
        used |= names
        for name in sorted(names):
            if name in defined and name not in wanted:
                wanted.add(name)
                out.helpers.append(defined[name])
                queue.append(defined[name].text[defined[name].body_offset:])
    for (name, per_cpu), obj in objects.items():
        # The vCPU id the harness sets is read through accessors (xen_vcpu_nr()).
        if (name in used or (per_cpu and name in VCPU_ID_NAMES)) and name not in defined:
            out.objects.append(obj)
    out.objects.sort(key=lambda o: o.line)
    return out

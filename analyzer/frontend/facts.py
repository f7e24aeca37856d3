"""Facts about one C file: the only thing rules look at.

Every fact carries its site (line and column, 1-based) and the function it
sits in, so findings can be placed and fingerprinted without the parse tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


# Typedefs of Xen's public interface (public/xen.h, public/vcpu.h), which
# every guest includes: FreeBSD writes vcpu_info_t where Linux writes struct
# vcpu_info.
PUBLIC_TYPEDEFS = {"vcpu_info_t": "struct vcpu_info", "shared_info_t": "struct shared_info",
                   "vcpu_time_info_t": "struct vcpu_time_info",
                   "arch_vcpu_info_t": "struct arch_vcpu_info",
                   "vcpu_register_vcpu_info_t": "struct vcpu_register_vcpu_info"}
_PUBLIC_TYPEDEF = re.compile(r"\b(%s)\b" % "|".join(PUBLIC_TYPEDEFS))


def type_key(text: str) -> str:
    """A C type (or a declaration) as written, white space removed and the
    public typedefs spelled out: the one way xenlint compares types
    ("struct vcpu_info *" and "vcpu_info_t*" are "structvcpu_info*")."""
    if "_t" in text:
        text = _PUBLIC_TYPEDEF.sub(lambda m: PUBLIC_TYPEDEFS[m.group(1)], text)
    return "".join(text.split())


VCPU_INFO_POINTER = type_key("struct vcpu_info *")


@dataclass(frozen=True)
class Condition:
    """A condition known to hold (or not hold) at a site.

    ``holds`` is True inside an if's then-branch or after ASSERT(cond), False
    inside its else-branch, after BUG_ON(cond), or after an if that leaves the
    function when cond is true.
    """

    text: str
    holds: bool
    # "if", "assert", "early-exit", or "partial-exit": an early exit nested
    # in an earlier if ("if (hvm) { if (done) return; }"), which holds on
    # that if's path only (once-guards accept it; bounds do not).
    kind: str
    # Normalised operands of the comparisons it is made of: (left, op, right).
    comparisons: tuple[tuple[str, str, str], ...] = ()
    # "&&" or "||" at the top of the condition, "" for a single term.
    joiner: str = ""
    # Identifiers tested for being NULL/zero ("!x", "x == NULL"), when holds.
    negated_names: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Site:
    line: int
    col: int
    function: str | None


@dataclass(frozen=True)
class Function:
    name: str
    line: int
    end_line: int
    is_static: bool
    returns_void: bool


@dataclass(frozen=True)
class FileObject:
    """An object (not a function) declared or defined at file scope."""

    name: str
    site: Site
    is_static: bool
    is_extern: bool
    type_text: str  # e.g. "struct vcpu_info *", "unsigned long []"
    decl_text: str  # the declaration as written, attributes included
    alignment: int | None  # bytes, when an alignment attribute is given
    # Why the object has external linkage on purpose (placed in a named
    # section, kept with "used", looked up by name by the toolchain), or "".
    external_on_purpose: str = ""


@dataclass(frozen=True)
class PerCpuDecl:
    macro: str  # DEFINE_PER_CPU, DECLARE_PER_CPU, DEFINE_PER_CPU_READ_MOSTLY, ...
    is_definition: bool
    type_text: str
    name: str
    site: Site
    alignment: int | None
    is_static: bool = False  # a static per-CPU variable is private to its file


@dataclass(frozen=True)
class Call:
    name: str
    site: Site
    args: tuple[str, ...]
    # How the result is used: "discarded", "void-cast", "used", or
    # "dead-store:VAR" (assigned to a local that is never read again).
    result: str
    guards: tuple[Condition, ...]


@dataclass(frozen=True)
class LegacyIndex:
    """``X->vcpu_info[i]`` (or ``X->vcpu_info + i``) with X the shared_info page."""

    site: Site
    base: str
    index: str
    text: str
    # Name of the per-CPU pointer this address is stored into, if any
    # (``this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[v]``).
    assigned_to_percpu: str | None
    guards: tuple[Condition, ...]
    via_alias: bool = False


@dataclass(frozen=True)
class AddressTaken:
    """``&name``, ``&this_cpu(name)`` or ``&per_cpu(name, c)``."""

    name: str
    site: Site
    # ``name`` is declared in the function the address is taken in: a local,
    # whatever file-scope or per-CPU object shares its name.
    local: bool = False


@dataclass(frozen=True)
class Prototype:
    """A function declared (not defined) at file scope."""

    name: str
    site: Site
    returns_void: bool


@dataclass(frozen=True)
class PerCpuAllocation:
    """``x = alloc_percpu(type)`` or ``x = __alloc_percpu(size, align)``."""

    assigned_to: str | None  # the variable the area goes to
    call: str
    what: str  # the type or size as written
    alignment: int | None  # bytes when known (an argument, or the type's own: None)
    site: Site


class LazyLines(Sequence):
    """A file's lines, split on first use: a whole-tree check shows lines of a
    few dozen files out of some 1,300."""

    __slots__ = ("_source", "_lines")

    def __init__(self, source):
        """``source``: the text, or a callable that reads it when first needed."""
        self._source = source
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            text = self._source if isinstance(self._source, str) else self._source()
            self._lines = text.splitlines()
            self._source = ""
        return self._lines

    def __len__(self) -> int:
        return len(self._split())

    def __getitem__(self, index):
        return self._split()[index]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and self._split() == list(other)

    def __repr__(self) -> str:
        return f"LazyLines({len(self)} lines)"


@dataclass
class FileFacts:
    path: str
    lines: Sequence[str]  # a list, or LazyLines
    layer: str = "syntax"
    error_lines: list[int] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    objects: list[FileObject] = field(default_factory=list)
    percpu: list[PerCpuDecl] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    legacy_indexes: list[LegacyIndex] = field(default_factory=list)
    addresses: list[AddressTaken] = field(default_factory=list)
    # Assignments "nr_cpu_ids = <legacy limit>" (line numbers).
    nr_cpu_ids_clamps: list[int] = field(default_factory=list)
    prototypes: list[Prototype] = field(default_factory=list)
    allocations: list[PerCpuAllocation] = field(default_factory=list)
    # Words that tell one guest's code from another's (profiles.MARKER_WORDS).
    markers: tuple[str, ...] = ()
    # Every identifier spelled in the file, space-separated, each once (for
    # "is it used elsewhere"; see identifiers.py for why not a set).
    identifiers: str = ""
    # The text may hold a suppression comment ("xenlint:" or "SAF-"): the
    # gate reads the text of such files only.
    marked: bool = False
    # Why the file was not analysed in full (too large, too slow), or "": a
    # file over budget is reported as not checked, never passed as clean.
    over_budget: str = ""

    @property
    def is_header(self) -> bool:
        return self.path.endswith(".h")

    def source_line(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def function_at(self, line: int) -> Function | None:
        for fn in self.functions:
            if fn.line <= line <= fn.end_line:
                return fn
        return None

"""Where the shared_info page flows in a libclang AST, and where it is indexed.

Guest code reaches the page as ``XEN_shared_info`` (Xen, a macro) or
``HYPERVISOR_shared_info`` (Linux, a variable).  A declaration is an alias of
the page when a value that is the page, or an alias of it, is stored into it:
a variable (local or file-scope) by initialisation or assignment, a struct
field by assignment (any object of that struct type: fields are tracked by
declaration, not by instance), a function parameter by a call in the same
file, a function by returning it.  Macros whose body is (a parenthesised)
one of these names count as the name.  The flow is computed to a fixpoint over
one translation unit; nothing crosses files.

A site is ``X->vcpu_info[i]`` or ``X->vcpu_info + i`` in the main file where
X's type is a pointer to ``struct shared_info`` (typedefs resolved) and X is
the page or an alias of it.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass

from clang import cindex
from clang.cindex import CursorKind, TypeKind

SHARED_INFO_NAMES = frozenset({"XEN_shared_info", "HYPERVISOR_shared_info"})
_IDENT = re.compile(r"[A-Za-z_]\w*")
# Expression wrappers a value flows through unchanged.
_TRANSPARENT = {CursorKind.UNEXPOSED_EXPR, CursorKind.PAREN_EXPR, CursorKind.CSTYLE_CAST_EXPR}
# clang's CXBinaryOperatorKind values (stable since LLVM 17, clang-c/Index.h).
_BINARY_ADD, _BINARY_ASSIGN = 6, 22


def _cursor_function(name: str):
    """A libclang C function the Python bindings of this version do not wrap."""
    function = getattr(cindex.conf.lib, name, None)
    if function is None:
        return None
    function.argtypes = [cindex.Cursor]
    function.restype = ctypes.c_uint
    return function


@dataclass(frozen=True)
class Extent:
    line: int
    col: int
    end_line: int
    end_col: int  # exclusive, 1-based, in bytes


@dataclass(frozen=True)
class FlowSite:
    """A legacy vcpu_info index the semantic layer proved to be on the page."""

    extent: Extent
    base: Extent
    index: Extent | None


def _extent(cursor) -> Extent:
    start, end = cursor.extent.start, cursor.extent.end
    return Extent(start.line, start.column, end.line, end.column)


def _strip(cursor):
    while cursor.kind in _TRANSPARENT:
        children = [c for c in cursor.get_children() if c.kind.is_expression()]
        if len(children) != 1:
            break
        cursor = children[0]
    return cursor


def is_shared_info_pointer(ctype) -> bool:
    ctype = ctype.get_canonical()
    if ctype.kind != TypeKind.POINTER:
        return False
    pointee = ctype.get_pointee().get_canonical()
    return pointee.kind == TypeKind.RECORD and pointee.get_declaration().spelling == "shared_info"


class SharedInfoFlow:
    """One pass over a translation unit's main file, then a fixpoint."""

    def __init__(self, tu, main_file: str, text: str):
        self.tu = tu
        self.main_file = main_file
        self.lines = text.splitlines()
        self.binary_kind = _cursor_function("clang_getCursorBinaryOperatorKind")  # LLVM >= 17
        self.function_like = _cursor_function("clang_Cursor_isMacroFunctionLike")
        self.macro_definitions: dict[str, object] | None = None
        self.macro_verdicts: dict[str, bool] = {}
        self.edges: list[tuple[str, object]] = []  # (declaration USR, value expression)
        self.candidates: list[tuple[object, object, object | None]] = []  # (site, base, index)
        self.aliases: set[str] = set()

    # The walk ---------------------------------------------------------------

    def run(self) -> list[FlowSite]:
        for top in self.tu.cursor.get_children():
            location = top.location
            if location.file is None or location.file.name != self.main_file:
                continue
            if top.kind == CursorKind.FUNCTION_DECL and top.is_definition():
                self.walk(top, top.get_usr())
            elif top.kind == CursorKind.VAR_DECL:
                self.walk(top, None)
        self.fixpoint()
        sites = []
        for site, base, index in self.candidates:
            if self.is_page(base):
                sites.append(FlowSite(_extent(site), _extent(base),
                                      _extent(index) if index is not None else None))
        return sites

    def walk(self, root, function_usr: str | None) -> None:
        stack = [root]
        while stack:
            cursor = stack.pop()
            kind = cursor.kind
            if kind == CursorKind.VAR_DECL:
                values = [c for c in cursor.get_children() if c.kind.is_expression()]
                if values:
                    self.edges.append((cursor.get_usr(), values[-1]))
            elif kind == CursorKind.BINARY_OPERATOR:
                self.on_binary(cursor)
            elif kind == CursorKind.CALL_EXPR:
                self.on_call(cursor)
            elif kind == CursorKind.RETURN_STMT and function_usr:
                values = [c for c in cursor.get_children() if c.kind.is_expression()]
                if values:
                    self.edges.append((function_usr, values[0]))
            elif kind == CursorKind.ARRAY_SUBSCRIPT_EXPR:
                children = list(cursor.get_children())
                if len(children) == 2:
                    self.on_indexed(cursor, children[0], children[1])
            stack.extend(cursor.get_children())

    def operator(self, cursor) -> int | None:
        if self.binary_kind is not None:
            return self.binary_kind(cursor)
        return None

    def on_binary(self, cursor) -> None:
        children = list(cursor.get_children())
        if len(children) != 2:
            return
        op = self.operator(cursor)
        left, right = children
        if op == _BINARY_ASSIGN:
            target = self.declaration_of(_strip(left))
            if target:
                self.edges.append((target, right))
        elif op == _BINARY_ADD:
            self.on_indexed(cursor, left, right)
            self.on_indexed(cursor, right, left)

    def on_call(self, cursor) -> None:
        callee = cursor.referenced
        if callee is None or callee.kind != CursorKind.FUNCTION_DECL:
            return
        definition = callee.get_definition()
        if definition is None:
            return
        for parameter, argument in zip(definition.get_arguments(), cursor.get_arguments()):
            self.edges.append((parameter.get_usr(), argument))

    def on_indexed(self, site, array, index) -> None:
        member = _strip(array)
        if member.kind != CursorKind.MEMBER_REF_EXPR or member.spelling != "vcpu_info":
            return
        bases = [c for c in member.get_children() if c.kind.is_expression()]
        if len(bases) != 1 or not is_shared_info_pointer(bases[0].type):
            return
        self.candidates.append((site, _strip(bases[0]), index))

    # Flow -------------------------------------------------------------------

    @staticmethod
    def declaration_of(cursor) -> str | None:
        """USR of the variable, field or function an expression names."""
        if cursor.kind in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR):
            referenced = cursor.referenced
            if referenced is not None and referenced.kind in (
                    CursorKind.VAR_DECL, CursorKind.PARM_DECL, CursorKind.FIELD_DECL):
                return referenced.get_usr() or None
        return None

    def fixpoint(self) -> None:
        pending = list(self.edges)
        changed = True
        while changed:
            changed = False
            rest = []
            for target, value in pending:
                if target in self.aliases:
                    continue
                if self.is_page(_strip(value)):
                    self.aliases.add(target)
                    changed = True
                else:
                    rest.append((target, value))
            pending = rest

    def is_page(self, cursor) -> bool:
        cursor = _strip(cursor)
        if self.is_page_itself(cursor):
            return True
        usr = self.declaration_of(cursor)
        if usr is not None:
            return usr in self.aliases
        if cursor.kind == CursorKind.CALL_EXPR:
            callee = cursor.referenced
            return callee is not None and callee.get_usr() in self.aliases
        return False

    def is_page_itself(self, cursor) -> bool:
        """The page spelled by name: the Linux variable or a macro expanding to the name,
        or an expression written inside a function-like macro that spells
        ``PAGE->vcpu_info`` in its body (``#define SLOT(c) (XEN_shared_info->vcpu_info[c])``).
        """
        cursor = _strip(cursor)
        if cursor.kind == CursorKind.DECL_REF_EXPR and cursor.spelling in SHARED_INFO_NAMES:
            return True
        start, end = cursor.extent.start, cursor.extent.end
        name = self.identifier_at(start)
        if name is None:
            return False
        # A macro expansion's extent is the name (its end may be reported at
        # the name's start or end); anything longer is a larger expression...
        if start.line == end.line and end.column in (start.column, start.column + len(name.encode())):
            return self.expands_to_page(name)
        # ...or a function-like macro's use, whose body is all libclang locates.
        return self.body_indexes_page(name)

    def identifier_at(self, location) -> str | None:
        if location.file is None or location.file.name != self.main_file \
                or not 1 <= location.line <= len(self.lines):
            return None
        data = self.lines[location.line - 1].encode("utf-8", "surrogateescape")  # columns count bytes
        m = _IDENT.match(data[location.column - 1:].decode("utf-8", "replace"))
        return m.group(0) if m else None

    def body_indexes_page(self, name: str) -> bool:
        definition = self.macros().get(name)
        if definition is None or not (self.function_like and self.function_like(definition)):
            return False
        body = [t.spelling for t in definition.get_tokens()][1:]
        body = body[body.index(")") + 1:] if ")" in body else []  # after the parameter list
        for i, token in enumerate(body):
            if token == "vcpu_info" and i >= 2 and body[i - 1] == "->":
                j = i - 2
                while j > 0 and body[j] == ")":
                    j -= 1
                if self.expands_to_page(body[j]):
                    return True
        return False

    def expands_to_page(self, name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name in SHARED_INFO_NAMES:
            return True
        if name in self.macro_verdicts:
            return self.macro_verdicts[name]
        if name in seen:
            return False
        definition = self.macros().get(name)
        verdict = False
        if definition is not None and not (self.function_like and self.function_like(definition)):
            body = [t.spelling for t in definition.get_tokens()][1:]  # [0] is the name
            while len(body) >= 2 and body[0] == "(" and body[-1] == ")":
                body = body[1:-1]
            verdict = len(body) == 1 and self.expands_to_page(body[0], seen | {name})
        self.macro_verdicts[name] = verdict
        return verdict

    def macros(self) -> dict[str, object]:
        """Macro definitions by name (the last one wins), tokenised only when asked about."""
        if self.macro_definitions is None:
            self.macro_definitions = {
                cursor.spelling: cursor for cursor in self.tu.cursor.get_children()
                if cursor.kind == CursorKind.MACRO_DEFINITION}
        return self.macro_definitions

"""One walk over a syntax tree that collects every FileFacts entry."""

from __future__ import annotations

import re

from tree_sitter import Node, Query, QueryCursor

from .alignment import _KNOWN_SIZES, alignment_of
from .conditions import conditions_at, norm
from .identifiers import spelled_identifiers
from .index import markers_in
from .facts import (AddressTaken, Call, FileFacts, FileObject, Function, LegacyIndex,
                    PerCpuAllocation, PerCpuDecl, Prototype, Site)
from .stores import percpu_store_target, up
from .syntax import LANGUAGE, SyntaxTree, parse

from analyzer.profiles import (LEGACY_LIMITS, MAPPING_FUNCTIONS, PERCPU_ALLOCATIONS, PERCPU_MACROS,
                               SHARED_INFO_NAMES)

# The vocabulary is every guest profile's (analyzer/profiles.py): facts do
# not depend on the profile a rule later judges them with.
REGISTER_OP = "VCPUOP_register_vcpu_info"
PERCPU_ACCESSORS = frozenset({"this_cpu", "per_cpu", "this_cpu_ptr", "per_cpu_ptr", "DPCPU_PTR",
                              "DPCPU_ID_PTR", "raw_cpu_ptr"})
# Pointer forms of &this_cpu(x): the per-CPU variable is the first argument,
# or the second for DPCPU_ID_PTR(cpu, x).
_POINTER_ACCESSORS = {"this_cpu_ptr": 0, "per_cpu_ptr": 0, "raw_cpu_ptr": 0, "DPCPU_PTR": 0,
                      "DPCPU_ID_PTR": 1}

_PERCPU_MACRO = re.compile(r"^(?:(?:DEFINE|DECLARE)_PER_CPU|DPCPU_(?:DEFINE|DECLARE))\w*$")
_PERCPU_CALL = re.compile(r"(\w+)\s*\(\s*(?P<type>.+?)\s*,\s*(?P<name>\w+)\s*\)", re.S)
def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


_C_WORDS = frozenset("""struct union enum const volatile unsigned signed char short int long float
double void _Bool bool static extern register auto inline restrict typedef sizeof""".split())
# Objects the toolchain looks up by name (a profiling runtime, stack protection).
_TOOLCHAIN_NAMES = frozenset({"__llvm_profile_runtime", "__stack_chk_guard", "__gcov_merge_add"})
_SECTION = re.compile(r"\b(?:__section|section|__used|used)\b\s*(?:\(|\)|,|;|\s)")


def _external_on_purpose(name: str, decl_text: str) -> str:
    """Why an object is external on purpose, or ""."""
    if name in _TOOLCHAIN_NAMES:
        return "the toolchain looks it up by name"
    if re.search(r"\b(?:__section|section)\s*\(", decl_text):
        return "it is placed in a named section"
    if re.search(r"\b(?:__used\b|__attribute__\s*\(\(\s*(?:__)?used)", decl_text):
        return "it is marked used"
    return ""


def _constant_alignment(node: Node) -> int | None:
    """An alignment argument's value when it is a plain constant or a known size."""
    text = "".join(_text(node).split())
    if re.fullmatch(r"\d+|0x[0-9a-fA-F]+", text):
        return int(text, 0)
    return _KNOWN_SIZES.get(text)


def _local_names(function: Node) -> set[str]:
    """Names declared inside a function's body."""
    names: set[str] = set()
    body = function.child_by_field_name("body")
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "declaration":
            for declarator in node.children_by_field_name("declarator"):
                name, _, _ = _declarator_name(declarator)
                if name:
                    names.add(name)
        stack.extend(node.named_children)
    return names


def _declarator_name(node: Node | None) -> tuple[str | None, str, bool]:
    """(name, pointer/array suffix, is a function prototype) of a declarator."""
    suffix, prototype = "", False
    while node is not None:
        if node.type in ("identifier", "field_identifier"):
            return _text(node), suffix, prototype
        if node.type == "pointer_declarator":
            suffix = "*" + suffix
        elif node.type == "array_declarator":
            suffix += "[]"
        elif node.type == "function_declarator":
            inner = node.child_by_field_name("declarator")
            prototype = inner is not None and inner.type == "identifier"
        node = node.child_by_field_name("declarator") or (
            node.named_children[0] if node.type == "parenthesized_declarator" and node.named_children else None)
    return None, suffix, prototype


def _storage(node: Node) -> set[str]:
    return {_text(c) for c in node.children if c.type == "storage_class_specifier"}


def _call_name(node: Node) -> str | None:
    fn = node.child_by_field_name("function")
    return _text(fn) if fn is not None and fn.type == "identifier" else None


def _call_args(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _first_argument_text(call: Node) -> str:
    """The first argument of ``call`` as written, white space folded; from the
    text, since a type given to a macro (alloc_percpu(struct vcpu_info)) is
    no expression node."""
    args = call.child_by_field_name("arguments")
    inner = _text(args)[1:-1] if args is not None else ""
    depth = 0
    for i, char in enumerate(inner):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            inner = inner[:i]
            break
    return " ".join(inner.split())


# Every node kind a fact comes from, with the words a function must spell for
# that kind to yield anything there (None: always).  Identifiers count only
# when they can name a per-CPU macro (the handler checks the exact spelling).
# A function that spells none of the words is not walked (quiet_functions).
# File-scope declarations are found by _file_scope_declarations, not here:
# as patterns they took two thirds of the query's compile time, paid by every
# process.  Keep this table in step with the handlers (tests compare with
# gate=False).
_FACT_PATTERNS = (
    ("(function_definition) @node", None),
    ('(pointer_expression operator: "&") @node', None),
    ('((identifier) @node (#match? @node "^((DEFINE|DECLARE)_PER_CPU|DPCPU_(DEFINE|DECLARE))"))',
     (b"_PER_CPU", b"DPCPU_")),
    ("(call_expression) @node", tuple(w.encode() for w in (
        *MAPPING_FUNCTIONS, REGISTER_OP, *_POINTER_ACCESSORS, *PERCPU_ALLOCATIONS))),
    # X->vcpu_info[i] and X->vcpu_info + i; aliases of X come from
    # assignments and initialisers of the shared_info names.
    ("(subscript_expression) @node", (b"vcpu_info",)),
    ('(binary_expression operator: "+") @node', (b"vcpu_info",)),
    ("(assignment_expression) @node", (b"nr_cpu_ids", b"_shared_info")),
    ("(init_declarator) @node", (b"_shared_info",)),
)
# Substring searches: an alternation of the words makes the engine try every position.
_GATE_WORDS = tuple(dict.fromkeys(w for _, words in _FACT_PATTERNS for w in words or ()))
# The same as text: a function body spelling none of them yields no fact a rule
# reads (see quiet_functions), so a skeleton may empty it before the parse.
BODY_WORDS = tuple(w.decode() for w in _GATE_WORDS)
_query: Query | None = None


def _fact_query() -> Query:
    """One query for every pattern, compiled once per process (about 10 ms).
    A file without a pattern's words simply has no match for its handler to
    keep; the words gate which function bodies are walked (quiet_functions)."""
    global _query
    if _query is None:
        _query = Query(LANGUAGE, "\n".join(pattern for pattern, _ in _FACT_PATTERNS))
    return _query


def _depth(node: Node) -> int:
    """How many ancestors span the same bytes (a parent first, then its only
    child): the walk up stops at the first wider one, so it stays cheap in
    a tree nested thousands deep, where each step up costs the depth."""
    depth, span = 0, (node.start_byte, node.end_byte)
    parent = node.parent
    while parent is not None and (parent.start_byte, parent.end_byte) == span:
        depth, parent = depth + 1, parent.parent
    return depth


MAX_FACT_DEPTH = 400

_FILE_SCOPE_BLOCKS = frozenset({"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
                                 "preproc_elifdef"})


def quiet_functions(tree: SyntaxTree) -> list[Node]:
    """Function definitions at file scope whose text spells no gate word and
    no name of a function that registers a vcpu_info area, in text order.

    Such a body can only hold address-of facts, and rules read those only in
    functions that register (which spell VCPUOP_register_vcpu_info), so the
    walk takes just their Function entry.  Most of a hypervisor file that
    mentions vcpu_info is functions that don't.  (A function defined inside
    one, which only GNU C allows and Xen never does, gets no entry.)
    """
    functions, stack = [], [tree.root]
    while stack:
        for child in stack.pop().children:
            if child.type == "function_definition":
                functions.append(child)
            elif child.type in _FILE_SCOPE_BLOCKS:
                stack.append(child)
    source = tree.source
    bodies = [source[f.start_byte:f.end_byte] for f in functions]
    words = list(_GATE_WORDS)
    register = REGISTER_OP.encode()
    for function, body in zip(functions, bodies):  # a registering function's callers count
        if register in body:
            name, _, _ = _declarator_name(function.child_by_field_name("declarator"))
            if name:
                words.append(name.encode())
    # A region the parser recovered from is walked whole: its nesting is a guess.
    quiet = [f for f, body in zip(functions, bodies)
             if not f.has_error and not any(w in body for w in words)]
    quiet.sort(key=lambda n: n.start_byte)
    return quiet


def _holds_anything(function: Node) -> bool:
    body = function.child_by_field_name("body")
    return body is None or body.named_child_count > 0


_BLOCKS = ("preproc_if", "preproc_ifdef")
_BRANCHES = ("preproc_else", "preproc_elif", "preproc_elifdef")


def _file_scope_declarations(root: Node) -> list[Node]:
    """Declarations in the translation unit, in its #if/#ifdef blocks, and in
    those blocks' #else/#elif branches (the direct children of each)."""
    found: list[Node] = []
    if root.type != "translation_unit":  # a file the parser could not read as one
        return found
    for child in root.children:
        if child.type == "declaration":
            found.append(child)
        elif child.type in _BLOCKS:
            for inner in child.children:
                if inner.type == "declaration":
                    found.append(inner)
                elif inner.type in _BRANCHES:
                    found += [c for c in inner.children if c.type == "declaration"]
    return found


def _captures(tree: SyntaxTree, gate: bool) -> list[Node]:
    """Captured nodes and file-scope declarations; gated, without what lies
    inside quiet functions (but with them)."""
    cursor = QueryCursor(_fact_query())
    # A node nested deeper than this yields no fact: C written by people is
    # not nested so deep, and a query's cost grows with the square of the
    # nesting (50,000 nested "+" took 35 s).  Deeper code is reported (deep_nesting).
    cursor.set_max_start_depth(MAX_FACT_DEPTH)
    declarations = _file_scope_declarations(tree.root)
    # An empty body (emptied by skeletons.quiet_bodies_blanked) has nothing
    # to skip, and each range costs a query from the root.
    quiet = [f for f in quiet_functions(tree) if _holds_anything(f)] if gate else []
    if not quiet:
        return cursor.captures(tree.root).get("node", []) + declarations
    nodes, start = quiet + declarations, 0
    for end, after in [(f.start_byte, f.end_byte) for f in quiet] + [(len(tree.source), 0)]:
        if end > start:  # the bytes between two quiet functions
            cursor.set_byte_range(start, end)
            nodes += cursor.captures(tree.root).get("node", [])
        start = after
    # A match may reach past its range: keep each node once.
    return list({(n.start_byte, n.end_byte, n.type): n for n in nodes}.values())


def _nodes_with_facts(tree: SyntaxTree, gate: bool = True) -> list[Node]:
    """The nodes a pre-order walk would stop at, in pre-order."""
    nodes = _captures(tree, gate)
    nodes.sort(key=lambda n: (n.start_byte, -n.end_byte))
    # A node and its only child can span the same bytes: the parent comes first.
    i = 0
    while i < len(nodes) - 1:
        j = i + 1
        span = (nodes[i].start_byte, nodes[i].end_byte)
        while j < len(nodes) and (nodes[j].start_byte, nodes[j].end_byte) == span:
            j += 1
        if j - i > 1:
            nodes[i:j] = sorted(nodes[i:j], key=_depth)
        i = j
    return nodes


class _Walker:
    def __init__(self, path: str, text: str, tree: SyntaxTree,
                 hunk_functions: dict[int, str] | None = None):
        self.hunk_functions = hunk_functions or {}
        self.tree = tree
        self.facts = FileFacts(path=path, lines=text.splitlines(), error_lines=tree.error_lines)
        self.orig_lines = self.facts.lines
        self.calls: list[tuple[Node, str, str | None]] = []
        self.function_nodes: dict[str, Node] = {}
        self.locals: dict[str, set[str]] = {}
        self.aliases: dict[str | None, set[str]] = {}
        self.register_functions: set[str] = set()

    def site(self, node: Node, function: str | None) -> Site:
        line = node.start_point[0] + 1
        if function is None:
            function = self.hunk_functions.get(line)
        return Site(line, node.start_point[1] + 1, function)

    def original(self, node: Node) -> str:
        first, last = node.start_point[0], node.end_point[0]
        return "\n".join(self.orig_lines[first:last + 1])

    # The walk -------------------------------------------------------------

    def walk(self, gate: bool = True) -> FileFacts:
        # Only the node kinds below carry facts.  A query finds them in C (the
        # tree has a few thousand interesting nodes among a few hundred
        # thousand), and they are handled in document order, outer before
        # inner, exactly as a pre-order walk would meet them.
        handlers = {
            "declaration": self.on_file_scope_declaration,
            "identifier": self.on_identifier,
            "call_expression": self.on_call,
            "subscript_expression": self.on_subscript,
            "binary_expression": self.on_pointer_arithmetic,
            "pointer_expression": self.on_address_of,
            "assignment_expression": self.on_assignment,
            "init_declarator": self.on_init,
        }
        open_functions: list[tuple[int, str | None]] = []  # (end byte, name), outermost first
        for node in _nodes_with_facts(self.tree, gate):
            start = node.start_byte
            while open_functions and open_functions[-1][0] <= start:
                open_functions.pop()
            function = next((name for _, name in reversed(open_functions) if name), None)
            kind = node.type
            if kind == "function_definition":
                open_functions.append((node.end_byte, self.on_function(node)))
            elif kind == "declaration":
                if function is None and not open_functions:
                    self.on_file_scope_declaration(node)
            else:
                handlers[kind](node, function)
        self.finish_calls()
        return self.facts

    def on_call(self, node: Node, function: str | None) -> None:
        name = _call_name(node)
        if not name:
            return
        if name in _POINTER_ACCESSORS:
            # The pointer forms of &this_cpu(x) and &per_cpu(x, cpu).
            args = _call_args(node)
            k = _POINTER_ACCESSORS[name]
            if len(args) > k and args[k].type == "identifier":
                self.add_address(_text(args[k]), node, function)
            return
        if name in PERCPU_ALLOCATIONS:
            self.on_allocation(node, name, function)
            return
        self.calls.append((node, name, function))
        if function and any(_text(a) == REGISTER_OP for a in _call_args(node)[:1]):
            self.register_functions.add(function)

    def on_function(self, node: Node) -> str | None:
        name, suffix, _ = _declarator_name(node.child_by_field_name("declarator"))
        if not name:
            return None
        type_node = node.child_by_field_name("type")
        returns_void = type_node is not None and _text(type_node) == "void" and "*" not in suffix
        self.facts.functions.append(Function(
            name, node.start_point[0] + 1, node.end_point[0] + 1,
            "static" in _storage(node), returns_void))
        self.function_nodes[name] = node
        return name

    def on_file_scope_declaration(self, node: Node) -> None:
        if node.start_point[0] + 1 in self.hunk_functions:
            return  # a hunk that begins inside a function: its declarations are locals
        storage = _storage(node)
        if "typedef" in storage:
            return
        type_node = node.child_by_field_name("type")
        if type_node is None or type_node.type == "macro_type_specifier":
            return  # DEFINE_PER_CPU(...) and friends: handled as per-CPU facts
        type_text = " ".join(_text(type_node).split())
        decl_text = self.original(node)
        for declarator in node.children_by_field_name("declarator"):
            name, suffix, prototype = _declarator_name(declarator)
            if not name or name in _C_WORDS:
                continue  # (a keyword read as a name: a declaration the parser lost)
            if prototype:
                self.facts.prototypes.append(Prototype(
                    name, self.site(declarator, None), type_text == "void" and "*" not in suffix))
                continue
            self.facts.objects.append(FileObject(
                name=name, site=self.site(declarator, None),
                is_static="static" in storage, is_extern="extern" in storage,
                type_text=f"{type_text} {suffix}".strip(), decl_text=decl_text,
                alignment=alignment_of(decl_text),
                external_on_purpose=_external_on_purpose(name, decl_text)))

    def on_identifier(self, node: Node, function: str | None) -> None:
        text = _text(node)
        if not _PERCPU_MACRO.match(text):
            return
        parent = node.parent
        if parent is None or parent.type not in ("macro_type_specifier", "call_expression", "ERROR"):
            return
        line = node.start_point[0]
        tail = "\n".join(self.orig_lines[line:line + 3])[node.start_point[1]:]
        m = _PERCPU_CALL.match(tail)
        if not m:
            return
        statement_end = tail.find(";")
        statement = tail[: statement_end if statement_end >= 0 else len(tail)]
        macro_align = 4096 if "PAGE_ALIGNED" in text else 64 if "ALIGNED" in text else None
        before = self.orig_lines[line][: node.start_point[1]]
        self.facts.percpu.append(PerCpuDecl(
            macro=text, is_definition=any(text.startswith(prefix) for prefix, defines in PERCPU_MACROS
                                          if defines),
            type_text=" ".join(m.group("type").split()), name=m.group("name"),
            site=self.site(node, function),
            alignment=macro_align or alignment_of(statement[m.end():]),
            is_static=re.search(r"\bstatic\s*$", before) is not None or "_STATIC" in text))

    def is_shared_info(self, node: Node, function: str | None) -> tuple[bool, bool]:
        """(is the shared_info page, reached through an alias)."""
        base = norm(node)
        if base in SHARED_INFO_NAMES:
            return True, False
        return base in self.aliases.get(function, ()), True

    def on_subscript(self, node: Node, function: str | None) -> None:
        array = node.child_by_field_name("argument")
        if array is None or array.type != "field_expression":
            return
        field = array.child_by_field_name("field")
        base = array.child_by_field_name("argument")
        if field is None or base is None or _text(field) != "vcpu_info":
            return
        hit, alias = self.is_shared_info(base, function)
        if not hit:
            return
        index = node.child_by_field_name("index")
        if index is None:  # tree-sitter-c names it "index" in recent grammars
            index = next((c for c in node.named_children if c is not array), None)
        self.add_legacy_index(node, function, base, index, alias)

    def on_pointer_arithmetic(self, node: Node, function: str | None) -> None:
        op = node.child_by_field_name("operator")
        if op is None or op.type != "+":
            return
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        for array, index in ((left, right), (right, left)):
            if array is None or array.type != "field_expression":
                continue
            field, base = array.child_by_field_name("field"), array.child_by_field_name("argument")
            if field is not None and base is not None and _text(field) == "vcpu_info":
                hit, alias = self.is_shared_info(base, function)
                if hit:
                    self.add_legacy_index(node, function, base, index, alias)

    def add_legacy_index(self, node, function, base, index, alias) -> None:
        target = percpu_store_target(node)
        self.facts.legacy_indexes.append(LegacyIndex(
            site=self.site(node, function), base=norm(base),
            index=norm(index) if index is not None else "",
            text=" ".join(_text(node).split()), assigned_to_percpu=target,
            guards=conditions_at(node), via_alias=alias))

    def on_address_of(self, node: Node, function: str | None) -> None:
        op = node.child_by_field_name("operator")
        if op is None or op.type != "&":
            return
        arg = node.child_by_field_name("argument")
        while arg is not None and arg.type == "parenthesized_expression" and arg.named_children:
            arg = arg.named_children[0]
        if arg is None:
            return
        if arg.type == "identifier":
            self.add_address(_text(arg), node, function)
        elif arg.type == "subscript_expression":
            inner = arg.child_by_field_name("argument")
            if inner is not None and inner.type == "identifier":
                self.add_address(_text(inner), node, function)
        elif arg.type == "call_expression" and _call_name(arg) in PERCPU_ACCESSORS:
            args = _call_args(arg)
            k = _POINTER_ACCESSORS.get(_call_name(arg), 0)
            if len(args) > k and args[k].type == "identifier":
                self.add_address(_text(args[k]), node, function)

    def add_address(self, name: str, node: Node, function: str | None) -> None:
        self.facts.addresses.append(AddressTaken(name, self.site(node, function),
                                                 local=self.declared_in(function, name)))

    def declared_in(self, function: str | None, name: str) -> bool:
        """Is ``name`` declared inside ``function``'s body (a local, static or not)?"""
        if function is None or function not in self.function_nodes:
            return False
        known = self.locals.get(function)
        if known is None:
            known = self.locals[function] = _local_names(self.function_nodes[function])
        return name in known

    def on_allocation(self, node: Node, call: str, function: str | None) -> None:
        args = _call_args(node)
        if not args:
            return
        k = PERCPU_ALLOCATIONS[call]
        alignment = None
        if k is not None and len(args) > k:
            alignment = _constant_alignment(args[k])
            if alignment is None and "alignof" in _text(args[k]):
                alignment = 8  # __alignof__(struct vcpu_info): its natural alignment
            elif alignment is None:
                alignment = -1  # an expression: aligned, to an amount not read here
        holder = up(node)
        target = None
        if holder is not None and holder.type == "assignment_expression":
            left = holder.child_by_field_name("left")
            target = norm(left) if left is not None else None
        elif holder is not None and holder.type == "init_declarator":
            target, _, _ = _declarator_name(holder.child_by_field_name("declarator"))
        self.facts.allocations.append(PerCpuAllocation(
            assigned_to=target, call=call, what=_first_argument_text(node),
            alignment=alignment, site=self.site(node, function)))

    def note_alias(self, name: Node | None, value: Node | None, function: str | None) -> None:
        if name is None or value is None or function is None:
            return
        if norm(value) in SHARED_INFO_NAMES:
            self.aliases.setdefault(function, set()).add(norm(name))

    def on_assignment(self, node: Node, function: str | None) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        if left.type == "identifier" and _text(left) == "nr_cpu_ids" and any(
                limit in _text(right) for limit in LEGACY_LIMITS):
            self.facts.nr_cpu_ids_clamps.append(node.start_point[0] + 1)
        if left.type == "identifier":
            self.note_alias(left, right, function)

    def on_init(self, node: Node, function: str | None) -> None:
        name, _, _ = _declarator_name(node.child_by_field_name("declarator"))
        value = node.child_by_field_name("value")
        if name and value is not None and function and norm(value) in SHARED_INFO_NAMES:
            self.aliases.setdefault(function, set()).add(name)

    # Calls ------------------------------------------------------------------

    def finish_calls(self) -> None:
        # Calls of every function of the file that registers, void or not:
        # rules ask whether the result is used (when there is one) and
        # whether the call is guarded (XL104 looks at callers).
        mapping = set(MAPPING_FUNCTIONS) | self.register_functions
        for node, name, function in self.calls:
            args = _call_args(node)
            registers = bool(args) and _text(args[0]) == REGISTER_OP
            if name not in mapping and not registers:
                continue
            self.facts.calls.append(Call(
                name=name, site=self.site(node, function),
                args=tuple(" ".join(_text(a).split()) for a in args),
                result=self.result_use(node, function), guards=conditions_at(node)))

    def result_use(self, node: Node, function: str | None) -> str:
        parent = up(node)
        if parent is None:
            return "used"
        if parent.type == "expression_statement":
            return "discarded"
        if parent.type == "cast_expression":
            type_node = parent.child_by_field_name("type")
            if type_node is not None and _text(type_node).strip() == "void":
                return "void-cast"
        var = None
        if parent.type == "assignment_expression" and up(parent) is not None \
                and up(parent).type == "expression_statement":
            left = parent.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                var = _text(left)
        elif parent.type == "init_declarator":
            var, _, _ = _declarator_name(parent.child_by_field_name("declarator"))
        if var and function in self.function_nodes:
            statement = parent
            while statement is not None and statement.type not in ("expression_statement", "declaration"):
                statement = statement.parent
            if statement is not None and not _read_before_overwritten(statement, var):
                return f"dead-store:{var}"
        return "used"


_LOOP_TYPES = ("for_statement", "while_statement", "do_statement")


def _reads(node: Node, var: str) -> bool:
    """Does ``node`` read ``var`` (spell it other than as the target of a plain "=")?"""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier" and _text(current) == var:
            parent = current.parent
            if not (parent is not None and parent.type == "assignment_expression"
                    and parent.child_by_field_name("left") == current
                    and _text(parent.child_by_field_name("operator") or parent) == "="):
                return True
        stack.extend(current.children)
    return False


def _jumps(node: Node) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "goto_statement":
            return True
        stack.extend(current.named_children)
    return False


def _overwrites(statement: Node, var: str) -> bool:
    """Is ``statement`` an unconditional "var = ...;"?"""
    if statement.type != "expression_statement" or not statement.named_child_count:
        return False
    expr = statement.named_children[0]
    left = expr.child_by_field_name("left") if expr.type == "assignment_expression" else None
    return left is not None and left.type == "identifier" and _text(left) == var and \
        _text(expr.child_by_field_name("operator") or expr) == "="


def _read_before_overwritten(statement: Node, var: str) -> bool:
    """Is the value ``statement`` stores in ``var`` read before the next
    unconditional store, going forward through the enclosing blocks (a loop
    around it reads it again wherever it reads ``var``)?"""
    node = statement
    while node is not None and node.type != "function_definition":
        parent = node.parent
        if parent is None:
            break
        if parent.type in _LOOP_TYPES and _reads(parent, var):
            return True
        if parent.type == "compound_statement":
            sibling = node.next_named_sibling
            while sibling is not None:
                if _reads(sibling, var) or _jumps(sibling):
                    return True  # a goto may reach a read past the next store
                if _overwrites(sibling, var):
                    return False
                sibling = sibling.next_named_sibling
        node = parent
    return False


def extract_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None) -> FileFacts:
    """Parse ``text`` (the content of ``path``) and collect its facts.

    ``hunk_functions`` names the function of lines that a patch hunk shows
    outside any function header (see inputs.images.Image).
    """
    facts = extract_tree_facts(path, text, hunk_functions)
    facts.identifiers = spelled_identifiers(text)
    facts.markers = markers_in(text)
    return facts


def extract_tree_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None) -> FileFacts:
    """The facts of the syntax tree alone, without ``identifiers`` (for a
    skeleton of a file, whose identifiers come from the whole text)."""
    return _Walker(path, text, parse(text), hunk_functions).walk()

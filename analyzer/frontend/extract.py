"""One walk over a syntax tree that collects every FileFacts entry."""

from __future__ import annotations

import re

from tree_sitter import Node, Query, QueryCursor

from .conditions import conditions_at, norm
from .identifiers import spelled_identifiers
from .facts import (AddressTaken, Call, FileFacts, FileObject, Function, LegacyIndex,
                    PerCpuDecl, Site)
from .stores import percpu_store_target, up
from .syntax import LANGUAGE, SyntaxTree, parse

# Names under which guest code reaches the shared_info page (Xen, Linux).
SHARED_INFO_NAMES = frozenset({"XEN_shared_info", "HYPERVISOR_shared_info"})
# Calls whose result says whether this CPU got a usable vcpu_info.
MAPPING_FUNCTIONS = frozenset({"map_vcpuinfo", "xen_vcpu_setup"})
REGISTER_OP = "VCPUOP_register_vcpu_info"
LEGACY_LIMITS = ("XEN_LEGACY_MAX_VCPUS", "MAX_VIRT_CPUS")
PERCPU_ACCESSORS = frozenset({"this_cpu", "per_cpu", "this_cpu_ptr", "per_cpu_ptr"})

_PERCPU_MACRO = re.compile(r"^(DEFINE|DECLARE)_PER_CPU\w*$")
_PERCPU_CALL = re.compile(r"(\w+)\s*\(\s*(?P<type>.+?)\s*,\s*(?P<name>\w+)\s*\)", re.S)
_ALIGN = re.compile(r"\b(?:__aligned|aligned)\s*\(\s*(?P<arg>[^()]*(?:\([^()]*\))?[^()]*)\)")
_ALIGN_WORDS = {"__cacheline_aligned": 64, "____cacheline_aligned": 64,
                "__page_aligned_data": 4096, "__page_aligned_bss": 4096}
_KNOWN_SIZES = {"PAGE_SIZE": 4096, "SMP_CACHE_BYTES": 64, "L1_CACHE_BYTES": 64,
                "sizeof(structvcpu_info)": 64, "sizeof(vcpu_info_t)": 64}


def alignment_of(text: str) -> int | None:
    """Alignment in bytes promised by attributes in ``text``, if any."""
    best = None
    for word, size in _ALIGN_WORDS.items():
        if re.search(r"\b%s\b" % word, text):
            best = max(best or 0, size)
    for m in _ALIGN.finditer(text):
        arg = "".join(m.group("arg").split())
        size = int(arg, 0) if re.fullmatch(r"\d+|0x[0-9a-fA-F]+", arg) else _KNOWN_SIZES.get(arg)
        if size:
            best = max(best or 0, size)
    return best


def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace")


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
    ('((identifier) @node (#match? @node "^(DEFINE|DECLARE)_PER_CPU"))', (b"_PER_CPU",)),
    ("(call_expression) @node", tuple(w.encode() for w in (
        *MAPPING_FUNCTIONS, REGISTER_OP, "this_cpu_ptr", "per_cpu_ptr"))),
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
        if name in ("this_cpu_ptr", "per_cpu_ptr"):
            # The pointer forms of &this_cpu(x) and &per_cpu(x, cpu).
            args = _call_args(node)
            if args and args[0].type == "identifier":
                self.facts.addresses.append(AddressTaken(_text(args[0]), self.site(node, function)))
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
            if not name or prototype:
                continue
            self.facts.objects.append(FileObject(
                name=name, site=self.site(declarator, None),
                is_static="static" in storage, is_extern="extern" in storage,
                type_text=f"{type_text} {suffix}".strip(), decl_text=decl_text,
                alignment=alignment_of(decl_text)))

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
            macro=text, is_definition=text.startswith("DEFINE"),
            type_text=" ".join(m.group("type").split()), name=m.group("name"),
            site=self.site(node, function),
            alignment=macro_align or alignment_of(statement[m.end():]),
            is_static=re.search(r"\bstatic\s*$", before) is not None))

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
            self.facts.addresses.append(AddressTaken(_text(arg), self.site(node, function)))
        elif arg.type == "subscript_expression":
            inner = arg.child_by_field_name("argument")
            if inner is not None and inner.type == "identifier":
                self.facts.addresses.append(AddressTaken(_text(inner), self.site(node, function)))
        elif arg.type == "call_expression" and _call_name(arg) in PERCPU_ACCESSORS:
            args = _call_args(arg)
            if args and args[0].type == "identifier":
                self.facts.addresses.append(AddressTaken(_text(args[0]), self.site(node, function)))

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
        mapping = set(MAPPING_FUNCTIONS) | {
            fn.name for fn in self.facts.functions
            if fn.name in self.register_functions and not fn.returns_void}
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
            body = self.function_nodes[function]
            if not self.read_after(body, var, parent.end_byte):
                return f"dead-store:{var}"
        return "used"

    def read_after(self, body: Node, var: str, after: int) -> bool:
        stack = [body]
        while stack:
            node = stack.pop()
            if node.end_byte <= after:
                continue
            if node.type == "identifier" and node.start_byte >= after and _text(node) == var:
                parent = node.parent
                # "var = ..." overwrites; anything else reads.
                if not (parent is not None and parent.type == "assignment_expression"
                        and parent.child_by_field_name("left") == node
                        and _text(parent.child_by_field_name("operator") or parent) == "="):
                    return True
            stack.extend(node.children)
        return False


def extract_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None) -> FileFacts:
    """Parse ``text`` (the content of ``path``) and collect its facts.

    ``hunk_functions`` names the function of lines that a patch hunk shows
    outside any function header (see inputs.images.Image).
    """
    facts = extract_tree_facts(path, text, hunk_functions)
    facts.identifiers = spelled_identifiers(text)
    return facts


def extract_tree_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None) -> FileFacts:
    """The facts of the syntax tree alone, without ``identifiers`` (for a
    skeleton of a file, whose identifiers come from the whole text)."""
    return _Walker(path, text, parse(text), hunk_functions).walk()

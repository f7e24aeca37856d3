"""Which layer a file needs, decided by what it spells (as spatch gates on tokens).

* statements: a file that spells a word of the vcpu_info protocol gets the
  full syntax parse; every statement-level fact (legacy indexing, mapping
  calls, registrations, guards) needs one of these words.  The bodies of
  functions that spell none of the words a fact needs are emptied before
  the parse (skeletons.quiet_bodies_blanked), or skipped by the walk when
  their shape is not plain enough to empty (extract.quiet_functions).
* declarations: any other .c file can only contribute file-scope objects
  (XL106) and per-CPU declarations.  It is parsed as a skeleton holding just
  its candidate file-scope declarations at their own line numbers, a small
  fraction of the file (skeletons.declaration_skeleton).
* index: any other header contributes only per-CPU declarations and the
  identifiers it spells (header objects are never reported), read by
  regular expressions.

Per-CPU declarations and identifiers of the last two come from the index
layer, so every rule sees the same facts it would see after a full parse.
"""

from __future__ import annotations

from .facts import FileFacts, LazyLines
from .identifiers import spelled_identifiers
from .index import index_facts, markers_in

# A file (or a declarations skeleton) larger than this is not parsed: the
# parser's memory grows with it (a 4 MB expression took 630 MB), and no C
# file a person wrote is that large.  Its per-CPU declarations and names
# still come from the index layer; the file is reported as over budget.
MAX_PARSE_BYTES = 2 << 20

# Every statement-level fact needs one of these in the file's text.  Not
# "shared_info" alone: an alias of the shared_info page yields a fact only
# where it reaches ->vcpu_info, and Linux spells skb_shared_info in every
# network driver.
STATEMENT_WORDS = ("vcpu_info", "map_vcpuinfo", "xen_vcpu", "DPCPU_")


# Without XL106 (lean modes), a file yields facts only if it spells one of
# these: "vcpu" covers the statement words vcpu_info, map_vcpuinfo and
# xen_vcpu; "PER_CPU" and "DPCPU_" the per-CPU declarations and DPCPU
# accessors; "xenlint:" and "SAF-" suppression comments.  Five byte
# searches, before decoding, rule out almost every file of a kernel tree.
LEAN_WORDS = (b"vcpu", b"PER_CPU", b"DPCPU_", b"xenlint:", b"SAF-")


def yields_lean_facts(data: bytes) -> bool:
    return any(word in data for word in LEAN_WORDS)


def needs_statements(text: str) -> bool:
    # Four substring searches run at memory speed, three times faster than
    # one regular expression with the four alternatives.
    return any(word in text for word in STATEMENT_WORDS)


def layer_of(path: str, text: str, uses: bool = True) -> str:
    """"statements", "declarations" or "index": the cheapest layer that
    yields every fact of this file.  Without ``uses`` (no rule asks whether
    other files use its names: XL106 is off), file-scope objects and the
    names spelled are not wanted, and a file without the protocol's words
    needs only the index layer's per-CPU declarations."""
    if needs_statements(text):
        return "statements"
    return "index" if path.endswith(".h") or not uses else "declarations"


def file_facts(path: str, text: str, hunk_functions: dict[int, str] | None = None,
               uses: bool = True) -> FileFacts:
    """Facts of ``path`` from the cheapest layer that yields all of them (``layer_of``)."""
    from .extract import BODY_WORDS, REGISTER_OP, extract_tree_facts
    from .skeletons import declaration_skeleton, quiet_bodies_blanked

    layer = layer_of(path, text, uses)
    if layer != "index" and len(text) > MAX_PARSE_BYTES:
        index = index_facts(path, text)
        index.lines = LazyLines(text)
        index.over_budget = (f"{len(text) >> 20} MiB, more than the {MAX_PARSE_BYTES >> 20} MiB "
                             f"xenlint parses; only its per-CPU declarations and names were read")
        return index
    if layer == "statements":
        facts = extract_tree_facts(path, quiet_bodies_blanked(text, BODY_WORDS, REGISTER_OP),
                                   hunk_functions)
        facts.lines = LazyLines(text)
        facts.identifiers = spelled_identifiers(text)
        facts.markers = markers_in(text)
        return facts
    index = index_facts(path, text, uses)
    if layer == "index":
        index.lines = LazyLines(text)
        return index
    skeleton = declaration_skeleton(text)
    if len(skeleton) - skeleton.count(" ") - skeleton.count("\n") > MAX_PARSE_BYTES:
        index.lines = LazyLines(text)
        index.over_budget = (f"more than {MAX_PARSE_BYTES >> 20} MiB of file-scope declarations; "
                             f"only its per-CPU declarations and names were read")
        return index
    facts = extract_tree_facts(path, skeleton, hunk_functions)
    facts.layer = "declarations"
    facts.markers = index.markers
    facts.lines = LazyLines(text)
    facts.percpu = index.percpu
    facts.identifiers = index.identifiers
    return facts

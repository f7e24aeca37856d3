"""Index layer: the cheap facts of a file that is context, not under check.

Rules about other files only ask which identifiers a file spells and which
per-CPU variables it declares; a regular-expression pass answers both at a
fraction of a parse, which keeps patch checks against a whole tree fast.
"""

from __future__ import annotations

import re

from .alignment import alignment_of
from .facts import FileFacts, PerCpuDecl, Site
from .identifiers import spelled_identifiers

_MACRO_NAME = re.compile(r"(?:DEFINE|DECLARE)_PER_CPU|DPCPU_(?:DEFINE|DECLARE)")
_PERCPU = re.compile(
    r"^[ \t]*(?P<static>static[ \t]+)?(?P<macro>(?:(?:DEFINE|DECLARE)_PER_CPU|DPCPU_(?:DEFINE|DECLARE))\w*)\s*\(\s*"
    r"(?P<type>[^;()]*?(?:\([^;()]*\))?[^;()]*?)\s*,\s*(?P<name>\w+)\s*\)", re.M)


def markers_in(text: str) -> tuple[str, ...]:
    """The words of profiles.MARKER_WORDS that ``text`` spells (a guest's dialect)."""
    from analyzer.profiles import MARKER_WORDS

    return tuple(word for word in MARKER_WORDS if word in text)


def index_facts(path: str, text: str, uses: bool = True) -> FileFacts:
    """Per-CPU declarations, guest markers and (with ``uses``, for rules that
    ask whether other files use a name) the identifiers ``text`` spells."""
    facts = FileFacts(path=path, lines=[], layer="index")
    if uses:
        facts.identifiers = spelled_identifiers(text)
    facts.markers = markers_in(text)
    if "_PER_CPU" in text or "DPCPU_" in text:
        # Find the macro names by their literal spelling, then match the
        # declaration from the start of their line: anchoring the pattern at
        # every line start costs more than the rest of this layer.
        seen = -1
        for hit in _MACRO_NAME.finditer(text):
            start = text.rfind("\n", 0, hit.start()) + 1
            if start <= seen:
                continue
            seen = start
            m = _PERCPU.match(text, start)
            if m is None:
                continue
            line = text.count("\n", 0, m.start("macro")) + 1
            macro = m.group("macro")
            tail = text[m.end():text.find(";", m.end()) if text.find(";", m.end()) >= 0 else m.end()]
            facts.percpu.append(PerCpuDecl(
                macro=macro, is_definition=macro.startswith(("DEFINE", "DPCPU_DEFINE")),
                type_text=" ".join(m.group("type").split()), name=m.group("name"),
                site=Site(line, 1, None),
                alignment=4096 if "PAGE_ALIGNED" in macro else 64 if "ALIGNED" in macro else alignment_of(tail),
                is_static=m.group("static") is not None or "_STATIC" in macro))
    return facts

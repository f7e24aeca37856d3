"""Index layer: the cheap facts of a file that is context, not under check.

Rules about other files only ask which identifiers a file spells and which
per-CPU variables it declares; a regular-expression pass answers both at a
fraction of a parse, which keeps patch checks against a whole tree fast.
"""

from __future__ import annotations

import re

from .facts import FileFacts, PerCpuDecl, Site
from .identifiers import spelled_identifiers

_MACRO_NAME = re.compile(r"(?:DEFINE|DECLARE)_PER_CPU")
_PERCPU = re.compile(
    r"^[ \t]*(?P<static>static[ \t]+)?(?P<macro>(?:DEFINE|DECLARE)_PER_CPU\w*)\s*\(\s*"
    r"(?P<type>[^;()]*?(?:\([^;()]*\))?[^;()]*?)\s*,\s*(?P<name>\w+)\s*\)", re.M)


def index_facts(path: str, text: str) -> FileFacts:
    facts = FileFacts(path=path, lines=[], layer="index")
    facts.identifiers = spelled_identifiers(text)
    if "_PER_CPU" in text:
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
            facts.percpu.append(PerCpuDecl(
                macro=macro, is_definition=macro.startswith("DEFINE"),
                type_text=" ".join(m.group("type").split()), name=m.group("name"),
                site=Site(line, 1, None),
                alignment=4096 if "PAGE_ALIGNED" in macro else 64 if "ALIGNED" in macro else None,
                is_static=m.group("static") is not None))
    return facts

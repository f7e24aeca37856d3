"""The identifiers a file spells, as one string: cheap to make, store and send.

"Is this name used in another file?" needs every identifier of every file of
a tree (15 MB of text for Xen).  A frozenset per file costs more to pickle
(cache entries, worker results) than to build, so each file keeps its
identifiers as one space-separated string, each once, and the project builds
a reverse index for the few names anyone asks about (project.ProjectFacts).
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*", re.ASCII)
# Every ASCII character that cannot be part of an identifier becomes a space.
_GAPS = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})


def spelled_identifiers(text: str) -> str:
    """Every identifier in ``text`` once, space-separated, in no particular order.

    Pure ASCII text (nearly every C file) is split by str.translate, a third
    faster than a regular expression; the words then include numbers such as
    ``0x10``, which are never asked about.  Other text takes the regular
    expression, so a letter outside ASCII never glues onto an identifier.
    """
    if text.isascii():
        return " ".join(set(text.translate(_GAPS).split()))
    return " ".join(set(_IDENTIFIER.findall(text)))

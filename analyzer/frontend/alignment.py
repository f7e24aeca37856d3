"""Alignment promised by attributes and macros, in bytes (read from the text as written)."""

from __future__ import annotations

import re

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

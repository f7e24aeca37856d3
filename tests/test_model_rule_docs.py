"""Every rule the cross-check can emit is documented for `xenlint explain`."""

import re
from pathlib import Path

from analyzer.model.rule_docs import RULE_DOCS

KEYS = {"id", "name", "severity", "summary", "what", "why", "example", "instead"}


def test_docs_cover_every_emitted_rule():
    ids = [d["id"] for d in RULE_DOCS]
    assert len(ids) == len(set(ids))
    source = "".join(p.read_text() for p in Path("analyzer/crosscheck").glob("*.py"))
    emitted = set(re.findall(r'"(XL2\d\d)"', source)) | {f"XL2{n:02d}" for n in range(1, 12)}
    assert emitted <= set(ids)
    for doc in RULE_DOCS:
        assert set(doc) == KEYS and all(doc[k] for k in KEYS)
        assert doc["severity"] in ("info", "warning", "error")

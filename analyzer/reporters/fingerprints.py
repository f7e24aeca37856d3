"""Per-finding identities for CI formats that demand one unique id per finding.

Finding.fingerprint() ignores line numbers, so two identical lines in one
function share it; the n-th finding with the same fingerprint (in report
order) gets ``#n`` mixed in.  Moving code keeps every id; copying a line adds
one.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from analyzer.findings import Finding


def unique_fingerprints(findings: list[Finding]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for finding in findings:
        base = finding.fingerprint()
        seen[base] += 1
        occurrence = seen[base]
        out.append(base if occurrence == 1 else
                   hashlib.sha256(f"{base}#{occurrence}".encode()).hexdigest()[:32])
    return out

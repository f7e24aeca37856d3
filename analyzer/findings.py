"""The finding: what every rule and the model cross-check produce.

A finding is plain data. Rules never format output; reporters never judge code.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (info, warning, error)") from None


_SPACE = re.compile(r"\s+")


@dataclass
class Finding:
    rule_id: str
    severity: Severity
    path: str
    line: int
    col: int
    message: str
    function: str | None = None
    source: str = ""
    # Structured, rule-specific data (a model scenario, a replay command, the
    # side-by-side pointer table): reporters may show it, fingerprints ignore it.
    details: dict = field(default_factory=dict)
    # Tells apart findings of one rule on one line (the model's policy notes
    # anchor several on one function head); part of the fingerprint.
    discriminator: str = ""
    # The guest profile that judged the file (analyzer/profiles.py), for
    # rules that read one; not part of the fingerprint.
    profile: str = ""

    # A finding quotes its input (the source line, an expression in the
    # message); input written to be huge must not make every report huge.
    MAX_SOURCE = 300
    MAX_MESSAGE = 600

    def __post_init__(self) -> None:
        if len(self.source) > self.MAX_SOURCE:
            self.source = self.source[:self.MAX_SOURCE] + " ..."
        if len(self.message) > self.MAX_MESSAGE:
            self.message = self.message[:self.MAX_MESSAGE] + " ..."

    def sort_key(self):
        return (self.path, self.line, self.col, self.rule_id)

    def fingerprint(self) -> str:
        """Identity that survives edits elsewhere in the file.

        Built from rule, file, enclosing function and the normalised source
        text, never from line numbers, so baselines and pre/post-image
        comparisons are not fooled by code moving up or down.
        """
        text = _SPACE.sub(" ", self.source).strip()
        key = "\0".join((self.rule_id, self.path, self.function or "", text, self.discriminator))
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def to_dict(self) -> dict:
        out = {
            "rule": self.rule_id,
            "severity": str(self.severity),
            "path": self.path,
            "line": self.line,
            "column": self.col,
            "message": self.message,
            "function": self.function,
            "source": self.source,
            "fingerprint": self.fingerprint(),
        }
        if self.profile:
            out["profile"] = self.profile
        if self.details:
            out["details"] = self.details
        return out

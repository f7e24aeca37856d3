"""The rule interface: documentation plus matching logic over facts.

A rule never formats output: it yields Findings built by ``report``.  Its
class attributes are its documentation, printed by ``xenlint explain``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from .findings import Finding, Severity

if TYPE_CHECKING:
    from .frontend.facts import FileFacts, Site
    from .project import ProjectFacts


# The lists of FileFacts that rules read.
FACT_LISTS = ("functions", "objects", "percpu", "calls", "legacy_indexes", "addresses",
              "nr_cpu_ids_clamps")


class Rule:
    id: str = ""
    name: str = ""
    severity: Severity = Severity.ERROR
    confidence: str = "high"  # high, medium, low: how often a hit is a real defect
    summary: str = ""  # one line
    what: str = ""
    why: str = ""
    example: str = ""
    instead: str = ""
    message: str = ""  # str.format template filled by report(**args)
    # The FileFacts lists (FACT_LISTS) every finding of the rule comes
    # from: a file where all of them are empty is not checked by it (most of
    # a tree, which holds no fact at all).  tests/test_rule_needs.py holds
    # each rule to it.
    needs: tuple[str, ...] = FACT_LISTS

    def check(self, facts: "FileFacts", project: "ProjectFacts") -> Iterator[Finding]:
        raise NotImplementedError

    def report(self, facts: "FileFacts", site: "Site", **args) -> Finding:
        return Finding(
            rule_id=self.id,
            severity=self.severity,
            path=facts.path,
            line=site.line,
            col=site.col,
            message=self.message.format(**args),
            function=site.function,
            source=facts.source_line(site.line),
        )

    def doc(self) -> dict:
        return {
            "id": self.id, "name": self.name, "severity": str(self.severity),
            "confidence": self.confidence, "summary": self.summary, "what": self.what,
            "why": self.why, "example": self.example, "instead": self.instead,
        }

"""A rule: its documentation, read from its module's header, plus matching logic.

Every rule id xenlint reports has one module in ``rules/`` whose docstring
is its documentation, written once and read by everything that shows it
(``xenlint rules``/``explain``, SARIF, the README's table):

    <one line: what it finds>

    Severity:   error
    Confidence: medium: <why, when it is not high>
    Found by:   analyzer/suppressions.py      (only for rules not checked here)

    What it does
        <paragraphs>
    Why it matters
        <paragraphs>
    Example
        <code, verbatim>
    Use instead
        <code, verbatim>

Static rules subclass ``Rule`` in that module and never format output: they
yield Findings built by ``report`` from the ``message`` template.
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from .findings import Finding, Severity

if TYPE_CHECKING:
    from .frontend.facts import FileFacts, Site
    from .project import ProjectFacts


# The lists of FileFacts that rules read.
FACT_LISTS = ("functions", "objects", "percpu", "calls", "legacy_indexes", "addresses",
              "nr_cpu_ids_clamps", "prototypes", "allocations")

CONFIDENCES = ("high", "medium", "low")
_SECTIONS = {"What it does": "what", "Why it matters": "why", "Example": "example",
             "Use instead": "instead"}
_FIELDS = {"Severity": "severity", "Confidence": "confidence", "Found by": "found_by"}


@dataclass(frozen=True)
class RuleDoc:
    id: str
    name: str
    family: str  # "suppression", "static" or "model": who finds it
    severity: Severity
    confidence: str  # high, medium, low: how often a hit is a real defect
    summary: str
    what: str
    why: str
    example: str
    instead: str
    found_by: str = ""
    confidence_note: str = ""  # why the confidence is what it is, when it is not obvious

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "family": self.family,
                "severity": str(self.severity), "confidence": self.confidence,
                "summary": self.summary, "what": self.what, "why": self.why,
                "example": self.example, "instead": self.instead}


def parse_header(header: str, rule_id: str, name: str, family: str) -> RuleDoc:
    """The RuleDoc a rule module's docstring holds (format: this module's docstring)."""
    lines = textwrap.dedent(header).strip("\n").split("\n")
    values: dict[str, str] = {"summary": lines[0].strip().rstrip(".")}
    section, body = None, []

    def close() -> None:
        if section is not None:
            text = textwrap.dedent("\n".join(body)).strip("\n")
            if section in ("what", "why"):  # prose: paragraphs, each on one line
                text = "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))
            values[section] = text

    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if line.strip() in _SECTIONS and not line.startswith(" "):
            close()
            section, body = _SECTIONS[line.strip()], []
        elif section is None and sep and key.strip() in _FIELDS:
            values[_FIELDS[key.strip()]] = value.strip()
        elif section is not None:
            body.append(line)
        elif line.strip():
            raise ValueError(f"{rule_id}: unexpected header line {line!r}")
    close()
    missing = [k for k in ("severity", "confidence", *_SECTIONS.values()) if not values.get(k)]
    if missing:
        raise ValueError(f"{rule_id}: header lacks {', '.join(missing)}")
    values["confidence"], _, note = values.get("confidence", "").partition(":")
    values["confidence_note"] = note.strip()
    if values["confidence"] not in CONFIDENCES:
        raise ValueError(f"{rule_id}: confidence must be one of {', '.join(CONFIDENCES)}")
    severity = Severity.parse(values.pop("severity"))
    return RuleDoc(id=rule_id, name=name, family=family, severity=severity, **values)


def module_doc(module_name: str, family: str) -> RuleDoc:
    """The RuleDoc of ``rules.<module_name>`` (``xl101_legacy_vcpu_info_index``: id
    XL101, name legacy-vcpu-info-index)."""
    import importlib

    module = importlib.import_module(f"rules.{module_name}")
    number, _, words = module_name.partition("_")
    return parse_header(module.__doc__ or "", number.upper(), words.replace("_", "-"), family)


class Rule:
    """A static rule: ``check`` facts, ``report`` findings.  Its id, name,
    severity and documentation come from its module's header (``doc``)."""

    message: str = ""  # str.format template filled by report(**args)
    # The FileFacts lists (FACT_LISTS) every finding of the rule comes
    # from: a file where all of them are empty is not checked by it (most of
    # a tree, which holds no fact at all).  tests/test_rule_needs.py holds
    # each rule to it.
    needs: tuple[str, ...] = FACT_LISTS
    doc: RuleDoc

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        module_name = cls.__module__.rpartition(".")[2]
        number, _, words = module_name.partition("_")
        cls.doc = parse_header(sys.modules[cls.__module__].__doc__ or "", number.upper(),
                               words.replace("_", "-"), "static")

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def severity(self) -> Severity:
        return self.doc.severity

    def check(self, facts: "FileFacts", project: "ProjectFacts") -> Iterator[Finding]:
        raise NotImplementedError

    def anchor_in_change(self, finding: Finding, added: dict[str, set[int]],
                         project: "ProjectFacts") -> Finding:
        """The finding as a patch should show it, given the lines the patch
        added (path -> post-image lines): by default where the rule found it.
        A rule whose finding is caused by another line (a definition the
        patch changed, far from the declaration it breaks) reports there."""
        return finding

    def report(self, facts: "FileFacts", site: "Site", template: str | None = None,
               **args) -> Finding:
        """A finding at ``site``: ``template`` (default: the rule's message) filled with ``args``."""
        return Finding(
            rule_id=self.doc.id,
            severity=self.doc.severity,
            path=facts.path,
            line=site.line,
            col=site.col,
            message=(template or self.message).format(**args),
            function=site.function,
            source=facts.source_line(site.line),
        )

"""Run the rules over facts: the one place that walks files and collects findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from .errors import InputError
from .findings import Finding
from .inputs.sources import FileSelection, SourceTexts, read_input, read_source

if TYPE_CHECKING:  # an unchanged tree is answered without loading the facts classes
    from .frontend.facts import FileFacts
    from .project import ProjectFacts
    from .rule import Rule


@dataclass
class ParseStats:
    """How each layer fared; a parse failure must never pass as 'no findings'."""

    syntax_files: int = 0  # full parse: the file spells the vcpu_info protocol's words
    declaration_files: int = 0  # parse of the file-scope declarations alone
    recovered: dict[str, list[int]] = field(default_factory=dict)  # path -> error-region lines
    index_files: int = 0
    semantic_files: int = 0
    semantic_failures: dict[str, str] = field(default_factory=dict)

    def merge(self, other: "ParseStats") -> None:
        self.syntax_files += other.syntax_files
        self.declaration_files += other.declaration_files
        self.recovered.update(other.recovered)
        self.index_files += other.index_files
        self.semantic_files += other.semantic_files
        self.semantic_failures.update(other.semantic_failures)

    def to_dict(self) -> dict:
        return {
            "syntax_files": self.syntax_files,
            "declaration_files": self.declaration_files,
            "syntax_recovered_files": len(self.recovered),
            "index_files": self.index_files,
            "semantic_files": self.semantic_files,
            "semantic_failed_files": len(self.semantic_failures),
        }


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0
    # Checked files' texts by path (a SourceTexts), read once here for whoever
    # reports (the gate reads suppression comments in them); never stored in a cache.
    texts: Mapping[str, str] = field(default_factory=dict)


def analyse(path: str, text: str, stats: ParseStats,
            hunk_functions: dict[int, str] | None = None, semantic=None) -> FileFacts:
    from .frontend.layers import file_facts  # the parser loads only when something is parsed

    return _layered(file_facts(path, text, hunk_functions), text, stats, semantic)


def _layered(facts: FileFacts, text: str | None, stats: ParseStats, semantic=None) -> FileFacts:
    """Count the syntax layer's outcome and let the semantic layer add facts
    (``text`` is needed only with the semantic layer)."""
    path = facts.path
    if facts.layer == "index":
        stats.index_files += 1
    elif facts.layer == "declarations":
        stats.declaration_files += 1
    else:
        stats.syntax_files += 1
    if facts.error_lines:
        stats.recovered[path] = facts.error_lines
    if semantic is not None:  # frontend.semantic.SemanticLayer: adds facts, never removes
        semantic.enrich(facts, text, stats)
    return facts


def run_rules(project: ProjectFacts, paths: Iterable[str], rules: Sequence[Rule]) -> list[Finding]:
    from .rule import FACT_LISTS

    findings: list[Finding] = []
    paths = list(paths)
    project.prepare(paths)
    needs = [(rule, frozenset(rule.needs)) for rule in rules]
    for path in paths:
        facts = project.files[path]
        present = [name for name in FACT_LISTS if getattr(facts, name)]
        if not present:  # most files of a tree: no rule can find anything there
            continue
        for rule, lists in needs:
            if not lists.isdisjoint(present):
                findings.extend(rule.check(facts, project))
    findings.sort(key=Finding.sort_key)
    return findings


def display_path(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)


def check_selection(selection: FileSelection, rules: Sequence[Rule], *, whole_tree: bool,
                    base: Path | None = None, semantic=None, jobs: int = 1,
                    cache=None) -> CheckResult:
    """Check ``selection``; ``jobs`` > 1 parses on that many processes and
    ``cache`` (an analyzer.cache.FactsCache) reuses facts of unchanged files
    and the whole answer for an unchanged input.  The result does not depend
    on either."""
    checked = [display_path(path, base) for path in selection.files]
    paths = dict(zip(checked, selection.files))
    rule_ids = [r.id for r in rules]
    use_cache = cache is not None and semantic is None  # semantic facts depend on more than texts
    seen_before = False
    if use_cache:
        from . import results_cache

        # Statuses are taken before any file is read: an edit after this is seen next time.
        statuses = [results_cache.file_status(p) for p in (*selection.files, *selection.context)]
        status_key = results_cache.status_key(
            checked + [display_path(p, base) for p in selection.context], rule_ids, whole_tree)
        entry = results_cache.load_status(cache, status_key)
        if entry is not None:  # nothing changed since a run with these files: its answer, unread
            seen_before = True
            unchanged = results_cache.answer_if_unchanged(cache, entry, statuses)
            if isinstance(unchanged, CheckResult):
                unchanged.notes[:0] = selection.notes
                unchanged.texts = SourceTexts(paths, marked=set(entry["marked"]))
                return unchanged
    from .cache import content_key
    from .facts_pool import Gathered, gather_facts, gather_file_facts
    from .frontend.identifiers import spelled_identifiers
    from .project import QUESTION, ProjectFacts
    from .suppressions import has_marker

    # Assembly and linker scripts are only searched for uses of names.
    context: list[tuple[str, str | None, str | None]] = []  # (name, content key, identifiers)
    unread: list[str] = []

    def read_context() -> None:
        for path in selection.context:
            name = display_path(path, base)
            try:
                text = read_input(path).decode("utf-8", "replace")
            except InputError as exc:
                context.append((name, None, None))
                unread.append(f"{path}: not read ({exc.problem})")
                continue
            context.append((name, content_key(text), spelled_identifiers(text)))

    key = None

    def answer_by_content(keys: list, marks: list[bool]):
        """The stored answer for these contents, if any; the status is recorded either way."""
        nonlocal key
        key = results_cache.run_key(checked, keys, [(n, k) for n, k, _ in context], rule_ids,
                                    whole_tree)
        results_cache.store_status(cache, status_key, statuses, key,
                                   [name for name, mark in zip(checked, marks) if mark])
        stored = results_cache.load(cache, key)
        if isinstance(stored, CheckResult):
            stored.notes[:0] = selection.notes
            return stored
        return None

    if semantic is None and not seen_before:
        # A first run over these files: the processes that parse read them
        # (and this one reads the context files while the workers start).
        sizes = [status[0] if status else 0 for status in statuses[:len(checked)]] if use_cache else None
        gathered = gather_file_facts(checked, selection.files, jobs, cache, meanwhile=read_context,
                                     sizes=sizes, question=QUESTION)
        texts: list[str | None] = [None] * len(checked)
        all_texts = SourceTexts(paths, marked={n for n, m in zip(checked, gathered.marked) if m})
        stored = answer_by_content(gathered.keys, gathered.marked) if use_cache else None
    else:
        # The semantic layer reads every text here anyway; and files seen
        # before whose status changed were mostly touched, not edited (a
        # checkout, a save within the racy window): their answer by content
        # needs only their texts, read and hashed here, not their facts.
        texts = [read_source(path) for path in selection.files]
        read_context()
        marks = [has_marker(t) for t in texts]
        all_texts = SourceTexts(paths, dict(zip(checked, texts)))
        keys = [content_key(t) for t in texts] if use_cache else None
        stored = answer_by_content(keys, marks) if use_cache else None
        if stored is None:
            gathered = Gathered(gather_facts(list(zip(checked, texts)), jobs, cache, keys),
                                keys or [None] * len(texts), marks)
    if stored is not None:
        stored.texts = all_texts
        return stored
    result = CheckResult(notes=unread)
    project = ProjectFacts(whole_tree=whole_tree)
    for facts, text in zip(gathered.facts, texts):
        project.add(_layered(facts, text, result.stats, semantic))
    for name, _, identifiers in context:
        if identifiers is not None:
            project.add_context(name, identifiers)
            result.stats.index_files += 1
    spellers = gathered.spellers
    if spellers is not None and spellers.names is not None:
        project.add_spellers(spellers.names,
                             {name: [checked[i] for i in found] for name, found in spellers.found.items()},
                             {checked[i] for i in spellers.searched})
    result.findings = run_rules(project, checked, rules)
    result.files_checked = len(checked)
    if key is not None:
        results_cache.store(cache, key, result)
    result.notes[:0] = selection.notes
    result.texts = all_texts
    return result

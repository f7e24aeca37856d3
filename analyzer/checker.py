"""Run the rules over facts: the one place that collects findings from rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from .crosscheck import MAPPING_FUNCTIONS
from .findings import Finding

if TYPE_CHECKING:  # an unchanged tree is answered without loading the facts classes
    from .cache import FactsCache
    from .frame import Frame
    from .frontend.facts import FileFacts
    from .inputs.trees import DiskTree, GitTree
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
    # path -> why it was not analysed in full (frontend.facts.FileFacts.over_budget)
    over_budget: dict[str, str] = field(default_factory=dict)

    def merge(self, other: "ParseStats") -> None:
        self.syntax_files += other.syntax_files
        self.declaration_files += other.declaration_files
        self.recovered.update(other.recovered)
        self.index_files += other.index_files
        self.semantic_files += other.semantic_files
        self.semantic_failures.update(other.semantic_failures)
        self.over_budget.update(other.over_budget)

    def count(self, facts: FileFacts) -> None:
        if facts.layer == "index":
            self.index_files += 1
        elif facts.layer == "declarations":
            self.declaration_files += 1
        else:
            self.syntax_files += 1
        if facts.error_lines:
            self.recovered[facts.path] = facts.error_lines
        if facts.over_budget:
            self.over_budget[facts.path] = facts.over_budget

    def problems(self) -> list[str]:
        """Files not checked in full: problems of the run, never a silent pass."""
        return [f"{path}: not checked in full: {why}" for path, why in sorted(self.over_budget.items())]

    def to_dict(self) -> dict:
        return {
            "syntax_files": self.syntax_files,
            "declaration_files": self.declaration_files,
            "syntax_recovered_files": len(self.recovered),
            "index_files": self.index_files,
            "semantic_files": self.semantic_files,
            "semantic_failed_files": len(self.semantic_failures),
            "over_budget_files": len(self.over_budget),
        }


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0
    # Checked files whose text may hold a suppression comment (the gate reads those).
    marked: list[str] = field(default_factory=list)
    # Checked files that define or call the mapping function (the model may run on them).
    mapping: list[str] = field(default_factory=list)
    # Notes on how the files were judged (profiles, the frame): kept with a
    # cached answer, unlike notes on the tree as listed this time.
    judging_notes: list[str] = field(default_factory=list)


def analyse(path: str, text: str, stats: ParseStats,
            hunk_functions: dict[int, str] | None = None, semantic=None) -> FileFacts:
    """Facts of one text (a patch's image): the layers, then the semantic layer's additions."""
    from .frontend.layers import file_facts  # the parser loads only when something is parsed

    facts = file_facts(path, text, hunk_functions)
    stats.count(facts)
    if semantic is not None:  # frontend.semantic.SemanticLayer: adds facts, never removes
        semantic.enrich(facts, text, stats)
    return facts


def run_rules(project: ProjectFacts, paths: Iterable[str], rules: Sequence[Rule]) -> list[Finding]:
    from .rule import FACT_LISTS

    findings: list[Finding] = []
    paths = list(paths)
    project.prepare(paths)
    needs = [(rule, frozenset(rule.needs)) for rule in rules]
    judged: Counter[str] = Counter()
    for path in paths:
        facts = project.files[path]
        present = [name for name in FACT_LISTS if getattr(facts, name)]
        if not present:  # most files of a tree: no rule can find anything there
            continue
        profile = project.profile_of(facts).name
        judged[profile] += 1
        for rule, lists in needs:
            if not lists.isdisjoint(present) and project.rule_applies(rule.id, facts):
                for finding in rule.check(facts, project):
                    finding.profile = profile
                    findings.append(finding)
    project.judged = judged
    findings.sort(key=Finding.sort_key)
    return findings


def profile_note(project: ProjectFacts) -> list[str]:
    """Which guest profiles judged the files (-v), and how they were chosen."""
    if not project.judged:
        return []
    how = "auto: by path, tree and words" if project.frame.profiles.choice == "auto" else "--profile"
    counts = ", ".join(f"{name} {count} file{'s' if count != 1 else ''}"
                       for name, count in project.judged.most_common())
    return [f"guest profiles ({how}): {counts} (the files with something to judge)"]


def tree_facts(tree: DiskTree | GitTree, checked: set[str], *, jobs: int = 1,
               cache: FactsCache | None = None, keys: Sequence[str | None] | None = None,
               uses: bool = True):
    """Facts of every file of ``tree``: the layers for the C files in
    ``checked``, the index layer (what rules ask of other files) for the rest;
    without ``uses`` (no rule asks whether other files use a name), the
    lean modes (gather.MODES)."""
    from .gather import gather

    files = tree.files
    names = [f.name for f in files]
    checked_mode, context_mode = ("layered", "context") if uses else ("lean", "lean-context")
    modes = [checked_mode if f.kind == "c" and f.name in checked else context_mode for f in files]
    if keys is None:
        keys = [f.blob for f in files]
    texts: dict[str, str] = {}

    def read(i: int) -> str:
        text = texts.get(names[i])
        return text if text is not None else tree.read_text(names[i])

    def prefetch(indices: list[int]) -> None:
        """Git: one call for every file the cache does not hold."""
        if hasattr(tree, "read_many"):
            from .inputs.trees import decode_source

            data = tree.read_many([names[i] for i in indices])
            texts.update((name, decode_source(blob, name)) for name, blob in data.items())

    raw = None if hasattr(tree, "read_many") else (lambda i: tree.read(names[i]))
    return gather(names, modes, read, keys=keys, sizes=[f.size for f in files], jobs=jobs,
                  cache=cache, prefetch=prefetch, raw=raw)


def check_tree(tree: DiskTree | GitTree, checked: Sequence[str], rules: Sequence[Rule], *,
               frame: Frame, jobs: int = 1, cache: FactsCache | None = None, semantic=None,
               keys: Sequence[str | None] | None = None) -> tuple[CheckResult, list[str]]:
    """Check the files named ``checked`` among ``tree``'s, the rest of the
    tree being their context: (result, each file's content key)."""
    from .project import ProjectFacts

    wanted = set(checked)
    # Names spelled are read only when a rule asks whether other files use
    # a name (XL106) and may be on for some checked file.
    uses = any(rule.id == "XL106" for rule in rules) and any(
        frame.may_apply("XL106", name) for name in checked)
    gathered = tree_facts(tree, wanted, jobs=jobs, cache=cache, keys=keys, uses=uses)
    result = CheckResult(notes=list(tree.skipped))
    project = ProjectFacts(frame=frame)
    judged = []
    for file, facts in zip(tree.files, gathered.facts):
        if facts is None:  # a lean mode found nothing in it (gather.NOTHING_LEAN)
            if semantic is None or file.name not in wanted or file.kind != "c":
                result.stats.index_files += 1
                continue
            from .gather import nothing_found

            facts = nothing_found(file.name)
        if file.kind == "context" or file.name not in wanted:
            if file.kind == "context":
                project.add_context(file.name, facts.identifiers)
            else:
                project.add(facts)
            result.stats.index_files += 1
            continue
        result.stats.count(facts)
        if semantic is not None:
            semantic.enrich(facts, tree.read_text(file.name), result.stats)
        if facts.marked:
            result.marked.append(file.name)
        if any(f.name in MAPPING_FUNCTIONS for f in facts.functions):
            result.mapping.append(file.name)
        project.add(facts)
        judged.append(file.name)
    result.findings = run_rules(project, judged, rules)
    result.files_checked = sum(1 for f in tree.files if f.name in wanted and f.kind == "c")
    result.judging_notes = profile_note(project) + frame_notes(project, rules)
    result.notes.extend(result.judging_notes)
    return result, gathered.keys


def frame_notes(project: ProjectFacts, rules: Sequence[Rule]) -> list[str]:
    """What the frame left unseen or searched, for the rules that ask (-v)."""
    from .frame import FILES

    if not any(rule.id == "XL106" for rule in rules):
        return []
    frame = project.frame
    if frame.scope == FILES:
        return ["XL106 not checked: these files were given alone, with no checkout (.git, or a Xen, "
                "Linux or FreeBSD tree) above them to search for other uses; give the tree with --tree"]
    if project.searched_outside:
        return [f"XL106: searched {project.searched_outside} other file(s) of {frame.checkout.top} "
                f"for uses of the checked files' external objects"]
    return []

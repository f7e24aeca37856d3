"""Check a patch: analyse its post-image, report what the patch brings in.

A finding is the patch's when it sits on a line the patch adds, or when the
pre-image does not have it (same rule, function and source text): the patch
changed the meaning of an untouched line, e.g. a new definition that an old
declaration no longer matches.  Removed lines are never reported.

With a tree, the rest of the tree is the patch's context: what rules ask of
other files (per-CPU declarations, the names each spells), read by the one
tree reader (inputs.trees) through the facts cache, and for a tree seen
before taken whole from the answers cache (TreeContext).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from .checker import ParseStats, analyse, profile_note, run_rules
from .findings import Finding
from .frontend.index import index_facts
from .inputs.images import DEFAULT_FUZZ, HunkFailure, Image, apply_file, sparse_images, tree_images
from .inputs.patchset import Patch
from .inputs.trees import C_SUFFIXES, CONTEXT_SUFFIXES
from .frame import Frame
from .project import ProjectFacts
from .rule import Rule


@dataclass
class PatchCheckResult:
    patch: Patch
    findings: list[Finding] = field(default_factory=list)
    failures: list[HunkFailure] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)
    notes: list[str] = field(default_factory=list)
    post_images: dict[str, Image] = field(default_factory=dict)
    pre_texts: dict[str, str] = field(default_factory=dict)
    files_checked: int = 0


class TreeContext:
    """A tree and the index facts of every file in it, read once per run and
    shared by every patch checked against it (a series)."""

    def __init__(self, tree, *, jobs: int = 1, cache=None, fuzz: int = DEFAULT_FUZZ):
        self.tree = tree
        self.fuzz = fuzz  # context lines a hunk may ignore at each end (patch -F)
        self.facts = context_facts(tree, jobs=jobs, cache=cache)
        self._overlay: dict[str, tuple[str, object]] = {}

    def text_facts(self, rel: str, text: str):
        """Index facts of a file's text in a series applied so far; a series
        asks again for every later patch, so the last answer per file is kept."""
        known = self._overlay.get(rel)
        if known is None or known[0] != text:
            known = self._overlay[rel] = (text, index_facts(rel, text))
        return known[1]


def context_facts(tree, *, jobs: int = 1, cache=None) -> dict:
    """Name -> index FileFacts of every file of ``tree``; with a cache, an
    unchanged tree's whole answer is read back at once (results_cache)."""
    from .checker import tree_facts

    if cache is None:
        gathered = tree_facts(tree, set(), jobs=jobs)
        return {f.name: facts for f, facts in zip(tree.files, gathered.facts)}
    from .results_cache import Answers

    answers = Answers(cache, "context", "index")
    names = [f.name for f in tree.files]
    statuses = [f.status if f.status is not None else f.blob for f in tree.files]
    status_key, record = answers.status_record(names)
    if record is not None and record.unchanged(statuses):
        stored = answers.load(record.answer)
        if isinstance(stored, dict):
            return stored
    gathered = tree_facts(tree, set(), jobs=jobs, cache=cache)
    found = {}
    for file, facts in zip(tree.files, gathered.facts):
        found[file.name] = replace(facts, lines=[])  # lines are read again where shown
    key = answers.answer_key(names, gathered.keys)
    answers.record_status(status_key, statuses, key)
    answers.store(key, found)
    return found


def _images(patch: Patch, tree, result: PatchCheckResult,
            overlay: dict[str, str] | None, fuzz: int = DEFAULT_FUZZ) -> list[tuple[Image | None, Image]]:
    pairs = []
    for pf in patch.files:
        if not pf.path.endswith(C_SUFFIXES):
            if not pf.path.endswith(CONTEXT_SUFFIXES):
                result.notes.append(f"{pf.path}: not C, not checked")
            continue
        if pf.is_removed_file:
            continue
        if tree is None:
            pre, post, failures = sparse_images(pf)
            result.failures.extend(failures)
        elif overlay is not None and pf.path in overlay:
            pre = Image(pf.path, overlay[pf.path])
            post, failures = apply_file(pf, overlay[pf.path], fuzz)
            result.failures.extend(failures)
        else:
            pre, post, failures = tree_images(pf, tree, fuzz)
            result.failures.extend(failures)
            if post is None:
                continue
        result.notes.extend(str(placement) for placement in post.placed)
        pairs.append((pre, post))
    return pairs


def _project(images: list[Image], context: TreeContext | None, stats: ParseStats,
             overlay: dict[str, str] | None = None, semantic=None, frame: Frame | None = None) -> ProjectFacts:
    frame = frame or Frame()
    project = ProjectFacts(frame=frame if context is not None else frame.for_patch_alone())
    if context is not None:
        replaced = {image.path for image in images} | set(overlay or ())
        for rel, facts in context.facts.items():
            if rel not in replaced:
                project.add(facts)
        for rel, text in (overlay or {}).items():
            if rel not in {image.path for image in images}:
                project.add(context.text_facts(rel, text))
    if semantic is not None:  # libclang sees these images, never the tree's files
        semantic = semantic.with_images({**(overlay or {}), **{i.path: i.text for i in images}})
    for image in images:
        project.add(analyse(image.path, image.text, stats, image.hunk_functions, semantic))
    return project


def _declaring_elsewhere(pre: ProjectFacts, post: ProjectFacts, patched: set[str],
                         context: TreeContext | None, overlay: dict[str, str] | None) -> list[str]:
    """Untouched files that declare a per-CPU variable the patch's files name.

    A patch that changes a DEFINE_PER_CPU type breaks the old DECLARE_PER_CPU
    in some header it never touches; those files are checked too, with their
    source lines loaded so findings can show them.
    """
    names = {d.name for project in (pre, post) for path in patched
             if path in project.files for d in project.files[path].percpu}
    if context is None or not names:
        return []
    found = []
    for rel, facts in post.files.items():
        if rel in patched or not any(d.name in names for d in facts.percpu):
            continue
        if overlay and rel in overlay:
            text = overlay[rel]
        else:
            try:
                text = context.tree.read_text(rel)
            except Exception:  # an InputError: the file vanished or changed kind
                continue
        for project in (pre, post):
            if rel in project.files:
                project.files[rel] = replace(project.files[rel], lines=text.splitlines())
        found.append(rel)
    return found


def check_patch(patch: Patch, rules: Sequence[Rule], context: TreeContext | None = None,
                overlay: dict[str, str] | None = None, semantic=None,
                frame: Frame | None = None) -> PatchCheckResult:
    """Check ``patch`` alone (hunks) or applied in memory to ``context``'s tree.

    ``overlay`` maps paths to texts that replace the tree's (a series applied
    so far).  ``semantic`` (a frontend.semantic.SemanticLayer rooted at the
    tree) adds libclang facts to pre- and post-images alike, so a site only
    it sees on an untouched line is not blamed on the patch.  ``frame``
    (frame.frame_for_tree of the tree) carries the profile settings; a
    patch without a tree is judged as a patch alone.
    """
    result = PatchCheckResult(patch, notes=list(patch.notes))
    pairs = _images(patch, context.tree if context is not None else None, result, overlay,
                    context.fuzz if context is not None else DEFAULT_FUZZ)
    return check_images(result, pairs, rules, context, overlay, semantic, frame)


def check_images(result: PatchCheckResult, pairs: list[tuple[Image | None, Image]],
                 rules: Sequence[Rule], context: TreeContext | None = None,
                 overlay: dict[str, str] | None = None, semantic=None,
                 frame: Frame | None = None) -> PatchCheckResult:
    """Check the (pre, post) images of a change: what the post-images bring in."""
    posts = [post for _, post in pairs]
    pres = [pre for pre, _ in pairs if pre is not None]
    post_project = _project(posts, context, result.stats, overlay, semantic, frame)
    pre_project = _project(pres, context, ParseStats(), overlay, semantic, frame)
    elsewhere = _declaring_elsewhere(pre_project, post_project, {i.path for i in posts + pres},
                                     context, overlay)
    findings = run_rules(post_project, [p.path for p in posts] + elsewhere, rules)
    result.notes.extend(profile_note(post_project))
    before = {f.fingerprint()
              for f in run_rules(pre_project, [p.path for p in pres] + elsewhere, rules)}
    added = {post.path: post.added for post in posts}
    by_id = {rule.id: rule for rule in rules}
    findings = [by_id[f.rule_id].anchor_in_change(f, added, post_project) if f.rule_id in by_id else f
                for f in findings]
    result.findings = [f for f in findings
                       if f.line in added.get(f.path, ()) or f.fingerprint() not in before]
    result.post_images = {post.path: post for post in posts}
    result.pre_texts = {pre.path: pre.text for pre, _ in pairs if pre is not None}
    result.files_checked = len(posts)
    return result

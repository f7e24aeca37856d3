"""A patch series: which mails are its patches, in which order, and what each brings in.

``assemble`` turns a thread's mails into a Series: cover letters, replies
and other mails are set aside with a note; of several versions of a patch
the newest wins; missing numbers are named.  ``review`` checks the patches
in order, each applied in memory on top of the ones before it when a tree is
given, attributes every finding to the patch that introduced it, and marks
a finding fixed by the later patch after which it no longer stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .checker import ParseStats, analyse, run_rules
from .errors import InputError
from .findings import Finding
from .frontend.index import index_facts
from .inputs.images import HunkFailure, Image
from .inputs.mail import SubjectTags, page_info, parse_subject
from .inputs.patchset import Patch, patch_from_text
from .inputs.thread import Mail, Thread
from .patchcheck import TreeContext, check_patch
from .frame import Frame
from .project import ProjectFacts
from .rule import Rule

_SPACE = re.compile(r"\s+")


@dataclass
class SeriesPatch:
    mail: Mail
    tags: SubjectTags
    patch: Patch
    position: int  # order in the source, for patches without numbers

    @property
    def label(self) -> str:
        """How the series names it: "3/5", "v2 3/5"; unnumbered: its title, else its place in the source."""
        version = f"v{self.tags.version} " if self.tags.version > 1 else ""
        if self.tags.number is not None:
            return f"{version}{self.tags.number}/{self.tags.total}"
        return f"{version}'{self.tags.title}'" if self.tags.title else f"#{self.position + 1}"


@dataclass
class Series:
    source: str
    patches: list[SeriesPatch] = field(default_factory=list)
    cover: Mail | None = None
    skipped: list[str] = field(default_factory=list)  # mails that are not patches, and why
    problems: list[str] = field(default_factory=list)  # mails that could not be read
    notes: list[str] = field(default_factory=list)  # superseded versions, missing numbers


def _ranges(numbers: list[int]) -> str:
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(f"{start}" if start == n else f"{start}-{n}")
            start = None
    return ", ".join(out)


def _classify(mail: Mail, tags: SubjectTags, series: Series, position: int) -> SeriesPatch | None:
    if mail.error:
        series.problems.append(f"{mail.label()}: {mail.error}; not reviewed")
        return None
    if tags.is_reply:
        series.skipped.append(f"{mail.label()}: a reply, not a patch")
        return None
    if tags.is_cover_letter:
        series.cover = series.cover or mail
        series.skipped.append(f"{mail.label()}: cover letter")
        return None
    try:
        patch = patch_from_text(mail.text or "", mail.name, mail.info if mail.message is not None else None)
    except InputError as exc:
        if exc.problem == "no unified diff found":
            if tags.number:
                series.problems.append(f"{mail.label()}: subject says patch {tags.number}/{tags.total} "
                                       f"but the mail has no diff; not reviewed")
            else:
                series.skipped.append(f"{mail.label()}: no diff in it, not a patch")
        else:
            series.problems.append(f"{mail.label()}: {exc.problem}; not reviewed")
        return None
    if mail.message is None:  # an archive page: its headers are the lines above the diff
        mail.info = page_info(mail.text or "", patch.diff_first_line)
        tags = parse_subject(mail.info.subject)
        if tags.is_reply:
            series.skipped.append(f"{mail.label()}: a reply, not a patch")
            return None
    return SeriesPatch(mail, tags, patch, position)


def assemble(thread: Thread) -> Series:
    """The series in ``thread``: its patches in order, newest versions only."""
    series = Series(thread.source, notes=list(thread.notes))
    candidates = []
    for position, mail in enumerate(thread.mails):
        entry = _classify(mail, parse_subject(mail.info.subject), series, position)
        if entry is not None:
            candidates.append(entry)
    numbered: dict[int, list[SeriesPatch]] = {}
    unnumbered = []
    for entry in candidates:
        if entry.tags.number is None:
            unnumbered.append(entry)
        else:
            numbered.setdefault(entry.tags.number, []).append(entry)
    chosen: list[SeriesPatch] = []
    for number in sorted(numbered):
        versions = sorted(numbered[number], key=lambda e: (e.tags.version, e.position))
        newest = versions[-1]
        for old in versions[:-1]:
            how = (f"superseded by v{newest.tags.version}" if old.tags.version < newest.tags.version
                   else "sent again")
            series.notes.append(f"patch {number}/{old.tags.total} v{old.tags.version} "
                                f"<{old.mail.info.message_id}> {how} <{newest.mail.info.message_id}>; "
                                f"reviewing the newest")
        chosen.append(newest)
    if chosen:
        newest_version = max(e.tags.version for e in chosen)
        total = max(e.tags.total or 0 for e in chosen if e.tags.version == newest_version)
        for entry in [e for e in chosen if e.tags.number > total]:
            series.notes.append(f"patch {entry.label} <{entry.mail.info.message_id}> is beyond the "
                                f"{total} patches of v{newest_version}; not reviewed")
            chosen.remove(entry)
        present = {e.tags.number for e in chosen}
        missing = [n for n in range(1, total + 1) if n not in present]
        if missing:
            series.notes.append(f"patch{'es' if len(missing) > 1 else ''} {_ranges(missing)} of {total} "
                                f"not in {thread.source}")
    series.patches = chosen + unnumbered
    return series


@dataclass
class PatchReview:
    entry: SeriesPatch
    findings: list[Finding] = field(default_factory=list)
    # Hunks that did not apply on top of the tree and the patches before it.
    failures: list[HunkFailure] = field(default_factory=list)
    # With a tree: False when the patch did not apply and the series went on
    # without it (its findings then come from its hunks alone).
    applied: bool | None = None
    # Own findings that a later patch fixes: fingerprint -> that patch's label.
    fixed_by: dict[str, str] = field(default_factory=dict)
    # Findings of earlier patches that this patch fixes, with their patch's label.
    fixes: list[tuple[Finding, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    post_images: dict[str, Image] = field(default_factory=dict)
    files_checked: int = 0


@dataclass
class SeriesReview:
    series: Series
    reviews: list[PatchReview] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)
    tree: Path | None = None

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.reviews for f in r.findings]


def _standing(paths: set[str], overlay: dict[str, str], context: TreeContext,
              rules: Sequence[Rule], frame: Frame | None) -> set[str]:
    """Fingerprints of the findings in ``paths`` of the tree as the series left it."""
    project = ProjectFacts(frame=frame or Frame())
    for rel, facts in context.facts.items():
        if rel not in overlay:
            project.add(facts)
    for rel, text in overlay.items():
        project.add(analyse(rel, text, ParseStats()) if rel in paths else index_facts(rel, text))
    return {f.fingerprint() for f in run_rules(project, sorted(paths), rules)}


def _removes(patch: Patch, finding: Finding) -> bool:
    """Without a tree: does ``patch`` delete the line the finding sits on?"""
    wanted = _SPACE.sub(" ", finding.source).strip()
    if not wanted:
        return False
    for pf in patch.files:
        if pf.path != finding.path:
            continue
        for hunk in pf:
            if any(line.is_removed and wanted in _SPACE.sub(" ", line.value).strip() for line in hunk):
                return True
    return False


def review(series: Series, rules: Sequence[Rule], context: TreeContext | None = None,
           frame: Frame | None = None) -> SeriesReview:
    """Check each patch of ``series``; with a tree (``context``), cumulatively
    in memory.  ``frame`` carries the profile settings (and the tree's)."""
    tree = context.tree if context is not None else None
    result = SeriesReview(series, tree=tree.top if tree is not None else None)
    overlay: dict[str, str] = {}
    standing: list[tuple[Finding, PatchReview]] = []  # findings not fixed so far
    for entry in series.patches:
        review_ = PatchReview(entry)
        result.reviews.append(review_)
        if tree is not None:
            checked = check_patch(entry.patch, rules, context, overlay=overlay, frame=frame)
            if checked.failures:
                review_.applied = False
                review_.failures = checked.failures
                review_.notes.append("does not apply on top of the tree and the patches before it; "
                                     "the series goes on without it; findings below come from its hunks alone")
                checked = check_patch(entry.patch, rules, frame=frame)
            else:
                review_.applied = True
                overlay.update({path: image.text for path, image in checked.post_images.items()})
        else:
            checked = check_patch(entry.patch, rules, frame=frame)
            review_.failures = checked.failures  # hunks that cannot be read, even alone
        review_.findings = checked.findings
        review_.post_images = checked.post_images
        review_.files_checked = checked.files_checked
        review_.notes.extend(checked.notes)
        result.stats.merge(checked.stats)
        touched = {pf.path for pf in entry.patch.files}
        if review_.applied:
            affected = touched & {f.path for f, _ in standing}
            fixed_now = set()
            if affected:
                alive = _standing(affected, overlay, context, rules, frame)
                fixed_now = {id(f) for f, _ in standing if f.path in affected and f.fingerprint() not in alive}
        elif tree is None:
            fixed_now = {id(f) for f, _ in standing if f.path in touched and _removes(entry.patch, f)}
        else:
            fixed_now = set()
        for finding, owner in [s for s in standing if id(s[0]) in fixed_now]:
            owner.fixed_by[finding.fingerprint()] = entry.label
            review_.fixes.append((finding, owner.entry.label))
        standing = [s for s in standing if id(s[0]) not in fixed_now]
        if review_.applied is not False:
            standing.extend((f, review_) for f in review_.findings)
    return result

"""Does a change touch the vcpu_info mapping code?  Then run the model cross-check on it.

Used by `xenlint check --staged/--diff` (and so the pre-commit hook): the
cross-check compiles and runs a harness, which is worth its second only when
an added line falls inside map_vcpuinfo(), its callers or the objects they
use, as the cross-check's own extraction finds them.
"""

from __future__ import annotations

from analyzer.crosscheck import MAPPING_FUNCTIONS
from analyzer.findings import Finding, Severity


def has_mapping_code(text: str) -> bool:
    """Does the text name a mapping function the cross-check extracts (Xen's or Linux's)?"""
    return any(name in text for name in MAPPING_FUNCTIONS)


def touched_mapping_files(post_images: dict) -> list[str]:
    """Paths of post-images whose added lines hit extracted mapping code."""
    from analyzer.crosscheck.extract import extract

    touched = []
    for path, image in sorted(post_images.items()):
        if not path.endswith(".c") or not image.added or not has_mapping_code(image.text):
            continue
        extraction = extract(image.text, path)
        if "map" not in extraction.functions:
            continue
        spans = [(item.line, item.line + item.text.count("\n"))
                 for item in [*extraction.all_functions(), *extraction.objects]]
        if any(first <= line <= last for line in image.added for first, last in spans):
            touched.append(path)
    return touched


def _key(finding: Finding) -> tuple:
    # A rule that fires before and after the change is not the change's doing,
    # whatever scenario shows it; a policy note (info) is new when its text is.
    # A model finding is one defect: its rule and the statement that caused it.
    message = finding.message if finding.severity == Severity.INFO else ""
    return (finding.rule_id, finding.severity, finding.function, " ".join(finding.source.split()),
            finding.discriminator, message)


def cross_checked(text: str, path: str, release: str, notes: tuple[str, ...] = (),
                  cache=None, scope: str = "default") -> tuple[list[Finding], int]:
    """(findings, scenarios run) of the cross-check of ``text``; with a
    cache (a FactsCache), answered from an earlier run of the same code: a
    commit hook cross-checks the pre-image again on every commit.  ``scope``
    "exhaustive" runs the stated scope (configuration: model-scope)."""
    if cache is None:
        report = _run(text, path, release, notes, scope)
        return report.findings, report.scenarios_run
    from analyzer.cache import content_key
    from analyzer.results_cache import Answers

    answers = Answers(cache, "model", f"{release}|{scope}|{notes!r}")
    key = answers.answer_key([path], [content_key(text)])
    stored = answers.load(key)
    if isinstance(stored, tuple) and len(stored) == 2:
        return stored
    report = _run(text, path, release, notes, scope)
    answer = (report.findings, report.scenarios_run)
    answers.store(key, answer)
    return answer


def _run(text: str, path: str, release: str, notes: tuple[str, ...], scope: str):
    import os

    from analyzer.crosscheck.run import crosscheck_source
    from analyzer.model.scope import Scope

    if scope == "exhaustive":
        return crosscheck_source(text, path, release=release, notes=notes, scope=Scope(),
                                 jobs=os.cpu_count() or 1)
    return crosscheck_source(text, path, release=release, notes=notes)


def model_findings(post_images: dict, release: str,
                   pre_texts: dict[str, str] | None = None, *, patch_files=(),
                   only_touched: bool = True, cache=None,
                   scope: str = "default") -> tuple[list[Finding], list[str]]:
    """(cross-check findings the change brings in, notes).

    Runs on each post-image with mapping code: with ``only_touched`` just
    those whose added lines hit it (the commit hook), else every one (an
    explicit --model).  ``pre_texts`` are the files before the change: a
    finding they have too is not the change's.  ``patch_files`` (unidiff
    PatchedFiles) let sparse, hunk-only images get their function heads back.
    """
    from analyzer.crosscheck.patch_source import add_hunk_signatures

    by_path = {pf.path: pf for pf in patch_files}
    paths = touched_mapping_files(post_images) if only_touched else [
        path for path, image in sorted(post_images.items())
        if path.endswith(".c") and has_mapping_code(image.text)]
    findings: list[Finding] = []
    notes: list[str] = []
    for path in paths:
        image = post_images[path]
        text, gaps = image.text, ()
        if getattr(image, "sparse", False) and path in by_path:
            text, rebuilt = add_hunk_signatures(by_path[path], text)
            gaps = tuple(f"{name}() begins before its hunk; rebuilt from the hunk header"
                         for name in rebuilt)
        after, scenarios_run = cross_checked(text, path, release, gaps, cache, scope)
        before_text = (pre_texts or {}).get(path)
        before = set()
        if before_text and has_mapping_code(before_text):
            before = {_key(f) for f in cross_checked(before_text, path, release, (), cache, scope)[0]}
        new = [f for f in after if _key(f) not in before]
        findings.extend(new)
        notes.append(f"{path}: model cross-check (L0 {release}, {scope} scenarios) ran {scenarios_run} "
                     f"scenarios: {len(new)} of {len(after)} findings are new")
    return findings, notes

"""The cross-check: extract, build, run scenarios in the sandbox, compare, report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import chain

from analyzer.crosscheck import findings as F
from analyzer.crosscheck.build import BuildFailed, build
from analyzer.crosscheck.compare import ScenarioResult, compare
from analyzer.crosscheck.extract import extract
from analyzer.crosscheck.grouping import DefectGroups
from analyzer.crosscheck.harness_gen import Harness, generate
from analyzer.crosscheck.policy_probe import infer, probes
from analyzer.crosscheck.sandbox import Crash, run_batch
from analyzer.crosscheck.vet import too_large, vet
from analyzer.findings import Finding, Severity
from analyzer.model.default_scenarios import default_scenarios
from analyzer.model.policy import Policy
from analyzer.model.scenario import Scenario
from analyzer.model.scope import Scope
from analyzer.model.snapshot import Snapshot


@dataclass
class BranchCoverage:
    function: str
    line: int
    kind: str
    text: str
    taken: bool
    not_taken: bool


@dataclass
class CrosscheckReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    coverage: list[BranchCoverage] = field(default_factory=list)
    stubs: list[tuple[str, int]] = field(default_factory=list)      # (name, calls)
    policy_notes: list[str] = field(default_factory=list)
    policy: Policy | None = None
    scenarios_run: int = 0
    printk: list[str] = field(default_factory=list)
    results: list[ScenarioResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how it ran (a cache that could not be used)
    scope: Scope | None = None      # the scope checked in full, if one was
    seconds: float = 0.0            # time for the scenarios (compile and probes excluded)
    defects: int = 0                # distinct defects (rule and root cause) found
    probes: int = 0                 # scenarios run besides the scope's (policy probes)
    harness: object = None          # the generated harness (its branches and sites name the path)
    skipped: int = 0                # scenarios that do not apply to this code, and why
    skipped_why: str = ""

    def coverage_by_function(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for b in self.coverage:
            hit, total = out.get(b.function, (0, 0))
            out[b.function] = (hit + b.taken + b.not_taken, total + 2)
        return out


class Prepared:
    """An extracted, vetted, generated and compiled harness, ready to run scenarios."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.text = text
        self.extraction = extract(text, path)
        self.harness: Harness | None = None
        self.binary = None
        self.build_error = None
        self.refusals: list = []
        self.notes: list[str] = []
        m = self.extraction.functions.get("map")
        head = m.head.strip().splitlines()[-1] if m else ""
        self.location = F.Location(path, m.line if m else 1, m.name if m else None, head)
        if m is None:
            return
        self.refusals = too_large(self.extraction) or vet(self.extraction)
        if self.refusals:
            return  # never compiled: the code holds what the harness must not run
        self.harness = generate(self.extraction)
        try:
            self.binary, self.notes = build(self.harness.text)
        except BuildFailed as exc:
            self.build_error = exc.message

    @property
    def has_resume(self) -> bool:
        return "resume" in self.extraction.functions


def _snapshots(run, scenario: Scenario) -> list[Snapshot]:
    words, nev, size = run[:3]
    return [Snapshot.from_words(words[i * size:(i + 1) * size], scenario.nr_cpu_ids,
                                scenario.vcpus_in_domain) for i in range(nev)]


def infer_policy(prep: Prepared, release: str) -> tuple[Policy, dict, list]:
    """The policy the C code follows, what was observed, and crashes of the probes."""
    named = probes(release)
    batch = run_batch(prep.binary, list(named.values()))
    results = {}
    for i, name in enumerate(named):
        if i in batch.runs:
            results[name] = (_snapshots(batch.runs[i], named[name]), batch.runs[i][3])
    inference = infer(results)
    policy = inference.policy
    if prep.harness is not None and prep.harness.static_area:
        from dataclasses import replace

        policy = replace(policy, area="percpu")
    return policy, inference.observed, batch.crashes


CHUNK = 2048   # scenarios per harness batch: bounds the memory a big scope needs


def run_scenarios(prep: Prepared, scenarios: list[Scenario], policy: Policy, all_events: bool = True):
    batch = run_batch(prep.binary, scenarios)
    results = []
    for i in sorted(batch.runs):
        try:
            results.append(compare(scenarios[i], *batch.runs[i], policy, all_events))
        except (IndexError, ValueError):
            # Values no honest harness writes: the extracted code scribbled on it.
            batch.crashes.append(Crash(scenarios[i], "corrupted the harness's state (invalid snapshot)"))
    return results, batch


@dataclass
class _Totals:
    """What the chunks of one run add up to."""
    sent: int = 0
    run: int = 0
    crashes: list = field(default_factory=list)
    coverage: bytes = b""
    stub_calls: list[int] = field(default_factory=list)
    printk: set[str] = field(default_factory=set)


def _run_all(prep: Prepared, scenarios, policy: Policy, groups: DefectGroups, keep: list | None,
             totals: _Totals, all_events: bool, jobs: int = 1) -> None:
    """Run `scenarios` (any iterable) in chunks, folding each result into `groups`.

    With `jobs` > 1 (a scope, whose results are not kept), chunks go to
    forked processes, each running its own harness and comparing; each sends
    back its totals and only the results that stand for its defect groups.
    """
    from itertools import islice

    it = iter(scenarios)
    parallel = jobs > 1 and keep is None
    # Smaller chunks when parallel: a scope ends with its heaviest (64-CPU) scenarios.
    size = CHUNK // 8 if parallel else CHUNK
    chunks = iter(lambda: list(islice(it, size)), [])
    if parallel:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _WORK
        _WORK = (prep, policy, all_events)
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(_chunk, chunks):
                _add_chunk(totals, groups, *part)
        return
    for chunk in chunks:
        results, batch = run_scenarios(prep, chunk, policy, all_events)
        _add_chunk(totals, groups, len(chunk), len(results), batch, results)
        if keep is not None:
            keep += results


_WORK: tuple = ()


def _chunk(chunk: list[Scenario]):
    """In a worker: one chunk, folded into groups of its own."""
    prep, policy, all_events = _WORK
    results, batch = run_scenarios(prep, chunk, policy, all_events)
    local = DefectGroups()
    for result in results:
        local.offer_result(result)
    return len(chunk), len(results), batch, local.chosen_results()


def _add_chunk(totals: _Totals, groups: DefectGroups, sent: int, run: int, batch, results) -> None:
    from analyzer.crosscheck.sandbox import _add, _merge

    totals.sent += sent
    totals.run += run
    totals.crashes += batch.crashes
    totals.coverage = _merge(totals.coverage, batch.coverage)
    totals.stub_calls = _add(totals.stub_calls, batch.stub_calls)
    totals.printk |= set(batch.printk)
    for result in results:
        groups.offer_result(result)


def crosscheck_source(text: str, path: str, *, release: str = "4.16-4.17", explore: int = 0,
                      seed: int = 0, scenarios: list[Scenario] | None = None,
                      notes: tuple[str, ...] = (), replay_target: str = "",
                      scope: Scope | None = None, jobs: int = 1) -> CrosscheckReport:
    """Cross-check the mapping code in C `text` against the model.

    `notes` are known gaps in `text` (say, functions rebuilt from hunk
    headers); each becomes an XL280 finding. `replay_target` is what replay
    commands name as input (default: `path`), e.g. "patch.mbox --tree DIR".
    `scope`: run every scenario of it (and the probes) instead of the default set,
    on `jobs` processes.
    """
    report = CrosscheckReport(path)
    prep = Prepared(text, path)
    loc = prep.location
    loc.replay_target = replay_target or loc.replay_target
    if prep.refusals:
        report.findings += [F.refusal_finding(loc, refusal) for refusal in prep.refusals]
        return report
    if prep.harness is None:
        report.findings.append(F.extraction_finding(loc, "; ".join(prep.extraction.problems),
                                                    Severity.ERROR))
        return report
    report.notes = list(prep.notes)
    for problem in [*notes, *prep.harness.problems]:
        report.findings.append(F.extraction_finding(loc, problem))
    if prep.binary is None:
        report.findings.append(F.extraction_finding(
            loc, f"the harness does not compile: {prep.build_error}", Severity.ERROR))
        return report

    policy, observed, crashes = infer_policy(prep, release)
    if any(c.out_of_time for c in crashes):
        # The code does not even finish the probes: running more only burns time.
        groups = DefectGroups()
        for crash in crashes:
            groups.offer_crash(crash)
        report.findings += groups.findings(prep, loc, None)
        return report
    report.policy = policy
    texts = dict(zip(("on_unregistrable_high_vcpu", "bsp_failure", "ap_low_failure"), policy.describe()))
    for dimension, (_, line) in observed.items():
        report.policy_notes.append(texts[dimension])
        report.findings.append(F.policy_finding(loc, texts[dimension], line, dimension))

    started = time.perf_counter()
    if scenarios is not None:
        chosen = list(scenarios)
    elif scope is not None:
        probe_set = list(probes(release).values())
        chosen = chain(probe_set, scope.scenarios(release))
        report.scope, report.probes = scope, len(probe_set)
    else:
        # The probes are the smallest scenarios for their fault classes.
        chosen = list(probes(release).values()) + default_scenarios(release)
    skipped: list[Scenario] = []
    not_applicable = _not_applicable(prep)
    if not_applicable is not None:
        def applicable(s: Scenario) -> bool:
            if not_applicable(s):
                skipped.append(s)
                return False
            return True

        chosen = (s for s in chosen if applicable(s))
    groups, totals = DefectGroups(), _Totals()
    keep: list | None = None if scope is not None else []
    # Every event of a run is kept only for a replay, which shows them all.
    _run_all(prep, chosen, policy, groups, keep, totals, all_events=scenarios is not None,
             jobs=jobs if scope is not None else 1)
    if skipped:
        report.skipped = len(skipped)
        report.skipped_why = _skip_reason(prep)
    results = keep or []
    if explore:
        found = _explore(prep, policy, release, explore, seed, results, totals.crashes)
        for result in found:
            groups.offer_result(result)
        results += found
        totals.run += len(found)
    for crash in totals.crashes:
        groups.offer_crash(crash)
    if scenarios is not None and results:
        # A replay shows the path of each scenario it ran, event by event.
        from analyzer.crosscheck.grouping import _paths

        traced = _paths(prep, [r.scenario for r in results], policy)
        results = [traced.get(r.scenario, r) for r in results]
    report.results = results
    report.harness = prep.harness
    report.scenarios_run = totals.run
    report.seconds = time.perf_counter() - started
    report.findings += groups.findings(prep, loc, policy)
    report.defects = len(groups)
    incomplete = totals.sent - totals.run + (len(found) if explore else 0)
    if incomplete:
        # Only a complete, well-formed record of every scenario sent counts as run.
        report.findings.append(F.incomplete_finding(loc, incomplete, totals.sent, totals.crashes))
    report.coverage = _coverage(prep.harness, totals.coverage)
    report.stubs = [(name, totals.stub_calls[i] if i < len(totals.stub_calls) else 0)
                    for i, name in enumerate(prep.harness.stubs)]
    report.stubs += [(f"{name} (object)", 0) for name in prep.harness.stub_objects]
    report.printk = sorted(totals.printk)
    return report


def _not_applicable(prep: Prepared):
    """A test for scenarios this code cannot meet, or None when all apply."""
    static = prep.harness is not None and prep.harness.static_area
    if prep.has_resume and not static:
        return None
    return lambda s: ((s.uses_resume() and not prep.has_resume)
                      or (static and (s.alloc_fails or "RESUME_SAME_L0" in s.events)))


def _skip_reason(prep: Prepared) -> str:
    reasons = []
    if not prep.has_resume:
        reasons.append("migration scenarios: the file has no resume function")
    if prep.harness is not None and prep.harness.static_area:
        reasons.append(f"allocation failures: {prep.harness.static_area} is static per-CPU memory; "
                       "same-host resumes: this guest restores only into a new domain")
    return "; ".join(reasons)


def _explore(prep: Prepared, policy: Policy, release: str, count: int, seed: int,
             known: list[ScenarioResult], crashes: list) -> list[ScenarioResult]:
    """Search for a scenario showing a rule the fixed scenarios did not; keep the shrunk one."""
    from analyzer.model.explore import explore

    known_rules = {r for res in known for r in _rules_of(res)} | {
        "XL270" for _ in crashes[:1]}
    found: dict = {}

    def check(scenario: Scenario) -> list[str]:
        if scenario.uses_resume() and not prep.has_resume:
            return []
        results, sub = run_scenarios(prep, [scenario], policy)
        new = sorted(({r for res in results for r in _rules_of(res)}
                      | ({"XL270"} if sub.crashes else set())) - known_rules)
        if new:
            found["results"], found["crashes"] = results, sub.crashes
        return new

    outcome = explore(check, count=count, seed=seed, release=release)
    if outcome.failing is None:
        return []
    crashes += found.get("crashes", [])
    return found.get("results", [])


def _rules_of(result: ScenarioResult) -> set[str]:
    if result.hung() is not None:
        return {"XL270"}
    rules = {f"XL2{v.invariant:02d}" for ev in result.events for v in ev.violations}
    if not rules and result.first_divergence() is not None:
        rules.add("XL250")
    return rules


def _coverage(harness: Harness, cov: bytes) -> list[BranchCoverage]:
    out = []
    for i, (fn, branch) in enumerate(harness.branches):
        taken = len(cov) > 2 * i + 1 and bool(cov[2 * i + 1])
        not_taken = len(cov) > 2 * i and bool(cov[2 * i])
        out.append(BranchCoverage(fn, branch.line, branch.kind, branch.text, taken, not_taken))
    return out


def replay_results(text: str, path: str, findings, release: str) -> dict:
    """Finding fingerprint -> its scenario run again with every event and its path (for pages)."""
    out = {}
    for f in findings:
        if "scenario" not in f.details:
            continue
        try:
            scenario = Scenario.from_json(f.details["scenario"])
        except ValueError:
            continue
        report = crosscheck_source(text, path, release=scenario.release, scenarios=[scenario])
        out[f.fingerprint()] = report.results[0] if report.results else None
    return out

"""Distinct defects: failing scenarios grouped by rule and root cause.

Each group keeps its smallest scenario; when every scenario has been seen,
the chosen ones run once more recording their paths, and each group becomes
one finding at the statement that caused it (causes.py).
"""

from __future__ import annotations

from analyzer.crosscheck import findings as F
from analyzer.crosscheck.causes import defects, facet, path_steps, path_text, stop_cause
from analyzer.crosscheck.compare import ScenarioResult, compare
from analyzer.crosscheck.sandbox import run_batch
from analyzer.findings import Finding
from analyzer.model.policy import Policy
from analyzer.model.scenario import Scenario


class DefectGroups:
    def __init__(self):
        self.best: dict[tuple[str, int], tuple[tuple, Scenario, object]] = {}
        self._results: dict[tuple[str, int], ScenarioResult] = {}

    def __len__(self) -> int:
        return len(self.best)

    def _offer(self, rule: str, site: int, scenario: Scenario, make, result=None) -> None:
        key = scenario.size()
        if (rule, site) not in self.best or key < self.best[(rule, site)][0]:
            self.best[(rule, site)] = (key, scenario, make)
            if result is not None:
                self._results[(rule, site)] = result

    def chosen_results(self) -> list[ScenarioResult]:
        """The results that stand for the groups: all a parallel worker passes on."""
        return list({id(r): r for r in self._results.values()}.values())

    def offer_result(self, result: ScenarioResult) -> None:
        if result.hung() is not None:
            cause = stop_cause(result)
            self._offer("XL270", cause.site, result.scenario, lambda where, r=result: F.sandbox_finding(
                where, r.scenario, "hung: the step budget ran out inside the extracted code"), result)
            return
        for rule, cause, ev, violation in defects(result):
            if violation is None:
                self._offer(rule, cause.site, result.scenario, lambda where, r=result, e=ev, c=cause:
                            F.divergence_finding(where, r, e, c.how), result)
            else:
                # A second way one statement breaks the invariant is a defect of its own.
                key = f"{rule}/{facet(violation)}" if facet(violation) else rule
                self._offer(key, cause.site, result.scenario,
                            lambda where, r=result, e=ev, v=violation, c=cause:
                            F.invariant_finding(where, v.invariant, r, e, v, c.how), result)

    def offer_crash(self, crash) -> None:
        self._offer("XL270", -1, crash.scenario,
                    lambda where, c=crash: F.sandbox_finding(where, c.scenario, c.reason))

    def findings(self, prep, loc, policy: Policy | None) -> list[Finding]:
        paths = _paths(prep, [scenario for _, scenario, _ in self.best.values()], policy)
        out = []
        for (rule, site), (_, scenario, make) in self.best.items():
            finding = make(_site_location(prep, loc, site))
            _add_path(prep, finding, paths.get(scenario), site)
            out.append(finding)
        return sorted(out, key=lambda f: (f.rule_id, f.line))


def _site_location(prep, loc, site: int):
    if prep.harness is None or not 0 <= site < len(prep.harness.sites):
        return loc
    function, statement = prep.harness.sites[site]
    lines = prep.text.splitlines()
    source = lines[statement.line - 1].strip() if 0 < statement.line <= len(lines) else statement.text
    return loc.at(statement.line, function, source)


def _paths(prep, scenarios: list[Scenario], policy: Policy | None) -> dict:
    """Scenario -> its result run again in path mode (nothing when it cannot run)."""
    if not scenarios or prep.binary is None or policy is None:
        return {}
    unique = list(dict.fromkeys(scenarios))
    batch = run_batch(prep.binary, unique, paths=True)
    out = {}
    for i in sorted(batch.runs):
        try:
            out[unique[i]] = compare(unique[i], *batch.runs[i], policy)
        except (IndexError, ValueError):
            continue
    return out


def _add_path(prep, finding: Finding, result: ScenarioResult | None, site: int) -> None:
    if result is None or result.path is None or prep.harness is None:
        return
    last = finding.details.get("event", len(result.scenario.expanded_events())) - 1
    steps = path_steps(result.path, last, result.scenario, prep.harness, finding.path)
    cause_line = finding.line if 0 <= site < len(prep.harness.sites) else -1
    if cause_line > 0 and not any(s.get("line") == cause_line and s["kind"] in ("write", "stop")
                                  for s in steps):
        # The cause wrote nothing (a return that left a pointer unset or
        # stale): the path ends where the code left.
        import os

        function, statement = prep.harness.sites[site]
        exit_step = {"kind": "exit", "function": function, "line": cause_line,
                     "text": f"{os.path.basename(finding.path)}:{cause_line} {statement.text} (left here)"}
        # After the last step the failing event took in that function.
        at = len(steps)
        for k in range(len(steps) - 1, -1, -1):
            if steps[k]["kind"] == "event":
                break
            if steps[k].get("function") == function:
                at = k + 1
                break
        steps.insert(at, exit_step)
    finding.details["path"] = steps
    finding.details["text_lines"] = ["path:"] + ["  " + line for line in path_text(steps, cause_line)]

"""The exhaustive scope: what it enumerates, the model's fast path on it, and the report."""

import json

from helpers import xenlint

from analyzer.model.guest import ReferenceGuest, model_run
from analyzer.model.policy import Policy
from analyzer.model.scope import Scope
from tests.conftest import FIXTURES

REFERENCE = FIXTURES / "model" / "reference.c"


def test_the_scope_holds_each_boundary_class_and_no_impossible_fault():
    scenarios = list(Scope().scenarios())
    assert len(scenarios) == Scope().count() > 5000
    assert {s.nr_cpu_ids for s in scenarios} == {1, 2, 31, 32, 33, 64}
    assert len(set(scenarios)) == len(scenarios)          # no scenario twice
    # A vCPU id exactly at the legacy limit, and one past nr_cpu_ids.
    assert any(s.nr_cpu_ids == 2 and 32 in s.vcpu_ids for s in scenarios)
    assert any(s.nr_cpu_ids == 33 and 33 in s.vcpu_ids for s in scenarios)
    assert any(s.alloc_fails for s in scenarios) and {s.placement for s in scenarios} == {0, 4032, 4040}
    for s in scenarios:
        for fault in s.faults:
            assert fault.error != "EBUSY"                  # 4.16-4.17 never answers EBUSY
            if fault.epoch is not None:
                assert "RESUME_NEW_L0" in s.events          # epoch-limited: only with a migration
            assert not (fault.epoch == 1 and fault.error == "EINVAL")
    newer = list(Scope(cpus=(2,), depth=0).scenarios("4.18+"))
    assert any(f.error == "EBUSY" for s in newer for f in s.faults)


def test_depth_widens_the_scope():
    assert Scope(depth=0).count() < Scope(depth=1).count() < Scope(depth=2).count()


def test_model_fast_path_matches_the_full_snapshot_on_the_scope():
    policy = Policy()
    for i, scenario in enumerate(Scope(cpus=(1, 2, 33), depth=1).scenarios()):
        if i % 5:
            continue
        guest = ReferenceGuest(scenario, policy)
        full = [guest.words(guest.step(kind, cpu)) for kind, cpu in scenario.expanded_events()]
        assert list(model_run(scenario, policy)) == full, scenario.to_json()


def test_exhaustive_report_states_scope_count_time_and_defects():
    run = xenlint("model", str(REFERENCE), "--exhaustive", "--cpus", "1,2", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["scope"]["cpus"] == [1, 2] and data["scope"]["depth"] == 1
    assert "alike" in data["scope"]["symmetry"]
    assert data["distinct_defects"] == 0 and data["scenarios_run"] > 1000
    text = xenlint("model", str(REFERENCE), "--exhaustive", "--cpus", "1,2")
    assert "scenarios of scope nr_cpu_ids {1, 2}" in text.out and "0 distinct defects" in text.out


def test_scope_options_need_exhaustive_and_sane_values():
    for args in (["--depth", "2"], ["--exhaustive", "--cpus", "0"], ["--exhaustive", "--cpus", "x"],
                 ["--exhaustive", "--depth", "9"]):
        run = xenlint("model", str(REFERENCE), *args)
        assert run.code == 2 and len(run.err.strip().splitlines()) == 1, (args, run.err)


def test_the_hook_runs_the_default_set_unless_configured(tmp_path):
    code = tmp_path / "xen.c"
    code.write_text(REFERENCE.read_text())
    run = xenlint("check", str(code), "--model", "always", "--no-cache", "-v")
    assert "default scenarios) ran" in run.err + run.out
    (tmp_path / ".xenlint.toml").write_text('model-scope = "exhaustive"\n')
    run = xenlint("check", str(code), "--model", "always", "--no-cache", "-v")
    note = next(line for line in (run.err + run.out).splitlines() if "model cross-check" in line)
    assert "exhaustive scenarios) ran" in note and int(note.split(" ran ")[1].split()[0]) > 5000
    (tmp_path / ".xenlint.toml").write_text('model-scope = "everything"\n')
    run = xenlint("check", str(code))
    assert run.code == 2 and "model-scope" in run.err

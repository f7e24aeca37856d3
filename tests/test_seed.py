"""The acceptance case every issue shares: the seed patch, as an archive page."""

from conftest import FIXTURES
from helpers import xenlint

XEN_C = "xen/arch/x86/guest/xen.c"


def _hits(run):
    return run.hits()


def test_seed_hunks_alone(seed_path):
    run = xenlint("check-patch", str(seed_path), "--format", "json")
    hits = _hits(run)
    assert ("XL106", XEN_C, 42) in hits  # vcpu_info_mapped not static
    assert ("XL102", XEN_C, 130) in hits  # unbounded fallback after failed registration
    assert ("XL103", XEN_C, 241) in hits  # hypervisor_ap_setup ignores map_vcpuinfo()
    # The "no array" fallback at 116 is bounded by the nr_cpu_ids clamp.
    assert not any(line == 116 for _, path, line in hits if path == XEN_C)
    assert not any(rule == "XL101" for rule, _, _ in hits)
    assert len(hits) == 3
    assert run.code == 1


def test_seed_never_reports_removed_lines(seed_path):
    run = xenlint("check-patch", str(seed_path), "--format", "json")
    # time.c's removed XEN_shared_info->vcpu_info[...] lines are gone from the post-image.
    assert not any(path.endswith("time.c") for _, path, _ in _hits(run))


def test_seed_applied_to_fixture_tree(seed_path):
    run = xenlint("check-patch", str(seed_path), "--tree", str(FIXTURES / "tree-before"),
                  "--format", "json")
    assert _hits(run) == {("XL106", XEN_C, 42), ("XL102", XEN_C, 130), ("XL103", XEN_C, 241)}
    assert run.json()["problems"] == []


def test_seed_text_output_is_gcc_style(seed_path):
    run = xenlint("check-patch", str(seed_path))
    first = run.out.splitlines()[0]
    assert first.startswith(f"{XEN_C}:42:15: warning: ")
    assert first.endswith("[XL106]")
    assert run.out.splitlines()[-1].startswith("xenlint: 2 errors, 1 warning in 3 files")


def test_seed_from_stdin(seed_path, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(seed_path.read_bytes())))
    run = xenlint("check-patch", "-", "--format", "json")
    assert ("XL103", XEN_C, 241) in _hits(run)

"""Extraction of the mapping function, its callers and their file-scope objects."""

from analyzer.crosscheck.extract import extract
from analyzer.crosscheck.harness_gen import generate

OLD_NAMES = """
DEFINE_PER_CPU(unsigned int, vcpu_id);
static struct vcpu_info *vcpu_info;
static DECLARE_BITMAP(vcpu_info_mapped, NR_CPUS);
DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);
static int unrelated_counter = 3;

static int map_vcpuinfo(void)
{
    this_cpu(vcpu_info) = &XEN_shared_info->vcpu_info[this_cpu(vcpu_id)];
    log_mapping(this_cpu(vcpu_id));
    set_bit(this_cpu(vcpu_id), vcpu_info_mapped);
    return helper_flag;
}

void __init hypervisor_setup(void)
{
    map_vcpuinfo();
}

void hypervisor_ap_setup(void)
{
    map_vcpuinfo();
}

static void ap_resume(void *unused) { BUG_ON(map_vcpuinfo()); }

void hypervisor_resume(void)
{
    smp_call_function(ap_resume, NULL, 1);
}
"""


def test_old_generation_names_and_objects():
    ex = extract(OLD_NAMES, "old.c")
    assert {r: f.name for r, f in ex.functions.items()} == {
        "map": "map_vcpuinfo", "setup": "hypervisor_setup", "ap_setup": "hypervisor_ap_setup",
        "resume": "hypervisor_resume", "ap_resume": "ap_resume"}
    assert ex.functions["ap_setup"].returns_void and not ex.functions["map"].returns_void
    names = [(o.name, o.per_cpu) for o in ex.objects]
    assert ("vcpu_info", True) in names and ("vcpu_info", False) in names
    assert ("vcpu_info_mapped", False) in names
    assert "unrelated_counter" not in [n for n, _ in names]


def test_unknown_names_become_stubs():
    harness = generate(extract(OLD_NAMES, "old.c"))
    assert harness.stubs == ["log_mapping"]
    assert harness.stub_objects == ["helper_flag"]
    assert [b.kind for _, b in harness.branches] == ["BUG_ON"]


def test_missing_map_function_is_a_problem():
    ex = extract("void hypervisor_setup(void) { }", "x.c")
    assert ex.problems == ["no mapping function (map_vcpuinfo() or xen_vcpu_setup()) defined"]


def test_resynchronises_after_a_cut_off_body():
    text = "static void half(void)\n{\n    if ( x )\n    {\n\n\nstatic int map_vcpuinfo(void)\n{\n    return 0;\n}\n"
    assert "map" in extract(text, "cut.c").functions

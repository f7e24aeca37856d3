"""Guest profiles: how each guest kernel spells the vcpu_info protocol.

The same protocol (spec: shared/spec/vcpu_info_model.md) lives in Xen's own
guest code (the PV shim), in Linux and in FreeBSD, each with its own names
(docs/guest-idioms.md has where each was read).  A profile is that
vocabulary as data; the front end reads the union of every profile's words
(so facts do not depend on the profile, and a cache entry serves them all),
and the rules read the profile of the file they judge.  No rule names a
guest's identifier.

``--profile auto`` (the default) decides per file, from its path and the
words it spells (``profile_for``); ``--profile NAME`` or ``profile = NAME``
in the configuration forces one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    # Per-CPU pointers to this CPU's vcpu_info (the rules also take any
    # per-CPU variable declared with type struct vcpu_info *).
    vcpu_pointers: frozenset[str]
    # The shared_info page.
    shared_info: frozenset[str]
    # Macros bounding the legacy array (besides nitems()/ARRAY_SIZE() of it
    # and a constant below 32).
    legacy_limits: frozenset[str]
    # The mapping functions whose result tells whether a CPU got an area
    # (only those that return a value, the rules check).
    mapping_functions: frozenset[str]
    # The accessor a per-CPU read goes through (for once-guards: "the
    # pointer is already set").
    percpu_readers: frozenset[str]
    # Per-CPU definition and declaration macros: (prefix, whether it defines);
    # a prefix covers its variants (DEFINE_PER_CPU_ALIGNED, DPCPU_DEFINE_STATIC).
    percpu_macros: tuple[tuple[str, bool], ...]
    # Calls allocating per-CPU areas: name -> index of an alignment argument
    # (None: the type's own alignment).
    percpu_allocations: dict
    # Whether those functions return a status, when no definition or
    # declaration is in sight (a patch reviewed alone).
    mapping_returns_status: bool
    # How a finding tells this guest's maintainers what to write instead.
    reader: str = "this_cpu(vcpu_info)"  # reading the per-CPU pointer
    bound: str = "XEN_LEGACY_MAX_VCPUS"  # bounding a legacy index
    # Rules off by default for this guest, and why.
    default_off: tuple[tuple[str, str], ...] = ()
    # Path fragments (POSIX, relative) and words that mark a file as this guest's.
    paths: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


    def to_dict(self) -> dict:
        return {
            "name": self.name, "description": self.description,
            "vcpu_pointers": sorted(self.vcpu_pointers), "percpu_readers": sorted(self.percpu_readers),
            "shared_info": sorted(self.shared_info), "legacy_limits": sorted(self.legacy_limits),
            "percpu_macros": [f"{prefix}*" for prefix, _ in self.percpu_macros],
            "percpu_allocations": sorted(self.percpu_allocations),
            "mapping_functions": sorted(self.mapping_functions),
            "mapping_returns_status": self.mapping_returns_status,
            "suggested_reader": self.reader, "suggested_bound": self.bound,
            "rules_off_by_default": dict(self.default_off),
            "paths": list(self.paths), "words": list(self.words),
        }


XEN = Profile(
    name="xen",
    description="Xen's own guest code (the PV shim): xen/arch/x86/guest/",
    vcpu_pointers=frozenset({"vcpu_info"}),
    shared_info=frozenset({"XEN_shared_info"}),
    legacy_limits=frozenset({"XEN_LEGACY_MAX_VCPUS"}),
    mapping_functions=frozenset({"map_vcpuinfo"}),
    percpu_readers=frozenset({"this_cpu", "per_cpu"}),
    percpu_macros=(("DEFINE_PER_CPU", True), ("DECLARE_PER_CPU", False)),
    percpu_allocations={},
    mapping_returns_status=True,  # int map_vcpuinfo(void), since it was written
    paths=("xen/arch/", "xen/common/", "xen/include/", "xen/drivers/"),
    words=("XEN_shared_info", "map_vcpuinfo"),
)

LINUX = Profile(
    name="linux",
    description="Linux's Xen guest: arch/x86/xen/, arch/arm/xen/, drivers/xen/",
    vcpu_pointers=frozenset({"xen_vcpu"}),
    shared_info=frozenset({"HYPERVISOR_shared_info"}),
    legacy_limits=frozenset({"MAX_VIRT_CPUS", "XEN_LEGACY_MAX_VCPUS"}),
    mapping_functions=frozenset({"xen_vcpu_setup"}),
    percpu_readers=frozenset({"per_cpu", "this_cpu_read", "__this_cpu_read", "raw_cpu_read",
                              "get_cpu_var", "this_cpu_ptr", "per_cpu_ptr"}),
    percpu_macros=(("DEFINE_PER_CPU", True), ("DECLARE_PER_CPU", False)),
    percpu_allocations={"alloc_percpu": None, "alloc_percpu_gfp": None, "__alloc_percpu": 1,
                        "__alloc_percpu_gfp": 1},
    mapping_returns_status=False,  # void xen_vcpu_setup(int cpu) in 6.1
    reader="per_cpu(xen_vcpu, cpu) or this_cpu_read(xen_vcpu)",
    bound="MAX_VIRT_CPUS",
    default_off=(("XL106", "Linux runs sparse, whose 'symbol was not declared. Should it be "
                           "static?' already covers it"),),
    paths=("arch/x86/xen/", "arch/arm/xen/", "arch/arm64/xen/", "drivers/xen/", "include/xen/",
           "arch/x86/include/asm/xen/", "arch/arm/include/asm/xen/"),
    words=("xen_vcpu", "this_cpu_read", "xen_vcpu_nr", "__percpu", "EXPORT_SYMBOL"),
)

FREEBSD = Profile(
    name="freebsd",
    description="FreeBSD's Xen support: sys/x86/xen/, sys/xen/, sys/dev/xen/",
    vcpu_pointers=frozenset({"vcpu_info"}),
    shared_info=frozenset({"HYPERVISOR_shared_info"}),
    legacy_limits=frozenset({"XEN_LEGACY_MAX_VCPUS"}),
    mapping_functions=frozenset({"xen_setup_vcpu_info"}),
    percpu_readers=frozenset({"DPCPU_GET", "DPCPU_ID_GET", "DPCPU_PTR", "DPCPU_ID_PTR"}),
    percpu_macros=(("DPCPU_DEFINE", True), ("DPCPU_DECLARE", False)),
    percpu_allocations={},
    mapping_returns_status=False,
    reader="DPCPU_GET(vcpu_info) or DPCPU_ID_GET(cpu, vcpu_info)",
    bound="nitems(HYPERVISOR_shared_info->vcpu_info)",
    paths=("sys/x86/xen/", "sys/xen/", "sys/dev/xen/", "sys/amd64/", "sys/i386/", "sys/arm64/xen/"),
    words=("DPCPU_", "PCPU_GET", "nitems("),
)

PROFILES = {p.name: p for p in (XEN, LINUX, FREEBSD)}
CHOICES = ("auto", *PROFILES)

# The union the front end reads (facts never depend on the profile).
SHARED_INFO_NAMES = frozenset().union(*(p.shared_info for p in PROFILES.values()))
LEGACY_LIMITS = frozenset().union(*(p.legacy_limits for p in PROFILES.values()))
MAPPING_FUNCTIONS = frozenset().union(*(p.mapping_functions for p in PROFILES.values()))
# Per-CPU stores written as calls: name -> (index of the variable, index of the value).
PERCPU_STORE_CALLS = {"this_cpu_write": (0, 1), "__this_cpu_write": (0, 1), "raw_cpu_write": (0, 1),
                      "DPCPU_SET": (0, 1), "DPCPU_ID_SET": (1, 2)}
# Per-CPU stores written as assignments: name(var, ...) = value.
PERCPU_STORE_LVALUES = ("this_cpu", "per_cpu")
PERCPU_MACROS = tuple(dict.fromkeys(m for p in PROFILES.values() for m in p.percpu_macros))
PERCPU_ALLOCATIONS = {name: k for p in PROFILES.values() for name, k in p.percpu_allocations.items()}


@dataclass(frozen=True)
class ProfileSettings:
    """What a run says about profiles: the choice, and the rules the user
    turned on by name (which a profile's default_off does not turn off)."""

    choice: str = "auto"
    explicit: frozenset[str] = frozenset()

    def key(self) -> str:
        return f"{self.choice}|{','.join(sorted(self.explicit))}"


# Path fragments, each with its leading "/", in the order they are tried.
_PLACES = [(profile, tuple(f"/{fragment}" for fragment in profile.paths))
           for profile in (XEN, FREEBSD, LINUX)]


def profile_by_place(path: str, choice: str = "auto", tree_kind: str | None = None) -> Profile | None:
    """The profile a file gets before its text is read: ``choice`` unless
    auto; else its path, else the kind of tree it is in; None when only
    the words it spells can tell."""
    if choice != "auto":
        return PROFILES[choice]
    posix = "/" + path.replace("\\", "/")
    for profile, fragments in _PLACES:
        for fragment in fragments:
            if fragment in posix:
                return profile
    return PROFILES.get(tree_kind) if tree_kind else None


def profile_for(path: str, markers: frozenset[str], choice: str = "auto",
                tree_kind: str | None = None) -> Profile:
    """The profile of a file: by its place (``profile_by_place``), else by
    the words it spells (``markers``), else Xen's."""
    placed = profile_by_place(path, choice, tree_kind)
    if placed is not None:
        return placed
    for profile in (FREEBSD, LINUX, XEN):
        if any(word in markers for word in profile.words):
            return profile
    return XEN


# Words whose presence the front end records in each file (FileFacts.markers).
MARKER_WORDS = tuple(dict.fromkeys(w for p in PROFILES.values() for w in p.words))

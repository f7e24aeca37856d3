"""Generate the C translation unit that holds the extracted code.

Layout: prelude, the file-scope objects, stub declarations, the modelled
environment functions, prototypes, the instrumented functions (with #line so
BUG lines point into the source), stub definitions, and the glue the runtime
calls (abi.h). Branch conditions are wrapped in XL_BR (coverage and the
step budget); loop bodies get XL_STEP so a loop without condition is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from analyzer.crosscheck.ctokens import tokenize
from analyzer.crosscheck.cst import Branch, FunctionSyntax, Statement, analyse
from analyzer.crosscheck.extract import ENVIRONMENT_FUNCTIONS, VCPU_ID_NAMES, Extraction
from analyzer.frontend.facts import VCPU_INFO_POINTER, type_key

C_KEYWORDS = set("""auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof static struct switch
typedef union unsigned void volatile while _Bool bool true false NULL __typeof__ typeof
__attribute__ __asm__ asm __volatile__ __builtin_expect __LINE__ __func__ __FILE__ __alignof__
_Alignof""".split())

ENVIRONMENT_C = """
/* ---- modelled environment (replaces the file's own versions) ---- */
static void set_vcpu_id(void) { this_cpu(vcpu_id) = xl_env_vcpu_id(); }
static void map_shared_info(void) { }
static void init_memmap(void) { }
static int init_evtchn(void) { xl_env_set_vector(); return 0; }
"""


def c_source(name: str) -> str:
    return resources.files("analyzer.crosscheck").joinpath("c", name).read_text()


@lru_cache(maxsize=1)
def prelude_names() -> frozenset[str]:
    """Every identifier the prelude and ABI header mention counts as known."""
    text = c_source("abi.h") + c_source("prelude.h")
    return frozenset(t.text for t in tokenize(text) if t.kind == "ident") | {
        n for n in re.findall(r"#define\s+(\w+)", text)}


@lru_cache(maxsize=1)
def prelude_macros() -> frozenset[str]:
    """Names the prelude defines as object-like macros (HYPERVISOR_shared_info ...):
    a file's own definition of one would be rewritten into nonsense."""
    text = c_source("prelude.h")
    return frozenset(re.findall(r"#define\s+(\w+)\b(?!\()", text))


@dataclass
class Harness:
    text: str
    branches: list[tuple[str, Branch]]           # (function name, branch), index = branch id
    sites: list[tuple[str, Statement]]            # (function name, statement), index = site id
    stubs: list[str]                              # stubbed functions, index = stub id
    stub_objects: list[str]
    problems: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    # A static per-CPU struct vcpu_info area (Linux), not an allocated array:
    # allocation cannot fail, and each CPU registers its own element.
    static_area: str | None = None


def _instrument(syn: FunctionSyntax, first_id: int, first_site: int) -> tuple[str, list[Branch]]:
    """Wrap branch conditions in XL_BR, loop bodies get XL_STEP, statements become sites.

    A site marks where the runtime blames the effects it sees (a per-CPU
    pointer, a bit, a registration changed) and where a recorded path steps:
    an expression or return statement S becomes `{ XL_AT(id); S XL_DONE(id); }`
    (no XL_DONE after a return), a declaration with an initializer gets
    `XL_AT(id);` before it.
    """
    inserts: list[tuple[int, int, int, bytes]] = []
    kept = []
    for k, st in enumerate(syn.statements):
        sid = first_site + k
        span = st.end - st.start
        if st.wrap:
            inserts.append((st.start, 0, -span, f"{{ XL_AT({sid}); ".encode()))
            done = b"" if st.text.startswith("return") else f" XL_DONE({sid});".encode()
            inserts.append((st.end, 1, span, done + b" }"))
        else:
            inserts.append((st.start, 0, -span, f"XL_AT({sid}); ".encode()))
    for branch in syn.branches:
        bid = first_id + len(kept)
        kept.append(branch)
        span = branch.end - branch.start
        inserts.append((branch.start, 0, -span, f"XL_BR({bid}, (".encode()))
        inserts.append((branch.end, 1, span, b"))"))
    for start, end, braced in syn.loop_bodies:
        if braced:
            inserts.append((start + 1, 2, 0, b" XL_STEP();"))
        else:
            inserts.append((start, 0, -(end - start) - 1, b"{ XL_STEP(); "))
            inserts.append((end, 1, end - start + 1, b" }"))
    out = bytearray(syn.source)
    for pos, _, _, text in sorted(inserts, key=lambda i: (i[0], i[1], i[2]), reverse=True):
        out[pos:pos] = text
    return out.decode(), kept


def _find_object(extraction: Extraction, per_cpu: bool, test):
    for obj in extraction.objects:
        if obj.per_cpu == per_cpu and test(obj):
            return obj
    return None


def _declares(obj, type_text: str) -> bool:
    """Does the declaration ``obj`` give ``obj.name`` the type ``type_text``?"""
    return f"{type_key(type_text)}{obj.name};" in type_key(obj.text)


def generate(extraction: Extraction) -> Harness:
    functions = extraction.all_functions()
    syntax = [analyse(f) for f in functions]
    problems = list(extraction.problems)
    for syn in syntax:
        if syn.has_errors:
            problems.append(f"{syn.function.name}() did not parse cleanly; branches may be missed")

    ptr_obj = _find_object(extraction, True, lambda o: VCPU_INFO_POINTER in type_key(o.text))
    vid_obj = _find_object(extraction, True, lambda o: o.name in VCPU_ID_NAMES)
    array_obj = _find_object(extraction, False, lambda o: _declares(o, "struct vcpu_info *"))
    area_obj = _find_object(extraction, True, _percpu_area)
    bitmap_obj = (_find_object(extraction, False, lambda o: re.search(r"unsigned\s+long\s+\w+\s*\[", o.text))
                  or _find_object(extraction, False, lambda o: "DECLARE_BITMAP" in o.text))
    provided = prelude_macros()
    objects_c = []
    for o in extraction.objects:
        if o.name in provided:
            continue   # the harness's own (HYPERVISOR_shared_info is the prelude's page)
        if o is area_obj:
            # The area lives in the harness's arena, placed as the scenario says.
            objects_c.append(f"struct vcpu_info *per_cpu__{o.name};")
            continue
        objects_c.append(f"#line {o.line} \"{extraction.path}\"\n{o.text}")
    if vid_obj is None:
        problems.append("no per-CPU vcpu_id definition in the extracted text; the harness declares one")
        objects_c.append("DEFINE_PER_CPU(unsigned int, vcpu_id);")
    if ptr_obj is None:
        problems.append("no per-CPU struct vcpu_info pointer definition; the harness declares one")
        objects_c.append("DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);")
    ptr_name = ptr_obj.name if ptr_obj else "vcpu_info"
    vid_name = vid_obj.name if vid_obj else "vcpu_id"
    per_cpu_names = sorted(({o.name for o in extraction.objects if o.per_cpu} | {ptr_name, vid_name})
                           - ({area_obj.name} if area_obj else set()))

    known = set(prelude_names()) | C_KEYWORDS | set(ENVIRONMENT_FUNCTIONS)
    known |= {o.name for o in extraction.objects} | {f.name for f in functions}
    unknown_calls: set[str] = set()
    unknown_objects: set[str] = set()
    unknown_types: set[str] = set()
    for syn in syntax:
        local = known | syn.declared
        unknown_calls |= {n for n in syn.called if n not in local}
        unknown_objects |= {n for n in syn.used - syn.called if n not in local}
        unknown_types |= {t for t in syn.types if t not in local}
    unknown_objects -= unknown_calls
    stubs = sorted(unknown_calls)
    stub_objects = sorted(unknown_objects)
    if unknown_types:
        problems.append("unknown type(s) " + ", ".join(sorted(unknown_types)))

    parts = ["#include \"wire.h\"", "#include \"abi.h\"", "#include \"prelude.h\"", ""]
    parts += ["/* ---- file-scope objects used by the extracted code ---- */", *objects_c, ""]
    # Internal linkage: a stub never stands in for, nor reaches, a C library symbol.
    parts += [f"static long {n}(); /* stub */" for n in stubs]
    parts += [f"static long {n}; /* unknown object, stubbed as 0 */" for n in stub_objects]
    parts.append(ENVIRONMENT_C.replace("this_cpu(vcpu_id)", f"this_cpu({vid_name})"))
    parts += [f.head.strip() + ";" for f in functions]
    branches: list[tuple[str, Branch]] = []
    sites: list[tuple[str, Statement]] = []
    for syn in syntax:
        text, kept = _instrument(syn, len(branches), len(sites))
        branches += [(syn.function.name, b) for b in kept]
        sites += [(syn.function.name, s) for s in syn.statements]
        parts += [f"#line {syn.function.line} \"{extraction.path}\"", text, ""]
    parts.append("#line 1 \"xenlint-glue.c\"")
    parts += [f"static long {n}() {{ xl_stub_called({i}); return 0; }}" for i, n in enumerate(stubs)]
    map_fn = extraction.functions.get("map")
    map_ids = [i for i, (fn, _) in enumerate(sites) if map_fn is not None and fn == map_fn.name]
    map_range = (map_ids[0], map_ids[-1] + 1) if map_ids else (0, 0)
    parts.append(_glue(extraction, ptr_name, vid_name, array_obj, bitmap_obj, per_cpu_names,
                       len(branches), len(stubs), area_obj))
    parts.append(f"const int xl_glue_map_sites[2] = {{ {map_range[0]}, {map_range[1]} }};")
    roles = {role: f.name for role, f in extraction.functions.items()}
    map_fn = extraction.functions.get("map")
    if map_fn is not None and map_fn.takes_cpu:
        pass   # Linux: the callers live in other files; the glue calls as they do (see _glue)
    else:
        if "setup" not in roles:
            problems.append("no BSP setup function (hypervisor_setup/setup) found; boot maps the BSP directly")
        if "ap_setup" not in roles:
            problems.append("no AP setup function (hypervisor_ap_setup/ap_setup) found; APs map directly")
    return Harness("\n".join(parts) + "\n", branches, sites, stubs, stub_objects, problems, roles,
                   static_area=area_obj.name if area_obj else None)


def _percpu_area(obj) -> bool:
    """DEFINE_PER_CPU*(struct vcpu_info, name): one area per CPU, not a pointer."""
    m = re.match(r"\s*(?:static\s+)?DEFINE_PER_CPU\w*\s*\(\s*([^,]+),", obj.text)
    return bool(m) and type_key(m.group(1)) in ("structvcpu_info", "vcpu_info_t")


def _area_alignment(obj) -> int:
    """What the definition macro promises: a cache line for *_ALIGNED, a page for
    *_PAGE_ALIGNED, else struct vcpu_info's own alignment (8)."""
    head = obj.text.split("(", 1)[0]
    if "PAGE_ALIGNED" in head:
        return 4096
    if "ALIGNED" in head:
        return 64
    m = re.search(r"__aligned\s*\(\s*(\d+)\s*\)|aligned\s*\(\s*(\d+)\s*\)", obj.text)
    return int(m.group(1) or m.group(2)) if m else 8


def _glue(extraction, ptr_name, vid_name, array_obj, bitmap_obj, per_cpu_names,
          nbranches, nstubs, area_obj=None) -> str:
    fns = extraction.functions
    map_fn = fns.get("map")
    map_name = map_fn.name if map_fn else None

    def call_int(role: str, fallback: str) -> str:
        if role in fns:
            f = fns[role]
            return f"{f.name}(); return 0;" if f.returns_void else f"return (int){f.name}();"
        return fallback

    if map_fn is not None and map_fn.takes_cpu:
        # Linux: the boot CPU is first pointed at its legacy slot, then set up
        # (xen_hvm_smp_prepare_boot_cpu); an AP is set up by its hotplug
        # callback (xen_cpu_up_prepare_hvm).  Both are in other files.
        reset = f"{fns['reset'].name}(xl_cur_cpu); " if "reset" in fns else ""
        call = f"{map_name}(xl_cur_cpu);" + ("" if map_fn.returns_void else "")
        direct = f"{call} xl_env_set_vector(); return 0;"
        boot = f"{reset}{direct}"
    else:
        direct = f"return (int){map_name}();" if map_name else "return 0;"
        boot = direct
    resets = "\n".join(f"    __builtin_memset(&per_cpu__{n}[cpu], 0, sizeof(per_cpu__{n}[cpu]));"
                       for n in per_cpu_names)
    resume = fns.get("resume")
    bitmap_init = (f"xl_register_bitmap({bitmap_obj.name}, sizeof({bitmap_obj.name}) * 8);"
                   if bitmap_obj else "")
    # File-scope objects start every scenario with their initial bytes.
    plain = [o.name for o in extraction.objects if not o.per_cpu and o.name not in prelude_macros()]
    saved = "\n".join(f"static unsigned char xl_saved_{i}[sizeof({n})];" for i, n in enumerate(plain))
    restore = " ".join(
        f"if ( !xl_captured ) __builtin_memcpy(xl_saved_{i}, (void *)&{n}, sizeof({n})); "
        f"else __builtin_memcpy((void *)&{n}, xl_saved_{i}, sizeof({n}));" for i, n in enumerate(plain))
    mapped = (f"return vcpu < sizeof({bitmap_obj.name}) * 8 ? "
              f"(int)(({bitmap_obj.name}[vcpu / 64] >> (vcpu % 64)) & 1) : 0;"
              if bitmap_obj else "return -1;")
    return f"""
unsigned char xl_cov[2 * {nbranches} + 2];
const int xl_ncov = 2 * {nbranches};
unsigned int xl_stub_calls[{nstubs} + 1];
const int xl_nstubs = {nstubs};
void xl_stub_called(int id) {{ xl_stub_calls[id]++; }}
{saved}
static int xl_captured;
void xl_glue_init(void) {{ {restore} xl_captured = 1; {bitmap_init}{f" xl_percpu_area((void **)&per_cpu__{area_obj.name}, {_area_alignment(area_obj)});" if area_obj else ""} }}
int xl_glue_setup(void) {{ set_vcpu_id(); {call_int("setup", boot)} }}
int xl_glue_ap_setup(void) {{ set_vcpu_id(); {call_int("ap_setup", direct)} }}
const int xl_glue_has_resume = {1 if resume else 0};
void xl_glue_resume(void) {{ {f"{resume.name}();" if resume else ""}{" xl_env_set_vector_online();" if area_obj else ""} }}
const int xl_glue_keep_percpu = {1 if area_obj else 0};   /* Linux keeps per-CPU data across offline */
unsigned int xl_vcpu_nr(long cpu) {{ return (unsigned int)per_cpu__{vid_name}[xl_cpu_index(cpu)]; }}
void xl_glue_percpu_reset(unsigned int cpu)
{{
{resets}
}}
void *xl_glue_ptr(unsigned int cpu) {{ return (void *)per_cpu__{ptr_name}[cpu]; }}
const void *xl_glue_ptrs(void) {{ return per_cpu__{ptr_name}; }}
unsigned int xl_glue_vid(unsigned int cpu) {{ return (unsigned int)per_cpu__{vid_name}[cpu]; }}
void *xl_glue_array(void) {{ return {f"(void *){array_obj.name}" if array_obj else f"(void *)per_cpu__{area_obj.name}" if area_obj else "0"}; }}
int xl_glue_mapped(unsigned int vcpu) {{ {mapped} }}
"""

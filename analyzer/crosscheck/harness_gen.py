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
from analyzer.crosscheck.extract import ENVIRONMENT_FUNCTIONS, Extraction
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


@dataclass
class Harness:
    text: str
    branches: list[tuple[str, Branch]]           # (function name, branch), index = branch id
    sites: list[tuple[str, Statement]]            # (function name, statement), index = site id
    stubs: list[str]                              # stubbed functions, index = stub id
    stub_objects: list[str]
    problems: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)


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
    vid_obj = _find_object(extraction, True, lambda o: re.search(r"\bvcpu_id\b", o.text))
    array_obj = _find_object(extraction, False, lambda o: _declares(o, "struct vcpu_info *"))
    bitmap_obj = (_find_object(extraction, False, lambda o: re.search(r"unsigned\s+long\s+\w+\s*\[", o.text))
                  or _find_object(extraction, False, lambda o: "DECLARE_BITMAP" in o.text))
    objects_c = [f"#line {o.line} \"{extraction.path}\"\n{o.text}" for o in extraction.objects]
    if vid_obj is None:
        problems.append("no per-CPU vcpu_id definition in the extracted text; the harness declares one")
        objects_c.append("DEFINE_PER_CPU(unsigned int, vcpu_id);")
    if ptr_obj is None:
        problems.append("no per-CPU struct vcpu_info pointer definition; the harness declares one")
        objects_c.append("DEFINE_PER_CPU(struct vcpu_info *, vcpu_info);")
    ptr_name = ptr_obj.name if ptr_obj else "vcpu_info"
    vid_name = vid_obj.name if vid_obj else "vcpu_id"
    per_cpu_names = sorted({o.name for o in extraction.objects if o.per_cpu} | {ptr_name, vid_name})

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
    parts.append(ENVIRONMENT_C.replace("vcpu_id", vid_name))
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
                       len(branches), len(stubs)))
    parts.append(f"const int xl_glue_map_sites[2] = {{ {map_range[0]}, {map_range[1]} }};")
    roles = {role: f.name for role, f in extraction.functions.items()}
    if "setup" not in roles:
        problems.append("no BSP setup function (hypervisor_setup/setup) found; boot maps the BSP directly")
    if "ap_setup" not in roles:
        problems.append("no AP setup function (hypervisor_ap_setup/ap_setup) found; APs map directly")
    return Harness("\n".join(parts) + "\n", branches, sites, stubs, stub_objects, problems, roles)


def _glue(extraction, ptr_name, vid_name, array_obj, bitmap_obj, per_cpu_names,
          nbranches, nstubs) -> str:
    fns = extraction.functions
    map_name = fns["map"].name if "map" in fns else None

    def call_int(role: str, fallback: str) -> str:
        if role in fns:
            f = fns[role]
            return f"{f.name}(); return 0;" if f.returns_void else f"return (int){f.name}();"
        return fallback

    direct = f"return (int){map_name}();" if map_name else "return 0;"
    resets = "\n".join(f"    __builtin_memset(&per_cpu__{n}[cpu], 0, sizeof(per_cpu__{n}[cpu]));"
                       for n in per_cpu_names)
    resume = fns.get("resume")
    bitmap_init = (f"xl_register_bitmap({bitmap_obj.name}, sizeof({bitmap_obj.name}) * 8);"
                   if bitmap_obj else "")
    # File-scope objects start every scenario with their initial bytes.
    plain = [o.name for o in extraction.objects if not o.per_cpu]
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
void xl_glue_init(void) {{ {restore} xl_captured = 1; {bitmap_init} }}
int xl_glue_setup(void) {{ set_vcpu_id(); {call_int("setup", direct)} }}
int xl_glue_ap_setup(void) {{ set_vcpu_id(); {call_int("ap_setup", direct)} }}
const int xl_glue_has_resume = {1 if resume else 0};
void xl_glue_resume(void) {{ {f"{resume.name}();" if resume else ""} }}
void xl_glue_percpu_reset(unsigned int cpu)
{{
{resets}
}}
void *xl_glue_ptr(unsigned int cpu) {{ return (void *)per_cpu__{ptr_name}[cpu]; }}
const void *xl_glue_ptrs(void) {{ return per_cpu__{ptr_name}; }}
unsigned int xl_glue_vid(unsigned int cpu) {{ return (unsigned int)per_cpu__{vid_name}[cpu]; }}
void *xl_glue_array(void) {{ return {f"(void *){array_obj.name}" if array_obj else "0"}; }}
int xl_glue_mapped(unsigned int vcpu) {{ {mapped} }}
"""

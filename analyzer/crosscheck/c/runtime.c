/*
 * xenlint harness runtime: runs scenarios against extracted mapping code.
 *
 * Sandbox: resource limits, every fd but 0 closed, then seccomp STRICT
 * before the first line of extracted code runs. Strict mode allows only
 * read, write, _exit and sigreturn, so all memory is static (the arena),
 * output is formatted by hand, and the process leaves with SYS_exit.
 *
 * L0 (xl_vcpu_op) mirrors analyzer/model/l0.py check for check.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

#include "wire.h"
#include "abi.h"

#define ARENA_PAGES 96
#define MAX_ALLOCS 64
#define MAX_EVENTS 4096
#define MAX_FAULTS 64
#define STEP_BUDGET 200000
#define MFN_BASE 0x80000UL
#define MAX_PRINTK 16

/* ---- guest-visible globals --------------------------------------------- */
unsigned int xl_cur_cpu;
unsigned int nr_cpu_ids;
cpumask_t cpu_present_map, cpu_online_map, cpu_possible_map;
unsigned char *xl_shared_info;

static unsigned char arena[ARENA_PAGES * XL_PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned long arena_used;   /* pages handed out in this scenario */

/* ---- the scenario ----------------------------------------------------------- */
static struct {
    int nr, dom, release, alloc_fails, placement;
    int nfaults, fault_vcpu[MAX_FAULTS], fault_err[MAX_FAULTS], fault_epoch[MAX_FAULTS];
    int vid[XL_NR_CPUS];
    int nevents, ev_kind[MAX_EVENTS], ev_cpu[MAX_EVENTS];
} scn;

/* ---- L0 and guest environment state ------------------------------------------ */
static struct {
    int epoch;
    unsigned char *reg[XL_NR_CPUS];
    unsigned char down[XL_NR_CPUS], upcall[XL_NR_CPUS], vector[XL_NR_CPUS];
    int regs_this_epoch[XL_NR_CPUS];
} l0;

static unsigned char online[XL_NR_CPUS], ever_up[XL_NR_CPUS];
static int booted, stop_kind, stop_line, flags;
static long steps;

static struct alloc { unsigned char *base; unsigned long size; int freed; } allocs[MAX_ALLOCS];
static int nallocs;

static const void *bitmap_addr;
static unsigned long bitmap_bits;

static const char *printk_seen[MAX_PRINTK];
static int nprintk;

static void *jmp[5];

/* ---- output --------------------------------------------------------------------- */
static unsigned char outbuf[1 << 16];
static unsigned long outlen;

static void flush_out(void)
{
    unsigned long done = 0;
    while ( done < outlen )
    {
        long n = write(0, outbuf + done, outlen - done);
        if ( n <= 0 )
            syscall(SYS_exit, 3);
        done += n;
    }
    outlen = 0;
}

static void put_bytes(const void *p, unsigned long n)
{
    const unsigned char *s = p;
    while ( n )
    {
        unsigned long room = sizeof(outbuf) - outlen, k = n < room ? n : room;
        memcpy(outbuf + outlen, s, k);
        outlen += k; s += k; n -= k;
        if ( outlen == sizeof(outbuf) )
            flush_out();
    }
}

static void put_word(int32_t w) { put_bytes(&w, 4); }

/* ---- input ------------------------------------------------------------------------ */
static unsigned char inbuf[1 << 16];
static unsigned long inlen, inpos;

static int32_t get_word(void)
{
    int32_t w;
    unsigned char *d = (unsigned char *)&w;
    for ( int i = 0; i < 4; i++ )
    {
        if ( inpos == inlen )
        {
            long n = read(0, inbuf, sizeof(inbuf));
            if ( n <= 0 )
                syscall(SYS_exit, 4);
            inlen = n; inpos = 0;
        }
        d[i] = inbuf[inpos++];
    }
    return w;
}


/* ---- sites: which statement of the extracted code caused each effect --------- *
 * The generator marks statements (XL_AT before, XL_DONE after); the runtime
 * compares the per-CPU pointers, the mapped bitmap and the array pointer with
 * a shadow copy and blames a change on the statement that ran.  -1 is the
 * environment (the harness resetting a CPU) or nothing.  In trace mode each
 * branch direction and each effect is also recorded, in order: the path. */
#define MAX_TRACE 8192
#define NFLAGS XL_NFLAGS
static int cur_site = -1, last_site = -1, last_map_site = -1, stop_site = -1, array_site = -1;
static int ptr_site[XL_NR_CPUS], bit_site[XL_NR_CPUS], reg_site[XL_NR_CPUS], flag_site[NFLAGS];
static void *ptr_shadow[XL_NR_CPUS];
static unsigned char ptr_fresh[XL_NR_CPUS];   /* written in the current event */
static int left_site[XL_NR_CPUS];             /* per CPU: where the code running on it left,
                                                 in the mapping function if it ran there */
#define STALE_SITE (1 << 20)                  /* added to a site written in an earlier event */
static unsigned long bit_shadow[XL_NR_CPUS / 64];
static const void *array_shadow;
static int tracing, ntrace, trace_lost;
static int32_t trace[MAX_TRACE];

enum { TR_EVENT = 1, TR_BRANCH = 2, TR_EFFECT = 3, TR_STOP = 4 };

static void trace_add(int kind, int value)
{
    if ( !tracing )
        return;
    if ( ntrace < MAX_TRACE )
        trace[ntrace++] = kind << 24 | (value & 0xFFFFFF);
    else
        trace_lost = 1;
}

static void raise_flag(int flag, int site)
{
    if ( !(flags & flag) )
        flag_site[__builtin_ctz(flag)] = site;
    flags |= flag;
}

static unsigned long bitmap_words(void)
{
    unsigned long bits = bitmap_bits < XL_NR_CPUS ? bitmap_bits : XL_NR_CPUS;
    return (bits + 63) / 64;
}

static void sync_effects(int site)
{
    const void *const *ptrs = xl_glue_ptrs();
    const void *arr = xl_glue_array();
    int changed = 0;

    if ( memcmp(ptrs, ptr_shadow, scn.nr * sizeof(void *)) )
    {
        for ( int c = 0; c < scn.nr; c++ )
            if ( ptrs[c] != ptr_shadow[c] )
            {
                ptr_site[c] = site;
                ptr_fresh[c] = 1;
                ptr_shadow[c] = (void *)ptrs[c];
            }
        changed = 1;
    }
    if ( bitmap_addr && memcmp(bitmap_addr, bit_shadow, bitmap_words() * 8) )
    {
        const unsigned long *w = bitmap_addr;
        for ( int v = 0; v < scn.dom && v < (int)bitmap_bits; v++ )
            if ( ((w[v / 64] ^ bit_shadow[v / 64]) >> (v % 64)) & 1 )
                bit_site[v] = site;
        memcpy(bit_shadow, bitmap_addr, bitmap_words() * 8);
        changed = 1;
    }
    if ( arr != array_shadow )
    {
        array_site = site;
        array_shadow = arr;
        changed = 1;
    }
    if ( changed && site >= 0 )
        trace_add(TR_EFFECT, site);
}

void xl_at(int site)
{
    sync_effects(cur_site);
    cur_site = last_site = site;
    if ( site >= xl_glue_map_sites[0] && site < xl_glue_map_sites[1] )
        last_map_site = left_site[xl_cur_cpu] = site;
    else if ( left_site[xl_cur_cpu] < xl_glue_map_sites[0] || left_site[xl_cur_cpu] >= xl_glue_map_sites[1] )
        left_site[xl_cur_cpu] = site;
    xl_step();
}

void xl_done(int site)
{
    sync_effects(site);
    cur_site = site;
}

void xl_branch(int id, int taken)
{
    xl_step();
    xl_cov[2 * id + taken] = 1;
    if ( tracing )
    {
        sync_effects(cur_site);
        trace_add(TR_BRANCH, 2 * id + taken);
    }
}

/* After the harness's own changes (a CPU reset, a new L0): nobody's fault. */
static void environment_done(void)
{
    sync_effects(-1);
    cur_site = -1;
}

/* ---- services for the extracted code ------------------------------------------------- */
void xl_stop(int kind, int line)
{
    sync_effects(cur_site);
    stop_site = cur_site;
    trace_add(TR_STOP, cur_site & 0xFFFFFF);
    stop_kind = kind;
    stop_line = line;
    __builtin_longjmp(jmp, 1);
}

void xl_step(void)
{
    if ( ++steps > STEP_BUDGET )
        xl_stop(XL_STOP_HUNG, 0);
}

void xl_printk(const char *fmt)
{
    for ( int i = 0; i < nprintk; i++ )
        if ( printk_seen[i] == fmt )
            return;
    if ( nprintk < MAX_PRINTK )
        printk_seen[nprintk++] = fmt;
}

void xl_warn(int line) { (void)line; }

void xl_index_out_of_range(void) { raise_flag(XL_FLAG_INDEX_RANGE, cur_site); }

void xl_register_bitmap(const void *addr, unsigned long bits)
{
    bitmap_addr = addr;
    bitmap_bits = bits;
}

int xl_bitop(int op, long nr, volatile void *addr)
{
    volatile unsigned long *w;
    unsigned long mask;
    int old;

    if ( addr == bitmap_addr && (nr < 0 || (unsigned long)nr >= bitmap_bits) )
    {
        raise_flag(XL_FLAG_INDEX_RANGE, cur_site);
        return 0;
    }
    if ( (addr == cpu_present_map.bits || addr == cpu_online_map.bits) &&
         (nr < 0 || nr >= XL_NR_CPUS) )
    {
        raise_flag(XL_FLAG_INDEX_RANGE, cur_site);
        return 0;
    }
    w = (volatile unsigned long *)addr + nr / 64;
    mask = 1UL << (nr % 64);
    old = !!(*w & mask);
    if ( op == XL_BIT_SET || op == XL_BIT_TEST_SET )
        *w |= mask;
    else if ( op == XL_BIT_CLEAR || op == XL_BIT_TEST_CLEAR )
        *w &= ~mask;
    return old;
}

static void *alloc_block(unsigned long size, unsigned long align, int may_fail)
{
    unsigned long start, end;
    struct alloc *a;

    if ( (may_fail && scn.alloc_fails) || nallocs == MAX_ALLOCS || !size || size > 64 * XL_PAGE_SIZE )
        return NULL;
    if ( !align || align & (align - 1) )
        align = 8;
    start = arena_used * XL_PAGE_SIZE + scn.placement;
    start = (start + align - 1) & ~(align - 1);
    end = start + size;
    if ( end > sizeof(arena) )
        return NULL;
    /* Leave a guard page so a pointer past the end is not in the next block. */
    arena_used = (end + XL_PAGE_SIZE - 1) / XL_PAGE_SIZE + 1;
    a = &allocs[nallocs++];
    a->base = arena + start;
    a->size = size;
    a->freed = 0;
    return a->base;
}

void *xl_alloc(unsigned long size, unsigned long align, int zero)
{
    (void)zero;   /* the arena is zeroed for every scenario */
    return alloc_block(size, align, 1);
}

/* A static per-CPU struct vcpu_info area (Linux): placed like an allocation
 * (the scenario's placement, the definition's alignment) but it cannot fail. */
void xl_percpu_area(void **slot, unsigned long align)
{
    *slot = alloc_block((unsigned long)scn.nr * 64, align, 0);
}

void xl_free(const void *p)
{
    if ( !p )
        return;
    for ( int i = 0; i < nallocs; i++ )
    {
        struct alloc *a = &allocs[i];
        if ( a->base != p || a->freed )
            continue;
        a->freed = 1;
        if ( a->base == xl_glue_array() )
            array_site = cur_site;
        for ( int v = 0; v < scn.dom; v++ )
            if ( l0.reg[v] >= a->base && l0.reg[v] < a->base + a->size )
                raise_flag(XL_FLAG_FREED_REGISTERED, cur_site);
        return;
    }
}

unsigned long xl_virt_to_mfn(const void *p)
{
    const unsigned char *c = p;
    if ( c < arena || c >= arena + sizeof(arena) )
        return 0;
    return MFN_BASE + (unsigned long)(c - arena) / XL_PAGE_SIZE;
}

unsigned int xl_env_vcpu_id(void) { return scn.vid[xl_cur_cpu]; }

void xl_env_set_vector(void) { l0.vector[scn.vid[xl_cur_cpu]] = 1; }

void xl_env_set_vector_online(void)
{
    for ( int c = 0; c < scn.nr; c++ )
        if ( online[c] )
            l0.vector[scn.vid[c]] = 1;
}

void xl_smp_call_function(void (*fn)(void *), void *info)
{
    unsigned int self = xl_cur_cpu;
    for ( int c = 0; c < scn.nr; c++ )
    {
        if ( c == (int)self || !online[c] )
            continue;
        xl_cur_cpu = c;
        fn(info);
    }
    xl_cur_cpu = self;
}

/* ---- pointer classification (the model compares kinds, not addresses) ------------- */
static struct alloc *alloc_of(const unsigned char *p)
{
    for ( int i = nallocs - 1; i >= 0; i-- )
        if ( p >= allocs[i].base && p < allocs[i].base + allocs[i].size )
            return &allocs[i];
    return NULL;
}

static void classify(const void *vp, int *kind, int *idx)
{
    const unsigned char *p = vp;
    const unsigned char *arr = xl_glue_array();
    struct alloc *array = arr ? alloc_of(arr) : NULL;
    struct alloc *a;

    *idx = 0;
    if ( !p ) { *kind = XL_PTR_NULL; return; }
    if ( p >= arena && p < arena + XL_PAGE_SIZE )
    {
        unsigned long off = p - arena;
        *idx = off / 64;
        *kind = (off % 64 == 0 && *idx < XL_LEGACY_MAX_VCPUS) ? XL_PTR_LEGACY : XL_PTR_LEGACY_OOB;
        return;
    }
    if ( array && !array->freed && arr == array->base && p >= arr )
    {
        unsigned long off = p - arr;
        *idx = off / 64;
        if ( off < array->size )
        {
            *kind = off % 64 ? XL_PTR_AREA_OOB : XL_PTR_AREA;
            return;
        }
    }
    if ( (a = alloc_of(p)) )
    {
        *kind = a->freed ? XL_PTR_DANGLING : XL_PTR_OTHER;
        *idx = (p - a->base) / 64;
        return;
    }
    if ( array && !array->freed && p >= arr && p < arena + sizeof(arena) )
    {
        *kind = XL_PTR_AREA_OOB;
        return;
    }
    *kind = XL_PTR_WILD;
}

/* ---- L0: VCPUOP_register_vcpu_info, checks in spec order ------------------------------ */
static int injected_error(int vcpu)
{
    for ( int i = 0; i < scn.nfaults; i++ )
        if ( scn.fault_vcpu[i] == vcpu && (scn.fault_epoch[i] < 0 || scn.fault_epoch[i] == l0.epoch) )
            return scn.fault_err[i];
    return 0;
}

long xl_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    const struct vcpu_register_vcpu_info *info = arg;
    int caller = scn.vid[xl_cur_cpu], r = scn.release, err, kind, idx;
    unsigned long off, page;
    unsigned char *area = NULL;

    if ( cmd == 3 /* VCPUOP_is_up */ )
        return vcpu < (unsigned int)scn.dom && !l0.down[vcpu];
    if ( cmd == 2 /* VCPUOP_down */ || cmd == 0 /* VCPUOP_up */ )
    {
        if ( vcpu >= (unsigned int)scn.dom )
            return -XL_ENOENT;
        l0.down[vcpu] = cmd == 2;
        return 0;
    }
    if ( cmd != 10 )
        return 0;
    off = info->offset;
    page = info->mfn - MFN_BASE;
    if ( info->mfn >= MFN_BASE && page < ARENA_PAGES )
        area = arena + page * XL_PAGE_SIZE + off;

    /* Observations for the invariants, whatever L0 answers. */
    if ( off >= XL_PAGE_SIZE || off % 8 )
        raise_flag(XL_FLAG_BAD_OFFSET, cur_site);
    else if ( off > XL_PAGE_SIZE - 64 )
        raise_flag(XL_FLAG_BAD_AREA, cur_site);
    if ( area && off < XL_PAGE_SIZE )
    {
        classify(area, &kind, &idx);
        if ( kind == XL_PTR_AREA_OOB )
            raise_flag(XL_FLAG_INDEX_RANGE, cur_site);
    }
    if ( (int)vcpu != caller && vcpu < (unsigned int)scn.dom && !l0.down[vcpu] && r < 2 )
        raise_flag(XL_FLAG_REMOTE_WHILE_UP, cur_site);

    if ( (err = injected_error(vcpu)) )
        return -err;
    if ( vcpu >= (unsigned int)scn.dom )
        return -XL_ENOENT;
    if ( r >= 2 && off >= XL_PAGE_SIZE )
        return -XL_EINVAL;
    if ( off > XL_PAGE_SIZE - 64 )
        return r == 0 ? -XL_EINVAL : -XL_ENXIO;
    if ( off % 8 )
        return r == 0 ? -XL_EINVAL : -XL_ENXIO;
    if ( l0.reg[vcpu] )
        return r >= 2 ? -XL_EBUSY : -XL_EINVAL;
    if ( (int)vcpu != caller && !l0.down[vcpu] && r < 2 )
        return -XL_EINVAL;
    if ( !area || page == 0 )
        return -XL_EINVAL;

    if ( ++l0.regs_this_epoch[vcpu] > 1 )
        raise_flag(XL_FLAG_DOUBLE_REGISTRATION, cur_site);
    l0.reg[vcpu] = area;
    reg_site[vcpu] = cur_site;
    if ( vcpu < XL_LEGACY_MAX_VCPUS )
        memcpy(area, xl_shared_info + 64 * vcpu, 64);
    else
    {
        memset(area, 0, 64);
        ((struct vcpu_info *)area)->evtchn_upcall_mask = 1;
    }
    ((struct vcpu_info *)area)->evtchn_upcall_pending = 1;
    l0.upcall[vcpu] = 1;
    return 0;
}

/* ---- upcall delivery: the spurious upcall arrives once a vector is set ---------------- */
static void deliver_upcalls(void)
{
    for ( int v = 0; v < scn.dom; v++ )
    {
        if ( !l0.upcall[v] || !l0.vector[v] )
            continue;
        for ( int c = 0; c < scn.nr; c++ )
            if ( online[c] && (int)xl_glue_vid(c) == v && xl_glue_ptr(c) != l0.reg[v] )
                raise_flag(XL_FLAG_UPCALL_MISSED, ptr_site[c]);
        l0.upcall[v] = 0;
    }
}

/* ---- events ------------------------------------------------------------------------------ */
static void reset_cpu(int c)
{
    if ( !xl_glue_keep_percpu )
        xl_glue_percpu_reset(c);
}

static int cpu_present_now(int c)
{
    return (cpu_present_map.bits[c / 64] >> (c % 64)) & 1 && c < (int)nr_cpu_ids;
}

static void set_online(int c, int on)
{
    online[c] = on;
    if ( on )
        cpu_online_map.bits[c / 64] |= 1UL << (c % 64);
    else
        cpu_online_map.bits[c / 64] &= ~(1UL << (c % 64));
}

/* Runs one event; the caller has armed the longjmp for BUG/panic. */
static int run_event(int kind, int c)
{
    switch ( kind )
    {
    case XL_EV_BOOT_BSP:
        if ( booted )
            return XL_OUT_SKIPPED;
        booted = 1;
        l0.down[scn.vid[0]] = 0;
        xl_cur_cpu = 0;
        xl_glue_setup();
        sync_effects(cur_site);
        set_online(0, 1);
        ever_up[0] = 1;
        return XL_OUT_RAN;

    case XL_EV_AP_UP:
    case XL_EV_AP_ONLINE_AGAIN:
        if ( !booted || c == 0 || online[c] || !cpu_present_now(c) ||
             ever_up[c] != (kind == XL_EV_AP_ONLINE_AGAIN) )
            return XL_OUT_SKIPPED;
        ever_up[c] = 1;
        reset_cpu(c);
        environment_done();
        l0.down[scn.vid[c]] = 0;
        xl_cur_cpu = c;
        if ( xl_glue_ap_setup() )
        {
            /* The CPU is not brought online; its per-CPU area goes away. */
            sync_effects(cur_site);
            l0.down[scn.vid[c]] = 1;
            reset_cpu(c);
            environment_done();
        }
        else
            set_online(c, 1);
        return XL_OUT_RAN;

    case XL_EV_AP_OFFLINE:
        if ( c == 0 || !online[c] )
            return XL_OUT_SKIPPED;
        set_online(c, 0);
        l0.down[scn.vid[c]] = 1;
        reset_cpu(c);
        environment_done();
        return XL_OUT_RAN;

    case XL_EV_UPCALL:
    case XL_EV_TIME_READ:
        return online[c] ? XL_OUT_RAN : XL_OUT_SKIPPED;

    case XL_EV_SUSPEND_CANCELLED:
        /* The caller returns before any of the mapping code runs. */
        return booted ? XL_OUT_RAN : XL_OUT_SKIPPED;

    case XL_EV_RESUME_NEW_L0:
    case XL_EV_RESUME_SAME_L0:
        if ( !booted || !xl_glue_has_resume )
            return XL_OUT_SKIPPED;
        if ( kind == XL_EV_RESUME_NEW_L0 )
        {
            l0.epoch++;
            for ( int v = 0; v < scn.dom; v++ )
            {
                l0.reg[v] = NULL;
                reg_site[v] = -1;
                l0.upcall[v] = l0.vector[v] = 0;
                l0.regs_this_epoch[v] = 0;
                l0.down[v] = 1;
            }
            for ( int i = 0; i < scn.nr; i++ )
                if ( online[i] )
                    l0.down[scn.vid[i]] = 0;
        }
        xl_cur_cpu = 0;
        xl_glue_resume();
        sync_effects(cur_site);
        return XL_OUT_RAN;
    }
    return XL_OUT_SKIPPED;
}

static void put_snapshot(int outcome)
{
    int kind, idx;

    put_word(outcome);
    put_word(stop_kind);
    put_word(nr_cpu_ids);
    put_word(l0.epoch);
    {
        const unsigned char *arr = xl_glue_array();
        struct alloc *a = arr ? alloc_of(arr) : NULL;
        put_word(a && !a->freed && a->base == arr ? (int)(a->size / 64) : 0);
    }
    put_word(flags);
    for ( int c = 0; c < scn.nr; c++ )
    {
        put_word(cpu_present_now(c) | online[c] << 1);
        put_word(xl_glue_vid(c));
        classify(xl_glue_ptr(c), &kind, &idx);
        put_word(kind);
        put_word(idx);
    }
    for ( int v = 0; v < scn.dom; v++ )
    {
        put_word(xl_glue_mapped(v));
        classify(l0.reg[v], &kind, &idx);
        put_word(kind);
        put_word(idx);
        put_word(l0.down[v]);
    }
    /* The causes (analyzer/model/snapshot.py, Causes). */
    /* Where the code left: in the mapping function if it ran, else anywhere. */
    put_word(last_map_site >= 0 ? last_map_site : last_site);
    put_word(stop_site);
    put_word(array_site);
    for ( int i = 0; i < NFLAGS; i++ )
        put_word(flags & (1 << i) ? flag_site[i] : -1);
    for ( int c = 0; c < scn.nr; c++ )
        put_word(ptr_site[c] < 0 || ptr_fresh[c] ? ptr_site[c] : ptr_site[c] + STALE_SITE);
    for ( int c = 0; c < scn.nr; c++ )
        put_word(left_site[c]);
    for ( int v = 0; v < scn.dom; v++ )
        put_word(bit_site[v]);
    for ( int v = 0; v < scn.dom; v++ )
        put_word(reg_site[v]);
}

static void reset_scenario(void)
{
    memset(arena, 0, (arena_used ? arena_used : ARENA_PAGES) * XL_PAGE_SIZE);
    arena_used = 1;   /* page 0 is shared_info */
    nallocs = 0;
    memset(&l0, 0, sizeof(l0));
    for ( int v = 0; v < scn.dom; v++ )
        l0.down[v] = 1;
    memset(online, 0, sizeof(online));
    memset(ever_up, 0, sizeof(ever_up));
    memset(&cpu_present_map, 0, sizeof(cpumask_t));
    memset(&cpu_online_map, 0, sizeof(cpumask_t));
    memset(&cpu_possible_map, 0, sizeof(cpumask_t));
    for ( int c = 0; c < scn.nr; c++ )
    {
        cpu_present_map.bits[c / 64] |= 1UL << (c % 64);
        cpu_possible_map.bits[c / 64] |= 1UL << (c % 64);
    }
    nr_cpu_ids = scn.nr;
    for ( int c = 0; c < XL_NR_CPUS; c++ )
        xl_glue_percpu_reset(c);
    xl_glue_init();
    booted = stop_kind = stop_line = 0;
    cur_site = last_site = last_map_site = stop_site = array_site = -1;
    for ( int c = 0; c < XL_NR_CPUS; c++ )
        ptr_site[c] = bit_site[c] = reg_site[c] = -1;
    memcpy(ptr_shadow, xl_glue_ptrs(), sizeof(ptr_shadow));
    memset(bit_shadow, 0, sizeof(bit_shadow));
    if ( bitmap_addr )
        memcpy(bit_shadow, bitmap_addr, bitmap_words() * 8);
    array_shadow = xl_glue_array();
    ntrace = trace_lost = 0;
    xl_cur_cpu = 0;
}

static int read_scenario(void)
{
    int n = get_word(), used = 0;
#define TAKE() (used++, get_word())
    scn.nr = TAKE(); scn.dom = TAKE(); scn.release = TAKE();
    scn.alloc_fails = TAKE(); scn.placement = TAKE(); scn.nfaults = TAKE();
    if ( scn.nr < 1 || scn.nr > XL_NR_CPUS || scn.dom < scn.nr || scn.dom > XL_NR_CPUS ||
         scn.nfaults < 0 || scn.nfaults > MAX_FAULTS )
        return -1;
    for ( int i = 0; i < scn.nfaults; i++ )
    {
        scn.fault_vcpu[i] = TAKE(); scn.fault_err[i] = TAKE(); scn.fault_epoch[i] = TAKE();
    }
    for ( int c = 0; c < scn.nr; c++ )
    {
        scn.vid[c] = TAKE();
        if ( scn.vid[c] < 0 || scn.vid[c] >= scn.dom )
            return -1;
    }
    scn.nevents = TAKE();
    if ( scn.nevents < 0 || scn.nevents > MAX_EVENTS )
        return -1;
    for ( int i = 0; i < scn.nevents; i++ )
    {
        scn.ev_kind[i] = TAKE(); scn.ev_cpu[i] = TAKE();
        if ( scn.ev_cpu[i] >= scn.nr )
            return -1;
    }
#undef TAKE
    return used == n ? 0 : -1;
}

/* This batch's nonce: tags every record so the reader can tell the
 * runtime's records from anything the code under test writes. */
static uint32_t nonce[2];
#define TAG_MIX 0x9E3779B9u

static void run_scenario(unsigned int index)
{
    int size = 6 + 4 * scn.nr + 4 * scn.dom + 3 + NFLAGS + 2 * scn.nr + 2 * scn.dom, halted = 0;

    reset_scenario();
    put_word((int32_t)XL_SCEN_MAGIC);
    put_word((int32_t)(nonce[0] ^ (index * TAG_MIX)));
    put_word(index);
    put_word(scn.nevents);
    put_word(size);
    for ( int i = 0; i < scn.nevents; i++ )
    {
        volatile int outcome = XL_OUT_HALTED;
        flags = 0;
        steps = 0;
        last_site = last_map_site = -1;
        memset(ptr_fresh, 0, sizeof(ptr_fresh));
        for ( int c = 0; c < XL_NR_CPUS; c++ )
            left_site[c] = -1;
        trace_add(TR_EVENT, i);
        if ( !halted )
        {
            if ( __builtin_setjmp(jmp) == 0 )
                outcome = run_event(scn.ev_kind[i], scn.ev_cpu[i]);
            else
            {
                outcome = XL_OUT_RAN;
                halted = 1;
                xl_cur_cpu = 0;
            }
            if ( !halted && outcome == XL_OUT_RAN )
                deliver_upcalls();
        }
        put_snapshot(outcome);
    }
    put_word(stop_line);
    if ( tracing )
    {
        put_word(ntrace + trace_lost);
        put_bytes(trace, 4 * ntrace);
        if ( trace_lost )
            put_word(0);   /* kind 0: the path was cut at MAX_TRACE entries */
    }
}

static void put_end(unsigned int count)
{
    put_word((int32_t)XL_END_MAGIC);
    put_word((int32_t)(nonce[1] ^ (count * TAG_MIX)));
    put_word(count);
    put_word(xl_ncov);
    put_word(xl_nstubs);
    put_word(nprintk);
    put_bytes(xl_cov, xl_ncov);
    put_bytes(xl_stub_calls, 4 * xl_nstubs);
    for ( int i = 0; i < nprintk; i++ )
    {
        char text[128] = { 0 };
        for ( int k = 0; k < 127 && printk_seen[i][k]; k++ )
            text[k] = printk_seen[i][k];
        put_bytes(text, sizeof(text));
    }
}

static void enter_sandbox(long cpu_seconds)
{
    struct rlimit cpu = { cpu_seconds, cpu_seconds + 1 };
    struct rlimit as = { 512UL << 20, 512UL << 20 };
    struct rlimit zero = { 0, 0 };
    struct rlimit one = { 1, 1 };

    setrlimit(RLIMIT_CPU, &cpu);
    setrlimit(RLIMIT_AS, &as);
    setrlimit(RLIMIT_FSIZE, &zero);
    setrlimit(RLIMIT_CORE, &zero);
    for ( int fd = 1; fd < 1024; fd++ )
        close(fd);
    setrlimit(RLIMIT_NOFILE, &one);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if ( prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) )
        syscall(SYS_exit, 5);
}

int main(int argc, char **argv)
{
    long cpu_seconds = 10;
    unsigned int count;

    if ( argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9' )
    {
        cpu_seconds = 0;
        for ( const char *p = argv[1]; *p >= '0' && *p <= '9'; p++ )
            cpu_seconds = cpu_seconds * 10 + (*p - '0');
    }
    xl_shared_info = arena;
    enter_sandbox(cpu_seconds);

    if ( (uint32_t)get_word() != XL_IN_MAGIC )
        syscall(SYS_exit, 6);
    nonce[0] = get_word();
    nonce[1] = get_word();
    tracing = get_word() == 1;
    count = get_word();
    for ( unsigned int i = 0; i < count; i++ )
    {
        if ( read_scenario() )
            syscall(SYS_exit, 7);
        run_scenario(i);
    }
    put_end(count);
    flush_out();
    syscall(SYS_exit, 0);
    return 0;
}

/*
 * xenlint harness prelude: a small Xen-like environment for extracted
 * vcpu_info mapping code. Written for xenlint; it mirrors Xen's interfaces
 * (names, argument order, return conventions), not its implementation.
 * Every effect the model cares about goes through the runtime (abi.h).
 */
/* The unit is compiled with -nostdinc: no header but the harness's own.
 * The standard types come from the compiler's predefined macros. */
typedef __INT8_TYPE__ int8_t;     typedef __UINT8_TYPE__ uint8_t;
typedef __INT16_TYPE__ int16_t;   typedef __UINT16_TYPE__ uint16_t;
typedef __INT32_TYPE__ int32_t;   typedef __UINT32_TYPE__ uint32_t;
typedef __INT64_TYPE__ int64_t;   typedef __UINT64_TYPE__ uint64_t;
typedef __INTPTR_TYPE__ intptr_t; typedef __UINTPTR_TYPE__ uintptr_t;
typedef __SIZE_TYPE__ size_t;     typedef __PTRDIFF_TYPE__ ptrdiff_t;
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
#define bool _Bool
#define true 1
#define false 0

/* ---- types -------------------------------------------------------------- */
typedef uint8_t u8;   typedef uint16_t u16;  typedef uint32_t u32;  typedef uint64_t u64;
typedef int8_t s8;    typedef int16_t s16;   typedef int32_t s32;   typedef int64_t s64;
typedef unsigned long mfn_t;
typedef unsigned long paddr_t;
typedef unsigned long xen_pfn_t;
typedef int domid_t;
struct cpu_user_regs { unsigned long rip; };

/* ---- attributes and compiler helpers ------------------------------------ */
#define __init
#define __initdata
#define __initconst
#define __initconst_cf_clobber
#define __read_mostly
#define __ro_after_init
#define __maybe_unused __attribute__((unused))
#define __used __attribute__((used))
#define cf_check
#define noinline __attribute__((noinline))
#define likely(x) (x)
#define unlikely(x) (x)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define smp_mb() barrier()
#define smp_wmb() barrier()
#define smp_rmb() barrier()
#define ACCESS_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define read_atomic(p) (*(volatile __typeof__(*(p)) *)(p))
#define write_atomic(p, v) (*(volatile __typeof__(*(p)) *)(p) = (v))
#define xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define IS_ENABLED(x) 0

/* ---- constants ------------------------------------------------------------ */
#define NR_CPUS XL_NR_CPUS
#define BITS_PER_LONG 64
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define PAGE_SHIFT 12
#define PAGE_SIZE XL_PAGE_SIZE
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define XEN_LEGACY_MAX_VCPUS XL_LEGACY_MAX_VCPUS
#define MAX_VIRT_CPUS XL_LEGACY_MAX_VCPUS
#define VCPUOP_register_vcpu_info 10
#define ENOENT 2
#define ENXIO 6
#define ENOMEM 12
#define EACCES 13
#define EBUSY 16
#define EINVAL 22
#define ENOSYS 38
#define EOPNOTSUPP 95
#define XENLOG_ERR ""
#define XENLOG_WARNING ""
#define XENLOG_INFO ""
#define XENLOG_DEBUG ""
#define XENLOG_G_ERR ""
#define XENLOG_G_WARNING ""
#define XENLOG_G_INFO ""
#define KERN_ERR ""
#define KERN_WARNING ""
#define KERN_INFO ""

/* ---- shared_info ------------------------------------------------------------ */
struct shared_info {
    struct vcpu_info vcpu_info[XL_LEGACY_MAX_VCPUS];
    unsigned long evtchn_pending[64];
    unsigned long evtchn_mask[64];
    unsigned int wc_version, wc_sec, wc_nsec, wc_sec_hi;
};
#define XEN_shared_info ((struct shared_info *)xl_shared_info)
#define HYPERVISOR_shared_info XEN_shared_info

/* ---- per-CPU data ------------------------------------------------------------- */
#define DEFINE_PER_CPU(type, name) __typeof__(type) per_cpu__##name[XL_NR_CPUS]
#define DEFINE_PER_CPU_READ_MOSTLY(type, name) DEFINE_PER_CPU(type, name)
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) per_cpu__##name[XL_NR_CPUS]
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU(type, name)
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) DEFINE_PER_CPU(type, name)

/* ---- Linux's names for the same things ------------------------------------------ */
#define xen_vcpu_nr(cpu) xl_vcpu_nr(cpu)
#define XEN_VCPU_ID_INVALID 0xffffffffU
#define U32_MAX 0xffffffffU
#define SMP_CACHE_BYTES 64
#define BUILD_BUG_ON(c) ((void)sizeof(char[1 - 2 * !!(c)]))
#define xen_hvm_domain() 1
#define xen_pv_domain() 0
#define xen_pvh_domain() 0
#define xen_feature(f) 0
#define arbitrary_virt_to_mfn(va) virt_to_mfn(va)
#define VCPUOP_is_up 3
#define VCPUOP_up 0
#define VCPUOP_down 2
#define per_cpu(name, cpu) (per_cpu__##name[xl_cpu_index(cpu)])
#define this_cpu(name) (per_cpu__##name[xl_cur_cpu])
#define smp_processor_id() (xl_cur_cpu)
static inline unsigned int xl_cpu_index(long cpu)
{
    if ( cpu < 0 || cpu >= XL_NR_CPUS ) { xl_index_out_of_range(); return 0; }
    return (unsigned int)cpu;
}

/* ---- bit operations (bounds-checked against known bitmaps) -------------------- */
#define test_bit(nr, addr) xl_bitop(XL_BIT_TEST, (nr), (volatile void *)(addr))
#define set_bit(nr, addr) ((void)xl_bitop(XL_BIT_SET, (nr), (volatile void *)(addr)))
#define __set_bit set_bit
#define clear_bit(nr, addr) ((void)xl_bitop(XL_BIT_CLEAR, (nr), (volatile void *)(addr)))
#define __clear_bit clear_bit
#define test_and_set_bit(nr, addr) xl_bitop(XL_BIT_TEST_SET, (nr), (volatile void *)(addr))
#define __test_and_set_bit test_and_set_bit
#define test_and_clear_bit(nr, addr) xl_bitop(XL_BIT_TEST_CLEAR, (nr), (volatile void *)(addr))
#define __test_and_clear_bit test_and_clear_bit
static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
    for ( unsigned int i = 0; i < BITS_TO_LONGS(nbits); i++ ) dst[i] = 0;
}
static inline void bitmap_fill(unsigned long *dst, unsigned int nbits)
{
    for ( unsigned int i = 0; i < nbits; i++ ) set_bit(i, dst);
}
static inline unsigned int find_first_set_bit(unsigned long w) { return __builtin_ctzl(w); }

/* ---- CPU masks ------------------------------------------------------------------ */
static inline void __cpumask_clear_cpu(long cpu, cpumask_t *m) { clear_bit(cpu, m->bits); }
static inline void __cpumask_set_cpu(long cpu, cpumask_t *m) { set_bit(cpu, m->bits); }
#define cpumask_clear_cpu __cpumask_clear_cpu
#define cpumask_set_cpu __cpumask_set_cpu
static inline int cpumask_test_cpu(long cpu, const cpumask_t *m) { return test_bit(cpu, m->bits); }
#define cpu_online(c) cpumask_test_cpu((c), &cpu_online_map)
#define cpu_present(c) cpumask_test_cpu((c), &cpu_present_map)
#define cpu_possible(c) ((c) < nr_cpu_ids)
static inline unsigned int xl_next_cpu(long c, const cpumask_t *m)
{
    for ( c++; c < (long)nr_cpu_ids; c++ )
        if ( cpumask_test_cpu(c, m) ) return (unsigned int)c;
    return nr_cpu_ids;
}
#define for_each_cpu(c, m) for ( (c) = xl_next_cpu(-1, (m)); (c) < nr_cpu_ids; (c) = xl_next_cpu((c), (m)) )
#define for_each_online_cpu(c) for_each_cpu(c, &cpu_online_map)
#define for_each_present_cpu(c) for_each_cpu(c, &cpu_present_map)
#define for_each_possible_cpu(c) for ( (c) = 0; (c) < nr_cpu_ids; (c)++ )
static inline unsigned int num_online_cpus(void)
{
    unsigned int n = 0, c;
    for_each_online_cpu ( c ) n++;
    return n;
}

/* ---- memory ---------------------------------------------------------------------- */
#define xmalloc(t) ((t *)xl_alloc(sizeof(t), __alignof__(t), 0))
#define xzalloc(t) ((t *)xl_alloc(sizeof(t), __alignof__(t), 1))
#define xmalloc_array(t, n) ((t *)xl_alloc(sizeof(t) * (unsigned long)(n), __alignof__(t), 0))
#define xzalloc_array(t, n) ((t *)xl_alloc(sizeof(t) * (unsigned long)(n), __alignof__(t), 1))
#define xvmalloc_array xmalloc_array
#define xvzalloc_array xzalloc_array
#define _xmalloc(size, align) xl_alloc((size), (align), 0)
#define _xzalloc(size, align) xl_alloc((size), (align), 1)
#define _xmalloc_array(size, align, n) xl_alloc((size) * (unsigned long)(n), (align), 0)
#define _xzalloc_array(size, align, n) xl_alloc((size) * (unsigned long)(n), (align), 1)
#define xfree(p) xl_free(p)
#define xvfree(p) xl_free(p)
#define XFREE(p) do { xl_free(p); (p) = NULL; } while ( 0 )
#define alloc_xenheap_page() xl_alloc(PAGE_SIZE, PAGE_SIZE, 1)
#define free_xenheap_page(p) xl_free(p)
#define virt_to_mfn(va) xl_virt_to_mfn((const void *)(va))
#define __virt_to_mfn virt_to_mfn
#define mfn_x(m) ((unsigned long)(m))
#define _mfn(m) ((mfn_t)(m))
#define virt_to_maddr(va) (xl_virt_to_mfn((const void *)(va)) << PAGE_SHIFT | ((unsigned long)(va) & ~PAGE_MASK))
#define __pa virt_to_maddr
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)

/* ---- hypercalls ------------------------------------------------------------------ */
#define xen_hypercall_vcpu_op(cmd, vcpu, arg) xl_vcpu_op((cmd), (vcpu), (arg))
#define HYPERVISOR_vcpu_op(cmd, vcpu, arg) xl_vcpu_op((cmd), (vcpu), (arg))

/* ---- stopping, checking, logging -------------------------------------------------- */
#define BUG() xl_stop(XL_STOP_BUG, __LINE__)
#define BUG_ON(c) do { if ( c ) xl_stop(XL_STOP_BUG, __LINE__); } while ( 0 )
#define ASSERT(c) do { if ( !(c) ) xl_stop(XL_STOP_ASSERT, __LINE__); } while ( 0 )
#define ASSERT_UNREACHABLE() xl_stop(XL_STOP_ASSERT, __LINE__)
#define panic(...) xl_stop(XL_STOP_PANIC, __LINE__)
#define WARN_ON(c) ({ int xl_w_ = !!(c); if ( xl_w_ ) xl_warn(__LINE__); xl_w_; })
#define WARN() xl_warn(__LINE__)
#define printk(fmt, ...) xl_printk(fmt)
#define dprintk(lvl, fmt, ...) xl_printk(fmt)
#define gprintk(lvl, fmt, ...) xl_printk(fmt)

/* ---- cross-CPU calls ------------------------------------------------------------------ */
#define smp_call_function(fn, info, wait) xl_smp_call_function((fn), (info))
#define on_selected_cpus(mask, fn, info, wait) xl_smp_call_function((fn), (info))

/* ---- instrumentation inserted by the generator ---------------------------------------- */
#define XL_BR(id, c) ({ int xl_c_ = !!(c); xl_branch((id), xl_c_); xl_c_; })
#define XL_AT(id) xl_at(id)
#define XL_DONE(id) xl_done(id)
#define XL_STEP() xl_step()

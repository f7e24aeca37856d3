/*
 * xenlint harness: what the runtime (runtime.c) and the translation unit
 * holding the extracted code (prelude.h + extracted functions) share.
 *
 * The extracted code's unit includes no C library header, so a name the
 * code calls that the prelude does not define becomes a recorded stub
 * (or, for a C library function, a call the sandbox stops).
 */
#ifndef XL_ABI_H
#define XL_ABI_H

#define XL_NR_CPUS 128
#define XL_PAGE_SIZE 4096UL
#define XL_LEGACY_MAX_VCPUS 32

struct vcpu_time_info {
    unsigned int version;
    unsigned int pad0;
    unsigned long long tsc_timestamp;
    unsigned long long system_time;
    unsigned int tsc_to_system_mul;
    signed char tsc_shift;
    unsigned char flags;
    unsigned char pad1[2];
};

/* 64 bytes, alignment 8, as on x86 (public/xen.h). */
struct vcpu_info {
    unsigned char evtchn_upcall_pending;
    unsigned char evtchn_upcall_mask;
    unsigned char pad0[6];
    unsigned long evtchn_pending_sel;
    unsigned long arch_cr2;
    unsigned long arch_pad;
    struct vcpu_time_info time;
};

struct vcpu_register_vcpu_info {
    unsigned long long mfn;
    unsigned int offset;
    unsigned int rsvd;
};

typedef struct { unsigned long bits[XL_NR_CPUS / 64]; } cpumask_t;

/* Guest-visible globals the runtime owns. */
extern unsigned int xl_cur_cpu;
extern unsigned int nr_cpu_ids;
extern cpumask_t cpu_present_map, cpu_online_map, cpu_possible_map;
extern unsigned char *xl_shared_info;

/* Runtime services used by the prelude's macros. */
void *xl_alloc(unsigned long size, unsigned long align, int zero);
void xl_free(const void *p);
unsigned long xl_virt_to_mfn(const void *p);
long xl_vcpu_op(int cmd, unsigned int vcpu, void *arg);
void xl_env_set_vector(void);
unsigned int xl_env_vcpu_id(void);
void xl_stop(int kind, int line) __attribute__((noreturn));
void xl_printk(const char *fmt);
void xl_warn(int line);
void xl_smp_call_function(void (*fn)(void *), void *info);
void xl_stub_called(int id);
void xl_step(void);
int xl_bitop(int op, long nr, volatile void *addr);
void xl_index_out_of_range(void);
void xl_register_bitmap(const void *addr, unsigned long bits);
void xl_percpu_area(void **slot, unsigned long align);
void xl_env_set_vector_online(void);
unsigned int xl_vcpu_nr(long cpu);
extern const int xl_glue_keep_percpu;
void xl_at(int site);
void xl_done(int site);
void xl_branch(int id, int taken);

/* What the generated glue gives the runtime. */
void xl_glue_init(void);
int xl_glue_setup(void);
int xl_glue_ap_setup(void);
extern const int xl_glue_has_resume;
void xl_glue_resume(void);
void xl_glue_percpu_reset(unsigned int cpu);
void *xl_glue_ptr(unsigned int cpu);
const void *xl_glue_ptrs(void);
extern const int xl_glue_map_sites[2];   /* site ids of the mapping function: [first, end) */
unsigned int xl_glue_vid(unsigned int cpu);
void *xl_glue_array(void);
int xl_glue_mapped(unsigned int vcpu);
extern unsigned char xl_cov[];
extern const int xl_ncov;
extern unsigned int xl_stub_calls[];
extern const int xl_nstubs;

enum { XL_BIT_TEST, XL_BIT_SET, XL_BIT_CLEAR, XL_BIT_TEST_SET, XL_BIT_TEST_CLEAR };

#endif

/* mmulab.h — regions of interest, the way gem5's m5 ops mark them from inside a guest (m5_reset_stats,
 * m5_dump_stats, m5_dump_reset_stats).
 *
 * System calls numbered from MMULAB_SYSCALL_BASE (0x2000), above Linux's riscv64 table and the Mach calls (0x1000),
 * made with ecall: a7 = number, a0 = the dump's tag, a0 = 0 on return. mmulab's --stats, --json and --stats-file
 * then report the counters since the last reset; each dump is kept (--json "dumps", one block each in the stats
 * file). Under Linux or qemu-user they return -ENOSYS and do nothing, so a guest runs unchanged everywhere. */
#ifndef MMULAB_MMULAB_H
#define MMULAB_MMULAB_H

#define MMULAB_SYSCALL_BASE       0x2000
#define MMULAB_reset_stats        (MMULAB_SYSCALL_BASE + 0)
#define MMULAB_dump_stats         (MMULAB_SYSCALL_BASE + 1)
#define MMULAB_dump_reset_stats   (MMULAB_SYSCALL_BASE + 2)

static inline long mmulab_op(long n, long tag)
{
    register long a0 __asm__("a0") = tag;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

/* Counting starts again here (cumulative counters; levels such as frames in use are kept). */
static inline void mmulab_reset_stats(void) { mmulab_op(MMULAB_reset_stats, 0); }
/* Records the counters since the last reset under `tag`. */
static inline void mmulab_dump_stats(long tag) { mmulab_op(MMULAB_dump_stats, tag); }
/* Both: dump, then reset (one row of a time series per call). */
static inline void mmulab_dump_reset_stats(long tag) { mmulab_op(MMULAB_dump_reset_stats, tag); }

#endif

/* sysfuzz — random system calls with seeded random arguments, as an attacker would make them: numbers from the
 * whole table (and beyond), arguments drawn from NULL, unmapped, kernel-half, misaligned and valid pointers, huge
 * and negative lengths, negative and random descriptors, random flags. A deterministic stream for a given seed.
 * Nothing here checks results: the point is that the host survives every call and honours --max-insns.
 *   sysfuzz [seed=1] [calls=1000]
 * exit, exit_group, rt_sigreturn and the calls that replace the program are left out so that a run makes its calls;
 * every other number is fair (kill of itself, fork, mmap over its own memory, ... end it in their own ways). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "guest.h"

static unsigned char buf[65536] __attribute__((aligned(4096)));

static long raw6(long n, long a, long b, long c, long d, long e, long f)
{
    register long a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d, a4 __asm__("a4") = e, a5 __asm__("a5") = f, a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
    return a0;
}

static uint64_t arg(uint64_t *s)
{
    uint32_t k = lcg32(s) % 24;
    uint64_t r = lcg_next(s);
    switch (k) {
    case 0: return 0;                                          /* NULL, fd 0, no flags */
    case 1: return 1;
    case 2: return (uint64_t)-1;                               /* -1: an error value, all flags */
    case 3: return (uint64_t)-(long)(r % 4096);                /* negative */
    case 4: return 0xdead0000;                                 /* unmapped */
    case 5: return 0xffffffc000000000ull + (r & 0xffff);       /* kernel half */
    case 6: return (uintptr_t)buf + 1 + (r % 7);               /* misaligned pointer into valid memory */
    case 7: case 8: case 9: return (uintptr_t)buf + (r % sizeof buf & ~7ull);   /* valid pointer */
    case 10: return (uintptr_t)buf + sizeof buf - (r % 16);    /* straddling the end of valid memory */
    case 11: return 1ull << (r % 64);                          /* one bit: a flag, a huge length */
    case 12: return r;                                         /* anything */
    case 13: return r & 0xffffffff;
    case 14: return (uint64_t)1 << 40;                         /* huge length */
    case 15: return 0x7fffffffffffffffull;
    case 16: return r % 16;                                    /* small descriptor or count */
    case 17: return r % 4096;
    case 18: return 4096 * (r % 64);                           /* page multiples */
    case 19: return (uintptr_t)buf & ~4095ull;                 /* page-aligned valid address */
    case 20: return (uintptr_t)&arg;                           /* our own code */
    case 21: return (uintptr_t)__builtin_frame_address(0) - (r % 8192);   /* the stack */
    case 22: return 0x10000 + 4096 * (r % 1024);               /* the low user range */
    default: return r % 1000;
    }
}

int main(int argc, char **argv)
{
    uint64_t s = (uint64_t)arg_long(argc, argv, 1, 1) * 0x9E3779B97F4A7C15ull + 1;
    long calls = arg_long(argc, argv, 2, 1000);
    for (long i = 0; i < calls; i++) {
        long nr;
        do {
            uint32_t pick = lcg32(&s);
            nr = pick % 8 == 0 ? (long)(pick >> 3) % 1100 - 50 : (long)(pick >> 3) % 460;
        } while (nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn || nr == SYS_execve ||
                 nr == SYS_execveat);
        uint64_t a[6];
        for (int k = 0; k < 6; k++) a[k] = arg(&s);
        raw6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    printf("sysfuzz: %ld calls made\n", calls);
    return 0;
}

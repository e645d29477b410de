/* divzero — RISC-V integer division never traps: x/0 is all ones (unsigned: 2^XLEN-1), x%0 is x, and the signed
 * overflow INT_MIN/-1 gives INT_MIN with remainder 0. Prints the results for 64-bit and 32-bit (W) forms, both from
 * inline assembly and from plain C on volatile operands, and exits 0. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#define OP(insn, a, b)                                                                                           \
    ({                                                                                                           \
        long r_;                                                                                                 \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((long)(a)), "r"((long)(b)));                      \
        r_;                                                                                                      \
    })

static void show(const char *what, long a, long b, long r)
{
    printf("%-6s %20ld %3ld -> %20ld (0x%016lx)\n", what, a, b, r, (unsigned long)r);
}

int main(void)
{
    static const long vals[] = {0, 1, -1, 7, -7, LONG_MIN, LONG_MAX, INT_MIN, INT_MAX, 0x1234567800000005L};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        long a = vals[i];
        show("div", a, 0, OP("div", a, 0));
        show("divu", a, 0, OP("divu", a, 0));
        show("rem", a, 0, OP("rem", a, 0));
        show("remu", a, 0, OP("remu", a, 0));
        show("divw", a, 0, OP("divw", a, 0));
        show("divuw", a, 0, OP("divuw", a, 0));
        show("remw", a, 0, OP("remw", a, 0));
        show("remuw", a, 0, OP("remuw", a, 0));
    }
    show("div", LONG_MIN, -1, OP("div", LONG_MIN, -1));
    show("rem", LONG_MIN, -1, OP("rem", LONG_MIN, -1));
    show("divw", INT_MIN, -1, OP("divw", INT_MIN, -1));
    show("remw", INT_MIN, -1, OP("remw", INT_MIN, -1));
    show("divw", 0x80000000L, -1, OP("divw", 0x80000000L, -1));
    show("divu", LONG_MIN, -1, OP("divu", LONG_MIN, -1));

    /* the same through C: the compiler emits the instructions without any check */
    volatile long z = 0, m1 = -1, lmin = LONG_MIN;
    volatile int zi = 0, m1i = -1, imin = INT_MIN;
    volatile unsigned long zu = 0;
    printf("C: 5/0=%ld 5%%0=%ld 5u/0=%lu LONG_MIN/-1=%ld LONG_MIN%%-1=%ld\n", 5 / z, 5 % z, 5ul / zu,
           lmin / m1, lmin % m1);
    printf("C int: 5/0=%d INT_MIN/-1=%d INT_MIN%%-1=%d\n", 5 / zi, imin / m1i, imin % m1i);
    printf("divzero: no trap\n");
    return 0;
}

/* isa_muldiv — M extension edge cases: mul/mulh/mulhsu/mulhu, div/divu/rem/remu (division by zero gives all ones
 * or the dividend, signed overflow gives the dividend / zero, nothing traps), and the W forms with their sign
 * extension (the upper 32 bits of the operands must be ignored). */
#include "rt.h"

static const u64 V[] = {
    0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff, 0x0000000000000002,
    0x0000000000000003, 0xfffffffffffffffd, 0x0000000000000007, 0x000000007fffffff,
    0x0000000080000000, 0x00000000ffffffff, 0xffffffff80000000, 0xffffffff00000001,
    0x7fffffffffffffff, 0x8000000000000000, 0x123456789abcdef0, 0xfedcba9876543210,
    0x00000001fffffffe, 0x5555555555555555,
};

#define RR(op)                                                                                                   \
    static void rr_##op(void)                                                                                    \
    {                                                                                                            \
        for (unsigned i = 0; i < NELEM(V); i++)                                                                  \
            for (unsigned j = 0; j < NELEM(V); j++) {                                                            \
                u64 r;                                                                                           \
                __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(V[i]), "r"(V[j]));                           \
                line2(#op, V[i], V[j], r);                                                                       \
            }                                                                                                    \
    }

RR(mul) RR(mulh) RR(mulhsu) RR(mulhu) RR(div) RR(divu) RR(rem) RR(remu)
RR(mulw) RR(divw) RR(divuw) RR(remw) RR(remuw)

/* rd aliasing one of the sources must use the old value */
static void aliasing(void)
{
    u64 a = 0x123456789, b = 0x1000;
    __asm__ volatile("mul %0, %0, %1" : "+r"(a) : "r"(b));
    line1("mul-rd-eq-rs1", 0, a);
    a = 1000003;
    __asm__ volatile("div %0, %0, %0" : "+r"(a));
    line1("div-rd-eq-rs1-eq-rs2", 0, a);
    a = 0;
    __asm__ volatile("divu %0, %0, %0" : "+r"(a));
    line1("divu-zero-by-self", 0, a);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    section("multiply");
    rr_mul(); rr_mulh(); rr_mulhsu(); rr_mulhu();
    section("divide");
    rr_div(); rr_divu(); rr_rem(); rr_remu();
    section("W forms");
    rr_mulw(); rr_divw(); rr_divuw(); rr_remw(); rr_remuw();
    section("aliasing");
    aliasing();
    puts_("isa_muldiv done\n");
    return 0;
}

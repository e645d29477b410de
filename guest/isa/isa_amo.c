/* isa_amo — A extension: every AMO (.w and .d) over a grid of memory values and operands, printing the value
 * returned in rd (sign-extended for .w) and the whole doubleword in memory afterwards (a .w AMO must leave the other
 * half untouched); LR/SC success and the failure cases (SC with no reservation, SC to another address, SC after the
 * reservation was consumed, SC after an intervening store of a different value), sign extension of lr.w, aq/rl
 * encodings, rd = x0 and rd = rs2 aliasing, and an LR/SC increment loop. */
#include "rt.h"

static const u64 MEMV[] = {
    0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff, 0x000000007fffffff,
    0x0000000080000000, 0x8000000000000000, 0x7fffffffffffffff, 0x123456789abcdef0,
};
static const u64 OPV[] = {
    0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff, 0x00000000ffffffff,
    0x0000000080000000, 0x8000000000000000, 0x7fffffff7fffffff, 0xfedcba9876543210,
};

static volatile u64 cell[4] __attribute__((aligned(16)));

/* .d: one doubleword; .w: the low word (offset 0) and the high word (offset 4) of cell[0], the other half holding
 * 0x5a5a5a5a */
#define AMO(op)                                                                                                  \
    static void amo_##op(void)                                                                                   \
    {                                                                                                            \
        for (unsigned i = 0; i < NELEM(MEMV); i++)                                                               \
            for (unsigned j = 0; j < NELEM(OPV); j++) {                                                          \
                u64 rd;                                                                                          \
                cell[0] = MEMV[i];                                                                               \
                __asm__ volatile(#op ".d %0, %1, (%2)" : "=&r"(rd) : "r"(OPV[j]), "r"(&cell[0]) : "memory");     \
                puts_(#op ".d ");                                                                                \
                puthex(MEMV[i]);                                                                                 \
                putch(' ');                                                                                      \
                puthex(OPV[j]);                                                                                  \
                puts_(" -> ");                                                                                   \
                puthex(rd);                                                                                      \
                putch(' ');                                                                                      \
                puthex(cell[0]);                                                                                 \
                nl();                                                                                            \
                for (unsigned off = 0; off <= 4; off += 4) {                                                     \
                    u64 init = off ? (MEMV[i] << 32 | 0x5a5a5a5aul) : (0x5a5a5a5aul << 32 | (u32)MEMV[i]);      \
                    cell[0] = init;                                                                              \
                    __asm__ volatile(#op ".w %0, %1, (%2)"                                                      \
                                     : "=&r"(rd)                                                                 \
                                     : "r"(OPV[j]), "r"((volatile char *)&cell[0] + off)                         \
                                     : "memory");                                                                \
                    puts_(#op ".w");                                                                             \
                    putch(off ? 'H' : 'L');                                                                      \
                    putch(' ');                                                                                  \
                    puthex(init);                                                                                \
                    putch(' ');                                                                                  \
                    puthex(OPV[j]);                                                                              \
                    puts_(" -> ");                                                                               \
                    puthex(rd);                                                                                  \
                    putch(' ');                                                                                  \
                    puthex(cell[0]);                                                                             \
                    nl();                                                                                        \
                }                                                                                                \
            }                                                                                                    \
    }

AMO(amoswap) AMO(amoadd) AMO(amoxor) AMO(amoand) AMO(amoor)
AMO(amomin) AMO(amomax) AMO(amominu) AMO(amomaxu)

static void report(const char *name, u64 sc_result, u64 loaded)
{
    puts_(name);
    puts_(" sc=");
    puts_(sc_result == 0 ? "ok" : "fail");
    puts_(" lr=");
    puthex(loaded);
    puts_(" mem=");
    puthex(cell[0]);
    putch(' ');
    puthex(cell[1]);
    nl();
}

static void lrsc(void)
{
    u64 sc, v;

    /* 1. plain success */
    cell[0] = 0x1111; cell[1] = 0x2222;
    __asm__ volatile("lr.d %1, (%2)\n"
                     "sc.d %0, %3, (%2)"
                     : "=&r"(sc), "=&r"(v) : "r"(&cell[0]), "r"(0xabcdul) : "memory");
    report("lr.d/sc.d", sc, v);

    /* 2. SC again: the reservation was consumed by the first SC */
    __asm__ volatile("sc.d %0, %1, (%2)" : "=&r"(sc) : "r"(0x5555ul), "r"(&cell[0]) : "memory");
    report("sc.d-after-sc", sc, 0);

    /* 3. SC with no LR at all (after a failed SC, nothing is reserved) */
    __asm__ volatile("sc.d %0, %1, (%2)" : "=&r"(sc) : "r"(0x6666ul), "r"(&cell[0]) : "memory");
    report("sc.d-no-lr", sc, 0);

    /* 4. SC to a different address than the LR */
    cell[0] = 0x1111; cell[1] = 0x2222;
    __asm__ volatile("lr.d %1, (%2)\n"
                     "sc.d %0, %3, (%4)"
                     : "=&r"(sc), "=&r"(v) : "r"(&cell[0]), "r"(0x7777ul), "r"(&cell[1]) : "memory");
    report("sc.d-other-address", sc, v);
    /* ... and that failed SC also ended the reservation on cell[0] */
    __asm__ volatile("sc.d %0, %1, (%2)" : "=&r"(sc) : "r"(0x8888ul), "r"(&cell[0]) : "memory");
    report("sc.d-after-failed-sc", sc, 0);

    /* 5. an intervening store of a different value to the reserved doubleword */
    cell[0] = 0x1111; cell[1] = 0x2222;
    __asm__ volatile("lr.d %1, (%2)\n"
                     "sd %4, 0(%2)\n"
                     "sc.d %0, %3, (%2)"
                     : "=&r"(sc), "=&r"(v) : "r"(&cell[0]), "r"(0x9999ul), "r"(0x4242ul) : "memory");
    report("sc.d-after-store", sc, v);

    /* 6. a store to an unrelated doubleword does not disturb the reservation */
    cell[0] = 0x1111; cell[1] = 0x2222;
    __asm__ volatile("lr.d %1, (%2)\n"
                     "sd %4, 0(%5)\n"
                     "sc.d %0, %3, (%2)"
                     : "=&r"(sc), "=&r"(v)
                     : "r"(&cell[0]), "r"(0xaaaaul), "r"(0x4343ul), "r"(&cell[3])
                     : "memory");
    report("sc.d-after-unrelated-store", sc, v);

    /* 7. lr.w sign-extends; sc.w writes only 32 bits */
    cell[0] = 0x0123456780000000ul; cell[1] = 0;
    __asm__ volatile("lr.w %1, (%2)\n"
                     "sc.w %0, %3, (%2)"
                     : "=&r"(sc), "=&r"(v) : "r"(&cell[0]), "r"(0xfffffffffedcba98ul) : "memory");
    report("lr.w/sc.w-low", sc, v);
    cell[0] = 0x89abcdef00000000ul;
    __asm__ volatile("lr.w %1, (%2)\n"
                     "sc.w %0, %3, (%2)"
                     : "=&r"(sc), "=&r"(v) : "r"((volatile char *)&cell[0] + 4), "r"(0x7654321ul) : "memory");
    report("lr.w/sc.w-high", sc, v);
    __asm__ volatile("sc.w %0, %1, (%2)" : "=&r"(sc) : "r"(0x1ul), "r"(&cell[0]) : "memory");
    report("sc.w-no-lr", sc, 0);

    /* 8. aq/rl encodings behave the same in a single hart */
    cell[0] = 5; cell[1] = 0;
    __asm__ volatile("lr.d.aq %1, (%2)\n"
                     "addi %1, %1, 10\n"
                     "sc.d.rl %0, %1, (%2)"
                     : "=&r"(sc), "=&r"(v) : "r"(&cell[0]) : "memory");
    report("lr.d.aq/sc.d.rl", sc, v);
    __asm__ volatile("lr.w.aqrl %1, (%2)\n"
                     "addi %1, %1, 1\n"
                     "sc.w.aqrl %0, %1, (%2)"
                     : "=&r"(sc), "=&r"(v) : "r"(&cell[0]) : "memory");
    report("lr.w.aqrl/sc.w.aqrl", sc, v);

    /* 9. LR/SC increment loop */
    cell[0] = 0; cell[1] = 0;
    for (int i = 0; i < 100; i++) {
        __asm__ volatile("1: lr.d %0, (%2)\n"
                         "addi %0, %0, 3\n"
                         "sc.d %1, %0, (%2)\n"
                         "bnez %1, 1b"
                         : "=&r"(v), "=&r"(sc) : "r"(&cell[0]) : "memory");
    }
    report("lr/sc-loop", 0, v);
}

static void rd_mem(const char *name, u64 rd)
{
    puts_(name);
    puts_(" rd=");
    puthex(rd);
    puts_(" mem=");
    puthex(cell[0]);
    nl();
}

static void amo_misc(void)
{
    u64 rd;
    cell[0] = 40;
    __asm__ volatile("amoadd.d x0, %0, (%1)" : : "r"(2ul), "r"(&cell[0]) : "memory");
    rd_mem("amoadd.d-rd-x0", 0);
    rd = 0x77;
    cell[0] = 0x33;
    __asm__ volatile("amoswap.d %0, %0, (%1)" : "+r"(rd) : "r"(&cell[0]) : "memory");
    rd_mem("amoswap.d-rd-eq-rs2", rd);
    rd = 0x100000005;
    cell[0] = 0xffffffff00000003ul;
    __asm__ volatile("amoadd.w.aqrl %0, %0, (%1)" : "+r"(rd) : "r"(&cell[0]) : "memory");
    rd_mem("amoadd.w.aqrl-rd-eq-rs2", rd);
    cell[0] = 7;
    __asm__ volatile("amoor.d.aq %0, %1, (%2)" : "=&r"(rd) : "r"(8ul), "r"(&cell[0]) : "memory");
    rd_mem("amoor.d.aq", rd);
    cell[0] = 0xf0;
    __asm__ volatile("amoand.w.rl %0, %1, (%2)" : "=&r"(rd) : "r"(0x3cul), "r"(&cell[0]) : "memory");
    rd_mem("amoand.w.rl", rd);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    section("amo");
    amo_amoswap(); amo_amoadd(); amo_amoxor(); amo_amoand(); amo_amoor();
    amo_amomin(); amo_amomax(); amo_amominu(); amo_amomaxu();
    section("amo aliasing and ordering bits");
    amo_misc();
    section("lr/sc");
    lrsc();
    puts_("isa_amo done\n");
    return 0;
}

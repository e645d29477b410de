/* isa_int — RV64I edge cases: register-register and immediate arithmetic, shifts (incl. shift amounts that must be
 * masked), compares, W-forms and their sign extension, lui/auipc, branches, jal/jalr link values, loads with sign or
 * zero extension, stores of every width, misaligned loads/stores (which Linux makes transparent), and x0. */
#include "rt.h"

static const u64 V[] = {
    0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff, 0x0000000000000002,
    0x000000000000001f, 0x0000000000000020, 0x000000000000003f, 0x0000000000000040,
    0x000000007fffffff, 0x0000000080000000, 0x00000000ffffffff, 0xffffffff80000000,
    0x7fffffffffffffff, 0x8000000000000000, 0x123456789abcdef0, 0xfedcba9876543210,
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

RR(add) RR(sub) RR(sll) RR(slt) RR(sltu) RR(xor) RR(srl) RR(sra) RR(or) RR(and)
RR(addw) RR(subw) RR(sllw) RR(srlw) RR(sraw)

/* immediate forms: one asm per immediate value */
#define RI1(op, imm)                                                                                             \
    for (unsigned i = 0; i < NELEM(V); i++) {                                                                    \
        u64 r;                                                                                                   \
        __asm__ volatile(#op " %0, %1, " #imm : "=r"(r) : "r"(V[i]));                                           \
        line2(#op, V[i], (u64)(i64)(imm), r);                                                                    \
    }

#define RI_ARITH(op) RI1(op, 0) RI1(op, 1) RI1(op, -1) RI1(op, 2047) RI1(op, -2048) RI1(op, 0x555) RI1(op, -0x556)

static void imm_arith(void)
{
    RI_ARITH(addi)
    RI_ARITH(slti)
    RI_ARITH(sltiu)
    RI_ARITH(xori)
    RI_ARITH(ori)
    RI_ARITH(andi)
    RI_ARITH(addiw)
}

static void imm_shift(void)
{
    RI1(slli, 0) RI1(slli, 1) RI1(slli, 31) RI1(slli, 32) RI1(slli, 63)
    RI1(srli, 0) RI1(srli, 1) RI1(srli, 31) RI1(srli, 32) RI1(srli, 63)
    RI1(srai, 0) RI1(srai, 1) RI1(srai, 31) RI1(srai, 32) RI1(srai, 63)
    RI1(slliw, 0) RI1(slliw, 1) RI1(slliw, 16) RI1(slliw, 31)
    RI1(srliw, 0) RI1(srliw, 1) RI1(srliw, 16) RI1(srliw, 31)
    RI1(sraiw, 0) RI1(sraiw, 1) RI1(sraiw, 16) RI1(sraiw, 31)
}

#define LUI(imm)                                                                                                 \
    {                                                                                                            \
        u64 r;                                                                                                   \
        __asm__ volatile("lui %0, " #imm : "=r"(r));                                                            \
        line1("lui", (u64)(imm), r);                                                                             \
    }

/* auipc: print the offset between the auipc result and the instruction's own address */
#define AUIPC(imm)                                                                                               \
    {                                                                                                            \
        u64 r, pc;                                                                                               \
        __asm__ volatile("1: auipc %0, " #imm "\n"                                                              \
                         "   lla %1, 1b"                                                                         \
                         : "=&r"(r), "=&r"(pc));                                                                 \
        line1("auipc-pc", (u64)(imm), r - pc);                                                                   \
    }

static void upper(void)
{
    LUI(0) LUI(1) LUI(0x7ffff) LUI(0x80000) LUI(0xfffff) LUI(0x12345)
    AUIPC(0) AUIPC(1) AUIPC(0x7ffff) AUIPC(0x80000) AUIPC(0xfffff)
}

/* branches: one character per pair, 'T' taken or '.' not taken */
#define BR(op)                                                                                                   \
    static void br_##op(void)                                                                                    \
    {                                                                                                            \
        for (unsigned i = 0; i < NELEM(V); i++) {                                                                \
            puts_(#op " ");                                                                                      \
            puthex(V[i]);                                                                                        \
            putch(' ');                                                                                          \
            for (unsigned j = 0; j < NELEM(V); j++) {                                                            \
                u64 t;                                                                                           \
                __asm__ volatile("li %0, 1\n"                                                                    \
                                 #op " %1, %2, 1f\n"                                                             \
                                 "li %0, 0\n"                                                                    \
                                 "1:"                                                                            \
                                 : "=&r"(t)                                                                      \
                                 : "r"(V[i]), "r"(V[j]));                                                        \
                putch(t ? 'T' : '.');                                                                            \
            }                                                                                                    \
            nl();                                                                                                \
        }                                                                                                        \
    }

BR(beq) BR(bne) BR(blt) BR(bge) BR(bltu) BR(bgeu)

static void jumps(void)
{
    u64 link, target, r;
    /* jal: link = address of the next instruction */
    __asm__ volatile("jal %0, 1f\n"
                     "2: nop\n"
                     "1: lla %1, 2b"
                     : "=&r"(link), "=&r"(target));
    line1("jal-link-minus-next", 0, link - target);

    /* jalr clears bit 0 of the target */
    __asm__ volatile("lla t0, 1f\n"
                     "addi t0, t0, 1\n"
                     "li %0, 0\n"
                     "jalr %1, t0, 0\n"
                     "li %0, 99\n"
                     "1: addi %0, %0, 7\n"
                     : "=&r"(r), "=&r"(link)
                     :
                     : "t0");
    line1("jalr-odd-target", 0, r);

    /* jalr with rd == rs1: the target uses the old value */
    __asm__ volatile("lla t0, 1f\n"
                     "li %0, 0\n"
                     "jalr t0, 0(t0)\n"
                     "2: li %0, 99\n"
                     "1: lla %0, 2b\n"
                     "sub %0, t0, %0\n"
                     : "=&r"(r)
                     :
                     : "t0");
    line1("jalr-rd-eq-rs1-link-minus-next", 0, r);

    /* jalr with a negative offset */
    __asm__ volatile("lla t0, 1f\n"
                     "addi t0, t0, 16\n"
                     "li %0, 0\n"
                     "jalr x0, -16(t0)\n"
                     "li %0, 99\n"
                     "1: addi %0, %0, 5\n"
                     : "=&r"(r)
                     :
                     : "t0");
    line1("jalr-neg-offset", 0, r);

    /* writes to x0 are discarded */
    __asm__ volatile("addi x0, x0, 5\n"
                     "lui x0, 0x12345\n"
                     "add %0, x0, x0"
                     : "=r"(r));
    line1("x0", 0, r);
}

static u8 mem[64] __attribute__((aligned(16)));

static void fill_mem(void)
{
    for (unsigned i = 0; i < sizeof mem; i++)
        mem[i] = (u8)(0x81 + 0x1f * i);
}

#define LD(op, off)                                                                                              \
    {                                                                                                            \
        u64 r;                                                                                                   \
        __asm__ volatile(#op " %0, " #off "(%1)" : "=r"(r) : "r"(mem + 16) : "memory");                         \
        line1(#op, (u64)(i64)(off), r);                                                                          \
    }

#define ST(op, off, val)                                                                                         \
    {                                                                                                            \
        fill_mem();                                                                                              \
        __asm__ volatile(#op " %1, " #off "(%0)" : : "r"(mem + 16), "r"((u64)(val)) : "memory");                \
        u64 *w = (u64 *)mem;                                                                                     \
        puts_(#op " " #off " ");                                                                                 \
        for (int k = 1; k < 5; k++) {                                                                            \
            puthex(w[k]);                                                                                        \
            putch(k < 4 ? ' ' : '\n');                                                                           \
        }                                                                                                        \
    }

static void loads_stores(void)
{
    fill_mem();
    LD(lb, 0) LD(lb, 1) LD(lb, -1) LD(lbu, 0) LD(lbu, 1) LD(lbu, -16)
    LD(lh, 0) LD(lh, 2) LD(lh, -2) LD(lhu, 0) LD(lhu, 2) LD(lhu, 14)
    LD(lw, 0) LD(lw, 4) LD(lw, -4) LD(lwu, 0) LD(lwu, 4) LD(lwu, 12)
    LD(ld, 0) LD(ld, 8) LD(ld, -8) LD(ld, -16)
    section("misaligned loads");
    LD(lh, 1) LD(lhu, 3) LD(lw, 1) LD(lw, 2) LD(lwu, 3) LD(ld, 1) LD(ld, 4) LD(ld, 7) LD(ld, 15)
    section("stores");
    ST(sb, 0, 0x1122334455667788) ST(sb, -1, 0xff)
    ST(sh, 0, 0x1122334455667788) ST(sh, 6, 0xabcd)
    ST(sw, 0, 0x1122334455667788) ST(sw, -4, 0xdeadbeef)
    ST(sd, 0, 0x1122334455667788) ST(sd, 8, 0xfedcba9876543210)
    section("misaligned stores");
    ST(sh, 1, 0xabcd) ST(sw, 3, 0xdeadbeef) ST(sd, 5, 0x0102030405060708) ST(sd, 15, 0x1122334455667788)
}

static void lui_addi_li(void)
{
    u64 r;
    __asm__ volatile("li %0, 0x123456789abcdef0" : "=r"(r));
    line1("li64", 0, r);
    __asm__ volatile("li %0, -0x80000000" : "=r"(r));
    line1("li-2^31", 0, r);
    __asm__ volatile("li %0, 0x80000000" : "=r"(r));
    line1("li+2^31", 0, r);
    __asm__ volatile("li %0, 0xfffffffff" : "=r"(r));
    line1("li36", 0, r);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    section("register-register");
    rr_add(); rr_sub(); rr_sll(); rr_slt(); rr_sltu(); rr_xor(); rr_srl(); rr_sra(); rr_or(); rr_and();
    section("register-register W");
    rr_addw(); rr_subw(); rr_sllw(); rr_srlw(); rr_sraw();
    section("immediate");
    imm_arith();
    section("immediate shifts");
    imm_shift();
    section("lui/auipc/li");
    upper();
    lui_addi_li();
    section("branches");
    br_beq(); br_bne(); br_blt(); br_bge(); br_bltu(); br_bgeu();
    section("jumps");
    jumps();
    section("loads");
    loads_stores();
    puts_("isa_int done\n");
    return 0;
}

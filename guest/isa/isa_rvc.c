/* isa_rvc — every RV64C instruction form, written with explicit c.* mnemonics inside ".option rvc" so the
 * assembler must emit the 16-bit encodings (test/guest/rvc.test.ts checks the disassembly). Immediates include the
 * extremes of each field (sign bits, largest scaled offsets). Results are printed in hex. */
#include "rt.h"

static u64 out[16];
static u64 buf[64] __attribute__((aligned(16)));

static void show(const char *const *names, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        puts_(names[i]);
        putch(' ');
        puthex(out[i]);
        nl();
    }
}

#define RVC_BEGIN ".option push\n.option rvc\n"
#define RVC_END ".option pop\n"
#define SAVE6                                                                                                    \
    "sd a0, 0(%0)\n sd a1, 8(%0)\n sd a2, 16(%0)\n sd a3, 24(%0)\n sd a4, 32(%0)\n sd a5, 40(%0)\n"
#define CLOB6 "a0", "a1", "a2", "a3", "a4", "a5", "memory"

static void ci_forms(void)
{
    static const char *const n1[] = {"c.li 31", "c.li -32", "c.lui 1", "c.lui 31", "c.lui 0xfffe0", "c.lui 0xfffff"};
    __asm__ volatile(RVC_BEGIN
                     "c.li a0, 31\n"
                     "c.li a1, -32\n"
                     "c.lui a2, 1\n"
                     "c.lui a3, 31\n"
                     "c.lui a4, 0xfffe0\n"
                     "c.lui a5, 0xfffff\n" RVC_END SAVE6
                     :
                     : "r"(out)
                     : CLOB6);
    show(n1, 6);

    static const char *const n2[] = {"c.addi 31+(-1)", "c.addi -32+31", "c.addi 1+(-32)",
                                     "c.addiw 0x7fffffff+1", "c.addiw sext.w", "c.addiw -1+(-32)"};
    __asm__ volatile("li a0, 31\n li a1, -32\n li a2, 1\n li a3, 0x7fffffff\n li a4, 0x1234567887654321\n"
                     "li a5, -1\n" RVC_BEGIN
                     "c.addi a0, -1\n"
                     "c.addi a1, 31\n"
                     "c.addi a2, -32\n"
                     "c.addiw a3, 1\n"
                     "c.addiw a4, 0\n"
                     "c.addiw a5, -32\n"
                     "c.nop\n" RVC_END SAVE6
                     :
                     : "r"(out)
                     : CLOB6);
    show(n2, 6);

    static const char *const n3[] = {"c.slli 1", "c.slli 63", "c.slli 32", "c.slli 31 (t3)", "c.mv", "c.add"};
    __asm__ volatile("li a0, 0x8000000000000001\n li a1, 3\n li a2, 0xfedcba987\n li a3, 0x1ffffffff\n"
                     "li a4, 0\n li a5, 0x7000000000000000\n" RVC_BEGIN
                     "c.slli a0, 1\n"
                     "c.slli a1, 63\n"
                     "c.slli a2, 32\n"
                     "c.mv t3, a3\n"
                     "c.slli t3, 31\n"
                     "c.mv a3, t3\n"
                     "c.mv a4, a2\n"
                     "c.add a5, a5\n" RVC_END SAVE6
                     :
                     : "r"(out)
                     : CLOB6, "t3");
    show(n3, 6);
}

static void cb_ca_forms(void)
{
    static const char *const n1[] = {"c.srli 1", "c.srli 63", "c.srli 32", "c.srai 1", "c.srai 63", "c.srai 32"};
    __asm__ volatile("li a0, 0x8000000000000001\n mv a1, a0\n li a2, 0xfedcba9876543210\n mv a3, a0\n"
                     "mv a4, a0\n mv a5, a2\n" RVC_BEGIN
                     "c.srli a0, 1\n"
                     "c.srli a1, 63\n"
                     "c.srli a2, 32\n"
                     "c.srai a3, 1\n"
                     "c.srai a4, 63\n"
                     "c.srai a5, 32\n" RVC_END SAVE6
                     :
                     : "r"(out)
                     : CLOB6);
    show(n1, 6);

    static const char *const n2[] = {"c.andi -1", "c.andi -32", "c.andi 31", "c.andi 0", "c.andi 5", "c.andi -2"};
    __asm__ volatile("li a0, 0xfedcba9876543210\n mv a1, a0\n mv a2, a0\n mv a3, a0\n li a4, 0xff\n mv a5, a0\n"
                     RVC_BEGIN
                     "c.andi a0, -1\n"
                     "c.andi a1, -32\n"
                     "c.andi a2, 31\n"
                     "c.andi a3, 0\n"
                     "c.andi a4, 5\n"
                     "c.andi a5, -2\n" RVC_END SAVE6
                     :
                     : "r"(out)
                     : CLOB6);
    show(n2, 6);

    static const char *const n3[] = {"c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"};
    __asm__ volatile("li a0, 0x0123456789abcdef\n li a1, 0xf0f0f0f0f0f0f0f0\n mv a2, a0\n mv a3, a0\n"
                     "li a4, 0x80000000\n li a5, 0x7fffffff\n li t0, 1\n" RVC_BEGIN
                     "c.sub a0, a1\n"
                     "c.xor a1, a2\n"
                     "c.or a2, a1\n"
                     "c.and a3, a1\n"
                     "c.mv s1, a4\n"
                     "c.mv a4, a5\n"
                     "c.subw a4, s1\n"
                     "c.mv s1, t0\n"
                     "c.addw a5, s1\n" RVC_END SAVE6
                     :
                     : "r"(out)
                     : CLOB6, "t0", "s1");
    show(n3, 6);
}

static void cl_cs_forms(void)
{
    for (unsigned i = 0; i < NELEM(buf); i++)
        buf[i] = 0x8090a0b0c0d0e0f0ul + i * 0x0101010101010101ul;
    static const char *const n1[] = {"c.lw 0", "c.lw 124", "c.ld 8", "c.ld 248", "c.fld 16 (bits)", "c.lw 4"};
    __asm__ volatile("mv a0, %1\n" RVC_BEGIN
                     "c.lw a1, 0(a0)\n"
                     "c.lw a2, 124(a0)\n"
                     "c.ld a3, 8(a0)\n"
                     "c.ld a4, 248(a0)\n"
                     "c.fld fa0, 16(a0)\n"
                     "c.lw a5, 4(a0)\n" RVC_END
                     "fmv.x.d a0, fa0\n"
                     "sd a1, 0(%0)\n sd a2, 8(%0)\n sd a3, 16(%0)\n sd a4, 24(%0)\n sd a0, 32(%0)\n"
                     "sd a5, 40(%0)\n"
                     :
                     : "r"(out), "r"(buf)
                     : CLOB6, "fa0");
    show(n1, 6);

    __asm__ volatile("mv a0, %0\n li a1, 0x1111111122222222\n li a2, 0x3333333344444444\n"
                     "li a3, 0x5555555566666666\n fmv.d.x fa1, a3\n" RVC_BEGIN
                     "c.sw a1, 0(a0)\n"
                     "c.sw a2, 124(a0)\n"
                     "c.sd a2, 8(a0)\n"
                     "c.sd a1, 248(a0)\n"
                     "c.fsd fa1, 16(a0)\n" RVC_END
                     :
                     : "r"(buf)
                     : CLOB6, "fa1");
    static const unsigned idx[] = {0, 1, 2, 15, 16, 31};
    for (unsigned i = 0; i < NELEM(idx); i++) {
        puts_("c.sw/c.sd/c.fsd buf[");
        putdec(idx[i]);
        puts_("] ");
        puthex(buf[idx[i]]);
        nl();
    }
}

static void sp_forms(void)
{
    static const char *const n1[] = {"c.addi4spn 1020", "c.addi4spn 4", "c.lwsp 252", "c.ldsp 504",
                                     "c.fldsp 0 (bits)", "c.lwsp 12", "c.addi16sp net"};
    __asm__ volatile("mv t1, sp\n"
                     "li a1, 0x00000000fedcba98\n li a2, 0x0102030405060708\n li a3, 0x7ff0000000000001\n"
                     "fmv.d.x fa2, a3\n li a4, 0x7fffffff\n" RVC_BEGIN
                     "c.addi16sp sp, -512\n"
                     "c.swsp a1, 252(sp)\n"
                     "c.sdsp a2, 504(sp)\n"
                     "c.fsdsp fa2, 0(sp)\n"
                     "c.swsp a4, 12(sp)\n"
                     "c.addi4spn a0, sp, 1020\n"
                     "c.addi4spn a5, sp, 4\n"
                     "c.lwsp a1, 252(sp)\n"
                     "c.ldsp a2, 504(sp)\n"
                     "c.fldsp fa3, 0(sp)\n"
                     "c.lwsp a4, 12(sp)\n"
                     "c.addi16sp sp, 496\n"
                     "c.addi16sp sp, 16\n"
                     "c.addi16sp sp, -16\n"
                     "c.addi16sp sp, 16\n" RVC_END
                     "sub a0, a0, sp\n addi a0, a0, 512\n"
                     "sub a5, a5, sp\n addi a5, a5, 512\n"
                     "fmv.x.d a3, fa3\n"
                     "sub t1, sp, t1\n"
                     "sd a0, 0(%0)\n sd a5, 8(%0)\n sd a1, 16(%0)\n sd a2, 24(%0)\n sd a3, 32(%0)\n"
                     "sd a4, 40(%0)\n sd t1, 48(%0)\n"
                     :
                     : "r"(out)
                     : CLOB6, "t1", "fa2", "fa3");
    show(n1, 7);
}

static void cj_forms(void)
{
    static const char *const n1[] = {"c.j", "c.beqz taken", "c.beqz not taken", "c.bnez taken",
                                     "c.bnez not taken", "c.jr", "c.jalr link-next", "c.jalr ret"};
    __asm__ volatile("li a0, 0\n li a1, 0\n li a2, 0\n li a3, 0\n li a4, 0\n li a5, 5\n" RVC_BEGIN
                     "c.j 1f\n"
                     "c.li a0, 13\n"
                     "1: c.addi a0, 1\n"
                     "c.beqz a1, 2f\n"
                     "c.li a1, 13\n"
                     "2: c.addi a1, 2\n"
                     "c.beqz a5, 3f\n"
                     "c.li a2, 3\n"
                     "3: c.bnez a5, 4f\n"
                     "c.li a3, 13\n"
                     "4: c.addi a3, 4\n"
                     "c.bnez a4, 5f\n"
                     "c.li a4, 5\n"
                     "5: c.nop\n" RVC_END
                     SAVE6
                     :
                     : "r"(out)
                     : CLOB6);
    u64 jr_r, link, next, ret;
    __asm__ volatile("lla t0, 1f\n li %0, 0\n" RVC_BEGIN
                     "c.jr t0\n"
                     "c.li %0, 13\n"
                     "1: c.addi %0, 7\n" RVC_END
                     : "=&r"(jr_r)
                     :
                     : "t0");
    __asm__ volatile("lla t0, 9f\n li a0, 0\n" RVC_BEGIN
                     "c.jalr t0\n"
                     "2: c.addi a0, 1\n"
                     "c.j 3f\n"
                     "9: c.mv %0, ra\n"
                     "c.addi a0, 10\n"
                     "c.jr ra\n"
                     "3: c.nop\n" RVC_END
                     "lla %1, 2b\n"
                     "mv %2, a0\n"
                     : "=&r"(link), "=&r"(next), "=&r"(ret)
                     :
                     : "t0", "ra", "a0");
    out[5] = jr_r;
    out[6] = link - next;
    out[7] = ret;
    show(n1, 8);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    section("CI: c.li c.lui c.addi c.addiw c.nop c.slli c.mv c.add");
    ci_forms();
    section("CB/CA: c.srli c.srai c.andi c.sub c.xor c.or c.and c.subw c.addw");
    cb_ca_forms();
    section("CL/CS: c.lw c.ld c.fld c.sw c.sd c.fsd");
    cl_cs_forms();
    section("sp-relative: c.addi16sp c.addi4spn c.lwsp c.ldsp c.fldsp c.swsp c.sdsp c.fsdsp");
    sp_forms();
    section("control: c.j c.beqz c.bnez c.jr c.jalr");
    cj_forms();
    puts_("isa_rvc done\n");
    return 0;
}

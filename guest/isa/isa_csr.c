/* isa_csr — Zicsr and Zifencei from user mode: fflags/frm/fcsr through every CSR instruction form (csrrw, csrrs,
 * csrrc and their immediate forms, the read-only and write-only special cases rs1 = x0 / uimm = 0 / rd = x0),
 * masking of the writable bits, flags accrued by real FP operations; the counters cycle/time/instret (only their
 * monotonicity is printed, as ok/bad, never their values); fences; and self-modifying code made visible by
 * fence.i and by the riscv_flush_icache system call. */
#include "rt.h"

#define CSRR(name, v) __asm__ volatile("csrr %0, " name : "=r"(v))

static void show(const char *what, u64 v)
{
    puts_(what);
    putch(' ');
    puthex_short(v);
    nl();
}

static void show_fp_csrs(const char *what)
{
    u64 f, r, c;
    CSRR("fflags", f);
    CSRR("frm", r);
    CSRR("fcsr", c);
    puts_(what);
    puts_(": fflags=");
    puthex_short(f);
    puts_(" frm=");
    puthex_short(r);
    puts_(" fcsr=");
    puthex_short(c);
    nl();
}

static void fp_csrs(void)
{
    u64 old;
    show_fp_csrs("initial");
    __asm__ volatile("csrw fcsr, zero");
    show_fp_csrs("cleared");

    __asm__ volatile("csrrw %0, fflags, %1" : "=r"(old) : "r"(0x1ful));
    show("csrrw fflags old", old);
    show_fp_csrs("fflags=1f");
    __asm__ volatile("csrrw %0, fflags, %1" : "=r"(old) : "r"(0xfffffffffffffff5ul));
    show("csrrw fflags old", old);
    show_fp_csrs("fflags=all-ones-pattern (masked to 5 bits)");

    __asm__ volatile("csrrw %0, frm, %1" : "=r"(old) : "r"(3ul));
    show("csrrw frm old", old);
    show_fp_csrs("frm=3");
    __asm__ volatile("csrrw %0, frm, %1" : "=r"(old) : "r"(0xfful));
    show("csrrw frm old", old);
    show_fp_csrs("frm=ff (masked to 3 bits)");

    __asm__ volatile("csrrw %0, fcsr, %1" : "=r"(old) : "r"(0xfffffffful));
    show("csrrw fcsr old", old);
    show_fp_csrs("fcsr=ffffffff (masked to 8 bits)");

    __asm__ volatile("csrrc %0, fcsr, %1" : "=r"(old) : "r"(0x0ful));
    show("csrrc fcsr old", old);
    show_fp_csrs("fcsr clear 0f");
    __asm__ volatile("csrrs %0, fflags, %1" : "=r"(old) : "r"(0x3ul));
    show("csrrs fflags old", old);
    show_fp_csrs("fflags set 3");
    __asm__ volatile("csrrs %0, fflags, zero" : "=r"(old));
    show("csrrs fflags x0 (read only) old", old);
    __asm__ volatile("csrrc %0, frm, zero" : "=r"(old));
    show("csrrc frm x0 (read only) old", old);
    show_fp_csrs("unchanged");

    __asm__ volatile("csrrwi %0, fcsr, 0x15" : "=r"(old));
    show("csrrwi fcsr 15 old", old);
    show_fp_csrs("fcsr=15");
    __asm__ volatile("csrrsi %0, frm, 4" : "=r"(old));
    show("csrrsi frm 4 old", old);
    show_fp_csrs("frm|=4");
    __asm__ volatile("csrrci %0, fflags, 0x11" : "=r"(old));
    show("csrrci fflags 11 old", old);
    show_fp_csrs("fflags&=~11");
    __asm__ volatile("csrrsi %0, fcsr, 0" : "=r"(old));
    show("csrrsi fcsr 0 (read only) old", old);
    __asm__ volatile("csrrci %0, fcsr, 0" : "=r"(old));
    show("csrrci fcsr 0 (read only) old", old);
    __asm__ volatile("csrwi frm, 1");
    show_fp_csrs("csrwi frm 1 (rd=x0)");
    __asm__ volatile("csrsi fflags, 8");
    show_fp_csrs("csrsi fflags 8 (rd=x0)");
    __asm__ volatile("csrci fcsr, 0x1f");
    show_fp_csrs("csrci fcsr 1f (rd=x0)");
    __asm__ volatile("csrrwi %0, frm, 31" : "=r"(old));
    show("csrrwi frm 31 old", old);
    show_fp_csrs("frm=31 (masked)");

    /* pseudo-instructions */
    __asm__ volatile("fscsr %0, %1" : "=r"(old) : "r"(0x42ul));
    show("fscsr old", old);
    __asm__ volatile("fsrm %0, %1" : "=r"(old) : "r"(0x4ul));
    show("fsrm old", old);
    __asm__ volatile("fsflags %0, %1" : "=r"(old) : "r"(0x1ul));
    show("fsflags old", old);
    __asm__ volatile("frcsr %0" : "=r"(old));
    show("frcsr", old);
    __asm__ volatile("fsrmi %0, 2" : "=r"(old));
    show("fsrmi 2 old", old);
    __asm__ volatile("fsflagsi %0, 0x10" : "=r"(old));
    show("fsflagsi 10 old", old);
    show_fp_csrs("after pseudo-instructions");

    /* flags accrue from real operations and are sticky */
    __asm__ volatile("csrw fcsr, zero");
    __asm__ volatile("fmv.d.x ft0, %0\n fmv.d.x ft1, zero\n fdiv.d ft2, ft0, ft1" : : "r"(0x3ff0000000000000ul)
                     : "ft0", "ft1", "ft2");
    show_fp_csrs("after 1/0 (DZ)");
    __asm__ volatile("fmv.d.x ft0, %0\n fmv.d.x ft1, %1\n fdiv.d ft2, ft0, ft1"
                     : : "r"(0x3ff0000000000000ul), "r"(0x4008000000000000ul) : "ft0", "ft1", "ft2");
    show_fp_csrs("after 1/3 (NX accrued)");
    __asm__ volatile("fmv.d.x ft0, zero\n fdiv.d ft2, ft0, ft0" : : : "ft0", "ft2");
    show_fp_csrs("after 0/0 (NV accrued)");
    __asm__ volatile("fmv.d.x ft0, %0\n fmul.d ft2, ft0, ft0" : : "r"(0x7fefffffffffffff) : "ft0", "ft2");
    show_fp_csrs("after max*max (OF accrued)");
    __asm__ volatile("csrw fcsr, zero");
    __asm__ volatile("fmv.d.x ft0, %0\n fmul.d ft2, ft0, ft0" : : "r"(0x0010000000000001ul) : "ft0", "ft2");
    show_fp_csrs("after minnormal*minnormal (UF NX)");
    __asm__ volatile("csrw fcsr, zero");
}

static void counters(void)
{
    u64 c0, c1, t0, t1, i0, i1, x;
    __asm__ volatile("rdcycle %0" : "=r"(c0));
    __asm__ volatile("rdtime %0" : "=r"(t0));
    __asm__ volatile("rdinstret %0" : "=r"(i0));
    x = 0;
    for (int k = 0; k < 1000; k++)
        __asm__ volatile("addi %0, %0, 1" : "+r"(x));
    __asm__ volatile("rdcycle %0" : "=r"(c1));
    __asm__ volatile("rdtime %0" : "=r"(t1));
    __asm__ volatile("rdinstret %0" : "=r"(i1));
    puts_(c1 > c0 ? "rdcycle ok\n" : "rdcycle bad\n");
    puts_(t1 >= t0 ? "rdtime ok\n" : "rdtime bad\n");
    puts_(i1 > i0 ? "rdinstret ok\n" : "rdinstret bad\n");
    /* the same counters through csrrs with their CSR names */
    __asm__ volatile("csrrs %0, cycle, zero" : "=r"(c0));
    __asm__ volatile("csrrs %0, instret, zero" : "=r"(i0));
    __asm__ volatile("csrrs %0, time, zero" : "=r"(t0));
    puts_(c0 >= c1 ? "csrrs cycle ok\n" : "csrrs cycle bad\n");
    puts_(i0 > i1 ? "csrrs instret ok\n" : "csrrs instret bad\n");
    puts_(t0 >= t1 ? "csrrs time ok\n" : "csrrs time bad\n");
    show("loop", x);
}

static void fences(void)
{
    __asm__ volatile("fence" ::: "memory");
    __asm__ volatile("fence rw, rw" ::: "memory");
    __asm__ volatile("fence r, r" ::: "memory");
    __asm__ volatile("fence w, w" ::: "memory");
    __asm__ volatile("fence iorw, iorw" ::: "memory");
    __asm__ volatile("fence.tso" ::: "memory");
    __asm__ volatile(".4byte 0x0100000f" ::: "memory"); /* pause (a fence hint) */
    __asm__ volatile("fence.i" ::: "memory");
    puts_("fences ok\n");
}

/* Write "li a0, imm; ret" into a buffer, make it visible to instruction fetch, call it. */
static u64 call_code(u32 *code)
{
    u64 (*fn)(void) = (u64(*)(void))(void *)code;
    return fn();
}

static void put_li_ret(u32 *code, u32 imm)
{
    code[0] = 0x00000513u | (imm << 20); /* addi a0, x0, imm */
    code[1] = 0x00008067u;               /* jalr x0, 0(ra) */
}

static void smc(void)
{
    /* mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) */
    i64 p = sys6(SYS_mmap, 0, 4096, 7, 0x22, -1, 0);
    if (p < 0 && p > -4096) {
        show("mmap rwx failed", (u64)-p);
        return;
    }
    u32 *code = (u32 *)p;
    put_li_ret(code, 11);
    __asm__ volatile("fence.i" ::: "memory");
    show("smc first", call_code(code));
    put_li_ret(code, 22);
    __asm__ volatile("fence.i" ::: "memory");
    show("smc after fence.i", call_code(code));
    put_li_ret(code, 33);
    i64 r = sys3(SYS_riscv_flush_icache, p, p + 4096, 0);
    show("riscv_flush_icache", (u64)r);
    show("smc after riscv_flush_icache", call_code(code));
    /* same page, another slot: code never executed before needs no flush to be seen correctly either */
    put_li_ret(code + 64, 44);
    __asm__ volatile("fence.i" ::: "memory");
    show("smc fresh slot", call_code(code + 64));
    show("munmap", (u64)sys3(SYS_munmap, p, 4096, 0));
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    section("fp csrs");
    fp_csrs();
    section("counters");
    counters();
    section("fences");
    fences();
    section("self-modifying code");
    smc();
    puts_("isa_csr done\n");
    return 0;
}

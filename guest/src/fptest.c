/* fptest — floating-point conformance: every F/D computational instruction is executed through inline assembly
 * on operand lists of interesting values (±0, ±inf, quiet and signalling NaNs with payloads, denormals, extreme
 * normals, values next to 1, values whose results round differently in each mode, large integers), under each
 * rounding mode (RNE, RTZ, RDN, RUP and RMM, set in frm; plus static rounding modes in the instruction), printing
 * the raw result bits in hex and the fflags raised by that one instruction (cleared before, read after). A section
 * checks NaN-boxing: single-precision operands whose upper 32 bits are not all ones must be read as the canonical
 * NaN, while fmv.x.w and fsw ignore the box.
 *
 * Output format: operand tables first ("D[i] = bits"), then one line per operand tuple and mode, each result as
 * "bits/flags" with flags in hex (NV=10 DZ=08 OF=04 UF=02 NX=01). Compared with qemu-riscv64's output. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;
typedef uint32_t u32;

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BOX(f) (0xffffffff00000000ull | (u32)(f))

/* ---- output: a line buffer with hand-written hex, much cheaper than printf per field ---- */
static char line[1024];
static size_t ll;

static void s_(const char *s)
{
    size_t n = strlen(s);
    memcpy(line + ll, s, n);
    ll += n;
}
static void c_(char c) { line[ll++] = c; }
static void hexn(u64 v, int digits)
{
    for (int i = (digits - 1) * 4; i >= 0; i -= 4)
        c_("0123456789abcdef"[(v >> i) & 15]);
}
static void h64(u64 v) { hexn(v, 16); }
static void dec(unsigned v)
{
    char t[12];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        c_(t[--n]);
}
static void endl(void)
{
    c_('\n');
    fwrite(line, 1, ll, stdout);
    ll = 0;
}
/* " bits/ff" */
static void res_(u64 r, u32 fl)
{
    c_(' ');
    h64(r);
    c_('/');
    hexn(fl, 2);
}

/* ---- rounding modes ---- */
static const char *const RM[] = {"rne", "rtz", "rdn", "rup", "rmm"};

static void set_frm(int m)
{
    if (m == 4)
        __asm__ volatile("csrwi frm, 4"); /* RMM, which has no fesetround constant */
    else
        __asm__ volatile("fsrm %0" : : "r"((u64)m));
}

/* ---- instruction wrappers: operands are raw 64-bit f-register images ---- */
#define FBIN(fn, insn, rm)                                                                                           \
    static u64 fn(u64 a, u64 b, u32 *fl)                                                                         \
    {                                                                                                            \
        u64 r, f;                                                                                                \
        __asm__ volatile("fmv.d.x ft0, %2\n\t"                                                                   \
                         "fmv.d.x ft1, %3\n\t"                                                                   \
                         "csrw fflags, zero\n\t" insn " ft2, ft0, ft1" rm "\n\t"                                       \
                         "frflags %1\n\t"                                                                        \
                         "fmv.x.d %0, ft2"                                                                       \
                         : "=r"(r), "=&r"(f)                                                                     \
                         : "r"(a), "r"(b)                                                                        \
                         : "ft0", "ft1", "ft2");                                                                 \
        *fl = (u32)f;                                                                                            \
        return r;                                                                                                \
    }
#define FTER(fn, insn, rm)                                                                                           \
    static u64 fn(u64 a, u64 b, u64 c, u32 *fl)                                                                  \
    {                                                                                                            \
        u64 r, f;                                                                                                \
        __asm__ volatile("fmv.d.x ft0, %2\n\t"                                                                   \
                         "fmv.d.x ft1, %3\n\t"                                                                   \
                         "fmv.d.x ft2, %4\n\t"                                                                   \
                         "csrw fflags, zero\n\t" insn " ft3, ft0, ft1, ft2" rm "\n\t"                                  \
                         "frflags %1\n\t"                                                                        \
                         "fmv.x.d %0, ft3"                                                                       \
                         : "=r"(r), "=&r"(f)                                                                     \
                         : "r"(a), "r"(b), "r"(c)                                                                \
                         : "ft0", "ft1", "ft2", "ft3");                                                          \
        *fl = (u32)f;                                                                                            \
        return r;                                                                                                \
    }
/* f -> f unary (fsqrt, fcvt.s.d, fcvt.d.s) */
#define FUN(fn, insn, rm)                                                                                            \
    static u64 fn(u64 a, u32 *fl)                                                                                \
    {                                                                                                            \
        u64 r, f;                                                                                                \
        __asm__ volatile("fmv.d.x ft0, %2\n\t"                                                                   \
                         "csrw fflags, zero\n\t" insn " ft2, ft0" rm "\n\t"                                            \
                         "frflags %1\n\t"                                                                        \
                         "fmv.x.d %0, ft2"                                                                       \
                         : "=r"(r), "=&r"(f)                                                                     \
                         : "r"(a)                                                                                \
                         : "ft0", "ft2");                                                                        \
        *fl = (u32)f;                                                                                            \
        return r;                                                                                                \
    }
/* f, f -> x (comparisons) */
#define FCMP(fn, insn, rm)                                                                                           \
    static u64 fn(u64 a, u64 b, u32 *fl)                                                                         \
    {                                                                                                            \
        u64 r, f;                                                                                                \
        __asm__ volatile("fmv.d.x ft0, %2\n\t"                                                                   \
                         "fmv.d.x ft1, %3\n\t"                                                                   \
                         "csrw fflags, zero\n\t" insn " %0, ft0, ft1" rm "\n\t"                                        \
                         "frflags %1"                                                                            \
                         : "=&r"(r), "=&r"(f)                                                                    \
                         : "r"(a), "r"(b)                                                                        \
                         : "ft0", "ft1");                                                                        \
        *fl = (u32)f;                                                                                            \
        return r;                                                                                                \
    }
/* f -> x (fclass, fcvt to integer, fmv.x) */
#define FTOX(fn, insn, rm)                                                                                           \
    static u64 fn(u64 a, u32 *fl)                                                                                \
    {                                                                                                            \
        u64 r, f;                                                                                                \
        __asm__ volatile("fmv.d.x ft0, %2\n\t"                                                                   \
                         "csrw fflags, zero\n\t" insn " %0, ft0" rm "\n\t"                                             \
                         "frflags %1"                                                                            \
                         : "=&r"(r), "=&r"(f)                                                                    \
                         : "r"(a)                                                                                \
                         : "ft0");                                                                               \
        *fl = (u32)f;                                                                                            \
        return r;                                                                                                \
    }
/* x -> f (fcvt from integer, fmv.w.x) */
#define XTOF(fn, insn, rm)                                                                                           \
    static u64 fn(u64 a, u32 *fl)                                                                                \
    {                                                                                                            \
        u64 r, f;                                                                                                \
        __asm__ volatile("csrw fflags, zero\n\t" insn " ft2, %2" rm "\n\t"                                             \
                         "frflags %1\n\t"                                                                        \
                         "fmv.x.d %0, ft2"                                                                       \
                         : "=r"(r), "=&r"(f)                                                                     \
                         : "r"(a)                                                                                \
                         : "ft2");                                                                               \
        *fl = (u32)f;                                                                                            \
        return r;                                                                                                \
    }

/* Rounding instructions name the dynamic mode explicitly (", dyn"); the static-mode variants name theirs. */
#define PREC(P, RMW)                                                                                            \
    FBIN(fadd_##P, "fadd." #P, ", dyn") FBIN(fsub_##P, "fsub." #P, ", dyn")                                      \
    FBIN(fmul_##P, "fmul." #P, ", dyn") FBIN(fdiv_##P, "fdiv." #P, ", dyn")                                      \
    FBIN(fmin_##P, "fmin." #P, "") FBIN(fmax_##P, "fmax." #P, "")                                                \
    FBIN(fsgnj_##P, "fsgnj." #P, "") FBIN(fsgnjn_##P, "fsgnjn." #P, "") FBIN(fsgnjx_##P, "fsgnjx." #P, "")       \
    FTER(fmadd_##P, "fmadd." #P, ", dyn") FTER(fmsub_##P, "fmsub." #P, ", dyn")                                  \
    FTER(fnmadd_##P, "fnmadd." #P, ", dyn") FTER(fnmsub_##P, "fnmsub." #P, ", dyn")                              \
    FUN(fsqrt_##P, "fsqrt." #P, ", dyn")                                                                         \
    FCMP(feq_##P, "feq." #P, "") FCMP(flt_##P, "flt." #P, "") FCMP(fle_##P, "fle." #P, "")                       \
    FTOX(fclass_##P, "fclass." #P, "")                                                                           \
    FTOX(fcvt_w_##P, "fcvt.w." #P, ", dyn") FTOX(fcvt_wu_##P, "fcvt.wu." #P, ", dyn")                            \
    FTOX(fcvt_l_##P, "fcvt.l." #P, ", dyn") FTOX(fcvt_lu_##P, "fcvt.lu." #P, ", dyn")                            \
    XTOF(fcvt_##P##_w, "fcvt." #P ".w", RMW) XTOF(fcvt_##P##_wu, "fcvt." #P ".wu", RMW)                          \
    XTOF(fcvt_##P##_l, "fcvt." #P ".l", ", dyn") XTOF(fcvt_##P##_lu, "fcvt." #P ".lu", ", dyn")                  \
    FBIN(fadd_##P##_rne, "fadd." #P, ", rne") FBIN(fadd_##P##_rtz, "fadd." #P, ", rtz")                          \
    FBIN(fadd_##P##_rdn, "fadd." #P, ", rdn") FBIN(fadd_##P##_rup, "fadd." #P, ", rup")                          \
    FBIN(fadd_##P##_rmm, "fadd." #P, ", rmm")                                                                    \
    FTOX(fcvt_w_##P##_rtz, "fcvt.w." #P, ", rtz") FTOX(fcvt_l_##P##_rmm, "fcvt.l." #P, ", rmm")                  \
    FTER(fmadd_##P##_rup, "fmadd." #P, ", rup") FUN(fsqrt_##P##_rdn, "fsqrt." #P, ", rdn")

PREC(s, ", dyn")
PREC(d, "") /* int32 -> double is exact: the assembler takes no rounding mode */
FUN(fcvt_s_d, "fcvt.s.d", ", dyn")
FUN(fcvt_d_s, "fcvt.d.s", "")
FTOX(fmv_x_w, "fmv.x.w", "")
XTOF(fmv_w_x, "fmv.w.x", "")

/* ---- operand tables ---- */

/* double: special values (all pairs), rounding-sensitive values (all pairs, every mode) */
static const u64 DS[] = {
    0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000, /* ±0, ±inf */
    0x7ff8000000000000, 0xfff8000000000123, 0x7ff0000000000001, 0xfff4000000000abc, /* qNaN, -qNaN, sNaN, -sNaN */
    0x0000000000000001, 0x000fffffffffffff, 0x800ffffffffffff0, 0x0010000000000000, /* denormals, min normal */
    0x7fefffffffffffff, 0xffefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000, /* ±max, ±1 */
    0x3ff0000000000001, 0x4008000000000000, 0x3fb999999999999a, 0xc004000000000000, /* 1+ulp, 3, 0.1, -2.5 */
};
static const u64 DR[] = {
    0x3ff0000000000000, 0x3ff0000000000001, 0x3fefffffffffffff, 0x4008000000000000, 0x3fb999999999999a,
    0xc004000000000000, 0x7fefffffffffffff, 0x0010000000000000, 0x3ca0000000000001, 0x000fffffffffffff,
};
static const u64 DFS[] = {
    0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0x7ff0000000000001, 0x3ff0000000000000, 0xbff0000000000000,
};
static const u64 DFR[] = {
    0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000,
    0x3fb999999999999a, 0x4008000000000000, 0x7fefffffffffffff,
};
/* conversion sources: the specials plus halves, and values around the integer ranges */
static const u64 DC[] = {
    0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
    0xfff8000000000123, 0x7ff0000000000001, 0x0000000000000001, 0x800ffffffffffff0, 0x7fefffffffffffff,
    0xffefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000, 0x3fb999999999999a, 0xc004000000000000,
    0x3fe0000000000000, 0x3ff8000000000000, 0x4004000000000000, 0xbfe0000000000000, 0xbff8000000000000,
    0xbfeccccccccccccd, 0x41dfffffffe00000, 0x41e0000000000000, 0xc1e0000000000000, 0xc1e0000000100000,
    0xc1e0000000200000, 0x41efffffffe00000, 0x41effffffff00000, 0x41f0000000000000, 0x43dfffffffffffff,
    0x43e0000000000000, 0xc3e0000000000000, 0xc3e0000000000001, 0x43efffffffffffff, 0x43f0000000000000,
    0x36a0000000000000, 0x3810000000000000, 0x47efffffe0000000, 0x47effffff0000000, 0x3e7ffffffc000000,
};

static const u32 SS[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00123, 0x7f800001, 0xffa00abc,
    0x00000001, 0x007fffff, 0x807ffff0, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
    0x3f800001, 0x40400000, 0x3dcccccd, 0xc0200000,
};
static const u32 SR[] = {
    0x3f800000, 0x3f800001, 0x3f7fffff, 0x40400000, 0x3dcccccd,
    0xc0200000, 0x7f7fffff, 0x00800000, 0x33800001, 0x007fffff,
};
static const u32 SFS[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x3f800000, 0xbf800000};
static const u32 SFR[] = {0x3f800001, 0x3f7fffff, 0xbf800000, 0x3dcccccd, 0x40400000, 0x7f7fffff};
static const u32 SC[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00123, 0x7f800001, 0x00000001,
    0x807ffff0, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3dcccccd, 0xc0200000, 0x3f000000,
    0x3fc00000, 0x40200000, 0xbf000000, 0xbfc00000, 0xbf666666, 0x4effffff, 0x4f000000, 0xcf000000,
    0xcf000001, 0x4f7fffff, 0x4f800000, 0x5effffff, 0x5f000000, 0xdf000000, 0xdf000001, 0x5f7fffff,
    0x5f800000, 0x4b000001, 0x4b7fffff,
};

static const u64 IV[] = {
    0x0000000000000000, 0x0000000000000001, 0xffffffffffffffff, 0x000000007fffffff, 0x0000000080000000,
    0xffffffff80000000, 0x00000000ffffffff, 0x0000000001000001, 0x0000000001000003, 0x0020000000000001,
    0x7fffffffffffffff, 0x8000000000000000, 0x123456789abcdef1, 0x1234567800000005, 0xfffffffe00000003,
    0x00000000fffffffd, 0xfffffffffeffffff, 0x0000000000ffffff,
};

static void table64(const char *name, const u64 *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        s_(name);
        c_('[');
        dec(i);
        s_("] = ");
        h64(v[i]);
        endl();
    }
}

static void table32(const char *name, const u32 *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        s_(name);
        c_('[');
        dec(i);
        s_("] = ");
        hexn(v[i], 8);
        endl();
    }
}

/* the line prefix: "tag P mode i j" */
static void head(const char *tag, const char *p, int mode, int i, int j, int k)
{
    s_(tag);
    c_(' ');
    s_(p);
    if (mode >= 0) {
        c_(' ');
        s_(RM[mode]);
    }
    if (i >= 0) {
        c_(' ');
        dec((unsigned)i);
    }
    if (j >= 0) {
        c_(' ');
        dec((unsigned)j);
    }
    if (k >= 0) {
        c_(' ');
        dec((unsigned)k);
    }
    c_(':');
}

/* One precision's worth of tests, written once for both through a macro. OPS(i) returns the f-register image of
 * an operand from the named table (boxing singles). */
#define PREC_TESTS(P, PS, TS, TR, TFS, TFR, TC, IMG)                                                             \
    static void tests_##P(void)                                                                                  \
    {                                                                                                            \
        u32 f;                                                                                                   \
        u64 r;                                                                                                   \
        set_frm(0);                                                                                              \
        for (unsigned i = 0; i < N(TS); i++)                                                                     \
            for (unsigned j = 0; j < N(TS); j++) {                                                               \
                u64 a = IMG(TS[i]), b = IMG(TS[j]);                                                              \
                head("arith", PS, 0, i, j, -1);                                                                  \
                r = fadd_##P(a, b, &f); res_(r, f);                                                              \
                r = fsub_##P(a, b, &f); res_(r, f);                                                              \
                r = fmul_##P(a, b, &f); res_(r, f);                                                              \
                r = fdiv_##P(a, b, &f); res_(r, f);                                                              \
                endl();                                                                                          \
                head("cmp", PS, -1, i, j, -1);                                                                   \
                r = feq_##P(a, b, &f); res_(r, f);                                                               \
                r = flt_##P(a, b, &f); res_(r, f);                                                               \
                r = fle_##P(a, b, &f); res_(r, f);                                                               \
                r = fmin_##P(a, b, &f); res_(r, f);                                                              \
                r = fmax_##P(a, b, &f); res_(r, f);                                                              \
                r = fsgnj_##P(a, b, &f); res_(r, f);                                                             \
                r = fsgnjn_##P(a, b, &f); res_(r, f);                                                            \
                r = fsgnjx_##P(a, b, &f); res_(r, f);                                                            \
                endl();                                                                                          \
            }                                                                                                    \
        for (int m = 0; m < 5; m++) {                                                                            \
            set_frm(m);                                                                                          \
            for (unsigned i = 0; i < N(TR); i++)                                                                 \
                for (unsigned j = 0; j < N(TR); j++) {                                                           \
                    u64 a = IMG(TR[i]), b = IMG(TR[j]);                                                          \
                    head("round", PS, m, i, j, -1);                                                              \
                    r = fadd_##P(a, b, &f); res_(r, f);                                                          \
                    r = fsub_##P(a, b, &f); res_(r, f);                                                          \
                    r = fmul_##P(a, b, &f); res_(r, f);                                                          \
                    r = fdiv_##P(a, b, &f); res_(r, f);                                                          \
                    endl();                                                                                      \
                }                                                                                                \
        }                                                                                                        \
        set_frm(0);                                                                                              \
        for (unsigned i = 0; i < N(TFS); i++)                                                                    \
            for (unsigned j = 0; j < N(TFS); j++)                                                                \
                for (unsigned k = 0; k < N(TFS); k++) {                                                          \
                    u64 a = IMG(TFS[i]), b = IMG(TFS[j]), c = IMG(TFS[k]);                                       \
                    head("fma", PS, 0, i, j, k);                                                                 \
                    r = fmadd_##P(a, b, c, &f); res_(r, f);                                                      \
                    r = fmsub_##P(a, b, c, &f); res_(r, f);                                                      \
                    r = fnmadd_##P(a, b, c, &f); res_(r, f);                                                     \
                    r = fnmsub_##P(a, b, c, &f); res_(r, f);                                                     \
                    endl();                                                                                      \
                }                                                                                                \
        for (int m = 0; m < 5; m++) {                                                                            \
            set_frm(m);                                                                                          \
            for (unsigned i = 0; i < N(TFR); i++)                                                                \
                for (unsigned j = 0; j < N(TFR); j++)                                                            \
                    for (unsigned k = 0; k < N(TFR); k++) {                                                      \
                        u64 a = IMG(TFR[i]), b = IMG(TFR[j]), c = IMG(TFR[k]);                                   \
                        head("fmaround", PS, m, i, j, k);                                                        \
                        r = fmadd_##P(a, b, c, &f); res_(r, f);                                                  \
                        r = fmsub_##P(a, b, c, &f); res_(r, f);                                                  \
                        r = fnmadd_##P(a, b, c, &f); res_(r, f);                                                 \
                        r = fnmsub_##P(a, b, c, &f); res_(r, f);                                                 \
                        endl();                                                                                  \
                    }                                                                                            \
            for (unsigned i = 0; i < N(TC); i++) {                                                               \
                u64 a = IMG(TC[i]);                                                                              \
                head("sqrt-cvt", PS, m, i, -1, -1);                                                              \
                r = fsqrt_##P(a, &f); res_(r, f);                                                                \
                r = fcvt_w_##P(a, &f); res_(r, f);                                                               \
                r = fcvt_wu_##P(a, &f); res_(r, f);                                                              \
                r = fcvt_l_##P(a, &f); res_(r, f);                                                               \
                r = fcvt_lu_##P(a, &f); res_(r, f);                                                              \
                endl();                                                                                          \
            }                                                                                                    \
            for (unsigned i = 0; i < N(IV); i++) {                                                               \
                head("from-int", PS, m, i, -1, -1);                                                              \
                r = fcvt_##P##_w(IV[i], &f); res_(r, f);                                                         \
                r = fcvt_##P##_wu(IV[i], &f); res_(r, f);                                                        \
                r = fcvt_##P##_l(IV[i], &f); res_(r, f);                                                         \
                r = fcvt_##P##_lu(IV[i], &f); res_(r, f);                                                        \
                endl();                                                                                          \
            }                                                                                                    \
        }                                                                                                        \
        set_frm(0);                                                                                              \
        for (unsigned i = 0; i < N(TC); i++) {                                                                   \
            head("class", PS, -1, i, -1, -1);                                                                    \
            r = fclass_##P(IMG(TC[i]), &f); res_(r, f);                                                          \
            endl();                                                                                              \
        }                                                                                                        \
        /* static rounding modes in the instruction override frm (set to RDN here) */                           \
        set_frm(2);                                                                                              \
        for (unsigned i = 0; i < N(TR); i++)                                                                     \
            for (unsigned j = 0; j < N(TR); j++) {                                                               \
                u64 a = IMG(TR[i]), b = IMG(TR[j]);                                                              \
                head("static", PS, 2, i, j, -1);                                                                 \
                r = fadd_##P##_rne(a, b, &f); res_(r, f);                                                        \
                r = fadd_##P##_rtz(a, b, &f); res_(r, f);                                                        \
                r = fadd_##P##_rdn(a, b, &f); res_(r, f);                                                        \
                r = fadd_##P##_rup(a, b, &f); res_(r, f);                                                        \
                r = fadd_##P##_rmm(a, b, &f); res_(r, f);                                                        \
                r = fadd_##P(a, b, &f); res_(r, f);                                                              \
                r = fmadd_##P##_rup(a, b, a, &f); res_(r, f);                                                    \
                endl();                                                                                          \
            }                                                                                                    \
        for (unsigned i = 0; i < N(TC); i++) {                                                                   \
            u64 a = IMG(TC[i]);                                                                                  \
            head("static-cvt", PS, 2, i, -1, -1);                                                                \
            r = fcvt_w_##P##_rtz(a, &f); res_(r, f);                                                             \
            r = fcvt_l_##P##_rmm(a, &f); res_(r, f);                                                             \
            r = fsqrt_##P##_rdn(a, &f); res_(r, f);                                                              \
            endl();                                                                                              \
        }                                                                                                        \
        set_frm(0);                                                                                              \
    }

#define IMG_D(x) ((u64)(x))
#define IMG_S(x) BOX(x)

PREC_TESTS(d, "d", DS, DR, DFS, DFR, DC, IMG_D)
PREC_TESTS(s, "s", SS, SR, SFS, SFR, SC, IMG_S)

static void conversions_sd(void)
{
    u32 f;
    for (int m = 0; m < 5; m++) {
        set_frm(m);
        for (unsigned i = 0; i < N(DC); i++) {
            head("fcvt.s.d", "", m, i, -1, -1);
            u64 r = fcvt_s_d(DC[i], &f);
            res_(r, f);
            endl();
        }
    }
    set_frm(0);
    for (unsigned i = 0; i < N(SC); i++) {
        head("fcvt.d.s", "", -1, i, -1, -1);
        u64 r = fcvt_d_s(BOX(SC[i]), &f);
        res_(r, f);
        endl();
    }
}

/* Singles whose register image is not a properly NaN-boxed value must be read as the canonical NaN by every
 * single-precision operation except moves and stores, which see the low 32 bits as they are. */
static void nanboxing(void)
{
    static const u64 imgs[] = {
        0xffffffff3f800000, /* properly boxed 1.0f */
        0x000000003f800000, /* 1.0f, not boxed */
        0x7fffffff3f800000, /* upper half almost all ones */
        0xfffffffe3f800000,
        0x3ff0000000000000, /* the double 1.0 */
        0xffffffff7fc00000, /* boxed canonical NaN */
        0x00000000ff800001, /* unboxed sNaN pattern */
    };
    const u64 one = BOX(0x3f800000), mone = BOX(0xbf800000);
    u32 f;
    u64 r;
    static float mem[2];
    for (unsigned i = 0; i < N(imgs); i++) {
        u64 a = imgs[i];
        s_("nanbox ");
        h64(a);
        c_(':');
        r = fadd_s(a, one, &f); res_(r, f);
        r = fmul_s(one, a, &f); res_(r, f);
        r = fsqrt_s(a, &f); res_(r, f);
        r = fmadd_s(a, one, one, &f); res_(r, f);
        r = fmin_s(a, one, &f); res_(r, f);
        r = fmax_s(mone, a, &f); res_(r, f);
        r = fsgnj_s(a, mone, &f); res_(r, f);
        r = fsgnjn_s(one, a, &f); res_(r, f);
        r = fsgnjx_s(a, a, &f); res_(r, f);
        r = feq_s(a, a, &f); res_(r, f);
        r = flt_s(a, one, &f); res_(r, f);
        r = fclass_s(a, &f); res_(r, f);
        r = fcvt_d_s(a, &f); res_(r, f);
        r = fcvt_w_s(a, &f); res_(r, f);
        r = fmv_x_w(a, &f); res_(r, f);
        /* fsw stores the low 32 bits as they are */
        mem[0] = 0;
        __asm__ volatile("fmv.d.x ft0, %1\n\tfsw ft0, 0(%0)" : : "r"(mem), "r"(a) : "ft0", "memory");
        u32 w;
        memcpy(&w, mem, 4);
        c_(' ');
        hexn(w, 8);
        endl();
    }
    /* fmv.w.x and flw box; fmv.x.w sign-extends */
    static const u64 xs[] = {0x0000000012345678, 0x1234567887654321, 0xffffffff80000000, 0x000000007f800001};
    for (unsigned i = 0; i < N(xs); i++) {
        s_("fmv.w.x ");
        h64(xs[i]);
        c_(':');
        r = fmv_w_x(xs[i], &f); res_(r, f);
        r = fmv_x_w(r, &f); res_(r, f);
        u32 w = (u32)xs[i];
        memcpy(mem, &w, 4);
        __asm__ volatile("fmv.d.x ft0, zero\n\tflw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(mem) : "ft0");
        s_(" flw ");
        h64(r);
        endl();
    }
    /* fld/fsd move all 64 bits; fmv.x.d / fmv.d.x too */
    static u64 dmem;
    dmem = 0x7ff4000000000001;
    __asm__ volatile("fld ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(&dmem) : "ft0");
    s_("fld sNaN bits ");
    h64(r);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfsd ft0, 0(%0)" : : "r"(&dmem), "r"(0xfff8000012345678ull) : "ft0", "memory");
    s_(" fsd ");
    h64(dmem);
    endl();
}

/* flags accumulate in fflags until cleared, and frflags/fsflags really read and replace them */
static void accrual(void)
{
    u64 before, after, old;
    __asm__ volatile("csrw fflags, zero\n\t"
                     "fmv.d.x ft0, %2\n\t"
                     "fmv.d.x ft1, zero\n\t"
                     "fdiv.d ft2, ft0, ft1\n\t" /* DZ */
                     "frflags %0\n\t"
                     "fmv.d.x ft1, %3\n\t"
                     "fadd.d ft2, ft1, ft1\n\t" /* sNaN: NV */
                     "fdiv.d ft2, ft0, ft0\n\t" /* exact: nothing */
                     "frflags %1"
                     : "=&r"(before), "=&r"(after)
                     : "r"(0x3ff0000000000000ull), "r"(0x7ff0000000000001ull)
                     : "ft0", "ft1", "ft2");
    __asm__ volatile("fsflags %0, %1" : "=r"(old) : "r"(0x1ull));
    s_("accrual: after DZ ");
    hexn(before, 2);
    s_(" after NV ");
    hexn(after, 2);
    s_(" fsflags old ");
    hexn(old, 2);
    __asm__ volatile("frflags %0" : "=r"(old));
    s_(" now ");
    hexn(old, 2);
    endl();
    __asm__ volatile("csrw fflags, zero");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    s_("fptest: tables");
    endl();
    table64("DS", DS, N(DS));
    table64("DR", DR, N(DR));
    table64("DFS", DFS, N(DFS));
    table64("DFR", DFR, N(DFR));
    table64("DC", DC, N(DC));
    table32("SS", SS, N(SS));
    table32("SR", SR, N(SR));
    table32("SFS", SFS, N(SFS));
    table32("SFR", SFR, N(SFR));
    table32("SC", SC, N(SC));
    table64("IV", IV, N(IV));
    tests_d();
    tests_s();
    conversions_sd();
    nanboxing();
    accrual();
    s_("fptest done");
    endl();
    return 0;
}

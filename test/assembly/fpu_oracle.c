/* Independent oracle for the FPU tests: evaluates operations with the host's IEEE arithmetic (x86-64 SSE via
 * the C compiler, glibc's fma/fmaf, <fenv.h> rounding modes and exception flags) and prints the results with
 * the raised flags translated to RISC-V fflags bits (NV=0x10 DZ=0x08 OF=0x04 UF=0x02 NX=0x01).
 *
 * Build: cc -O0 -frounding-math -fno-math-errno fpu_oracle.c -lm
 * Input lines:  <op> <rm> <a> <b> <c>      (hex bit patterns, rm 0..4 = RNE RTZ RDN RUP RMM)
 * Output lines: <result hex> <flags hex>
 *
 * The host has no round-to-nearest-max-magnitude mode. For rm=4 the oracle evaluates the operation in RNE,
 * RTZ and the directed mode away from zero, and decides whether the exact result is a tie by computing it in
 * binary128 (__float128, 113-bit significand; an inexact binary128 result cannot be a tie at 24 or 53 bits):
 * a tie takes the away-from-zero result and flags, anything else the RNE result and flags.
 *
 * Float-to-integer conversions implement the RISC-V saturation rules here in C on top of the host's
 * rint()/round() (NaN -> largest positive, out of range -> the limit of the sign, NV without NX).
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#pragma STDC FENV_ACCESS ON

static const int modes[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static double D(uint64_t b) { double x; memcpy(&x, &b, 8); return x; }
static float F(uint64_t b) { uint32_t u = (uint32_t)b; float x; memcpy(&x, &u, 4); return x; }
static uint64_t DB(double x) { uint64_t b; memcpy(&b, &x, 8); return b; }
static uint64_t FB(float x) { uint32_t b; memcpy(&b, &x, 4); return b; }

static unsigned rvflags(int ex) {
  unsigned f = 0;
  if (ex & FE_INVALID) f |= 0x10;
  if (ex & FE_DIVBYZERO) f |= 0x08;
  if (ex & FE_OVERFLOW) f |= 0x04;
  if (ex & FE_UNDERFLOW) f |= 0x02;
  if (ex & FE_INEXACT) f |= 0x01;
  return f;
}

typedef struct { uint64_t r; unsigned fl; } res;

enum { T_D, T_S };

/* Evaluate op in host rounding mode m (0..3). Returns 0 for an unknown op. */
static int eval(const char *op, int m, uint64_t a, uint64_t b, uint64_t c, res *out, int *type) {
  volatile double x = D(a), y = D(b), z = D(c);
  volatile float xf = F(a), yf = F(b), zf = F(c);
  volatile double rd = 0;
  volatile float rf = 0;
  int t = -1;
  fesetround(modes[m]);
  feclearexcept(FE_ALL_EXCEPT);
  if (!strcmp(op, "d_add")) { rd = x + y; t = T_D; }
  else if (!strcmp(op, "d_sub")) { rd = x - y; t = T_D; }
  else if (!strcmp(op, "d_mul")) { rd = x * y; t = T_D; }
  else if (!strcmp(op, "d_div")) { rd = x / y; t = T_D; }
  else if (!strcmp(op, "d_sqrt")) { rd = sqrt(x); t = T_D; }
  else if (!strcmp(op, "d_fma")) { rd = fma(x, y, z); t = T_D; }
  else if (!strcmp(op, "s_add")) { rf = xf + yf; t = T_S; }
  else if (!strcmp(op, "s_sub")) { rf = xf - yf; t = T_S; }
  else if (!strcmp(op, "s_mul")) { rf = xf * yf; t = T_S; }
  else if (!strcmp(op, "s_div")) { rf = xf / yf; t = T_S; }
  else if (!strcmp(op, "s_sqrt")) { rf = sqrtf(xf); t = T_S; }
  else if (!strcmp(op, "s_fma")) { rf = fmaf(xf, yf, zf); t = T_S; }
  else if (!strcmp(op, "d_to_s")) { rf = (float)x; t = T_S; }
  else if (!strcmp(op, "s_to_d")) { rd = (double)xf; t = T_D; }
  else if (!strcmp(op, "i32_to_d")) { volatile int32_t v = (int32_t)a; rd = (double)v; t = T_D; }
  else if (!strcmp(op, "u32_to_d")) { volatile uint32_t v = (uint32_t)a; rd = (double)v; t = T_D; }
  else if (!strcmp(op, "i64_to_d")) { volatile int64_t v = (int64_t)a; rd = (double)v; t = T_D; }
  else if (!strcmp(op, "u64_to_d")) { volatile uint64_t v = a; rd = (double)v; t = T_D; }
  else if (!strcmp(op, "i32_to_s")) { volatile int32_t v = (int32_t)a; rf = (float)v; t = T_S; }
  else if (!strcmp(op, "u32_to_s")) { volatile uint32_t v = (uint32_t)a; rf = (float)v; t = T_S; }
  else if (!strcmp(op, "i64_to_s")) { volatile int64_t v = (int64_t)a; rf = (float)v; t = T_S; }
  else if (!strcmp(op, "u64_to_s")) { volatile uint64_t v = a; rf = (float)v; t = T_S; }
  int ex = fetestexcept(FE_ALL_EXCEPT);
  fesetround(FE_TONEAREST);
  if (t < 0) return 0;
  out->r = t == T_D ? DB(rd) : FB(rf);
  out->fl = rvflags(ex);
  *type = t;
  return 1;
}

/* The exact result in binary128; returns 1 when it is exact (and finite). */
static int exact128(const char *op, uint64_t a, uint64_t b, uint64_t c, __float128 *X) {
  volatile __float128 x, y, z, r = 0;
  int sgl = op[0] == 's' && op[1] == '_';
  x = sgl ? (__float128)F(a) : (__float128)D(a);
  y = sgl ? (__float128)F(b) : (__float128)D(b);
  z = sgl ? (__float128)F(c) : (__float128)D(c);
  fesetround(FE_TONEAREST);
  feclearexcept(FE_ALL_EXCEPT);
  if (!strcmp(op + 1, "_add")) r = x + y;
  else if (!strcmp(op + 1, "_sub")) r = x - y;
  else if (!strcmp(op + 1, "_mul")) r = x * y;
  else if (!strcmp(op + 1, "_div")) r = x / y;
  else if (!strcmp(op + 1, "_fma")) { volatile __float128 p = x * y; r = p + z; }
  else if (!strcmp(op + 1, "_sqrt")) return 0; /* never a tie */
  else if (!strcmp(op, "d_to_s")) r = (__float128)D(a);
  else if (!strcmp(op, "i32_to_d") || !strcmp(op, "i32_to_s")) r = (__float128)(int32_t)a;
  else if (!strcmp(op, "u32_to_d") || !strcmp(op, "u32_to_s")) r = (__float128)(uint32_t)a;
  else if (!strcmp(op, "i64_to_d") || !strcmp(op, "i64_to_s")) r = (__float128)(int64_t)a;
  else if (!strcmp(op, "u64_to_d") || !strcmp(op, "u64_to_s")) r = (__float128)a;
  else return 0;
  int ex = fetestexcept(FE_ALL_EXCEPT);
  *X = r;
  return !(ex & (FE_INEXACT | FE_INVALID | FE_OVERFLOW | FE_DIVBYZERO));
}

static __float128 toQ(uint64_t bits, int t) { return t == T_D ? (__float128)D(bits) : (__float128)F(bits); }
static int isNaNBits(uint64_t bits, int t) {
  return t == T_D ? (bits & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull
                  : (bits & 0x7FFFFFFFu) > 0x7F800000u;
}
static int isInfBits(uint64_t bits, int t) {
  return t == T_D ? (bits & 0x7FFFFFFFFFFFFFFFull) == 0x7FF0000000000000ull
                  : (bits & 0x7FFFFFFFu) == 0x7F800000u;
}
static int negBits(uint64_t bits, int t) { return t == T_D ? (int)(bits >> 63) : (int)((bits >> 31) & 1); }

static int evalRmm(const char *op, uint64_t a, uint64_t b, uint64_t c, res *out) {
  res n, z, aw;
  int t;
  if (!eval(op, 0, a, b, c, &n, &t)) return 0;
  *out = n;
  if (isNaNBits(n.r, t)) return 1;
  eval(op, 1, a, b, c, &z, &t);
  /* the RTZ result carries the sign of the exact value (also when it is a zero from underflow) */
  eval(op, negBits(z.r, t) ? 2 : 3, a, b, c, &aw, &t);
  if (z.r == aw.r || isInfBits(aw.r, t)) return 1; /* exact, or at the overflow boundary (RNE agrees) */
  __float128 X;
  if (!exact128(op, a, b, c, &X)) return 1;
  __float128 mid = (toQ(z.r, t) + toQ(aw.r, t)) / 2;
  if (X == mid) *out = aw;
  return 1;
}

/* RISC-V float -> integer conversion. kind: 0 w, 1 wu, 2 l, 3 lu. */
static res cvtToInt(double x, int kind, int m) {
  res o = { 0, 0 };
  if (isnan(x)) {
    o.fl = 0x10;
    o.r = kind == 0 ? 0x7FFFFFFFull : kind == 2 ? 0x7FFFFFFFFFFFFFFFull : 0xFFFFFFFFFFFFFFFFull;
    return o;
  }
  double r;
  if (m == 4) r = round(x);
  else { fesetround(modes[m]); r = rint(x); fesetround(FE_TONEAREST); }
  int bad;
  switch (kind) {
    case 0: bad = r < -2147483648.0 || r > 2147483647.0; break;
    case 1: bad = r < 0 || r > 4294967295.0; break;
    case 2: bad = r < -9223372036854775808.0 || r >= 9223372036854775808.0; break;
    default: bad = r < 0 || r >= 18446744073709551616.0; break;
  }
  if (bad) {
    o.fl = 0x10;
    switch (kind) {
      case 0: o.r = x < 0 ? 0xFFFFFFFF80000000ull : 0x7FFFFFFFull; break;
      case 1: o.r = x < 0 ? 0 : 0xFFFFFFFFFFFFFFFFull; break;
      case 2: o.r = x < 0 ? 0x8000000000000000ull : 0x7FFFFFFFFFFFFFFFull; break;
      default: o.r = x < 0 ? 0 : 0xFFFFFFFFFFFFFFFFull; break;
    }
    return o;
  }
  switch (kind) {
    case 0: o.r = (uint64_t)(int64_t)(int32_t)r; break;
    case 1: o.r = (uint64_t)(int64_t)(int32_t)(uint32_t)r; break;
    case 2: o.r = (uint64_t)(int64_t)r; break;
    default: o.r = (uint64_t)r; break;
  }
  o.fl = r != x ? 0x01 : 0;
  return o;
}

static res compare(const char *op, uint64_t a, uint64_t b) {
  volatile double x = D(a), y = D(b);
  volatile float xf = F(a), yf = F(b);
  volatile int r = 0;
  feclearexcept(FE_ALL_EXCEPT);
  if (!strcmp(op, "d_eq")) r = x == y;
  else if (!strcmp(op, "d_lt")) r = x < y;
  else if (!strcmp(op, "d_le")) r = x <= y;
  else if (!strcmp(op, "s_eq")) r = xf == yf;
  else if (!strcmp(op, "s_lt")) r = xf < yf;
  else if (!strcmp(op, "s_le")) r = xf <= yf;
  res o = { (uint64_t)r, rvflags(fetestexcept(FE_ALL_EXCEPT)) };
  return o;
}

int main(void) {
  char op[32];
  int rm;
  unsigned long long a, b, c;
  while (scanf("%31s %d %llx %llx %llx", op, &rm, &a, &b, &c) == 5) {
    res o = { 0, 0 };
    int t, ok = 1;
    if (!strncmp(op, "d_to_", 5) && op[5] != 's') {
      int kind = !strcmp(op + 5, "i32") ? 0 : !strcmp(op + 5, "u32") ? 1 : !strcmp(op + 5, "i64") ? 2 : 3;
      o = cvtToInt(D(a), kind, rm);
    } else if (!strncmp(op, "s_to_", 5) && op[5] != 'd') {
      int kind = !strcmp(op + 5, "i32") ? 0 : !strcmp(op + 5, "u32") ? 1 : !strcmp(op + 5, "i64") ? 2 : 3;
      o = cvtToInt((double)F(a), kind, rm);
    } else if (!strcmp(op + 1, "_eq") || !strcmp(op + 1, "_lt") || !strcmp(op + 1, "_le")) {
      o = compare(op, a, b);
    } else if (rm == 4) {
      ok = evalRmm(op, a, b, c, &o);
    } else {
      ok = eval(op, rm, a, b, c, &o, &t);
    }
    if (!ok) { fprintf(stderr, "unknown op %s\n", op); return 2; }
    printf("%016llx %x\n", (unsigned long long)o.r, o.fl);
  }
  return 0;
}

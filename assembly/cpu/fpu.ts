// Floating-point arithmetic unit for the RISC-V F and D extensions (unprivileged spec, chapters "F" and "D";
// IEEE 754-2008 semantics with the RISC-V choices: canonical NaN results, tininess detected after rounding,
// saturating float-to-integer conversions, 2019 minimumNumber/maximumNumber for fmin/fmax).
//
// Operands and results are raw IEEE bit patterns (f64 as u64, f32 as u32). The caller unboxes single-precision
// values and resolves the rounding mode, so `rm` is always 0..4 (RNE, RTZ, RDN, RUP, RMM).
// Exception flags are ORed into `fpFlags` (fflags bit layout); nothing here ever clears it.
//
// Structure:
//  * fast paths: round-to-nearest-even results computed with native WebAssembly f64/f32 instructions (which
//    round to nearest even) when the result is finite and normal, with exact inexactness detection:
//    TwoSum for additions, an integer residual (computed modulo 2^64, which is exact because the residual is
//    known to be small) for multiplication, division and square root; f64 fused multiply-add by emulation
//    with round-to-odd (Boldo & Melquiond); single precision by computing exactly (or rounded to odd) in f64
//    and narrowing natively;
//  * a softfloat path for everything else (other rounding modes, special operands, subnormal inputs or
//    results, overflow, fma outside the emulation's safe range): "cores" turn finite non-zero operands into
//    a sign, an exponent and a 64-bit significand whose lowest bit is sticky (the exact value, or an
//    odd-rounded stand-in that rounds identically), and roundPack64/roundPack32 round that in the requested
//    mode and raise flags.
//    Single-precision operands are widened exactly to f64 and go through the same cores.
// No allocation: multi-word intermediates live in module globals.

export let fpFlags: u32 = 0;
/** Sets the accrued flags (fflags/fcsr writes); other modules cannot assign an imported binding. */
export function setFpFlags(v: u32): void { fpFlags = v; }

// fflags bits
const NV: u32 = 0x10;
const DZ: u32 = 0x08;
const OF: u32 = 0x04;
const UF: u32 = 0x02;
const NX: u32 = 0x01;

// rounding modes
const RNE: u32 = 0;
const RTZ: u32 = 1;
const RDN: u32 = 2;
const RUP: u32 = 3;
const RMM: u32 = 4;

const D_SIGN: u64 = 0x8000000000000000;
const D_EXP: u64 = 0x7FF0000000000000;
const D_FRAC: u64 = 0x000FFFFFFFFFFFFF;
const D_HIDDEN: u64 = 0x0010000000000000;
const D_QUIET: u64 = 0x0008000000000000;
const D_CANON: u64 = 0x7FF8000000000000;
const D_MIN_NORMAL: u64 = 0x0010000000000000;

const S_SIGN: u32 = 0x80000000;
const S_EXP: u32 = 0x7F800000;
const S_FRAC: u32 = 0x007FFFFF;
const S_QUIET: u32 = 0x00400000;
const S_CANON: u32 = 0x7FC00000;
const S_MIN_NORMAL: u32 = 0x00800000;

// ---------------------------------------------------------------------------------------------------------
// Core results: value = cSig * 2^(cExp - 1084) with cSig's leading one at bit 62 (cSig == 0: exact zero,
// signed by cSign). This is the f64 convention: the packed exponent field is cExp + 1.
let cSign: u64 = 0;
let cExp: i32 = 0;
let cSig: u64 = 0;

// 128-bit temporaries (high, low)
let w1: u64 = 0;
let w0: u64 = 0;

// conversion-to-integer side results
let cvtBig: bool = false;
let cvtInexact: bool = false;

// ---------------------------------------------------------------------------------------------------------
// small helpers

@inline function isNaN64(a: u64): bool { return (a & ~D_SIGN) > D_EXP; }
@inline function isSNaN64(a: u64): bool { return (a & ~D_SIGN) > D_EXP && (a & D_QUIET) == 0; }
@inline function isNaN32(a: u32): bool { return (a & ~S_SIGN) > S_EXP; }
@inline function isSNaN32(a: u32): bool { return (a & ~S_SIGN) > S_EXP && (a & S_QUIET) == 0; }

@inline function f64of(a: u64): f64 { return reinterpret<f64>(a); }
@inline function bitsOf(x: f64): u64 { return reinterpret<u64>(x); }
@inline function f32of(a: u32): f32 { return reinterpret<f32>(a); }
@inline function bits32(x: f32): u32 { return reinterpret<u32>(x); }

/** Exact widening of a finite (non-NaN) single to double bits. */
@inline function widen(a: u32): u64 { return reinterpret<u64>(<f64>reinterpret<f32>(a)); }

/** Round to odd, given s = RN(x) (bits, non-zero when err != 0) and the exact error err = x - s: when x is
 *  inexact and s is even, step to the neighbour on err's side (branch-free: the condition is data-dependent). */
@inline function toOdd(sb: u64, err: f64): u64 {
  const need = <u64>(err != 0) & ~sb & 1;
  const toward0 = (bitsOf(err) ^ sb) >> 63; // err and s of opposite signs: the neighbour is nearer zero
  return sb + need - ((need & toward0) << 1);
}

/** Shift right by dist (any value), ORing every bit shifted out into bit 0. */
@inline function srj64(a: u64, dist: u32): u64 {
  if (dist >= 63) return <u64>(a != 0);
  return (a >> dist) | <u64>((a & ((<u64>1 << dist) - 1)) != 0);
}

/** 64x64 -> 128-bit product into (w1, w0). */
@inline function mul128(a: u64, b: u64): void {
  const a0 = a & 0xFFFFFFFF, a1 = a >> 32, b0 = b & 0xFFFFFFFF, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >> 32) + (p01 & 0xFFFFFFFF) + (p10 & 0xFFFFFFFF);
  w0 = a * b;
  w1 = a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** Shift (x1, x0) right by d with jamming into (w1, w0). */
function srj128(x1: u64, x0: u64, d: u32): void {
  if (d == 0) { w1 = x1; w0 = x0; return; }
  if (d < 64) {
    w0 = (x1 << (64 - d)) | (x0 >> d) | <u64>((x0 << (64 - d)) != 0);
    w1 = x1 >> d;
    return;
  }
  if (d < 128) {
    const dd = d - 64;
    const lost = x0 | (x1 & ((<u64>1 << dd) - 1));
    w0 = (x1 >> dd) | <u64>(lost != 0);
    w1 = 0;
    return;
  }
  w1 = 0;
  w0 = <u64>((x1 | x0) != 0);
}

// ---------------------------------------------------------------------------------------------------------
// Rounding and packing (after Berkeley SoftFloat 3's softfloat_roundPackToF64/F32, RISC-V specialization:
// tininess after rounding).

/** value = sig * 2^(exp - 1084), sig normalized to bit 62 (or zero). Returns the f64 bits. */
function roundPack64(sign: u64, exp: i32, sig: u64, rm: u32): u64 {
  let inc: u64 = 0x200;
  if (rm != RNE && rm != RMM) inc = rm == (sign ? RDN : RUP) ? 0x3FF : 0;
  let rb = sig & 0x3FF;
  if (<u32>exp >= 0x7FD) {
    if (exp < 0) {
      const tiny = exp < -1 || sig + inc < 0x8000000000000000;
      sig = srj64(sig, <u32>(-exp));
      exp = 0;
      rb = sig & 0x3FF;
      if (tiny && rb != 0) fpFlags |= UF;
    } else if (exp > 0x7FD || sig + inc >= 0x8000000000000000) {
      fpFlags |= OF | NX;
      return (sign << 63) | (inc ? D_EXP : D_EXP - 1);
    }
  }
  sig = (sig + inc) >> 10;
  if (rb != 0) {
    fpFlags |= NX;
    if (rm == RNE && rb == 0x200) sig &= ~(<u64>1);
  }
  if (sig == 0) exp = 0;
  return (sign << 63) + (<u64>exp << 52) + sig;
}

/** value = sig * 2^(exp - 188), sig normalized to bit 62 (or zero). Returns the f32 bits. */
function roundPack32(sign: u64, exp: i32, sig: u64, rm: u32): u32 {
  let inc: u64 = 0x4000000000;
  if (rm != RNE && rm != RMM) inc = rm == (sign ? RDN : RUP) ? 0x7FFFFFFFFF : 0;
  let rb = sig & 0x7FFFFFFFFF;
  if (<u32>exp >= 0xFD) {
    if (exp < 0) {
      const tiny = exp < -1 || sig + inc < 0x8000000000000000;
      sig = srj64(sig, <u32>(-exp));
      exp = 0;
      rb = sig & 0x7FFFFFFFFF;
      if (tiny && rb != 0) fpFlags |= UF;
    } else if (exp > 0xFD || sig + inc >= 0x8000000000000000) {
      fpFlags |= OF | NX;
      return (<u32>sign << 31) | (inc ? S_EXP : S_EXP - 1);
    }
  }
  let s = <u32>((sig + inc) >> 39);
  if (rb != 0) {
    fpFlags |= NX;
    if (rm == RNE && rb == 0x4000000000) s &= ~1;
  }
  if (s == 0) exp = 0;
  return (<u32>sign << 31) + (<u32>exp << 23) + s;
}

// ---------------------------------------------------------------------------------------------------------
// Cores. Inputs are f64 bit patterns of finite, non-zero values. Outputs in cSign/cExp/cSig.

/** a + b (signed add). */
function addCore(a: u64, b: u64, rm: u32): void {
  let sa = a >> 63, sb = b >> 63;
  let ea = <i32>((a >> 52) & 0x7FF), eb = <i32>((b >> 52) & 0x7FF);
  let ma = a & D_FRAC, mb = b & D_FRAC;
  if (ea != 0) ma |= D_HIDDEN; else ea = 1;
  if (eb != 0) mb |= D_HIDDEN; else eb = 1;
  if (ea < eb || (ea == eb && ma < mb)) {
    let t = ea; ea = eb; eb = t;
    let u = ma; ma = mb; mb = u;
    let v = sa; sa = sb; sb = v;
  }
  const A = ma << 9;
  const B = srj64(mb << 9, <u32>(ea - eb));
  const S = sa == sb ? A + B : A - B;
  if (S == 0) {
    cSign = <u64>(rm == RDN);
    cSig = 0;
    cExp = 0;
    return;
  }
  const sh = <i32>clz(S) - 1;
  cSign = sa;
  cSig = S << sh;
  cExp = ea - sh;
}

/** a * b */
function mulCore(a: u64, b: u64): void {
  let ea = <i32>((a >> 52) & 0x7FF), eb = <i32>((b >> 52) & 0x7FF);
  let ma = a & D_FRAC, mb = b & D_FRAC;
  if (ea != 0) ma |= D_HIDDEN; else { const s = <i32>clz(ma) - 11; ma <<= s; ea = 1 - s; }
  if (eb != 0) mb |= D_HIDDEN; else { const s = <i32>clz(mb) - 11; mb <<= s; eb = 1 - s; }
  mul128(ma << 10, mb << 11);
  let hi = w1, lo = w0;
  let e = ea + eb - 1023;
  if (hi < 0x4000000000000000) {
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    e -= 1;
  }
  cSign = (a ^ b) >> 63;
  cSig = hi | <u64>(lo != 0);
  cExp = e;
}

/** a / b: the native quotient of the significands is correctly rounded to nearest; the exact integer residual
 *  (computed modulo 2^64, |residual| < 2^53) tells on which side of it the true quotient lies. At 53 bits a
 *  quotient is never exactly halfway between two representable values (ties can only occur when the result
 *  is subnormal, and then the quotient is exact at 53 bits, r == 0). */
function divCore(a: u64, b: u64): void {
  let ea = <i32>((a >> 52) & 0x7FF), eb = <i32>((b >> 52) & 0x7FF);
  let ma = a & D_FRAC, mb = b & D_FRAC;
  if (ea != 0) ma |= D_HIDDEN; else { const s = <i32>clz(ma) - 11; ma <<= s; ea = 1 - s; }
  if (eb != 0) mb |= D_HIDDEN; else { const s = <i32>clz(mb) - 11; mb <<= s; eb = 1 - s; }
  const adj: i32 = ma < mb ? 1 : 0;
  const fa = f64of((<u64>(1023 + adj) << 52) | (ma & D_FRAC));
  const fb = f64of((<u64>1023 << 52) | (mb & D_FRAC));
  const Q = (bitsOf(fa / fb) & D_FRAC) | D_HIDDEN; // quotient in [1, 2)
  const r = <i64>((ma << <u64>(52 + adj)) - Q * mb);
  let sig = Q << 10;
  let e = ea - eb + 1022 - adj;
  if (r > 0) sig |= 1;
  else if (r < 0) {
    sig -= 1;
    if (sig < 0x4000000000000000) { sig <<= 1; e -= 1; }
  }
  cSign = (a ^ b) >> 63;
  cSig = sig;
  cExp = e;
}

/** sqrt(a), a > 0: same residual technique as divCore. */
function sqrtCore(a: u64): void {
  let e = <i32>((a >> 52) & 0x7FF);
  let m = a & D_FRAC;
  if (e != 0) m |= D_HIDDEN; else { const s = <i32>clz(m) - 11; m <<= s; e = 1 - s; }
  const k = e - 1023;
  const odd = k & 1;
  const fx = f64of((<u64>(1023 + odd) << 52) | (m & D_FRAC)); // in [1, 4)
  const S = (bitsOf(sqrt<f64>(fx)) & D_FRAC) | D_HIDDEN;      // in [1, 2)
  const r = <i64>((m << <u64>(52 + odd)) - S * S);
  let sig = S << 10;
  let ex = ((k - odd) >> 1) + 1022;
  if (r > 0) sig |= 1;
  else if (r < 0) {
    sig -= 1;
    if (sig < 0x4000000000000000) { sig <<= 1; ex -= 1; }
  }
  cSign = 0;
  cSig = sig;
  cExp = ex;
}

/** a * b + c with one rounding: 128-bit integer arithmetic. */
function fmaCore(a: u64, b: u64, c: u64, rm: u32): void {
  let ea = <i32>((a >> 52) & 0x7FF), eb = <i32>((b >> 52) & 0x7FF), ec = <i32>((c >> 52) & 0x7FF);
  let ma = a & D_FRAC, mb = b & D_FRAC, mc = c & D_FRAC;
  if (ea != 0) ma |= D_HIDDEN; else { const s = <i32>clz(ma) - 11; ma <<= s; ea = 1 - s; }
  if (eb != 0) mb |= D_HIDDEN; else { const s = <i32>clz(mb) - 11; mb <<= s; eb = 1 - s; }
  if (ec != 0) mc |= D_HIDDEN; else { const s = <i32>clz(mc) - 11; mc <<= s; ec = 1 - s; }
  const sp = (a ^ b) >> 63, sc = c >> 63;
  // product: 128-bit, leading one at bit 126; value = P * 2^(ep - 1148)
  mul128(ma << 10, mb << 11);
  let p1 = w1, p0 = w0;
  let ep = ea + eb - 1023;
  if (p1 < 0x4000000000000000) {
    p1 = (p1 << 1) | (p0 >> 63);
    p0 <<= 1;
    ep -= 1;
  }
  // addend: leading one at bit 126 too
  const c1 = mc << 10;
  const ecc = ec - 1;
  const d = ep - ecc;
  let s1: u64, s0: u64, e: i32, sign: u64;
  if (sp == sc) {
    if (d >= 0) { srj128(c1, 0, <u32>d); s0 = p0 + w0; s1 = p1 + w1 + <u64>(s0 < p0); e = ep; }
    else { srj128(p1, p0, <u32>(-d)); s0 = w0; s1 = c1 + w1; e = ecc; }
    if (s1 >= 0x8000000000000000) {
      s0 = (s1 << 63) | (s0 >> 1) | (s0 & 1);
      s1 >>= 1;
      e += 1;
    }
    sign = sp;
  } else {
    let b1: u64, b0: u64;
    if (d > 0 || (d == 0 && (p1 > c1 || (p1 == c1 && p0 != 0)))) {
      srj128(c1, 0, <u32>d);
      b1 = p1; b0 = p0; e = ep; sign = sp;
    } else {
      srj128(p1, p0, <u32>(-d));
      b1 = c1; b0 = 0; e = ecc; sign = sc;
    }
    s0 = b0 - w0;
    s1 = b1 - w1 - <u64>(b0 < w0);
    if ((s1 | s0) == 0) {
      cSign = <u64>(rm == RDN);
      cSig = 0;
      cExp = 0;
      return;
    }
    const lz = s1 != 0 ? <i32>clz(s1) : 64 + <i32>clz(s0);
    const sh = lz - 1;
    if (sh >= 64) { s1 = s0 << <u64>(sh - 64); s0 = 0; }
    else if (sh > 0) { s1 = (s1 << <u64>sh) | (s0 >> <u64>(64 - sh)); s0 <<= <u64>sh; }
    e -= sh;
  }
  cSign = sign;
  cSig = s1 | <u64>(s0 != 0);
  cExp = e;
}

// ---------------------------------------------------------------------------------------------------------
// Double precision arithmetic

function f64AddSlow(a: u64, b: u64, rm: u32): u64 {
  const ea = a & D_EXP, eb = b & D_EXP;
  if (ea == D_EXP || eb == D_EXP) {
    if (isNaN64(a) || isNaN64(b)) {
      if (isSNaN64(a) || isSNaN64(b)) fpFlags |= NV;
      return D_CANON;
    }
    if (ea == D_EXP && eb == D_EXP && ((a ^ b) & D_SIGN) != 0) { fpFlags |= NV; return D_CANON; }
    return ea == D_EXP ? a : b;
  }
  if ((a << 1) == 0) {
    if ((b << 1) == 0) return ((a ^ b) & D_SIGN) != 0 ? (rm == RDN ? D_SIGN : 0) : a;
    return b;
  }
  if ((b << 1) == 0) return a;
  addCore(a, b, rm);
  return roundPack64(cSign, cExp, cSig, rm);
}

export function f64_add(a: u64, b: u64, rm: u32): u64 {
  if (rm == RNE) {
    const x = f64of(a), y = f64of(b);
    const s = x + y;
    const sb = bitsOf(s);
    if ((sb & D_EXP) != D_EXP) {
      const bb = s - x;
      fpFlags |= <u32>((x - (s - bb)) + (y - bb) != 0); // NX, branch-free
      return sb;
    }
  }
  return f64AddSlow(a, b, rm);
}

export function f64_sub(a: u64, b: u64, rm: u32): u64 {
  return f64_add(a, b ^ D_SIGN, rm);
}

function f64MulSlow(a: u64, b: u64, rm: u32): u64 {
  const ea = a & D_EXP, eb = b & D_EXP;
  const sign = (a ^ b) & D_SIGN;
  if (ea == D_EXP || eb == D_EXP) {
    if (isNaN64(a) || isNaN64(b)) {
      if (isSNaN64(a) || isSNaN64(b)) fpFlags |= NV;
      return D_CANON;
    }
    if ((a << 1) == 0 || (b << 1) == 0) { fpFlags |= NV; return D_CANON; } // inf * 0
    return sign | D_EXP;
  }
  if ((a << 1) == 0 || (b << 1) == 0) return sign;
  mulCore(a, b);
  return roundPack64(cSign, cExp, cSig, rm);
}

export function f64_mul(a: u64, b: u64, rm: u32): u64 {
  if (rm == RNE) {
    const p = f64of(a) * f64of(b);
    const pb = bitsOf(p);
    const mag = pb & ~D_SIGN;
    // result normal, finite and above 2^-1022 (at exactly 2^-1022 it might be tiny after rounding)
    if (mag - (D_MIN_NORMAL + 1) < D_EXP - (D_MIN_NORMAL + 1)) {
      const ea = (a >> 52) & 0x7FF, eb = (b >> 52) & 0x7FF;
      if (ea != 0 && eb != 0) {
        const ma = (a & D_FRAC) | D_HIDDEN, mb = (b & D_FRAC) | D_HIDDEN, mp = (pb & D_FRAC) | D_HIDDEN;
        const s = (mag >> 52) - ea - eb + 1075; // 52..54: ma*mb ~ mp << s
        fpFlags |= <u32>(ma * mb != mp << s); // NX
        return pb;
      }
    }
  }
  return f64MulSlow(a, b, rm);
}

function f64DivSlow(a: u64, b: u64, rm: u32): u64 {
  const ea = a & D_EXP, eb = b & D_EXP;
  const sign = (a ^ b) & D_SIGN;
  if (ea == D_EXP || eb == D_EXP) {
    if (isNaN64(a) || isNaN64(b)) {
      if (isSNaN64(a) || isSNaN64(b)) fpFlags |= NV;
      return D_CANON;
    }
    if (ea == D_EXP) {
      if (eb == D_EXP) { fpFlags |= NV; return D_CANON; } // inf / inf
      return sign | D_EXP;
    }
    return sign; // finite / inf
  }
  if ((b << 1) == 0) {
    if ((a << 1) == 0) { fpFlags |= NV; return D_CANON; } // 0 / 0
    fpFlags |= DZ;
    return sign | D_EXP;
  }
  if ((a << 1) == 0) return sign;
  divCore(a, b);
  return roundPack64(cSign, cExp, cSig, rm);
}

export function f64_div(a: u64, b: u64, rm: u32): u64 {
  if (rm == RNE) {
    const q = f64of(a) / f64of(b);
    const qb = bitsOf(q);
    const mag = qb & ~D_SIGN;
    if (mag - (D_MIN_NORMAL + 1) < D_EXP - (D_MIN_NORMAL + 1)) {
      const ea = (a >> 52) & 0x7FF, eb = (b >> 52) & 0x7FF;
      if (ea != 0 && eb != 0) {
        const ma = (a & D_FRAC) | D_HIDDEN, mb = (b & D_FRAC) | D_HIDDEN, mq = (qb & D_FRAC) | D_HIDDEN;
        const u = ea - eb - (mag >> 52) + 1075; // 52..54: ma << u ~ mq*mb
        fpFlags |= <u32>(ma << u != mq * mb); // NX
        return qb;
      }
    }
  }
  return f64DivSlow(a, b, rm);
}

export function f64_sqrt(a: u64, rm: u32): u64 {
  if (a - D_MIN_NORMAL < D_EXP - D_MIN_NORMAL) {
    // positive normal
    if (rm == RNE) {
      const r = bitsOf(sqrt<f64>(f64of(a)));
      const ma = (a & D_FRAC) | D_HIDDEN, mr = (r & D_FRAC) | D_HIDDEN;
      const u = ((a >> 52) & 0x7FF) + 1075 - (((r >> 52) & 0x7FF) << 1); // 52..54: ma << u ~ mr^2
      fpFlags |= <u32>(ma << u != mr * mr); // NX
      return r;
    }
  } else {
    if (isNaN64(a)) {
      if (isSNaN64(a)) fpFlags |= NV;
      return D_CANON;
    }
    if ((a << 1) == 0) return a; // +-0
    if (a >> 63) { fpFlags |= NV; return D_CANON; }
    if (a == D_EXP) return a;
  }
  sqrtCore(a);
  return roundPack64(0, cExp, cSig, rm);
}

export function f64_fma(a: u64, b: u64, c: u64, rm: u32): u64 {
  if (rm == RNE) {
    // Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to
    // odd" (IEEE Trans. Computers 57(4), 2008): with a*b = p + ul exactly and (th, tl) = TwoSum(c, p),
    // RN(th + RO(tl + ul)) = RN(a*b + c). The product error ul comes from the integer residual (exact).
    // Guards: a, b normal; the product's exponent field in [107, 2045] so that ul is a normal number and
    // nothing overflows; c normal below 2^1023 (or zero); the result normal and above 2^-1022.
    const x = f64of(a), y = f64of(b), z = f64of(c);
    const p = x * y;
    const pb = bitsOf(p);
    const ep = (pb >> 52) & 0x7FF;
    const ea = (a >> 52) & 0x7FF, eb = (b >> 52) & 0x7FF, ec = (c >> 52) & 0x7FF;
    if (ep - 107 <= 2045 - 107 && ea != 0 && eb != 0 && (ec - 1 < 2045 || (c << 1) == 0)) {
      const ma = (a & D_FRAC) | D_HIDDEN, mb = (b & D_FRAC) | D_HIDDEN, mp = (pb & D_FRAC) | D_HIDDEN;
      const sh = ep - ea - eb + 1075;                                   // 52..54: ma*mb ~ mp << sh
      // the residual is a magnitude: scale by +-2^(ep - 1075 - sh) with the product's sign
      const ul = <f64><i64>(ma * mb - (mp << sh)) * f64of(((ep - sh - 52) << 52) | (pb & D_SIGN));
      const th = z + p, bt = th - z;
      const tl = (z - (th - bt)) + (p - bt);
      const sv = tl + ul, bv = sv - tl;
      const ev = (tl - (sv - bv)) + (ul - bv);
      const v = f64of(toOdd(bitsOf(sv), ev));
      const r = th + v;
      const rb = bitsOf(r);
      if ((rb & ~D_SIGN) - (D_MIN_NORMAL + 1) < D_EXP - (D_MIN_NORMAL + 1)) {
        const br = r - th;
        fpFlags |= <u32>(ev != 0 || (th - (r - br)) + (v - br) != 0); // NX
        return rb;
      }
    }
  }
  return f64FmaSlow(a, b, c, rm);
}

function f64FmaSlow(a: u64, b: u64, c: u64, rm: u32): u64 {
  const ea = a & D_EXP, eb = b & D_EXP, ec = c & D_EXP;
  const sp = (a ^ b) & D_SIGN;
  if (ea == D_EXP || eb == D_EXP || ec == D_EXP) {
    if (isNaN64(a) || isNaN64(b)) {
      if (isSNaN64(a) || isSNaN64(b) || isSNaN64(c)) fpFlags |= NV;
      return D_CANON;
    }
    const aInf = ea == D_EXP, bInf = eb == D_EXP;
    // inf * 0 is invalid even when c is a quiet NaN (RISC-V / SoftFloat behaviour)
    if ((aInf && (b << 1) == 0) || (bInf && (a << 1) == 0)) { fpFlags |= NV; return D_CANON; }
    if (isNaN64(c)) {
      if (isSNaN64(c)) fpFlags |= NV;
      return D_CANON;
    }
    if (aInf || bInf) {
      if (ec == D_EXP && (c & D_SIGN) != sp) { fpFlags |= NV; return D_CANON; }
      return sp | D_EXP;
    }
    return c; // finite product + inf
  }
  if ((a << 1) == 0 || (b << 1) == 0) {
    // exact zero product: result is c, except for the sign of 0 + 0
    if ((c << 1) == 0) return sp == (c & D_SIGN) ? c : (rm == RDN ? D_SIGN : 0);
    return c;
  }
  if ((c << 1) == 0) {
    mulCore(a, b);
  } else {
    fmaCore(a, b, c, rm);
  }
  return roundPack64(cSign, cExp, cSig, rm);
}

// Sign-injection-free comparisons and min/max are the same for both widths: one generic body each, specialised
// at compile time by the operand type (u64 = double, u32 = single).
@inline function isNaNT<T>(a: T): bool { return sizeof<T>() == 8 ? isNaN64(<u64>a) : isNaN32(<u32>a); }
@inline function isSNaNT<T>(a: T): bool { return sizeof<T>() == 8 ? isSNaN64(<u64>a) : isSNaN32(<u32>a); }
@inline function ltT<T>(a: T, b: T): bool { return sizeof<T>() == 8 ? f64of(<u64>a) < f64of(<u64>b) : f32of(<u32>a) < f32of(<u32>b); }
@inline function eqT<T>(a: T, b: T): bool { return sizeof<T>() == 8 ? f64of(<u64>a) == f64of(<u64>b) : f32of(<u32>a) == f32of(<u32>b); }

/** fmin/fmax (spec 2.2+: a NaN operand yields the other; both NaN → canonical; sNaN → NV; −0 < +0). */
@inline function minMax<T>(a: T, b: T, max: bool, canon: T): T {
  const an = isNaNT<T>(a), bn = isNaNT<T>(b);
  if (an || bn) {
    if (isSNaNT<T>(a) || isSNaNT<T>(b)) fpFlags |= NV;
    if (an && bn) return canon;
    return an ? b : a;
  }
  if (ltT<T>(a, b)) return max ? b : a;
  if (ltT<T>(b, a)) return max ? a : b;
  return max ? a & b : a | b; // equal: only ±0 differ in bits; min prefers −0, max +0
}

/** feq is quiet (NV only for sNaN); flt and fle signal on any NaN. */
@inline function feq<T>(a: T, b: T): u32 {
  if (isNaNT<T>(a) || isNaNT<T>(b)) {
    if (isSNaNT<T>(a) || isSNaNT<T>(b)) fpFlags |= NV;
    return 0;
  }
  return <u32>eqT<T>(a, b);
}
@inline function flt<T>(a: T, b: T, orEqual: bool): u32 {
  if (isNaNT<T>(a) || isNaNT<T>(b)) { fpFlags |= NV; return 0; }
  return <u32>(ltT<T>(a, b) || (orEqual && eqT<T>(a, b)));
}

export function f64_min(a: u64, b: u64): u64 { return minMax<u64>(a, b, false, D_CANON); }
export function f64_max(a: u64, b: u64): u64 { return minMax<u64>(a, b, true, D_CANON); }
export function f64_eq(a: u64, b: u64): u32 { return feq<u64>(a, b); }
export function f64_lt(a: u64, b: u64): u32 { return flt<u64>(a, b, false); }
export function f64_le(a: u64, b: u64): u32 { return flt<u64>(a, b, true); }
export function f32_min(a: u32, b: u32): u32 { return minMax<u32>(a, b, false, S_CANON); }
export function f32_max(a: u32, b: u32): u32 { return minMax<u32>(a, b, true, S_CANON); }
export function f32_eq(a: u32, b: u32): u32 { return feq<u32>(a, b); }
export function f32_lt(a: u32, b: u32): u32 { return flt<u32>(a, b, false); }
export function f32_le(a: u32, b: u32): u32 { return flt<u32>(a, b, true); }

export function f64_class(a: u64): u32 {
  const neg = (a >> 63) != 0;
  const e = a & D_EXP, f = a & D_FRAC;
  if (e == D_EXP) {
    if (f == 0) return neg ? 1 << 0 : 1 << 7;
    return (f & D_QUIET) != 0 ? 1 << 9 : 1 << 8;
  }
  if (e == 0) {
    if (f == 0) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

// ---------------------------------------------------------------------------------------------------------
// Float -> integer. value = m * 2^(e - 1075) with m < 2^53 (not necessarily normalized).

/** Rounded magnitude as u64; sets cvtBig when it does not fit in 64 bits, cvtInexact when rounding happened. */
function roundMag(neg: bool, e: i32, m: u64, rm: u32): u64 {
  cvtBig = false;
  cvtInexact = false;
  const sh = 1075 - e;
  if (sh <= 0) {
    if (sh < -11) { cvtBig = true; return 0; }
    return m << <u64>(-sh);
  }
  let ip: u64, fr: u64;
  if (sh < 64) { ip = m >> <u64>sh; fr = m << <u64>(64 - sh); }
  else { ip = 0; fr = <u64>(m != 0); } // below one half
  if (fr == 0) return ip;
  cvtInexact = true;
  let inc = false;
  if (rm == RNE) inc = fr > 0x8000000000000000 || (fr == 0x8000000000000000 && (ip & 1) != 0);
  else if (rm == RMM) inc = fr >= 0x8000000000000000;
  else if (rm == RDN) inc = neg;
  else if (rm == RUP) inc = !neg;
  return ip + <u64>inc;
}

// Unpacking into (neg, e, m) for the conversion helpers
let uNeg: bool = false;
let uE: i32 = 0;
let uM: u64 = 0;

@inline function unpack64(a: u64): void {
  const e = <i32>((a >> 52) & 0x7FF);
  uNeg = (a >> 63) != 0;
  uM = e != 0 ? (a & D_FRAC) | D_HIDDEN : a & D_FRAC;
  uE = e != 0 ? e : 1;
}

@inline function unpack32(a: u32): void {
  const e = <i32>((a >> 23) & 0xFF);
  uNeg = (a >> 31) != 0;
  uM = <u64>(e != 0 ? (a & S_FRAC) | 0x800000 : a & S_FRAC) << 29;
  uE = (e != 0 ? e : 1) + 896;
}

function cvtToI64(rm: u32): u64 {
  const mag = roundMag(uNeg, uE, uM, rm);
  if (uNeg) {
    if (cvtBig || mag > 0x8000000000000000) { fpFlags |= NV; return 0x8000000000000000; }
    if (cvtInexact) fpFlags |= NX;
    return -mag;
  }
  if (cvtBig || mag > 0x7FFFFFFFFFFFFFFF) { fpFlags |= NV; return 0x7FFFFFFFFFFFFFFF; }
  if (cvtInexact) fpFlags |= NX;
  return mag;
}

function cvtToU64(rm: u32): u64 {
  const mag = roundMag(uNeg, uE, uM, rm);
  if (uNeg) {
    if (cvtBig || mag != 0) { fpFlags |= NV; return 0; }
  } else if (cvtBig) { fpFlags |= NV; return 0xFFFFFFFFFFFFFFFF; }
  if (cvtInexact) fpFlags |= NX;
  return mag;
}

function cvtToI32(rm: u32): u64 {
  const mag = roundMag(uNeg, uE, uM, rm);
  if (uNeg) {
    if (cvtBig || mag > 0x80000000) { fpFlags |= NV; return 0xFFFFFFFF80000000; }
    if (cvtInexact) fpFlags |= NX;
    return -mag;
  }
  if (cvtBig || mag > 0x7FFFFFFF) { fpFlags |= NV; return 0x7FFFFFFF; }
  if (cvtInexact) fpFlags |= NX;
  return mag;
}

function cvtToU32(rm: u32): u64 {
  const mag = roundMag(uNeg, uE, uM, rm);
  if (uNeg) {
    if (cvtBig || mag != 0) { fpFlags |= NV; return 0; }
  } else if (cvtBig || mag > 0xFFFFFFFF) { fpFlags |= NV; return 0xFFFFFFFFFFFFFFFF; }
  if (cvtInexact) fpFlags |= NX;
  return <u64><i64><i32><u32>mag; // RV64 sign-extends the 32-bit result
}

/** Native rounding of x to an integral value in modes 0..3 (RMM has no native instruction). */
@inline function roundNative(x: f64, rm: u32): f64 {
  return rm == RNE ? nearest<f64>(x) : rm == RTZ ? trunc<f64>(x) : rm == RDN ? floor<f64>(x) : ceil<f64>(x);
}

export function f64_to_i32(a: u64, rm: u32): u64 {
  if (rm != RMM) {
    const x = f64of(a);
    const r = roundNative(x, rm);
    if (r >= -2147483648.0 && r <= 2147483647.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64><i64><i32>r;
    }
  }
  if (isNaN64(a)) { fpFlags |= NV; return 0x7FFFFFFF; }
  unpack64(a);
  return cvtToI32(rm);
}

export function f64_to_u32(a: u64, rm: u32): u64 {
  if (rm != RMM) {
    const x = f64of(a);
    const r = roundNative(x, rm);
    if (r >= 0.0 && r <= 4294967295.0) { // -0.0 included
      fpFlags |= <u32>(r != x); // NX
      return <u64><i64><i32><u32>r;
    }
  }
  if (isNaN64(a)) { fpFlags |= NV; return 0xFFFFFFFFFFFFFFFF; }
  unpack64(a);
  return cvtToU32(rm);
}

export function f64_to_i64(a: u64, rm: u32): u64 {
  if (rm != RMM) {
    const x = f64of(a);
    const r = roundNative(x, rm);
    if (r >= -9223372036854775808.0 && r < 9223372036854775808.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64><i64>r;
    }
  }
  if (isNaN64(a)) { fpFlags |= NV; return 0x7FFFFFFFFFFFFFFF; }
  unpack64(a);
  return cvtToI64(rm);
}

export function f64_to_u64(a: u64, rm: u32): u64 {
  if (rm != RMM) {
    const x = f64of(a);
    const r = roundNative(x, rm);
    if (r >= 0.0 && r < 18446744073709551616.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64>r;
    }
  }
  if (isNaN64(a)) { fpFlags |= NV; return 0xFFFFFFFFFFFFFFFF; }
  unpack64(a);
  return cvtToU64(rm);
}

// ---------------------------------------------------------------------------------------------------------
// Integer -> float

function intToF64(neg: u64, mag: u64, rm: u32): u64 {
  if (mag == 0) return 0;
  const sh = <i32>clz(mag);
  const n = mag << <u64>sh; // leading one at bit 63
  if ((n & 0x7FF) == 0) return (neg << 63) + (<u64>(1085 - sh) << 52) + (n >> 11);
  return roundPack64(neg, 1085 - sh, (n >> 1) | (n & 1), rm);
}

function intToF32(neg: u64, mag: u64, rm: u32): u32 {
  if (mag == 0) return 0;
  const sh = <i32>clz(mag);
  const n = mag << <u64>sh;
  if ((n & 0xFFFFFFFFFF) == 0) return (<u32>neg << 31) + (<u32>(189 - sh) << 23) + <u32>(n >> 40);
  return roundPack32(neg, 189 - sh, (n >> 1) | (n & 1), rm);
}

export function i32_to_f64(x: u64, rm: u32): u64 {
  return bitsOf(<f64><i32><u32>x);
}

export function u32_to_f64(x: u64, rm: u32): u64 {
  return bitsOf(<f64><u32>x);
}

export function i64_to_f64(x: u64, rm: u32): u64 {
  const neg = x >> 63;
  return intToF64(neg, neg ? -x : x, rm);
}

export function u64_to_f64(x: u64, rm: u32): u64 {
  return intToF64(0, x, rm);
}

export function i32_to_f32(x: u64, rm: u32): u32 {
  const v = <i64><i32><u32>x;
  return intToF32(<u64>(v < 0), <u64>(v < 0 ? -v : v), rm);
}

export function u32_to_f32(x: u64, rm: u32): u32 {
  return intToF32(0, x & 0xFFFFFFFF, rm);
}

export function i64_to_f32(x: u64, rm: u32): u32 {
  const neg = x >> 63;
  return intToF32(neg, neg ? -x : x, rm);
}

export function u64_to_f32(x: u64, rm: u32): u32 {
  return intToF32(0, x, rm);
}

// ---------------------------------------------------------------------------------------------------------
// Precision conversions

export function f64_to_f32(a: u64, rm: u32): u32 {
  if (rm == RNE) {
    const x = f64of(a);
    const r = <f32>x;
    const rb = bits32(r);
    if ((rb & ~S_SIGN) - (S_MIN_NORMAL + 1) < S_EXP - (S_MIN_NORMAL + 1)) {
      fpFlags |= <u32>(<f64>r != x); // NX
      return rb;
    }
  }
  const sign = a >> 63;
  let e = <i32>((a >> 52) & 0x7FF);
  let m = a & D_FRAC;
  if (e == 0x7FF) {
    if (m != 0) {
      if ((m & D_QUIET) == 0) fpFlags |= NV;
      return S_CANON;
    }
    return (<u32>sign << 31) | S_EXP;
  }
  if (e == 0) {
    if (m == 0) return <u32>sign << 31;
    const s = <i32>clz(m) - 11;
    m <<= <u64>s;
    e = 1 - s;
  } else m |= D_HIDDEN;
  return roundPack32(sign, e - 897, m << 10, rm);
}

export function f32_to_f64(a: u32): u64 {
  if (isNaN32(a)) {
    if (isSNaN32(a)) fpFlags |= NV;
    return D_CANON;
  }
  return widen(a);
}

// ---------------------------------------------------------------------------------------------------------
// Single precision arithmetic. Fast paths compute in f64 (exact for products, TwoSum + round-to-odd for
// sums) and narrow natively; the slow paths widen exactly and reuse the f64 cores with roundPack32.

/** Narrow a round-to-odd-adjusted f64 sum s (+ exact error err) to f32 with RNE when the result is normal;
 *  returns 0xFFFFFFFF (never a valid result: it is a NaN) when the slow path is needed. */
@inline function narrowSumRNE(s: f64, err: f64): u32 {
  const sb = toOdd(bitsOf(s), err);
  const r = <f32>f64of(sb);
  const rb = bits32(r);
  if ((rb & ~S_SIGN) - (S_MIN_NORMAL + 1) < S_EXP - (S_MIN_NORMAL + 1)) {
    fpFlags |= <u32>(err != 0 || <f64>r != s); // NX
    return rb;
  }
  return 0xFFFFFFFF;
}

function f32AddSlow(a: u32, b: u32, rm: u32): u32 {
  const ea = a & S_EXP, eb = b & S_EXP;
  if (ea == S_EXP || eb == S_EXP) {
    if (isNaN32(a) || isNaN32(b)) {
      if (isSNaN32(a) || isSNaN32(b)) fpFlags |= NV;
      return S_CANON;
    }
    if (ea == S_EXP && eb == S_EXP && ((a ^ b) & S_SIGN) != 0) { fpFlags |= NV; return S_CANON; }
    return ea == S_EXP ? a : b;
  }
  if ((a << 1) == 0) {
    if ((b << 1) == 0) return ((a ^ b) & S_SIGN) != 0 ? (rm == RDN ? S_SIGN : 0) : a;
    return b;
  }
  if ((b << 1) == 0) return a;
  addCore(widen(a), widen(b), rm);
  return roundPack32(cSign, cExp - 896, cSig, rm);
}

export function f32_add(a: u32, b: u32, rm: u32): u32 {
  if (rm == RNE) {
    const x = <f64>f32of(a), y = <f64>f32of(b);
    const s = x + y;
    if (s == 0) return <u32>(bitsOf(s) >> 32); // exact zero, signed as IEEE RNE requires
    { // inf/NaN results are rejected by narrowSumRNE's range check
      const bb = s - x;
      const err = (x - (s - bb)) + (y - bb);
      const r = narrowSumRNE(s, err);
      if (r != 0xFFFFFFFF) return r;
    }
  }
  return f32AddSlow(a, b, rm);
}

export function f32_sub(a: u32, b: u32, rm: u32): u32 {
  return f32_add(a, b ^ S_SIGN, rm);
}

export function f32_mul(a: u32, b: u32, rm: u32): u32 {
  if (rm == RNE) {
    const p = <f64>f32of(a) * <f64>f32of(b); // exact
    const r = <f32>p;
    const rb = bits32(r);
    if ((rb & ~S_SIGN) - (S_MIN_NORMAL + 1) < S_EXP - (S_MIN_NORMAL + 1)) {
      fpFlags |= <u32>(<f64>r != p); // NX
      return rb;
    }
  }
  const ea = a & S_EXP, eb = b & S_EXP;
  const sign = (a ^ b) & S_SIGN;
  if (ea == S_EXP || eb == S_EXP) {
    if (isNaN32(a) || isNaN32(b)) {
      if (isSNaN32(a) || isSNaN32(b)) fpFlags |= NV;
      return S_CANON;
    }
    if ((a << 1) == 0 || (b << 1) == 0) { fpFlags |= NV; return S_CANON; }
    return sign | S_EXP;
  }
  if ((a << 1) == 0 || (b << 1) == 0) return sign;
  mulCore(widen(a), widen(b));
  return roundPack32(cSign, cExp - 896, cSig, rm);
}

export function f32_div(a: u32, b: u32, rm: u32): u32 {
  if (rm == RNE) {
    const r = f32of(a) / f32of(b);
    const rb = bits32(r);
    if ((rb & ~S_SIGN) - (S_MIN_NORMAL + 1) < S_EXP - (S_MIN_NORMAL + 1)) {
      fpFlags |= <u32>(<f64>r * <f64>f32of(b) != <f64>f32of(a)); // NX; the product is exact in f64
      return rb;
    }
  }
  const ea = a & S_EXP, eb = b & S_EXP;
  const sign = (a ^ b) & S_SIGN;
  if (ea == S_EXP || eb == S_EXP) {
    if (isNaN32(a) || isNaN32(b)) {
      if (isSNaN32(a) || isSNaN32(b)) fpFlags |= NV;
      return S_CANON;
    }
    if (ea == S_EXP) {
      if (eb == S_EXP) { fpFlags |= NV; return S_CANON; }
      return sign | S_EXP;
    }
    return sign;
  }
  if ((b << 1) == 0) {
    if ((a << 1) == 0) { fpFlags |= NV; return S_CANON; }
    fpFlags |= DZ;
    return sign | S_EXP;
  }
  if ((a << 1) == 0) return sign;
  divCore(widen(a), widen(b));
  return roundPack32(cSign, cExp - 896, cSig, rm);
}

export function f32_sqrt(a: u32, rm: u32): u32 {
  if (a - 1 < S_EXP - 1) {
    // positive, finite, non-zero
    if (rm == RNE) {
      const r = sqrt<f32>(f32of(a));
      fpFlags |= <u32>(<f64>r * <f64>r != <f64>f32of(a)); // NX
      return bits32(r);
    }
  } else {
    if (isNaN32(a)) {
      if (isSNaN32(a)) fpFlags |= NV;
      return S_CANON;
    }
    if ((a << 1) == 0) return a;
    if (a >> 31) { fpFlags |= NV; return S_CANON; }
    if (a == S_EXP) return a;
  }
  sqrtCore(widen(a));
  return roundPack32(0, cExp - 896, cSig, rm);
}

export function f32_fma(a: u32, b: u32, c: u32, rm: u32): u32 {
  if (rm == RNE) {
    const p = <f64>f32of(a) * <f64>f32of(b); // exact (or inf/NaN)
    const z = <f64>f32of(c);
    const s = p + z;
    if (s != 0) {
      const bb = s - p;
      const err = (p - (s - bb)) + (z - bb);
      const r = narrowSumRNE(s, err);
      if (r != 0xFFFFFFFF) return r;
    }
  }
  const ea = a & S_EXP, eb = b & S_EXP, ec = c & S_EXP;
  const sp = (a ^ b) & S_SIGN;
  if (ea == S_EXP || eb == S_EXP || ec == S_EXP) {
    if (isNaN32(a) || isNaN32(b)) {
      if (isSNaN32(a) || isSNaN32(b) || isSNaN32(c)) fpFlags |= NV;
      return S_CANON;
    }
    const aInf = ea == S_EXP, bInf = eb == S_EXP;
    if ((aInf && (b << 1) == 0) || (bInf && (a << 1) == 0)) { fpFlags |= NV; return S_CANON; }
    if (isNaN32(c)) {
      if (isSNaN32(c)) fpFlags |= NV;
      return S_CANON;
    }
    if (aInf || bInf) {
      if (ec == S_EXP && (c & S_SIGN) != sp) { fpFlags |= NV; return S_CANON; }
      return sp | S_EXP;
    }
    return c;
  }
  if ((a << 1) == 0 || (b << 1) == 0) {
    if ((c << 1) == 0) return sp == (c & S_SIGN) ? c : (rm == RDN ? S_SIGN : 0);
    return c;
  }
  if ((c << 1) == 0) mulCore(widen(a), widen(b));
  else fmaCore(widen(a), widen(b), widen(c), rm);
  return roundPack32(cSign, cExp - 896, cSig, rm);
}

export function f32_class(a: u32): u32 {
  const neg = (a >> 31) != 0;
  const e = a & S_EXP, f = a & S_FRAC;
  if (e == S_EXP) {
    if (f == 0) return neg ? 1 << 0 : 1 << 7;
    return (f & S_QUIET) != 0 ? 1 << 9 : 1 << 8;
  }
  if (e == 0) {
    if (f == 0) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

export function f32_to_i32(a: u32, rm: u32): u64 {
  if (rm != RMM) {
    const x = <f64>f32of(a);
    const r = roundNative(x, rm);
    if (r >= -2147483648.0 && r <= 2147483647.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64><i64><i32>r;
    }
  }
  if (isNaN32(a)) { fpFlags |= NV; return 0x7FFFFFFF; }
  unpack32(a);
  return cvtToI32(rm);
}

export function f32_to_u32(a: u32, rm: u32): u64 {
  if (rm != RMM) {
    const x = <f64>f32of(a);
    const r = roundNative(x, rm);
    if (r >= 0.0 && r <= 4294967295.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64><i64><i32><u32>r;
    }
  }
  if (isNaN32(a)) { fpFlags |= NV; return 0xFFFFFFFFFFFFFFFF; }
  unpack32(a);
  return cvtToU32(rm);
}

export function f32_to_i64(a: u32, rm: u32): u64 {
  if (rm != RMM) {
    const x = <f64>f32of(a);
    const r = roundNative(x, rm);
    if (r >= -9223372036854775808.0 && r < 9223372036854775808.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64><i64>r;
    }
  }
  if (isNaN32(a)) { fpFlags |= NV; return 0x7FFFFFFFFFFFFFFF; }
  unpack32(a);
  return cvtToI64(rm);
}

export function f32_to_u64(a: u32, rm: u32): u64 {
  if (rm != RMM) {
    const x = <f64>f32of(a);
    const r = roundNative(x, rm);
    if (r >= 0.0 && r < 18446744073709551616.0) {
      fpFlags |= <u32>(r != x); // NX
      return <u64>r;
    }
  }
  if (isNaN32(a)) { fpFlags |= NV; return 0xFFFFFFFFFFFFFFFF; }
  unpack32(a);
  return cvtToU64(rm);
}

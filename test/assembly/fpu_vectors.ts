// Operand generators for the FPU oracle tests: deterministic (seeded) mixes of special values, random values
// over the whole exponent range, sparse significands (which make exact results and exact ties common), and
// operand pairs steered towards cancellation, underflow and overflow.

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  /** mulberry32 */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
  u64(): bigint { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
}

const M64 = (1n << 64n) - 1n;

export interface Fmt {
  name: "d" | "s";
  expBits: number;
  fracBits: number;
  bias: number;
  maxExp: number; // all-ones exponent
  specials: bigint[];
}

export const D: Fmt = {
  name: "d", expBits: 11, fracBits: 52, bias: 1023, maxExp: 2047,
  specials: [
    0x0000000000000000n, 0x8000000000000000n, // +-0
    0x7ff0000000000000n, 0xfff0000000000000n, // +-inf
    0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff8000000001234n, // qNaNs
    0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff0000000000badn, // sNaNs
    0x0000000000000001n, 0x8000000000000001n, 0x000fffffffffffffn, 0x800fffffffffffffn, // subnormals
    0x0008000000000000n, 0x0010000000000000n, 0x8010000000000000n, 0x0010000000000001n, // min normal
    0x7fefffffffffffffn, 0xffefffffffffffffn, 0x7fe0000000000000n, // max
    0x3ff0000000000000n, 0xbff0000000000000n, 0x4000000000000000n, 0x3fe0000000000000n,
    0x3ff0000000000001n, 0x3fefffffffffffffn, 0x4008000000000000n, 0x3ca0000000000000n,
    0x43e0000000000000n, 0xc3e0000000000000n, 0x41e0000000000000n, 0xc1e0000000000000n,
    0x41dfffffffc00000n, 0x41efffffffe00000n, 0x43f0000000000000n, 0x3fe0000000000001n,
  ],
};

export const S: Fmt = {
  name: "s", expBits: 8, fracBits: 23, bias: 127, maxExp: 255,
  specials: [
    0x00000000n, 0x80000000n, 0x7f800000n, 0xff800000n,
    0x7fc00000n, 0xffc00000n, 0x7fc01234n, 0x7f800001n, 0x7fa00000n, 0xff800badn,
    0x00000001n, 0x80000001n, 0x007fffffn, 0x807fffffn, 0x00400000n,
    0x00800000n, 0x80800000n, 0x00800001n, 0x7f7fffffn, 0xff7fffffn, 0x7f000000n,
    0x3f800000n, 0xbf800000n, 0x40000000n, 0x3f000000n, 0x3f800001n, 0x3f7fffffn, 0x40400000n,
    0x33800000n, 0x4f000000n, 0xcf000000n, 0x5f000000n, 0xdf000000n, 0x5f800000n, 0x4f7fffffn,
  ],
};

export function mk(f: Fmt, sign: number, exp: number, frac: bigint): bigint {
  return (BigInt(sign) << BigInt(f.expBits + f.fracBits)) | (BigInt(exp) << BigInt(f.fracBits)) | frac;
}
export function fieldsOf(f: Fmt, x: bigint): { sign: number; exp: number; frac: bigint } {
  return {
    sign: Number(x >> BigInt(f.expBits + f.fracBits)) & 1,
    exp: Number((x >> BigInt(f.fracBits)) & BigInt(f.maxExp)),
    frac: x & ((1n << BigInt(f.fracBits)) - 1n),
  };
}

function randFrac(r: Rng, f: Fmt): bigint {
  const n = f.fracBits;
  const full = r.u64() & ((1n << BigInt(n)) - 1n);
  switch (r.int(6)) {
    case 0: case 1: return full;
    case 2: { // only the top k bits: exact results and ties become frequent
      const k = r.int(n + 1);
      return (full >> BigInt(n - k)) << BigInt(n - k);
    }
    case 3: { // a run of ones (values just below a power of two, carries on rounding)
      const k = r.int(n + 1);
      return ((1n << BigInt(n)) - 1n) >> BigInt(k) << BigInt(k);
    }
    case 4: { // few set bits
      let v = 0n;
      for (let i = r.int(4); i >= 0; i--) v |= 1n << BigInt(r.int(n));
      return v;
    }
    default: { // top bits plus a low tail
      const k = r.int(n);
      return ((full >> BigInt(k)) << BigInt(k)) | BigInt(r.int(4));
    }
  }
}

function randExp(r: Rng, f: Fmt): number {
  const top = f.maxExp - 1;
  switch (r.int(5)) {
    case 0: return r.int(top + 1);
    case 1: case 2: return f.bias - 30 + r.int(61);
    case 3: return r.int(f.fracBits + 4); // subnormal and lowest normals
    default: return top - r.int(8);
  }
}

/** A random finite or special value. */
export function rval(r: Rng, f: Fmt, pSpecial = 0.06): bigint {
  if (r.chance(pSpecial)) return r.pick(f.specials);
  return mk(f, r.int(2), randExp(r, f), randFrac(r, f));
}

/** A value with a given biased exponent (clamped to the finite range). */
export function withExp(r: Rng, f: Fmt, exp: number): bigint {
  const e = Math.max(0, Math.min(f.maxExp - 1, exp));
  return mk(f, r.int(2), e, randFrac(r, f));
}

/** Second operand for an addition-like op: often close in exponent (cancellation) or far away (sticky). */
export function partnerAdd(r: Rng, f: Fmt, a: bigint): bigint {
  const { sign, exp, frac } = fieldsOf(f, a);
  if (exp === f.maxExp) return rval(r, f);
  switch (r.int(6)) {
    case 0: return rval(r, f);
    case 1: return mk(f, sign ^ 1, exp, frac ^ BigInt(r.int(8))); // near-total cancellation
    case 2: return withExp(r, f, exp - r.int(4) + (r.chance(0.5) ? 0 : 1));
    case 3: return withExp(r, f, exp - f.fracBits - 3 + r.int(7)); // around the rounding position
    case 4: return withExp(r, f, exp - f.fracBits - r.int(80));
    default: return mk(f, r.int(2), exp, randFrac(r, f));
  }
}

/** Second operand for mul (div when `div`): steer the result exponent to underflow/overflow/normal. */
export function partnerMul(r: Rng, f: Fmt, a: bigint, div: boolean): bigint {
  const { exp } = fieldsOf(f, a);
  if (exp === f.maxExp || r.chance(0.3)) return rval(r, f);
  const ea = Math.max(exp, 1);
  const top = f.maxExp - 1;
  let target: number; // biased exponent of the result
  switch (r.int(3)) {
    case 0: target = 1 - r.int(f.fracBits + 4) + r.int(3); break; // subnormal results / tininess edge
    case 1: target = top - 1 + r.int(3); break; // overflow edge
    default: target = f.bias + r.int(40) - 20;
  }
  const eb = div ? ea - target + f.bias : target - ea + f.bias;
  return withExp(r, f, eb);
}

export function hex(x: bigint): string { return (x & M64).toString(16); }

const dv = new DataView(new ArrayBuffer(8));
export function numOf(f: Fmt, x: bigint): number {
  if (f.name === "d") { dv.setBigUint64(0, x & M64); return dv.getFloat64(0); }
  dv.setUint32(0, Number(x & 0xffffffffn)); return dv.getFloat32(0);
}
export function bitsOf(f: Fmt, v: number): bigint {
  if (f.name === "d") { dv.setFloat64(0, v); return dv.getBigUint64(0); }
  dv.setFloat32(0, v); return BigInt(dv.getUint32(0));
}

/** Addend for fma: often close to -(a*b) (deep cancellation), or at a chosen distance from the product. */
export function partnerFma(r: Rng, f: Fmt, a: bigint, b: bigint): bigint {
  const p = numOf(f, a) * numOf(f, b);
  if (!Number.isFinite(p) || p === 0 || r.chance(0.25)) return rval(r, f);
  const pb = bitsOf(f, f.name === "d" ? p : Math.fround(p));
  const { sign, exp, frac } = fieldsOf(f, pb);
  if (exp === f.maxExp) return rval(r, f);
  switch (r.int(4)) {
    case 0: case 1: { // -(a*b) rounded, nudged by a few ulps: cancellation
      const nudge = BigInt(r.int(5)) - 2n;
      let v = mk(f, r.chance(0.85) ? sign ^ 1 : sign, exp, frac) + nudge;
      if (v < 0n) v = 0n;
      return v;
    }
    case 2: return withExp(r, f, exp - r.int(2 * f.fracBits + 8));
    default: return withExp(r, f, exp + r.int(f.fracBits + 6));
  }
}

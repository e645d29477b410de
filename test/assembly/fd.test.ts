// F and D end to end through the decoder (fpexec.ts), not the arithmetic itself (the FPU's own suite does that):
// NaN boxing, moves, sign injection, rounding-mode fields (static, dynamic, reserved), accrued flags, the signs of
// the fused multiply-adds, and the encodings that must be illegal.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, asmMany, hasRealFpu, Machine, sx32, u64 } from "./harness";

const CODE = 0x1000;
const DATA = 0x8000;
const BOX = 0xFFFFFFFF00000000n;
const CANON32 = BOX | 0x7FC00000n;
const NV = 0x10, DZ = 0x08, OF = 0x04, NX = 0x01;

const dv = new DataView(new ArrayBuffer(8));
const s = (x: number): bigint => { dv.setFloat32(0, x, true); return BOX | BigInt(dv.getUint32(0, true)); };
const d = (x: number): bigint => { dv.setFloat64(0, x, true); return dv.getBigUint64(0, true); };
const fromS = (v: bigint): number => { dv.setUint32(0, Number(v & 0xFFFFFFFFn), true); return dv.getFloat32(0, true); };
const fromD = (v: bigint): number => { dv.setBigUint64(0, v, true); return dv.getFloat64(0, true); };

/** Runs one instruction at CODE with the given FP/integer registers and fcsr; returns the exit code. */
function one(m: Machine, code: Uint8Array, f: Record<string, bigint>, x: Record<string, bigint | number> = {}, fcsr = 0): number {
  m.write(CODE, code);
  for (const [k, v] of Object.entries(f)) m.setF(k, v);
  m.regs(x);
  m.fcsr = fcsr;
  m.pc = CODE;
  return m.run(1);
}

describe.skipIf(!asmAvailable || !hasRealFpu)("F/D through the decoder", () => {
  it("NaN boxing: flw and fmv.w.x box; an unboxed single operand reads as the canonical NaN", () => {
    const m = new Machine();
    const [flw, fmvwx, fadd, fsgnj, feq, fclass, fcvtds] = asmMany(["flw fa0, 0(a1)", "fmv.w.x fa0, a1", "fadd.s fa0, fa1, fa2",
      "fsgnj.s fa0, fa1, fa2", "feq.s a0, fa1, fa2", "fclass.s a0, fa1", "fcvt.d.s fa0, fa1"]);
    m.w32(DATA, 0x3F800000);
    expect(one(m, flw, {}, { a1: DATA })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(s(1));
    expect(one(m, fmvwx, {}, { a1: 0x1234567840400000n })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(s(3));
    const unboxed = 0x000000003F800000n;      // 1.0f without the upper ones
    expect(one(m, fadd, { fa1: unboxed, fa2: s(1) })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(CANON32);
    expect(one(m, fsgnj, { fa1: unboxed, fa2: s(-1) })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(BOX | 0xFFC00000n);  // canonical NaN magnitude, sign of fa2
    expect(one(m, feq, { fa1: 0xFFFFFFFE3F800000n, fa2: s(1) })).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(0n);
    expect(one(m, fclass, { fa1: unboxed })).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(0x200n);           // quiet NaN
    expect(one(m, fcvtds, { fa1: unboxed })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(0x7FF8000000000000n);
  });

  it("fmv.x.w sign-extends bit 31 and ignores boxing; fmv.x.d / fmv.d.x move raw bits", () => {
    const m = new Machine();
    const [xw, xd, dx] = asmMany(["fmv.x.w a0, fa1", "fmv.x.d a0, fa1", "fmv.d.x fa0, a1"]);
    for (const [v, want] of [[BOX | 0x80000001n, 0xFFFFFFFF80000001n], [BOX | 0x7FFFFFFFn, 0x7FFFFFFFn],
      [0x123456789ABCDEF0n, 0xFFFFFFFF9ABCDEF0n]] as const) {
      expect(one(m, xw, { fa1: v })).toBe(m.K.EXIT_BUDGET);
      expect(m.x("a0")).toBe(want);
    }
    expect(one(m, xd, { fa1: 0x8000000000000001n })).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(0x8000000000000001n);
    expect(one(m, dx, {}, { a1: 0xFFF0000000000001n })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(0xFFF0000000000001n);
  });

  it("fsgnj/fsgnjn/fsgnjx on boxed singles and on doubles", () => {
    const m = new Machine();
    const ops = ["fsgnj", "fsgnjn", "fsgnjx"];
    const code = asmMany(ops.flatMap((o) => [`${o}.s fa0, fa1, fa2`, `${o}.d fa0, fa1, fa2`]));
    const want: Record<string, (a: number, b: number) => number> = {
      fsgnj: (a, b) => Math.abs(a) * (Object.is(b, -0) || b < 0 ? -1 : 1),
      fsgnjn: (a, b) => Math.abs(a) * (Object.is(b, -0) || b < 0 ? 1 : -1),
      fsgnjx: (a, b) => a * ((Object.is(b, -0) || b < 0) ? -1 : 1),
    };
    ops.forEach((o, k) => {
      for (const [a, b] of [[1.5, -2], [-1.5, -2], [-1.5, 3], [2.25, 0], [2.25, -0]]) {
        expect(one(m, code[2 * k], { fa1: s(a), fa2: s(b) })).toBe(m.K.EXIT_BUDGET);
        expect(m.f("fa0"), `${o}.s ${a} ${b}`).toBe(s(want[o](a, b)));
        expect(one(m, code[2 * k + 1], { fa1: d(a), fa2: d(b) })).toBe(m.K.EXIT_BUDGET);
        expect(m.f("fa0"), `${o}.d ${a} ${b}`).toBe(d(want[o](a, b)));
      }
    });
  });

  // Expected fcvt.w results per rounding mode: RNE, RTZ, RDN, RUP, RMM.
  const ROUND: [number, number[]][] = [
    [2.5, [2, 2, 2, 3, 3]], [-2.5, [-2, -2, -3, -2, -3]], [1.5, [2, 1, 1, 2, 2]], [-0.5, [0, 0, -1, 0, -1]],
    [3.7, [4, 3, 3, 4, 4]],
  ];
  const RM = ["rne", "rtz", "rdn", "rup", "rmm"];

  it("fcvt.w.s / fcvt.w.d honour every static rounding-mode field", () => {
    const m = new Machine();
    const code = asmMany(RM.flatMap((r) => [`fcvt.w.s a0, fa1, ${r}`, `fcvt.w.d a0, fa1, ${r}`]));
    for (const [v, outs] of ROUND) {
      RM.forEach((r, k) => {
        expect(one(m, code[2 * k], { fa1: s(v) }, {}, 0x80)).toBe(m.K.EXIT_BUDGET); // frm = 4 must not matter
        expect(m.x("a0"), `fcvt.w.s ${v} ${r}`).toBe(u64(outs[k]));
        expect(one(m, code[2 * k + 1], { fa1: d(v) }, {}, 0x80)).toBe(m.K.EXIT_BUDGET);
        expect(m.x("a0"), `fcvt.w.d ${v} ${r}`).toBe(u64(outs[k]));
      });
    }
  });

  it("the dynamic rounding mode comes from frm", () => {
    const m = new Machine();
    const [ws, sd] = asmMany(["fcvt.w.s a0, fa1, dyn", "fcvt.s.d fa0, fa1, dyn"]);
    for (const [v, outs] of ROUND) {
      for (let rm = 0; rm < 5; rm++) {
        expect(one(m, ws, { fa1: s(v) }, {}, rm << 5)).toBe(m.K.EXIT_BUDGET);
        expect(m.x("a0"), `frm ${rm}, ${v}`).toBe(u64(outs[rm]));
      }
    }
    // 1 + 2^-24 + 2^-30 as a double: rounds up to 1 + 2^-23 only under RUP (and RNE, being above the halfway point).
    const x = d(1 + 2 ** -24 + 2 ** -30);
    const res = [1 + 2 ** -23, 1, 1, 1 + 2 ** -23, 1 + 2 ** -23];
    for (let rm = 0; rm < 5; rm++) {
      expect(one(m, sd, { fa1: x }, {}, rm << 5)).toBe(m.K.EXIT_BUDGET);
      expect(fromS(m.f("fa0")), `fcvt.s.d frm ${rm}`).toBe(res[rm]);
    }
  });

  it("reserved rounding modes are illegal: rm = 5, rm = 6, and dyn with frm ≥ 5", () => {
    const m = new Machine();
    // fcvt.w.s a0, fa1 with rm in bits 14:12; fadd.d fa0, fa1, fa2 likewise; fmadd.s fa0, fa1, fa2, fa3.
    const fcvt = (rm: number) => 0xC0000053 | (11 << 15) | (rm << 12) | (10 << 7);
    const faddd = (rm: number) => 0x02000053 | (12 << 20) | (11 << 15) | (rm << 12) | (10 << 7);
    const fmadd = (rm: number) => 0x00000043 | (13 << 27) | (12 << 20) | (11 << 15) | (rm << 12) | (10 << 7);
    const word = (w: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, w >>> 0, true); return b; };
    for (const enc of [fcvt, faddd, fmadd]) {
      for (const rm of [5, 6]) {
        expect(one(m, word(enc(rm)), { fa1: s(1), fa0: 0x77n }, { a0: 0x77 })).toBe(m.K.EXIT_ILLEGAL);
        expect(m.illegalInsn()).toBe(enc(rm) >>> 0);
        expect(m.pc).toBe(BigInt(CODE));
        expect([m.x("a0"), m.f("fa0")]).toEqual([0x77n, 0x77n]);
      }
      for (const frm of [5, 6, 7]) {
        expect(one(m, word(enc(7)), { fa1: s(1) }, {}, frm << 5), `frm ${frm}`).toBe(m.K.EXIT_ILLEGAL);
      }
      expect(one(m, word(enc(7)), { fa1: s(1) }, {}, 4 << 5)).toBe(m.K.EXIT_BUDGET);
    }
  });

  it("exception flags accrue in fflags and are never cleared by arithmetic", () => {
    const m = new Machine();
    m.load(asm("fdiv.s fa0, fa1, fa2\nfrflags a0\nfsqrt.d fa3, fa4\nfrflags a1\nfadd.s fa0, fa1, fa1\nfmul.d fa5, fa6, fa6\nfrflags a2\ncsrrw a3, fflags, x0\nfrflags a4\nfdiv.s fa0, fa1, fa5\nebreak"), CODE);
    m.setF("fa1", s(1)); m.setF("fa2", s(0)); m.setF("fa4", d(-1)); m.setF("fa6", d(1e300));
    m.fcsr = 0;
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(Number(m.x("a0"))).toBe(DZ);
    expect(Number(m.x("a1"))).toBe(DZ | NV);
    expect(fromD(m.f("fa3"))).toBeNaN();
    expect(Number(m.x("a2"))).toBe(DZ | NV | OF | NX);
    expect(Number(m.x("a3"))).toBe(DZ | NV | OF | NX);
    expect(Number(m.x("a4"))).toBe(0);
    // 1 / unboxed-double-as-single: fa5 holds a double, so it reads as the canonical NaN: a quiet NaN raises nothing.
    expect(m.fcsr & 0x1F).toBe(0);
    expect(m.f("fa0")).toBe(CANON32);
  });

  it("fmadd, fmsub, fnmsub, fnmadd: signs of product and addend, single and double", () => {
    const m = new Machine();
    const ops: [string, number][] = [["fmadd", 7], ["fmsub", 5], ["fnmsub", -5], ["fnmadd", -7]];
    const code = asmMany(ops.flatMap(([o]) => [`${o}.s fa0, fa1, fa2, fa3`, `${o}.d fa0, fa1, fa2, fa3`]));
    ops.forEach(([o, want], k) => {
      expect(one(m, code[2 * k], { fa1: s(2), fa2: s(3), fa3: s(1) })).toBe(m.K.EXIT_BUDGET);
      expect(fromS(m.f("fa0")), `${o}.s`).toBe(want);
      expect(m.f("fa0") & BOX).toBe(BOX);
      expect(one(m, code[2 * k + 1], { fa1: d(2), fa2: d(3), fa3: d(1) })).toBe(m.K.EXIT_BUDGET);
      expect(fromD(m.f("fa0")), `${o}.d`).toBe(want);
    });
    // One rounding: (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly, which a separate multiply would lose.
    const [fms] = asmMany(["fmsub.d fa0, fa1, fa2, fa3"]);
    expect(one(m, fms, { fa1: d(1 + 2 ** -30), fa2: d(1 - 2 ** -30), fa3: d(1) })).toBe(m.K.EXIT_BUDGET);
    expect(fromD(m.f("fa0"))).toBe(-(2 ** -60));
  });

  it("conversions between the formats and integers go through the decoder", () => {
    const m = new Machine();
    const [sw, swu, sl, dlu, ds, lus] = asmMany(["fcvt.s.w fa0, a1", "fcvt.s.wu fa0, a1", "fcvt.s.l fa0, a1", "fcvt.d.lu fa0, a1",
      "fcvt.d.s fa0, fa1", "fcvt.lu.s a0, fa1, rtz"]);
    expect(one(m, sw, {}, { a1: 0x12345678FFFFFFFEn })).toBe(m.K.EXIT_BUDGET);  // low 32 bits, signed
    expect(m.f("fa0")).toBe(s(-2));
    expect(one(m, swu, {}, { a1: 0x12345678FFFFFFFEn })).toBe(m.K.EXIT_BUDGET);  // low 32 bits, unsigned
    expect(m.f("fa0")).toBe(s(4294967294));
    expect(one(m, sl, {}, { a1: u64(-3) })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(s(-3));
    expect(one(m, dlu, {}, { a1: 0x8000000000000000n })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(d(2 ** 63));
    expect(one(m, ds, { fa1: s(-0.75) })).toBe(m.K.EXIT_BUDGET);
    expect(m.f("fa0")).toBe(d(-0.75));
    expect(one(m, lus, { fa1: s(-1) })).toBe(m.K.EXIT_BUDGET);      // out of range: 0, invalid
    expect(m.x("a0")).toBe(0n);
    expect(m.fcsr & NV).toBe(NV);
    expect(one(m, asm("fcvt.w.s a0, fa1, rtz"), { fa1: s(-3e9) })).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(sx32(0x80000000n));
    // fcvt.wu results are sign-extended from bit 31 like every W result.
    expect(one(m, asm("fcvt.wu.s a0, fa1, rtz"), { fa1: s(3e9) })).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(sx32(3000000000n));
    expect(one(m, asm("fcvt.wu.d a0, fa1, rtz"), { fa1: d(4294967295) })).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(0xFFFFFFFFFFFFFFFFn);
  });

  it("FP loads and stores: fsw writes 32 bits, fld/fsd 64; faults are reported like integer ones", () => {
    const m = new Machine();
    m.load(asm("fsw fa1, 4(a1)\nfsd fa2, 8(a1)\nfld fa3, 8(a1)\nflw fa4, 4(a1)\nebreak"), CODE);
    m.w64(DATA, 0x5555555555555555n);
    m.setF("fa1", BOX | 0x11223344n);
    m.setF("fa2", 0x0102030405060708n);
    m.regs({ a1: DATA });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r64(DATA)).toBe(0x1122334455555555n);
    expect(m.f("fa3")).toBe(0x0102030405060708n);
    expect(m.f("fa4")).toBe(BOX | 0x11223344n);
    const [ld, st] = asmMany(["fld fa0, 0(a1)", "fsw fa0, 0(a1)"]);
    for (const [code, cause] of [[ld, 5], [st, 7]] as const) {
      expect(one(m, code, { fa0: 0x99n }, { a1: m.ramSize + 16 })).toBe(m.K.EXIT_ACCESS_FAULT);
      expect(m.trapCause()).toBe(cause);
      expect(m.f("fa0")).toBe(0x99n);
    }
  });

  it("illegal F/D encodings", () => {
    const m = new Machine();
    const bad = [
      0x04C5F553,                                      // fadd with fmt = 2 (half precision is absent)
      0x06C5F553,                                      // fadd with fmt = 3 (quad precision is absent)
      0x6CC58543,                                      // fmadd with fmt = 2
      0x5815F553,                                      // fsqrt.s with rs2 ≠ 0
      0xE005A553,                                      // fmv.x.w / fclass.s with funct3 = 2
      0xF005F553,                                      // fmv.w.x with funct3 = 7
      0x28C5B553,                                      // fmin/fmax with funct3 = 3
      0xA0C5B553,                                      // feq/flt/fle with funct3 = 3
      0x4005F553,                                      // fcvt.s.s
      0x4225F553,                                      // fcvt.d with rs2 = 2
      0xC045F553,                                      // fcvt.w.s family with rs2 = 4
      0x0005C507,                                      // load-FP with funct3 = 4
      0x00A5C027,                                      // store-FP with funct3 = 4
    ];
    for (const w of bad) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, w >>> 0, true);
      expect(one(m, b, {}, {}), w.toString(16)).toBe(m.K.EXIT_ILLEGAL);
      expect(m.illegalInsn()).toBe(w >>> 0);
    }
  });
});

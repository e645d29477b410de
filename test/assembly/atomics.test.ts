// The A extension in bare mode: LR/SC reservations, every AMO in .W and .D form (sign extension of .W results,
// signed versus unsigned min/max), misaligned and out-of-RAM addresses.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, asmMany, Machine, s64, sx32, u64 } from "./harness";

const CODE = 0x1000;
const DATA = 0x8000;
const lo32 = (v: bigint) => v & 0xFFFFFFFFn;

const AMO: Record<string, (old: bigint, src: bigint, w: boolean) => bigint> = {
  amoswap: (_o, s) => s,
  amoadd: (o, s) => u64(o + s),
  amoxor: (o, s) => o ^ s,
  amoand: (o, s) => o & s,
  amoor: (o, s) => o | s,
  amomin: (o, s) => (s64(o) < s64(s) ? o : s),
  amomax: (o, s) => (s64(o) > s64(s) ? o : s),
  amominu: (o, s, w) => ((w ? lo32(o) < lo32(s) : o < s) ? o : s),
  amomaxu: (o, s, w) => ((w ? lo32(o) > lo32(s) : o > s) ? o : s),
};
// [memory word, rs2]: operands whose signed and unsigned orders differ, in both halves of a doubleword.
const PAIRS: [bigint, bigint][] = [
  [0x80000001n, 0x2n], [0x7FFFFFFFn, 0x80000000n], [5n, 3n], [0xFFFFFFFFn, 0xFFFFFFFEn],
  [0xFFFFFFFF00000001n, 0x00000000FFFFFFFFn], [0x8000000000000000n, 0x7FFFFFFFFFFFFFFFn], [0x123456789n, 0x987654321n],
];

describe.skipIf(!asmAvailable)("LR/SC", () => {
  it("lr.d / sc.d succeeds on the reserved address", () => {
    const m = new Machine();
    m.load(asm("lr.d a0, (a1)\naddi a0, a0, 1\nsc.d a2, a0, (a1)\nebreak"), CODE);
    m.w64(DATA, 41n);
    m.regs({ a1: DATA, a2: 77 });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a2")).toBe(0n);
    expect(m.r64(DATA)).toBe(42n);
  });

  it("lr.w sign-extends and sc.w writes only the low word", () => {
    const m = new Machine();
    m.load(asm("lr.w.aq a0, (a1)\nsc.w.rl a2, a3, (a1)\nebreak"), CODE);
    m.w64(DATA, 0xA5A5A5A580000000n);
    m.regs({ a1: DATA, a3: 0x1111111122222222n });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0xFFFFFFFF80000000n);
    expect(m.x("a2")).toBe(0n);
    expect(m.r64(DATA)).toBe(0xA5A5A5A522222222n);
  });

  it("sc without a reservation fails with rd = 1 and leaves memory alone", () => {
    const m = new Machine();
    m.load(asm("sc.d a2, a3, (a1)\nebreak"), CODE);
    m.w64(DATA, 7n);
    m.regs({ a1: DATA, a3: 99 });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a2")).toBe(1n);
    expect(m.r64(DATA)).toBe(7n);
  });

  it("sc to another address fails, and any sc drops the reservation", () => {
    const m = new Machine();
    m.load(asm("lr.d a0, (a1)\nsc.d a2, a3, (a4)\nsc.d a5, a3, (a1)\nebreak"), CODE);
    m.w64(DATA, 7n);
    m.w64(DATA + 8, 8n);
    m.regs({ a1: DATA, a4: DATA + 8, a3: 99 });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a2")).toBe(1n);
    expect(m.x("a5")).toBe(1n);
    expect(m.r64(DATA)).toBe(7n);
    expect(m.r64(DATA + 8)).toBe(8n);
  });

  it("a successful sc consumes the reservation", () => {
    const m = new Machine();
    m.load(asm("lr.w a0, (a1)\nsc.w a2, a3, (a1)\nsc.w a4, a5, (a1)\nebreak"), CODE);
    m.regs({ a1: DATA, a3: 1, a5: 2 });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect([m.x("a2"), m.x("a4"), BigInt(m.r32(DATA))]).toEqual([0n, 1n, 1n]);
  });

  it("clearReservation() (the kernel, on a trap) makes the next sc fail", () => {
    const m = new Machine();
    m.load(asm("lr.d a0, (a1)\necall\nsc.d a2, a3, (a1)\nebreak"), CODE);
    m.regs({ a1: DATA, a3: 5 });
    expect(m.run(100)).toBe(m.K.EXIT_ECALL);
    m.ex.clearReservation();
    m.pc = m.pc + 4n;
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a2")).toBe(1n);
    expect(m.r64(DATA)).toBe(0n);
  });
});

describe.skipIf(!asmAvailable)("AMOs", () => {
  const ops = Object.keys(AMO);
  const srcs = ops.flatMap((op) => [`${op}.w a0, a2, (a1)`, `${op}.d a0, a2, (a1)`]);
  const code = asmAvailable ? asmMany(srcs) : [];

  it.each(ops.map((op, i) => [op, i] as [string, number]))("%s.w and %s.d", (op, i) => {
    const m = new Machine();
    for (const w of [true, false]) {
      m.write(CODE, code[2 * i + (w ? 0 : 1)]);
      for (const [mem, src] of PAIRS) {
        const init = w ? (0xA5A5A5A5n << 32n) | lo32(mem) : mem;
        m.w64(DATA, init);
        m.regs({ a0: 0xDEADn, a1: DATA, a2: src });
        m.pc = CODE;
        expect(m.run(1)).toBe(m.K.EXIT_BUDGET);
        const what = `${op}.${w ? "w" : "d"} mem=${mem.toString(16)} src=${src.toString(16)}`;
        if (w) {
          const old = sx32(mem), s = sx32(src);
          expect(m.x("a0"), what).toBe(old);
          expect(m.r64(DATA), what).toBe((0xA5A5A5A5n << 32n) | lo32(AMO[op](old, s, true)));
        } else {
          expect(m.x("a0"), what).toBe(mem);
          expect(m.r64(DATA), what).toBe(AMO[op](mem, src, false));
        }
        expect(m.x("a2")).toBe(src);
      }
    }
  });

  it("amoswap with rd = rs2, and with rd = x0", () => {
    const m = new Machine();
    m.load(asm("amoswap.d a2, a2, (a1)\namoadd.d x0, a3, (a1)\nebreak"), CODE);
    m.w64(DATA, 10n);
    m.regs({ a1: DATA, a2: 20, a3: 5 });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a2")).toBe(10n);
    expect(m.r64(DATA)).toBe(25n);
    expect(m.x(0)).toBe(0n);
  });

  it("misaligned LR/SC/AMO stop with EXIT_MISALIGNED and leave memory and rd alone", () => {
    const m = new Machine();
    const cases: [string, number, number][] = [
      ["amoadd.w a0, a2, (a1)", 2, 6], ["amoadd.d a0, a2, (a1)", 4, 6], ["amoswap.d a0, a2, (a1)", 1, 6],
      ["amomaxu.w a0, a2, (a1)", 1, 6], ["lr.w a0, (a1)", 2, 4], ["lr.d a0, (a1)", 4, 4], ["sc.d a0, a2, (a1)", 4, 6],
    ];
    const code = asmMany(cases.map((c) => c[0]));
    cases.forEach(([src, off, cause], k) => {
      m.write(CODE, code[k]);
      m.w64(DATA, 0x1111n); m.w64(DATA + 8, 0x2222n);
      m.regs({ a0: 0x77, a1: DATA + off, a2: 0x5 });
      m.pc = CODE;
      expect(m.run(10), src).toBe(m.K.EXIT_MISALIGNED);
      expect(m.trapCause(), src).toBe(cause);
      expect(m.trapValue(), src).toBe(BigInt(DATA + off));
      expect(m.pc).toBe(BigInt(CODE));
      expect(m.x("a0"), src).toBe(0x77n);
      expect([m.r64(DATA), m.r64(DATA + 8)], src).toEqual([0x1111n, 0x2222n]);
    });
  });

  it("an AMO outside RAM is a store access fault; an LR there is a load access fault", () => {
    const m = new Machine();
    const [amo, lr] = asmMany(["amoor.d a0, a2, (a1)", "lr.d a0, (a1)"]);
    m.load(amo, CODE);
    m.regs({ a1: m.ramSize + 64 });
    expect(m.run(10)).toBe(m.K.EXIT_ACCESS_FAULT);
    expect(m.trapCause()).toBe(7);
    expect(m.trapValue()).toBe(BigInt(m.ramSize + 64));
    m.load(lr, CODE);
    expect(m.run(10)).toBe(m.K.EXIT_ACCESS_FAULT);
    expect(m.trapCause()).toBe(5);
  });
});

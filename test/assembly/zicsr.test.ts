// Zicsr in user mode: the floating-point CSRs (fflags, frm, fcsr) with every access form, the read-only counters
// (cycle, time, instret) and what is illegal about them.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, asmMany, Machine } from "./harness";

const CODE = 0x1000;

describe.skipIf(!asmAvailable)("floating-point CSRs", () => {
  // [instruction, fcsr before, a1, a0 after (old value), fcsr after]
  const CASES: [string, number, number, number, number][] = [
    ["csrrw a0, fcsr, a1", 0x65, 0x1FF, 0x65, 0xFF],
    ["csrrw a0, fcsr, a1", 0xFF, 0x00, 0xFF, 0x00],
    ["csrrs a0, fflags, a1", 0x41, 0x12, 0x01, 0x53],
    ["csrrc a0, fflags, a1", 0x5F, 0x03, 0x1F, 0x5C],
    ["csrrw a0, fflags, a1", 0xE0, 0xFF, 0x00, 0xFF],
    ["csrrw a0, frm, a1", 0x1F, 0x0C, 0x00, 0x9F],       // frm keeps 3 bits
    ["csrrs a0, frm, a1", 0x40, 0x01, 0x02, 0x60],
    ["csrrc a0, fcsr, a1", 0xFF, 0x21, 0xFF, 0xDE],
    ["csrrwi a0, frm, 4", 0x1F, 0, 0x00, 0x9F],
    ["csrrsi a0, frm, 1", 0x40, 0, 0x02, 0x60],
    ["csrrci a0, fcsr, 1", 0xFF, 0, 0xFF, 0xFE],
    ["csrrwi a0, fflags, 31", 0x80, 0, 0x00, 0x9F],
    ["csrrsi a0, fflags, 0", 0x8A, 0, 0x0A, 0x8A],      // zimm = 0: no write
    ["csrrci a0, frm, 0", 0x8A, 0, 0x04, 0x8A],
    ["csrrs a0, fcsr, x0", 0xAB, 0, 0xAB, 0xAB],
    ["csrrw x0, frm, a1", 0x03, 0x05, 0x77, 0xA3],       // rd = x0: a0 untouched
    ["frcsr a0", 0x3C, 0, 0x3C, 0x3C],
    ["frrm a0", 0x3C, 0, 0x01, 0x3C],
    ["frflags a0", 0x3C, 0, 0x1C, 0x3C],
    ["fscsr a0, a1", 0x3C, 0x42, 0x3C, 0x42],
    ["fsrm a0, a1", 0x3C, 0x02, 0x01, 0x5C],
    ["fsflags a0, a1", 0x3C, 0x03, 0x1C, 0x23],
    ["fsrmi a0, 3", 0x1F, 0, 0x00, 0x7F],
    ["fsflagsi a0, 16", 0xE1, 0, 0x01, 0xF0],
  ];

  it("read, write, set and clear, register and immediate forms", () => {
    const m = new Machine();
    const code = asmMany(CASES.map((c) => c[0]));
    CASES.forEach(([src, before, a1, a0, after], k) => {
      m.write(CODE, code[k]);
      m.fcsr = before;
      m.regs({ a0: 0x77, a1 });
      m.pc = CODE;
      expect(m.run(1), src).toBe(m.K.EXIT_BUDGET);
      expect(Number(m.x("a0")), src).toBe(a0);
      expect(m.fcsr, src).toBe(after);
    });
  });
});

describe.skipIf(!asmAvailable)("counters", () => {
  it("rdinstret counts the instructions retired before it, across run() calls", () => {
    const m = new Machine();
    m.load(asm("nop\nnop\nrdinstret a0\nnop\nrdcycle a1\nrdinstret a2\nrdtime a3\nebreak"), CODE);
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(2n);
    expect(m.x("a2")).toBe(5n);
    // Bare mode with zero costs: one cycle per retired instruction.
    expect(m.x("a1")).toBe(4n);
    expect(m.x("a3")).toBe(6n); // time = cycles / max(1, timebase divisor); the divisor is 0 after init
    expect(m.instret()).toBe(7n);

    m.load(asm("rdinstret a0\nnop\nnop\nrdinstret a1\nebreak"), CODE);
    expect(m.run(2)).toBe(m.K.EXIT_BUDGET);
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(7n);
    expect(m.x("a1")).toBe(10n);
  });

  it("cycle includes the extra cycles counted so far; time divides by the timebase divisor", () => {
    const m = new Machine();
    m.load(asm("rdcycle a0\nrdtime a1\nebreak"), CODE);
    m.setConfig(m.K.K_TIMEBASE_DIV, 10);
    const dv = new DataView(m.memory.buffer);
    dv.setBigUint64(m.K.COUNTERS + 8 * m.K.C_XCYCLES, 95n, true);
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(95n);
    expect(m.x("a1")).toBe(9n); // (1 + 95) / 10
  });

  it("writing a counter is illegal; reading one with a no-write form is not", () => {
    const m = new Machine();
    const illegal = ["csrw cycle, a1", "csrrs a0, cycle, a1", "csrrc a0, instret, a1", "csrrwi x0, instret, 1",
      "csrrci a0, time, 1", "csrrw a0, time, x0", "csrrsi a0, cycle, 2"];
    const legal = ["csrrs a0, cycle, x0", "csrrsi a0, instret, 0", "csrrc a0, time, x0", "csrrci a0, cycle, 0"];
    const code = asmMany([...illegal, ...legal]);
    illegal.forEach((src, k) => {
      m.write(CODE, code[k]);
      m.regs({ a0: 0x5A, a1: 1 });
      m.pc = CODE;
      expect(m.run(10), src).toBe(m.K.EXIT_ILLEGAL);
      expect(m.illegalInsn(), src).toBe(new DataView(code[k].buffer, code[k].byteOffset).getUint32(0, true));
      expect(m.pc, src).toBe(BigInt(CODE));
      expect(m.x("a0"), src).toBe(0x5An);
    });
    legal.forEach((src, k) => {
      m.write(CODE, code[illegal.length + k]);
      m.regs({ a0: 0x5A, a1: 1 });
      m.pc = CODE;
      expect(m.run(1), src).toBe(m.K.EXIT_BUDGET);
      expect(m.x("a0"), src).not.toBe(0x5An);
    });
  });

  it("CSRs that do not exist in U-mode are illegal, and leave no trace on the next CSR access", () => {
    const m = new Machine();
    const [hpm, hpmw, unk, ok] = asmMany(["csrr a0, hpmcounter3", "csrrs a0, hpmcounter3, a1", "csrw 0x800, a1", "frflags a0"]);
    for (const bad of [hpm, hpmw, unk]) {
      m.load(bad, CODE);
      m.regs({ a1: 1 });
      expect(m.run(10)).toBe(m.K.EXIT_ILLEGAL);
      m.load(ok, CODE);
      m.fcsr = 0x13;
      m.setX("a0", 0);
      expect(m.run(1)).toBe(m.K.EXIT_BUDGET);
      expect(m.x("a0")).toBe(0x13n);
    }
  });
});

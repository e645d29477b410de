// The host contract of assembly/index.ts that the other suites take for granted: init() results and what it
// resets, configureTlb() validation, the fcsr accessors, and that the layout constants are self-consistent.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, Machine } from "./harness";

describe("host contract", () => {
  it("layout: state, TLB arrays and RAM do not overlap; counters and config fit their areas", () => {
    const m = new Machine(1 << 20);
    const K = m.K;
    expect(K.XREGS).toBe(K.STATE_BASE);
    expect(K.FREGS).toBeGreaterThanOrEqual(K.XREGS + 32 * 8);
    expect(K.COUNTERS).toBeGreaterThanOrEqual(K.FREGS + 32 * 8);
    expect(K.CONFIG).toBeGreaterThanOrEqual(K.COUNTERS + K.NCOUNTERS * 8);
    expect(K.TLB_BASE).toBeGreaterThanOrEqual(K.CONFIG + K.NCONFIG * 8);
    expect(K.TLB_STRIDE).toBe(K.TLB_MAX_ENTRIES * K.TLBE_SIZE);
    expect(K.RAM_BASE).toBeGreaterThanOrEqual(K.TLB_BASE + 3 * K.TLB_STRIDE);
    const counters = Object.entries(K).filter(([k]) => k.startsWith("C_")).map(([, v]) => v);
    expect(new Set(counters).size).toBe(counters.length);
    expect(Math.max(...counters)).toBeLessThan(K.NCOUNTERS);
    const exits = ["EXIT_BUDGET", "EXIT_ECALL", "EXIT_PAGE_FAULT", "EXIT_ILLEGAL", "EXIT_BREAKPOINT", "EXIT_ACCESS_FAULT", "EXIT_MISALIGNED"].map((k) => K[k]);
    expect(new Set(exits).size).toBe(exits.length);
    expect(m.memory.buffer.byteLength).toBeGreaterThanOrEqual(K.RAM_BASE + (1 << 20) + 0x1000);
  });

  it("init refuses RAM that cannot fit the instance", () => {
    const m = new Machine(1 << 20);
    expect(m.ex.init(0xFFFFF000)).toBe(-1);
  });

  it("configureTlb validates its arguments", () => {
    const m = new Machine(1 << 20);
    expect(m.ex.configureTlb(3, 1, 1, 0)).toBe(-1);          // no TLB 3
    expect(m.ex.configureTlb(1, 3, 2, 0)).toBe(-1);          // sets not a power of two
    expect(m.ex.configureTlb(1, 0, 2, 0)).toBe(-1);
    expect(m.ex.configureTlb(2, 4096, 2, 0)).toBe(-1);       // more than TLB_MAX_ENTRIES
    expect(m.ex.configureTlb(2, 1024, 4, 0)).toBe(0);        // exactly the maximum
    expect(m.ex.configureTlb(1, 0, 0, 0)).toBe(0);           // disabled
    expect(m.config(m.K.K_SETS + 3 * 2)).toBe(1024n);
    expect(m.config(m.K.K_WAYS + 3 * 2)).toBe(4n);
  });

  it("setFcsr / getFcsr round-trip frm and fflags only", () => {
    const m = new Machine(1 << 20);
    m.fcsr = 0x1FF;
    expect(m.fcsr).toBe(0xFF);
    m.fcsr = 0x45;
    expect(m.fcsr).toBe(0x45);
  });

  it.skipIf(!asmAvailable)("init resets registers, pc, instret, counters, TLBs and RAM", () => {
    const m = new Machine(1 << 20);
    m.load(asm("addi a0, a0, 1\nsd a0, 0(a1)\nebreak"), 0x1000);
    m.regs({ a1: 0x8000 });
    m.fcsr = 0x33;
    m.setF("fa0", 5);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.ex.init(1 << 20)).toBe(0);
    expect(m.xs().every((v) => v === 0n)).toBe(true);
    expect(m.fs().every((v) => v === 0n)).toBe(true);
    expect([m.pc, m.instret(), m.fcsr]).toEqual([0n, 0n, 0]);
    expect(Object.values(m.counters()).every((v) => v === 0n)).toBe(true);
    expect(m.r64(0x8000)).toBe(0n);
    expect(m.r32(0x1000)).toBe(0);
  });
});

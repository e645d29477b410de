// The C extension: every RV64C instruction form is executed once from a random machine state and compared with
// its 32-bit expansion executed separately from the same state — this checks the expansion table, immediates and
// register fields included. Control transfers compare targets; a compressed jalr links pc + 2.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, Machine, u64 } from "./harness";

const CODE = 0x1000;
const DATA = 0x8000;

interface CCase { c: string; x: string; entry?: number; link?: string }

const fwd = (c: string, x: string, off: number): CCase =>
  ({ c: `${c} 1f\n.skip ${off - 2}\n1: nop`, x: `${x} 1f\n.skip ${off - 4}\n1: nop` });
const back = (c: string, x: string, off: number): CCase =>
  ({ c: `1: .skip ${off}\n${c} 1b`, x: `1: .skip ${off}\n${x} 1b`, entry: off });

const CASES: CCase[] = [
  // Quadrant 0
  { c: "c.addi4spn a0, sp, 4", x: "addi a0, sp, 4" },
  { c: "c.addi4spn s1, sp, 1020", x: "addi s1, sp, 1020" },
  { c: "c.addi4spn a5, sp, 520", x: "addi a5, sp, 520" },
  { c: "c.fld fa0, 8(a1)", x: "fld fa0, 8(a1)" },
  { c: "c.fld fs1, 248(s0)", x: "fld fs1, 248(s0)" },
  { c: "c.lw a0, 124(a1)", x: "lw a0, 124(a1)" },
  { c: "c.lw a2, 0(a3)", x: "lw a2, 0(a3)" },
  { c: "c.lw s1, 64(s0)", x: "lw s1, 64(s0)" },
  { c: "c.ld a0, 248(a1)", x: "ld a0, 248(a1)" },
  { c: "c.ld a5, 8(s1)", x: "ld a5, 8(s1)" },
  { c: "c.fsd fa0, 8(a1)", x: "fsd fa0, 8(a1)" },
  { c: "c.fsd fa5, 248(s0)", x: "fsd fa5, 248(s0)" },
  { c: "c.sw a0, 124(a1)", x: "sw a0, 124(a1)" },
  { c: "c.sw s1, 4(a3)", x: "sw s1, 4(a3)" },
  { c: "c.sd a0, 248(a1)", x: "sd a0, 248(a1)" },
  { c: "c.sd a4, 0(s0)", x: "sd a4, 0(s0)" },
  // Quadrant 1
  { c: "c.nop", x: "nop" },
  { c: "c.addi a0, -32", x: "addi a0, a0, -32" },
  { c: "c.addi a0, 31", x: "addi a0, a0, 31" },
  { c: "c.addi t6, 1", x: "addi t6, t6, 1" },
  { c: "c.addiw a0, -1", x: "addiw a0, a0, -1" },
  { c: "c.addiw a0, 31", x: "addiw a0, a0, 31" },
  { c: "c.addiw t2, 0", x: "addiw t2, t2, 0" },
  { c: "c.li a0, -32", x: "addi a0, x0, -32" },
  { c: "c.li t0, 31", x: "addi t0, x0, 31" },
  { c: "c.addi16sp sp, -512", x: "addi sp, sp, -512" },
  { c: "c.addi16sp sp, 496", x: "addi sp, sp, 496" },
  { c: "c.addi16sp sp, 16", x: "addi sp, sp, 16" },
  { c: "c.addi16sp sp, -80", x: "addi sp, sp, -80" },
  { c: "c.lui a0, 1", x: "lui a0, 1" },
  { c: "c.lui a0, 0x1f", x: "lui a0, 0x1f" },
  { c: "c.lui a0, 0xfffe0", x: "lui a0, 0xfffe0" },
  { c: "c.lui t6, 0xfffff", x: "lui t6, 0xfffff" },
  { c: "c.srli a0, 63", x: "srli a0, a0, 63" },
  { c: "c.srli a0, 1", x: "srli a0, a0, 1" },
  { c: "c.srli s1, 32", x: "srli s1, s1, 32" },
  { c: "c.srai a0, 63", x: "srai a0, a0, 63" },
  { c: "c.srai a0, 1", x: "srai a0, a0, 1" },
  { c: "c.srai a5, 33", x: "srai a5, a5, 33" },
  { c: "c.andi a0, -32", x: "andi a0, a0, -32" },
  { c: "c.andi a0, 31", x: "andi a0, a0, 31" },
  { c: "c.andi s0, 0", x: "andi s0, s0, 0" },
  { c: "c.sub a0, a1", x: "sub a0, a0, a1" },
  { c: "c.xor a2, s1", x: "xor a2, a2, s1" },
  { c: "c.or s0, a5", x: "or s0, s0, a5" },
  { c: "c.and a3, a4", x: "and a3, a3, a4" },
  { c: "c.subw a0, a1", x: "subw a0, a0, a1" },
  { c: "c.addw a5, s0", x: "addw a5, a5, s0" },
  fwd("c.j", "jal x0,", 8),
  fwd("c.j", "jal x0,", 2046),
  back("c.j", "jal x0,", 2048),
  back("c.j", "jal x0,", 682),
  fwd("c.beqz a0,", "beq a0, x0,", 254),
  back("c.beqz a0,", "beq a0, x0,", 256),
  fwd("c.bnez s1,", "bne s1, x0,", 86),
  back("c.bnez a5,", "bne a5, x0,", 170),
  // Quadrant 2
  { c: "c.slli a0, 63", x: "slli a0, a0, 63" },
  { c: "c.slli a0, 1", x: "slli a0, a0, 1" },
  { c: "c.slli t6, 32", x: "slli t6, t6, 32" },
  { c: "c.fldsp fa0, 504(sp)", x: "fld fa0, 504(sp)" },
  { c: "c.fldsp ft11, 0(sp)", x: "fld ft11, 0(sp)" },
  { c: "c.lwsp a0, 252(sp)", x: "lw a0, 252(sp)" },
  { c: "c.lwsp t6, 0(sp)", x: "lw t6, 0(sp)" },
  { c: "c.lwsp ra, 68(sp)", x: "lw ra, 68(sp)" },
  { c: "c.ldsp a0, 504(sp)", x: "ld a0, 504(sp)" },
  { c: "c.ldsp s11, 72(sp)", x: "ld s11, 72(sp)" },
  { c: "c.jr a1", x: "jalr x0, 0(a1)" },
  { c: "c.jr ra", x: "jalr x0, 0(ra)" },
  { c: "c.mv a0, a1", x: "add a0, x0, a1" },
  { c: "c.mv t6, s7", x: "add t6, x0, s7" },
  { c: "c.ebreak", x: "ebreak" },
  { c: "c.jalr a1", x: "jalr ra, 0(a1)", link: "ra" },
  { c: "c.jalr ra", x: "jalr ra, 0(ra)", link: "ra" },
  { c: "c.add a0, a1", x: "add a0, a0, a1" },
  { c: "c.add s10, t3", x: "add s10, s10, t3" },
  { c: "c.fsdsp fa0, 504(sp)", x: "fsd fa0, 504(sp)" },
  { c: "c.fsdsp ft3, 8(sp)", x: "fsd ft3, 8(sp)" },
  { c: "c.swsp a0, 252(sp)", x: "sw a0, 252(sp)" },
  { c: "c.swsp t6, 0(sp)", x: "sw t6, 0(sp)" },
  { c: "c.sdsp a0, 504(sp)", x: "sd a0, 504(sp)" },
  { c: "c.sdsp s4, 96(sp)", x: "sd s4, 96(sp)" },
];

// HINT encodings (rd = x0, or c.addi with a zero immediate): they execute as no-ops, never as illegal.
const HINTS: [string, number][] = [
  ["c.li x0, 1", 0x4005], ["c.mv x0, a1", 0x802E], ["c.add x0, a1", 0x902E], ["c.slli x0, 1", 0x0006],
  ["c.lui x0, 1", 0x6005], ["c.addi a0, 0", 0x0501], ["c.addi x0, 1", 0x0005],
];

/** Deterministic 64-bit values (xorshift64). */
function rng(seed: bigint): () => bigint {
  let s = seed || 1n;
  return () => {
    s ^= (s << 13n) & ((1n << 64n) - 1n); s ^= s >> 7n; s ^= (s << 17n) & ((1n << 64n) - 1n);
    return s;
  };
}

interface State { xs: bigint[]; fs: bigint[]; mem: Uint8Array }
function randomState(seed: bigint, a0: bigint | null): State {
  const r = rng(seed);
  const xs = Array.from({ length: 32 }, () => r());
  xs[0] = 0n;
  // Pointers for the loads, stores and jumps: sp, a1, a3, s0, s1 (and ra for c.jr ra / c.jalr ra).
  xs[2] = BigInt(DATA + 0x400); xs[11] = BigInt(DATA + 0x100); xs[13] = BigInt(DATA + 0x200);
  xs[8] = BigInt(DATA + 0x300); xs[9] = BigInt(DATA + 0x600); xs[1] = BigInt(CODE + 0xA02);
  if (a0 !== null) xs[10] = a0;
  const fs = Array.from({ length: 32 }, () => r());
  const mem = new Uint8Array(0x1000);
  for (let i = 0; i < mem.length; i += 8) {
    const v = r();
    for (let j = 0; j < 8; j++) mem[i + j] = Number((v >> BigInt(8 * j)) & 0xFFn);
  }
  return { xs, fs, mem };
}

interface Outcome { exit: number; next: number; xs: bigint[]; fs: bigint[]; mem: Uint8Array }
function execOne(m: Machine, code: Uint8Array, entry: number, st: State): Outcome {
  m.write(CODE, new Uint8Array(0x1000));
  m.write(CODE, code);
  m.write(DATA, st.mem);
  st.xs.forEach((v, i) => m.setX(i, v));
  st.fs.forEach((v, i) => m.setF(i, v));
  m.pc = CODE + entry;
  const exit = m.run(1);
  return { exit, next: Number(m.pc) - CODE - entry, xs: m.xs(), fs: m.fs(), mem: m.read(DATA, 0x1000) };
}

describe.skipIf(!asmAvailable)("compressed instructions match their 32-bit expansions", () => {
  const code = asmAvailable ? asmMany(CASES.flatMap((k) => [{ src: k.c, rvc: true }, { src: k.x, rvc: false }])) : [];
  const STATES: [bigint, bigint | null][] = [[0x1234567n, null], [0xC0FFEEn, 0n], [0xBADCAFEn, u64(-1n)], [0x5EEDn, 0x80000000n], [0x77n, 0x7FFFFFFFn]];

  it.each(CASES.map((k, i) => [k.c.replace(/\n/g, "; "), i] as [string, number]))(
    "%s", (_name, i) => {
      const k = CASES[i];
      const cc = code[2 * i], xc = code[2 * i + 1];
      const entry = k.entry ?? 0;
      expect(cc[entry] & 3, "compressed form emitted").not.toBe(3);
      expect(xc[entry] & 3, "32-bit form emitted").toBe(3);
      const m = new Machine();
      for (const [seed, a0] of STATES) {
        const st = randomState(seed, a0);
        if (/c\.j(al)?r a1/.test(k.c)) st.xs[11] = BigInt(CODE + 0x802); // a1 is a jump target here
        const oc = execOne(m, cc, entry, st);
        const ox = execOne(m, xc, entry, st);
        expect(oc.exit, "exit code").toBe(ox.exit);
        // Falling through is +2 versus +4; a taken transfer lands on the same target.
        expect(oc.next, "next pc").toBe(ox.next === 4 ? 2 : ox.next);
        if (k.link) {
          const r = k.link === "ra" ? 1 : 0;
          expect(oc.xs[r], "link register").toBe(ox.xs[r] - 2n);
          oc.xs[r] = ox.xs[r];
        }
        expect(oc.xs, "integer registers").toEqual(ox.xs);
        expect(oc.fs, "FP registers").toEqual(ox.fs);
        expect(Buffer.from(oc.mem).equals(Buffer.from(ox.mem)), "memory").toBe(true);
      }
    });

  it("HINT encodings execute as no-ops", () => {
    const m = new Machine();
    for (const [name, bits] of HINTS) {
      const st = randomState(0x42n, null);
      const o = execOne(m, Uint8Array.from([bits & 0xFF, bits >> 8]), 0, st);
      expect(o.exit, name).toBe(m.K.EXIT_BUDGET);
      expect(o.next, name).toBe(2);
      expect(o.xs, name).toEqual(st.xs);
    }
  });

  it("a compressed instruction in the last parcel of a page, and a 32-bit one straddling two pages", () => {
    const m = new Machine();
    const [last, straddle] = asmMany([
      { src: "addi a0, a0, 100\nc.addi a0, 1\nc.ebreak", rvc: true },   // 100 does not fit c.addi
      { src: "c.addi a0, 1\naddi a0, a0, 100\nc.ebreak", rvc: true },
    ]);
    expect(last.length).toBe(8);
    expect(straddle.length).toBe(8);
    m.load(last, 0x1FFA);                 // c.addi at 0x1FFE
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(101n);
    expect(m.pc).toBe(0x2000n);
    m.load(straddle, 0x2FFC);             // addi at 0x2FFE..0x3001
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(202n);
    expect(m.pc).toBe(0x3002n);
  });
});

// RV64I and M through the interpreter in bare mode (satp = 0, VA = PA): every ALU operation against a BigInt
// reference on edge values, loads/stores and their sign extension, lui/auipc, branches, jumps, ecall/ebreak,
// illegal encodings and the run(budget) contract.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, asmMany, M64, Machine, s64, sx32, u64 } from "./harness";

const CODE = 0x1000;
const DATA = 0x8000;
const INT_MIN = 1n << 63n;
const lo32 = (v: bigint) => v & 0xFFFFFFFFn;
const i32 = (v: bigint) => BigInt.asIntN(32, v);

const VALUES: bigint[] = [0n, 1n, 2n, 3n, 31n, 32n, 63n, 64n, M64, u64(-2n), 0x7FFFFFFFn, 0x80000000n, 0xFFFFFFFFn,
  0x100000000n, INT_MIN, INT_MIN - 1n, 0x123456789ABCDEF0n, u64(-0x123456789n), 0xFFFFFFFF80000000n, 0x80000001n];

// Reference semantics of the register-register operations (unprivileged spec, RV64I and M chapters).
const R_OPS: Record<string, (a: bigint, b: bigint) => bigint> = {
  add: (a, b) => u64(a + b),
  sub: (a, b) => u64(a - b),
  sll: (a, b) => u64(a << (b & 63n)),
  slt: (a, b) => (s64(a) < s64(b) ? 1n : 0n),
  sltu: (a, b) => (a < b ? 1n : 0n),
  xor: (a, b) => a ^ b,
  srl: (a, b) => a >> (b & 63n),
  sra: (a, b) => u64(s64(a) >> (b & 63n)),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
  addw: (a, b) => sx32(a + b),
  subw: (a, b) => sx32(a - b),
  sllw: (a, b) => sx32(a << (b & 31n)),
  srlw: (a, b) => sx32(lo32(a) >> (b & 31n)),
  sraw: (a, b) => u64(i32(a) >> (b & 31n)),
  mul: (a, b) => u64(a * b),
  mulh: (a, b) => u64((s64(a) * s64(b)) >> 64n),
  mulhsu: (a, b) => u64((s64(a) * b) >> 64n),
  mulhu: (a, b) => (a * b) >> 64n,
  div: (a, b) => (b === 0n ? M64 : a === INT_MIN && b === M64 ? INT_MIN : u64(s64(a) / s64(b))),
  divu: (a, b) => (b === 0n ? M64 : a / b),
  rem: (a, b) => (b === 0n ? a : a === INT_MIN && b === M64 ? 0n : u64(s64(a) % s64(b))),
  remu: (a, b) => (b === 0n ? a : a % b),
  mulw: (a, b) => sx32(a * b),
  divw: (a, b) => (i32(b) === 0n ? M64 : i32(a) === -(1n << 31n) && i32(b) === -1n ? sx32(a) : sx32(i32(a) / i32(b))),
  divuw: (a, b) => (lo32(b) === 0n ? M64 : sx32(lo32(a) / lo32(b))),
  remw: (a, b) => (i32(b) === 0n ? sx32(a) : i32(a) === -(1n << 31n) && i32(b) === -1n ? 0n : sx32(i32(a) % i32(b))),
  remuw: (a, b) => (lo32(b) === 0n ? sx32(a) : sx32(lo32(a) % lo32(b))),
};

// Register-immediate operations: [mnemonic, immediates, reference(a, imm)].
const I_OPS: [string, number[], (a: bigint, i: bigint) => bigint][] = [
  ["addi", [0, 1, -1, 2047, -2048], (a, i) => u64(a + i)],
  ["slti", [0, 1, -1, 2047, -2048], (a, i) => (s64(a) < i ? 1n : 0n)],
  ["sltiu", [0, 1, -1, 2047, -2048], (a, i) => (a < u64(i) ? 1n : 0n)], // immediate sign-extended, then unsigned
  ["xori", [0, 1, -1, 2047, -2048], (a, i) => a ^ u64(i)],
  ["ori", [0, 1, -1, 2047, -2048], (a, i) => a | u64(i)],
  ["andi", [0, 1, -1, 2047, -2048], (a, i) => a & u64(i)],
  ["slli", [0, 1, 31, 32, 63], (a, i) => u64(a << i)],
  ["srli", [0, 1, 31, 32, 63], (a, i) => a >> i],
  ["srai", [0, 1, 31, 32, 63], (a, i) => u64(s64(a) >> i)],
  ["addiw", [0, 1, -1, 2047, -2048], (a, i) => sx32(a + i)],
  ["slliw", [0, 1, 31], (a, i) => sx32(a << i)],
  ["srliw", [0, 1, 31], (a, i) => sx32(lo32(a) >> i)],
  ["sraiw", [0, 1, 31], (a, i) => u64(i32(a) >> i)],
];

/** Runs exactly one instruction at CODE after setting registers; returns the exit code. */
function step(m: Machine, regs: Record<string, bigint | number>): number {
  m.regs(regs);
  m.pc = CODE;
  return m.run(1);
}

describe.skipIf(!asmAvailable)("RV64I/M arithmetic (bare mode)", () => {
  const rSrc = Object.keys(R_OPS).map((op) => `${op} a0, a1, a2`);
  const rCode = asmAvailable ? asmMany(rSrc) : [];

  it.each(Object.keys(R_OPS).map((op, i) => [op, i] as [string, number]))("%s on edge values", (op, i) => {
    const m = new Machine();
    m.write(CODE, rCode[i]);
    const bad: string[] = [];
    for (const a of VALUES) {
      for (const b of VALUES) {
        expect(step(m, { a0: 0xDEADn, a1: a, a2: b })).toBe(m.K.EXIT_BUDGET);
        const want = R_OPS[op](a, b);
        if (m.x("a0") !== want) bad.push(`${op}(${a.toString(16)}, ${b.toString(16)}) = ${m.x("a0").toString(16)}, want ${want.toString(16)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(m.pc).toBe(BigInt(CODE + 4));
  });

  const iCases = I_OPS.flatMap(([op, imms, f]) => imms.map((imm) => ({ op, imm, f, src: `${op} a0, a1, ${imm}` })));
  const iCode = asmAvailable ? asmMany(iCases.map((c) => c.src)) : [];

  it("register-immediate operations (sign-extended immediates, shamt 63, W-form shamt 31)", () => {
    const m = new Machine();
    const bad: string[] = [];
    iCases.forEach((c, k) => {
      m.write(CODE, iCode[k]);
      for (const a of VALUES) {
        expect(step(m, { a0: 0xDEADn, a1: a }), c.src).toBe(m.K.EXIT_BUDGET);
        const want = c.f(a, BigInt(c.imm));
        if (m.x("a0") !== want) bad.push(`${c.src} with a1=${a.toString(16)}: ${m.x("a0").toString(16)}, want ${want.toString(16)}`);
      }
    });
    expect(bad).toEqual([]);
  });

  it("x0 stays zero and rd may equal a source", () => {
    const m = new Machine();
    m.load(asm("add x0, a1, a2\naddi x0, x0, 5\nadd a1, a1, a1\nsub a2, a2, a2\nlui x0, 0x12345\nebreak"), CODE);
    m.regs({ a1: 7, a2: 9 });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x(0)).toBe(0n);
    expect(m.x("a1")).toBe(14n);
    expect(m.x("a2")).toBe(0n);
  });

  it("lui and auipc sign-extend their 32-bit results", () => {
    const m = new Machine();
    const cases: [string, bigint][] = [
      ["lui a0, 0x80000", 0xFFFFFFFF80000000n],
      ["lui a0, 0xfffff", 0xFFFFFFFFFFFFF000n],
      ["lui a0, 0x7ffff", 0x7FFFF000n],
      ["lui a0, 1", 0x1000n],
      ["auipc a0, 0", BigInt(CODE)],
      ["auipc a0, 0xfffff", u64(BigInt(CODE) - 0x1000n)],
      ["auipc a0, 0x80000", u64(BigInt(CODE) - 0x80000000n)],
      ["auipc a0, 0x7ffff", BigInt(CODE) + 0x7FFFF000n],
    ];
    const code = asmMany(cases.map((c) => c[0]));
    cases.forEach(([src, want], k) => {
      m.write(CODE, code[k]);
      expect(step(m, { a0: 0 })).toBe(m.K.EXIT_BUDGET);
      expect(m.x("a0"), src).toBe(want);
    });
  });
});

describe.skipIf(!asmAvailable)("loads and stores (bare mode)", () => {
  const bytes = [0x80, 0xFF, 0x7F, 0x01, 0x81, 0x00, 0x00, 0x80, 0xFE, 0xCA, 0x34, 0x92, 0x00, 0x00, 0x00, 0x00];
  const le = (off: number, n: number) => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]);
    return v;
  };
  const sext = (v: bigint, n: number) => u64(BigInt.asIntN(8 * n, v));
  const LOADS: [string, number, boolean][] = [["lb", 1, true], ["lh", 2, true], ["lw", 4, true], ["ld", 8, true],
    ["lbu", 1, false], ["lhu", 2, false], ["lwu", 4, false]];

  it("sign extension of lb/lh/lw versus lbu/lhu/lwu, positive and negative offsets", () => {
    const m = new Machine();
    m.write(DATA, Uint8Array.from(bytes));
    const cases = LOADS.flatMap(([op, n, signed]) =>
      [0, 8].flatMap((off) => [0, -8].map((imm) => ({ op, n, signed, off, imm, src: `${op} a0, ${imm}(a1)` }))));
    const code = asmMany([...new Set(cases.map((c) => c.src))]);
    const srcs = [...new Set(cases.map((c) => c.src))];
    for (const c of cases) {
      m.write(CODE, code[srcs.indexOf(c.src)]);
      expect(step(m, { a0: 0xDEADn, a1: DATA + c.off - c.imm })).toBe(m.K.EXIT_BUDGET);
      const raw = le(c.off, c.n);
      expect(m.x("a0"), `${c.src} at +${c.off}`).toBe(c.signed ? sext(raw, c.n) : raw);
    }
  });

  it("stores write exactly their width", () => {
    const m = new Machine();
    const cases: [string, number][] = [["sb", 1], ["sh", 2], ["sw", 4], ["sd", 8]];
    const code = asmMany(cases.map(([op]) => `${op} a2, -3(a1)`));
    cases.forEach(([op, n], k) => {
      m.write(DATA, new Uint8Array(16).fill(0xAA));
      m.write(CODE, code[k]);
      expect(step(m, { a1: DATA + 3 + 4, a2: 0x0123456789ABCDEFn })).toBe(m.K.EXIT_BUDGET);
      const want = new Uint8Array(16).fill(0xAA);
      for (let i = 0; i < n; i++) want[4 + i] = [0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01][i];
      expect(m.read(DATA, 16), op).toEqual(want);
    });
  });

  it("misaligned loads and stores, inside a page and across a page boundary", () => {
    const m = new Machine();
    m.load(asm("ld a0, 0(a1)\nlw a2, 0(a3)\nsd a4, 0(a5)\nlh a6, 0(a5)\nebreak"), CODE);
    const a1 = 0x9003, a3 = 0x9FFE, a5 = 0xAFFB;
    m.write(a1, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 0x88]));
    m.write(a3, Uint8Array.from([0x11, 0x22, 0x33, 0x84]));
    m.regs({ a1, a3, a5, a4: 0x1122334455667788n });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x8807060504030201n);
    expect(m.x("a2")).toBe(0xFFFFFFFF84332211n);
    expect(m.r64(a5)).toBe(0x1122334455667788n);
    expect(m.x("a6")).toBe(0x7788n);
  });

  it("loads into x0 are discarded (but still performed)", () => {
    const m = new Machine();
    m.load(asm("ld x0, 0(a1)\nebreak"), CODE);
    m.w64(DATA, 0x55n);
    m.regs({ a1: DATA });
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x(0)).toBe(0n);
    m.pc = CODE;
    m.regs({ a1: m.ramSize + 0x100 });
    expect(m.run(10)).toBe(m.K.EXIT_ACCESS_FAULT);
  });

  it("accesses outside RAM are access faults with the address; the instruction does not retire", () => {
    const m = new Machine();
    const cases: [string, number][] = [["ld a0, 0(a1)", 5], ["sw a0, 0(a1)", 7], ["lbu a0, 0(a1)", 5]];
    const code = asmMany(cases.map((c) => c[0]));
    cases.forEach(([src, cause], k) => {
      m.write(CODE, code[k]);
      const before = m.instret();
      expect(step(m, { a0: 0x77, a1: m.ramSize + 8 }), src).toBe(m.K.EXIT_ACCESS_FAULT);
      expect(m.trapCause(), src).toBe(cause);
      expect(m.trapValue(), src).toBe(BigInt(m.ramSize + 8));
      expect(m.pc).toBe(BigInt(CODE));
      expect(m.instret()).toBe(before);
      expect(m.x("a0")).toBe(0x77n);
    });
    // A fetch outside RAM: instruction access fault (cause 1).
    m.pc = m.ramSize;
    expect(m.run(1)).toBe(m.K.EXIT_ACCESS_FAULT);
    expect(m.trapCause()).toBe(1);
    expect(m.trapValue()).toBe(BigInt(m.ramSize));
  });
});

describe.skipIf(!asmAvailable)("control transfer (bare mode)", () => {
  const BRANCHES: [string, (a: bigint, b: bigint) => boolean][] = [
    ["beq", (a, b) => a === b], ["bne", (a, b) => a !== b],
    ["blt", (a, b) => s64(a) < s64(b)], ["bge", (a, b) => s64(a) >= s64(b)],
    ["bltu", (a, b) => a < b], ["bgeu", (a, b) => a >= b],
  ];
  const PAIRS: [bigint, bigint][] = [[1n, 1n], [1n, 2n], [2n, 1n], [M64, 1n], [1n, M64], [INT_MIN, INT_MIN - 1n], [0n, INT_MIN]];
  const fwd = (op: string) => `${op} a0, a1, 1f\nli a2, 1\nebreak\n1: li a2, 2\nebreak`;
  const back = (op: string) => `j 2f\n1: li a2, 2\nebreak\n2: ${op} a0, a1, 1b\nli a2, 1\nebreak`;

  it.each(BRANCHES.map(([op, f]) => [op, f] as const))("%s both ways, forward and backward", (op, f) => {
    const m = new Machine();
    const [cf, cb] = asmMany([fwd(op), back(op)]);
    for (const [a, b] of PAIRS) {
      const taken = f(a, b);
      for (const [code, takenPc, fallPc] of [[cf, 16, 8], [cb, 8, 20]] as const) {
        m.write(CODE, code);
        m.regs({ a0: a, a1: b, a2: 0 });
        m.pc = CODE;
        expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
        expect(m.x("a2"), `${op} ${a.toString(16)}, ${b.toString(16)}`).toBe(taken ? 2n : 1n);
        expect(m.pc).toBe(BigInt(CODE + (taken ? takenPc : fallPc)));
      }
    }
  });

  it("branch offsets near the ends of their range", () => {
    const m = new Machine();
    const [f, b] = asmMany([
      "beq a0, a0, 1f\n.skip 4088\n1: ebreak",                 // +4092
      "j 2f\n1: ebreak\n.skip 4086\n2: bne a0, a1, 1b",        // -4090, the branch straddling a page boundary
    ]);
    m.load(f, CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 4092));
    m.load(b, CODE);
    m.regs({ a0: 1, a1: 2 });
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 4));
  });

  it("jal links pc + 4 and reaches far targets both ways", () => {
    const m = new Machine();
    const [near, far, farBack] = asmMany([
      "jal ra, 1f\nli a2, 1\n1: ebreak",
      "jal t0, 1f\n.skip 0xFFFF8\n1: ebreak",                  // +1 MiB − 4
      "j 2f\n1: ebreak\n.skip 0xFFFF4\n2: jal x0, 1b",         // backwards almost 1 MiB
    ]);
    m.load(near, CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("ra")).toBe(BigInt(CODE + 4));
    expect(m.pc).toBe(BigInt(CODE + 8));
    expect(m.x("a2")).toBe(0n);
    m.load(far, CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 0xFFFFC));
    expect(m.x("t0")).toBe(BigInt(CODE + 4));
    m.load(farBack, CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 4));
  });

  it("jalr clears bit 0 of the target, links pc + 4, and handles rd = rs1", () => {
    const m = new Machine();
    // 0: auipc a1,0 | 4: addi a1,a1,21 | 8: jalr ra,-4(a1) → (CODE+17) & ~1 = CODE+16 | 12: li a2,1 | 16: ebreak
    m.load(asm("auipc a1, 0\naddi a1, a1, 21\njalr ra, -4(a1)\nli a2, 1\nebreak"), CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 16));
    expect(m.x("ra")).toBe(BigInt(CODE + 12));
    expect(m.x("a2")).toBe(0n);
    // rd = rs1: the target uses the old value.
    m.load(asm("jalr a1, 0(a1)\nli a2, 1\nebreak"), CODE);
    m.regs({ a1: CODE + 8, a2: 0 });
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 8));
    expect(m.x("a1")).toBe(BigInt(CODE + 4));
    expect(m.x("a2")).toBe(0n);
    // A negative offset reaching back, rd = x0.
    m.load(asm("ebreak\njalr x0, -2047(a3)"), CODE);
    m.regs({ a3: CODE + 2047 + 1 });
    m.pc = CODE + 4;
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE));
  });
});

describe.skipIf(!asmAvailable)("ecall, ebreak, budget", () => {
  it("ecall and ebreak stop on the instruction without retiring it", () => {
    const m = new Machine();
    m.load(asm("addi a0, a0, 1\necall\naddi a0, a0, 1\nebreak\naddi a0, a0, 1"), CODE);
    expect(m.run(100)).toBe(m.K.EXIT_ECALL);
    expect(m.pc).toBe(BigInt(CODE + 4));
    expect(m.instret()).toBe(1n);
    expect(m.counter(m.K.C_INSTRET)).toBe(1n);
    expect(m.run(100)).toBe(m.K.EXIT_ECALL); // not advanced: the kernel does that
    m.pc = m.pc + 4n;
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.pc).toBe(BigInt(CODE + 12));
    expect(m.x("a0")).toBe(2n);
    expect(m.instret()).toBe(2n);
  });

  it("run(n) executes exactly n instructions", () => {
    const m = new Machine();
    m.load(asm("1: addi a0, a0, 1\nj 1b"), CODE);
    expect(m.run(0)).toBe(m.K.EXIT_BUDGET);
    expect(m.pc).toBe(BigInt(CODE));
    expect(m.instret()).toBe(0n);
    expect(m.run(1001)).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(501n);
    expect(m.pc).toBe(BigInt(CODE + 4));
    expect(m.instret()).toBe(1001n);
    for (let i = 0; i < 9; i++) expect(m.run(1)).toBe(m.K.EXIT_BUDGET);
    expect(m.instret()).toBe(1010n);
    expect(m.counter(m.K.C_INSTRET)).toBe(1010n);
    expect(m.x("a0")).toBe(505n);
    expect(m.pc).toBe(BigInt(CODE));
  });

  it("code in the first physical page runs (pc below 0x1000)", () => {
    const m = new Machine();
    m.load(asm("addi a0, a0, 3\nebreak"), 0x100);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(3n);
    expect(m.pc).toBe(0x104n);
  });

  it("fence and fence.i are no-ops", () => {
    const m = new Machine();
    m.load(asm("fence\nfence rw, rw\nfence.i\naddi a0, a0, 1\nebreak"), CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.instret()).toBe(4n);
  });
});

describe.skipIf(!asmAvailable)("illegal encodings", () => {
  // [source, raw bits illegalInsn() must report]
  const CASES: [string, number][] = [
    [".2byte 0x0000", 0x0000],                       // the all-zero parcel
    [".4byte 0xffffffff", 0xFFFFFFFF],
    [".2byte 0x0004", 0x0004],                       // c.addi4spn with nzuimm = 0
    [".2byte 0x4002", 0x4002],                       // c.lwsp with rd = 0
    [".2byte 0x6002", 0x6002],                       // c.ldsp with rd = 0
    [".2byte 0x6501", 0x6501],                       // c.lui a0, 0 (nzimm = 0)
    [".2byte 0x6101", 0x6101],                       // c.addi16sp with nzimm = 0
    [".2byte 0x2001", 0x2001],                       // c.addiw with rd = 0
    [".2byte 0x8002", 0x8002],                       // c.jr with rs1 = 0
    [".2byte 0x8000", 0x8000],                       // quadrant 0, funct3 100 (reserved)
    [".2byte 0x9C41", 0x9C41],                       // quadrant 1, reserved ALU op (funct6 100111, funct2 10)
    [".4byte 0x04051513", 0x04051513],               // slli with imm[6] set
    [".4byte 0x80055513", 0x80055513],               // srli/srai with a bad funct6
    [".4byte 0x0205151B", 0x0205151B],               // slliw with imm[5] set
    [".4byte 0x04B50533", 0x04B50533],               // OP with funct7 = 2
    [".4byte 0x02B5153B", 0x02B5153B],               // OP-32 M with funct3 = 1 (no mulhw)
    [".4byte 0x00B52063", 0x00B52063],               // branch funct3 = 2
    [".4byte 0x00057503", 0x00057503],               // load funct3 = 7
    [".4byte 0x00A54023", 0x00A54023],               // store funct3 = 4
    [".4byte 0x000510E7", 0x000510E7],               // jalr funct3 = 1
    [".4byte 0x0000200F", 0x0000200F],               // MISC-MEM funct3 = 2
    [".4byte 0x0000000B", 0x0000000B],               // custom-0
    [".4byte 0x10500073", 0x10500073],               // wfi (not in U-mode)
    [".4byte 0x30200073", 0x30200073],               // mret
    [".4byte 0x10200073", 0x10200073],               // sret
    [".4byte 0x00B5002F", 0x00B5002F],               // AMO funct3 = 0
    [".4byte 0x1015A52F", 0x1015A52F],               // lr.w with rs2 ≠ 0
    ["csrr a0, mstatus", 0x30002573],
    ["csrr a0, satp", 0x18002573],
  ];

  it("each stops with EXIT_ILLEGAL, the raw bits, pc on the instruction and rd untouched", () => {
    const m = new Machine();
    const code = asmMany(CASES.map(([src]) => `addi a1, a1, 1\n${src}\nebreak`));
    CASES.forEach(([src, bits], k) => {
      m.write(CODE, new Uint8Array(16));
      m.write(CODE, code[k]);
      m.regs({ a0: 0x5A5An, a1: 0 });
      m.pc = CODE;
      const before = m.instret();
      expect(m.run(100), src).toBe(m.K.EXIT_ILLEGAL);
      expect(m.illegalInsn(), src).toBe(bits);
      expect(m.pc, src).toBe(BigInt(CODE + 4));
      expect(m.instret() - before, src).toBe(1n);
      expect(m.x("a0"), src).toBe(0x5A5An);
      expect(m.x("a1"), src).toBe(1n);
    });
  });

  it("a legal instruction after an illegal one reports no stale bits", () => {
    const m = new Machine();
    m.load(asm(".4byte 0xffffffff"), CODE);
    expect(m.run(10)).toBe(m.K.EXIT_ILLEGAL);
    m.load(asm("ebreak"), CODE);
    expect(m.run(10)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.illegalInsn()).toBe(0);
  });
});

// Random RV64GC instruction streams: a prologue loads every register from a table of interesting values (the code
// and data pages, NULL, the kernel half, misaligned and random addresses), then random instructions biased towards
// loads, stores, AMOs, jumps, branches, FP, CSR accesses and system calls with random numbers and arguments, and
// random 32-bit words and compressed parcels.

import { buildElf, CODE_BASE, DATA_BASE } from "./elf_image.js";

const r = (f7, rs2, rs1, f3, rd, op) => ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (imm, rs1, f3, rd, op) => (((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (imm, rs2, rs1, f3, op) =>
  ((((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | op) >>> 0;
const u = (imm20, rd, op) => (((imm20 & 0xFFFFF) << 12) | (rd << 7) | op) >>> 0;
const b = (imm, rs2, rs1, f3) => (((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 |
  f3 << 12 | ((imm >> 1) & 0xF) << 8 | ((imm >> 11) & 1) << 7 | 0x63) >>> 0;
const j = (imm, rd) => (((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3FF) << 21 | ((imm >> 11) & 1) << 20 |
  ((imm >> 12) & 0xFF) << 12 | rd << 7 | 0x6F) >>> 0;

/** Interesting 64-bit register values. */
function value(rng) {
  const pick = rng.weighted({ code: 3, data: 6, nul: 2, small: 3, kernel: 2, high: 2, mis: 3, rnd: 3, stack: 2 });
  const off = BigInt(rng.below(0x3000));
  switch (pick) {
    case "code": return BigInt(CODE_BASE) + off;
    case "data": return BigInt(DATA_BASE) + off;
    case "nul": return BigInt(rng.below(64));
    case "small": return BigInt.asUintN(64, BigInt(rng.range(-4096, 4096)));
    case "kernel": return 0xFFFFFFC000000000n + (rng.u64() & 0xFFFFFFFn);
    case "high": return (1n << BigInt(rng.range(30, 63))) - BigInt(rng.below(0x2000));
    case "mis": return BigInt(DATA_BASE) + off + BigInt(rng.range(1, 7));
    case "stack": return 0x3FFFFFF000n - off;
    default: return rng.u64();
  }
}

/** One random instruction (a 32-bit word, or a 16-bit parcel as a number below 0x10000 with low bits != 3). */
function instruction(rng, words) {
  const reg = () => rng.below(32);
  const kind = rng.weighted({ load: 12, store: 12, amo: 5, lrsc: 3, jump: 4, branch: 5, alu: 10, fp: 6, fpmem: 4,
    csr: 4, ecall: 6, fence: 2, raw: 4, rvc: 6, ebreak: 1 });
  switch (kind) {
    case "load": return i(rng.range(-64, 64), reg(), rng.pick([0, 1, 2, 3, 4, 5, 6]), reg(), 0x03);
    case "store": return s(rng.range(-64, 64), reg(), reg(), rng.below(4), 0x23);
    case "amo": return r((rng.pick([0, 1, 4, 8, 0xC, 0x10, 0x14, 0x18, 0x1C]) << 2) | rng.below(4), reg(), reg(),
      rng.pick([2, 3]), reg(), 0x2F);
    case "lrsc": return r((rng.pick([2, 3]) << 2) | rng.below(4), rng.chance(0.5) ? 0 : reg(), reg(), rng.pick([2, 3]),
      reg(), 0x2F);
    case "jump": {
      const back = -4 * rng.below(Math.min(words, 64) + 1);
      return rng.chance(0.5) ? j(rng.chance(0.6) ? back : 4 * rng.range(-16, 64), reg())
        : i(rng.range(-16, 16) * 2, reg(), 0, reg(), 0x67);
    }
    case "branch": return b(rng.chance(0.5) ? 4 * rng.range(1, 16) : -4 * rng.below(Math.min(words, 32) + 1), reg(),
      reg(), rng.pick([0, 1, 4, 5, 6, 7]));
    case "alu": return rng.chance(0.5)
      ? i(rng.range(-2048, 2047), reg(), rng.below(8), reg(), rng.pick([0x13, 0x1B]))
      : r(rng.pick([0, 0x20, 1]), reg(), reg(), rng.below(8), reg(), rng.pick([0x33, 0x3B]));
    case "fp": return r(rng.below(128), reg(), reg(), rng.below(8), reg(), rng.pick([0x53, 0x43, 0x47, 0x4B, 0x4F]));
    case "fpmem": return rng.chance(0.5) ? i(rng.range(-64, 64), reg(), rng.pick([2, 3]), reg(), 0x07)
      : s(rng.range(-64, 64), reg(), reg(), rng.pick([2, 3]), 0x27);
    case "csr": return i(rng.pick([1, 2, 3, 0xC00, 0xC01, 0xC02, 0x100, 0x180, 0x300, 0x7C0, rng.below(4096)]), reg(),
      rng.pick([1, 2, 3, 5, 6, 7]), reg(), 0x73);
    case "ecall": return 0x73;
    case "ebreak": return 0x00100073;
    case "fence": return rng.chance(0.5) ? 0x0FF0000F : rng.chance(0.5) ? 0x0000100F : r(9, reg(), reg(), 0, 0, 0x73);
    case "raw": return rng.u32();
    default: {
      let p;
      do p = rng.below(0x10000); while ((p & 3) === 3);
      return p;
    }
  }
}

/** System-call numbers worth making from a random stream (with random arguments already in a0..a5). */
const SYSCALLS = [17, 23, 24, 25, 29, 35, 48, 56, 57, 59, 61, 62, 63, 64, 65, 66, 67, 68, 72, 73, 78, 79, 80, 93, 94,
  96, 98, 99, 101, 113, 115, 124, 129, 130, 131, 132, 134, 135, 139, 160, 163, 165, 167, 172, 174, 178, 179, 198, 214,
  215, 216, 220, 221, 222, 226, 227, 228, 233, 260, 261, 278, 279, 291, 293, 435, 439, rng => rng.below(512)];

/**
 * A freestanding ELF whose code is a random stream of `n` instructions. Returns the file.
 * @param {import("./rng.js").Rng} rng
 */
export function randomProgram(rng, n) {
  const regs = Array.from({ length: 32 }, () => value(rng));
  const data = Buffer.alloc(0x3000);
  for (let k = 0; k < 32; k++) data.writeBigUInt64LE(regs[k], 8 * k);
  for (let k = 256 + 24 * 3; k < data.length; k++) data[k] = rng.below(256);
  const out = [];
  const w32 = (w) => { const x = Buffer.alloc(4); x.writeUInt32LE(w >>> 0); out.push(x); };
  const w16 = (h) => { const x = Buffer.alloc(2); x.writeUInt16LE(h); out.push(x); };
  // Handlers first, sometimes: rt_sigaction(sig, &act, NULL, 8) for SIGSEGV, SIGILL, SIGBUS or SIGTRAP with a
  // handler anywhere (this code, an unmapped page, the data page, NULL) and random flags (SA_NODEFER, SA_ONSTACK,
  // SA_RESETHAND, SA_SIGINFO): faults that recur with nothing retiring, handlers that cannot be reached.
  const handlers = rng.chance(0.5) ? rng.range(1, 3) : 0;
  for (let k = 0; k < handlers; k++) {
    const act = 0x100 + 24 * k;   // struct sigaction { sa_handler, sa_flags, sa_mask } (no sa_restorer on riscv)
    const where = rng.weighted({ code: 5, unmapped: 2, data: 1, nul: 1 });
    const handler = where === "code" ? BigInt(CODE_BASE + 2 * rng.below(2 * n + 64))
      : where === "unmapped" ? 0xDEAD0000n : where === "data" ? BigInt(DATA_BASE + 0x1000) : 0n;
    data.writeBigUInt64LE(handler, act);
    data.writeBigUInt64LE(BigInt((rng.pick([0, 0x40000000, 0x08000000, 0x80000000, 4]) | rng.pick([0, 0x40000000, 4])) >>> 0), act + 8);
    data.writeBigUInt64LE(rng.chance(0.3) ? rng.u64() : 0n, act + 16);
    w32(i(rng.pick([11, 4, 7, 5]), 0, 0, 10, 0x13));               // a0 = signal
    w32(u(DATA_BASE >>> 12, 11, 0x37));                              // a1 = &act
    w32(i(act, 11, 0, 11, 0x13));
    w32(i(0, 0, 0, 12, 0x13));                                       // a2 = NULL
    w32(i(8, 0, 0, 13, 0x13));                                       // a3 = sizeof(sigset_t)
    w32(i(134, 0, 0, 17, 0x13));                                     // rt_sigaction
    w32(0x73);
  }
  // Prologue: x5 = DATA_BASE (lui), then ld x1..x31 from the table (x5 last; x2 kept as the loader's sp sometimes).
  w32(u(DATA_BASE >>> 12, 5, 0x37));
  const keepSp = rng.chance(0.5);
  for (let k = 1; k < 32; k++) if (k !== 5 && !(k === 2 && keepSp)) w32(i(8 * k, 5, 3, k, 0x03));
  w32(i(8 * 5, 5, 3, 5, 0x03));
  let words = 0;
  for (let k = 0; k < n; k++, words++) {
    const x = instruction(rng, words);
    if (x === 0x73) {                                  // ecall: a7 = a number worth calling
      const nr = rng.pick(SYSCALLS);
      w32(i(typeof nr === "function" ? nr(rng) : nr, 0, 0, 17, 0x13));
      w32(0x73);
    } else if (x < 0x10000 && (x & 3) !== 3) w16(x);
    else w32(x);
  }
  // Leave through exit_group(a0) if the stream falls off its end.
  w32(i(94, 0, 0, 17, 0x13));
  w32(0x73);
  return buildElf(Buffer.concat(out), data, rng.chance(0.3) ? rng.below(1 << 20) : 0);
}

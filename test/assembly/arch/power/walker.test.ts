// The POWER hash-MMU walker (assembly/arch/power/) over hand-built HTABs in guest
// RAM: primary and secondary PTEG hits, a miss in both groups (DSI/ISI "no HPTE"), the H bit, R and C set by the
// hardware as byte stores, protection (PP, N), SLB misses handled by the modelled Linux handler (VSIDs, bolted
// slots, round-robin replacement, segment faults beyond the user range), slbia on a context switch, tlbie, and
// the ERAT/TLB split (the TLB keeps translations across a context switch, tagged by context).
//
// Everything here is computed independently of the source: Linux's vsid_scramble and hpt_hash, the HPTE layout of
// arch/powerpc/include/asm/book3s/64/mmu-hash.h, big-endian in memory.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, loadPaged, Machine, PAGED } from "../../harness";

const { CODE_VA, CODE_PA } = PAGED;
const HTAB = 0x400000;                 // 256 KiB (HTABSIZE 0: 2048 PTEGs), aligned to its size
const PTEGS = 2048;
const V = 1n, H = 2n, BOLTED = 0x10n, R = 0x100n, C = 0x80n, N = 4n;
const PP_RW = 2n, PP_RO = 3n, PP_NONE = 0n;
const DVA = 0x20000000n;               // segment 2; CODE_VA is in segment 0
const DPA = 0x30000;
const SLB_VSID_KP = 0x400n;
const SLB_ESID_V = 0x8000000n;

function bswap(v: bigint): bigint {
  let o = 0n;
  for (let i = 0n; i < 64n; i += 8n) o = (o << 8n) | ((v >> i) & 0xFFn);
  return o;
}

/** Linux get_vsid(context, ea, 256M): vsid_scramble((context << 18) | ESID, 12538073, 40). */
function vsid(context: number, ea: bigint): bigint {
  const proto = (BigInt(context) << 18n) | ((ea >> 28n) & ((1n << 18n) - 1n));
  const mod = (1n << 40n) - 1n;
  let x = (proto * 12538073n) & ((1n << 64n) - 1n);
  x = (x >> 40n) + (x & mod);
  return (x + ((x + 1n) >> 40n)) & mod;
}
const hash = (vs: bigint, ea: bigint) => ((vs & 0x7F_FFFF_FFFFn) ^ ((ea & 0xFFFFFFFn) >> 12n)) & 0x7F_FFFF_FFFFn;
const groupOf = (vs: bigint, ea: bigint, secondary: boolean) =>
  Number((secondary ? ~hash(vs, ea) : hash(vs, ea)) & BigInt(PTEGS - 1));
const hpteV = (vs: bigint, ea: bigint) => (((vs << 5n) | ((ea & 0xFFFFFFFn) >> 23n)) << 7n) | V;

class Htab {
  constructor(readonly m: Machine) {}
  addr(group: number, slot: number): number { return HTAB + group * 128 + slot * 16; }
  put(group: number, slot: number, v: bigint, r: bigint): void {
    this.m.w64(this.addr(group, slot) + 8, bswap(r));
    this.m.w64(this.addr(group, slot), bswap(v));
  }
  v(group: number, slot: number): bigint { return bswap(this.m.r64(this.addr(group, slot))); }
  r(group: number, slot: number): bigint { return bswap(this.m.r64(this.addr(group, slot) + 8)); }
  /** Maps ea in `context` to pa in the first free slot of its primary (or secondary) group; returns [group, slot]. */
  map(context: number, ea: bigint, pa: number, r: bigint, secondary = false): [number, number] {
    const vs = vsid(context, ea);
    const g = groupOf(vs, ea, secondary);
    for (let s = 0; s < 8; s++) {
      if ((this.v(g, s) & V) === 0n) { this.put(g, s, hpteV(vs, ea) | (secondary ? H : 0n), BigInt(pa) | r); return [g, s]; }
    }
    throw new Error("group full");
  }
  /** Fills the rest of ea's primary group with valid entries for other pages. */
  fillPrimary(context: number, ea: bigint): void {
    const vs = vsid(context, ea);
    const g = groupOf(vs, ea, false);
    for (let s = 0; s < 8; s++) if ((this.v(g, s) & V) === 0n) this.put(g, s, ((vs + 1n + BigInt(s)) << 12n) | V, PP_RW);
  }
}

/** A machine in POWER hash mode, context `context`, with the code page mapped read-only executable (R set). */
function powerMachine(context = 1, slbEntries = 32) {
  const m = new Machine(8 << 20);
  const t = new Htab(m);
  t.map(context, CODE_VA, CODE_PA, PP_RO | R);
  m.setConfig(m.K.K_SLB_ENTRIES, slbEntries);
  m.setConfig(m.K.K_SLB_MISS_COST, 60);
  expect(m.ex.setSdr1(BigInt(HTAB))).toBe(0);
  m.ex.switchContext(context);
  return { m, t };
}

const go = (m: Machine) => m.run(1000);

describe.skipIf(!asmAvailable)("POWER hash MMU walker", () => {
  const [ld1, sd1, jmp, ldsd] = asmAvailable
    ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "jalr ra, 0(a1)", "ld a0, 0(a1)\nsd a2, 8(a1)\nebreak"])
    : [];
  const run = (m: Machine, code: Uint8Array, va: bigint, extra: Record<string, bigint> = {}) => {
    loadPaged(m, code);
    m.regs({ a1: va, ...extra });
    return go(m);
  };

  it("SDR1 rejects a size above 28 and an origin not aligned to the table", () => {
    const m = new Machine(8 << 20);
    expect(m.ex.setSdr1(BigInt(HTAB) | 29n)).toBe(-1);
    expect(m.ex.setSdr1(0x440000n | 1n)).toBe(-1);       // a 512 KiB table must be 512 KiB aligned
    expect(m.ex.setSdr1(0x480000n | 1n)).toBe(0);
  });

  it("primary hit: one PTEG read per walk, R set by a byte store, SLB misses for two segments", () => {
    const { m, t } = powerMachine();
    const [g, s] = t.map(1, DVA, DPA, PP_RW);
    m.w64(DPA, 0x1122334455667788n);
    const c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x1122334455667788n);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(2n);
    expect(d.C_HTAB_PRIMARY).toBe(2n);
    expect(d.C_SLB_MISS).toBe(2n);
    expect(d.C_AD_UPDATES).toBe(1n);                    // R of the data HPTE (the code HPTE has R already)
    expect(d.C_WALK_REFS).toBe(2n + 1n);
    expect(t.r(g, s) & (R | C)).toBe(R);
    // R lives in byte 6 of the big-endian doubleword 1: only that byte changed.
    expect(m.r8(t.addr(g, s) + 14)).toBe(0x01);
    expect(m.r8(t.addr(g, s) + 15)).toBe(Number(PP_RW));
    // Cost: the SLB misses and the references.
    const refCost = m.config(m.K.K_COST_WALK_REF), base = m.config(m.K.K_COST_WALK_BASE);
    expect(d.C_XLATE_CYCLES).toBe(2n * 60n + 3n * refCost + 2n * base);
  });

  it("a store through a translation loaded by a load walks again and sets C; both bits then stay", () => {
    const { m, t } = powerMachine();
    const [g, s] = t.map(1, DVA, DPA, PP_RW);
    const c0 = m.counters();
    expect(run(m, ldsd, DVA, { a2: 0xABCDn })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r64(DPA + 8)).toBe(0xABCDn);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(3n);          // code, data load, data store (C clear in the cached translation)
    expect(d.C_AD_UPDATES).toBe(2n);     // R, then C
    expect(d.C_WALK_REFS).toBe(3n + 2n);
    expect(t.r(g, s) & (R | C)).toBe(R | C);
    const c1 = m.counters();
    expect(run(m, sd1, DVA, { a2: 1n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c1, m.counters()).C_WALKS ?? 0n).toBe(0n);
  });

  it("secondary hit: the primary group is full, the HPTE with H = 1 is found in the complement group", () => {
    const { m, t } = powerMachine();
    t.fillPrimary(1, DVA);
    const [g, s] = t.map(1, DVA, DPA, PP_RW | R, true);
    expect(g).toBe(groupOf(vsid(1, DVA), DVA, true));
    m.w64(DPA, 77n);
    const c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(77n);
    const d = delta(c0, m.counters());
    expect(d.C_HTAB_SECONDARY).toBe(1n);
    expect(d.C_HTAB_PRIMARY).toBe(1n);                 // the code
    expect(d.C_WALK_REFS).toBe(1n + 2n);               // code: one PTEG; data: both
    expect(t.v(g, s) & H).toBe(H);
  });

  it("the H bit must match the group: a primary-hash HPTE placed in the secondary group is not found", () => {
    const { m, t } = powerMachine();
    const vs = vsid(1, DVA);
    t.put(groupOf(vs, DVA, true), 0, hpteV(vs, DVA), BigInt(DPA) | PP_RW);         // H = 0 in the secondary group
    t.put(groupOf(vs, DVA, false), 0, hpteV(vs, DVA) | H, BigInt(DPA) | PP_RW);    // H = 1 in the primary group
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.ex.trapVector()).toBe(0x300);
    expect(m.ex.pfErrorCode()).toBe(0x40000000);
  });

  for (const [acc, code, cause, vector, err] of [
    ["load", "ld", 13, 0x300, 0x40000000], ["store", "sd", 15, 0x300, 0x42000000], ["fetch", "jmp", 12, 0x400, 0x40000000],
  ] as const) {
    it(`both groups miss, ${acc}: page fault to the kernel, ${vector.toString(16)} with status ${err.toString(16)}`, () => {
      const { m, t } = powerMachine();
      t.fillPrimary(1, DVA);
      const c0 = m.counters();
      expect(run(m, code === "ld" ? ld1 : code === "sd" ? sd1 : jmp, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(cause);
      expect(m.trapValue()).toBe(DVA);
      expect(m.ex.trapVector()).toBe(vector);
      expect(m.ex.pfErrorCode()).toBe(err);
      const d = delta(c0, m.counters());
      expect(d.C_HTAB_MISS).toBe(1n);
      expect(d.C_WALK_FAULTS).toBe(1n);
      expect(d.C_WALK_REFS).toBe(1n + 2n);              // the code's PTEG, then both of the data's
    });
  }

  it("protection: PP 11 is read-only (store → DSI 0x0A000000, C not set), PP 00 no access, N forbids fetches", () => {
    const { m, t } = powerMachine();
    const [g, s] = t.map(1, DVA, DPA, PP_RO | R);
    expect(run(m, sd1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.ex.pfErrorCode()).toBe(0x0A000000);
    expect(t.r(g, s) & C).toBe(0n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);   // reading is allowed
    const va2 = DVA + 0x1000n, va3 = DVA + 0x2000n;
    t.map(1, va2, DPA, PP_NONE | R);
    expect(run(m, ld1, va2)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.ex.pfErrorCode()).toBe(0x08000000);
    t.map(1, va3, DPA, PP_RW | R | N);
    expect(run(m, jmp, va3)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(12);
    expect(m.ex.trapVector()).toBe(0x400);
    expect(m.ex.pfErrorCode()).toBe(0x08000000);
  });

  it("SLB miss: the handler loads Linux's VSID with Kp into slot 2 (0 and 1 are bolted); a hit needs no miss", () => {
    const { m, t } = powerMachine(7);
    t.map(7, DVA, DPA, PP_RW | R);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.ex.slbWord(0, 0)).toBe(0n);
    expect(m.ex.slbWord(1, 0)).toBe(0n);
    // The fetch came first: segment 0 in slot 2, segment 2 in slot 3.
    expect(BigInt.asUintN(64, m.ex.slbWord(2, 0))).toBe(SLB_ESID_V);
    expect(BigInt.asUintN(64, m.ex.slbWord(3, 0))).toBe(DVA | SLB_ESID_V);
    expect(BigInt.asUintN(64, m.ex.slbWord(3, 1))).toBe((vsid(7, DVA) << 12n) | SLB_VSID_KP);
    const c0 = m.counters();
    t.map(7, DVA + 0x5000n, DPA, PP_RW | R);
    expect(run(m, ld1, DVA + 0x5000n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_SLB_MISS ?? 0n).toBe(0n);
  });

  it("a full SLB replaces round-robin from SLB_NUM_BOLTED, never slots 0 and 1", () => {
    const { m, t } = powerMachine(1, 6);   // 4 user slots
    const segs = [1n, 2n, 3n, 4n, 5n, 6n].map((i) => i << 28n);
    for (const ea of segs) t.map(1, ea, DPA, PP_RW | R);
    const c0 = m.counters();
    for (const ea of segs) expect(run(m, ld1, ea)).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_SLB_MISS).toBe(1n + 6n);   // the code's segment, then each data segment
    const esids = [0, 1, 2, 3, 4, 5].map((i) => BigInt.asUintN(64, m.ex.slbWord(i, 0)));
    // Code (segment 0) took slot 2, segments 1-3 slots 3-5; then round-robin from slot 2: segments 4, 5, 6.
    expect(esids).toEqual([0n, 0n, 4n, 5n, 6n, 3n].map((e, i) => (i < 2 ? 0n : (e << 28n) | SLB_ESID_V)));
  });

  it("slbia keeps the bolted slots (the kernel's segments survive a context switch) and clears the rest", () => {
    const { m, t } = powerMachine();
    t.map(1, DVA, DPA, PP_RW | R);
    const kernelEsid = (0xC000000000000000n >> 28n << 28n) | SLB_ESID_V;
    new DataView(m.memory.buffer).setBigUint64(m.K.SLB_BASE, kernelEsid, true);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(BigInt.asUintN(64, m.ex.slbWord(3, 0))).toBe(DVA | SLB_ESID_V);
    m.ex.switchContext(2);
    expect(BigInt.asUintN(64, m.ex.slbWord(0, 0))).toBe(kernelEsid);
    for (let i = 2; i < 32; i++) expect(m.ex.slbWord(i, 0)).toBe(0n);
  });

  it("an address beyond the 64 TiB user range has no VSID: a segment fault (0x380), no SLB entry", () => {
    const { m } = powerMachine();
    const far = 1n << 46n;
    const c0 = m.counters();
    expect(run(m, ld1, far)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(13);
    expect(m.ex.trapVector()).toBe(0x380);
    const d = delta(c0, m.counters());
    expect(d.C_SLB_MISS ?? 0n).toBe(1n);    // the code segment only
    expect(d.C_HTAB_MISS ?? 0n).toBe(0n);
    expect(d.C_WALKS).toBe(1n);             // the fault came from the SLB, before the TLB and any walk
    expect(d.C_L2_ACCESS).toBe(1n);
  });

  it("tlbie really removes: an HPTE invalidated in memory still translates until tlbie, then faults", () => {
    const { m, t } = powerMachine();
    const [g, s] = t.map(1, DVA, DPA, PP_RW | R);
    m.w64(DPA, 5n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    t.put(g, s, t.v(g, s) & ~V, t.r(g, s));
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);   // still in the ERAT/TLB
    m.ex.tlbie(DVA, 2);                                    // another context's VA: not this translation
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    const c0 = m.counters();
    m.ex.tlbie(DVA, 1);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    const d = delta(c0, m.counters());
    expect(d.C_TLBIE).toBe(1n);
    expect(d.C_FLUSHES).toBe(1n);
    expect(d.C_FLUSH_ENTRIES).toBe(2n);                    // the D-ERAT and the TLB entry
  });

  it("contexts are isolated; slbia empties the ERATs but the TLB keeps both contexts' translations", () => {
    const { m, t } = powerMachine(1);
    t.map(2, CODE_VA, CODE_PA, PP_RO | R);
    t.map(1, DVA, DPA, PP_RW | R);
    t.map(2, DVA, DPA + 0x1000, PP_RW | R);
    m.w64(DPA, 111n);
    m.w64(DPA + 0x1000, 222n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(111n);
    m.ex.switchContext(2);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(222n);
    const c0 = m.counters();
    m.ex.switchContext(1);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(111n);
    const d = delta(c0, m.counters());
    expect(d.C_SLBIA).toBe(1n);
    expect(d.C_ITLB_MISS).toBe(1n);      // the ERATs were emptied ...
    expect(d.C_DTLB_MISS).toBe(1n);
    expect(d.C_L2_MISS ?? 0n).toBe(0n);  // ... the TLB was not
    expect(d.C_WALKS ?? 0n).toBe(0n);
    expect(d.C_SLB_MISS).toBe(2n);       // but the SLB was: each ERAT miss needs the segment's VSID for the TLB
  });

  it("counters add up: a 1-entry D-ERAT and no TLB, alternating pages: every data access walks", () => {
    const { m, t } = powerMachine();
    m.configureTlb(1, 1, 1);
    m.configureTlb(2, 0, 0);
    for (let i = 0; i < 4; i++) t.map(1, DVA + BigInt(i) * 0x1000n, DPA, PP_RW | R);
    const loop = asmMany(["li t0, 10\n1: ld a0, 0(a1)\nld a0, 0(a2)\naddi t0, t0, -1\nbnez t0, 1b\nebreak"])[0];
    const c0 = m.counters();
    expect(run(m, loop, DVA, { a2: DVA + 0x3000n })).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(c0, m.counters());
    expect(d.C_DTLB_ACCESS).toBe(20n);
    expect(d.C_DTLB_MISS).toBe(20n);
    expect(d.C_WALKS).toBe(20n + 1n);                   // + the code page
    expect(d.C_HTAB_PRIMARY).toBe(d.C_WALKS);
    expect(d.C_WALK_REFS).toBe(d.C_WALKS);
    expect(d.C_L2_ACCESS ?? 0n).toBe(0n);
  });

  it("bolted and software bits do not affect the match", () => {
    const { m, t } = powerMachine();
    const vs = vsid(1, DVA);
    t.put(groupOf(vs, DVA, false), 3, hpteV(vs, DVA) | BOLTED | 0x8n, BigInt(DPA) | PP_RW | R);
    m.w64(DPA, 9n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(9n);
  });
});

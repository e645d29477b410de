// The sun4u refill model (assembly/arch/sparc/) with hand-built TSBs and Linux page tables in
// guest RAM: the fast path on a TSB hit, the slow path that walks the tables and fills the TSB, invalid
// translations and missing _PAGE_EXEC as page faults, protection traps, the hardware TSB pointer and tag target,
// context isolation, global entries, demap page / demap context, and counters and cycles that add up exactly.

import { beforeAll, describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, frames, loadPaged, Machine, PAGED } from "../../harness";

const { CODE_VA, CODE_PA } = PAGED;
// TTE data bits (sun4u, Linux _PAGE_*_4U).
const V = 1n << 63n, EXEC = 0x1000n, READ = 0x200n, WRITE = 0x100n, PRESENT = 0x80n, CP = 0x20n, CV = 0x10n;
const P = 0x4n, W = 0x2n, G = 0x1n, SZ64K = 1n << 61n;
const INVALID_TAG = 1n << 46n;
const USER = V | PRESENT | CP | CV | READ;
const tte = (pa: number, flags: bigint) => (BigInt(pa / 4096) << 13n) | flags;

const TSB_A = 0x180000;       // 8 KiB TSBs, 8 KiB aligned
const TSB_B = 0x184000;
const DVA = 0x40000000n;      // pgd 0, pud 1
const DPA = 0x20000;
const DPA2 = 0x30000;
const CTX_A = 1, CTX_B = 2;

// Handler figures (costs/sparc.json) and costs set for the cycle checks.
const PROBE = 10, LOAD_D = 2, LOAD_I = 6, MISS = 14, FILL = 16, TAIL_D = 15, TAIL_I = 10, PROT = 15;
const WALK_BASE = 28, WALK_REF = 10, FLUSH = 10;
const FAST_D = PROBE + LOAD_D, FAST_I = PROBE + LOAD_I;
const SLOW_D = PROBE + MISS + 25 + FILL + LOAD_D;

/** Linux sparc64 page tables (4 levels of 512 entries; upper entries hold the next table's physical address). */
class LinuxTables {
  constructor(readonly m: Machine, readonly pgd: number, readonly alloc: () => number) {}
  private idx(va: bigint, level: number): number { return Number((va >> BigInt(12 + 9 * level)) & 0x1ffn); }
  entryAddr(va: bigint, level = 0): number {
    let t = this.pgd;
    for (let l = 3; l > level; l--) {
      const a = t + 8 * this.idx(va, l);
      let e = this.m.r64(a);
      if (e === 0n) {
        const n = this.alloc();
        this.m.write(n, new Uint8Array(4096));
        this.m.w64(a, BigInt(n));
        e = BigInt(n);
      }
      t = Number(e);
    }
    return t + 8 * this.idx(va, level);
  }
  map(va: bigint, pa: number, flags: bigint): void { this.m.w64(this.entryAddr(va), tte(pa, flags)); }
  set(va: bigint, level: number, v: bigint): void { this.m.w64(this.entryAddr(va, level), v); }
}

/** A TSB of 512 << n entries at pa, every tag invalid (tsb_init). */
class Tsb {
  constructor(readonly m: Machine, readonly pa: number, readonly n = 0) {
    for (let e = 0; e < this.entries * 16; e += 16) m.w64(pa + e, INVALID_TAG);
  }
  get entries(): number { return 512 << this.n; }
  get reg(): bigint { return BigInt(this.pa) | BigInt(this.n); }
  slot(va: bigint): number { return this.pa + 16 * Number((va >> 12n) & BigInt(this.entries - 1)); }
  put(va: bigint, t: bigint): void { const s = this.slot(va); this.m.w64(s + 8, t); this.m.w64(s, va >> 21n); }
  tag(va: bigint): bigint { return this.m.r64(this.slot(va)); }
  data(va: bigint): bigint { return this.m.r64(this.slot(va) + 8); }
}

function sparcMachine(dEntries = 64) {
  const m = new Machine(8 << 20);
  const K = m.K;
  m.configureTlb(0, 1, 64, K.POLICY_NRU);
  m.configureTlb(1, 1, dEntries, K.POLICY_NRU);
  m.configureTlb(2, 0, 0, 0);
  const figures: [string, number][] = [["K_SPARC_PROBE", PROBE], ["K_SPARC_LOAD_D", LOAD_D], ["K_SPARC_LOAD_I", LOAD_I],
    ["K_SPARC_MISS", MISS], ["K_SPARC_FILL", FILL], ["K_SPARC_TAIL_D", TAIL_D], ["K_SPARC_TAIL_I", TAIL_I],
    ["K_SPARC_PROT", PROT], ["K_COST_WALK_BASE", WALK_BASE], ["K_COST_WALK_REF", WALK_REF], ["K_COST_FLUSH", FLUSH]];
  for (const [k, v] of figures) m.setConfig(K[k]!, v);
  const alloc = frames(PAGED.ROOT + 0x1000, PAGED.TABLES_END);
  const pt = new LinuxTables(m, PAGED.ROOT, alloc);
  const tsb = new Tsb(m, TSB_A);
  const code = tte(CODE_PA, USER | EXEC);
  pt.map(CODE_VA, CODE_PA, USER | EXEC);
  tsb.put(CODE_VA, code);
  m.ex.sparcSwitch(tsb.reg, BigInt(PAGED.ROOT), CTX_A);
  return { m, pt, tsb, alloc, code };
}

const go = (m: Machine) => m.run(1000);

describe.skipIf(!asmAvailable)("sparc refill model", () => {
  let ld1: Uint8Array, sd1: Uint8Array, jmp: Uint8Array, ld3: Uint8Array;
  beforeAll(() => {
    [ld1, sd1, jmp, ld3] = asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "jalr ra, 0(a1)",
      "ld a0, 0(a1)\nld a3, 0(a2)\nld a4, 0(a1)\nebreak"]);
  });
  const run = (m: Machine, code: Uint8Array, va: bigint, extra: Record<string, bigint> = {}) => {
    loadPaged(m, code);
    m.regs({ a1: va, ...extra });
    return go(m);
  };

  it("TSB hit: the fast path loads the TLB; 12 (D) and 16 (I) instructions, one reference each", () => {
    const { m, tsb } = sparcMachine();
    tsb.put(DVA, tte(DPA, USER | WRITE | W));      // in the TSB only: no page-table walk can be involved
    m.w64(DPA + 8, 0x1122334455667788n);
    const c0 = m.counters();
    expect(run(m, ld1, DVA + 8n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x1122334455667788n);
    const d = delta(c0, m.counters());
    expect(d.C_MMU_MISS_TRAPS).toBe(2n);
    expect(d.C_WALKS).toBe(2n);
    expect(d.C_TSB_HITS).toBe(2n);
    expect(d.C_TSB_MISSES ?? 0n).toBe(0n);
    expect(d.C_WALK_REFS).toBe(2n);
    expect(d.C_HANDLER_INSNS).toBe(BigInt(FAST_I + FAST_D));
    expect(d.C_XLATE_CYCLES).toBe(BigInt(2 * WALK_BASE + 2 * WALK_REF + FAST_I + FAST_D));
    // The hardware's registers for the last miss: 8K pointer into the TSB, tag target with the context.
    expect(BigInt(m.ex.sparcTsbPointer.value)).toBe(BigInt(tsb.slot(DVA)));
    expect(BigInt(m.ex.sparcTagTarget.value)).toBe((BigInt(CTX_A) << 48n) | (DVA >> 21n));
  });

  it("TSB miss: the slow path walks pgd → pud → pmd → pte, fills the TSB and the TLB (67 instructions, 10 references)", () => {
    const { m, pt, tsb } = sparcMachine();
    pt.map(DVA, DPA, USER | WRITE | W);
    m.w64(DPA, 42n);
    expect(tsb.tag(DVA)).toBe(INVALID_TAG);
    const c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(42n);
    const d = delta(c0, m.counters());
    expect(d.C_TSB_HITS).toBe(1n);      // the code page
    expect(d.C_TSB_MISSES).toBe(1n);
    expect(d.C_TSB_FILLS).toBe(1n);
    // quad load + pgd_paddr + 4 table entries + TSB lock (load, CAS) and write (TTE, tag)
    expect(d.C_WALK_REFS).toBe(1n + 10n);
    expect(d.C_HANDLER_INSNS).toBe(BigInt(FAST_I + SLOW_D));
    expect(d.C_XLATE_CYCLES).toBe(BigInt(2 * WALK_BASE + 11 * WALK_REF + FAST_I + SLOW_D));
    expect(tsb.tag(DVA)).toBe(DVA >> 21n);
    expect(tsb.data(DVA)).toBe(tte(DPA, USER | WRITE | W));
    // Demapped, the page misses the TLB again and now hits the TSB: a fast miss.
    m.ex.sparcDemap(DVA, CTX_A, 1);
    const c1 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    const d1 = delta(c1, m.counters());
    expect(d1.C_TSB_HITS).toBe(1n);
    expect(d1.C_TSB_MISSES ?? 0n).toBe(0n);
    expect(d1.C_WALK_REFS).toBe(1n);
  });

  it("invalid translations are page faults; the walk stops at the first zero entry and the TSB is not written", () => {
    const { m, pt, tsb } = sparcMachine();
    // No pmd at all: the walk reads pgd and pud entries (present) and a zero pmd entry.
    pt.set(DVA, 1, 0n);
    let c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_LOAD_PAGE_FAULT);
    expect(m.trapValue()).toBe(DVA);
    let d = delta(c0, m.counters());
    expect(d.C_WALK_FAULTS).toBe(1n);
    expect(d.C_TSB_FILLS ?? 0n).toBe(0n);
    expect(d.C_WALK_REFS).toBe(1n + 1n + 1n + 3n);   // code quad; data quad, pgd_paddr, pgd/pud/pmd entries
    expect(d.C_HANDLER_INSNS).toBe(BigInt(FAST_I + PROBE + MISS + 18 + TAIL_D));
    expect(tsb.tag(DVA)).toBe(INVALID_TAG);
    // A PTE without _PAGE_VALID: a full walk, then tsb_do_fault; a store reports a store fault.
    pt.map(DVA, DPA, 0n);
    c0 = m.counters();
    expect(run(m, sd1, DVA, { a2: 1n })).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_STORE_PAGE_FAULT);
    d = delta(c0, m.counters());
    expect(d.C_WALK_REFS).toBe(6n);                     // the code page is in the I-TLB by now
    expect(d.C_HANDLER_INSNS).toBe(BigInt(PROBE + MISS + 25 + TAIL_D));
    expect(tsb.tag(DVA)).toBe(INVALID_TAG);
    expect(m.r64(DPA)).toBe(0n);
  });

  it("instruction fetch needs _PAGE_EXEC, from the TSB or the page tables", () => {
    const { m, pt, tsb } = sparcMachine();
    tsb.put(DVA, tte(DPA, USER | WRITE | W));                 // data page in the TSB, not executable
    let c0 = m.counters();
    expect(run(m, jmp, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_FETCH_PAGE_FAULT);
    expect(m.trapValue()).toBe(DVA);
    let d = delta(c0, m.counters());
    expect(d.C_TSB_HITS).toBe(2n);
    expect(d.C_HANDLER_INSNS).toBe(BigInt(FAST_I + PROBE + LOAD_I - 2 + TAIL_I));
    // From the page tables: the TSB is written, then the EXEC check fails.
    const va2 = DVA + 0x200000n;
    pt.map(va2, DPA2, USER);
    c0 = m.counters();
    expect(run(m, jmp, va2)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_FETCH_PAGE_FAULT);
    d = delta(c0, m.counters());
    expect(d.C_TSB_FILLS).toBe(1n);
    expect(d.C_WALK_FAULTS).toBe(1n);
    expect(tsb.tag(va2)).toBe(va2 >> 21n);
    // An executable page runs.
    pt.map(va2, DPA2, USER | EXEC);
    tsb.put(va2, tte(DPA2, USER | EXEC));
    m.write(DPA2, asmMany(["ebreak"])[0]!);
    expect(run(m, jmp, va2)).toBe(m.K.EXIT_BREAKPOINT);
  });

  it("a store to a TTE without W is a protection trap and a store page fault; loads still work", () => {
    const { m, tsb } = sparcMachine();
    tsb.put(DVA, tte(DPA, USER));
    m.w64(DPA, 7n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(7n);
    const c0 = m.counters();
    expect(run(m, sd1, DVA, { a2: 9n })).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_STORE_PAGE_FAULT);
    expect(m.trapValue()).toBe(DVA);
    const d = delta(c0, m.counters());
    expect(d.C_PROT_TRAPS).toBe(1n);
    expect(d.C_MMU_MISS_TRAPS ?? 0n).toBe(0n);         // the TLB entry was there
    expect(d.C_HANDLER_INSNS).toBe(BigInt(PROT));
    expect(d.C_XLATE_CYCLES).toBe(BigInt(PROT + WALK_BASE));
    expect(m.r64(DPA)).toBe(7n);
    // A privileged TTE is not usable from user mode at all.
    tsb.put(DVA + 0x1000n, tte(DPA2, USER | P | W));
    expect(run(m, ld1, DVA + 0x1000n)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_LOAD_PAGE_FAULT);
  });

  it("addresses from 2^43 up (the Spitfire VA hole and above) fault without a miss trap, never aliasing a low page", () => {
    const { m, pt, tsb } = sparcMachine();
    pt.map(DVA, DPA, USER);
    tsb.put(DVA, tte(DPA, USER));
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);   // the code page is in the I-TLB from here on
    for (const va of [DVA + (1n << 48n), DVA + (1n << 43n), (1n << 64n) - 0x1000n]) {
      const c0 = m.counters();
      expect(run(m, ld1, va)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapValue()).toBe(va);
      const d = delta(c0, m.counters());
      expect(d.C_MMU_MISS_TRAPS ?? 0n).toBe(0n);
      expect(d.C_WALK_FAULTS).toBe(1n);
    }
  });

  it("large TTEs are not modelled: a TTE with a size code is not loaded", () => {
    const { m, tsb } = sparcMachine();
    tsb.put(DVA, tte(DPA, USER | SZ64K));
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(m.K.CAUSE_LOAD_PAGE_FAULT);
  });

  it("contexts isolate address spaces: the same VA in two contexts, each TLB entry found only in its own", () => {
    const { m, tsb, code } = sparcMachine();
    const tsbB = new Tsb(m, TSB_B);
    tsbB.put(CODE_VA, code);
    tsb.put(DVA, tte(DPA, USER));
    tsbB.put(DVA, tte(DPA2, USER));
    m.w64(DPA, 111n);
    m.w64(DPA2, 222n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(111n);
    m.ex.sparcSwitch(tsbB.reg, BigInt(PAGED.ROOT), CTX_B);
    let c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(222n);
    expect(delta(c0, m.counters()).C_MMU_MISS_TRAPS).toBe(2n);   // code and data, context B's own
    // Back in context A its entries are still in the TLB: no trap at all, and the right data.
    m.ex.sparcSwitch(tsb.reg, BigInt(PAGED.ROOT), CTX_A);
    c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(111n);
    expect(delta(c0, m.counters()).C_MMU_MISS_TRAPS ?? 0n).toBe(0n);
  });

  it("a global entry is used in every context and survives demap context; demap page removes it", () => {
    const { m, tsb, code } = sparcMachine();
    const tsbB = new Tsb(m, TSB_B);
    tsbB.put(CODE_VA, code);
    tsb.put(DVA, tte(DPA, USER | G));
    m.w64(DPA, 5n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    m.ex.sparcSwitch(tsbB.reg, BigInt(PAGED.ROOT), CTX_B);   // context B's TSB and tables have nothing at DVA
    m.ex.sparcDemap(0n, CTX_A, 0);
    m.ex.sparcDemap(0n, CTX_B, 0);
    let c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(5n);
    let d = delta(c0, m.counters());
    expect(d.C_DTLB_MISS ?? 0n).toBe(0n);
    // Demap page in context B removes the global entry too; then context B has no translation.
    m.ex.sparcDemap(DVA, CTX_B, 1);
    c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    d = delta(c0, m.counters());
    expect(d.C_DTLB_MISS).toBe(1n);
    expect(d.C_WALK_FAULTS).toBe(1n);
  });

  it("demap page and demap context really remove entries, of that context only", () => {
    const { m, tsb } = sparcMachine();
    tsb.put(DVA, tte(DPA, USER));
    const misses = () => m.counters().C_DTLB_MISS!;
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    let before = misses();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(misses() - before).toBe(0n);                    // cached
    m.ex.sparcDemap(DVA, CTX_B, 1);                          // another context: nothing goes
    m.ex.sparcDemap(0n, CTX_B, 0);
    before = misses();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(misses() - before).toBe(0n);
    const f0 = m.counters();
    m.ex.sparcDemap(DVA + 0x1000n, CTX_A, 1);                // another page: nothing goes
    m.ex.sparcDemap(DVA, CTX_A, 1);
    const fd = delta(f0, m.counters());
    expect(fd.C_DEMAP_PAGES).toBe(2n);
    expect(fd.C_FLUSHES).toBe(2n);
    expect(fd.C_FLUSH_ENTRIES).toBe(1n);
    expect(fd.C_XLATE_CYCLES).toBe(BigInt(2 * FLUSH));
    before = misses();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(misses() - before).toBe(1n);
    m.ex.sparcDemap(0n, CTX_A, 0);                           // demap context: code and data entries go
    const c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(c0, m.counters());
    expect(d.C_DTLB_MISS).toBe(1n);
    expect(d.C_ITLB_MISS).toBe(1n);
    // A whole-TLB flush (a context wrap) removes even global entries.
    tsb.put(DVA + 0x1000n, tte(DPA2, USER | G));
    expect(run(m, ld1, DVA + 0x1000n)).toBe(m.K.EXIT_BREAKPOINT);
    m.ex.sparcFlushAll();
    before = misses();
    expect(run(m, ld1, DVA + 0x1000n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(misses() - before).toBe(1n);
  });

  it("counters add up: a 1-entry D-TLB misses on every page change, each miss one trap and one TSB probe", () => {
    for (const [entries, dMisses] of [[1, 3n], [2, 2n]] as const) {
      const { m, tsb } = sparcMachine(entries);
      tsb.put(DVA, tte(DPA, USER));
      tsb.put(DVA + 0x5000n, tte(DPA2, USER));
      const c0 = m.counters();
      expect(run(m, ld3, DVA, { a2: DVA + 0x5000n })).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(c0, m.counters());
      expect(d.C_DTLB_MISS, `${entries} entries`).toBe(dMisses);
      expect(d.C_ITLB_MISS).toBe(1n);
      expect(d.C_MMU_MISS_TRAPS).toBe(dMisses + 1n);
      expect(d.C_MMU_MISS_TRAPS).toBe((d.C_TSB_HITS ?? 0n) + (d.C_TSB_MISSES ?? 0n));
      expect(d.C_WALK_REFS).toBe(d.C_MMU_MISS_TRAPS);
      expect(d.C_HANDLER_INSNS).toBe(BigInt(FAST_I) + dMisses * BigInt(FAST_D));
    }
  });

  it("the 8K pointer follows TSB_Size and Split; a TSB outside RAM is an access fault", () => {
    const { m, pt } = sparcMachine();
    // A 32 KiB TSB (N = 2): the index takes VA[22:12].
    const big = new Tsb(m, 0x188000, 2);
    const va = 0x40000000n + (0x7FFn << 12n);
    pt.map(va, DPA, USER);
    m.ex.sparcSwitch(big.reg, BigInt(PAGED.ROOT), CTX_A);
    expect(run(m, ld1, va)).toBe(m.K.EXIT_BREAKPOINT);
    expect(BigInt(m.ex.sparcTsbPointer.value)).toBe(BigInt(0x188000 + 16 * 0x7FF));
    expect(big.tag(va)).toBe(va >> 21n);
    // Split = 1: the 8K pointer indexes the first half (bit 13 + N clear).
    m.ex.sparcSwitch(BigInt(0x188000 + 0x2000) | (1n << 12n), BigInt(PAGED.ROOT), CTX_B);
    run(m, ld1, va);
    expect(BigInt(m.ex.sparcTsbPointer.value)).toBe(BigInt(0x188000 + 16 * 0x1FF));
    m.ex.sparcSwitch(BigInt(64 << 20), BigInt(PAGED.ROOT), 3);
    expect(run(m, ld1, va)).toBe(m.K.EXIT_ACCESS_FAULT);
  });
});

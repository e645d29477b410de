// The modelled TLBs and their counters, on Sv39 tables in guest RAM: exact walk and reference counts, miss counts
// for tiny TLBs, LRU versus FIFO victims, sfence.vma by address and by ASID, the I-TLB's one access per fetch, the
// cost model, and — the point of the host speed cache being a subset of the model — counts that equal a direct
// computation whatever the interleaving of accesses and run() calls.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, asmMany, delta, loadPaged, Machine, PAGED, pagedMachine, PTE } from "./harness";

const { CODE_VA, CODE_PA } = PAGED;
const URW = PTE.R | PTE.W | PTE.U | PTE.A | PTE.D;
const L1I = 0, L1D = 1, L2 = 2;
const LRU = 0, FIFO = 1, RANDOM = 2;
const PA_DATA = 0x20000;
const page = (k: number) => 0x40000000n + BigInt(k) * 0x1000n;

/** Maps data pages 0..n-1 at page(k) → PA_DATA + k·4 KiB. */
function mapPages(pt: { map: (va: bigint, pa: number, f: number) => unknown }, n: number, flags = URW): void {
  for (let k = 0; k < n; k++) pt.map(page(k), PA_DATA + k * 0x1000, flags);
}

/** Code that loads from the addresses in a1, a2, a3, … in the order given (indices into those registers). */
const REGS = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6"];
function loadsFrom(order: number[]): string {
  return order.map((i) => `ld t0, 0(${REGS[i]})`).join("\n") + "\nebreak";
}

/** Runs one instruction at a time and reports, per instruction, whether the D-TLB missed. */
function dtlbTrace(m: Machine, steps: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < steps; i++) {
    const before = m.counter(m.K.C_DTLB_MISS);
    expect(m.run(1)).toBe(m.K.EXIT_BUDGET);
    out.push(m.counter(m.K.C_DTLB_MISS) !== before);
  }
  return out;
}

describe.skipIf(!asmAvailable)("walks and walk references", () => {
  it("Sv39: 3 references per 4 KiB walk, one more per A/D write; superpages take fewer", () => {
    const { m, pt } = pagedMachine();
    pt.map(page(0), PA_DATA, URW);                                  // A and D already set
    pt.map(page(1), PA_DATA + 0x1000, PTE.R | PTE.W | PTE.U);       // A and D clear
    pt.map(0x40200000n, 0x200000, URW, 1);                          // megapage
    pt.map(0x80000000n, 0, URW, 2);                                 // gigapage
    loadPaged(m, asm("ld t0, 0(a1)\nld t0, 0(a2)\nsd t0, 8(a2)\nld t0, 0(a3)\nld t0, 0(a4)\nebreak"));
    m.regs({ a1: page(0), a2: page(1), a3: 0x40200000n + 0x3000n, a4: 0x80000000n + 0x2A0000n });
    const steps: [string, number, number, number][] = [
      // [what, walks, refs, A/D updates] for one instruction
      ["fetch of the code page + load of a page with A/D set", 2, 6, 0],
      ["load of a page with A clear: walk + A write", 1, 4, 1],
      ["store to that page (D clear): walk again + D write", 1, 4, 1],
      ["load from a megapage", 1, 2, 0],
      ["load from a gigapage", 1, 1, 0],
    ];
    for (const [what, walks, refs, ad] of steps) {
      const before = m.counters();
      expect(m.run(1), what).toBe(m.K.EXIT_BUDGET);
      const d = delta(before, m.counters());
      expect([d.C_WALKS ?? 0n, d.C_WALK_REFS ?? 0n, d.C_AD_UPDATES ?? 0n], what).toEqual([BigInt(walks), BigInt(refs), BigInt(ad)]);
    }
    expect(Number(pt.pte(page(1)) & 0xFFn)).toBe(PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D);
  });

  it("Sv48: 4 references per 4 KiB walk", () => {
    const { m, pt } = pagedMachine(4);
    mapPages(pt, 3);
    loadPaged(m, asm(loadsFrom([0, 1, 2, 0, 1, 2])));
    m.regs({ a1: page(0), a2: page(1), a3: page(2) });
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(d.C_WALKS).toBe(4n);               // code + 3 data pages; the repeats hit
    expect(d.C_WALK_REFS).toBe(16n);
  });

  it("faulting walks are counted, with the references they made", () => {
    const { m, pt } = pagedMachine();
    pt.map(page(0), PA_DATA, URW & ~PTE.U);   // leaf found, then the U check fails
    loadPaged(m, asm(loadsFrom([0])));
    m.regs({ a1: page(0) });
    const before = m.counters();
    expect(m.run(10)).toBe(m.K.EXIT_PAGE_FAULT);
    const d = delta(before, m.counters());
    expect([d.C_WALKS, d.C_WALK_REFS, d.C_WALK_FAULTS]).toEqual([2n, 6n, 1n]);
  });
});

describe.skipIf(!asmAvailable)("miss counts with tiny TLBs", () => {
  function tiny(l1dWays: number, policy = LRU, l1dSets = 1) {
    const p = pagedMachine();
    p.m.configureTlb(L1D, l1dSets, l1dWays, policy);
    p.m.configureTlb(L2, 1, 0, LRU);          // no L2: every L1 miss walks
    mapPages(p.pt, 4);
    p.m.regs({ a1: page(0), a2: page(1), a3: page(2), a4: page(3) });
    return p;
  }

  it("1 set × 1 way: A B A B misses 4 times", () => {
    const { m } = tiny(1);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 1])));
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(d.C_DTLB_ACCESS).toBe(4n);
    expect(d.C_DTLB_MISS).toBe(4n);
    expect(d.C_WALKS).toBe(5n);               // 4 data walks + the code page
  });

  it("1 set × 2 ways: A B A B misses twice", () => {
    const { m } = tiny(2);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 1])));
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(d.C_DTLB_ACCESS).toBe(4n);
    expect(d.C_DTLB_MISS).toBe(2n);
    expect(d.C_WALKS).toBe(3n);
  });

  it("2 sets × 1 way: pages of different parity do not conflict, pages of equal parity do", () => {
    const { m } = tiny(1, LRU, 2);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 1, 0, 2, 0, 2])));
    expect(dtlbTrace(m, 8)).toEqual([true, true, false, false, false, true, true, true]);
  });

  it("LRU, 2-way fully associative: A B A C evicts B, so A hits and B misses", () => {
    const { m } = tiny(2, LRU);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 2, 0, 1, 0])));
    expect(dtlbTrace(m, 7)).toEqual([true, true, false, true, false, true, false]);
  });

  it("FIFO, 2-way fully associative: A B A C evicts A despite its recent use", () => {
    const { m } = tiny(2, FIFO);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 2, 1, 0])));
    expect(dtlbTrace(m, 6)).toEqual([true, true, false, true, false, true]);
  });

  it("RANDOM is deterministic for a seed", () => {
    const order = Array.from({ length: 60 }, (_, i) => (i * 7 + (i >> 2)) % 4);
    const misses = (seed: number) => {
      const { m } = tiny(2, RANDOM);
      m.setConfig(m.K.K_SEED, seed);
      m.ex.resetTlbs();
      loadPaged(m, asm(loadsFrom(order)));
      return dtlbTrace(m, order.length);
    };
    expect(misses(1)).toEqual(misses(1));
    expect(misses(12345)).toEqual(misses(12345));
  });

  it("stores hit the same entries as loads (one D-TLB for both)", () => {
    const { m } = tiny(1);
    loadPaged(m, asm("ld t0, 0(a1)\nsd t0, 8(a1)\nsw t0, 16(a1)\nld t0, 0(a2)\nsd t0, 0(a1)\nebreak"));
    expect(dtlbTrace(m, 5)).toEqual([true, false, false, true, true]);
  });

  it("an evicted superpage entry stops serving every 4 KiB page it covered", () => {
    const { m, pt } = tiny(1);
    pt.map(0x40200000n, 0x200000, URW, 1);
    loadPaged(m, asm("ld t0, 0(a5)\nld t0, 0(a6)\nld t0, 0(a1)\nld t0, 0(a5)\nld t0, 0(a6)\nld t0, 0(a6)\nebreak"));
    m.regs({ a5: 0x40200000n + 0x3000n, a6: 0x40200000n + 0x7000n });
    expect(dtlbTrace(m, 6)).toEqual([true, false, true, true, false, false]);
  });

  it("a store through an L2 entry without D re-walks once to set D; later L2 hits do not", () => {
    const p = pagedMachine();
    const { m, pt } = p;
    m.configureTlb(L1D, 1, 1, LRU);
    mapPages(pt, 2, PTE.R | PTE.W | PTE.U);   // A and D clear
    loadPaged(m, asm("ld t0, 0(a1)\nld t0, 0(a2)\nsd t0, 0(a1)\nld t0, 0(a2)\nsd t0, 8(a1)\nebreak"));
    m.regs({ a1: page(0), a2: page(1) });
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(d.C_DTLB_MISS).toBe(5n);
    expect(d.C_L2_MISS).toBe(3n);             // code, page 0, page 1
    expect(d.C_WALKS).toBe(4n);               // + the walk that sets D on page 0
    expect(d.C_AD_UPDATES).toBe(3n);          // A on page 0, A on page 1, D on page 0
    expect(d.C_WALK_REFS).toBe(4n * 3n + 3n);
    expect(Number(pt.pte(page(0)) & 0xFFn)).toBe(PTE.V | PTE.R | PTE.W | PTE.U | PTE.A | PTE.D);
    expect(Number(pt.pte(page(1)) & 0xFFn)).toBe(PTE.V | PTE.R | PTE.W | PTE.U | PTE.A);
  });

  it("an L1 D-TLB with no ways sends every access to the L2", () => {
    const { m, pt } = pagedMachine();
    m.configureTlb(L1D, 1, 0, LRU);
    mapPages(pt, 2);
    loadPaged(m, asm(loadsFrom([0, 0, 1, 0, 0])));
    m.regs({ a1: page(0), a2: page(1) });
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(d.C_DTLB_MISS).toBe(5n);
    expect(d.C_L2_ACCESS).toBe(6n);           // 5 data + the code page's I-TLB miss
    expect(d.C_L2_MISS).toBe(3n);             // code, page 0, page 1
  });
});

describe.skipIf(!asmAvailable)("sfence.vma", () => {
  function setup(asid = 0) {
    const p = pagedMachine(3, asid);
    mapPages(p.pt, 2);
    p.pt.map(page(2), PA_DATA + 0x2000, URW | PTE.G);
    p.m.regs({ a1: page(0), a2: page(1), a3: page(2) });
    loadPaged(p.m, asm(loadsFrom([0, 1, 2])));
    expect(p.m.run(100)).toBe(p.m.K.EXIT_BREAKPOINT);
    return p;
  }
  const again = (m: Machine) => { loadPagedKeep(m); return dtlbTrace(m, 3); };
  function loadPagedKeep(m: Machine): void { m.pc = CODE_VA; }

  it("by VA removes exactly that translation from every level", () => {
    const { m } = setup();
    const before = m.counters();
    m.sfence(page(1) + 0x123n, 0, true, false);
    const d = delta(before, m.counters());
    expect(d.C_FLUSHES).toBe(1n);
    expect(d.C_FLUSH_ENTRIES).toBe(2n);       // the L1 D-TLB and the L2 entries of page 1
    const w0 = m.counter(m.K.C_WALKS);
    expect(again(m)).toEqual([false, true, false]);
    expect(m.counter(m.K.C_WALKS) - w0).toBe(1n);
  });

  it("by VA removes a superpage through any address inside it", () => {
    const { m, pt } = pagedMachine();
    pt.map(0x40200000n, 0x200000, URW, 1);
    loadPaged(m, asm("ld t0, 0(a1)\nld t0, 0(a2)\nebreak"));
    m.regs({ a1: 0x40200000n, a2: 0x40200000n + 0x1F0000n });
    expect(dtlbTrace(m, 2)).toEqual([true, false]);
    m.sfence(0x40200000n + 0x123000n, 0, true, false);
    m.pc = CODE_VA;
    expect(dtlbTrace(m, 2)).toEqual([true, false]);
  });

  it("by ASID keeps global entries; another ASID's flush removes nothing", () => {
    const { m } = setup(5);
    let before = m.counters();
    m.sfence(0, 6, false, true);
    expect(delta(before, m.counters()).C_FLUSH_ENTRIES ?? 0n).toBe(0n);
    expect(again(m)).toEqual([false, false, false]);
    before = m.counters();
    m.sfence(0, 5, false, true);
    // Non-global: pages 0 and 1 in L1D and L2, the code page in L1I and L2.
    expect(delta(before, m.counters()).C_FLUSH_ENTRIES).toBe(6n);
    expect(again(m)).toEqual([true, true, false]);
  });

  it("by VA and ASID together spares a global entry at that VA", () => {
    const { m } = setup(5);
    m.sfence(page(2), 5, true, true);
    m.sfence(page(0), 5, true, true);
    expect(again(m)).toEqual([true, false, false]);
  });

  it("everything (rs1 = rs2 = x0) removes global entries too", () => {
    const { m } = setup(5);
    m.sfence(0, 0, false, false);
    const before = m.counters();
    expect(again(m)).toEqual([true, true, true]);
    expect(delta(before, m.counters()).C_ITLB_MISS).toBe(1n);
  });

  it("global entries match under another ASID; private ones do not", () => {
    const { m, pt } = setup(5);
    m.setSatp(pt.satp(6));
    expect(again(m)).toEqual([true, true, false]);
  });
});

describe.skipIf(!asmAvailable)("instruction fetch", () => {
  it("one I-TLB access per fetched instruction on one page; one miss", () => {
    const { m } = pagedMachine();
    loadPaged(m, asm(Array(40).fill("nop").join("\n")));
    const before = m.counters();
    expect(m.run(25)).toBe(m.K.EXIT_BUDGET);
    const d = delta(before, m.counters());
    expect(d.C_ITLB_ACCESS).toBe(25n);
    expect(d.C_ITLB_MISS).toBe(1n);
    expect(d.C_INSTRET).toBe(25n);
    const b2 = m.counters();
    expect(m.run(5)).toBe(m.K.EXIT_BUDGET);
    expect(delta(b2, m.counters())).toEqual({ C_INSTRET: 5n, C_ITLB_ACCESS: 5n });
  });

  it("compressed code counts per instruction too, and crossing into another page misses", () => {
    const { m, pt } = pagedMachine();
    const second = 0x5000;                    // the next virtual page lives in an unrelated frame
    pt.map(CODE_VA + 0x1000n, second, PTE.R | PTE.X | PTE.U | PTE.A);
    const [tail, head] = asmMany([{ src: "c.addi a0, 1\nc.addi a0, 1\nc.addi a0, 1\naddi a0, a0, 100\nc.addi a0, 1", rvc: true },
      { src: "c.addi a0, 1\naddi a0, a0, 100\nc.ebreak", rvc: true }]);
    expect(tail.length).toBe(12);
    m.write(CODE_PA + 0x1000 - 12, tail);
    m.write(second, head);
    m.pc = CODE_VA + 0x1000n - 12n;
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(m.x("a0")).toBe(205n);
    expect(d.C_INSTRET).toBe(7n);
    expect(d.C_ITLB_ACCESS).toBe(8n);        // 7 retired + the ebreak
    expect(d.C_ITLB_MISS).toBe(2n);
  });

  it("a 32-bit instruction straddling two non-contiguous frames is fetched from both", () => {
    const { m, pt } = pagedMachine();
    pt.map(CODE_VA + 0x1000n, 0x5000, PTE.R | PTE.X | PTE.U | PTE.A);
    const [c] = asmMany([{ src: "c.nop\naddi a0, a0, 100\nc.ebreak", rvc: true }]);
    m.write(CODE_PA + 0xFFC, c.subarray(0, 4));   // c.nop, low half of the addi
    m.write(0x5000, c.subarray(4));               // high half of the addi, c.ebreak
    m.pc = CODE_VA + 0xFFCn;
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(100n);
    expect(m.pc).toBe(CODE_VA + 0x1002n);
  });

  it("a 32-bit instruction straddling into an unmapped page faults at the second page", () => {
    const { m } = pagedMachine();
    const [c] = asmMany([{ src: "c.nop\naddi a0, a0, 100", rvc: true }]);
    m.write(CODE_PA + 0xFFC, c.subarray(0, 4));
    m.pc = CODE_VA + 0xFFCn;
    expect(m.run(100)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(12);
    expect(m.pc).toBe(CODE_VA + 0xFFEn);
    expect(m.trapValue()).toBe(CODE_VA + 0x1000n);
    expect(m.x("a0")).toBe(0n);
  });

  it("an I-TLB with no ways sends every fetch to the L2", () => {
    const { m } = pagedMachine();
    m.configureTlb(L1I, 1, 0, LRU);
    loadPaged(m, asm(Array(20).fill("nop").join("\n")));
    const before = m.counters();
    expect(m.run(10)).toBe(m.K.EXIT_BUDGET);
    const d = delta(before, m.counters());
    expect([d.C_ITLB_ACCESS, d.C_ITLB_MISS, d.C_L2_ACCESS, d.C_L2_MISS]).toEqual([10n, 10n, 10n, 1n]);
  });

  it("a 1-entry I-TLB misses on every switch between two code pages; 2 entries miss twice", () => {
    for (const [ways, want] of [[1, 20n], [2, 2n]] as const) {
      const { m, pt } = pagedMachine();
      m.configureTlb(L1I, 1, ways, LRU);
      pt.map(CODE_VA + 0x1000n, 0x5000, PTE.R | PTE.X | PTE.U | PTE.A);
      // Page 1: addi; jump to page 2.  Page 2: jump back to page 1.  Ten round trips, then the budget ends.
      const [p1, p2] = asmMany(["addi a0, a0, 1\njalr x0, 0(a1)", "jalr x0, 0(a2)"]);
      m.write(CODE_PA, p1);
      m.write(0x5000, p2);
      m.regs({ a1: CODE_VA + 0x1000n, a2: CODE_VA });
      m.pc = CODE_VA;
      const before = m.counters();
      expect(m.run(30)).toBe(m.K.EXIT_BUDGET);
      const d = delta(before, m.counters());
      expect(d.C_ITLB_ACCESS).toBe(30n);
      expect(d.C_ITLB_MISS, `${ways} ways`).toBe(want);
    }
  });
});

describe.skipIf(!asmAvailable)("reconfiguration", () => {
  it("reconfiguring the I-TLB empties it: the next fetch on the current page misses", () => {
    const { m } = pagedMachine();
    loadPaged(m, asm(Array(20).fill("nop").join("\n")));
    expect(m.run(5)).toBe(m.K.EXIT_BUDGET);
    m.configureTlb(L1I, 8, 4, LRU);
    const before = m.counters();
    expect(m.run(5)).toBe(m.K.EXIT_BUDGET);
    const d = delta(before, m.counters());
    expect(d.C_ITLB_ACCESS).toBe(5n);
    expect(d.C_ITLB_MISS ?? 0n, "C_ITLB_MISS").toBe(1n);
  });

  it("reconfiguring the D-TLB empties it: the next access misses", () => {
    const { m, pt } = pagedMachine();
    mapPages(pt, 1);
    loadPaged(m, asm(loadsFrom([0, 0, 0, 0])));
    m.regs({ a1: page(0) });
    expect(dtlbTrace(m, 2)).toEqual([true, false]);
    m.configureTlb(L1D, 4, 2, LRU);
    expect(dtlbTrace(m, 2)).toEqual([true, false]);
  });
});

describe.skipIf(!asmAvailable)("cycle accounting", () => {
  it("walks, L2 hits and flushes are charged as configured, and rdcycle sees them", () => {
    const { m, pt } = pagedMachine();
    mapPages(pt, 2);
    m.setConfig(m.K.K_COST_WALK_BASE, 5);
    m.setConfig(m.K.K_COST_WALK_REF, 10);
    m.setConfig(m.K.K_COST_L2_HIT, 3);
    m.setConfig(m.K.K_COST_FLUSH, 7);
    m.configureTlb(L1D, 1, 1, LRU);           // pages 0 and 1 conflict in the L1 D-TLB, not in the L2
    loadPaged(m, asm("ld t0, 0(a1)\nld t0, 0(a2)\nld t0, 0(a1)\nrdcycle a3\nrdinstret a4\nebreak"));
    m.regs({ a1: page(0), a2: page(1) });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    // Code walk 35, page 0 walk 35, page 1 walk 35, page 0 again: L1 miss, L2 hit 3.
    expect(m.counter(m.K.C_XLATE_CYCLES)).toBe(108n);
    expect(m.counter(m.K.C_XCYCLES)).toBe(108n);
    expect(m.x("a4")).toBe(4n);
    expect(m.x("a3")).toBe(3n + 108n);
    m.sfence(0, 0, false, false);
    expect(m.counter(m.K.C_XCYCLES)).toBe(115n);
  });

  it("K_COST_L1_HIT is charged for every L1 hit, instruction and data", () => {
    const { m, pt } = pagedMachine();
    mapPages(pt, 2);
    m.setConfig(m.K.K_COST_L1_HIT, 2);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 1, 0, 0])));
    m.regs({ a1: page(0), a2: page(1) });
    const before = m.counters();
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    const hits = (d.C_ITLB_ACCESS - (d.C_ITLB_MISS ?? 0n)) + (d.C_DTLB_ACCESS - (d.C_DTLB_MISS ?? 0n));
    expect(hits).toBe(6n + 4n);               // 7 fetches with 1 miss; 6 loads with 2 misses
    expect(d.C_XLATE_CYCLES ?? 0n, "C_XLATE_CYCLES").toBe(2n * hits);
    expect(d.C_XCYCLES ?? 0n, "C_XCYCLES").toBe(2n * hits);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The host speed cache must never change what the model counts.

/** A direct model of one set-associative TLB with LRU or FIFO replacement (victim: first invalid way, else oldest). */
class TlbModel {
  private sets: { vpn: bigint; stamp: number; seq: number }[][];
  private clock = 0;
  private static fills = 0;
  accesses = 0;
  misses = 0;
  constructor(private nsets: number, private ways: number, private policy: number) {
    this.sets = Array.from({ length: nsets }, () => []);
  }
  /** One lookup; on a miss `fill` is called to produce the translation, which is then inserted. */
  access(vpn: bigint, onMiss: () => void): void {
    const now = ++this.clock;
    this.accesses++;
    const set = this.sets[Number(vpn & BigInt(this.nsets - 1))];
    const e = set.find((x) => x.vpn === vpn);
    if (e) { e.stamp = now; return; }
    this.misses++;
    onMiss();
    if (this.ways === 0) return;
    const entry = { vpn, stamp: now, seq: ++TlbModel.fills };
    if (set.length < this.ways) { set.push(entry); return; }
    let v = 0;
    for (let w = 1; w < set.length; w++) {
      if (this.policy === LRU ? set[w].stamp < set[v].stamp : set[w].seq < set[v].seq) v = w;
    }
    set[v] = entry;
  }
}

describe.skipIf(!asmAvailable)("host speed cache keeps the model exact", () => {
  // 12 data pages; pages 8..11 share host-cache slots with pages 0..3 (their VPNs differ by 1024).
  const VAS = Array.from({ length: 12 }, (_, k) => (k < 8 ? page(k) : page(k - 8 + 1024)));
  const BASES = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11"];

  function rand(seed: number): () => number {
    let s = seed >>> 0 || 1;
    return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  }
  interface Access { page: number; off: number; store: boolean; size: number }
  function sequence(seed: number, n: number): Access[] {
    const r = rand(seed);
    // Skewed towards a few hot pages so that hits, conflicts and evictions all happen.
    return Array.from({ length: n }, () => {
      const hot = r() < 0.6;
      const p = hot ? Math.floor(r() * 3) : Math.floor(r() * 12);
      const size = [1, 2, 4, 8][Math.floor(r() * 4)];
      return { page: p, off: Math.floor(r() * 250) * 8 + (r() < 0.1 ? 1 : 0), store: r() < 0.4, size };
    });
  }
  const LD: Record<number, string> = { 1: "lbu", 2: "lh", 4: "lw", 8: "ld" };
  const ST: Record<number, string> = { 1: "sb", 2: "sh", 4: "sw", 8: "sd" };
  const source = (seq: Access[]) =>
    seq.map((a) => `${a.store ? ST[a.size] : LD[a.size]} t0, ${a.off}(${BASES[a.page]})`).join("\n") + "\nebreak";

  function expected(seq: Access[], l1: [number, number], l2: [number, number], policy: number) {
    const d = new TlbModel(l1[0], l1[1], policy);
    const u = new TlbModel(l2[0], l2[1], policy);
    let walks = 0;
    const codeVpn = CODE_VA >> 12n;
    // Without an L2 (0 ways) an L1 miss goes straight to the walker and no L2 access is counted.
    const l2Access = (vpn: bigint) => { if (l2[1] === 0) walks++; else u.access(vpn, () => walks++); };
    l2Access(codeVpn);                        // the first fetch: I-TLB miss, L2 miss, walk
    for (const a of seq) {
      const vpn = VAS[a.page] >> 12n;
      d.access(vpn, () => l2Access(vpn));
    }
    return { C_DTLB_ACCESS: BigInt(d.accesses), C_DTLB_MISS: BigInt(d.misses), C_L2_ACCESS: BigInt(u.accesses),
      C_L2_MISS: BigInt(u.misses), C_WALKS: BigInt(walks), C_WALK_REFS: BigInt(3 * walks) };
  }

  function runIt(seq: Access[], l1: [number, number], l2: [number, number], policy: number, chunks: (() => number) | null) {
    const { m, pt } = pagedMachine();
    m.configureTlb(L1D, l1[0], l1[1], policy);
    m.configureTlb(L2, l2[0], l2[1], policy);
    VAS.forEach((va, k) => pt.map(va, PA_DATA + k * 0x1000, URW));
    VAS.forEach((va, k) => m.setX(BASES[k], va));
    loadPaged(m, asm(source(seq)));
    const before = m.counters();
    let exit: number;
    if (!chunks) exit = m.run(1_000_000);
    else do exit = m.run(chunks()); while (exit === m.K.EXIT_BUDGET);
    expect(exit).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    const pick = (k: string) => d[k] ?? 0n;
    return { C_DTLB_ACCESS: pick("C_DTLB_ACCESS"), C_DTLB_MISS: pick("C_DTLB_MISS"), C_L2_ACCESS: pick("C_L2_ACCESS"),
      C_L2_MISS: pick("C_L2_MISS"), C_WALKS: pick("C_WALKS"), C_WALK_REFS: pick("C_WALK_REFS") };
  }

  const CONFIGS: [string, [number, number], [number, number], number][] = [
    ["L1D 2×2 LRU, L2 4×2 LRU", [2, 2], [4, 2], LRU],
    ["L1D 1×4 LRU, no L2", [1, 4], [1, 0], LRU],
    ["L1D 4×1 FIFO, L2 2×4 FIFO", [4, 1], [2, 4], FIFO],
    ["L1D 1×3 FIFO, L2 1×6 FIFO", [1, 3], [1, 6], FIFO],
  ];

  it.each(CONFIGS)("%s: one run, many small runs, and a reordering all equal the model", (_n, l1, l2, policy) => {
    const seq = sequence(0xA11CE + l1[0] * 7 + l2[1], 300);
    const want = expected(seq, l1, l2, policy);
    expect(want.C_DTLB_MISS).toBeGreaterThan(20n);           // the sequence exercises misses…
    expect(want.C_DTLB_ACCESS - want.C_DTLB_MISS).toBeGreaterThan(100n); // …and fast-path hits
    expect(runIt(seq, l1, l2, policy, null)).toEqual(want);
    const r = rand(99);
    expect(runIt(seq, l1, l2, policy, () => 1 + Math.floor(r() * 7))).toEqual(want);
    // The same accesses, interleaved differently: page-grouped (mostly hits), then reversed.
    for (const other of [[...seq].sort((a, b) => a.page - b.page), [...seq].reverse()]) {
      expect(runIt(other, l1, l2, policy, null)).toEqual(expected(other, l1, l2, policy));
    }
  });

  it("counters stay cumulative across resetTlbs()", () => {
    const { m, pt } = pagedMachine();
    mapPages(pt, 2);
    loadPaged(m, asm(loadsFrom([0, 1, 0, 1])));
    m.regs({ a1: page(0), a2: page(1) });
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const before = m.counters();
    m.ex.resetTlbs();
    m.pc = CODE_VA;
    expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(before, m.counters());
    expect(d.C_DTLB_ACCESS ?? 0n, "C_DTLB_ACCESS").toBe(4n);
    expect(d.C_DTLB_MISS ?? 0n, "C_DTLB_MISS").toBe(2n);
    expect(d.C_L2_ACCESS ?? 0n, "C_L2_ACCESS").toBe(3n);
    expect(d.C_ITLB_ACCESS ?? 0n, "C_ITLB_ACCESS").toBe(5n);
  });
});

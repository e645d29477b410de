// The x86-64 walker (assembly/arch/x86-64/) with hand-built 4- and 5-level tables in guest RAM: translation
// through 4 KiB, 2 MiB and 1 GiB pages; every fault kind with its exact #PF error code; non-canonical addresses;
// A/D bits at every level; the paging-structure caches skipping references; PCID tags, global entries, MOV to CR3
// with and without the no-flush bit, INVLPG and INVPCID.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, frames, loadPaged, Machine, PAGED } from "../../harness";

const { CODE_VA, CODE_PA } = PAGED;
const P = 1n, RW = 2n, US = 4n, A = 0x20n, D = 0x40n, PS = 0x80n, G = 0x100n, XD = 1n << 63n;
const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16;
const CR4_LA57 = 1n << 12n, CR4_PCIDE = 1n << 17n, NOFLUSH = 1n << 63n;
const DVA = 0x40000000n;      // PML4 index 0, PDPT index 1
const DPA = 0x20000;
const FVA = 0x8040000000n;    // PML4 index 1, so that its PML4E can be broken without touching the code page

/** x86-64 paging structures in guest RAM; new tables above a leaf are entered with the flags `upper`. */
class X86Table {
  constructor(readonly m: Machine, readonly root: number, readonly alloc: () => number, readonly levels = 4,
              readonly upper = P | RW | US | A) {}

  private idx(va: bigint, i: number): number { return Number((va >> BigInt(12 + 9 * i)) & 0x1ffn); }

  /** Address of va's entry at `level` (0 = PTE, 1 = PDE, 2 = PDPTE, 3 = PML4E, 4 = PML5E). */
  entryAddr(va: bigint, level = 0, upper = this.upper): number {
    let t = this.root;
    for (let i = this.levels - 1; i > level; i--) {
      const a = t + 8 * this.idx(va, i);
      const e = this.m.r64(a);
      if ((e & P) === 0n) {
        const n = this.alloc();
        this.m.write(n, new Uint8Array(4096));
        this.m.w64(a, BigInt(n) | upper);
        t = n;
      } else {
        t = Number(e & 0xFFFFFFFFFF000n);
      }
    }
    return t + 8 * this.idx(va, level);
  }
  /** Maps va's page at `level` (PS added above level 0) to pa with `flags` (P added). */
  map(va: bigint, pa: number, flags: bigint, level = 0, upper = this.upper): number {
    const a = this.entryAddr(va, level, upper);
    this.m.w64(a, BigInt(pa) | flags | P | (level > 0 ? PS : 0n));
    return a;
  }
  entry(va: bigint, level = 0): bigint { return this.m.r64(this.entryAddr(va, level)); }
  setEntry(va: bigint, level: number, v: bigint): void { this.m.w64(this.entryAddr(va, level), v); }
  /** OR/AND-NOT bits into the entry for va at level. */
  change(va: bigint, level: number, set: bigint, clear = 0n): void {
    const a = this.entryAddr(va, level);
    this.m.w64(a, (this.m.r64(a) | set) & ~clear);
  }
}

interface X86Opts { levels?: number; pcide?: boolean; pcid?: number; psc?: [number, number, number, number]; upper?: bigint; codeFlags?: bigint }

/** A machine in x86-64 mode with the code page mapped (user, read-only, executable, accessed). */
function x86Machine(o: X86Opts = {}) {
  const m = new Machine(8 << 20);
  const levels = o.levels ?? 4;
  const alloc = frames(PAGED.ROOT + 0x1000, PAGED.TABLES_END);
  const upper = o.upper ?? (P | RW | US | A);
  const pt = new X86Table(m, PAGED.ROOT, alloc, levels, upper);
  pt.map(CODE_VA, CODE_PA, o.codeFlags ?? (US | A));
  const psc = o.psc ?? [0, 0, 0, 0];
  psc.forEach((n, i) => m.setConfig(m.K.K_PSC_PDE + i, n));
  m.ex.resetTlbs();   // re-reads the cache sizes
  m.ex.setCr4((levels === 5 ? CR4_LA57 : 0n) | (o.pcide ? CR4_PCIDE : 0n));
  m.ex.writeCr3(BigInt(PAGED.ROOT) | BigInt(o.pcid ?? 0));
  return { m, pt, alloc, upper };
}

const cr3 = (m: Machine, v: bigint) => m.ex.writeCr3(BigInt.asIntN(64, v));
const go = (m: Machine) => m.run(1000);

describe.skipIf(!asmAvailable)("x86-64 walker", () => {
  const [ld1, sd1, ldsd, jmp, ld2] = asmAvailable
    ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "ld a0, 0(a1)\nsd a2, 8(a1)\nebreak", "jalr ra, 0(a1)",
      "ld a0, 0(a1)\nld a3, 0(a2)\nebreak"])
    : [];

  /** Runs `code` with a1 = va; returns the exit code. */
  const run = (m: Machine, code: Uint8Array, va: bigint, extra: Record<string, bigint> = {}) => {
    loadPaged(m, code);
    m.regs({ a1: va, ...extra });
    return go(m);
  };
  const expectFault = (m: Machine, va: bigint, cause: number, err: number, vector = 14) => {
    expect(m.trapCause(), "RISC-V cause").toBe(cause);
    expect(m.trapValue()).toBe(va);
    expect(m.ex.trapVector(), "vector").toBe(vector);
    expect(m.ex.pfErrorCode(), "error code").toBe(err);
  };

  it("4 KiB page: loads and stores reach the frame; references = 4 × walks + A/D writes", () => {
    const { m, pt } = x86Machine();
    pt.map(DVA, DPA, RW | US | A | D);
    m.w64(DPA, 0x1122334455667788n);
    const c0 = m.counters();
    expect(run(m, ldsd, DVA, { a2: 0xABCDn })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x1122334455667788n);
    expect(m.r64(DPA + 8)).toBe(0xABCDn);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(2n);   // code, data
    expect(d.C_AD_UPDATES ?? 0n).toBe(0n);
    expect(d.C_WALK_REFS).toBe(4n * d.C_WALKS);
  });

  it("A is set in every entry used and D in the leaf on a write, each a counted reference", () => {
    const { m, pt } = x86Machine({ upper: P | RW | US, codeFlags: US });
    pt.map(DVA, DPA, RW | US);
    const c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    let d = delta(c0, m.counters());
    // Fetch walk: 4 reads, 4 A writes. Data walk: 4 reads; the PML4E already has A: 3 A writes.
    expect(d.C_WALKS).toBe(2n);
    expect(d.C_AD_UPDATES).toBe(7n);
    expect(d.C_WALK_REFS).toBe(4n * d.C_WALKS + d.C_AD_UPDATES);
    for (let level = 0; level < 4; level++) {
      expect(pt.entry(DVA, level) & A, `A at level ${level}`).toBe(A);
      expect(pt.entry(CODE_VA, level) & A).toBe(A);
    }
    expect(pt.entry(DVA) & D).toBe(0n);
    expect(pt.entry(DVA, 1) & D).toBe(0n);
    // A store through the cached clean translation walks again and sets only D in the leaf.
    const c1 = m.counters();
    expect(run(m, sd1, DVA, { a2: 5n })).toBe(m.K.EXIT_BREAKPOINT);
    d = delta(c1, m.counters());
    expect(d.C_WALKS).toBe(1n);
    expect(d.C_AD_UPDATES).toBe(1n);
    expect(d.C_WALK_REFS).toBe(5n);
    expect(pt.entry(DVA) & (A | D)).toBe(A | D);
    for (let level = 1; level < 4; level++) expect(pt.entry(DVA, level) & D, `no D at level ${level}`).toBe(0n);
  });

  it("2 MiB (PDE.PS) and 1 GiB (PDPTE.PS) pages translate offsets, with 3 and 2 references per walk", () => {
    const { m, pt } = x86Machine();
    const va2 = 0x40200000n, va1 = 0x80000000n;
    pt.map(va2, 0x200000, RW | US | A | D, 1);
    pt.map(va1, 0, RW | US | A | D, 2);
    for (const [va, base, refs, off] of [[va2, 0x200000, 3n, 0x12348], [va1, 0, 2n, 0x2A0008]] as const) {
      m.w64(base + off, BigInt(off) + 7n);
      const c0 = m.counters();
      loadPaged(m, ld1);
      m.regs({ a1: va + BigInt(off) });
      m.ex.invlpg(CODE_VA);   // so the code fetch walks as well
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(BigInt(off) + 7n);
      const d = delta(c0, m.counters());
      expect(d.C_WALKS).toBe(2n);
      expect(d.C_WALK_REFS).toBe(4n + refs);
    }
  });

  type Acc = "load" | "store" | "fetch";
  const CAUSE = { load: 13, store: 15, fetch: 12 } as const;
  const ACC_BITS = { load: PF_U, store: PF_U | PF_W, fetch: PF_U | PF_I } as const;
  // [description, table edit after FVA is mapped RW|US|A|D, access, extra error-code bits]
  const FAULTS: [string, (pt: X86Table) => void, Acc, number][] = [
    ...([0, 1, 2, 3] as const).flatMap((level) => (["load", "store", "fetch"] as Acc[]).map((acc) =>
      [`not present at level ${level} (${["PTE", "PDE", "PDPTE", "PML4E"][level]}), ${acc}`,
        (pt: X86Table) => pt.change(FVA, level, 0n, P), acc, 0] as [string, (pt: X86Table) => void, Acc, number])),
    ["write to a page read-only at PDE level", (pt) => pt.change(FVA, 1, 0n, RW), "store", PF_P],
    ["write to a page read-only at PML4E level", (pt) => pt.change(FVA, 3, 0n, RW), "store", PF_P],
    ["user load from a supervisor page (PTE U/S = 0)", (pt) => pt.change(FVA, 0, 0n, US), "load", PF_P],
    ["user store to a page supervisor at PDPTE level", (pt) => pt.change(FVA, 2, 0n, US), "store", PF_P],
    ["fetch from a page with XD at PDPTE level", (pt) => pt.change(FVA, 2, XD), "fetch", PF_P],
    ["fetch from a page with XD in the PTE", (pt) => pt.change(FVA, 0, XD), "fetch", PF_P],
    ["PS set in the PML4E (reserved), load", (pt) => pt.change(FVA, 3, PS), "load", PF_P | PF_RSVD],
    ["PS set in the PML4E (reserved), store", (pt) => pt.change(FVA, 3, PS), "store", PF_P | PF_RSVD],
  ];
  for (const [name, edit, acc, bits] of FAULTS) {
    it(`fault: ${name} → error code ${(bits | ACC_BITS[acc]).toString(16)}`, () => {
      const { m, pt } = x86Machine();
      pt.map(FVA, DPA, RW | US | A | D);
      edit(pt);
      const code = acc === "load" ? ld1 : acc === "store" ? sd1 : jmp;
      const c0 = m.counters();
      expect(run(m, code, FVA)).toBe(m.K.EXIT_PAGE_FAULT);
      expectFault(m, FVA, CAUSE[acc], bits | ACC_BITS[acc]);
      expect(m.pc).toBe(acc === "fetch" ? FVA : CODE_VA);
      expect(delta(c0, m.counters()).C_WALK_FAULTS).toBe(1n);
    });
  }

  it("a reserved address bit in a 2 MiB leaf (bit 13) faults with RSVD; a 1 GiB leaf with bit 29 too", () => {
    const { m, pt } = x86Machine();
    pt.map(0x40200000n, 0x200000 + 0x2000, RW | US | A, 1);
    pt.map(0x80000000n, 0x20000000, RW | US | A, 2);
    for (const va of [0x40200010n, 0x80000010n]) {
      expect(run(m, ld1, va)).toBe(m.K.EXIT_PAGE_FAULT);
      expectFault(m, va, 13, PF_P | PF_U | PF_RSVD);
    }
    // Bit 12 of a large leaf is PAT, not reserved.
    pt.map(0x40400000n, 0x400000 | 0x1000, RW | US | A, 1);
    m.w64(0x400010, 99n);
    expect(run(m, ld1, 0x40400010n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(99n);
  });

  it("a protection fault on a cached translation reports P|W|U and drops that TLB entry (as a #PF does)", () => {
    const { m, pt } = x86Machine();
    pt.map(DVA, DPA, US | A | D);   // read-only
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    const c0 = m.counters();
    expect(run(m, sd1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 15, PF_P | PF_W | PF_U);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n).toBe(0n);          // decided on the TLB entry
    expect(delta(c0, m.counters()).C_FLUSH_ENTRIES).toBe(2n);        // its L1 D-TLB and L2 copies
    // The kernel makes it writable without any invalidation (Linux's spurious-fault rule); the retry walks.
    pt.change(DVA, 0, RW);
    const c1 = m.counters();
    expect(run(m, sd1, DVA, { a2: 77n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r64(DPA)).toBe(77n);
    expect(delta(c1, m.counters()).C_WALKS).toBe(1n);
  });

  it("non-canonical addresses raise #GP (vector 13, no error code), reported as page faults of the access", () => {
    const { m } = x86Machine();
    for (const [code, acc, va] of [[ld1, "load", 0x0000800000000000n], [sd1, "store", 0xFFFF7FFFFFFFF000n],
      [jmp, "fetch", 0x0001000000000000n]] as const) {
      expect(run(m, code, va)).toBe(m.K.EXIT_PAGE_FAULT);
      expectFault(m, va, CAUSE[acc], 0, 13);
    }
  });

  it("an upper-half canonical address translates", () => {
    const { m, pt } = x86Machine();
    const va = 0xFFFF800000001000n;
    pt.map(va, DPA, US | A);
    m.w64(DPA + 0x10, 0x4242n);
    expect(run(m, ld1, va + 0x10n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x4242n);
  });

  it("LA57: 5-level walks (5 references each), 57-bit canonical addresses, 1 GiB pages under a PML5E", () => {
    const { m, pt } = x86Machine({ levels: 5 });
    const va = 0x0001000000000000n;    // PML5 index 1: non-canonical with 4 levels
    pt.map(va, DPA, RW | US | A | D);
    m.w64(DPA + 8, 0x5757n);
    const c0 = m.counters();
    expect(run(m, ld1, va + 8n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x5757n);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(2n);
    expect(d.C_WALK_REFS).toBe(10n);
    const hi = 0xFF00000000000000n;    // bit 56 set, sign-extended: canonical upper half
    pt.map(hi, 0, RW | US | A | D, 2);
    m.w64(0x3008, 0x1234n);
    expect(run(m, ld1, hi + 0x3008n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x1234n);
    for (const bad of [0x0100000000000000n, 0xFE00000000000000n]) {
      expect(run(m, ld1, bad)).toBe(m.K.EXIT_PAGE_FAULT);
      expectFault(m, bad, 13, 0, 13);
    }
    // PS in the PML5E is reserved.
    pt.change(va, 4, PS);
    m.ex.invlpg(va);
    expect(run(m, ld1, va)).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, va, 13, PF_P | PF_U | PF_RSVD);
  });

  it("LA57 with the paging-structure caches off: references = 5 × walks + A/D writes", () => {
    const { m, pt } = x86Machine({ levels: 5, upper: P | RW | US, codeFlags: US });
    pt.map(DVA, DPA, RW | US);
    const c0 = m.counters();
    expect(run(m, ldsd, DVA, { a2: 1n })).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(3n);            // code, data load, data store (D)
    expect(d.C_AD_UPDATES).toBe(5n + 3n + 1n);
    expect(d.C_WALK_REFS).toBe(5n * d.C_WALKS + d.C_AD_UPDATES);
  });

  it("paging-structure caches: a hit skips the upper references, counted per cache", () => {
    const { m, pt } = x86Machine({ psc: [4, 2, 2, 0] });
    pt.map(DVA, DPA, US | A);
    pt.map(DVA + 0x1000n, DPA + 0x1000, US | A);
    const c0 = m.counters();
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(c0, m.counters());
    // Code: every cache misses, 4 references. DVA: PDE and PDPTE caches miss, PML4E cache hits, 3 references.
    // DVA + 4K: the PDE cache hits, 1 reference.
    expect(d.C_WALKS).toBe(3n);
    expect(d.C_WALK_REFS).toBe(4n + 3n + 1n);
    expect(d.C_PSC_PDE_MISS).toBe(2n);
    expect(d.C_PSC_PDE_HIT).toBe(1n);
    expect(d.C_PSC_PDPTE_MISS).toBe(2n);
    expect(d.C_PSC_PDPTE_HIT ?? 0n).toBe(0n);
    expect(d.C_PSC_PML4E_MISS).toBe(1n);
    expect(d.C_PSC_PML4E_HIT).toBe(1n);
    // INVLPG drops every cache entry of the current PCID: the next walk reads all four levels.
    m.ex.invlpg(DVA + 0x1000n);
    const c1 = m.counters();
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    const d1 = delta(c1, m.counters());
    expect(d1.C_WALKS).toBe(1n);
    expect(d1.C_WALK_REFS).toBe(4n);
  });

  it("paging-structure caches: rights come from the cached upper levels; a 1-entry PDE cache is LRU", () => {
    const { m, pt } = x86Machine({ psc: [1, 0, 0, 0] });
    pt.map(DVA, DPA, RW | US | A | D);
    pt.map(DVA + 0x200000n, DPA + 0x1000, RW | US | A | D);
    pt.map(DVA + 0x1000n, DPA + 0x2000, RW | US | A | D);
    const c0 = m.counters();
    expect(run(m, ld2, DVA, { a2: DVA + 0x200000n })).toBe(m.K.EXIT_BREAKPOINT);  // fills, then replaces
    expect(run(m, ld1, DVA + 0x1000n)).toBe(m.K.EXIT_BREAKPOINT);                  // DVA's PDE was evicted
    const d = delta(c0, m.counters());
    expect(d.C_PSC_PDE_HIT ?? 0n).toBe(0n);
    expect(d.C_WALK_REFS).toBe(4n * 4n);
    // Read-only at PDPTE level, cached in the PDE cache: a store through a PDE-cache hit still faults P|W|U.
    pt.map(0x80000000n, DPA + 0x3000, RW | US | A | D);
    pt.map(0x80001000n, DPA + 0x4000, RW | US | A | D);
    pt.change(0x80000000n, 2, 0n, RW);
    expect(run(m, ld1, 0x80000000n)).toBe(m.K.EXIT_BREAKPOINT);
    const c1 = m.counters();
    expect(run(m, sd1, 0x80001000n)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(delta(c1, m.counters()).C_PSC_PDE_HIT).toBe(1n);
    expectFault(m, 0x80001000n, 15, PF_P | PF_W | PF_U);
  });

  it("PCID: two address spaces map one VA to different frames; CR3 with the no-flush bit keeps both", () => {
    const { m, pt, alloc, upper } = x86Machine({ pcide: true, pcid: 1 });
    const rootB = alloc();
    m.write(rootB, new Uint8Array(4096));
    const ptB = new X86Table(m, rootB, alloc);
    ptB.map(CODE_VA, CODE_PA, US | A, 0, upper);
    pt.map(DVA, DPA, US | A);
    ptB.map(DVA, DPA + 0x1000, US | A);
    m.w64(DPA, 0xAn);
    m.w64(DPA + 0x1000, 0xBn);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0xAn);
    cr3(m, BigInt(rootB) | 2n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0xBn);
    // Back to PCID 1 without flushing: its translations are still cached, no walk at all.
    const c0 = m.counters();
    cr3(m, BigInt(PAGED.ROOT) | 1n | NOFLUSH);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0xAn);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n).toBe(0n);
    expect(delta(c0, m.counters()).C_FLUSHES ?? 0n).toBe(0n);
    // Without the no-flush bit, PCID 2's entries go (code and data walk again), and only those.
    const c1 = m.counters();
    cr3(m, BigInt(rootB) | 2n);
    expect(delta(c1, m.counters()).C_FLUSH_ENTRIES).toBe(4n);   // code and data, each in an L1 and the L2
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0xBn);
    expect(delta(c1, m.counters()).C_WALKS).toBe(2n);
  });

  it("a global entry survives a CR3 write (PCIDE = 0) until INVPCID type 2; non-global ones do not", () => {
    const { m, pt, alloc, upper } = x86Machine();
    const rootB = alloc();
    m.write(rootB, new Uint8Array(4096));
    const ptB = new X86Table(m, rootB, alloc);
    ptB.map(CODE_VA, CODE_PA, US | A, 0, upper);
    pt.map(DVA, DPA, US | A | G);
    pt.map(DVA + 0x1000n, DPA + 0x1000, US | A);
    ptB.map(DVA, DPA + 0x2000, US | A);
    ptB.map(DVA + 0x1000n, DPA + 0x3000, US | A);
    for (let i = 0; i < 4; i++) m.w64(DPA + 0x1000 * i, BigInt(i));
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    expect([m.x("a0"), m.x("a3")]).toEqual([0n, 1n]);
    cr3(m, BigInt(rootB));
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    expect([m.x("a0"), m.x("a3")]).toEqual([0n, 3n]);     // the global translation is still used
    expect(m.ex.invpcid(3, 0, 0n)).toBe(0);                // all contexts except globals
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0n);
    expect(m.ex.invpcid(2, 0, 0n)).toBe(0);                // including globals
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    expect([m.x("a0"), m.x("a3")]).toEqual([2n, 3n]);
  });

  it("INVLPG removes exactly the translation of one page", () => {
    const { m, pt } = x86Machine();
    pt.map(DVA, DPA, US | A);
    pt.map(DVA + 0x1000n, DPA + 0x1000, US | A);
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    const c0 = m.counters();
    m.ex.invlpg(DVA);
    const d = delta(c0, m.counters());
    expect(d.C_FLUSHES).toBe(1n);
    expect(d.C_FLUSH_ENTRIES).toBe(2n);     // the L1 D-TLB entry and the L2 entry of DVA, nothing else
    pt.map(DVA, DPA + 0x2000, US | A);      // remapped: the new frame is read; DVA + 4K still hits
    m.w64(DPA + 0x2000, 0x22n);
    const c1 = m.counters();
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x22n);
    expect(delta(c1, m.counters()).C_WALKS).toBe(1n);
  });

  it("INVPCID types 0 and 1 act on one PCID; bad operands are #GP", () => {
    const { m, pt } = x86Machine({ pcide: true, pcid: 5 });
    pt.map(DVA, DPA, US | A);
    pt.map(DVA + 0x1000n, DPA + 0x1000, US | A);
    expect(run(m, ld2, DVA, { a2: DVA + 0x1000n })).toBe(m.K.EXIT_BREAKPOINT);
    let c = m.counters();
    expect(m.ex.invpcid(0, 6, DVA)).toBe(0);               // another PCID: nothing of ours goes
    expect(delta(c, m.counters()).C_FLUSH_ENTRIES ?? 0n).toBe(0n);
    expect(m.ex.invpcid(0, 5, DVA)).toBe(0);
    expect(delta(c, m.counters()).C_FLUSH_ENTRIES).toBe(2n);
    c = m.counters();
    expect(m.ex.invpcid(1, 5, 0n)).toBe(0);                // the rest of PCID 5: code and DVA + 4K
    expect(delta(c, m.counters()).C_FLUSH_ENTRIES).toBe(4n);
    expect(m.ex.invpcid(4, 0, 0n)).toBe(-1);
    expect(m.ex.invpcid(0, 0x1000, 0n)).toBe(-1);
    expect(m.ex.invpcid(0, 5, 0x0000800000000000n)).toBe(-1);
    const { m: m2 } = x86Machine();                         // PCIDE = 0: only PCID 0 for types 0 and 1
    expect(m2.ex.invpcid(1, 3, 0n)).toBe(-1);
    expect(m2.ex.invpcid(1, 0, 0n)).toBe(0);
  });
});

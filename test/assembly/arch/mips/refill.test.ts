// The MIPS refill model (assembly/arch/mips/) over hand-built OS tables in guest RAM, for the
// R3000 (64 single entries, 6-bit PID, 4-byte PTEs in a kseg2 linear table behind a kseg0 root page) and the R4000
// (48 even/odd pair entries, 8-bit ASID, 8-byte PTE pairs in an xkseg linear table behind a segment table of kseg0
// pointers to pages of EntryLo images): refill, nested miss, invalid and modified exceptions, Wired and the Random
// register, ASID isolation, global entries, TLBP/TLBWI invalidation, PageMask large pages, and exact counts.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, frames, loadPaged, Machine, PAGED } from "../../harness";

const { CODE_VA, CODE_PA } = PAGED;
const DVA = 0x4000_0000n;       // data: another linear-table page (and R4000 segment) than the code's
const DPA = 0x20000;

interface Arch {
  name: string;
  r4000: boolean;
  entries: number;
  asids: number;
  top: bigint;
}
const R3000: Arch = { name: "mips-r3000", r4000: false, entries: 64, asids: 64, top: 1n << 31n };
const R4000: Arch = { name: "mips-r4000", r4000: true, entries: 48, asids: 256, top: 1n << 40n };

// EntryLo bits (NetBSD mips1_pte.h / mips3_pte.h).
const M1 = { G: 0x100n, V: 0x200n, D: 0x400n, RO: 0x1n };
const M3 = { G: 0x1n, V: 0x2n, D: 0x4n, C: 3n << 3n, RO: 1n << 30n };

// Costs chosen so that every term of the charge is visible.
const COST = { exc: 7, refill: 9, nested: 31, mod: 23, ipc: 2, ref: 3 };

/** The OS's tables of one address space, built by hand. */
class MipsTables {
  constructor(readonly m: Machine, readonly a: Arch, readonly root: number, readonly alloc: () => number) {}

  lo(pa: number, bits: { v?: boolean; d?: boolean; g?: boolean; ro?: boolean } = {}): bigint {
    const { v = true, d = false, g = false, ro = false } = bits;
    if (this.a.r4000) {
      return (BigInt(pa >>> 12) << 6n) | M3.C | (v ? M3.V : 0n) | (d ? M3.D : 0n) | (g ? M3.G : 0n) | (ro ? M3.RO : 0n);
    }
    return BigInt(pa) | (v ? M1.V : 0n) | (d ? M1.D : 0n) | (g ? M1.G : 0n) | (ro ? M1.RO : 0n);
  }

  /** Physical address of va's PTE, creating the linear-table page (and R4000 kernel page) as needed. */
  pteAddr(va: bigint, create = true): number {
    const m = this.m;
    if (this.a.r4000) {
      const seg = Number(va >> 30n), lp = Number(va >> 21n);
      let kp = m.r32(this.root + 4 * seg);
      if (kp === 0) {
        if (!create) throw new Error("no kernel page");
        const f = this.alloc(); m.write(f, new Uint8Array(4096)); m.w32(this.root + 4 * seg, 0x8000_0000 + f); kp = 0x8000_0000 + f;
      }
      const ka = kp - 0x8000_0000 + 8 * (lp % 512);
      let lo = m.r64(ka);
      if ((lo & M3.V) === 0n) {
        if (!create) throw new Error("no linear page");
        const f = this.alloc(); m.write(f, new Uint8Array(4096));
        lo = (BigInt(f >>> 12) << 6n) | M3.C | M3.D | M3.V;
        m.w64(ka, lo);
      }
      return Number((lo >> 6n) & 0xFFFFFFn) * 4096 + 8 * Number((va >> 12n) % 512n);
    }
    const i = Number(va >> 22n);
    let lo = m.r32(this.root + 4 * i);
    if ((lo & 0x200) === 0) {
      if (!create) throw new Error("no linear page");
      const f = this.alloc(); m.write(f, new Uint8Array(4096));
      lo = f | 0x400 | 0x200;
      m.w32(this.root + 4 * i, lo);
    }
    return (lo & ~0xFFF) + 4 * Number((va >> 12n) % 1024n);
  }

  setPte(va: bigint, lo: bigint): number {
    const a = this.pteAddr(va);
    if (this.a.r4000) this.m.w64(a, lo); else this.m.w32(a, Number(lo));
    return a;
  }
  pte(va: bigint): bigint { const a = this.pteAddr(va, false); return this.a.r4000 ? this.m.r64(a) : BigInt(this.m.r32(a)); }
  map(va: bigint, pa: number, bits: { v?: boolean; d?: boolean; g?: boolean; ro?: boolean } = {}): number {
    return this.setPte(va, this.lo(pa, bits));
  }
}

/** A machine in a MIPS mode: its TLB as the L1 D-TLB (fetches included), the code page mapped, clean and read-only. */
function mipsMachine(a: Arch, o: { asid?: number; wired?: number; entries?: number } = {}) {
  const m = new Machine(8 << 20);
  const K = m.K;
  const set = (k: string, v: number) => m.setConfig(K[k], v);
  set("K_MIPS_EXC_CYCLES", COST.exc); set("K_MIPS_REFILL_INSNS", COST.refill); set("K_MIPS_NESTED_INSNS", COST.nested);
  set("K_MIPS_MOD_INSNS", COST.mod); set("K_MIPS_INSN_CYCLES", COST.ipc); set("K_COST_WALK_REF", COST.ref);
  set("K_COST_WALK_BASE", 0); set("K_COST_FLUSH", 5); set("K_MIPS_WIRED", o.wired ?? (a.r4000 ? 1 : 8));
  m.ex.resetTlbs();
  m.configureTlb(0, 0, 0);
  m.configureTlb(1, 1, o.entries ?? a.entries, K.POLICY_MIPS_RANDOM);
  m.configureTlb(2, 0, 0);
  const alloc = frames(PAGED.ROOT + 0x1000, PAGED.TABLES_END);
  const t = new MipsTables(m, a, PAGED.ROOT, alloc);
  t.map(CODE_VA, CODE_PA, { ro: true });
  const mode = a.r4000 ? K.XMODE_MIPS_R4000 : K.XMODE_MIPS_R3000;
  expect(m.ex.mipsSetContext(mode, o.asid ?? 1, BigInt(PAGED.ROOT))).toBe(0);
  return { m, t, mode, K };
}

const go = (m: Machine) => m.run(1000);
/** Cycles charged for `refills` refills, `nested` nested misses, `mods` modified exceptions and `refs` references. */
const charge = (refills: number, nested: number, mods: number, refs: number) =>
  BigInt(refills * (COST.exc + COST.refill * COST.ipc) + nested * (COST.exc + COST.nested * COST.ipc)
    + mods * (COST.exc + COST.mod * COST.ipc) + refs * COST.ref);

for (const a of [R3000, R4000]) {
  describe.skipIf(!asmAvailable)(`${a.name} refill model`, () => {
    const [ld1, sd1, ld2, sd2] = asmAvailable
      ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "ld a0, 0(a1)\nld a3, 0(a2)\nebreak", "sd a2, 0(a1)\nsd a2, 0(a1)\nebreak"])
      : [];
    const perRefill = a.r4000 ? 2 : 1, perNested = a.r4000 ? 3 : 1;

    it("refills a fetch and a load through the linear table, each first taking a nested miss; exact counts and cycles", () => {
      const { m, t } = mipsMachine(a);
      t.map(DVA, DPA);
      m.w64(DPA + 8, 0x1122334455667788n);
      loadPaged(m, ld1);
      m.regs({ a1: DVA + 8n });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(0x1122334455667788n);
      const d = delta(before, m.counters());
      // Fetch miss and load miss: each refill's PTE load misses on the linear table (nested), then retakes.
      expect(d.C_ITLB_MISS).toBe(1n);
      expect(d.C_DTLB_MISS).toBe(1n);
      expect(d.C_MIPS_REFILLS).toBe(4n);
      expect(d.C_MIPS_NESTED).toBe(2n);
      expect(d.C_WALKS).toBe(2n);
      expect(d.C_MIPS_HANDLER_REFS).toBe(BigInt(2 * perRefill + 2 * perNested));
      expect(d.C_WALK_REFS).toBe(d.C_MIPS_HANDLER_REFS);
      expect(d.C_MIPS_HANDLER_INSNS).toBe(BigInt(4 * COST.refill + 2 * COST.nested));
      expect(d.C_MIPS_TLB_WRITES).toBe(4n);   // two linear-table mappings, two user entries, all by TLBWR
      expect(d.C_XLATE_CYCLES).toBe(charge(4, 2, 0, 2 * perRefill + 2 * perNested));
      expect(d.C_MIPS_INVALID ?? 0n).toBe(0n);
      // The user entries and the linear-table mappings are in the TLB now.
      expect(m.ex.mipsTlbProbe(DVA, 1)).toBeGreaterThanOrEqual(0);
      expect(m.ex.mipsTlbProbe(CODE_VA, 1)).toBeGreaterThanOrEqual(0);
      // Again: hits only.
      m.regs({ a1: DVA });
      const b2 = m.counters();
      loadPaged(m, ld1); m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      const d2 = delta(b2, m.counters());
      expect(d2.C_MIPS_REFILLS ?? 0n).toBe(0n);
      expect(d2.C_DTLB_MISS ?? 0n).toBe(0n);
    });

    it("a second page under the same linear-table page refills without a nested miss", () => {
      const { m, t } = mipsMachine(a);
      t.map(DVA, DPA); t.map(DVA + 0x4000n, DPA + 0x4000);
      m.w64(DPA + 0x4000, 77n);
      loadPaged(m, ld2);
      m.regs({ a1: DVA, a2: DVA + 0x4000n });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a3")).toBe(77n);
      const d = delta(before, m.counters());
      expect(d.C_DTLB_MISS).toBe(2n);
      expect(d.C_MIPS_NESTED).toBe(2n);       // the code's and the data's linear-table pages, once each
      expect(d.C_MIPS_REFILLS).toBe(5n);      // 3 misses + 2 retakes
    });

    it("a missing linear-table page is a page fault for the user address (nested miss escalated)", () => {
      const { m } = mipsMachine(a);
      loadPaged(m, ld1);
      m.regs({ a1: DVA + 0x10n });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(m.K.CAUSE_LOAD_PAGE_FAULT);
      expect(m.trapValue()).toBe(DVA + 0x10n);
      const d = delta(before, m.counters());
      expect(d.C_MIPS_NESTED).toBe(2n);       // the code's (resolved) and the data's (escalated)
      expect(d.C_MIPS_REFILLS).toBe(3n);      // fetch: 2, load: 1 (no retake)
      expect(d.C_WALK_FAULTS).toBe(1n);
      expect(m.ex.mipsTlbProbe(DVA, 1)).toBe(-1);
    });

    it("an invalid PTE is refilled as an invalid entry; the access then takes the TLB invalid exception", () => {
      const { m, t } = mipsMachine(a);
      t.map(DVA, DPA, { v: false });
      loadPaged(m, ld1);
      m.regs({ a1: DVA });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(m.K.CAUSE_LOAD_PAGE_FAULT);
      const d = delta(before, m.counters());
      expect(d.C_MIPS_INVALID).toBe(1n);
      expect(d.C_WALK_FAULTS ?? 0n).toBe(0n);   // the refill itself succeeded
      const idx = m.ex.mipsTlbProbe(DVA, 1);
      expect(idx).toBeGreaterThanOrEqual(0);
      // The kernel fixes the PTE and __update_tlb writes the entry in place (TLBP hit, TLBWI): no refill after.
      t.map(DVA, DPA);
      m.w64(DPA, 5n);
      expect(m.ex.mipsUpdateTlb(DVA, 1, t.pte(DVA), a.r4000 ? t.pte(DVA + 0x1000n) : 0n)).toBe(idx);
      const b2 = m.counters();
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(5n);
      expect(delta(b2, m.counters()).C_MIPS_REFILLS ?? 0n).toBe(0n);
    });

    it("a store to a clean writable page takes the modified exception, which sets D in the PTE and the entry", () => {
      const { m, t } = mipsMachine(a);
      t.map(DVA, DPA);
      loadPaged(m, sd2);
      m.regs({ a1: DVA, a2: 0xABCDn });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.r64(DPA)).toBe(0xABCDn);
      const d = delta(before, m.counters());
      expect(d.C_MIPS_MODIFIED).toBe(1n);      // the second store hits the dirty entry
      expect(d.C_MIPS_MOD_FAULTS ?? 0n).toBe(0n);
      expect(t.pte(DVA) & (a.r4000 ? M3.D : M1.D)).not.toBe(0n);
      // Root-table walk to the PTE (R3000: root + PTE read + write; R4000: segment + kernel + PTE + write).
      const modRefs = a.r4000 ? 4 : 3;
      expect(d.C_MIPS_HANDLER_REFS).toBe(BigInt(2 * perRefill + 2 * perNested + modRefs));
      expect(d.C_WALKS).toBe(3n);
      expect(d.C_XLATE_CYCLES).toBe(charge(4, 2, 1, 2 * perRefill + 2 * perNested + modRefs));
    });

    it("a store to a page whose PTE is read-only in software is a store page fault; D stays clear", () => {
      const { m, t } = mipsMachine(a);
      t.map(DVA, DPA, { ro: true });
      loadPaged(m, sd1);
      m.regs({ a1: DVA, a2: 1n });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(m.K.CAUSE_STORE_PAGE_FAULT);
      const d = delta(before, m.counters());
      expect(d.C_MIPS_MODIFIED).toBe(1n);
      expect(d.C_MIPS_MOD_FAULTS).toBe(1n);
      expect(t.pte(DVA) & (a.r4000 ? M3.D : M1.D)).toBe(0n);
      expect(m.r64(DPA)).toBe(0n);
    });

    it("a user address beyond kuseg / xuseg is an address error, not a refill", () => {
      const { m } = mipsMachine(a);
      loadPaged(m, ld1);
      m.regs({ a1: a.top });
      const before = m.counters();
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapValue()).toBe(a.top);
      const d = delta(before, m.counters());
      expect(d.C_MIPS_REFILLS).toBe(2n);        // the fetch's only
      expect(d.C_WALK_FAULTS).toBe(1n);
    });

    it("wired entries are never replaced by refills, and every refill lands at Wired or above", () => {
      const wired = a.r4000 ? 5 : 8;
      const { m, t } = mipsMachine(a, { wired });
      for (let i = 0; i < wired; i++) {
        const va = 0x7000_0000n + BigInt(i) * 0x10000n;
        expect(m.ex.mipsTlbWriteIndexed(i, va, 1, t.lo(DPA), t.lo(DPA), 0)).toBe(0);
      }
      // Touch 3 × the TLB's size of pages, all mapped.
      const n = 3 * a.entries;
      for (let i = 0; i < n; i++) t.map(DVA + BigInt(i) * 0x2000n, DPA);
      loadPaged(m, asmMany(["1: ld a0, 0(a1)\nli t0, 0x2000\nadd a1, a1, t0\naddi a2, a2, -1\nbnez a2, 1b\nebreak"])[0]);
      m.regs({ a1: DVA, a2: n });
      const before = m.counters();
      expect(m.run(100000)).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(before, m.counters());
      expect(d.C_DTLB_MISS).toBeGreaterThanOrEqual(BigInt(n - a.entries));
      for (let i = 0; i < wired; i++) expect(m.ex.mipsTlbProbe(0x7000_0000n + BigInt(i) * 0x10000n, 1)).toBe(i);
      // The most recent pages are in the TLB, none in a wired slot.
      for (let i = n - 4; i < n; i++) expect(m.ex.mipsTlbProbe(DVA + BigInt(i) * 0x2000n, 1)).toBeGreaterThanOrEqual(wired);
      // local_flush_tlb_all keeps the wired entries too.
      m.ex.mipsFlushAll();
      for (let i = 0; i < wired; i++) expect(m.ex.mipsTlbProbe(0x7000_0000n + BigInt(i) * 0x10000n, 1)).toBe(i);
      expect(m.ex.mipsTlbProbe(DVA + BigInt(n - 1) * 0x2000n, 1)).toBe(-1);
    });

    it("Random counts down from the last entry to Wired and wraps, and TLBWR writes where it points", () => {
      const { m, t } = mipsMachine(a);
      const wired = a.r4000 ? 3 : 8;
      if (a.r4000) expect(m.ex.mipsSetWired(wired)).toBe(0);
      else m.ex.mipsSetWired(wired);
      expect(m.ex.mipsRandom()).toBe(a.entries - 1);   // reloaded by the write to Wired
      // Random ticks with every data access (hits too): k loads move it down by k, modulo the non-wired range.
      // Nothing but this test's accesses runs in between, so the prediction is exact.
      t.map(DVA, DPA);
      const span = a.entries - wired;
      const k = span + 5;
      loadPaged(m, asmMany(["1: ld a0, 0(a1)\naddi a2, a2, -1\nbnez a2, 1b\nebreak"])[0]);
      m.regs({ a1: DVA, a2: k });
      const r0 = m.ex.mipsRandom();
      const x0 = m.counter(m.K.C_XCYCLES) + m.counter(m.K.C_MIPS_TLB_WRITES);
      expect(m.run(100000)).toBe(m.K.EXIT_BREAKPOINT);
      // Ticks: the k loads (the data TLB's clock), the extra cycles charged (the refill handlers' here) and the
      // TLB writes.
      const ticks = BigInt(k) + (m.counter(m.K.C_XCYCLES) + m.counter(m.K.C_MIPS_TLB_WRITES) - x0);
      const expected = a.entries - 1 - Number((BigInt(a.entries - 1 - r0) + ticks) % BigInt(span));
      expect(m.ex.mipsRandom()).toBe(expected);
      // A TLBWR lands at Random's current value.
      const r = m.ex.mipsRandom();
      expect(m.ex.mipsTlbWriteRandom(0x5000_0000n, 1, t.lo(DPA), t.lo(DPA), 0)).toBe(r);
      expect(r).toBeGreaterThanOrEqual(wired);
      // Wired at or beyond the TLB's size is refused (the host rejects the configuration).
      expect(m.ex.mipsSetWired(a.entries)).toBe(-1);
    });

    it("ASIDs isolate address spaces; a switch keeps each space's entries", () => {
      const { m, t, mode } = mipsMachine(a, { asid: 1 });
      t.map(DVA, DPA);
      m.w64(DPA, 111n);
      // A second address space with its own tables, mapping DVA elsewhere.
      const root2 = PAGED.TABLES_END;
      const t2 = new MipsTables(m, a, root2, frames(root2 + 0x1000, root2 + 0x40000));
      t2.map(CODE_VA, CODE_PA, { ro: true });
      t2.map(DVA, DPA + 0x1000);
      m.w64(DPA + 0x1000, 222n);
      loadPaged(m, ld1);
      m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(111n);
      const asid2 = a.asids - 1;
      const i1 = m.ex.mipsTlbProbe(DVA, 1);
      expect(m.ex.mipsSetContext(mode, asid2, BigInt(root2))).toBe(0);
      expect(m.ex.mipsTlbProbe(DVA, 1)).toBe(i1);            // the switch flushed nothing
      expect(m.ex.mipsTlbProbe(DVA, asid2)).toBe(-1);         // and ASID 1's entry does not match under ASID 2
      loadPaged(m, ld1); m.regs({ a1: DVA });
      const b = m.counters();
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(222n);
      expect(delta(b, m.counters()).C_DTLB_MISS).toBe(1n);
      // Back to ASID 1: both spaces' entries for DVA coexist (unless Random replaced ASID 1's meanwhile), and ASID 1
      // sees its own frame again.
      expect(m.ex.mipsTlbProbe(DVA, asid2)).toBeGreaterThanOrEqual(0);
      expect(m.ex.mipsSetContext(mode, 1, BigInt(PAGED.ROOT))).toBe(0);
      loadPaged(m, ld1); m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(111n);
      expect(m.ex.mipsTlbProbe(DVA, 1)).not.toBe(m.ex.mipsTlbProbe(DVA, asid2));
      // An ASID wider than the CPU's is refused.
      expect(m.ex.mipsSetContext(mode, a.asids, BigInt(PAGED.ROOT))).toBe(-1);
    });

    it("a global entry matches under every ASID and survives a switch; a page flush removes it", () => {
      const { m, t, mode } = mipsMachine(a, { asid: 2 });
      m.w64(DPA, 9n);
      const gva = 0x6000_0000n;
      // Entry 0 is wired (below Wired on both CPUs), so no refill can replace it during the test.
      expect(m.ex.mipsTlbWriteIndexed(0, gva, 2, t.lo(DPA, { g: true }), t.lo(DPA, { g: true }), 0)).toBe(0);
      expect(m.ex.mipsSetContext(mode, 3, BigInt(PAGED.ROOT))).toBe(0);
      loadPaged(m, ld1); m.regs({ a1: gva });
      const b = m.counters();
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(9n);
      expect(delta(b, m.counters()).C_DTLB_MISS ?? 0n).toBe(0n);
      expect(m.ex.mipsTlbProbe(gva, 17)).toBe(0);
      if (a.r4000) {
        // On the R4000 G is the AND of both halves: one global half makes a non-global entry.
        expect(m.ex.mipsTlbWriteIndexed(a.entries - 2, gva + 0x100000n, 2, t.lo(DPA, { g: true }), t.lo(DPA), 0)).toBe(0);
        expect(m.ex.mipsTlbProbe(gva + 0x100000n, 3)).toBe(-1);
        expect(m.ex.mipsTlbProbe(gva + 0x100000n, 2)).toBe(a.entries - 2);
      }
      // A non-global entry of ASID 2 does not match under ASID 3.
      expect(m.ex.mipsTlbWriteIndexed(a.entries - 3, gva + 0x200000n, 2, t.lo(DPA), t.lo(DPA), 0)).toBe(0);
      expect(m.ex.mipsTlbProbe(gva + 0x200000n, 3)).toBe(-1);
      // local_flush_tlb_page: the entry is really gone; the next access refills (and faults: gva is unmapped).
      expect(m.ex.mipsFlushPage(gva, 3)).toBe(1);
      expect(m.ex.mipsTlbProbe(gva, 3)).toBe(-1);
      loadPaged(m, ld1); m.regs({ a1: gva });
      const b2 = m.counters();
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(delta(b2, m.counters()).C_DTLB_MISS).toBe(1n);
      expect(m.ex.mipsFlushPage(gva, 3)).toBe(0);     // nothing left to flush
    });

    it("an invalidated page refills from the tables again (the kernel's TLBP + TLBWI)", () => {
      const { m, t } = mipsMachine(a);
      t.map(DVA, DPA); m.w64(DPA, 1n);
      loadPaged(m, ld1); m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      t.map(DVA, DPA + 0x1000); m.w64(DPA + 0x1000, 2n);
      // Without a flush the stale entry still translates to the old frame.
      loadPaged(m, ld1); m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(1n);
      const b = m.counters();
      expect(m.ex.mipsFlushPage(DVA, 1)).toBe(1);
      loadPaged(m, ld1); m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(2n);
      const d = delta(b, m.counters());
      expect(d.C_DTLB_MISS).toBe(1n);
      expect(d.C_FLUSHES).toBe(1n);
      expect(d.C_FLUSH_ENTRIES).toBe(1n);
    });

    it("a stride over more pages than the TLB holds misses on every access, exactly", () => {
      // A small TLB: 4 entries, none wired. Pages 16 KiB apart (R4000: separate pairs), cycled twice.
      const { m, t } = mipsMachine(a, { entries: 4, wired: 0 });
      const n = 8;
      for (let i = 0; i < n; i++) t.map(DVA + BigInt(i) * 0x4000n, DPA);
      loadPaged(m, asmMany(["2: mv a1, a3\nli a2, 8\n1: ld a0, 0(a1)\nli t0, 0x4000\nadd a1, a1, t0\naddi a2, a2, -1\nbnez a2, 1b\naddi a4, a4, -1\nbnez a4, 2b\nebreak"])[0]);
      m.regs({ a3: DVA, a4: 2 });
      const before = m.counters();
      expect(m.run(100000)).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(before, m.counters());
      // Every load misses (8 pages cycle through 4 entries, with the code and linear-table mappings competing).
      expect(d.C_DTLB_MISS).toBe(16n);
      const misses = d.C_DTLB_MISS! + d.C_ITLB_MISS!;
      expect(d.C_MIPS_REFILLS).toBe(misses + d.C_MIPS_NESTED!);
      expect(d.C_MIPS_HANDLER_REFS).toBe(BigInt(perRefill) * misses + BigInt(perNested) * d.C_MIPS_NESTED!);
    });

    it("a data refill that evicts the code page's entry is followed by the code page's refill, as the next fetch takes", () => {
      const { m, t } = mipsMachine(a, { entries: 4, wired: 0 });
      const n = 8;
      for (let i = 0; i < n; i++) t.map(DVA + BigInt(i) * 0x4000n, DPA);
      loadPaged(m, asmMany(["2: mv a1, a3\nli a2, 8\n1: ld a0, 0(a1)\nli t0, 0x4000\nadd a1, a1, t0\naddi a2, a2, -1\nbnez a2, 1b\naddi a4, a4, -1\nbnez a4, 2b\nebreak"])[0]);
      m.regs({ a3: DVA, a4: 20 });
      const before = m.counters();
      expect(m.run(100000)).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(before, m.counters());
      // Random replacement over 4 entries evicts the code page's entry again and again; each time it is refilled.
      expect(d.C_ITLB_MISS).toBeGreaterThan(2n);
      expect(m.ex.mipsTlbProbe(CODE_VA, 1)).toBeGreaterThanOrEqual(0);
      const misses = d.C_DTLB_MISS! + d.C_ITLB_MISS!;
      expect(d.C_WALKS).toBe(misses);
      expect(d.C_MIPS_REFILLS).toBe(misses + d.C_MIPS_NESTED!);
      // All 160 loads miss (8 pages cycling through 4 entries); the fetches are counted once each.
      expect(d.C_DTLB_MISS).toBe(160n);
    });

    if (a.r4000) {
      it("one refill maps an even/odd pair: the odd page then hits", () => {
        const { m, t } = mipsMachine(a);
        t.map(DVA, DPA); t.map(DVA + 0x1000n, DPA + 0x3000);
        m.w64(DPA + 0x3000, 33n);
        loadPaged(m, ld2); m.regs({ a1: DVA, a2: DVA + 0x1000n });
        const b = m.counters();
        expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
        expect(m.x("a3")).toBe(33n);
        expect(delta(b, m.counters()).C_DTLB_MISS).toBe(1n);
      });

      it("PageMask large pages: a 16 KiB pair and a 16 MiB pair written with TLBWI translate both halves", () => {
        const { m, t } = mipsMachine(a);
        const big = 0x1000_0000n;
        // 16 KiB pages (level 1): even page DPA.., odd page 0x40000..
        expect(m.ex.mipsTlbWriteIndexed(10, big, 1, t.lo(0x30000), t.lo(0x40000), 1)).toBe(0);
        m.w64(0x30000 + 0x3008, 41n);
        m.w64(0x40000 + 0x2000, 42n);
        loadPaged(m, ld2); m.regs({ a1: big + 0x3008n, a2: big + 0x6000n });
        const b = m.counters();
        expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
        expect([m.x("a0"), m.x("a3")]).toEqual([41n, 42n]);
        expect(delta(b, m.counters()).C_DTLB_MISS ?? 0n).toBe(0n);
        // 16 MiB pages (level 6), pair covering 32 MiB at 0x2000_0000: the odd page at +16 MiB.
        expect(m.ex.mipsTlbWriteIndexed(11, 0x2000_0000n, 1, t.lo(0), t.lo(0), 6)).toBe(0);
        m.w64(0x123450, 43n);
        loadPaged(m, ld1); m.regs({ a1: 0x2100_0000n + 0x123450n });
        expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
        expect(m.x("a0")).toBe(43n);
        // A page size beyond 16M is refused.
        expect(m.ex.mipsTlbWriteIndexed(12, 0x3000_0000n, 1, t.lo(0), t.lo(0), 7)).toBe(-1);
      });

      it("a pair whose odd linear-table page does not exist: the refill's load hits the invalid half (escalated)", () => {
        const { m, t } = mipsMachine(a);
        t.map(DVA, DPA);                 // linear page DVA >> 21 (even); its odd neighbour covers DVA + 2 MiB
        loadPaged(m, ld2); m.regs({ a1: DVA, a2: DVA + 0x20_0000n });
        const b = m.counters();
        expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
        expect(m.trapValue()).toBe(DVA + 0x20_0000n);
        const d = delta(b, m.counters());
        expect(d.C_MIPS_NESTED).toBe(3n);   // the code's linear page, the data pair's fill, then the invalid half
        expect(d.C_WALK_FAULTS).toBe(1n);
      });
    } else {
      it("the R3000 has 4 KiB pages only: a PageMask is refused", () => {
        const { m, t } = mipsMachine(a);
        expect(m.ex.mipsTlbWriteIndexed(10, 0x1000_0000n, 1, t.lo(DPA), 0n, 1)).toBe(-1);
      });
    }
  });
}

import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { MIPS_R3000, MIPS_R4000, MipsMmu, checkMipsTlb, mipsData, type MipsFormat } from "../../../../src/arch/mips/mmu.js";
import { MipsPmap } from "../../../../src/arch/mips/pmap.js";
import { ConfigError } from "../../../../src/machine/config.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 8 * 1024 * 1024;
const RW = VM_PROT_READ | VM_PROT_WRITE, RX = VM_PROT_READ | VM_PROT_EXECUTE;

/** An independent decode of the OS's tables: root (R3000) or segment table and kernel page (R4000) → PTE. */
function softPte(w: WasmMachine, f: MipsFormat, root: number, va: number): { pte: bigint; frames: number[] } | undefined {
  const r32 = (a: number) => Number(w.readPhys64(a) & 0xFFFF_FFFFn);
  if (f.r4000) {
    const kp = r32(root + 4 * Math.floor(va / 2 ** 30));
    if (kp === 0) return undefined;
    const klo = w.readPhys64(kp - 0x8000_0000 + 8 * (Math.floor(va / 2 ** 21) % 512));
    if ((klo & 2n) === 0n) return undefined;
    const lin = Number((klo >> 6n) & 0xFF_FFFFn) * 4096;
    return { pte: w.readPhys64(lin + 8 * (Math.floor(va / 4096) % 512)), frames: [kp - 0x8000_0000, lin] };
  }
  const lo = r32(root + 4 * Math.floor(va / 2 ** 22));
  if ((lo & 0x200) === 0) return undefined;
  const lin = lo & ~0xFFF;
  return { pte: BigInt(r32(lin + 4 * (Math.floor(va / 4096) % 1024))), frames: [lin] };
}

function setup(f: MipsFormat) {
  const w = new WasmMachine();
  w.init(RAM);
  const L = w.layout;
  const entries = f.r4000 ? 48 : 64;
  expect(w.configureTlb(0, 0, 0, 0)).toBe(true);
  expect(w.configureTlb(1, 1, entries, L.POLICY_MIPS_RANDOM)).toBe(true);
  expect(w.configureTlb(2, 0, 0, 0)).toBe(true);
  w.resetTlbs();
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new MipsMmu(w, f);
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const make = () => new MipsPmap(ctx, mmu);
  return { w, phys, vm, mmu, ctx, make, pmap: make(), entries, L };
}

const BIT = {
  r3000: { V: 0x200n, D: 0x400n, RO: 0x1n, G: 0x100n },
  r4000: { V: 0x2n, D: 0x4n, RO: 1n << 30n, G: 0x1n },
};

for (const f of [MIPS_R3000, MIPS_R4000]) {
  const B = f.r4000 ? BIT.r4000 : BIT.r3000;
  describe(`MipsPmap (${f.name})`, () => {
    let s: ReturnType<typeof setup>;
    beforeEach(() => { s = setup(f); });

    it("writes EntryLo images into a linear table behind the kseg0 root, counted as page-table frames", () => {
      expect(s.phys.tableFrames).toBe(1);                  // the root / segment table
      const va = 0x7fff_e000, pa = 0x12000;
      s.pmap.enter(va, pa, RW, false, VM_PROT_READ);
      const r = softPte(s.w, f, s.pmap.root, va)!;
      expect(r).toBeDefined();
      const pfn = f.r4000 ? Number((r.pte >> 6n) & 0xFF_FFFFn) * 4096 : Number(r.pte & 0xFFFF_F000n);
      expect(pfn).toBe(pa);
      expect(r.pte & B.V).toBe(B.V);
      expect(r.pte & B.D).toBe(0n);        // writable but not yet written: D clear, RO clear
      expect(r.pte & B.RO).toBe(0n);
      expect(r.pte & B.G).toBe(0n);        // user mappings are never global
      expect(s.phys.tableFrames).toBe(1 + r.frames.length);
      expect(s.pmap.stats.tableFrames).toBe(s.phys.tableFrames);
      // The translation as the VM sees it.
      expect(s.pmap.extract(va + 5)).toEqual({ pa: pa + 5, prot: RW | VM_PROT_EXECUTE, referenced: true, modified: false });
      // A write fault records D at once (the hardware would take the modified exception otherwise).
      s.pmap.enter(va, pa, RW, false, VM_PROT_WRITE);
      expect(softPte(s.w, f, s.pmap.root, va)!.pte & B.D).toBe(B.D);
      // Read-only: the software RO bit, and D cleared.
      s.pmap.protect(va, va + 4096, VM_PROT_READ);
      const ro = softPte(s.w, f, s.pmap.root, va)!.pte;
      expect([ro & B.RO, ro & B.D]).toEqual([B.RO, 0n]);
      expect(s.pmap.extract(va)!.prot).toBe(RX);
      // Removing the last page frees the linear-table page (and the R4000 kernel page).
      s.pmap.remove(va, va + 4096);
      expect(softPte(s.w, f, s.pmap.root, va)).toBeUndefined();
      expect(s.phys.tableFrames).toBe(1);
      s.pmap.destroy();
      expect(s.phys.tableFrames).toBe(0);
    });

    it("activate gives an ASID and makes it current; enter preloads the TLB (__update_tlb), remove flushes it", () => {
      s.pmap.activate();
      const asid = s.pmap.asid;
      expect(asid).toBeGreaterThan(0);
      const va = 0x40_0000;
      s.pmap.enter(va, 0x30000, RW, false, VM_PROT_READ);
      expect(s.w.mipsTlbProbe(va, asid)).toBeGreaterThanOrEqual(0);
      expect(s.w.mipsTlbProbe(va, asid === 1 ? 2 : 1)).toBe(-1);       // tagged with its ASID
      const flushes = s.pmap.stats.flushes;
      s.pmap.remove(va, va + 4096);
      expect(s.w.mipsTlbProbe(va, asid)).toBe(-1);                     // really gone
      expect(s.pmap.stats.flushes).toBeGreaterThan(flushes);
    });

    it("a range beyond the flush limit takes a new ASID instead (drop_mmu_context)", () => {
      s.pmap.activate();
      const asid = s.pmap.asid;
      const n = f.flushPages * (f.r4000 ? 2 : 1) + 4;
      for (let i = 0; i < n; i++) s.pmap.enter(0x100_0000 + 4096 * i, 0x40000 + 4096 * i, RW, false, VM_PROT_READ);
      s.pmap.remove(0x100_0000, 0x100_0000 + 4096 * n);
      expect(s.pmap.asid).not.toBe(asid);
      expect(s.pmap.asid).toBeGreaterThan(0);
      // A short range flushes page by page (R4000: pair by pair) and keeps the ASID.
      const a2 = s.pmap.asid;
      s.pmap.enter(0x200_0000, 0x50000, RW, false, VM_PROT_READ);
      s.pmap.enter(0x200_1000, 0x51000, RW, false, VM_PROT_READ);
      s.pmap.remove(0x200_0000, 0x200_2000);
      expect(s.pmap.asid).toBe(a2);
      expect(s.w.mipsTlbProbe(0x200_0000, a2)).toBe(-1);
      expect(s.w.mipsTlbProbe(0x200_1000, a2)).toBe(-1);
    });

    it("a context switch changes the ASID and the root without flushing: each space keeps its own entries", () => {
      const a = s.pmap, b = s.make();
      a.activate();
      a.enter(0x10000, 0x30000, RW, false, VM_PROT_READ);
      b.activate();
      b.enter(0x10000, 0x31000, RW, false, VM_PROT_READ);
      expect(a.asid).not.toBe(b.asid);
      a.activate();
      const ia = s.w.mipsTlbProbe(0x10000, a.asid), ib = s.w.mipsTlbProbe(0x10000, b.asid);
      expect(ia).toBeGreaterThanOrEqual(0);
      expect(ib).toBeGreaterThanOrEqual(0);
      expect(ia).not.toBe(ib);
      expect(a.extract(0x10000)!.pa).toBe(0x30000);
      expect(b.extract(0x10000)!.pa).toBe(0x31000);
      // Removing a page of the inactive space flushes it by that space's ASID (local_flush_tlb_page with its ASID).
      b.remove(0x10000, 0x11000);
      expect(s.w.mipsTlbProbe(0x10000, b.asid)).toBe(-1);
      expect(s.w.mipsTlbProbe(0x10000, a.asid)).toBe(ia);
      b.destroy();
    });

    it("ASIDs roll over after the CPU's count: the whole TLB is flushed and old address spaces get new ASIDs", () => {
      const first = s.pmap;
      first.activate();
      first.enter(0x10000, 0x30000, RW, false, VM_PROT_READ);
      const oldAsid = first.asid;
      expect(s.w.mipsTlbProbe(0x10000, oldAsid)).toBeGreaterThanOrEqual(0);
      const others: MipsPmap[] = [];
      for (let i = 0; i < f.asids; i++) { const p = s.make(); p.activate(); others.push(p); }
      expect(s.mmu.rollovers).toBe(1);
      expect(s.w.mipsTlbProbe(0x10000, oldAsid)).toBe(-1);            // flushed on the wrap
      expect(first.asid).toBe(-1);                                     // its ASID belongs to the old generation
      first.activate();
      expect(first.asid).toBeGreaterThanOrEqual(0);
      expect(first.asid).toBeLessThan(f.asids);
      for (const p of others) p.destroy();
    });

    it("isModified / clearModify read and clear D; clearModify flushes so the next store takes the modified exception", () => {
      s.pmap.activate();
      const va = 0x8000;
      const obj = s.vm.objectAllocate(4096);
      const page = s.vm.pageAlloc(obj, 0, va);
      s.pmap.enter(va, page.pa, RW, false, VM_PROT_WRITE);
      expect(s.pmap.isModified(page)).toBe(true);
      expect(s.pmap.isReferenced(page)).toBe(true);
      s.pmap.clearModify(page);
      expect(s.pmap.isModified(page)).toBe(false);
      expect(s.w.mipsTlbProbe(va, s.pmap.asid)).toBe(-1);
      // pageProtect read-only: RO set everywhere the page is mapped.
      s.pmap.enter(va, page.pa, RW, false, VM_PROT_WRITE);
      s.pmap.pageProtect(page, VM_PROT_READ);
      expect(s.pmap.extract(va)!.prot & VM_PROT_WRITE).toBe(0);
      s.pmap.pageProtect(page, 0);
      expect(s.pmap.extract(va)).toBeUndefined();
    });

    it("collect drops every non-wired mapping and takes a new ASID; wired ones stay", () => {
      s.pmap.activate();
      s.pmap.enter(0x10000, 0x30000, RW, true, VM_PROT_READ);
      s.pmap.enter(0x20000, 0x31000, RW, false, VM_PROT_READ);
      const asid = s.pmap.asid;
      s.pmap.collect();
      expect(s.pmap.extract(0x10000)).toBeDefined();
      expect(s.pmap.extract(0x20000)).toBeUndefined();
      expect(s.pmap.asid).not.toBe(asid);
    });

    it("creating a linear-table page flushes that page's kseg2 / xkseg mapping from the TLB", () => {
      s.pmap.activate();
      const asid = s.pmap.asid;
      // As if a nested miss had filled the mapping of linear-table page 5 (R4000: the pair 4/5), invalid.
      const lva = s.pmap.linearVa(5);
      s.w.mipsTlbWriteRandom(lva, asid, 0n, 0n);
      expect(s.w.mipsTlbProbe(lva, asid)).toBeGreaterThanOrEqual(0);
      const span = f.r4000 ? 2 ** 21 : 2 ** 22;
      s.pmap.enter(5 * span, 0x30000, RW, false, VM_PROT_READ);
      expect(s.w.mipsTlbProbe(lva, asid)).toBe(-1);
    });

    it("rejects user pages outside kuseg / xuseg", () => {
      expect(() => s.pmap.enter(f.userTop, 0x30000, RW, false)).toThrow(/bad user page/);
      expect(s.pmap.extract(f.userTop)).toBeUndefined();
    });
  });
}

describe("MIPS configuration", () => {
  it("the data files give Wired and the handler costs, each with a source", () => {
    expect(mipsData("mips-r3000").wired).toBe(8);
    expect(mipsData("mips-r4000").wired).toBe(1);
    expect(mipsData("mips-r3000").refillInsns).toBeGreaterThan(0);
  });
  it("checks the TLB geometry against the machine", () => {
    const t = (l1d: [number, number], l1i = 0, l2 = 0) =>
      ({ l1i: { entries: l1i }, l1d: { entries: l1d[0], ways: l1d[1] }, l2: { entries: l2 } });
    expect(() => checkMipsTlb("mips-r3000", t([64, 64]), 8)).not.toThrow();
    expect(() => checkMipsTlb("mips-r3000", t([64, 8]), 8)).toThrow(ConfigError);
    expect(() => checkMipsTlb("mips-r3000", t([8, 8]), 8)).toThrow(/wired/);
    expect(() => checkMipsTlb("mips-r4000", t([48, 48], 2), 1)).toThrow(/l1i/);
    expect(() => checkMipsTlb("mips-r4000", t([48, 48], 0, 64), 1)).toThrow(/l2/);
    expect(() => checkMipsTlb("mips-r4000", t([0, 0]), 1)).toThrow(/cannot be off/);
  });
});

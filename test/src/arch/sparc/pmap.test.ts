// The sun4u pmap (src/arch/sparc/pmap.ts): Linux sparc64's page tables and the per-process TSB written into guest
// frames, invalidation as Linux does it (TSB entry, then demap page in the context), the TSB growing with the RSS,
// and the context allocator with its version wrap, all checked against an independent decoding of the structures
// and the control operations issued.

import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { SparcContexts, SparcMmu } from "../../../../src/arch/sparc/mmu.js";
import { SparcPmap, tsbBytesFor } from "../../../../src/arch/sparc/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 16 * 1024 * 1024;
const V = 1n << 63n, EXEC = 0x1000n, MODIFIED = 0x800n, ACCESSED = 0x400n, READ = 0x200n, WRITE = 0x100n;
const PRESENT = 0x80n, CP = 0x20n, CV = 0x10n, W = 0x2n;
const INVALID_TAG = 1n << 46n;

/** An independent walk of Linux's 4-level tables: upper entries are bare physical addresses, the leaf a TTE. */
function walk(w: WasmMachine, pgd: number, va: number): bigint | undefined {
  let table = pgd;
  for (let level = 3; level >= 0; level--) {
    const e = w.readPhys64(table + 8 * (Math.floor(va / 2 ** (12 + 9 * level)) % 512));
    if (level === 0) return (e & V) !== 0n ? e : undefined;
    if (e === 0n) return undefined;
    expect(e & 0xFFFn, "upper entry: a page-aligned physical address").toBe(0n);
    table = Number(e);
  }
  return undefined;
}

type Op = ["switch", bigint, number, number] | ["demap", number, number, boolean] | ["flushAll"];

function setup(contexts = new SparcContexts()) {
  const w = new WasmMachine();
  w.init(RAM);
  const ops: Op[] = [];
  const m = w as WasmMachine & Record<string, (...a: never[]) => unknown>;
  const orig = { sw: w.sparcSwitch.bind(w), dm: w.sparcDemap.bind(w), fa: w.sparcFlushAll.bind(w) };
  m.sparcSwitch = (t: bigint, p: number, c: number) => { ops.push(["switch", t, p, c]); orig.sw(t, p, c); };
  m.sparcDemap = (va: number, c: number, page: boolean) => { ops.push(["demap", va, c, page]); orig.dm(va, c, page); };
  m.sparcFlushAll = () => { ops.push(["flushAll"]); orig.fa(); };
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new SparcMmu(w, contexts);
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const make = () => new SparcPmap(ctx, mmu);
  return { w, phys, vm, mmu, ctx, make, pmap: make(), ops };
}

const tsbSlot = (p: SparcPmap, va: number) => p.tsbPa + 16 * (Math.floor(va / 4096) % p.tsbEntries);

describe("SparcPmap", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("creates an 8 KiB TSB (512 entries, contiguous, size-aligned, every tag invalid) counted as page-table memory", () => {
    const p = s.pmap;
    expect(p.tsbBytes).toBe(8192);
    expect(p.tsbPa % 8192).toBe(0);
    expect(p.tsbReg).toBe(BigInt(p.tsbPa));           // TSB_Size 0, Split 0
    for (let e = 0; e < 8192; e += 16) expect(s.w.readPhys64(p.tsbPa + e)).toBe(INVALID_TAG);
    expect(s.phys.tableFrames).toBe(3);                  // pgd + two TSB frames
    expect(p.stats.tableFrames).toBe(3);
  });

  it("writes Linux's tables (bare physical addresses above, TTE leaves) and preloads the TSB like update_mmu_cache", () => {
    const p = s.pmap;
    const va = 0x7ff_ffff_f000, pa = 0x345000;
    p.enter(va, pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_WRITE);
    const pte = walk(s.w, p.root, va)!;
    expect(pte).toBe(V | (BigInt(pa / 4096) << 13n) | PRESENT | CP | CV | READ | WRITE | W | ACCESSED | MODIFIED);
    expect(s.phys.tableFrames).toBe(3 + 3);              // pud, pmd, pte tables
    expect(s.w.readPhys64(tsbSlot(p, va))).toBe(BigInt(va) >> 21n);
    expect(s.w.readPhys64(tsbSlot(p, va) + 8)).toBe(pte);
    const x = 0x10000;
    p.enter(x, 0x1000, VM_PROT_READ | VM_PROT_EXECUTE, false, VM_PROT_EXECUTE);
    expect(walk(s.w, p.root, x)! & (EXEC | W | MODIFIED)).toBe(EXEC);
    expect(p.extract(x + 4)).toEqual({ pa: 0x1004, prot: VM_PROT_READ | VM_PROT_EXECUTE, referenced: true, modified: false });
  });

  it("dirty tracking as Linux does it: hardware W only on a written writable page, cleared by cleaning or by losing the right", () => {
    const p = s.pmap;
    p.activate();
    const va = 0x600000;
    const page = s.vm.pageAlloc(s.vm.objectAllocate(4096), 0, va);
    const pa = page.pa;
    p.enter(va, pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_READ);          // a read fault: clean
    expect(walk(s.w, p.root, va)! & (WRITE | W | MODIFIED)).toBe(WRITE);
    expect(p.extract(va)).toMatchObject({ prot: VM_PROT_READ | VM_PROT_WRITE, modified: false });
    s.ops.length = 0;
    p.enter(va, pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_WRITE);         // the store's protection fault
    expect(walk(s.w, p.root, va)! & (WRITE | W | MODIFIED)).toBe(WRITE | W | MODIFIED);
    expect(s.ops).toEqual([["demap", va, p.context, true]]);                     // the clean TLB entry goes
    expect(s.w.readPhys64(tsbSlot(p, va) + 8)).toBe(walk(s.w, p.root, va));      // and the TSB has the dirty TTE
    // Entered again without the write right: the dirty state stays, W does not.
    p.enter(va, pa, VM_PROT_READ, false);
    expect(walk(s.w, p.root, va)! & (WRITE | W | MODIFIED)).toBe(MODIFIED);
    expect(s.w.readPhys64(tsbSlot(p, va) + 8) & W).toBe(0n);
    p.enter(va, pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_WRITE);
    expect(p.isModified(page)).toBe(true);
    s.ops.length = 0;
    p.clearModify(page);                                                         // pte_mkclean: W goes too
    expect(walk(s.w, p.root, va)! & (WRITE | W | MODIFIED)).toBe(WRITE);
    expect(p.isModified(page)).toBe(false);
    expect(s.ops).toEqual([["demap", va, p.context, true]]);
  });

  it("activation takes a context (never 0), demaps it first, then switches TSB register, pgd and context", () => {
    s.pmap.activate();
    const c = s.pmap.context;
    expect(c).toBe(1);
    expect(s.ops).toEqual([["demap", 0, 1, false], ["switch", s.pmap.tsbReg, s.pmap.root, 1]]);
    s.ops.length = 0;
    s.pmap.activate();
    expect(s.ops).toEqual([["switch", s.pmap.tsbReg, s.pmap.root, 1]]);   // context still valid: no demap
  });

  it("removal and protection changes invalidate the TSB entry and demap the page in the context, page by page", () => {
    const p = s.pmap;
    p.activate();
    for (let i = 0; i < 40; i++) p.enter(0x100000 + i * 4096, 0x400000 + i * 4096, VM_PROT_READ | VM_PROT_WRITE, false);
    s.ops.length = 0;
    p.protect(0x100000, 0x100000 + 40 * 4096, VM_PROT_READ);
    expect(s.ops).toHaveLength(40);                      // no flush-all ceiling
    expect(s.ops.every((o) => o[0] === "demap" && o[2] === p.context && o[3] === true)).toBe(true);
    expect(s.w.readPhys64(tsbSlot(p, 0x100000))).toBe(INVALID_TAG);
    expect(walk(s.w, p.root, 0x100000)! & (W | WRITE)).toBe(0n);
    s.ops.length = 0;
    p.remove(0x100000, 0x100000 + 4096);
    expect(s.ops).toEqual([["demap", 0x100000, p.context, true]]);
    expect(walk(s.w, p.root, 0x100000)).toBeUndefined();
    // A new translation needs no demap (the TLB holds no invalid translation); it is preloaded into the TSB.
    s.ops.length = 0;
    p.enter(0x100000, 0x500000, VM_PROT_READ, false);
    expect(s.ops).toEqual([]);
    expect(s.w.readPhys64(tsbSlot(p, 0x100000))).toBe(0x100000n >> 21n);
  });

  it("an inactive address space's changes reach its TSB; demaps need its context to be valid", () => {
    const p = s.pmap;
    p.enter(0x200000, 0x400000, VM_PROT_READ, false);
    p.remove(0x200000, 0x201000);                        // never activated: no context, so no demap
    expect(s.ops).toEqual([]);
    expect(s.w.readPhys64(tsbSlot(p, 0x200000))).toBe(INVALID_TAG);
  });

  it("the TSB grows like tsb_grow when the RSS passes 3/4 of its entries, keeping every entry findable", () => {
    expect(tsbBytesFor(0)).toBe(8192);
    expect(tsbBytesFor(384)).toBe(16384);
    expect(tsbBytesFor(1 << 20)).toBe(1 << 20);
    const p = s.pmap;
    p.activate();
    const oldPa = p.tsbPa;
    const n = 385;
    for (let i = 0; i < n; i++) p.enter(0x1000000 + i * 4096, 0x400000 + i * 4096, VM_PROT_READ, false);
    expect(p.rss).toBe(n);
    expect(p.tsbBytes).toBe(16384);
    expect(p.tsbGrows).toBe(1);
    expect(p.tsbPa % 16384).toBe(0);
    expect(p.tsbPa).not.toBe(oldPa);
    for (let i = 0; i < n; i++) {
      const va = 0x1000000 + i * 4096;
      expect(s.w.readPhys64(tsbSlot(p, va)), `entry ${i}`).toBe(BigInt(va) >> 21n);
      expect(s.w.readPhys64(tsbSlot(p, va) + 8)).toBe(walk(s.w, p.root, va));
    }
    // The old TSB's two frames went back; the new one's four are page-table memory; the hardware sees it.
    expect(s.phys.isAllocated(oldPa)).toBe(false);
    expect(p.stats.tableFrames).toBe(s.phys.tableFrames);
    expect(s.phys.tableFrames).toBe(4 + 4);             // pgd, pud, pmd, pte + a 16 KiB TSB
    expect(s.ops.at(-1)).toEqual(["switch", p.tsbReg, p.root, p.context]);
    expect(p.tsbReg & 7n).toBe(1n);
  });

  it("destroy frees the tables and the TSB and releases the context", () => {
    const p = s.pmap;
    p.activate();
    p.enter(0x300000, 0x400000, VM_PROT_READ, false);
    p.destroy();
    expect(s.phys.tableFrames).toBe(0);
    expect(p.stats.tableFrames).toBe(0);
  });
});

describe("SparcContexts and the context wrap", () => {
  it("hands out 1 .. 2^bits − 1 upward, reuses released numbers only after a search wraps, and flushes on a version wrap", () => {
    const c = new SparcContexts(2);                      // contexts 1, 2, 3
    expect([c.allocate(), c.allocate(), c.allocate()].map((r) => r.ctx)).toEqual([1, 2, 3]);
    c.release(2, c.version);
    expect(c.allocate()).toEqual({ ctx: 2, wrapped: false });
    expect(c.allocate()).toEqual({ ctx: 1, wrapped: true });
    expect(c.version).toBe(2);
    expect(c.wraps).toBe(1);
  });

  it("at the pmap level: the wrap flushes the whole TLB and older address spaces get new contexts when switched to", () => {
    const s = setup(new SparcContexts(2));
    const [a, b, c] = [s.pmap, s.make(), s.make()];
    for (const p of [a, b, c]) p.activate();
    expect([a.context, b.context, c.context]).toEqual([1, 2, 3]);
    const d = s.make();
    s.ops.length = 0;
    d.activate();                                        // no free number: version 2, flush all, d gets 1
    expect(s.ops[0]).toEqual(["flushAll"]);
    expect(d.context).toBe(1);
    s.ops.length = 0;
    a.activate();                                        // a's context 1 is of version 1: a new one, demapped first
    expect(a.context).toBe(2);
    expect(s.ops).toEqual([["demap", 0, 2, false], ["switch", a.tsbReg, a.root, 2]]);
    // Changes to b (old version, no valid context) touch its TSB only.
    s.ops.length = 0;
    b.enter(0x10000, 0x400000, VM_PROT_READ, false);
    b.remove(0x10000, 0x11000);
    expect(s.ops).toEqual([]);
  });

  it("a wrap really empties the TLB: an entry cached under the old version is gone", () => {
    const s = setup(new SparcContexts(1));               // one user context: every new address space wraps
    const a = s.pmap;
    a.activate();
    const L = s.w.layout;
    // Hand the TLB an entry through the machine: map the code page and run an illegal instruction there.
    a.enter(0x10000, 0x800000, VM_PROT_READ | VM_PROT_EXECUTE, false);   // a frame nothing else uses: zeros
    s.w.pc = 0x10000n;
    expect(s.w.run(10n)).toBe(L.EXIT_ILLEGAL);           // zeros: the fetch went through the I-TLB
    const misses = s.w.counter(L.C_ITLB_MISS);
    s.w.run(10n);
    expect(s.w.counter(L.C_ITLB_MISS)).toBe(misses);     // cached
    const b = s.make();
    b.activate();                                        // wrap: flush all
    a.activate();                                        // wrap again; a gets context 1 anew
    s.w.pc = 0x10000n;
    s.w.run(10n);
    expect(s.w.counter(L.C_ITLB_MISS)).toBe(misses + 1n);
  });
});

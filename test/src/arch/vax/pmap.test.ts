import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { PR_TBIA, PR_TBIS, PR_P0LR, PR_P1LR, VAX_PROCESS_SLOTS, VaxMmu } from "../../../../src/arch/vax/mmu.js";
import { CLSIZE, P1_WINDOW_BASE, PG_M, PG_PFNUM, PG_V, VaxPmap } from "../../../../src/arch/vax/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 16 * 1024 * 1024;
const RW = VM_PROT_READ | VM_PROT_WRITE, RX = VM_PROT_READ | VM_PROT_EXECUTE;

/** The control operations the pmap issued, in order. */
type Op = ["mtpr", number, number] | ["ldpctx", number, number, number, number];

function setup() {
  const w = new WasmMachine();
  w.init(RAM);
  const ops: Op[] = [];
  const m = w as WasmMachine & Record<string, (...a: never[]) => unknown>;
  const orig = { mtpr: w.vaxMtpr.bind(w), ldpctx: w.vaxLdpctx.bind(w) };
  m.vaxMtpr = (ipr: number, v: number) => { ops.push(["mtpr", ipr, v >>> 0]); return orig.mtpr(ipr, v); };
  m.vaxLdpctx = (a: number, b: number, c: number, d: number) => { ops.push(["ldpctx", a >>> 0, b, c >>> 0, d]); orig.ldpctx(a, b, c, d); };
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new VaxMmu(w, { sets: 32, ways: 2 });
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const pmap = new VaxPmap(ctx, mmu);
  return { w, phys, vm, mmu, ctx, pmap, ops };
}

const u32 = (w: WasmMachine, pa: number) => w.dv.getUint32(w.layout.RAM_BASE + pa, true);

/** An independent software walk (vax.md §4): the process PTE for va through the system page table. */
function walk(w: WasmMachine, va: number): { pte: number; refs: number } | undefined {
  const vpn = (va >>> 9) & 0x1FFFFF;
  const p1 = va >= 0x4000_0000;
  if (p1 ? vpn < w.vaxMfpr(PR_P1LR) : vpn >= w.vaxMfpr(PR_P0LR)) return undefined;
  const ptev = ((p1 ? w.vaxMfpr(10) : w.vaxMfpr(8)) + 4 * vpn) >>> 0;
  const svpn = (ptev >>> 9) & 0x1FFFFF;
  if (svpn >= w.vaxMfpr(13)) return undefined;
  const spte = u32(w, w.vaxMfpr(12) + 4 * svpn);
  if ((spte & PG_V) === 0) return undefined;
  return { pte: u32(w, (spte & PG_PFNUM) * 512 + (ptev & 0x1FF)), refs: 2 };
}

describe("VaxPmap", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("boots the machine once: a physically contiguous system page table, SBR, SLR, MAPEN", () => {
    expect(s.ops.slice(0, 3).map((o) => o[1])).toEqual([12, 13, 56]);
    expect(s.w.vaxMfpr(56)).toBe(1);
    expect(s.w.vaxMfpr(12)).toBe(s.mmu.sbr);
    expect(s.w.vaxMfpr(13) * 4).toBeLessThanOrEqual(s.phys.tableFrames * 4096);
  });

  it("a second address space moves the SPT to a larger run (SBR, SLR, TBIA); the first one's tables still walk", () => {
    s.pmap.activate();
    s.pmap.enter(0x10000, 0x200000, RW, false);
    const sbr0 = s.mmu.sbr, slr0 = s.w.vaxMfpr(13), frames0 = s.phys.tableFrames;
    const n0 = s.ops.length;
    const other = new VaxPmap(s.ctx, s.mmu);
    expect(other.slot).toBe(1);
    expect(s.ops.slice(n0).map((o) => o[1])).toEqual([12, 13, 57]);
    expect(s.mmu.sbr).not.toBe(sbr0);
    expect(s.w.vaxMfpr(13)).toBe(2 * slr0);
    expect(s.phys.tableFrames).toBe(frames0 + Math.ceil((2 * slr0 * 4) / 4096) - Math.ceil((slr0 * 4) / 4096));
    expect(walk(s.w, 0x10000)!.pte & PG_PFNUM).toBe(0x200000 / 512);
    other.enter(0x10000, 0x201000, RW, false);
    other.activate();
    expect(walk(s.w, 0x10000)!.pte & PG_PFNUM).toBe(0x201000 / 512);
  });

  it("activate is LDPCTX with this process's P0BR/P0LR/P1BR/P1LR (biased P1BR, empty regions at first)", () => {
    s.pmap.activate();
    expect(s.ops.at(-1)).toEqual(["ldpctx", s.pmap.p0br >>> 0, 0, s.pmap.p1br >>> 0, 1 << 21]);
    expect((s.pmap.p1br + 4 * (1 << 21)) >>> 0).toBeGreaterThan(0x8000_0000);
  });

  it("a kernel page is 8 hardware PTEs: consecutive frames, UW / UR codes, M from a write access", () => {
    s.pmap.activate();
    s.pmap.enter(0x10000, 0x200000, RX, false);
    s.pmap.enter(0x11000, 0x201000, RW, false, VM_PROT_WRITE);
    for (let i = 0; i < CLSIZE; i++) {
      const code = walk(s.w, 0x10000 + 512 * i)!.pte;
      expect(code & PG_V).not.toBe(0);
      expect((code >>> 27) & 15, "UR").toBe(15);
      expect(code & PG_PFNUM).toBe(0x200000 / 512 + i);
      expect(code & PG_M).toBe(0);
      const data = walk(s.w, 0x11000 + 512 * i)!.pte;
      expect((data >>> 27) & 15, "UW").toBe(4);
      expect(data & PG_M).toBe(PG_M);
    }
    expect(s.pmap.extract(0x11234)).toEqual({ pa: 0x201234, prot: VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE, referenced: true, modified: true });
  });

  it("grows the length registers with the mappings: P0LR up, P1LR down (MTPR while current)", () => {
    s.pmap.activate();
    s.pmap.enter(0x30000, 0x200000, RW, false);
    expect(s.w.vaxMfpr(PR_P0LR)).toBe(0x30000 / 512 + 8);
    expect(s.ops.at(-1)).toEqual(["mtpr", PR_P0LR, 0x30000 / 512 + 8]);
    s.pmap.enter(0x10000, 0x201000, RW, false);
    expect(s.w.vaxMfpr(PR_P0LR)).toBe(0x30000 / 512 + 8);   // never shrinks by a lower mapping
    s.pmap.enter(0x7FFF_E000, 0x202000, RW, false);
    expect(s.w.vaxMfpr(PR_P1LR)).toBe((0x7FFF_E000 - 0x4000_0000) / 512);
    expect(walk(s.w, 0x7FFF_E000)!.pte & PG_PFNUM).toBe(0x202000 / 512);
    // The lowest P1 page: P1LR drops to 0, the PTE is the first of the P1 window.
    s.pmap.enter(P1_WINDOW_BASE, 0x203000, RW, false);
    expect(s.w.vaxMfpr(PR_P1LR)).toBe(0);
    expect(walk(s.w, P1_WINDOW_BASE)!.pte & PG_PFNUM).toBe(0x203000 / 512);
  });

  it("a page of page table maps 512 KiB: allocated on first use, its 8 system PTEs freed (and TBIS'd) when empty", () => {
    s.pmap.activate();
    const t0 = s.phys.tableFrames;
    s.pmap.enter(0x100000, 0x200000, RW, false);
    s.pmap.enter(0x17F000, 0x201000, RW, false);
    expect(s.phys.tableFrames).toBe(t0 + 1);
    s.pmap.enter(0x180000, 0x202000, RW, false);
    expect(s.phys.tableFrames).toBe(t0 + 2);
    s.pmap.remove(0x100000, 0x180000);
    expect(s.phys.tableFrames).toBe(t0 + 1);
    // The freed table page's 8 system pages: each TBIS'd at its S0 address, after the range's TBIA.
    const tbis = s.ops.filter((o) => o[0] === "mtpr" && o[1] === PR_TBIS).map((o) => o[2]);
    const svpn0 = (s.pmap.p0br - 0x8000_0000) / 512 + (0x100000 / 512) * 4 / 512;
    expect(tbis).toEqual(Array.from({ length: 8 }, (_, i) => 0x8000_0000 + (svpn0 + i) * 512));
    expect(walk(s.w, 0x100000)).toBeUndefined();
  });

  it("invalidates as 4.3BSD: none for a new mapping, TBIS × 8 for one changed page, TBIA for a range", () => {
    s.pmap.activate();
    let n0 = s.ops.length;
    s.pmap.enter(0x10000, 0x200000, RW, false);
    expect(s.ops.slice(n0).filter((o) => o[1] === PR_TBIS || o[1] === PR_TBIA)).toEqual([]);
    n0 = s.ops.length;
    s.pmap.enter(0x10000, 0x201000, RW, false);   // frame changes
    expect(s.ops.slice(n0)).toEqual(Array.from({ length: 8 }, (_, i) => ["mtpr", PR_TBIS, 0x10000 + 512 * i]));
    n0 = s.ops.length;
    s.pmap.enter(0x10000, 0x201000, RW, false);   // same frame, same rights: nothing
    expect(s.ops.length).toBe(n0);
    s.pmap.enter(0x10000, 0x201000, VM_PROT_READ, false);   // rights lost: the cluster's entries go
    s.pmap.enter(0x10000, 0x201000, RW, false);             // and gained (the write fault after COW): again
    expect(s.ops.slice(n0)).toEqual([0, 1].flatMap(() => Array.from({ length: 8 }, (_, i) => ["mtpr", PR_TBIS, 0x10000 + 512 * i])));
    n0 = s.ops.length;
    s.pmap.enter(0x11000, 0x202000, RW, false);
    n0 = s.ops.length;
    s.pmap.protect(0x10000, 0x12000, VM_PROT_READ);
    expect(s.ops.slice(n0)).toEqual([["mtpr", PR_TBIA, 0]]);
    expect(s.pmap.extract(0x11000)!.prot & VM_PROT_WRITE).toBe(0);
    n0 = s.ops.length;
    s.pmap.remove(0x11000, 0x12000);
    expect(s.ops.slice(n0)).toEqual(Array.from({ length: 8 }, (_, i) => ["mtpr", PR_TBIS, 0x11000 + 512 * i]));
  });

  it("changes to an inactive process need no process-page invalidation (its entries left at the switch)", () => {
    const other = new VaxPmap(s.ctx, s.mmu);
    expect(other.slot).not.toBe(s.pmap.slot);
    expect(other.p0br).not.toBe(s.pmap.p0br);
    s.pmap.activate();
    other.enter(0x10000, 0x200000, RW, false);
    const n0 = s.ops.length;
    other.enter(0x10000, 0x201000, RW, false);
    other.remove(0x10000, 0x11000);
    // Only the freed page of page table's system pages are TBIS'd: system translations are shared by all.
    const inv = s.ops.slice(n0).filter((o) => o[1] === PR_TBIS || o[1] === PR_TBIA);
    expect(inv).toHaveLength(8);
    for (const o of inv) expect(o[2] >>> 0).toBeGreaterThanOrEqual(0x8000_0000);
    other.destroy();
  });

  it("simulates the referenced bit as 4.3BSD does: V cleared (frame kept), the next access faults, enter sets it again", () => {
    s.pmap.activate();
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x20000);
    s.pmap.enter(0x20000, page.pa, RW, false);
    const frames = s.phys.tableFrames;
    expect(s.pmap.isReferenced(page)).toBe(true);
    const n0 = s.ops.length;
    s.pmap.clearReference(page);
    expect(s.ops.slice(n0)).toEqual(Array.from({ length: 8 }, (_, i) => ["mtpr", PR_TBIS, 0x20000 + 512 * i]));
    expect(s.pmap.isReferenced(page)).toBe(false);
    const pte = walk(s.w, 0x20000)!.pte;
    expect(pte & PG_V).toBe(0);
    expect(pte & PG_PFNUM).toBe(page.pa / 512);
    expect(s.pmap.extract(0x20010)).toMatchObject({ pa: page.pa + 0x10, referenced: false });
    // The kernel's answer to the TNV fault: enter again; the page is referenced, nothing was allocated or doubled.
    s.pmap.enter(0x20000, page.pa, RW, false, VM_PROT_READ);
    expect(s.pmap.isReferenced(page)).toBe(true);
    expect(page.pv).toHaveLength(1);
    expect(s.phys.tableFrames).toBe(frames);
    s.pmap.clearReference(page);
    s.pmap.remove(0x20000, 0x21000);
    expect(page.pv).toHaveLength(0);
    expect(s.pmap.extract(0x20000)).toBeUndefined();
  });

  it("reads and clears M through the pv list (TBIS so the next write sets it again)", () => {
    s.pmap.activate();
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x10000);
    s.pmap.enter(0x10000, page.pa, RW, false, VM_PROT_WRITE);
    s.pmap.enter(0x20000, page.pa, VM_PROT_READ, false, VM_PROT_READ);
    expect(page.pv).toHaveLength(2);
    expect(s.pmap.isModified(page)).toBe(true);
    const n0 = s.ops.length;
    s.pmap.clearModify(page);
    expect(s.ops.slice(n0)).toEqual(Array.from({ length: 8 }, (_, i) => ["mtpr", PR_TBIS, 0x10000 + 512 * i]));
    expect(s.pmap.isModified(page)).toBe(false);
    s.pmap.pageProtect(page, VM_PROT_READ);
    expect(s.pmap.extract(0x10000)!.prot & VM_PROT_WRITE).toBe(0);
    s.pmap.pageProtect(page, 0);
    expect(page.pv).toHaveLength(0);
    expect(s.pmap.extract(0x20000)).toBeUndefined();
    expect(s.pmap.isReferenced(page)).toBe(false);
  });

  it("collect keeps wired pages; destroy frees every table page and the slot", () => {
    s.pmap.activate();
    const base = s.phys.tableFrames;
    s.pmap.enter(0x10000, 0x200000, VM_PROT_READ, true);
    s.pmap.enter(0x3000_0000, 0x201000, VM_PROT_READ, false);
    s.pmap.enter(0x7FFF_F000, 0x202000, RW, false);
    expect(s.phys.tableFrames).toBe(base + 3);
    s.pmap.collect();
    expect(s.pmap.extract(0x10000)).toBeDefined();
    expect(s.pmap.extract(0x3000_0000)).toBeUndefined();
    expect(s.pmap.extract(0x7FFF_F000)).toBeUndefined();
    expect(s.phys.tableFrames).toBe(base + 1);
    s.pmap.destroy();
    expect(s.phys.tableFrames).toBe(base);
  });

  it("process slots run out after VAX_PROCESS_SLOTS address spaces; a destroyed one's slot is reused", () => {
    const more: VaxPmap[] = [];
    for (let i = 1; i < VAX_PROCESS_SLOTS; i++) more.push(new VaxPmap(s.ctx, s.mmu));
    expect(() => new VaxPmap(s.ctx, s.mmu)).toThrow(/slots/);
    const freed = more.pop()!;
    freed.destroy();
    expect(new VaxPmap(s.ctx, s.mmu).slot).toBe(freed.slot);
  });

  it("is walked by the hardware walker: loads and stores through 8 TB entries per kernel page, M set by hardware", () => {
    const code = 0x10000, data = 0x20000, codePa = 0x300000, dataPa = 0x301000;
    s.w.writePhys64(dataPa + 0x208, 0x1122334455667788n);
    const insns = [
      0x000202b7,   // lui t0, 0x20
      0x2082b303,   // ld t1, 0x208(t0)
      0x2062b823,   // sd t1, 0x210(t0)
      0x00100073,   // ebreak
    ];
    insns.forEach((v, i) => s.w.phys(codePa + 4 * i, 4).set(new Uint8Array(new Uint32Array([v]).buffer)));
    s.pmap.enter(code, codePa, RX, false);
    s.pmap.enter(data, dataPa, RW, false);
    s.pmap.activate();
    s.w.pc = BigInt(code);
    expect(s.w.run(100n)).toBe(s.w.layout.EXIT_BREAKPOINT);
    expect(s.w.getX(6)).toBe(0x1122334455667788n);
    expect(s.w.readPhys64(dataPa + 0x210)).toBe(0x1122334455667788n);
    expect(walk(s.w, data + 0x200)!.pte & PG_M, "the written hardware page").toBe(PG_M);
    expect(walk(s.w, data)!.pte & PG_M, "its neighbour").toBe(0);
    expect(s.pmap.extract(data)!.modified).toBe(true);
    const L = s.w.layout;
    // Code, data, then the store's walk to set M; each PTE fetch goes through the system half (first misses).
    expect(s.w.counter(L.C_WALKS)).toBe(3n);
    expect(s.w.counter(L.C_AD_UPDATES)).toBe(1n);
    expect(s.w.counter(L.C_VAX_STB_MISS)).toBe(2n);
    expect(s.w.counter(L.C_VAX_STB_HIT)).toBe(1n);
    expect(s.w.counter(L.C_WALK_REFS)).toBe(3n + 2n + 1n);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { X86_64, X86_64_LA57, X86Mmu, type X86Format } from "../../../../src/arch/x86-64/mmu.js";
import { X86Pmap } from "../../../../src/arch/x86-64/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 4 * 1024 * 1024;
const P = 1n, RW = 2n, US = 4n, A = 0x20n, D = 0x40n, PS = 0x80n, G = 0x100n, XD = 1n << 63n;
const NOFLUSH = 1n << 63n;
const ADDR = 0x000F_FFFF_FFFF_F000n;

/** An independent software walk of the SDM's tables from CR3: the leaf entry, its level, and every upper entry. */
function walk(w: WasmMachine, cr3: bigint, levels: number, va: number) {
  let table = Number(cr3 & ADDR);
  const upper: bigint[] = [];
  let refs = 0;
  for (let level = levels - 1; level >= 0; level--) {
    const e = w.readPhys64(table + 8 * (Math.floor(va / 2 ** (12 + 9 * level)) % 512));
    refs++;
    if ((e & P) === 0n) return undefined;
    if (level === 0) return { pte: e, upper, refs };
    expect(e & PS, "no large pages").toBe(0n);
    upper.push(e);
    table = Number(e & ADDR);
  }
  return undefined;
}

/** The control operations the pmap issued, in order. */
type Op = ["cr4", bigint] | ["cr3", bigint] | ["invlpg", number] | ["invpcid", number, number];

function setup(format: X86Format = X86_64) {
  const w = new WasmMachine();
  w.init(RAM);
  const ops: Op[] = [];
  const m = w as WasmMachine & Record<string, (...a: never[]) => unknown>;
  const orig = { setCr4: w.setCr4.bind(w), writeCr3: w.writeCr3.bind(w), invlpg: w.invlpg.bind(w), invpcid: w.invpcid.bind(w) };
  m.setCr4 = (v: bigint) => { ops.push(["cr4", v]); orig.setCr4(v); };
  m.writeCr3 = (v: bigint) => { ops.push(["cr3", v]); orig.writeCr3(v); };
  m.invlpg = (va: number) => { ops.push(["invlpg", va]); orig.invlpg(va); };
  m.invpcid = (t: number, p: number, va: number) => { ops.push(["invpcid", t, p]); return orig.invpcid(t, p, va); };
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new X86Mmu(w, format);
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const pmap = new X86Pmap(ctx, mmu);
  return { w, phys, vm, mmu, ctx, pmap, ops, levels: format.levels };
}

describe("X86Pmap (4-level)", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("sets CR4.PCIDE once per machine and activates with CR3 = root | PCID, the no-flush bit after the first", () => {
    expect(s.ops[0]).toEqual(["cr4", 1n << 17n]);
    expect(s.pmap.pcid).toBeGreaterThan(0);
    expect(Number(s.pmap.cr3 & ADDR)).toBe(s.pmap.root);
    expect(s.pmap.cr3 & 0xFFFn).toBe(BigInt(s.pmap.pcid));
    s.pmap.activate();
    s.pmap.activate();
    expect(s.ops.slice(1)).toEqual([["cr3", s.pmap.cr3], ["cr3", s.pmap.cr3 | NOFLUSH]]);
    expect(s.phys.tableFrames).toBe(1);
  });

  it("writes four-level tables a software walk decodes: _PAGE_TABLE above, P|U/S|A|R/W|XD leaves", () => {
    const va = 0x7fff_ffff_e000, pa = 0x12000;
    s.pmap.enter(va, pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_READ);
    const r = walk(s.w, s.pmap.cr3, 4, va)!;
    expect(r.refs).toBe(4);
    for (const e of r.upper) expect(e & ~ADDR).toBe(P | RW | US | A | D);
    expect(r.pte & ADDR).toBe(BigInt(pa));
    expect(r.pte & ~ADDR).toBe(P | RW | US | A | XD);    // no D after a read fault, not executable, not global
    expect(r.pte & G).toBe(0n);
    expect(s.phys.tableFrames).toBe(4);
    expect(walk(s.w, s.pmap.cr3, 4, va + 4096)).toBeUndefined();
    expect(s.pmap.extract(va + 0x123)).toEqual({ pa: pa + 0x123, prot: 3, referenced: true, modified: false });
  });

  it("maps protections: read-only has no R/W, executable has no XD, a write fault sets D", () => {
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ | VM_PROT_EXECUTE, false);
    s.pmap.enter(0x11000, 0x21000, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_WRITE);
    s.pmap.enter(0x12000, 0x22000, VM_PROT_READ, false);
    const bits = (va: number) => walk(s.w, s.pmap.cr3, 4, va)!.pte & ~ADDR;
    expect(bits(0x10000)).toBe(P | US | A);
    expect(bits(0x11000)).toBe(P | RW | US | A | D | XD);
    expect(bits(0x12000)).toBe(P | US | A | XD);
    expect(s.pmap.extract(0x10000)!.prot).toBe(VM_PROT_READ | VM_PROT_EXECUTE);
    expect(s.pmap.extract(0x12000)!.prot).toBe(VM_PROT_READ);
  });

  it("enter invalidates only when a present entry changes frame or loses rights (Linux's x86 rules)", () => {
    s.pmap.activate();
    const n0 = s.ops.length;
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, false);                       // new: nothing
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ | VM_PROT_WRITE, false);       // upgrade: nothing
    expect(s.ops.length).toBe(n0);
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, false);                       // loses R/W
    s.pmap.enter(0x10000, 0x21000, VM_PROT_READ, false);                       // new frame (COW break)
    expect(s.ops.slice(n0)).toEqual([["invlpg", 0x10000], ["invlpg", 0x10000]]);
    expect(s.pmap.stats.flushes).toBe(1 + 2);
  });

  it("ranges: one INVLPG per page up to 33 pages, a CR3 reload (own PCID, flushing) beyond", () => {
    s.pmap.activate();
    for (let i = 0; i < 40; i++) s.pmap.enter(0x100000 + i * 4096, 0x200000 + i * 4096, VM_PROT_READ | VM_PROT_WRITE, false);
    let n0 = s.ops.length;
    s.pmap.protect(0x100000, 0x100000 + 33 * 4096, VM_PROT_READ);
    expect(s.ops.slice(n0)).toEqual(Array.from({ length: 33 }, (_, i) => ["invlpg", 0x100000 + i * 4096]));
    n0 = s.ops.length;
    s.pmap.protect(0x100000, 0x100000 + 34 * 4096, VM_PROT_READ | VM_PROT_EXECUTE);
    expect(s.ops.slice(n0)).toEqual([["cr3", s.pmap.cr3]]);
    expect(walk(s.w, s.pmap.cr3, 4, 0x100000)!.pte & (RW | XD)).toBe(0n);
  });

  it("frees page-table pages that become empty; INVLPG covers the paging-structure caches", () => {
    s.pmap.activate();
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, false);
    s.pmap.enter(0x40000000, 0x21000, VM_PROT_READ, false);
    expect(s.phys.tableFrames).toBe(6);   // root, PDPT, 2 PDs, 2 PTs
    const n0 = s.ops.length;
    s.pmap.remove(0x40000000, 0x40001000);
    expect(s.phys.tableFrames).toBe(4);
    expect(s.ops.slice(n0)).toEqual([["invlpg", 0x40000000]]);
    expect(walk(s.w, s.pmap.cr3, 4, 0x40000000)).toBeUndefined();
    expect(s.pmap.extract(0x10000)!.pa).toBe(0x20000);
  });

  it("a change to an inactive address space marks it stale: its next CR3 load flushes", () => {
    const other = new X86Pmap(s.ctx, s.mmu);
    expect(other.pcid).not.toBe(s.pmap.pcid);
    s.pmap.activate();
    other.activate();
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ | VM_PROT_WRITE, false);
    other.activate();
    const n0 = s.ops.length;
    s.pmap.protect(0x10000, 0x11000, VM_PROT_READ);       // s.pmap is not current: no INVLPG
    expect(s.ops.length).toBe(n0);
    s.pmap.activate();
    other.activate();
    expect(s.ops.slice(n0)).toEqual([["cr3", s.pmap.cr3], ["cr3", other.cr3 | NOFLUSH]]);
  });

  it("reads and clears A/D through the pv list; clearing A does not invalidate, clearing D does", () => {
    s.pmap.activate();
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x10000);
    s.pmap.enter(0x10000, page.pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_WRITE);
    s.pmap.enter(0x20000, page.pa, VM_PROT_READ, false, VM_PROT_READ);
    expect(page.pv).toHaveLength(2);
    expect(s.pmap.isModified(page)).toBe(true);
    let n0 = s.ops.length;
    s.pmap.clearModify(page);
    expect(s.ops.slice(n0)).toEqual([["invlpg", 0x10000]]);
    expect(s.pmap.isModified(page)).toBe(false);
    expect(s.pmap.isReferenced(page)).toBe(true);
    n0 = s.ops.length;
    s.pmap.clearReference(page);
    expect(s.ops.length).toBe(n0);
    expect(s.pmap.isReferenced(page)).toBe(false);
    s.pmap.pageProtect(page, VM_PROT_READ);
    expect(s.pmap.extract(0x10000)!.prot).toBe(VM_PROT_READ);
    s.pmap.pageProtect(page, 0);
    expect(page.pv).toHaveLength(0);
    expect(s.pmap.extract(0x20000)).toBeUndefined();
  });

  it("collect drops unwired translations and tables; destroy frees the root and INVPCIDs its PCID", () => {
    s.pmap.activate();
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, true);
    s.pmap.enter(0x40000000, 0x21000, VM_PROT_READ, false);
    s.pmap.collect();
    expect(s.pmap.extract(0x10000)).toBeDefined();
    expect(s.pmap.extract(0x40000000)).toBeUndefined();
    expect(s.phys.tableFrames).toBe(4);
    s.pmap.destroy();
    expect(s.phys.tableFrames).toBe(0);
    expect(s.ops.at(-1)).toEqual(["invpcid", 1, s.pmap.pcid]);
  });

  it("is walked by the hardware walker: a load sees the mapped frame, with the A/D the hardware sets", () => {
    const code = 0x10000, data = 0x20000, codePa = 0x30000, dataPa = 0x31000;
    s.w.writePhys64(dataPa + 8, 0x1122334455667788n);
    const insns = [
      0x000202b7,   // lui t0, 0x20
      0x0082b303,   // ld t1, 8(t0)
      0x0062b823,   // sd t1, 16(t0)
      0x00100073,   // ebreak
    ];
    insns.forEach((v, i) => s.w.phys(codePa + 4 * i, 4).set(new Uint8Array(new Uint32Array([v]).buffer)));
    s.pmap.enter(code, codePa, VM_PROT_READ | VM_PROT_EXECUTE, false);
    s.pmap.enter(data, dataPa, VM_PROT_READ | VM_PROT_WRITE, false);
    s.pmap.activate();
    s.w.pc = BigInt(code);
    expect(s.w.run(100n)).toBe(s.w.layout.EXIT_BREAKPOINT);
    expect(s.w.getX(6)).toBe(0x1122334455667788n);
    expect(s.w.readPhys64(dataPa + 16)).toBe(0x1122334455667788n);
    expect(s.pmap.extract(data)!.modified).toBe(true);
    // Code, data, then the store's walk to set D (the entry was clean): every upper entry already has A.
    const L = s.w.layout;
    expect(s.w.counter(L.C_WALKS)).toBe(3n);
    expect(s.w.counter(L.C_AD_UPDATES)).toBe(1n);
  });
});

describe("X86Pmap (5-level, LA57)", () => {
  it("sets CR4.LA57 and writes five levels", () => {
    const s = setup(X86_64_LA57);
    expect(s.ops[0]).toEqual(["cr4", (1n << 12n) | (1n << 17n)]);
    const va = 0x7fff_ffff_f000;
    s.pmap.enter(va, 0x40000, VM_PROT_READ, false);
    const r = walk(s.w, s.pmap.cr3, 5, va)!;
    expect(r.refs).toBe(5);
    expect(r.upper).toHaveLength(4);
    expect(s.phys.tableFrames).toBe(5);
    expect(s.pmap.userTop).toBe(2 ** 47);
  });
});

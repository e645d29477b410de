import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { RiscvMmu, SV39, SV48 } from "../../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../../src/arch/riscv/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 4 * 1024 * 1024;

/** An independent software walk of the riscv privileged spec's tables: returns the leaf PTE and level. */
function walk(w: WasmMachine, satp: bigint, va: number): { pte: bigint; level: number; refs: number } | undefined {
  const mode = Number(satp >> 60n);
  const levels = mode === 8 ? 3 : mode === 9 ? 4 : 0;
  let table = Number(satp & ((1n << 44n) - 1n)) * 4096;
  let refs = 0;
  for (let level = levels - 1; level >= 0; level--) {
    const idx = Math.floor(va / 2 ** (12 + 9 * level)) % 512;
    const pte = w.readPhys64(table + 8 * idx);
    refs++;
    if ((pte & 1n) === 0n) return undefined;
    if ((pte & 0xEn) !== 0n) return { pte, level, refs };
    expect(pte & 0xF0n).toBe(0n);   // non-leaf: U, G, A, D clear
    table = Number(pte >> 10n) * 4096;
  }
  return undefined;
}

function setup(format = SV39) {
  const w = new WasmMachine();
  w.init(RAM);
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa) }, new RiscvMmu(w, format));
  return { w, phys, vm, pmap };
}

describe("RiscvPmap (Sv39)", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("builds satp from mode, ASID and root PPN", () => {
    expect(s.pmap.satp >> 60n).toBe(8n);
    expect((s.pmap.satp >> 44n) & 0xFFFFn).toBe(BigInt(s.pmap.asid));
    expect(Number(s.pmap.satp & 0xFFFFFFFFFFFn) * 4096).toBe(s.pmap.root);
    expect(s.phys.tableFrames).toBe(1);
  });

  it("writes three-level tables a software walk decodes", () => {
    const va = 0x3f_ffff_e000, pa = 0x12000;
    s.pmap.enter(va, pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_READ);
    const r = walk(s.w, s.pmap.satp, va)!;
    expect(r.level).toBe(0);
    expect(r.refs).toBe(3);
    expect(Number(r.pte >> 10n) * 4096).toBe(pa);
    const bits = Number(r.pte & 0x3FFn);
    expect(bits & 0xFF).toBe(0x1 | 0x2 | 0x4 | 0x10 | 0x40);   // V R W U A, D clear after a read fault
    expect(s.phys.tableFrames).toBe(3);
    expect(walk(s.w, s.pmap.satp, va + 4096)).toBeUndefined();
    expect(s.pmap.extract(va + 0x123)).toEqual({ pa: pa + 0x123, prot: 3, referenced: true, modified: false });
  });

  it("maps protections to R/W/X bits (write implies read) and sets D on write faults", () => {
    s.pmap.enter(0x10000, 0x20000, VM_PROT_EXECUTE, false);
    s.pmap.enter(0x11000, 0x21000, VM_PROT_READ | VM_PROT_EXECUTE, false);
    s.pmap.enter(0x12000, 0x22000, VM_PROT_WRITE, false, VM_PROT_WRITE);
    expect(Number(walk(s.w, s.pmap.satp, 0x10000)!.pte & 0xEn)).toBe(0x8);
    expect(Number(walk(s.w, s.pmap.satp, 0x11000)!.pte & 0xEn)).toBe(0xA);
    const w = walk(s.w, s.pmap.satp, 0x12000)!.pte;
    expect(Number(w & 0xEn)).toBe(0x6);
    expect(w & 0x80n).toBe(0x80n);
    // The three share one leaf table.
    expect(s.phys.tableFrames).toBe(3);
  });

  it("flushes by va after every enter and by va+asid after remove/protect", () => {
    const L = s.w.layout;
    const f0 = s.w.counter(L.C_FLUSHES);
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, false);
    expect(s.w.counter(L.C_FLUSHES) - f0).toBe(1n);
    s.pmap.enter(0x11000, 0x21000, VM_PROT_READ, false);
    s.pmap.protect(0x10000, 0x12000, VM_PROT_READ | VM_PROT_WRITE);
    expect(s.w.counter(L.C_FLUSHES) - f0).toBe(4n);
    expect(s.pmap.extract(0x11000)!.prot).toBe(VM_PROT_READ | VM_PROT_WRITE);
    s.pmap.remove(0x10000, 0x11000);
    expect(s.w.counter(L.C_FLUSHES) - f0).toBe(5n);
    expect(s.pmap.extract(0x10000)).toBeUndefined();
    expect(s.pmap.extract(0x11000)).toBeDefined();
  });

  it("frees page-table pages that become empty, and flushes the whole ASID then", () => {
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, false);
    s.pmap.enter(0x4000_0000, 0x21000, VM_PROT_READ, false);   // another level-2 slot: two more tables
    expect(s.phys.tableFrames).toBe(5);
    s.pmap.remove(0, 0x2000_0000);
    expect(s.phys.tableFrames).toBe(3);
    expect(walk(s.w, s.pmap.satp, 0x4000_0000)).toBeDefined();
    s.pmap.remove(0, s.pmap.userTop);
    expect(s.phys.tableFrames).toBe(1);
    for (let i = 0; i < 512; i++) expect(s.w.readPhys64(s.pmap.root + 8 * i)).toBe(0n);
  });

  it("collect drops unwired translations and tables; destroy frees the root", () => {
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, true);
    s.pmap.enter(0x200000, 0x21000, VM_PROT_READ, false);
    s.pmap.collect();
    expect(s.pmap.extract(0x10000)).toBeDefined();
    expect(s.pmap.extract(0x200000)).toBeUndefined();
    s.pmap.destroy();
    expect(s.phys.tableFrames).toBe(0);
  });

  it("reads and clears referenced/modified through the pv list", () => {
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x10000);
    s.pmap.enter(0x10000, page.pa, VM_PROT_READ | VM_PROT_WRITE, false, VM_PROT_WRITE);
    s.pmap.enter(0x20000, page.pa, VM_PROT_READ, false, VM_PROT_READ);
    expect(page.pv).toHaveLength(2);
    expect(s.pmap.isModified(page)).toBe(true);
    s.pmap.clearModify(page);
    expect(s.pmap.isModified(page)).toBe(false);
    expect(s.pmap.isReferenced(page)).toBe(true);
    s.pmap.clearReference(page);
    expect(s.pmap.isReferenced(page)).toBe(false);
    s.pmap.pageProtect(page, VM_PROT_READ);
    expect(s.pmap.extract(0x10000)!.prot).toBe(VM_PROT_READ);
    s.pmap.pageProtect(page, 0);
    expect(page.pv).toHaveLength(0);
    expect(s.pmap.extract(0x20000)).toBeUndefined();
  });

  it("is walked by the hardware walker: a load through the TLB sees the mapped frame", () => {
    // Map a code page that loads from a data page, then let the CPU run it.
    const code = 0x10000, data = 0x20000, codePa = 0x30000, dataPa = 0x31000;
    s.w.writePhys64(dataPa + 8, 0x1122334455667788n);
    const insns = [
      0x000202b7,   // lui t0, 0x20
      0x0082b303,   // ld t1, 8(t0)
      0x00100073,   // ebreak
    ];
    insns.forEach((v, i) => s.w.phys(codePa + 4 * i, 4).set(new Uint8Array(new Uint32Array([v]).buffer)));
    s.pmap.enter(code, codePa, VM_PROT_READ | VM_PROT_EXECUTE, false);
    s.pmap.enter(data, dataPa, VM_PROT_READ, false);
    s.pmap.activate();
    s.w.pc = BigInt(code);
    expect(s.w.run(100n)).toBe(s.w.layout.EXIT_BREAKPOINT);
    expect(s.w.getX(6)).toBe(0x1122334455667788n);
    expect(s.w.counter(s.w.layout.C_WALKS)).toBe(2n);
  });
});

describe("RiscvPmap (Sv48)", () => {
  it("uses four levels and mode 9", () => {
    const s = setup(SV48);
    expect(s.pmap.satp >> 60n).toBe(9n);
    const va = 0x7fff_ffff_f000;
    s.pmap.enter(va, 0x40000, VM_PROT_READ, false);
    const r = walk(s.w, s.pmap.satp, va)!;
    expect(r.refs).toBe(4);
    expect(s.phys.tableFrames).toBe(4);
  });
});

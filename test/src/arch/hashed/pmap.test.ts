import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { HashedMmu } from "../../../../src/arch/hashed/mmu.js";
import { HashedPmap } from "../../../../src/arch/hashed/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 4 * 1024 * 1024;
const V = 1n, R = 2n, W = 4n, X = 8n, REF = 0x40n, MOD = 0x80n;
const RW = VM_PROT_READ | VM_PROT_WRITE;
const bucket = (vpbn: number) => {
  const v = BigInt(vpbn);
  return Number((v ^ (v >> 9n) ^ (v >> 18n)) & 511n);
};

type Op = ["sfence", number, number, boolean, boolean] | ["table", number, number, number];

function setup(subblock = 16, maxAsid?: number) {
  const w = new WasmMachine();
  w.init(RAM);
  const ops: Op[] = [];
  const m = w as WasmMachine & Record<string, (...a: never[]) => unknown>;
  const orig = { sfenceVma: w.sfenceVma.bind(w), hashedSetTable: w.hashedSetTable.bind(w) };
  m.sfenceVma = (va: number, asid: number, byVa: boolean, byAsid: boolean) => { ops.push(["sfence", va, asid, byVa, byAsid]); orig.sfenceVma(va, asid, byVa, byAsid); };
  m.hashedSetTable = (pa: number, b: number, asid: number) => { ops.push(["table", pa, b, asid]); return orig.hashedSetTable(pa, b, asid); };
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new HashedMmu(w, subblock, maxAsid);
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const pmap = new HashedPmap(ctx, mmu);
  /** An independent walk: bucket head → chain → tag → word. Returns [word, nodes compared]. */
  const walk = (p: HashedPmap, va: number): [bigint, number] => {
    const vpbn = Math.floor(va / (4096 * subblock));
    let n = Number(w.readPhys64(p.root + 8 * bucket(vpbn)));
    let k = 0;
    while (n !== 0) {
      k++;
      if (w.readPhys64(n) === ((BigInt(vpbn) << 1n) | 1n)) return [w.readPhys64(n + 16 + 8 * (Math.floor(va / 4096) % subblock)), k];
      n = Number(w.readPhys64(n + 8));
    }
    return [0n, k];
  };
  return { w, phys, vm, mmu, ctx, pmap, ops, walk };
}

describe("HashedPmap", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("the pages of one block share one node; its words carry frame, V, rights, REF and MOD", () => {
    for (let i = 0; i < 16; i++) s.pmap.enter(0x100000 + i * 4096, 0x200000 + i * 4096, i % 2 ? RW : VM_PROT_READ | VM_PROT_EXECUTE, false, i === 3 ? VM_PROT_WRITE : 0);
    expect(s.pmap.machineCounters().cpt_nodes_live).toBe(1);
    expect(s.walk(s.pmap, 0x100000)).toEqual([0x200000n | V | R | X, 1]);
    expect(s.walk(s.pmap, 0x103000)[0]).toBe(0x203000n | V | R | W | REF | MOD);
    expect(s.phys.tableFrames).toBe(2);   // bucket heads, one frame of nodes
    s.pmap.enter(0x110000, 0x300000, VM_PROT_READ, false);
    expect(s.pmap.machineCounters().cpt_nodes_live).toBe(2);
    expect(s.pmap.extract(0x103010)).toEqual({ pa: 0x203010, prot: RW, referenced: true, modified: true });
  });

  // A null link ends a chain, so a node at physical address 0 would be lost: frame 0, freed with the first address
  // space, came back as a frame of nodes and a fork child faulted forever on its code page (fuzz seed 500 input 136).
  it("a frame of nodes at physical address 0 keeps its first slot unused: every node is found by the walk", () => {
    const other = new HashedPmap(s.ctx, s.mmu);            // frames 0 (s.pmap's heads) and 1 hold the two roots
    expect(s.pmap.root).toBe(0);
    s.pmap.destroy();                                       // frame 0 is free again
    for (let i = 0; i < 40; i++) other.enter(0x100000 + i * 65536, 0x200000 + i * 4096, VM_PROT_READ, false);
    for (let i = 0; i < 40; i++) expect(s.walk(other, 0x100000 + i * 65536)[0], `block ${i}`).toBe(BigInt(0x200000 + i * 4096) | V | R);
  });

  it("colliding blocks chain from one bucket, newest first; removing the last page of a block unlinks its node", () => {
    const a = 0x100000;
    const vpbn = a / 65536;
    let b = -1;
    for (let v = vpbn + 1; b < 0; v++) if (bucket(v) === bucket(vpbn)) b = v * 65536;
    s.pmap.enter(a, 0x200000, VM_PROT_READ, false);
    s.pmap.enter(b, 0x201000, VM_PROT_READ, false);
    expect(s.walk(s.pmap, b)[1]).toBe(1);
    expect(s.walk(s.pmap, a)[1]).toBe(2);
    expect(s.pmap.chainPosition(a)).toBe(2);
    s.pmap.remove(b, b + 4096);
    expect(s.walk(s.pmap, a)).toEqual([0x200000n | V | R, 1]);
    expect(s.walk(s.pmap, b)).toEqual([0n, 1]);
    expect(s.pmap.machineCounters().cpt_nodes_live).toBe(1);
  });

  it("a frame of nodes is freed once none of its nodes is in use", () => {
    const perFrame = Math.floor(4096 / (16 + 8 * 16));
    for (let i = 0; i <= perFrame; i++) s.pmap.enter(i * 65536 + 0x1000000, 0x200000, VM_PROT_READ, false);
    expect(s.phys.tableFrames).toBe(3);
    s.pmap.remove(0, 2 ** 47);
    expect(s.phys.tableFrames).toBe(1);
    expect(s.pmap.stats.tableFrames).toBe(1);
  });

  it("sfence.vma: after enter for the page; per page up to 64 pages, by ASID beyond", () => {
    s.pmap.activate();
    const n0 = s.ops.length;
    s.pmap.enter(0x100000, 0x200000, RW, false);
    expect(s.ops.slice(n0)).toEqual([["sfence", 0x100000, s.pmap.asid, true, true]]);
    for (let i = 1; i < 70; i++) s.pmap.enter(0x100000 + i * 4096, 0x200000, RW, false);
    let n1 = s.ops.length;
    s.pmap.protect(0x100000, 0x100000 + 64 * 4096, VM_PROT_READ);
    expect(s.ops.length - n1).toBe(64);
    n1 = s.ops.length;
    s.pmap.remove(0x100000, 0x100000 + 70 * 4096);
    expect(s.ops.slice(n1)).toEqual([["sfence", 0, s.pmap.asid, false, true]]);
  });

  it("ASID rollover starts a new generation and flushes everything; a stale space gets a new ASID when activated", () => {
    const t = setup(16, 3);
    const a = t.pmap, b = new HashedPmap(t.ctx, t.mmu), c = new HashedPmap(t.ctx, t.mmu);
    expect([a.asid, b.asid, c.asid]).toEqual([1, 2, 3]);
    const n0 = t.ops.length;
    const d = new HashedPmap(t.ctx, t.mmu);
    expect(t.ops.slice(n0)).toEqual([["sfence", 0, 0, false, false]]);
    expect(d.asid).toBe(1);
    expect(t.mmu.asids.rollovers).toBe(1);
    a.activate();                         // old generation: a new ASID
    expect(a.asid).toBe(2);
    expect(t.ops.at(-1)).toEqual(["table", a.root, 9, 2]);
    d.activate();                         // current generation: keeps its ASID
    expect(d.asid).toBe(1);
  });

  it("R/M bookkeeping through pv lists; collect keeps wired pages; a bad subblock factor is rejected", () => {
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x100000);
    s.pmap.enter(0x100000, page.pa, RW, false, VM_PROT_WRITE);
    expect(s.pmap.isModified(page)).toBe(true);
    s.pmap.clearModify(page);
    expect(s.pmap.isModified(page)).toBe(false);
    expect(s.pmap.isReferenced(page)).toBe(true);
    s.pmap.pageProtect(page, VM_PROT_READ);
    expect(s.pmap.extract(0x100000)!.prot).toBe(VM_PROT_READ);
    s.pmap.enter(0x200000, 0x300000, RW, true);
    s.pmap.collect();
    expect(s.pmap.extract(0x100000)).toBeUndefined();
    expect(page.pv.length).toBe(0);
    expect(s.pmap.extract(0x200000)).toBeDefined();
    expect(() => setup(3)).toThrow(/subblock factor 3/);
    expect(() => setup(128)).toThrow(/subblock factor 128/);
  });

  it("subblock factor 1 is a plain hashed page table: one node per page", () => {
    const t = setup(1);
    for (let i = 0; i < 4; i++) t.pmap.enter(0x100000 + i * 4096, 0x200000, VM_PROT_READ, false);
    expect(t.pmap.machineCounters().cpt_nodes_live).toBe(4);
    expect(t.walk(t.pmap, 0x103000)[0]).toBe(0x200000n | V | R);
  });
});

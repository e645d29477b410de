// Copy-on-write through shadow objects on a real Sv39 pmap: fork by inheritance, copy-up on write, the zero page,
// collapse after the copies go away, shared inheritance, virtual copies of ranges, MADV_DONTNEED after a fork.

import { describe, expect, it } from "vitest";
import { WasmMachine } from "../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { VmMap, VmMapEntry } from "../../../src/vm/vm_map.js";
import { UserMemory } from "../../../src/vm/uaccess.js";
import { RiscvMmu, SV39 } from "../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../src/arch/riscv/pmap.js";
import { VM_PROT_ALL, VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";

const P = 4096, RAM = 16 * 1024 * 1024;
const BASE = 0x10_0000;

function machine(ram = RAM) {
  const w = new WasmMachine();
  w.init(ram);
  const phys = new PhysAllocator(w, ram);
  const vm = new VmSystem(phys, false);
  const mmu = new RiscvMmu(w, SV39);
  const space = () => {
    const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa) }, mmu);
    const map = new VmMap(vm, pmap, 0x1000, 1 << 30);
    return { map, um: new UserMemory(map, w) };
  };
  return { w, phys, vm, space };
}

function anon(map: VmMap, start: number, pages: number, inh: "copy" | "share" | "none" = "copy"): VmMapEntry {
  const obj = map.vm.objectAllocate(pages * P);
  obj.shared = inh === "share";
  const e = new VmMapEntry(start, start + pages * P, obj, 0, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, inh);
  map.insert(e);
  return e;
}

const put = (um: UserMemory, va: number, s: string) => expect(um.copyout(va, new TextEncoder().encode(s))).toBe(true);
const get = (um: UserMemory, va: number, n: number) => new TextDecoder().decode(um.copyin(va, n)!);

describe("copy-on-write", () => {
  it("fork copies no page until one is written, then exactly that page", () => {
    const m = machine();
    const a = m.space();
    anon(a.map, BASE, 16);
    for (let i = 0; i < 16; i++) put(a.um, BASE + i * P, `page ${i}`);
    const frames = m.phys.userFrames;
    const b = m.space();
    a.map.fork(b.map);
    expect(m.phys.userFrames).toBe(frames);
    for (let i = 0; i < 16; i++) expect(get(b.um, BASE + i * P, `page ${i}`.length)).toBe(`page ${i}`);
    expect(m.phys.userFrames).toBe(frames);          // reads share the parent's frames
    expect(m.vm.stats.cowCopies).toBe(0);
    put(b.um, BASE + 3 * P, "child!");
    expect(m.vm.stats.cowCopies).toBe(1);
    expect(m.phys.userFrames).toBe(frames + 1);
    expect(get(a.um, BASE + 3 * P, 6)).toBe("page 3");
    put(a.um, BASE + 3 * P, "parent");
    expect(get(b.um, BASE + 3 * P, 6)).toBe("child!");
    expect(get(a.um, BASE + 3 * P, 6)).toBe("parent");
    // The parent's pmap lost write permission at fork: its first write faulted and copied (or collapsed).
    expect(a.map.pmap.extract(BASE + 3 * P)!.prot & VM_PROT_WRITE).toBe(VM_PROT_WRITE);
    expect(a.map.pmap.extract(BASE + 4 * P)!.prot & VM_PROT_WRITE).toBe(0);
  });

  it("fork of a 64 MiB address space copies no page until written; 20 forks and exits leave the chain collapsed", () => {
    const m = machine(160 * 1024 * 1024);
    const a = m.space();
    const pages = 16384;
    const e = anon(a.map, BASE, pages);
    const one = new Uint8Array([7]);
    for (let i = 0; i < pages; i++) expect(a.um.copyout(BASE + i * P, one)).toBe(true);
    const frames = m.phys.userFrames;
    for (let gen = 0; gen < 20; gen++) {
      const b = m.space();
      a.map.fork(b.map);
      expect(m.phys.userFrames - frames).toBeLessThanOrEqual(3 * gen);   // nothing copied by the fork itself
      const before = m.vm.stats.cowCopies;
      put(b.um, BASE + gen * P, "child");
      put(a.um, BASE + (gen + 1) * P, "parent");
      expect(m.vm.stats.cowCopies - before).toBe(2);                   // exactly the two pages written
      b.map.deallocate();
      expect(e.object!.chainLength).toBeLessThanOrEqual(2);
    }
    expect(m.vm.stats.virtualCopyPages).toBe(20 * pages);
    expect(e.object!.chainLength).toBe(1);
    expect(m.phys.userFrames).toBe(frames);                            // every copy freed or merged back
  });

  it("reads of untouched memory share the zero page; a write gets its own page", () => {
    const m = machine();
    const a = m.space();
    anon(a.map, BASE, 4);
    expect(get(a.um, BASE, 4)).toBe("\0\0\0\0");
    expect(get(a.um, BASE + P, 4)).toBe("\0\0\0\0");
    const z = a.map.pmap.extract(BASE)!;
    expect(a.map.pmap.extract(BASE + P)!.pa).toBe(z.pa);
    expect(z.prot & VM_PROT_WRITE).toBe(0);
    put(a.um, BASE, "x");
    expect(a.map.pmap.extract(BASE)!.pa).not.toBe(z.pa);
    expect(get(a.um, BASE + P, 1)).toBe("\0");
    expect(m.vm.stats.zeroPageMaps).toBe(2);
  });

  it("chains stay short after many forks and exits (collapse)", () => {
    const m = machine();
    const a = m.space();
    const e = anon(a.map, BASE, 8);
    for (let i = 0; i < 8; i++) put(a.um, BASE + i * P, `v0`);
    for (let gen = 1; gen <= 50; gen++) {
      const b = m.space();
      a.map.fork(b.map);
      put(b.um, BASE + (gen % 8) * P, "cc");
      put(a.um, BASE + ((gen + 1) % 8) * P, `v${gen % 10}`);
      expect(get(b.um, BASE + (gen % 8) * P, 2)).toBe("cc");
      b.map.deallocate();
      expect(e.object!.chainLength).toBeLessThanOrEqual(2);
    }
    expect(e.object!.chainLength).toBe(1);
    expect(m.vm.stats.collapses).toBeGreaterThan(0);
    expect(m.vm.live.size).toBe(1);
    expect(m.phys.userFrames).toBe(8);   // the parent's pages, nothing left behind by 50 children
  });

  it("shares inherit-share memory and leaves out inherit-none memory", () => {
    const m = machine();
    const a = m.space();
    anon(a.map, BASE, 2, "share");
    anon(a.map, BASE + 4 * P, 2, "none");
    put(a.um, BASE, "before");
    const b = m.space();
    a.map.fork(b.map);
    expect(b.map.lookup(BASE + 4 * P)).toBeUndefined();
    put(b.um, BASE, "child");
    expect(get(a.um, BASE, 5)).toBe("child");
    put(a.um, BASE + P, "parent");
    expect(get(b.um, BASE + P, 6)).toBe("parent");
    expect(m.vm.stats.cowCopies).toBe(0);
  });

  it("copies a range by reference and copies pages only when written", () => {
    const m = machine();
    const a = m.space();
    anon(a.map, BASE, 64);
    anon(a.map, BASE + 128 * P, 64);
    for (let i = 0; i < 64; i++) put(a.um, BASE + i * P, `src ${i}`);
    const frames = m.phys.userFrames;
    a.map.copyRange(BASE, 64 * P, a.map, BASE + 128 * P);
    expect(m.phys.userFrames).toBe(frames);
    expect(get(a.um, BASE + 128 * P + 5 * P, 5)).toBe("src 5");
    put(a.um, BASE + 128 * P + 5 * P, "dst 5");
    put(a.um, BASE + 6 * P, "new 6");
    expect(get(a.um, BASE + 5 * P, 5)).toBe("src 5");
    expect(get(a.um, BASE + 128 * P + 6 * P, 5)).toBe("src 6");
    expect(m.vm.stats.cowCopies).toBe(2);
    expect(a.map.lookup(BASE + 128 * P)!.protection).toBe(VM_PROT_READ | VM_PROT_WRITE);
  });

  it("mprotect never lets a copy-on-write or zero page be written in place", () => {
    const m = machine();
    const a = m.space();
    anon(a.map, BASE, 4);
    put(a.um, BASE, "parent");
    expect(get(a.um, BASE + P, 1)).toBe("\0");              // the zero page, mapped read-only
    const b = m.space();
    a.map.fork(b.map);
    expect(get(b.um, BASE, 6)).toBe("parent");
    for (const map of [a.map, b.map]) {
      expect(map.protect(BASE, BASE + 4 * P, VM_PROT_READ)).toBe("ok");
      expect(map.protect(BASE, BASE + 4 * P, VM_PROT_READ | VM_PROT_WRITE | 4)).toBe("ok");
    }
    for (const va of [BASE, BASE + P]) {
      expect((b.map.pmap.extract(va)?.prot ?? 0) & VM_PROT_WRITE).toBe(0);
      expect((a.map.pmap.extract(va)?.prot ?? 0) & VM_PROT_WRITE).toBe(0);
    }
    put(b.um, BASE, "child!");
    put(b.um, BASE + P, "z");
    expect(get(a.um, BASE, 6)).toBe("parent");
    expect(get(a.um, BASE + P, 1)).toBe("\0");
  });

  it("MADV_DONTNEED after a fork reads zero, not the parent's data", () => {
    const m = machine();
    const a = m.space();
    anon(a.map, BASE, 4);
    put(a.um, BASE, "secret");
    const b = m.space();
    a.map.fork(b.map);
    put(b.um, BASE, "mine");
    b.map.dontneed(BASE, BASE + 4 * P);
    expect(get(b.um, BASE, 4)).toBe("\0\0\0\0");
    expect(get(a.um, BASE, 6)).toBe("secret");
  });
});

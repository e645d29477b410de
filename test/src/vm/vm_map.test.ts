import { beforeEach, describe, expect, it } from "vitest";
import { VmMap, VmMapEntry } from "../../../src/vm/vm_map.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { vmFault } from "../../../src/vm/vm_fault.js";
import type { Pmap, Translation } from "../../../src/vm/pmap.js";
import { VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";

const P = 4096;

/** A pmap that records calls and keeps translations in a Map. */
class FakePmap implements Pmap {
  readonly kind = "fake";
  readonly identity = false;
  readonly stats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly calls: string[] = [];
  readonly map = new Map<number, { pa: number; prot: number }>();
  activate(): void {}
  destroy(): void {}
  enter(va: number, pa: number, prot: number): void { this.calls.push(`enter ${va.toString(16)}`); this.map.set(va, { pa, prot }); }
  remove(s: number, e: number): void {
    this.calls.push(`remove ${s.toString(16)}-${e.toString(16)}`);
    for (const va of [...this.map.keys()]) if (va >= s && va < e) this.map.delete(va);
  }
  protect(s: number, e: number, prot: number): void {
    this.calls.push(`protect ${s.toString(16)}-${e.toString(16)} ${prot}`);
    for (const [va, t] of this.map) if (va >= s && va < e) t.prot = prot;
  }
  extract(va: number): Translation | undefined {
    const t = this.map.get(va - (va % P));
    return t && { pa: t.pa + (va % P), prot: t.prot, referenced: true, modified: true };
  }
  pageProtect(): void {}
  isModified(): boolean { return false; }
  clearModify(): void {}
  isReferenced(): boolean { return false; }
  clearReference(): void {}
  zeroPage(): void {}
  copyPage(): void {}
  collect(): void {}
}

const mem = { fillPhys(): void {}, phys: () => new Uint8Array(P) };

function setup() {
  const phys = new PhysAllocator(mem, 256 * P);
  const vm = new VmSystem(phys, false);
  const pmap = new FakePmap();
  const map = new VmMap(vm, pmap, 0x10000, 0x4000_0000);
  return { phys, vm, pmap, map };
}

function anon(s: ReturnType<typeof setup>, start: number, end: number, prot = VM_PROT_READ | VM_PROT_WRITE): VmMapEntry {
  const e = new VmMapEntry(start, end, s.vm.objectAllocate(end - start), 0, prot, VM_PROT_ALL, "copy");
  s.map.insert(e);
  return e;
}

describe("VmMap", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("keeps entries sorted and looks addresses up", () => {
    anon(s, 0x30000, 0x32000);
    anon(s, 0x10000, 0x12000);
    anon(s, 0x20000, 0x21000);
    expect(s.map.entries.map((e) => e.start)).toEqual([0x10000, 0x20000, 0x30000]);
    expect(s.map.lookup(0x10000)?.start).toBe(0x10000);
    expect(s.map.lookup(0x11fff)?.start).toBe(0x10000);
    expect(s.map.lookup(0x12000)).toBeUndefined();
    expect(s.map.lookup(0x20fff)?.start).toBe(0x20000);
    expect(s.map.lookup(0x31000)?.start).toBe(0x30000);
    expect(s.map.lookup(0x32000)).toBeUndefined();
    expect(s.map.lookup(0)).toBeUndefined();
  });

  it("refuses overlapping inserts", () => {
    anon(s, 0x10000, 0x12000);
    expect(() => anon(s, 0x11000, 0x13000)).toThrow(/overlaps/);
    expect(s.map.isFree(0x12000, 0x13000)).toBe(true);
    expect(s.map.isFree(0x11000, 0x13000)).toBe(false);
    expect(s.map.isFree(0x0, 0x1000)).toBe(false);   // below minAddress
  });

  it("looks up in O(log n): many entries", () => {
    for (let i = 0; i < 2000; i++) anon(s, 0x10000 + 2 * i * P, 0x10000 + (2 * i + 1) * P);
    for (let i = 0; i < 2000; i += 97) {
      expect(s.map.lookup(0x10000 + 2 * i * P + 5)?.start).toBe(0x10000 + 2 * i * P);
      expect(s.map.lookup(0x10000 + (2 * i + 1) * P)).toBeUndefined();
    }
  });

  it("splits an entry when unmapping its middle, sharing the object", () => {
    const e = anon(s, 0x10000, 0x18000);
    const obj = e.object!;
    s.map.remove(0x12000, 0x14000);
    expect(s.map.entries.map((x) => [x.start, x.end, x.offset])).toEqual([[0x10000, 0x12000, 0], [0x14000, 0x18000, 0x4000]]);
    expect(s.map.entries[1]!.object).toBe(obj);
    expect(obj.refCount).toBe(2);
    expect(s.pmap.calls).toContain("remove 12000-14000");
  });

  it("frees exactly the removed range's pages", () => {
    anon(s, 0x10000, 0x14000);
    for (let va = 0x10000; va < 0x14000; va += P) expect(vmFault(s.map, va, VM_PROT_WRITE)).toBe("ok");
    expect(s.phys.userFrames).toBe(4);
    s.map.remove(0x11000, 0x12000);
    expect(s.phys.userFrames).toBe(3);
    s.map.remove(0x10000, 0x14000);
    expect(s.phys.userFrames).toBe(0);
    expect(s.map.entries).toHaveLength(0);
  });

  it("changes protection of part of an entry, and merges it back", () => {
    anon(s, 0x10000, 0x14000);
    expect(s.map.protect(0x11000, 0x12000, VM_PROT_READ)).toBe("ok");
    expect(s.map.entries.map((x) => x.protection)).toEqual([3, 1, 3]);
    expect(s.pmap.calls).toContain("protect 11000-12000 1");
    expect(s.map.protect(0x11000, 0x12000, VM_PROT_READ | VM_PROT_WRITE)).toBe("ok");
    expect(s.map.entries).toHaveLength(1);
    expect(s.map.entries[0]!.object!.refCount).toBe(1);
  });

  it("refuses protect over holes and above the maximum", () => {
    anon(s, 0x10000, 0x12000);
    anon(s, 0x13000, 0x14000);
    expect(s.map.protect(0x10000, 0x14000, VM_PROT_READ)).toBe("no-entry");
    expect(s.map.protect(0x10000, 0x12000, VM_PROT_READ, true)).toBe("ok");
    expect(s.map.entries[0]!.maxProtection).toBe(VM_PROT_READ);
    expect(s.map.protect(0x10000, 0x12000, VM_PROT_READ | VM_PROT_WRITE)).toBe("protection-failure");
  });

  it("finds space at a free hint, else top-down below the limit", () => {
    anon(s, 0x3ff0_0000, 0x3fff_0000);
    expect(s.map.findSpace(0x2000, 0x50000, 0x3fff_0000)).toBe(0x50000);
    expect(s.map.findSpace(0x2000, 0x3ff0_1000, 0x3fff_0000)).toBe(0x3ff0_0000 - 0x2000);
    expect(s.map.findSpace(0x2000, 0, 0x3ff8_0000)).toBe(0x3ff0_0000 - 0x2000);   // limit inside an entry
    expect(s.map.findSpace(0x4000_0000, 0, 0x3fff_0000)).toBeUndefined();
  });

  it("resolves faults with Linux's access rules", () => {
    anon(s, 0x10000, 0x11000, VM_PROT_WRITE);
    anon(s, 0x20000, 0x21000, VM_PROT_EXECUTE);
    anon(s, 0x30000, 0x31000, VM_PROT_READ);
    expect(vmFault(s.map, 0x10010, VM_PROT_READ)).toBe("ok");     // write implies read
    expect(vmFault(s.map, 0x20000, VM_PROT_READ)).toBe("accerr"); // execute-only
    expect(vmFault(s.map, 0x20000, VM_PROT_EXECUTE)).toBe("ok");
    expect(vmFault(s.map, 0x30000, VM_PROT_WRITE)).toBe("accerr");
    expect(vmFault(s.map, 0x40000, VM_PROT_READ)).toBe("maperr");
    // Reads of untouched anonymous memory map the shared zero page; the first write gets a page of its own.
    expect(s.vm.stats.zeroPageMaps).toBe(2);
    expect(s.vm.stats.zeroFills).toBe(0);
    expect(vmFault(s.map, 0x10000, VM_PROT_WRITE)).toBe("ok");
    expect(s.vm.stats.zeroFills).toBe(1);
    expect(s.pmap.map.get(0x10000)!.pa).not.toBe(s.pmap.map.get(0x20000)!.pa);
    expect(vmFault(s.map, 0x10000, VM_PROT_WRITE)).toBe("ok");
    expect(s.vm.stats.softFaults).toBe(3);   // two zero-page maps and this refault made no page
  });

  it("wipe-on-fork: the child gets the range empty (and keeps the flag), the parent keeps its pages", () => {
    anon(s, 0x10000, 0x14000);
    expect(vmFault(s.map, 0x11000, VM_PROT_WRITE)).toBe("ok");
    s.map.setWipeOnFork(0x11000, 0x13000, true);
    expect(s.map.entries.map((e) => e.wipeOnFork)).toEqual([false, true, false]);
    const child = new VmMap(s.vm, new FakePmap(), 0x10000, 0x4000_0000);
    s.map.fork(child);
    const wiped = child.lookup(0x11000)!;
    expect([wiped.start, wiped.end, wiped.object, wiped.wipeOnFork]).toEqual([0x11000, 0x13000, null, true]);
    expect(child.lookup(0x10000)!.object).toBe(s.map.lookup(0x10000)!.object);
    expect(s.map.lookup(0x11000)!.object!.residentCount).toBe(1);
    s.map.setWipeOnFork(0x10000, 0x14000, false);
    expect(s.map.entries.some((e) => e.wipeOnFork)).toBe(false);
  });

  it("move and grow: an entry keeps its object at the new address; growth extends a sole anonymous object", () => {
    const e = anon(s, 0x10000, 0x12000);
    expect(vmFault(s.map, 0x10000, VM_PROT_WRITE)).toBe("ok");
    const obj = e.object!;
    s.map.move(0x10000, 0x2000, 0x20000);
    expect(s.map.lookup(0x10000)).toBeUndefined();
    expect(s.pmap.map.has(0x10000)).toBe(false);                 // the old translation is gone
    const moved = s.map.lookup(0x20000)!;
    expect(moved.object).toBe(obj);
    const grown = s.map.grow(0x22000, 0x3000);
    expect([grown.start, grown.end, grown.object, obj.size]).toEqual([0x20000, 0x25000, obj, 0x5000]);
    // Shared with a fork's child, the object cannot simply grow: the new part is an entry of its own.
    const child = new VmMap(s.vm, new FakePmap(), 0x10000, 0x4000_0000);
    s.map.fork(child);
    const tail = s.map.grow(0x25000, 0x1000);
    expect([tail.start, tail.end, tail.object]).toEqual([0x25000, 0x26000, null]);
    expect(obj.size).toBe(0x5000);
  });
});

describe("vm.max_map_count", () => {
  // Linux: a map holds at most 65530 entries; a split past that fails (ENOMEM from munmap, mprotect, madvise).
  // Without the limit a guest splitting one mapping page by page grew the host's memory without bound.
  it("a map of MAX_MAP_COUNT entries cannot split one more; the system-call layer turns that into ENOMEM", async () => {
    const { MAX_MAP_COUNT, MapCountExceeded } = await import("../../../src/vm/vm_map.js");
    expect(MAX_MAP_COUNT).toBe(65530);
    const s = setup();
    const big = new VmMap(s.vm, s.pmap, 0x10000, 2 ** 40);
    big.insert(new VmMapEntry(0x10000, 0x10000 + 2 * MAX_MAP_COUNT * P, null, 0, VM_PROT_READ, VM_PROT_ALL, "copy"));
    for (let k = 1; k < MAX_MAP_COUNT; k++) big.clip(0x10000 + 2 * k * P);
    expect(big.entries).toHaveLength(MAX_MAP_COUNT);
    big.clip(0x10000 + 2 * P);                                      // already a boundary: nothing to split
    expect(() => big.clip(0x10000 + P)).toThrow(MapCountExceeded);
    expect(() => big.protect(0x10000 + P, 0x10000 + 2 * P, VM_PROT_ALL)).toThrow(MapCountExceeded);
    expect(big.entries).toHaveLength(MAX_MAP_COUNT);
    expect(big.entries[0]!.protection).toBe(VM_PROT_READ);          // nothing changed
  });
});

describe("vm.max_map_count, from a guest (guest/src/zeropage.c split)", () => {
  it("mprotect splitting one mapping page by page fails with ENOMEM once the map holds 65530 entries", async () => {
    const { existsSync, readFileSync } = await import("node:fs");
    const { guestBin } = await import("../helpers/guest_cases.js");
    const { loadedMachine } = await import("../helpers/machine.js");
    if (!existsSync(guestBin("zeropage"))) return;
    const { m, io } = loadedMachine(new Uint8Array(readFileSync(guestBin("zeropage"))), { args: ["split", "1024"] });
    expect(m.run().exitCode).toBe(0);
    // Each split adds two entries (the PROT_NONE page and the rest); the program's own few entries come first.
    const n = Number(/^split 1024 MiB: mprotect (\d+) failed: Cannot allocate memory\n$/.exec(io.out)?.[1]);
    expect(n).toBeGreaterThan(32_700);
    expect(n).toBeLessThanOrEqual(65_530 / 2);
  });
});

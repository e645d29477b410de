// The page-out policies on worked reference strings whose fault counts are known, through the real page daemon on
// real frames: a Sv39 address space whose RAM is cut down so that exactly N frames are left for user pages (the page
// tables are made first), the daemon woken when no frame is free (free min 0, target 1: classic demand paging,
// one victim per fault once memory is full). A reference to page k is a read of it through the kernel's user-memory
// path: a page not resident faults (zero-filled the first time, read back from swap later); a resident page whose
// reference bit the policy cleared soft-faults, which sets the bit again as the hardware would. Faults counted are
// the pages made or read back: zero fills + page-ins.
//
// Expected counts (checked by hand, and by a ten-line simulation of each policy):
//   OSTEP ch. 22 (Fig. 22.2-22.6), 0 1 2 0 1 3 0 3 1 2 1 with 3 frames: FIFO 7, LRU 5, clock 7.
//   Belady's anomaly string 1 2 3 4 1 2 5 1 2 3 4 5: FIFO 9 with 3 frames but 10 with 4; LRU (a stack algorithm)
//   10 with 3 and 8 with 4.
//   A loop over n + 1 pages with n frames: LRU and FIFO miss on every reference.

import { describe, expect, it } from "vitest";
import { WasmMachine } from "../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { VmMap, VmMapEntry } from "../../../src/vm/vm_map.js";
import { UserMemory } from "../../../src/vm/uaccess.js";
import { ManualClock } from "../../../src/vm/pager.js";
import { PAGEOUT_POLICIES } from "../../../src/vm/pageout/index.js";
import { RiscvMmu, SV39 } from "../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../src/arch/riscv/pmap.js";
import { VM_PROT_ALL, VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";
import { chainPlace, madviseCold, madvisePageout, madviseWillneed, swappedPages } from "../../../src/vm/vm_residency.js";

const P = 4096, BASE = 0x40_0000, PAGES = 16;

/** A machine whose user pages get exactly `frames` frames, under `policy`. */
function machine(policy: string, frames: number, exact = false) {
  const w = new WasmMachine();
  w.init(1024 * 1024);
  const phys = new PhysAllocator(w, 1024 * 1024);
  const vm = new VmSystem(phys, false);
  vm.useZeroPage = false;            // every first touch makes a page (as a write would)
  const clock = new ManualClock();
  vm.enablePaging({ swapBytes: 64 * P, latency: { name: "test", read: 100, write: 100 }, policy, freeMin: 0, freeTarget: 1,
    exactReferences: exact }, clock);
  const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa) }, new RiscvMmu(w, SV39));
  const map = new VmMap(vm, pmap, 0x1000, 1 << 30);
  map.insert(new VmMapEntry(BASE, BASE + PAGES * P, vm.objectAllocate(PAGES * P), 0, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, "copy"));
  const um = new UserMemory(map, w);
  // Make the page tables of the window (its last page touched and kept: wired, out of the way; a pmap frees a
  // table that empties), then cut RAM down to `frames` free frames.
  expect(um.copyin(BASE + (PAGES - 1) * P, 1)).toBeDefined();
  map.lookup(BASE)!.object!.pageLookup((PAGES - 1) * P)!.wireCount++;
  while (phys.freeFrames > frames) phys.alloc("pagetable");
  const made = () => vm.stats.zeroFills + vm.stats.pagerFills;
  const base = made();
  return {
    vm, map, um, clock,
    /** References page k; returns whether it faulted (a page made or read back). */
    ref(k: number): boolean {
      const before = made();
      expect(um.copyin(BASE + k * P, 1)).toBeDefined();
      if (exact) {
        const e = map.lookup(BASE + k * P)!;
        vm.pageout!.reference(e.object!.pageLookup(k * P)!);   // the oracle: every reference reported
      }
      return made() > before;
    },
    get faults() { return made() - base; },
    resident(): number[] {
      const o = map.lookup(BASE)!.object!;
      return [...o.resident.values()].map((p) => p.offset / P).filter((k) => k < PAGES - 1).sort((a, b) => a - b);
    },
  };
}

function faults(policy: string, frames: number, refs: number[], exact = false): number {
  const m = machine(policy, frames, exact);
  for (const r of refs) m.ref(r);
  return m.faults;
}

const OSTEP = [0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1];
const BELADY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

describe("page-out policies on worked reference strings", () => {
  it("OSTEP's example with 3 frames: FIFO 7 faults, LRU 5, clock 7", () => {
    expect(faults("fifo", 3, OSTEP)).toBe(7);
    expect(faults("lru", 3, OSTEP, true)).toBe(5);
    expect(faults("clock", 3, OSTEP)).toBe(7);
    expect(faults("second-chance", 3, OSTEP)).toBe(7);
  });

  it("Belady's anomaly: FIFO faults more with 4 frames (10) than with 3 (9); LRU does not (10, then 8)", () => {
    expect(faults("fifo", 3, BELADY)).toBe(9);
    expect(faults("fifo", 4, BELADY)).toBe(10);
    expect(faults("lru", 3, BELADY, true)).toBe(10);
    expect(faults("lru", 4, BELADY, true)).toBe(8);
  });

  it("clock by hand on OSTEP's string: the hand's victims are 0, 1, 2, 3 and 1 2 0 stay", () => {
    // 0 1 2 fill the frames (bits set). 3: the hand clears 0, 1, 2 and comes back to 0: victim 0; 3 goes where 0
    // was, the hand at 1. 0: 1's bit is clear: victim 1, the hand at 2. 3 is resident. 1: victim 2, the hand at 3.
    // 2: 3, 0 and 1 were referenced since: all three cleared, then 3 is the victim. 1 is resident.
    const m = machine("clock", 3);
    const seen: number[][] = [];
    for (const r of OSTEP) { m.ref(r); seen.push(m.resident()); }
    expect(seen[5]).toEqual([1, 2, 3]);      // after 3: 0 went
    expect(seen[6]).toEqual([0, 2, 3]);      // after 0: 1 went
    expect(seen[8]).toEqual([0, 1, 3]);      // after 1: 2 went
    expect(seen[9]).toEqual([0, 1, 2]);      // after 2: 3 went
    expect(m.faults).toBe(7);
  });

  it("a loop over one page more than memory: LRU and FIFO miss every time, random keeps some", () => {
    const loop = Array.from({ length: 40 }, (_, i) => i % 4);
    expect(faults("lru", 3, loop, true)).toBe(40);
    expect(faults("fifo", 3, loop)).toBe(40);
    expect(faults("random", 3, loop)).toBeLessThan(40);
  });

  it("every policy keeps the data: pages come back from swap with their contents, under each policy", () => {
    for (const policy of Object.keys(PAGEOUT_POLICIES)) {
      const m = machine(policy, 4);
      const um = m.um;
      for (let k = 0; k < 10; k++) expect(um.copyout(BASE + k * P + 8, new Uint8Array([k + 1, 0xa5]))).toBe(true);
      for (let round = 0; round < 2; round++) {
        for (let k = 0; k < 10; k++) expect(Array.from(um.copyin(BASE + k * P + 8, 2)!), `${policy} page ${k}`).toEqual([k + 1, 0xa5]);
      }
      expect(m.vm.swapPager!.pageins, policy).toBeGreaterThan(0);
      expect(m.resident().length, policy).toBeLessThanOrEqual(4);
    }
  });

  it("wired pages are never taken", () => {
    const m = machine("clock", 3);
    m.ref(0);
    m.map.lookup(BASE)!.object!.pageLookup(0)!.wireCount++;
    for (const k of [1, 2, 3, 4, 5, 6, 1, 2, 3]) m.ref(k);
    expect(m.resident()).toContain(0);
    expect(m.resident().length).toBe(3);
  });
});

describe("residency: madvise PAGEOUT, COLD, WILLNEED and the swapped size", () => {
  it("PAGEOUT sends pages to swap now, WILLNEED starts reading them back without waiting, the data survives", () => {
    const m = machine("clock", 12);
    for (let k = 0; k < 6; k++) expect(m.um.copyout(BASE + k * P, new Uint8Array([k + 10]))).toBe(true);
    const e = m.map.lookup(BASE)!;
    madvisePageout(m.map, BASE, BASE + 4 * P);
    for (let k = 0; k < 6; k++) expect(chainPlace(e, BASE + k * P)!.swapped, `page ${k}`).toBe(k < 4);
    expect(swappedPages(m.map)).toBe(4);
    expect(m.vm.swapPager!.pageouts).toBe(4);
    madviseWillneed(m.map, BASE, BASE + 2 * P);                  // two reads queued on the device, nobody waits
    const p0 = chainPlace(e, BASE)!.page!;
    expect(p0.busy).toBe(true);
    while (m.clock.step());
    expect(p0.busy).toBe(false);
    expect(swappedPages(m.map)).toBe(2);                         // pages 0 and 1 are clean copies of their slots now
    for (let k = 0; k < 6; k++) expect(m.um.copyin(BASE + k * P, 1)![0]).toBe(k + 10);
    expect(m.vm.swapPager!.pageins).toBe(4);
  });

  it("COLD puts pages first in line: the next victims", () => {
    const m = machine("fifo", 4);
    for (const k of [0, 1, 2, 3]) m.ref(k);
    madviseCold(m.map, BASE + 3 * P, BASE + 4 * P);              // the newest page goes first instead of the oldest
    m.ref(4);
    expect(m.resident()).toEqual([0, 1, 2, 4]);
  });
});

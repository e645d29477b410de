// The pager contract (src/vm/pager.ts) with a pager written for the test, as a user-level pager would be: answers
// that come later (data_provided on a clock), data_unavailable, data_error (the fault fails), prefetch (more pages
// than asked), lock_request with a lock the kernel honours until data_unlock is answered, clean and flush, and the
// cache attribute keeping an object's pages after its last reference.

import { describe, expect, it } from "vitest";
import { WasmMachine } from "../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { VmMap, VmMapEntry } from "../../../src/vm/vm_map.js";
import { vmFault } from "../../../src/vm/vm_fault.js";
import type { VmObject } from "../../../src/vm/vm_object.js";
import { ManualClock, type MemoryObjectControl, type Pager } from "../../../src/vm/pager.js";
import { RiscvMmu, SV39 } from "../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../src/arch/riscv/pmap.js";
import { VM_PROT_ALL, VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";

const P = 4096, BASE = 0x40_0000;

/** A pager holding `pages` pages of bytes 1, 2, 3 …; it answers after `delay` cycles, two pages per request. */
class TestPager implements Pager {
  readonly name = "test pager";
  readonly written = new Map<number, Uint8Array>();
  requests = 0;
  unlocks = 0;
  terminated = false;
  constructor(private readonly clock: ManualClock, private readonly pages: number, private readonly delay: bigint) {}
  dataRequest(obj: VmObject, control: MemoryObjectControl, offset: number, length: number): void {
    this.requests++;
    this.clock.at(this.clock.now() + this.delay, () => {
      if (offset / P >= this.pages) { control.dataError(obj, offset, length, 5); return; }
      if (offset / P === this.pages - 1) { control.dataUnavailable(obj, offset, length); return; }
      const n = Math.min(2, this.pages - 1 - offset / P);            // prefetch: one page more than asked
      const data = new Uint8Array(n * P);
      for (let i = 0; i < n; i++) data.fill(offset / P + i + 1, i * P, (i + 1) * P);
      control.dataProvided(obj, offset, data);
    });
  }
  dataWrite(_obj: VmObject, offset: number, data: Uint8Array): void { this.written.set(offset, data.slice()); }
  dataUnlock(obj: VmObject, offset: number, length: number): void {
    this.unlocks++;
    control!.lockRequest(obj, offset, length, false, false, 0);
  }
  terminate(): void { this.terminated = true; }
}
let control: MemoryObjectControl | undefined;

function setup(pages = 4) {
  const w = new WasmMachine();
  w.init(1024 * 1024);
  const phys = new PhysAllocator(w, 1024 * 1024);
  const vm = new VmSystem(phys, false);
  control = vm;
  const clock = new ManualClock();
  vm.enablePaging({ swapBytes: 0, latency: { name: "t", read: 1, write: 1 }, policy: "clock" }, clock);
  const pager = new TestPager(clock, pages, 500n);
  const obj = vm.objectAllocate(8 * P, pager);
  const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa) }, new RiscvMmu(w, SV39));
  const map = new VmMap(vm, pmap, 0x1000, 1 << 30);
  map.insert(new VmMapEntry(BASE, BASE + 8 * P, obj, 0, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, "share"));
  obj.shared = true;
  const byte = (k: number) => phys.view(obj.pageLookup(k * P)!.pa)[0];
  return { vm, clock, pager, obj, map, byte };
}

describe("the pager contract", () => {
  it("a fault that may sleep waits for data_provided, which brings a page more than asked", () => {
    const s = setup();
    expect(vmFault(s.map, BASE, VM_PROT_READ, false, true)).toBe("wait");
    const ready = s.vm.waitingFor!;
    expect(ready()).toBe(false);
    expect(vmFault(s.map, BASE, VM_PROT_READ, false, true)).toBe("wait");   // still busy: no second request
    expect(s.pager.requests).toBe(1);
    s.clock.step();
    expect(ready()).toBe(true);
    expect(vmFault(s.map, BASE, VM_PROT_READ, false, true)).toBe("ok");
    expect(s.byte(0)).toBe(1);
    expect(s.byte(1)).toBe(2);                                                // prefetched: no request for it
    expect(vmFault(s.map, BASE + P, VM_PROT_READ, false, true)).toBe("ok");
    expect(s.pager.requests).toBe(1);
  });

  it("a fault inside the kernel does not sleep: the answer is waited for; data_unavailable zero-fills", () => {
    const s = setup();
    expect(vmFault(s.map, BASE + 3 * P, VM_PROT_READ, true)).toBe("buserr");  // a pager that answers later cannot
    s.clock.step();                                                           // be hurried: the access fails
    expect(vmFault(s.map, BASE + 3 * P, VM_PROT_READ, false, true)).toBe("ok");   // its late answer: zeros
    expect(s.byte(3)).toBe(0);
  });

  it("data_error fails the faults waiting for the page (SIGBUS)", () => {
    const s = setup(2);
    expect(vmFault(s.map, BASE + 4 * P, VM_PROT_READ, false, true)).toBe("wait");
    s.clock.step();
    expect(vmFault(s.map, BASE + 4 * P, VM_PROT_READ, false, true)).toBe("buserr");
    expect(s.obj.pageLookup(4 * P)).toBeUndefined();
  });

  it("lock_request: a locked page refuses writes until the pager answers data_unlock; clean writes back, flush drops", () => {
    const s = setup();
    vmFault(s.map, BASE, VM_PROT_READ, false, true);
    s.clock.step();
    expect(vmFault(s.map, BASE, VM_PROT_WRITE, false, true)).toBe("ok");
    s.vm.lockRequest(s.obj, 0, P, true, false, VM_PROT_WRITE);               // clean it and lock it against writes
    expect(s.pager.written.get(0)?.[0]).toBe(1);
    expect(s.map.pmap.extract(BASE)!.prot & VM_PROT_WRITE).toBe(0);
    expect(vmFault(s.map, BASE, VM_PROT_WRITE, false, true)).toBe("ok");     // data_unlock, answered at once
    expect(s.pager.unlocks).toBe(1);
    expect(s.map.pmap.extract(BASE)!.prot & VM_PROT_WRITE).toBe(VM_PROT_WRITE);
    s.vm.lockRequest(s.obj, 0, 2 * P, false, true, 0);                       // flush: the pages leave memory
    expect(s.obj.pageLookup(0)).toBeUndefined();
    expect(s.map.pmap.extract(BASE)).toBeUndefined();
  });

  it("cache: the object outlives its last reference with its pages, and is terminated when no longer cached", () => {
    const s = setup();
    vmFault(s.map, BASE, VM_PROT_READ, false, true);
    s.clock.step();
    s.vm.cache(s.obj, true);
    s.map.remove(BASE, BASE + 8 * P);
    expect(s.pager.terminated).toBe(false);
    expect(s.obj.pageLookup(0)).toBeDefined();
    s.vm.cache(s.obj, false);
    expect(s.pager.terminated).toBe(true);
    expect(s.obj.dead).toBe(true);
  });
});

// The VM's invariants, checked from outside (tests, and after runs): every translation a pmap holds agrees with
// the map entry, the object chain and the protection it caches; no frame is leaked or shared wrongly; shadow
// chains are bounded. Returns the problems found (empty when all hold); it changes nothing.

import type { Pmap } from "./pmap.js";
import type { VmMap } from "./vm_map.js";
import type { VmObject } from "./vm_object.js";
import type { VmPage } from "./vm_page.js";
import type { VmSystem } from "./vm_system.js";
import { PAGE_SIZE, VM_PROT_READ, VM_PROT_WRITE, hex } from "./vm_prot.js";

const CHECK_SPAN = 4 * 2 ** 30;

/**
 * The page the chain of map's entry resolves va to (undefined: none resident — zero, on swap or with a pager), and
 * where. A page on swap hides the objects below it, as a resident one does.
 */
function chainPage(map: VmMap, va: number): { page: VmPage | undefined; top: boolean } {
  const e = map.lookup(va)!;
  let o: VmObject | null = e.object, off = e.offset + (va - e.start);
  while (o) {
    const p = o.pageLookup(off);
    if (p) return { page: p, top: o === e.object };
    if (o.swapped(off)) break;
    off += o.shadowOffset;
    o = o.shadow;
  }
  return { page: undefined, top: false };
}

/**
 * Checks maps (every live address space) against their pmaps and the frame allocator. pmaps are every live pmap
 * (for page-table frames). maxChain bounds shadow chains.
 */
export function vmCheck(vm: VmSystem, maps: readonly VmMap[], pmaps: readonly Pmap[], maxChain: number): string[] {
  const bad: string[] = [];
  const writable = new Map<number, VmMap>();
  for (const map of maps) {
    for (const e of map.entries) {
      const n = e.object?.chainLength ?? 0;
      if (n > maxChain) bad.push(`chain of ${n} objects under ${e}`);
      if (e.object?.dead) bad.push(`entry ${e} refers to a dead object`);
      // A huge sparse entry is checked over its first CHECK_SPAN bytes only (no pmap can be enumerated cheaper).
      for (let va = e.start; va < Math.min(e.end, e.start + CHECK_SPAN); va += PAGE_SIZE) {
        const x = map.pmap.extract(va);
        if (!x) continue;
        const allowed = e.protection | (e.protection & VM_PROT_WRITE ? VM_PROT_READ : 0);
        if (map.pmap.identity) continue;   // translation off: frames sit at their own address, nothing to compare
        if (x.prot & ~allowed) bad.push(`${hex(va)}: translation allows ${x.prot}, entry ${e.protection}`);
        const { page, top } = chainPage(map, va);
        const frame = vm.pageOf(x.pa - (x.pa % PAGE_SIZE));
        if (page ? frame !== page : !vm.isZeroPage(frame)) bad.push(`${hex(va)}: translation to a frame the chain does not give`);
        if (x.prot & VM_PROT_WRITE) {
          if (!top || e.needsCopy || vm.isZeroPage(frame)) bad.push(`${hex(va)}: writable translation of a page not its own`);
          const other = writable.get(x.pa);
          if (other && other !== map && !frame?.object?.shared) bad.push(`${hex(va)}: private frame writable in two tasks`);
          writable.set(x.pa, map);
        }
      }
    }
    for (let i = 1; i < map.entries.length; i++) {
      if (map.entries[i - 1]!.end > map.entries[i]!.start) bad.push(`entries overlap at ${hex(map.entries[i]!.start)}`);
    }
  }
  let resident = 0, slots = 0;
  for (const o of vm.live) {
    slots += o.swapCount;
    if (o.dead) bad.push(`dead object ${o.id} still listed`);
    for (const p of o.resident.values()) if (p.object !== o) bad.push(`page of object ${o.id} names another owner`);
    resident += o.residentCount;
  }
  const zero = vm.stats.zeroPageMaps > 0 ? 1 : 0;
  if (vm.phys.userFrames !== resident + zero) {
    bad.push(`${vm.phys.userFrames} user frames allocated, ${resident + zero} held by objects (leak or double use)`);
  }
  if (vm.swapPager && vm.swapPager.used !== slots) bad.push(`${vm.swapPager.used} swap slots used, ${slots} held by objects`);
  if (vm.pageout && vm.pageout.queued !== resident) bad.push(`${vm.pageout.queued} pages on the page queues, ${resident} resident`);
  const tables = pmaps.reduce((s, p) => s + p.stats.tableFrames, 0);
  if (vm.phys.tableFrames !== tables) bad.push(`${vm.phys.tableFrames} page-table frames allocated, ${tables} in live pmaps`);
  return bad;
}

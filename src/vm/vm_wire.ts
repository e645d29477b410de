// Locking memory: the map operations behind mlock, munlock, mlockall, MAP_LOCKED and a locked mapping that mremap
// moves or grows (Mach's vm_map_wire / vm_map_unwire; Linux mm/mlock.c's mlock_fixup followed by populate). A locked
// entry carries a Wiring (vm_map.ts): the pages it wired, each holding one wireCount per entry that wires it, and
// its translations are entered wired, which a pmap's collect keeps. Rights and limits (RLIMIT_MEMLOCK, EPERM) are
// the system calls' business (bsd/sys_mlock.ts); holes are skipped here.

import { type VmMap, Wiring } from "./vm_map.js";
import { vmFaultWire } from "./vm_fault.js";
import { PAGE_SIZE } from "./vm_prot.js";

/**
 * Locks every entry of [start, end): marks it wired and, unless `onFault`, faults in and wires each page. Entries
 * already locked keep their wired pages (an MLOCK_ONFAULT lock becomes a full one, or the reverse, as Linux's
 * mlock_fixup rewrites the flags). Returns false when some page could not be faulted in (a file mapping beyond
 * the end of its file: Linux's mlock then fails with ENOMEM, the range staying locked).
 */
export function vmMapWire(map: VmMap, start: number, end: number, onFault: boolean): boolean {
  map.clip(start);
  map.clip(end);
  let ok = true;
  for (const e of map.overlapping(start, end)) {
    e.wiring = new Wiring(onFault, e.wiring?.pages ?? []);
    if (!onFault && !vmFaultWire(map, e, e.start, e.end)) ok = false;
  }
  map.simplify(start, end);
  return ok;
}

/** Unlocks every entry of [start, end): its pages lose this entry's wiring, its translations are entered unwired. */
export function vmMapUnwire(map: VmMap, start: number, end: number): void {
  map.clip(start);
  map.clip(end);
  for (const e of map.overlapping(start, end)) {
    const w = e.wiring;
    if (!w) continue;
    e.wiring = null;
    w.release();
    for (let va = e.start; va < e.end; va += PAGE_SIZE) {
      const t = map.pmap.extract(va);
      if (t) map.pmap.enter(va, t.pa, t.prot, false, 0);
    }
  }
  map.simplify(start, end);
}

/**
 * Enters the translations of the wired pages of [start, end) again (after mremap moved a locked mapping, whose pages
 * must stay mapped), and faults in what a full lock lacks there (the part a locked mapping grew by).
 */
export function vmMapRewire(map: VmMap, start: number, end: number): void {
  for (const e of map.overlapping(start, end)) {
    if (e.wiring && !e.wiring.onFault) vmFaultWire(map, e, Math.max(start, e.start), Math.min(end, e.end));
  }
}

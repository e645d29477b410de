// Residency operations on a range of a map, for madvise and /proc: which page the chain gives at an address and
// whether it is in a frame or on swap; MADV_PAGEOUT (reclaim now, through the pagers), MADV_COLD (first in line for
// the page daemon), MADV_WILLNEED (start the page-ins: a data_request to the pager, not waited for, whose answer may
// bring more pages than asked), and the swapped-out size of a map (VmSwap).

import type { VmMap, VmMapEntry } from "./vm_map.js";
import type { VmObject } from "./vm_object.js";
import type { VmPage } from "./vm_page.js";
import { PAGE_SIZE, VM_PROT_READ } from "./vm_prot.js";

/** Where the chain of `e` finds the page at va: resident (page), on swap or with a pager (obj, offset), or nowhere. */
export interface ChainPlace { page?: VmPage; obj?: VmObject; offset: number; swapped: boolean }

export function chainPlace(e: VmMapEntry, va: number): ChainPlace | undefined {
  let o: VmObject | null = e.object, off = e.offset + (va - e.start);
  while (o) {
    const p = o.pageLookup(off);
    if (p) return { page: p, obj: o, offset: off, swapped: false };
    if (o.swapped(off)) return { obj: o, offset: off, swapped: true };
    if (o.pager) return { obj: o, offset: off, swapped: false };
    off += o.shadowOffset;
    o = o.shadow;
  }
  return undefined;
}

/** The pages resident at each page of [start, end) that the map's entries reach through their chains. */
function* residentPages(map: VmMap, start: number, end: number): Generator<VmPage> {
  for (const e of map.overlapping(start, end)) {
    for (let va = Math.max(start, e.start); va < Math.min(end, e.end); va += PAGE_SIZE) {
      const p = chainPlace(e, va)?.page;
      if (p) yield p;
    }
  }
}

/** MADV_PAGEOUT: the range's resident pages that this map alone maps leave memory now (mm/madvise.c madvise_pageout). */
export function madvisePageout(map: VmMap, start: number, end: number): void {
  const daemon = map.vm.pageout;
  if (!daemon) return;
  for (const p of residentPages(map, start, end)) {
    if (map.vm.isZeroPage(p) || !daemon.evictable(p)) continue;
    if (p.pv.some((pv) => pv.pmap !== map.pmap)) continue;   // shared with another task: Linux leaves it
    daemon.reclaim(p);
  }
}

/** MADV_COLD: the range's resident pages go to the head of the inactive queue, their reference bits cleared. */
export function madviseCold(map: VmMap, start: number, end: number): void {
  const daemon = map.vm.pageout;
  if (!daemon) return;
  for (const p of residentPages(map, start, end)) {
    if (!p.queue || p.wireCount > 0) continue;
    p.referenced = false;
    map.pmap.clearReference(p);
    daemon.deactivate(p);
  }
}

/**
 * MADV_WILLNEED: asks the pagers for the range's pages that are not resident — one data_request per run of pages
 * of one object (the vnode pager answers with all of them: a prefetch), the default pager for pages on swap — while
 * frames are plentiful. Nothing waits: a later fault finds the page resident, or busy and on its way.
 */
export function madviseWillneed(map: VmMap, start: number, end: number): void {
  const vm = map.vm, daemon = vm.pageout;
  if (!daemon) return;
  for (const e of map.overlapping(start, end)) {
    let run: { obj: VmObject; from: number; to: number } | undefined;
    const flush = (): void => {
      if (run && run.obj.pager) run.obj.pager.dataRequest(run.obj, vm, run.from, run.to - run.from, VM_PROT_READ);
      run = undefined;
    };
    for (let va = Math.max(start, e.start); va < Math.min(end, e.end); va += PAGE_SIZE) {
      const at = chainPlace(e, va);
      if (!at?.obj || at.page) { flush(); continue; }
      if (vm.phys.freeFrames <= daemon.freeTarget + 1) break;
      if (at.swapped) {
        flush();
        const p = vm.pageAlloc(at.obj, at.offset, va);
        p.busy = true;
        daemon.deactivate(p);
        vm.swapPager!.dataRequest(at.obj, vm, at.offset, PAGE_SIZE);
        continue;
      }
      if (run && run.obj === at.obj && run.to === at.offset) run.to += PAGE_SIZE;
      else { flush(); run = { obj: at.obj, from: at.offset, to: at.offset + PAGE_SIZE }; }
    }
    flush();
  }
}

/** Pages of the map's entries that are on swap and not resident (VmSwap). */
export function swappedPages(map: VmMap): number {
  let n = 0;
  for (const e of map.entries) {
    let any = false;
    for (let o = e.object; o && !any; o = o.shadow) any = o.swapCount > 0;
    if (!any) continue;
    for (let va = e.start; va < e.end; va += PAGE_SIZE) if (chainPlace(e, va)?.swapped) n++;
  }
  return n;
}

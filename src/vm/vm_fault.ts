// Page-fault resolution (Mach vm_fault): map → entry → object → page. Checks the entry's protection against
// the access the way Linux's riscv access_error does (a load is allowed by read or write permission, a fetch
// needs execute, a store needs write), finds the resident page down the object's shadow chain or makes one
// (zero-fill, or the object's pager), copies it up on a write to a copy-on-write entry, and enters the
// translation into the pmap. Out of frames propagates as OutOfGuestMemory.

import type { VmMap, VmMapEntry } from "./vm_map.js";
import type { VmObject } from "./vm_object.js";
import type { VmPage } from "./vm_page.js";
import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, truncPage } from "./vm_prot.js";

/**
 * ok, or why the access fails: no mapping (SIGSEGV SEGV_MAPERR), not permitted (SEGV_ACCERR), or the object's
 * pager has no data there, e.g. a file mapping beyond the end of the file (SIGBUS BUS_ADRERR).
 */
export type FaultResult = "ok" | "maperr" | "accerr" | "buserr";

/** Does the entry's protection allow `access` (one of VM_PROT_READ/WRITE/EXECUTE)? */
export function accessAllowed(protection: number, access: number): boolean {
  if (access & VM_PROT_EXECUTE) return (protection & VM_PROT_EXECUTE) !== 0;
  if (access & VM_PROT_WRITE) return (protection & VM_PROT_WRITE) !== 0;
  return (protection & (VM_PROT_READ | VM_PROT_WRITE)) !== 0;
}

/** A page found for a fault; `writable` is false when it belongs to an object the entry must not write. */
interface FoundPage {
  page: VmPage;
  fresh: boolean;
  writable: boolean;
}

/** Makes (obj, offset) resident: zero-fill, or the pager's data; undefined when the pager has none. */
function pageIn(map: VmMap, obj: VmObject, offset: number, va: number): VmPage | undefined {
  const vm = map.vm;
  const page = vm.pageAlloc(obj, offset, va);
  if (obj.pager) {
    const dst = vm.phys.view(page.pa);
    if (vm.identity) dst.fill(0);   // identity frames are not zeroed on allocation
    if (obj.pager.dataRequest(offset, dst) === "error") { vm.pageFree(page); return undefined; }
    vm.stats.pagerFills++;
  } else {
    vm.stats.zeroFills++;
  }
  return page;
}

/**
 * Finds the page at `va` in `entry` for `access`, or creates it. A needs-copy entry (a private mapping of a shared
 * object) gets a shadow object on its first write (Mach vm_object_shadow); the search goes down the shadow chain
 * to the first object holding the page (or with a pager); a page found below the top is mapped read-only for a
 * read and copied up into the top object for a write. Undefined when a pager has no data (SIGBUS).
 */
function pageFor(map: VmMap, entry: VmMapEntry, va: number, access: number): FoundPage | undefined {
  const vm = map.vm;
  if (!entry.object) entry.object = vm.objectAllocate(entry.size);
  if (entry.needsCopy && (access & VM_PROT_WRITE)) {
    const shadow = vm.objectAllocate(entry.size);
    shadow.shadow = entry.object;
    shadow.shadowOffset = entry.offset;
    entry.object.pager?.shadowed?.(shadow);
    entry.object = shadow;
    entry.offset = 0;
    entry.needsCopy = false;
  }
  const top = entry.object;
  const topOffset = entry.offset + (va - entry.start);
  let obj = top, offset = topOffset;
  let page = obj.pageLookup(offset);
  while (!page && !obj.pager && obj.shadow) {
    offset += obj.shadowOffset;
    obj = obj.shadow;
    page = obj.pageLookup(offset);
  }
  const fresh = !page;
  page ??= pageIn(map, obj, offset, va);
  if (!page) return undefined;
  if (obj === top) return { page, fresh, writable: !entry.needsCopy };
  if (!(access & VM_PROT_WRITE)) return { page, fresh, writable: false };
  const copy = vm.pageAlloc(top, topOffset, va);
  map.pmap.copyPage(page.pa, copy.pa);
  return { page: copy, fresh: true, writable: true };
}

/** The protection to enter a found page with: without write when the page must not be written through. */
function enterProt(entry: VmMapEntry, found: FoundPage): number {
  if (found.writable) return entry.protection;
  const prot = entry.protection & ~VM_PROT_WRITE;
  return prot === 0 ? VM_PROT_READ : prot;   // write-only entries: reads are allowed by write permission
}

/**
 * Resolves a fault at `va` for `access`. `kernel` marks faults raised by the kernel's own accesses to user
 * memory (copyin/copyout), which are counted separately.
 */
export function vmFault(map: VmMap, va: number, access: number, kernel = false): FaultResult {
  const vm = map.vm;
  const entry = map.lookup(va);
  if (!entry) { vm.stats.faultErrors++; return "maperr"; }
  if (!accessAllowed(entry.protection, access)) { vm.stats.faultErrors++; return "accerr"; }
  const pageVa = truncPage(va);
  const found = pageFor(map, entry, pageVa, access);
  if (!found) { vm.stats.faultErrors++; return "buserr"; }
  map.pmap.enter(pageVa, found.page.pa, enterProt(entry, found), found.page.wireCount > 0, access);
  vm.stats.faults++;
  if (!found.fresh) vm.stats.softFaults++;
  if (kernel) vm.stats.faultsKernel++;
  return "ok";
}

/**
 * Makes every page of [start, end) resident and mapped, ignoring the current protection (the kernel populating
 * memory: loading a program without an MMU, MAP_POPULATE). The range must be mapped. Pages a pager has no data
 * for (a file mapping beyond the end of the file) are left unmapped, to fault later.
 */
export function vmMapPopulate(map: VmMap, start: number, end: number): void {
  for (let va = truncPage(start); va < end; va += PAGE_SIZE) {
    const entry = map.lookup(va);
    if (!entry) throw new Error(`populate: ${va} is not mapped`);
    const found = pageFor(map, entry, va, 0);
    if (found) map.pmap.enter(va, found.page.pa, enterProt(entry, found), found.page.wireCount > 0, 0);
  }
}

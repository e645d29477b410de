// Page-fault resolution (Mach vm_fault): map → entry → object → page. Checks the entry's protection against
// the access the way Linux's riscv access_error does (a load is allowed by read or write permission, a fetch
// needs execute, a store needs write), finds the resident page or makes one (zero-fill, or the object's pager),
// and enters the translation into the pmap. Out of frames propagates as OutOfGuestMemory.

import type { VmMap, VmMapEntry } from "./vm_map.js";
import type { VmPage } from "./vm_page.js";
import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, truncPage } from "./vm_prot.js";

/** ok, or Linux's si_code for the SIGSEGV: no mapping (SEGV_MAPERR) or not permitted (SEGV_ACCERR). */
export type FaultResult = "ok" | "maperr" | "accerr";

/** Does the entry's protection allow `access` (one of VM_PROT_READ/WRITE/EXECUTE)? */
export function accessAllowed(protection: number, access: number): boolean {
  if (access & VM_PROT_EXECUTE) return (protection & VM_PROT_EXECUTE) !== 0;
  if (access & VM_PROT_WRITE) return (protection & VM_PROT_WRITE) !== 0;
  return (protection & (VM_PROT_READ | VM_PROT_WRITE)) !== 0;
}

/** Finds the resident page for the page at `va` in `entry`, or creates it; `fresh` tells which. */
function pageFor(map: VmMap, entry: VmMapEntry, va: number): { page: VmPage; fresh: boolean } {
  const vm = map.vm;
  if (!entry.object) entry.object = vm.objectAllocate(entry.size);
  const obj = entry.object;
  const offset = entry.offset + (va - entry.start);
  const resident = obj.pageLookup(offset);
  if (resident) return { page: resident, fresh: false };
  const page = vm.pageAlloc(obj, offset, va);
  if (obj.pager) {
    const dst = vm.phys.view(page.pa);
    if (vm.identity) dst.fill(0);   // identity frames are not zeroed on allocation
    obj.pager.dataRequest(offset, dst);
    vm.stats.pagerFills++;
  } else {
    vm.stats.zeroFills++;
  }
  return { page, fresh: true };
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
  const { page, fresh } = pageFor(map, entry, pageVa);
  map.pmap.enter(pageVa, page.pa, entry.protection, page.wireCount > 0, access);
  vm.stats.faults++;
  if (!fresh) vm.stats.softFaults++;
  if (kernel) vm.stats.faultsKernel++;
  return "ok";
}

/**
 * Makes every page of [start, end) resident and mapped, ignoring the current protection (the kernel populating
 * memory: loading a program without an MMU, MAP_POPULATE). The range must be mapped.
 */
export function vmMapPopulate(map: VmMap, start: number, end: number): void {
  for (let va = truncPage(start); va < end; va += PAGE_SIZE) {
    const entry = map.lookup(va);
    if (!entry) throw new Error(`populate: ${va} is not mapped`);
    const { page } = pageFor(map, entry, va);
    map.pmap.enter(va, page.pa, entry.protection, page.wireCount > 0, 0);
  }
}

// Page-fault resolution (Mach vm_fault): map → entry → shadow chain → page. Checks the entry's protection against
// the access the way Linux's riscv access_error does (a load is allowed by read or write permission, a fetch
// needs execute, a store needs write). A write to a needs-copy entry first gives it a shadow object; the chain is
// then searched top-down, and the first object holding the page wins. A page found below the top object is
// mapped read-only for reads and copied up (pmap copyPage) for writes; a page found nowhere is asked of the
// bottom object's pager, or zero-filled — a read of untouched anonymous memory maps the shared zero page
// read-only instead. A file's object (the vnode pager's) sits at the bottom of the chains of its mappings:
// MAP_SHARED maps it directly, MAP_PRIVATE as a needs-copy entry over it; a page its pager has no data for
// (beyond the end of the file) fails the access with SIGBUS. Out of frames propagates as OutOfGuestMemory.
//
// Paging (pager.ts, vm_pageout.ts): a fault that needs a new page first wakes the page daemon if free frames are
// short. The chain search
// stops at an object that holds the page on swap as it would at a resident page; such a page, like one a pager
// holds, is asked for with data_request into a busy page. If the answer has not come yet, a fault that may sleep
// (a user fault from the trap path) returns "wait" and the task sleeps until the page is no longer busy, then
// takes the fault again; a fault the kernel takes inside a system call, or while populating or wiring, cannot
// sleep (this kernel has no kernel stacks to sleep on mid-call), so it has the read completed at once and spends
// the device's remaining time waiting. A page read back from swap is mapped without write permission until its
// first write (a soft fault), which marks it dirty and lets go of its swap copy.

import { type VmMap, type VmMapEntry, entryShadow } from "./vm_map.js";
import type { VmSystem } from "./vm_system.js";
import { backedBySwap } from "./pager.js";
import type { VmObject } from "./vm_object.js";
import type { VmPage } from "./vm_page.js";
import { RESERV_SIZE } from "./vm_reserv.js";
import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, truncPage } from "./vm_prot.js";

/**
 * ok, or why the access fails: no mapping (SIGSEGV SEGV_MAPERR), not permitted (SEGV_ACCERR), or the object's
 * pager has no data there, e.g. a file mapping beyond the end of the file (SIGBUS BUS_ADRERR), or — only for a
 * fault that may sleep — "wait": the page's data is on its way (vm.waitingFor says when it has come).
 */
export type FaultResult = "ok" | "maperr" | "accerr" | "buserr" | "wait";

/** Does the entry's protection allow `access` (one of VM_PROT_READ/WRITE/EXECUTE)? */
export function accessAllowed(protection: number, access: number): boolean {
  if (access & VM_PROT_EXECUTE) return (protection & VM_PROT_EXECUTE) !== 0;
  if (access & VM_PROT_WRITE) return (protection & VM_PROT_WRITE) !== 0;
  return (protection & (VM_PROT_READ | VM_PROT_WRITE)) !== 0;
}

/**
 * Whether a new page at va of the entry's top object should come from a superpage reservation: anonymous memory
 * (no pager anywhere in the chain) that no other task shares, whose 2 MiB-aligned virtual range lies inside the
 * entry and lines up with a 2 MiB-aligned range of object offsets (vm_reserv_alloc_page's conditions).
 */
function reservable(map: VmMap, entry: VmMapEntry, va: number): boolean {
  if (!map.vm.reserv) return false;
  let o: VmObject | null = entry.object;
  if (!o || o.shared) return false;
  for (; o; o = o.shadow) if (o.pager) return false;
  const base = va - (va % RESERV_SIZE);
  return base >= entry.start && base + RESERV_SIZE <= entry.end && entry.start % RESERV_SIZE === entry.offset % RESERV_SIZE;
}

/** A page and where the chain search found it. */
interface Found {
  page: VmPage;
  top: boolean;       // resident in the entry's own object (writable if the entry is)
  fresh: boolean;     // made by this fault (zero-fill or pager)
}

/** The chain search met a page whose data is on its way: the fault must wait for it. */
interface Busy { busy: VmPage }

/**
 * Asks the pager of obj (the default pager for an anonymous object's page on swap) for the page at offset, in a
 * new busy page. Found when the answer came at once, Busy when it is on its way, undefined on data_error.
 */
function pageIn(vm: VmSystem, obj: VmObject, offset: number, va: number, access: number, top: VmObject): Found | Busy | undefined {
  const page = vm.pageAlloc(obj, offset, va);
  page.busy = true;
  (obj.swapped(offset) ? vm.swapPager! : obj.pager!).dataRequest(obj, vm, offset, PAGE_SIZE, access);
  if (page.error) { vm.pageFree(page); return undefined; }
  vm.stats.pagerFills++;
  if (page.busy) return { busy: page };
  return { page, top: obj === top, fresh: true };
}

/**
 * Searches the entry's chain for the page at `va`, making it if no object has it; undefined when a pager has no
 * data, Busy when the page's data is on its way.
 */
function pageFor(map: VmMap, entry: VmMapEntry, va: number, write: boolean, access: number): Found | Busy | undefined {
  const vm = map.vm;
  if (!entry.object) entry.object = vm.objectAllocate(entry.size);
  const top = entry.object;
  let offset = entry.offset + (va - entry.start);
  let obj: VmObject = top;
  for (;;) {
    const resident = obj.pageLookup(offset);
    if (resident) {
      if (resident.busy) return { busy: resident };
      if (resident.error) { vm.pageFree(resident); return undefined; }   // the pager's data_error reached it
      vm.pageout?.reference(resident);
      return { page: resident, top: obj === top, fresh: false };
    }
    if (obj.swapped(offset)) { vm.pageout?.check(); return pageIn(vm, obj, offset, va, access, top); }
    if (obj.pager || !obj.shadow) break;
    offset += obj.shadowOffset;
    obj = obj.shadow;
  }
  // A new page is needed: the page daemon runs first if free frames are short (nothing is held half-made yet; the
  // pages it may evict are not this offset's, which no object of the chain holds).
  if (obj.pager) { vm.pageout?.check(); return pageIn(vm, obj, offset, va, access, top); }
  // A superpage reservation gets real pages for reads too (FreeBSD has no zero page): the range can then promote.
  if (!write && vm.useZeroPage && !top.shared && !reservable(map, entry, va)) {
    vm.stats.zeroPageMaps++;
    return { page: vm.zeroPage(), top: false, fresh: false };   // no page made: a soft fault
  }
  vm.pageout?.check();
  const page = vm.pageAlloc(top, entry.offset + (va - entry.start), va, reservable(map, entry, va));
  vm.stats.zeroFills++;
  return { page, top: true, fresh: true };
}

/** pageFor for a fault that cannot sleep: a busy page's read is completed at once (VmSystem.waitSync). */
function pageForNow(map: VmMap, entry: VmMapEntry, va: number, write: boolean, access: number): Found | undefined {
  for (let attempt = 0; ; attempt++) {
    const f = pageFor(map, entry, va, write, access);
    if (!f || !("busy" in f)) return f;
    if (attempt > 0) return undefined;      // a pager that does not answer: the access fails
    map.vm.waitSync(f.busy);
  }
}

/**
 * Enters the page for `va` with the rights the fault may give it; counts a copy-up. Returns whether it was fresh,
 * undefined when the bottom object's pager has no data there (nothing is entered), or "wait" (only when
 * `mayWait`) when the page's data is on its way: vm.waitingFor then tells when to fault again.
 */
function resolve(map: VmMap, entry: VmMapEntry, pageVa: number, access: number, mayWait = false): boolean | undefined | "wait" {
  const vm = map.vm;
  const write = (access & VM_PROT_WRITE) !== 0;
  if (write && entry.needsCopy) entryShadow(map, entry);
  let found: Found | undefined;
  if (mayWait) {
    const f = pageFor(map, entry, pageVa, write, access);
    if (f && "busy" in f) {
      const page = f.busy;
      vm.waitingFor = () => !page.busy;
      return "wait";
    }
    found = f;
  } else {
    found = pageForNow(map, entry, pageVa, write, access);
  }
  if (!found) return undefined;
  let { page, top, fresh } = found;
  if (page.lock & access) {
    // The pager locked the page against this access: ask it to unlock (data_unlock); it answers with lock_request.
    const obj = page.object!, locked = page;
    obj.pager?.dataUnlock?.(obj, page.offset, PAGE_SIZE, access);
    if (page.lock & access) {
      if (!mayWait) return undefined;
      vm.waitingFor = () => (locked.lock & access) === 0 || locked.object === null;
      return "wait";
    }
  }
  let prot = entry.protection;
  if (!top) {
    if (write) {
      const old = page;
      const obj = entry.object!;
      old.wireCount++;                    // held while the page daemon may run: it is the copy's source
      try { vm.pageout?.check(); } finally { old.wireCount--; }
      page = vm.pageAlloc(obj, entry.offset + (pageVa - entry.start), pageVa, reservable(map, entry, pageVa));
      map.pmap.copyPage(old.pa, page.pa);
      vm.stats.cowCopies++;
      // Other tasks sharing the top object may still map the backing page at this offset: revoke them.
      if (obj.shared) map.pmap.pageProtect(old, 0);
      fresh = true;
      vm.collapse(obj);
    } else {
      prot &= ~VM_PROT_WRITE;
    }
  } else if (entry.needsCopy) {
    prot &= ~VM_PROT_WRITE;
  } else if (!page.dirty && backedBySwap(page.object!) && page.object!.swapped(page.offset)) {
    // A clean copy of swap: its first write makes it dirty and the swap copy stale (the slot goes).
    if (write) {
      page.dirty = true;
      vm.swapPager?.free(page.object!, page.offset);
    } else {
      prot &= ~VM_PROT_WRITE;
    }
  }
  prot &= ~page.lock;
  // A page whose pager keeps no changes (a program's data segment) is backed by swap once it may have been written.
  if (prot & VM_PROT_WRITE && page.object?.pager && !page.object.pager.dataWrite) page.dirty = true;
  if (prot === 0) prot = VM_PROT_READ;   // a write-only entry read through a copy: reads are allowed by write
  wirePage(map, entry, pageVa, page);
  // Held while entered: a pmap growing a contiguous table may have the page daemon evict pages (phys evictRange).
  page.wireCount++;
  try { map.pmap.enter(pageVa, page.pa, prot, entry.wiring !== null, access); } finally { page.wireCount--; }
  return fresh;
}

/**
 * In a locked entry, the page now mapped at va is the one wired there: a first touch of an MLOCK_ONFAULT entry
 * wires it, a copy-on-write fault moves the wiring from the page copied to the copy (Linux mlocks the new page
 * of a VM_LOCKED vma in do_wp_page). The shared zero page is never freed and is not counted.
 */
function wirePage(map: VmMap, entry: VmMapEntry, va: number, page: VmPage): void {
  const w = entry.wiring;
  if (!w) return;
  const i = (va - entry.start) / PAGE_SIZE;
  const old = w.pages[i];
  if (old === page) return;
  if (old) old.wireCount--;
  if (map.vm.isZeroPage(page)) { w.pages[i] = undefined; return; }
  page.wireCount++;
  while (w.pages.length < i) w.pages.push(undefined);
  w.pages[i] = page;
}

/**
 * Faults in and wires every page of [start, end) of one locked entry (Mach vm_fault_wire, Linux's
 * populate_vma_page_range with FOLL_MLOCK): a private writable entry takes write faults, so it holds its own
 * copies (breaking copy-on-write, as Linux does); other entries read. An entry without any right is left as is
 * (Linux faults in no page of a PROT_NONE vma). Returns false when a page could not be provided (a file mapping
 * beyond the end of its file), after the pages before it.
 */
export function vmFaultWire(map: VmMap, entry: VmMapEntry, start: number, end: number): boolean {
  if ((entry.protection & (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)) === 0) return true;
  const write = (entry.protection & VM_PROT_WRITE) !== 0 && !entry.object?.shared && entry.inheritance !== "share";
  for (let va = start; va < end; va += PAGE_SIZE) {
    map.vm.pageout?.check();
    if (map.vm.identity) {
      const found = pageForNow(map, entry, va, true, VM_PROT_WRITE);
      if (!found) return false;
      wirePage(map, entry, va, found.page);
      map.pmap.enter(va, found.page.pa, entry.protection, true, 0);
    } else if (resolve(map, entry, va, write ? VM_PROT_WRITE : VM_PROT_READ) === undefined) {
      return false;
    }
  }
  return true;
}

/**
 * Resolves a fault at `va` for `access`. `kernel` marks faults raised by the kernel's own accesses to user
 * memory (copyin/copyout), which are counted separately. `mayWait`: the faulting task can sleep (a user fault
 * taken from the trap path), so a page whose data is on its way gives "wait" instead of being waited for here.
 */
export function vmFault(map: VmMap, va: number, access: number, kernel = false, mayWait = false): FaultResult {
  const vm = map.vm;
  const entry = map.lookup(va);
  if (!entry) { vm.stats.faultErrors++; return "maperr"; }
  if (!accessAllowed(entry.protection, access)) { vm.stats.faultErrors++; return "accerr"; }
  const fresh = resolve(map, entry, truncPage(va), access, mayWait);
  if (fresh === "wait") { vm.stats.faultWaits++; return "wait"; }
  if (fresh === undefined) { vm.stats.faultErrors++; return "buserr"; }
  vm.stats.faults++;
  if (!fresh) vm.stats.softFaults++;
  if (kernel) vm.stats.faultsKernel++;
  return "ok";
}

/**
 * Makes every page of [start, end) resident and mapped, ignoring the current protection (the kernel populating
 * memory: loading a program without an MMU, MAP_POPULATE). The range must be mapped. Writable entries get their
 * own pages (as a write fault would), so a populated page is never the zero page. Pages a pager has no data for
 * (a file mapping beyond the end of the file) are left unmapped, to fault later.
 */
export function vmMapPopulate(map: VmMap, start: number, end: number): void {
  for (let va = truncPage(start); va < end; va += PAGE_SIZE) {
    map.vm.pageout?.check();
    const entry = map.lookup(va);
    if (!entry) throw new Error(`populate: ${va} is not mapped`);
    const access = entry.protection & VM_PROT_WRITE ? VM_PROT_WRITE : VM_PROT_READ;
    if (map.vm.identity) {
      const found = pageForNow(map, entry, va, true, VM_PROT_WRITE);
      if (found) {
        wirePage(map, entry, va, found.page);
        map.pmap.enter(va, found.page.pa, entry.protection, entry.wiring !== null, 0);
      }
    } else {
      resolve(map, entry, va, access);
    }
  }
}

// The machine-independent VM's per-machine state: the frame allocator, whether translation is off (frames are
// then allocated at the faulting address), object ids, and the fault counters. Passing this context around keeps
// several machines in one process independent.

import { PhysAllocator } from "./phys.js";
import { VmObject, type Pager } from "./vm_object.js";
import { VmPage } from "./vm_page.js";
import { PAGE_SIZE } from "./vm_prot.js";

export interface VmStats {
  faults: number;          // faults resolved (from the hardware or from the kernel touching user memory)
  faultsKernel: number;    // of which raised by the kernel's own user-memory accesses (copyin/copyout)
  zeroFills: number;       // pages zero-filled
  pagerFills: number;      // pages whose contents came from a pager
  softFaults: number;      // page already resident: only the translation was (re)entered
  faultErrors: number;     // faults that ended in SIGSEGV or -EFAULT
}

export class VmSystem {
  private nextObjectId = 1;
  private readonly pageArray: (VmPage | undefined)[] = [];   // frame number → resident page (PHYS_TO_VM_PAGE)
  readonly stats: VmStats = { faults: 0, faultsKernel: 0, zeroFills: 0, pagerFills: 0, softFaults: 0, faultErrors: 0 };

  constructor(
    readonly phys: PhysAllocator,
    readonly identity: boolean,   // translation off: the page for va lives in the frame at pa = va
  ) {}

  objectAllocate(size: number, pager: Pager | null = null): VmObject {
    return new VmObject(this.nextObjectId++, size, pager);
  }

  objectReference(obj: VmObject): void { obj.refCount++; }

  /** Drops one reference; the last one frees every resident page. */
  objectDeallocate(obj: VmObject): void {
    if (--obj.refCount > 0) return;
    obj.pager?.terminate?.(obj);
    for (const page of [...obj.resident.values()]) this.pageFree(page);
    if (obj.shadow) this.objectDeallocate(obj.shadow);
  }

  /** Frees the object's resident pages with offsets in [start, end) (unmapping a range of a one-mapping object). */
  objectPageRemove(obj: VmObject, start: number, end: number): void {
    if (end - start < obj.residentCount * PAGE_SIZE) {
      for (let off = start; off < end; off += PAGE_SIZE) {
        const page = obj.pageLookup(off);
        if (page) this.pageFree(page);
      }
      return;
    }
    for (const page of [...obj.resident.values()]) if (page.offset >= start && page.offset < end) this.pageFree(page);
  }

  /**
   * Allocates a page for (obj, offset): a zeroed frame from the free list, or under identity translation the frame
   * at `va` itself. Throws OutOfGuestMemory when memory is exhausted.
   */
  pageAlloc(obj: VmObject, offset: number, va: number): VmPage {
    const pa = this.identity ? this.phys.allocAt(va, "user") : this.phys.alloc("user");
    const page = new VmPage(pa);
    obj.pageInsert(page, offset);
    this.pageArray[pa / PAGE_SIZE] = page;
    return page;
  }

  /** Removes every mapping of the page, takes it out of its object and returns the frame. */
  pageFree(page: VmPage): void {
    for (const pv of [...page.pv]) pv.pmap.remove(pv.va, pv.va + PAGE_SIZE);
    if (page.object) page.object.pageRemove(page);
    this.pageArray[page.pa / PAGE_SIZE] = undefined;
    this.phys.free(page.pa);
  }

  /** The resident page in the frame at pa, if that frame holds one. */
  pageOf(pa: number): VmPage | undefined { return this.pageArray[Math.floor(pa / PAGE_SIZE)]; }
}

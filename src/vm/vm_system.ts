// The machine-independent VM's per-machine state: the frame allocator, whether translation is off (frames are
// then allocated at the faulting address), object ids, the shared zero page, and the fault counters. Object life
// cycle lives here too: references, shadow creation for copy-on-write, and Mach's vm_object_collapse (collapse
// and bypass, mach_vm.md §4) which keeps shadow chains short after many forks. Passing this context around keeps
// several machines in one process independent.

import { PhysAllocator } from "./phys.js";
import { VmObject, type Pager } from "./vm_object.js";
import { VmPage } from "./vm_page.js";
import { ReservSystem } from "./vm_reserv.js";
import { PAGE_SIZE } from "./vm_prot.js";

export interface VmStats {
  faults: number;          // faults resolved (from the hardware or from the kernel touching user memory)
  faultsKernel: number;    // of which raised by the kernel's own user-memory accesses (copyin/copyout)
  zeroFills: number;       // pages zero-filled
  pagerFills: number;      // pages whose contents came from a pager
  softFaults: number;      // no page made (resident, or the zero page): only the translation was (re)entered
  faultErrors: number;     // faults that ended in SIGSEGV or -EFAULT
  cowCopies: number;       // pages copied on write (pmap copyPage)
  zeroPageMaps: number;    // read faults answered with the shared zero page
  shadowsCreated: number;  // shadow objects made for copy-on-write
  collapses: number;       // backing objects merged into their only shadow (vm_object_do_collapse)
  bypasses: number;        // backing objects skipped by a shadow that covers them (vm_object_do_bypass)
  virtualCopyPages: number;// pages copied by reference (fork, vm_copy, vm_read, vm_write): no bytes moved
  copiedBytes: number;     // bytes the Mach calls copied physically (ranges that are not page aligned)
}

export class VmSystem {
  private nextObjectId = 1;
  private readonly pageArray: (VmPage | undefined)[] = [];   // frame number → resident page (PHYS_TO_VM_PAGE)
  private zero: VmPage | undefined;                            // the shared zero page, made at first use
  readonly stats: VmStats = {
    faults: 0, faultsKernel: 0, zeroFills: 0, pagerFills: 0, softFaults: 0, faultErrors: 0,
    cowCopies: 0, zeroPageMaps: 0, shadowsCreated: 0, collapses: 0, bypasses: 0, virtualCopyPages: 0, copiedBytes: 0,
  };
  /** Objects alive now (for the invariant checker and the chain counters). */
  readonly live = new Set<VmObject>();
  /** Map a read of untouched anonymous memory to the shared zero page (off under identity translation). */
  useZeroPage: boolean;
  /** Superpage reservations (--page-size above 4K); absent: every page gets the lowest free frame. */
  reserv: ReservSystem | undefined;

  constructor(
    readonly phys: PhysAllocator,
    readonly identity: boolean,   // translation off: the page for va lives in the frame at pa = va
  ) {
    this.useZeroPage = !identity;
  }

  objectAllocate(size: number, pager: Pager | null = null): VmObject {
    const o = new VmObject(this.nextObjectId++, size, pager);
    this.live.add(o);
    return o;
  }

  objectReference(obj: VmObject): void { obj.refCount++; }

  /**
   * Drops one reference. The last one frees every resident page and drops the reference on the shadow. When
   * only one shadow is left holding a backing object, the two are collapsed at once, so a parent's chain does
   * not keep an object its exited children no longer need.
   */
  objectDeallocate(obj: VmObject): void {
    if (obj.dead) throw new Error(`object ${obj.id} deallocated after its last reference`);
    if (--obj.refCount > 0) {
      if (obj.refCount === 1 && obj.shadowerSet.size === 1) this.collapse([...obj.shadowerSet][0]!);
      else if (obj.refCount === obj.shadowerSet.size && !obj.pager) this.collapseSplit(obj);
      return;
    }
    obj.pager?.terminate?.(obj);
    obj.dead = true;
    this.live.delete(obj);
    for (const page of [...obj.resident.values()]) this.pageFree(page);
    const sh = obj.shadow;
    if (sh) {
      obj.shadow = null;
      sh.shadowerSet.delete(obj);
      this.objectDeallocate(sh);
    }
  }

  /**
   * A new object shadowing [offset, offset + size) of `backing` (vm_object_shadow): it takes over the caller's
   * reference to backing. Returns the shadow with one reference.
   */
  objectShadow(backing: VmObject, offset: number, size: number): VmObject {
    const s = this.objectAllocate(size);
    s.shadow = backing;
    s.shadowOffset = offset;
    backing.shadowerSet.add(s);
    backing.pager?.shadowed?.(s);
    this.stats.shadowsCreated++;
    return s;
  }

  /**
   * Mach's vm_object_collapse: while `obj` has a backing object without a pager, either merge the backing
   * object into obj (obj holds its only reference: pages obj lacks move up, the rest are freed) or, if obj
   * already holds every page of its window, bypass the backing object (point past it and drop one reference).
   */
  collapse(obj: VmObject): void {
    for (;;) {
      const b = obj.shadow;
      if (!b || b.pager) return;
      if (b.refCount === 1) {
        this.doCollapse(obj, b);
      } else if (obj.residentCount * PAGE_SIZE >= obj.size) {
        this.setShadow(obj, b.shadow, obj.shadowOffset + b.shadowOffset);
        b.shadowerSet.delete(obj);
        this.stats.bypasses++;
        this.objectDeallocate(b);
      } else {
        return;
      }
    }
  }

  /**
   * Only shadows refer to b, over windows that do not overlap (the pieces of a clipped entry each made its own
   * shadow): each page of b can be seen through one shadow at most, so each moves up into the shadow that sees
   * it (or is freed), and every shadow then points past b. Mach's collapse needs a single shadow; this is the
   * same merge done once per disjoint window.
   */
  private collapseSplit(b: VmObject): void {
    const shadows = [...b.shadowerSet].sort((x, y) => x.shadowOffset - y.shadowOffset);
    for (let i = 1; i < shadows.length; i++) {
      const prev = shadows[i - 1]!;
      if (prev.shadowOffset + prev.size > shadows[i]!.shadowOffset) return;
    }
    for (const page of [...b.resident.values()]) {
      const s = shadows.find((x) => page.offset >= x.shadowOffset && page.offset < x.shadowOffset + x.size);
      const off = s ? page.offset - s.shadowOffset : -1;
      if (s && !s.pageLookup(off)) { b.pageRemove(page); s.pageInsert(page, off); } else this.pageFree(page);
    }
    const next = b.shadow;
    for (const s of shadows) {
      s.shadow = next;
      s.shadowOffset += b.shadowOffset;
      if (next) { next.refCount++; next.shadowerSet.add(s); next.pager?.shadowed?.(s); }
    }
    b.shadowerSet.clear();
    b.refCount = 0;
    b.dead = true;
    this.live.delete(b);
    this.stats.collapses++;
    if (next) { next.shadowerSet.delete(b); this.objectDeallocate(next); }
  }

  private setShadow(obj: VmObject, next: VmObject | null, offset: number): void {
    obj.shadow = next;
    obj.shadowOffset = offset;
    if (next) { this.objectReference(next); next.shadowerSet.add(obj); next.pager?.shadowed?.(obj); }
  }

  private doCollapse(obj: VmObject, b: VmObject): void {
    if (obj.shadowOffset === 0 && obj.size === b.size && obj.residentCount < b.residentCount) {
      // The same window and fewer pages above (a parent that wrote a little since the fork): move obj's own
      // pages into b's table and take the table over, instead of moving every page of b.
      for (const page of obj.resident.values()) {
        const under = b.pageLookup(page.offset);
        if (under) this.pageFree(under);
        b.resident.set(page.offset / PAGE_SIZE, page);
      }
      for (const page of b.resident.values()) page.object = obj;
      obj.resident = b.resident;
      b.resident = new Map();
    }
    for (const page of [...b.resident.values()]) {
      const off = page.offset - obj.shadowOffset;
      if (off >= 0 && off < obj.size && !obj.pageLookup(off)) {
        b.pageRemove(page);
        obj.pageInsert(page, off);
      } else {
        this.pageFree(page);
      }
    }
    const next = b.shadow;
    obj.shadow = next;
    obj.shadowOffset += b.shadowOffset;
    if (next) { next.shadowerSet.delete(b); next.shadowerSet.add(obj); next.pager?.shadowed?.(obj); }
    b.shadow = null;
    b.shadowerSet.clear();
    b.refCount = 0;
    b.dead = true;
    this.live.delete(b);
    this.stats.collapses++;
  }

  /**
   * A new object holding a physical copy of [offset, offset + size) of obj as seen through its chain
   * (vm_object_copy_slowly): for memory other tasks share, where a lazy copy would see their later writes.
   */
  objectCopySlowly(obj: VmObject, offset: number, size: number): VmObject {
    const copy = this.objectAllocate(size);
    for (let off = 0; off < size; off += PAGE_SIZE) {
      let o: VmObject | null = obj, at = offset + off;
      while (o && !o.pageLookup(at) && !o.pager) { at += o.shadowOffset; o = o.shadow; }
      if (!o) continue;                          // never touched: zero
      const src = o.pageLookup(at);
      const page = this.pageAlloc(copy, off, 0);
      if (src) this.phys.view(page.pa).set(this.phys.view(src.pa));
      else o.pager!.dataRequest(at, this.phys.view(page.pa));   // no data (beyond a file's end): zeros
      this.stats.cowCopies++;
    }
    return copy;
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
   * Allocates a page for (obj, offset): a zeroed frame from the free list (from the object's superpage reservation
   * when `reserve`), or under identity translation the frame at `va` itself. Throws OutOfGuestMemory when memory
   * is exhausted.
   */
  pageAlloc(obj: VmObject, offset: number, va: number, reserve = false): VmPage {
    const pa = this.identity ? this.phys.allocAt(va, "user")
      : (reserve ? this.reserv?.alloc(obj, offset) : undefined) ?? this.phys.alloc("user");
    const page = new VmPage(pa);
    obj.pageInsert(page, offset);
    this.pageArray[pa / PAGE_SIZE] = page;
    return page;
  }

  /** Removes every mapping of the page, takes it out of its object and returns the frame. */
  pageFree(page: VmPage): void {
    if (page === this.zero) throw new Error("freeing the zero page");
    for (const pv of [...page.pv]) pv.pmap.remove(pv.va, pv.va + PAGE_SIZE);
    if (page.object) page.object.pageRemove(page);
    this.pageArray[page.pa / PAGE_SIZE] = undefined;
    if (this.reserv) this.reserv.free(page.pa); else this.phys.free(page.pa);
  }

  /** The shared read-only zero page (one frame for the whole machine, owned by no object). */
  zeroPage(): VmPage {
    if (!this.zero) {
      const pa = this.phys.alloc("user");
      this.zero = new VmPage(pa);
      this.pageArray[pa / PAGE_SIZE] = this.zero;
    }
    return this.zero;
  }

  isZeroPage(page: VmPage | undefined): boolean { return page !== undefined && page === this.zero; }

  /** The resident page in the frame at pa, if that frame holds one. */
  pageOf(pa: number): VmPage | undefined { return this.pageArray[Math.floor(pa / PAGE_SIZE)]; }

  /**
   * The page whose mappings a pmap tracks in its pv list (the pmap context's pageOf). The shared zero page is not
   * tracked, as Linux keeps no reverse map for it (vm_normal_page gives no page for the zero pfn): nothing ever
   * revokes its mappings by page (it is never written, freed or paged out, and never backs a shared object), and
   * a guest can map it at every page of a huge read-only range — 16 million pv entries would pass V8's Map limit
   * and cost gigabytes of host memory where the guest's page tables cost 8 bytes a page.
   */
  pmapPageOf(pa: number): VmPage | undefined {
    const page = this.pageArray[Math.floor(pa / PAGE_SIZE)];
    return page === this.zero ? undefined : page;
  }
}

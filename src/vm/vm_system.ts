// The machine-independent VM's per-machine state: the frame allocator, whether translation is off (frames are
// then allocated at the faulting address), object ids, the shared zero page, and the fault counters. Object life
// cycle lives here too: references, shadow creation for copy-on-write, and Mach's vm_object_collapse (collapse
// and bypass, mach_vm.md §4) which keeps shadow chains short after many forks. Passing this context around keeps
// several machines in one process independent.
//
// It is also the kernel side of the pager contract (pager.ts MemoryObjectControl): the pagers' answers land here
// (data_provided fills the busy page a fault waits on, data_error fails it), as do their lock_request and cache
// calls. With paging on (enablePaging), the page daemon (vm_pageout.ts) keeps free frames above its target by
// evicting pages through their pagers, anonymous memory going to the default pager's swap (swap_pager.ts).

import { PhysAllocator } from "./phys.js";
import { type MemoryObjectControl, type Pager, type PagingClock, backedBySwap } from "./pager.js";
import { VmObject } from "./vm_object.js";
import { VmPage } from "./vm_page.js";
import { ReservSystem } from "./vm_reserv.js";
import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_NONE, VM_PROT_WRITE } from "./vm_prot.js";
import { PageDaemon, type PagingOptions } from "./vm_pageout.js";
import { SwapDevice } from "./swap_device.js";
import { SwapPager } from "./swap_pager.js";

/** Objects the pagers asked to keep (may_cache) after their last reference: at most this many (vm_object_cached_max). */
const OBJECT_CACHE_MAX = 32;

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
  faultWaits: number;      // faults that found their page's data on its way and slept (the task waited)
  syncWaits: number;       // faults taken inside the kernel that waited for a page-in without sleeping
  syncWaitCycles: number;  // cycles those waits took (charged to the machine)
}

export class VmSystem implements MemoryObjectControl {
  private nextObjectId = 1;
  private readonly pageArray: (VmPage | undefined)[] = [];   // frame number → resident page (PHYS_TO_VM_PAGE)
  private zero: VmPage | undefined;                            // the shared zero page, made at first use
  readonly stats: VmStats = {
    faults: 0, faultsKernel: 0, zeroFills: 0, pagerFills: 0, softFaults: 0, faultErrors: 0,
    cowCopies: 0, zeroPageMaps: 0, shadowsCreated: 0, collapses: 0, bypasses: 0, virtualCopyPages: 0, copiedBytes: 0,
    faultWaits: 0, syncWaits: 0, syncWaitCycles: 0,
  };
  /** Objects alive now (for the invariant checker and the chain counters). */
  readonly live = new Set<VmObject>();
  /** Map a read of untouched anonymous memory to the shared zero page (off under identity translation). */
  useZeroPage: boolean;
  /** Superpage reservations (--page-size above 4K); absent: every page gets the lowest free frame. */
  reserv: ReservSystem | undefined;
  /** The page daemon, with paging on (enablePaging); absent: out of frames is out of memory. */
  pageout: PageDaemon | undefined;
  /** The default pager (swap), with paging on and swap space; absent: anonymous pages cannot leave memory. */
  swapPager: SwapPager | undefined;
  private clock: PagingClock | undefined;
  /** What the last fault that returned "wait" waits for (vm_fault.ts): the trap path sleeps on it. */
  waitingFor: (() => boolean) | undefined;
  private readonly objectCache: VmObject[] = [];   // objects kept after their last reference (may_cache)

  constructor(
    readonly phys: PhysAllocator,
    readonly identity: boolean,   // translation off: the page for va lives in the frame at pa = va
  ) {
    this.useZeroPage = !identity;
  }

  /**
   * Turns paging on: a page daemon with `opts.policy`, and a default pager over `opts.swapBytes` of swap on a
   * device of `opts.latency` (no swap: only pages a pager other than the default one holds can leave memory).
   * Without translation a page must live at its own address: there is nothing to page, and paging stays off.
   */
  enablePaging(opts: PagingOptions, clock: PagingClock): void {
    if (this.identity) return;
    this.clock = clock;
    if (opts.swapBytes >= PAGE_SIZE) this.swapPager = new SwapPager(this, clock, new SwapDevice(opts.latency), opts.swapBytes);
    this.pageout = new PageDaemon(this, opts, clock);
    const daemon = this.pageout;
    this.phys.evictRange = (first, count) => daemon.evictRange(first, count);
  }

  objectAllocate(size: number, pager: Pager | null = null): VmObject {
    const o = new VmObject(this.nextObjectId++, size, pager);
    this.live.add(o);
    return o;
  }

  objectReference(obj: VmObject): void {
    if (obj.refCount === 0 && obj.mayCache) this.objectCache.splice(this.objectCache.indexOf(obj), 1);   // revived
    obj.refCount++;
  }

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
    if (obj.mayCache && obj.pager && !obj.shadow) {
      // The pager asked for its pages to stay (Mach's object cache): kept, unreferenced, until the cache is full.
      this.objectCache.push(obj);
      if (this.objectCache.length > OBJECT_CACHE_MAX) this.objectTerminate(this.objectCache.shift()!);
      return;
    }
    this.objectTerminate(obj);
  }

  /** The object goes: its pager is told, its pages and swap slots are freed, its shadow loses a reference. */
  private objectTerminate(obj: VmObject): void {
    obj.pager?.terminate?.(obj);
    obj.dead = true;
    this.live.delete(obj);
    for (const page of [...obj.resident.values()]) this.pageFree(page);
    this.swapPager?.freeAll(obj);
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
      // A page-in in flight for either object would land in a page that moved: wait for a later chance.
      if (this.swapPager && (this.swapPager.readingAny(b) || this.swapPager.readingAny(obj))) return;
      if (b.refCount === 1) {
        this.doCollapse(obj, b);
      } else if (this.coversWindow(obj)) {
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
    if (this.swapPager?.readingAny(b)) return;
    const shadows = [...b.shadowerSet].sort((x, y) => x.shadowOffset - y.shadowOffset);
    for (let i = 1; i < shadows.length; i++) {
      const prev = shadows[i - 1]!;
      if (prev.shadowOffset + prev.size > shadows[i]!.shadowOffset) return;
    }
    for (const page of [...b.resident.values()]) {
      const s = shadows.find((x) => page.offset >= x.shadowOffset && page.offset < x.shadowOffset + x.size);
      const off = s ? page.offset - s.shadowOffset : -1;
      if (s && !s.pageLookup(off) && !s.swapped(off)) { b.pageRemove(page); s.pageInsert(page, off); } else this.pageFree(page);
    }
    for (const idx of [...(b.swap?.keys() ?? [])]) {
      const at = idx * PAGE_SIZE;
      const s = shadows.find((x) => at >= x.shadowOffset && at < x.shadowOffset + x.size);
      const off = s ? at - s.shadowOffset : -1;
      if (s && !s.pageLookup(off) && !s.swapped(off)) this.swapPager!.move(b, at, s, off); else this.swapPager!.free(b, at);
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
    if (obj.shadowOffset === 0 && obj.size === b.size && obj.residentCount < b.residentCount && !obj.swap && !b.swap) {
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
      if (off >= 0 && off < obj.size && !obj.pageLookup(off) && !obj.swapped(off)) {
        b.pageRemove(page);
        obj.pageInsert(page, off);
      } else {
        this.pageFree(page);
      }
    }
    for (const idx of [...(b.swap?.keys() ?? [])]) {
      const at = idx * PAGE_SIZE, off = at - obj.shadowOffset;
      if (off >= 0 && off < obj.size && !obj.pageLookup(off) && !obj.swapped(off)) this.swapPager!.move(b, at, obj, off);
      else this.swapPager!.free(b, at);
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

  /** Whether every page of obj's window is its own, resident or on swap (a bypass may then skip its backing object). */
  private coversWindow(obj: VmObject): boolean {
    if (obj.residentCount * PAGE_SIZE >= obj.size) return true;
    if ((obj.residentCount + obj.swapCount) * PAGE_SIZE < obj.size) return false;
    for (let off = 0; off < obj.size; off += PAGE_SIZE) if (!obj.pageLookup(off) && !obj.swapped(off)) return false;
    return true;
  }

  /**
   * A new object holding a physical copy of [offset, offset + size) of obj as seen through its chain
   * (vm_object_copy_slowly): for memory other tasks share, where a lazy copy would see their later writes.
   */
  objectCopySlowly(obj: VmObject, offset: number, size: number): VmObject {
    const copy = this.objectAllocate(size);
    for (let off = 0; off < size; off += PAGE_SIZE) {
      this.pageout?.check();
      let o: VmObject | null = obj, at = offset + off;
      while (o && !o.pageLookup(at) && !o.swapped(at) && !o.pager) { at += o.shadowOffset; o = o.shadow; }
      if (!o) continue;                          // never touched: zero
      // A page on swap or with a pager comes in first (the copy reads it), waiting for the device if need be.
      const src = o.pageLookup(at) ?? this.pageInSync(o, at);
      const page = this.pageAlloc(copy, off, 0);
      if (src) this.phys.view(page.pa).set(this.phys.view(src.pa));   // no data (beyond a file's end): zeros
      this.stats.cowCopies++;
    }
    return copy;
  }

  /**
   * Brings obj's page at offset in from its pager (the default pager for an anonymous object) and waits for it
   * without sleeping; undefined when the pager has no data (data_error). The page joins obj's resident pages.
   */
  pageInSync(obj: VmObject, offset: number): VmPage | undefined {
    let page = obj.pageLookup(offset);
    if (!page) {
      page = this.pageAlloc(obj, offset, 0);
      page.busy = true;
      (obj.swapped(offset) ? this.swapPager! : obj.pager!).dataRequest(obj, this, offset, PAGE_SIZE, VM_PROT_ALL);
      this.stats.pagerFills++;
    }
    this.waitSync(page);
    if (page.busy || page.error) { if (page.object) this.pageFree(page); return undefined; }
    return page;
  }

  /**
   * A fault that cannot sleep (the kernel's own access inside a system call, populating, wiring) waits for a
   * busy page by having its read completed now; the cycles still to wait are spent waiting (charged).
   */
  waitSync(page: VmPage): void {
    if (!page.busy || !page.object || !this.swapPager) return;
    const cycles = this.swapPager.expedite(page.object, page.offset);
    this.stats.syncWaits++;
    this.stats.syncWaitCycles += cycles;
    if (cycles > 0) this.clock?.charge(cycles);
  }

  /** Frees the object's resident pages and swap slots with offsets in [start, end) (unmapping part of a one-mapping object). */
  objectPageRemove(obj: VmObject, start: number, end: number): void {
    if (obj.swap && this.swapPager) {
      for (const idx of [...obj.swap.keys()]) {
        if (idx * PAGE_SIZE >= start && idx * PAGE_SIZE < end) this.swapPager.free(obj, idx * PAGE_SIZE);
      }
    }
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
   * is exhausted. With paging on, the page joins the page daemon's queues.
   */
  pageAlloc(obj: VmObject, offset: number, va: number, reserve = false): VmPage {
    const pa = this.identity ? this.phys.allocAt(va, "user")
      : (reserve ? this.reserv?.alloc(obj, offset) : undefined) ?? this.phys.alloc("user");
    const page = new VmPage(pa);
    obj.pageInsert(page, offset);
    this.pageArray[pa / PAGE_SIZE] = page;
    this.pageout?.insert(page);
    return page;
  }

  /** Removes every mapping of the page, takes it out of its object and returns the frame. */
  pageFree(page: VmPage): void {
    if (page === this.zero) throw new Error("freeing the zero page");
    for (const pv of [...page.pv]) pv.pmap.remove(pv.va, pv.va + PAGE_SIZE);
    if (page.object) page.object.pageRemove(page);
    page.busy = false;          // whoever waited for its data faults again and finds it gone
    this.pageout?.remove(page);
    this.pageArray[page.pa / PAGE_SIZE] = undefined;
    if (this.reserv) this.reserv.free(page.pa); else this.phys.free(page.pa);
  }

  // ---- the kernel side of the pager contract (pager.ts MemoryObjectControl) --------------------------------------

  /**
   * data_provided: fills the busy pages of [offset, offset + data.length) with the data (a short last page is
   * zero-filled past it). Pages asked for by nobody are made and kept when frames are plentiful (the pager's
   * prefetch); a page already resident and not waiting keeps its contents (the kernel's copy is newer).
   */
  dataProvided(obj: VmObject, offset: number, data: Uint8Array, lockValue = 0): void {
    if (obj.dead) return;
    for (let at = 0; at < data.length; at += PAGE_SIZE) {
      let page = obj.pageLookup(offset + at);
      if (page && !page.busy) continue;
      if (!page) {
        if (!this.pageout || this.phys.freeFrames <= this.pageout.freeTarget + 1) continue;
        page = this.pageAlloc(obj, offset + at, 0);
        this.pageout.deactivate(page);   // nobody used it yet: first to go
        this.pageout.stats.prefetched++;
      }
      const dst = this.phys.view(page.pa);
      const chunk = data.subarray(at, Math.min(data.length, at + PAGE_SIZE));
      dst.set(chunk);
      if (chunk.length < PAGE_SIZE) dst.fill(0, chunk.length);
      if (page.busy && obj.swapped(offset + at)) this.pageout?.charge(this.pageout.copyCost);   // a page read from swap
      page.busy = false;
      page.dirty = false;
      page.lock = lockValue;
    }
  }

  /** data_unavailable: the busy pages of [offset, offset + size) become zero pages of the object. */
  dataUnavailable(obj: VmObject, offset: number, size: number): void {
    for (let off = offset; off < offset + size; off += PAGE_SIZE) {
      const page = obj.pageLookup(off);
      if (!page?.busy) continue;
      this.phys.view(page.pa).fill(0);
      page.busy = false;
      page.dirty = true;        // no copy anywhere but here
    }
  }

  /** data_error: the busy pages of [offset, offset + size) fail the faults that find them (SIGBUS). */
  dataError(obj: VmObject, offset: number, size: number, _error: number): void {
    for (let off = offset; off < offset + size; off += PAGE_SIZE) {
      const page = obj.pageLookup(off);
      if (!page?.busy) continue;
      page.busy = false;
      page.error = true;
    }
  }

  /**
   * lock_request: on the resident pages of [offset, offset + size), write back modified pages (shouldClean),
   * drop them (shouldFlush), and make lockValue the accesses they refuse — their mappings lose those rights now,
   * and the next such access asks the pager to unlock (data_unlock).
   */
  lockRequest(obj: VmObject, offset: number, size: number, shouldClean: boolean, shouldFlush: boolean, lockValue: number): void {
    const pages = [...obj.resident.values()].filter((p) => p.offset >= offset && p.offset < offset + size && !p.busy)
      .sort((a, b) => a.offset - b.offset);
    for (const page of pages) {
      if (shouldClean && page.wireCount === 0) this.pageClean(page);
      if (shouldFlush) { if (page.wireCount === 0) this.pageFree(page); continue; }
      page.lock = lockValue;
      if (lockValue !== VM_PROT_NONE) {
        const first = page.pv[Symbol.iterator]().next();
        if (!first.done) first.value.pmap.pageProtect(page, VM_PROT_ALL & ~lockValue);
      }
    }
  }

  /** cache: keep (or stop keeping) the object's pages after its last reference goes. */
  cache(obj: VmObject, shouldCache: boolean): void {
    obj.mayCache = shouldCache;
    if (shouldCache || obj.refCount > 0) return;
    const i = this.objectCache.indexOf(obj);
    if (i >= 0) { this.objectCache.splice(i, 1); this.objectTerminate(obj); }
  }

  /**
   * Sends a page's data to its pager if the pager's copy may differ (data_write): the object's own pager, or the
   * default pager for anonymous memory. Returns false when it cannot (no swap slot left). Afterwards the page is
   * clean. The vnode pager compares bytes itself, so a file page is always offered.
   */
  pageClean(page: VmPage, keep = true): boolean {
    const obj = page.object!;
    const data = this.phys.view(page.pa);
    if (obj.pager?.dataWrite) {
      obj.pager.dataWrite(obj, page.offset, data);
    } else if (page.dirty || (!obj.swapped(page.offset) && !obj.pager)) {
      const swap = this.swapPager;
      if (!swap || !swap.canWrite(obj, page.offset)) return false;
      swap.dataWrite(obj, page.offset, data);
    } else {
      return true;
    }
    page.dirty = false;
    if (!keep) return true;
    // Later writes must be seen: the hardware's modified bit is cleared, and for anonymous pages (whose cleanliness
    // the VM tracks itself) write permission goes, so the first write faults and marks the page dirty again.
    const first = page.pv[Symbol.iterator]().next();
    if (!first.done) {
      first.value.pmap.clearModify(page);
      if (backedBySwap(obj)) first.value.pmap.pageProtect(page, VM_PROT_ALL & ~VM_PROT_WRITE);
    }
    return true;
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

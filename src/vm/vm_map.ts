// An address space's map (Mach vm_map): sorted, non-overlapping entries, each a range of one object with its
// protections. Lookup is a binary search over the sorted array (O(log n), as Mach's hinted list and FreeBSD's
// splay tree give); an insert or removal is one splice, a memmove of the entries after it, which stays cheaper
// than a balanced tree's pointer chasing up to many thousands of entries. Operations that cover part of an
// entry first clip it (split it in two entries sharing the object), as Mach's vm_map_clip_start/end do.
// Fork (vm_map_fork) copies the map lazily by entry inheritance: a "copy" entry becomes needs-copy in both maps
// (the parent's translations lose write permission), a "share" entry makes both maps reference one object
// (xnu's vm_map_fork_share: a pending needs-copy is resolved first; the object is marked shared), "none" is
// left out. Share maps proper (CMU Mach's is_a_map entries) are not built: the shared object gives the same
// semantics for the operations this kernel has (protection stays per task, as on Linux).

import type { Pmap } from "./pmap.js";
import type { VmObject } from "./vm_object.js";
import type { VmPage } from "./vm_page.js";
import type { VmSystem } from "./vm_system.js";
import { type Inheritance, PAGE_SIZE, VM_PROT_NONE, VM_PROT_WRITE, hex, isPageAligned, protString } from "./vm_prot.js";

/**
 * The wiring of a locked entry (Linux VM_LOCKED, Mach's user wiring): the page each of its pages is wired to, by
 * page index within the entry (undefined: not faulted in yet, or the shared zero page, which is never freed). Each
 * wired page's wireCount counts the entries wiring it, so a page leaves memory only once no entry wires it; a
 * copy-on-write fault in the entry moves the wiring from the old page to its copy (vm_fault.ts). `onFault`
 * (MLOCK_ONFAULT, MCL_ONFAULT) wires pages as they are touched instead of faulting the whole entry in at once.
 */
export class Wiring {
  constructor(readonly onFault: boolean, public pages: (VmPage | undefined)[]) {}

  /** Unwires every page (the entry is unlocked or removed). */
  release(): void {
    for (const p of this.pages) if (p) p.wireCount--;
    this.pages = [];
  }
}

export class VmMapEntry {
  wiring: Wiring | null = null;        // locked (mlock, MAP_LOCKED, mlockall): its pages stay resident
  wipeOnFork = false;                  // MADV_WIPEONFORK: a fork's child gets fresh zero memory here
  growsDown = false;                   // MAP_GROWSDOWN: a fault below it grows the stack (kern/stack_growth.ts)
  constructor(
    public start: number,              // first byte (page aligned)
    public end: number,                // one past the last byte (page aligned)
    public object: VmObject | null,    // backing object (null: no object yet; none exist today)
    public offset: number,             // byte offset of `start` within the object
    public protection: number,         // current VM_PROT_* bits
    public maxProtection: number,      // upper bound for protection (mprotect cannot exceed it)
    public inheritance: Inheritance,   // what a child gets at fork
    public needsCopy = false,          // copy-on-write: make a shadow before the first write
    public name = "",                  // for listings: "[stack]", "[heap]", the segment it came from
  ) {}

  get size(): number { return this.end - this.start; }

  toString(): string {
    return `${hex(this.start)}-${hex(this.end)} ${protString(this.protection)}/${protString(this.maxProtection)} ` +
      `obj ${this.object?.id ?? "-"}+${hex(this.offset)} ${this.name}`;
  }
}

/** Result of vm_map.protect, Mach's kern_return_t in miniature. */
export type ProtectResult = "ok" | "no-entry" | "protection-failure";

/**
 * vm.max_map_count's default (include/linux/mm.h DEFAULT_MAX_MAP_COUNT, 65536 less the ELF core margin of 5): the
 * most entries a map holds. Past it mmap fails with ENOMEM, and so does a munmap, mprotect or madvise that would
 * split an entry; without it a guest splitting one mapping page by page grew the host's memory without bound.
 */
export const MAX_MAP_COUNT = 65530;

/** A map entry could not be split: the map holds MAX_MAP_COUNT entries (the system call fails with ENOMEM). */
export class MapCountExceeded extends Error {
  override name = "MapCountExceeded";
  constructor(count: number) { super(`the map holds ${count} entries (vm.max_map_count)`); }
}

export class VmMap {
  readonly entries: VmMapEntry[] = [];   // sorted by start, non-overlapping
  refCount = 1;                          // tasks using this map (a vfork child borrows its parent's)
  lockFuture: { onFault: boolean } | null = null;  // mlockall(MCL_FUTURE): new mappings are locked (mm->def_flags)
  onDestroy: (() => void) | undefined;   // told when the last task lets go (the machine retires the pmap)

  constructor(
    readonly vm: VmSystem,
    readonly pmap: Pmap,
    readonly minAddress: number,         // lowest mappable address
    readonly maxAddress: number,         // one past the highest mappable address
  ) {}

  /** Index of the first entry whose end is above va (entries.length if none). */
  private firstEndingAbove(va: number): number {
    let lo = 0, hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.end <= va) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The entry containing va, if any. */
  lookup(va: number): VmMapEntry | undefined {
    const e = this.entries[this.firstEndingAbove(va)];
    return e && e.start <= va ? e : undefined;
  }

  /** True when [start, end) lies inside the map's bounds and touches no entry. */
  isFree(start: number, end: number): boolean {
    if (start < this.minAddress || end > this.maxAddress || start >= end) return false;
    const e = this.entries[this.firstEndingAbove(start)];
    return !e || e.start >= end;
  }

  /** Entries overlapping [start, end), in address order. */
  overlapping(start: number, end: number): VmMapEntry[] {
    const out: VmMapEntry[] = [];
    for (let i = this.firstEndingAbove(start); i < this.entries.length && this.entries[i]!.start < end; i++) {
      out.push(this.entries[i]!);
    }
    return out;
  }

  /**
   * Finds `size` free bytes: first at `hint` if it is free, then the highest gap that fits at or below
   * `topDownLimit` (Linux's top-down mmap layout). Returns undefined when no gap is large enough.
   */
  findSpace(size: number, hint: number, topDownLimit: number): number | undefined {
    if (hint !== 0 && isPageAligned(hint) && this.isFree(hint, hint + size)) return hint;
    let ceiling = Math.min(topDownLimit, this.maxAddress);
    const j = this.firstEndingAbove(ceiling);
    const straddling = this.entries[j];
    if (straddling && straddling.start < ceiling) ceiling = straddling.start;
    for (let i = j - 1; ; i--) {
      const e = i >= 0 ? this.entries[i]! : undefined;
      const floor = Math.max(e ? e.end : this.minAddress, this.minAddress);
      if (ceiling - floor >= size) return ceiling - size;
      if (!e) return undefined;
      ceiling = Math.min(ceiling, e.start);
    }
  }

  /** Inserts a new entry; the range must be free. Takes over one reference to the entry's object. */
  insert(entry: VmMapEntry): void {
    if (!isPageAligned(entry.start) || !isPageAligned(entry.end) || entry.start >= entry.end) {
      throw new Error(`bad map entry range ${hex(entry.start)}-${hex(entry.end)}`);
    }
    if (!this.isFree(entry.start, entry.end)) throw new Error(`map entry ${entry} overlaps the map`);
    this.entries.splice(this.firstEndingAbove(entry.start), 0, entry);
  }

  /**
   * Splits the entry containing va so that an entry starts exactly at va (no-op if va is a boundary). A map already
   * holding MAX_MAP_COUNT entries cannot split one (Linux's __split_vma: ENOMEM): throws MapCountExceeded, which
   * the system-call layer returns as ENOMEM.
   */
  clip(va: number): void {
    const i = this.firstEndingAbove(va);
    const e = this.entries[i];
    if (!e || e.start >= va) return;
    if (this.entries.length >= MAX_MAP_COUNT) throw new MapCountExceeded(this.entries.length);
    const tail = new VmMapEntry(va, e.end, e.object, e.offset + (va - e.start), e.protection, e.maxProtection,
      e.inheritance, e.needsCopy, e.name);
    if (e.object) this.vm.objectReference(e.object);
    tail.wipeOnFork = e.wipeOnFork;
    tail.growsDown = e.growsDown;
    if (e.wiring) {
      const cut = (va - e.start) / PAGE_SIZE;
      tail.wiring = new Wiring(e.wiring.onFault, e.wiring.pages.slice(cut));
      e.wiring.pages = e.wiring.pages.slice(0, cut);
    }
    e.end = va;
    this.entries.splice(i + 1, 0, tail);
  }

  /**
   * Removes every mapping in [start, end): clips the edge entries, removes the translations, drops object
   * references and frees pages that nothing else maps. Holes in the range are fine (Mach vm_deallocate).
   */
  remove(start: number, end: number): void {
    if (start >= end) return;
    this.clip(start);
    this.clip(end);
    const victims = this.overlapping(start, end);
    if (victims.length === 0) return;
    this.pmap.remove(victims[0]!.start, victims[victims.length - 1]!.end);
    const i = this.firstEndingAbove(victims[0]!.start);
    this.entries.splice(i, victims.length);
    for (const e of victims) {
      e.wiring?.release();
      if (!e.object) continue;
      if (e.object.oneMapping && e.object.refCount > 1) this.vm.objectPageRemove(e.object, e.offset, e.offset + e.size);
      this.vm.objectDeallocate(e.object);
    }
  }

  /**
   * Changes the current protection (or, with setMax, the maximum, clipping current to it) of [start, end).
   * The whole range must be mapped; raising current protection above the maximum fails without changes.
   */
  protect(start: number, end: number, prot: number, setMax = false): ProtectResult {
    const covered = this.overlapping(start, end);
    let at = start;
    for (const e of covered) {
      if (e.start > at) return "no-entry";
      at = e.end;
    }
    if (at < end) return "no-entry";
    if (!setMax && covered.some((e) => (prot & ~e.maxProtection) !== 0)) return "protection-failure";
    this.clip(start);
    this.clip(end);
    for (const e of this.overlapping(start, end)) {
      const old = e.protection;
      if (setMax) {
        e.maxProtection = prot;
        e.protection &= prot;
      } else {
        e.protection = prot;
      }
      // The pmap only ever loses rights here (FreeBSD's pmap_protect): a right added is entered by the next
      // fault, which knows whether the page may be written (a copy-on-write page, the zero page may not). So
      // write permission goes too when any right is taken away; a later write refaults softly.
      if ((old & ~e.protection) !== 0) this.pmap.protect(e.start, e.end, e.protection & ~VM_PROT_WRITE);
    }
    this.simplify(start, end);
    return "ok";
  }

  /**
   * Merges neighbouring entries around [start, end) that continue each other (same object, contiguous offsets,
   * same attributes), so repeated clipping does not fragment the map (Mach vm_map_simplify).
   */
  simplify(start: number, end: number): void {
    let i = Math.max(0, this.firstEndingAbove(start) - 1);
    while (i + 1 < this.entries.length) {
      const a = this.entries[i]!, b = this.entries[i + 1]!;
      if (a.start > end) break;
      if (a.end === b.start && a.object !== null && a.object === b.object && a.offset + a.size === b.offset &&
          a.protection === b.protection && a.maxProtection === b.maxProtection &&
          a.inheritance === b.inheritance && a.needsCopy === b.needsCopy && a.name === b.name &&
          (a.wiring === null) === (b.wiring === null) && a.wiring?.onFault === b.wiring?.onFault &&
          a.wipeOnFork === b.wipeOnFork) {
        if (a.wiring) a.wiring.pages = padded(a.wiring.pages, a.size).concat(padded(b.wiring!.pages, b.size));
        a.end = b.end;
        this.entries.splice(i + 1, 1);
        this.vm.objectDeallocate(b.object!);
      } else {
        i++;
      }
    }
  }

  /** Whether [start, end) is covered by entries without holes. */
  covered(start: number, end: number): boolean {
    let at = start;
    for (const e of this.overlapping(start, end)) {
      if (e.start > at) return false;
      at = e.end;
    }
    return at >= end;
  }

  /** Sets or clears wipe-on-fork on [start, end) (madvise WIPEONFORK/KEEPONFORK); holes are skipped. */
  setWipeOnFork(start: number, end: number, wipe: boolean): void {
    this.clip(start);
    this.clip(end);
    for (const e of this.overlapping(start, end)) e.wipeOnFork = wipe;
    this.simplify(start, end);
  }

  /** Sets the inheritance of [start, end) (vm_inherit, madvise DONTFORK/DOFORK); holes are skipped. */
  setInheritance(start: number, end: number, inh: Inheritance | ((e: VmMapEntry) => Inheritance)): void {
    this.clip(start);
    this.clip(end);
    for (const e of this.overlapping(start, end)) e.inheritance = typeof inh === "function" ? inh(e) : inh;
    this.simplify(start, end);
  }

  /**
   * Fills `child` (an empty map with its own pmap) from this map by inheritance (vm_map_fork). Copy entries
   * become needs-copy on both sides and lose write permission in this map's pmap; no page is copied.
   */
  fork(child: VmMap): void {
    for (const e of this.entries) {
      if (e.inheritance === "none") continue;
      if (e.wipeOnFork) {
        // Linux dup_mmap: the child's VMA keeps the flag but none of the pages (its grandchildren start empty too).
        const fresh = new VmMapEntry(e.start, e.end, null, 0, e.protection, e.maxProtection, e.inheritance, false, e.name);
        fresh.wipeOnFork = true;
        child.entries.push(fresh);
        continue;
      }
      if (e.inheritance === "share") {
        if (e.needsCopy) entryShadow(this, e);
        e.object ??= this.vm.objectAllocate(e.size);
        e.object.shared = true;
        e.object.oneMapping = false;
      } else if (e.object?.shared && !e.needsCopy) {
        // A copy of memory others share cannot be symmetric copy-on-write (their later writes would show
        // through): copy it now, as Mach does for objects whose copy strategy forbids delay.
        child.entries.push(new VmMapEntry(e.start, e.end, this.vm.objectCopySlowly(e.object, e.offset, e.size),
          0, e.protection, e.maxProtection, e.inheritance, false, e.name));
        continue;
      } else if (e.object) {
        if (!e.needsCopy && (e.protection & VM_PROT_WRITE)) this.pmap.protect(e.start, e.end, e.protection & ~VM_PROT_WRITE);
        e.needsCopy = true;
        e.object.oneMapping = false;
        this.vm.stats.virtualCopyPages += e.object.residentCount;
      }
      if (e.object) this.vm.objectReference(e.object);
      child.entries.push(new VmMapEntry(e.start, e.end, e.object, e.offset, e.protection, e.maxProtection,
        e.inheritance, e.object ? e.needsCopy : false, e.name));
    }
  }

  /**
   * Makes [dst, dst + len) of `dstMap` a copy-on-write copy of [src, src + len) of this map (vm_copy, vm_read,
   * vm_write done as virtual copies): source entries become needs-copy, destination entries keep their
   * protections and inheritance but take references to the source objects. The caller checks that the source is
   * readable and the destination writable and both covered; both ranges are page aligned. The maps may be the
   * same, and the ranges may overlap.
   */
  copyRange(src: number, len: number, dstMap: VmMap, dst: number): void {
    const end = src + len;
    this.clip(src);
    this.clip(end);
    // Snapshot the source pieces with a reference each, before the destination (which may overlap) changes.
    const pieces: { start: number; end: number; object: VmObject | null; offset: number }[] = [];
    for (const e of this.overlapping(src, end)) {
      if (e.object?.shared && !e.needsCopy) {
        const copy = this.vm.objectCopySlowly(e.object, e.offset, e.size);
        pieces.push({ start: e.start, end: e.end, object: copy, offset: 0 });
        continue;
      }
      if (e.object) {
        if (!e.needsCopy && (e.protection & VM_PROT_WRITE)) this.pmap.protect(e.start, e.end, e.protection & ~VM_PROT_WRITE);
        e.needsCopy = true;
        e.object.oneMapping = false;
        this.vm.objectReference(e.object);
        this.vm.stats.virtualCopyPages += Math.min(e.object.residentCount, e.size / PAGE_SIZE);
      }
      pieces.push({ start: e.start, end: e.end, object: e.object, offset: e.offset });
    }
    const dend = dst + len;
    dstMap.clip(dst);
    dstMap.clip(dend);
    const olds = dstMap.overlapping(dst, dend).map((e) => ({ start: e.start, end: e.end, protection: e.protection,
      maxProtection: e.maxProtection, inheritance: e.inheritance, name: e.name }));
    dstMap.remove(dst, dend);
    const delta = dst - src;
    for (const p of pieces) {
      for (const o of olds) {
        const s = Math.max(p.start + delta, o.start), f = Math.min(p.end + delta, o.end);
        if (s >= f) continue;
        const obj = p.object;
        if (obj) this.vm.objectReference(obj);
        dstMap.insert(new VmMapEntry(s, f, obj, p.offset + (s - delta - p.start), o.protection, o.maxProtection,
          o.inheritance, obj !== null, o.name));
      }
      if (p.object) this.vm.objectDeallocate(p.object);
    }
    dstMap.simplify(dst, dend);
  }

  /**
   * Moves the mappings of [src, src + len) to the free range [dst, dst + len) (mremap's move_vma): the same
   * entries, objects, offsets, protections and wirings at the new addresses. The old translations go; the next
   * touch enters them again at the new address (a soft fault), except for wired pages, which the caller enters
   * at once (vm_wire.ts). Returns the moved entries.
   */
  move(src: number, len: number, dst: number): VmMapEntry[] {
    const end = src + len;
    this.clip(src);
    this.clip(end);
    const moving = this.overlapping(src, end);
    if (moving.length === 0) return [];
    this.pmap.remove(src, end);
    this.entries.splice(this.firstEndingAbove(src), moving.length);
    const delta = dst - src;
    for (const e of moving) {
      e.start += delta;
      e.end += delta;
      this.insert(e);
    }
    this.simplify(dst, dst + len);
    return moving;
  }

  /**
   * Extends the entry that ends at `end` over the free range [end, end + delta) (mremap growing a mapping), with
   * what Linux gives there: for anonymous memory fresh zero-fill pages, for a file mapping the file's next pages.
   * When the entry's object can simply grow (its only user, with nothing beyond this window) it does; otherwise
   * the new part is an entry of its own with the same attributes (the object must not reveal pages of another
   * window, e.g. those a fork's shadow shares). A wired entry's new part is wired too (not yet faulted in).
   */
  grow(end: number, delta: number): VmMapEntry {
    const e = this.lookup(end - 1);
    if (!e || e.end !== end || !this.isFree(end, end + delta)) throw new Error(`grow: no entry ending at ${hex(end)} with free space after it`);
    const obj = e.object;
    const sole = obj !== null && obj.refCount === 1 && obj.shadowerSet.size === 0 && !obj.shared &&
      e.offset + e.size === obj.size && obj.pager === null && (obj.shadow === null || obj.shadow.pager !== null);
    if (obj === null || sole) {
      if (obj) obj.size += delta;
      e.end += delta;
      if (e.wiring) e.wiring.pages = padded(e.wiring.pages, e.size);
      return e;
    }
    // The next bytes of the pager at the bottom of the chain, if there is one: a file mapping continues the file.
    let bottom: VmObject = obj, off = e.offset + e.size;
    while (bottom.shadow && !bottom.pager) { off += bottom.shadowOffset; bottom = bottom.shadow; }
    const file = bottom.pager !== null;
    if (file) this.vm.objectReference(bottom);
    // Shared anonymous memory grows by shared memory (so a fork shares it and DONTNEED keeps it), private by none yet.
    const fresh = !file && obj.shared ? this.vm.objectAllocate(delta) : null;
    if (fresh) fresh.shared = true;
    const tail = new VmMapEntry(end, end + delta, file ? bottom : fresh, file ? off : 0, e.protection, e.maxProtection,
      e.inheritance, file && !(bottom.shared && e.inheritance === "share"), e.name);
    if (file && tail.needsCopy) bottom.oneMapping = false;
    if (e.wiring) tail.wiring = new Wiring(e.wiring.onFault, []);
    this.insert(tail);
    this.simplify(e.start, tail.end);
    return this.lookup(end)!;
  }

  /**
   * MADV_DONTNEED / MADV_FREE on [start, end) with Linux's semantics: translations go; private memory reads
   * afresh on the next touch (zero for anonymous memory, the pager's data for memory that came from one), so
   * the entry drops its private pages or, when they are shadowed or copied, its whole chain for a new one.
   * Shared memory keeps its pages. Holes are skipped.
   */
  dontneed(start: number, end: number): void {
    const vm = this.vm;
    for (const e of this.overlapping(start, end)) {
      const s = Math.max(start, e.start), f = Math.min(end, e.end);
      this.pmap.remove(s, f);
      const obj = e.object;
      if (!obj || obj.shared) continue;
      if (obj.oneMapping && !obj.shadow && obj.shadowerSet.size === 0) {
        vm.objectPageRemove(obj, e.offset + (s - e.start), e.offset + (f - e.start));
        continue;
      }
      this.clip(s);
      this.clip(f);
      const piece = this.lookup(s)!;
      let bottom: VmObject = obj, off = piece.offset;
      while (bottom.shadow && !bottom.pager) { off += bottom.shadowOffset; bottom = bottom.shadow; }
      if (bottom.pager && bottom !== obj) {
        vm.objectReference(bottom);
        piece.object = bottom;
        piece.offset = off;
        piece.needsCopy = true;
        bottom.oneMapping = false;
      } else if (bottom.pager) {
        continue;   // the pager's own object, copied by a fork: its pages are the copy's data too
      } else {
        piece.object = null;
        piece.offset = 0;
        piece.needsCopy = false;
      }
      vm.objectDeallocate(obj);
    }
  }

  /** Drops one task's use of the map; the last one removes every entry and destroys the pmap. */
  deallocate(): void {
    if (--this.refCount > 0) return;
    if (this.entries.length > 0) this.remove(this.entries[0]!.start, this.entries[this.entries.length - 1]!.end);
    this.pmap.destroy();
    this.onDestroy?.();
  }

  /** Every entry, for listings and tests. */
  describe(): string { return this.entries.map((e) => e.toString()).join("\n"); }

  /** Protections of the page at va (VM_PROT_NONE if unmapped). */
  protectionAt(va: number): number { return this.lookup(va)?.protection ?? VM_PROT_NONE; }

  /** Total mapped bytes. */
  get size(): number { return this.entries.reduce((s, e) => s + e.size, 0); }

  /** Bytes of locked entries (Linux's mm->locked_vm, /proc's VmLck). */
  get lockedBytes(): number { return this.entries.reduce((s, e) => s + (e.wiring ? e.size : 0), 0); }

  /** Locked bytes within [start, end) (Linux count_mm_mlocked_page_nr). */
  lockedIn(start: number, end: number): number {
    let n = 0;
    for (const e of this.overlapping(start, end)) if (e.wiring) n += Math.min(end, e.end) - Math.max(start, e.start);
    return n;
  }
}

/** A wiring's page list stretched to cover `size` bytes (pages never touched are undefined). */
function padded(pages: (VmPage | undefined)[], size: number): (VmPage | undefined)[] {
  const n = size / PAGE_SIZE;
  return pages.length >= n ? pages : pages.concat(new Array<VmPage | undefined>(n - pages.length).fill(undefined));
}

/** Gives a needs-copy entry its own shadow object (vm_map_lookup's copy-on-write step). */
export function entryShadow(map: VmMap, entry: VmMapEntry): void {
  const vm = map.vm;
  if (entry.object) {
    entry.object = vm.objectShadow(entry.object, entry.offset, entry.size);
    entry.offset = 0;
  }
  entry.needsCopy = false;
}

// An address space's map (Mach vm_map): sorted, non-overlapping entries, each a range of one object with its
// protections. Lookup is a binary search over the sorted array (O(log n)). Operations that cover part of an
// entry first clip it (split it in two entries sharing the object), as Mach's vm_map_clip_start/end do.

import type { Pmap } from "../pmap/pmap.js";
import type { VmObject } from "./vm_object.js";
import type { VmSystem } from "./vm_system.js";
import { type Inheritance, VM_PROT_NONE, VM_PROT_WRITE, hex, isPageAligned, protString } from "./vm_prot.js";

export class VmMapEntry {
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

export class VmMap {
  readonly entries: VmMapEntry[] = [];   // sorted by start, non-overlapping

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

  /** Splits the entry containing va so that an entry starts exactly at va (no-op if va is a boundary). */
  clip(va: number): void {
    const i = this.firstEndingAbove(va);
    const e = this.entries[i];
    if (!e || e.start >= va) return;
    const tail = new VmMapEntry(va, e.end, e.object, e.offset + (va - e.start), e.protection, e.maxProtection,
      e.inheritance, e.needsCopy, e.name);
    if (e.object) this.vm.objectReference(e.object);
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
    const i = this.entries.indexOf(victims[0]!);
    this.entries.splice(i, victims.length);
    for (const e of victims) {
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
      if (setMax) {
        e.maxProtection = prot;
        e.protection &= prot;
      } else {
        e.protection = prot;
      }
      // Pages of a copy-on-write entry may be mapped from an object below it: write permission is never raised
      // in the pmap for them; a write faults and copies (Mach vm_map_protect keeps write out of such entries).
      const cow = e.needsCopy || e.object?.shadow != null;
      this.pmap.protect(e.start, e.end, cow ? e.protection & ~VM_PROT_WRITE : e.protection);
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
          a.inheritance === b.inheritance && a.needsCopy === b.needsCopy && a.name === b.name) {
        a.end = b.end;
        this.entries.splice(i + 1, 1);
        this.vm.objectDeallocate(b.object!);
      } else {
        i++;
      }
    }
  }

  /** Every entry, for listings and tests. */
  describe(): string { return this.entries.map((e) => e.toString()).join("\n"); }

  /** Protections of the page at va (VM_PROT_NONE if unmapped). */
  protectionAt(va: number): number { return this.lookup(va)?.protection ?? VM_PROT_NONE; }

  /** Total mapped bytes. */
  get size(): number { return this.entries.reduce((s, e) => s + e.size, 0); }
}

// The vnode pager (Mach's file pager, BSD vnode_pager): while a regular file is mapped, one VM object holds its
// pages, and every mapping of the file — MAP_SHARED directly, MAP_PRIVATE through a copy-on-write shadow — finds
// them there by (object, offset). A fault on a page that is not resident asks the pager (data_request), which
// reads the file; a page wholly beyond the end of the file has no data (data_error: the access gets SIGBUS). The
// file system is in memory, so every answer (data_provided, data_error) comes at once, through the kernel's side
// of the contract (vm/pager.ts); a request for several pages (madvise WILLNEED) is answered with all of them.
//
// The resident pages are the file's page cache: read() and write() on the file go through them while they are
// resident, so a store through a shared mapping is visible to read() at once and a write() is visible in every
// mapping, as on Linux. Pages go back to the file's own storage (data_return) on msync, munmap, when the last
// mapping goes (terminate), before a flush (MS_INVALIDATE), and when the page daemon evicts one (data_write).
// Which pages changed is found by comparing bytes,
// not from the pmap's modified bits: a pmap is a discardable cache and may have thrown them away. The pager also
// knows the copy-on-write shadows of private mappings, whose copies beyond the end of a truncated file go away.

import type { VmObject } from "../vm/vm_object.js";
import type { MemoryObjectControl, Pager } from "../vm/pager.js";
import type { VmSystem } from "../vm/vm_system.js";
import { PAGE_SIZE, roundPage, truncPage } from "../vm/vm_prot.js";
import { EFAULT } from "../sys/errno.js";
import type { FileNode } from "./vnode.js";

/** Counters of the file pagers of one machine. */
export interface PagerStats {
  pagesRead: number;       // data_request answered from the file
  pagesWritten: number;    // modified pages returned to the file (data_return)
  beyondEof: number;       // data_request beyond the end of the file (SIGBUS)
}

export class VnodePager implements Pager {
  readonly name: string;
  readonly object: VmObject;
  private readonly shadows = new Set<VmObject>();   // private mappings' copy-on-write objects over this one

  private constructor(private readonly vm: VmSystem, readonly node: FileNode, private readonly stats: PagerStats) {
    this.name = `vnode ${node.ino}`;
    this.object = vm.objectAllocate(Number.MAX_SAFE_INTEGER - PAGE_SIZE + 1, this);
    this.object.oneMapping = false;   // every mapping of the file shares these pages
    node.hold(1);
  }

  /**
   * The file's VM object with one new reference for a new mapping: the live one while the file is mapped, else a
   * fresh one (memory_object_init).
   */
  static objectFor(vm: VmSystem, node: FileNode, stats: PagerStats): VmObject {
    if (node.cache) {
      vm.objectReference(node.cache.object);
      return node.cache.object;
    }
    const pager = new VnodePager(vm, node, stats);
    node.cache = pager;
    return pager.object;
  }

  dataRequest(obj: VmObject, control: MemoryObjectControl, offset: number, length: number): void {
    const size = this.node.size;
    if (offset >= roundPage(size)) { this.stats.beyondEof++; control.dataError(obj, offset, length, EFAULT); return; }
    const end = Math.min(offset + length, roundPage(size));
    control.dataProvided(obj, offset, padded(this.node.read(offset, Math.min(end, size) - offset), end - offset));
    this.stats.pagesRead += (end - offset) / PAGE_SIZE;
  }

  /** A page leaves memory (the page daemon): what changed goes back to the file. */
  dataWrite(_obj: VmObject, offset: number, data: Uint8Array): void {
    this.writeBack(offset, data);
  }

  shadowed(shadow: VmObject): void { this.shadows.add(shadow); }

  /** The last mapping is gone: return what changed and let the file forget the object (memory_object_terminate). */
  terminate(): void {
    this.clean(0, Number.MAX_SAFE_INTEGER);
    if (this.node.cache === this) this.node.cache = null;
    this.node.hold(-1);
  }

  /** Writes the resident pages with offsets in [start, end) that differ from the file back to it. */
  clean(start: number, end: number): void {
    for (const page of this.pagesIn(start, end)) this.writeBack(page.offset, this.vm.phys.view(page.pa));
  }

  /** Writes a page's bytes at offset to the file if they differ from it (the part beyond EOF never reaches it). */
  private writeBack(offset: number, data: Uint8Array): void {
    const size = this.node.size;
    if (offset >= size) return;
    const n = Math.min(PAGE_SIZE, size - offset);
    const now = data.subarray(0, n);
    const stored = this.node.read(offset, n);
    if (!now.every((b, i) => b === stored[i])) {
      // A page over a hole needs space: when the file system is full the change stays in the resident page
      // only (and is lost when the object goes); tmpfs would have refused the page at fault time (SIGBUS).
      if (this.node.write(offset, now.slice())) this.stats.pagesWritten++;
    }
  }

  /** Cleans [start, end) and then drops those pages and their translations (lock_request with should_flush). */
  flush(start: number, end: number): void {
    this.clean(start, end);
    for (const page of this.pagesIn(start, end)) this.vm.pageFree(page);
  }

  private pagesIn(start: number, end: number) {
    return [...this.object.resident.values()].filter((p) => p.offset >= start && p.offset < end);
  }

  /** Reads through the cache: bytes [off, off + len) of the file, from resident pages where there are any. */
  read(off: number, len: number): Uint8Array {
    const out = this.node.read(off, len);
    for (let pageOff = truncPage(off); pageOff < off + len; pageOff += PAGE_SIZE) {
      const page = this.object.pageLookup(pageOff);
      if (!page) continue;
      const from = Math.max(off, pageOff), to = Math.min(off + len, pageOff + PAGE_SIZE);
      out.set(this.vm.phys.view(page.pa).subarray(from - pageOff, to - pageOff), from - off);
    }
    return out;
  }

  /** After the file's storage took a write at off: the resident pages see the same bytes. */
  wrote(off: number, data: Uint8Array): void {
    for (let pageOff = truncPage(off); pageOff < off + data.length; pageOff += PAGE_SIZE) {
      const page = this.object.pageLookup(pageOff);
      if (!page) continue;
      const from = Math.max(off, pageOff), to = Math.min(off + data.length, pageOff + PAGE_SIZE);
      this.vm.phys.view(page.pa).set(data.subarray(from - off, to - off), from - pageOff);
    }
  }

  /**
   * The file went from `old` to `size` bytes: pages wholly beyond the new end go (with their translations, so the
   * next access gets SIGBUS), and what lies past the shorter of the two sizes in its last page reads as zero (stores
   * through a mapping beyond the end of a file never become file data), as Linux's truncate_pagecache does.
   */
  truncated(old: number, size: number): void {
    for (const page of this.pagesIn(roundPage(size), Number.MAX_SAFE_INTEGER)) this.vm.pageFree(page);
    // Private copies beyond the end go too (Linux unmap_mapping_range with even_cows): the next access faults.
    // Copies made after a fork live in shadows of those shadows: each is reached once, with its offset in the file.
    const end = roundPage(size);
    const drop = (shadow: VmObject, base: number): void => {
      this.vm.objectPageRemove(shadow, Math.max(0, end - base), Number.MAX_SAFE_INTEGER);   // resident and on swap
      for (const above of shadow.shadowerSet) drop(above, base + above.shadowOffset);
    };
    for (const shadow of [...this.shadows]) {
      if (shadow.dead || shadow.shadow !== this.object) { this.shadows.delete(shadow); continue; }
      drop(shadow, shadow.shadowOffset);
    }
    const edge = Math.min(old, size);
    const last = this.object.pageLookup(truncPage(edge));
    if (last && edge % PAGE_SIZE !== 0) this.vm.phys.view(last.pa).fill(0, edge % PAGE_SIZE);
  }
}

/** The bytes followed by zeros up to n (a page of a file whose end falls inside it). */
function padded(bytes: Uint8Array, n: number): Uint8Array {
  if (bytes.length >= n) return bytes;
  const out = new Uint8Array(n);
  out.set(bytes);
  return out;
}

/** Reads file bytes (clipped to its size) through its page cache if it is mapped. */
export function fileRead(node: FileNode, off: number, len: number): Uint8Array {
  const n = Math.max(0, Math.min(len, node.size - off));
  return node.cache ? node.cache.read(off, n) : node.read(off, n);
}

/** Writes file bytes and keeps any resident pages coherent; false when out of space. */
export function fileWrite(node: FileNode, off: number, data: Uint8Array): boolean {
  if (!node.write(off, data)) return false;
  node.cache?.wrote(off, data);
  return true;
}

export function fileTruncate(node: FileNode, size: number): void {
  const old = node.size;
  node.truncate(size);
  node.cache?.truncated(old, size);
}

/**
 * A private copy of a file range for machines without translation, where a frame can appear at one address only
 * and so cannot be shared with the file's object. Like NOMMU Linux (mm/nommu.c), MAP_PRIVATE gets a copy, made at
 * mmap time (nothing faults without an MMU), and MAP_SHARED is refused (ENODEV). Pages past the end of the file
 * read as zero; the copy never sees later changes to the file.
 */
export class FileCopyPager implements Pager {
  readonly name: string;

  constructor(private readonly node: FileNode, private readonly base: number, private readonly stats: PagerStats) {
    this.name = `copy of vnode ${node.ino}`;
    node.hold(1);
  }

  dataRequest(obj: VmObject, control: MemoryObjectControl, offset: number, length: number): void {
    control.dataProvided(obj, offset, padded(fileRead(this.node, this.base + offset, length), length));
    this.stats.pagesRead += length / PAGE_SIZE;
  }

  terminate(): void { this.node.hold(-1); }
}

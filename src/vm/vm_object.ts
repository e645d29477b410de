// Memory objects (Mach vm_object): a range of bytes whose resident pages are found by (object, offset).
// Anonymous objects are zero-filled on first touch; an object may instead have a pager that supplies a page's
// initial contents (data_request answered by data_provided; the contract is pager.ts). A copy-on-write copy is a shadow object: it holds
// the pages written since the copy and looks up every other page in the object it shadows (shadow, at
// shadowOffset), as in Mach's symmetric copy strategy (mach_vm.md §4). A private file mapping's copies shadow
// the file's object (which has the vnode pager); the pager is told of each shadow made directly over it.

import type { Pager } from "./pager.js";
import type { VmPage } from "./vm_page.js";
import { PAGE_SIZE } from "./vm_prot.js";

export type { Pager } from "./pager.js";

export class VmObject {
  refCount = 1;                            // map entries and shadow objects referring to this object
  shadow: VmObject | null = null;          // backing object searched when a page is not resident here (COW)
  shadowOffset = 0;                        // offset of this object within the shadow
  readonly shadowerSet = new Set<VmObject>(); // objects whose shadow is this one (a collapse candidate when 1)
  oneMapping = true;                       // one map entry range at most maps any offset (FreeBSD OBJ_ONEMAPPING):
                                           // cleared when the object is copied or shared, so unmapping part of
                                           // an entry may free that part's pages only while it is set
  shared = false;                          // mapped shared by several tasks (MAP_SHARED, VM_INHERIT_SHARE; xnu's
                                           // true_share): never the zero page, and a copy-up revokes old mappings
  dead = false;                            // the last reference is gone
  resident = new Map<number, VmPage>();    // page index (offset / PAGE_SIZE) → resident page
  swap: Map<number, number> | null = null; // the default pager's swap map: page index → swap slot of a page
                                           // paged out (or paged in and still clean); null until the first
  mayCache = false;                        // the pager asked the kernel to keep the pages after the last
                                           // mapping goes (memory_object cache attribute)

  constructor(
    readonly id: number,                   // unique within one machine, for debugging and traces
    public size: number,                   // bytes
    readonly pager: Pager | null = null,   // null: anonymous zero-fill memory
  ) {}

  pageLookup(offset: number): VmPage | undefined { return this.resident.get(offset / PAGE_SIZE); }

  pageInsert(page: VmPage, offset: number): void {
    const k = offset / PAGE_SIZE;
    if (this.resident.has(k)) throw new Error(`object ${this.id}: page at offset ${offset} already resident`);
    page.object = this;
    page.offset = offset;
    this.resident.set(k, page);
  }

  pageRemove(page: VmPage): void {
    this.resident.delete(page.offset / PAGE_SIZE);
    page.object = null;
  }

  get residentCount(): number { return this.resident.size; }

  /** Whether the page at offset is on swap (the default pager holds it): the chain search stops here. */
  swapped(offset: number): boolean { return this.swap !== null && this.swap.has(offset / PAGE_SIZE); }

  /** Pages of this object on swap. */
  get swapCount(): number { return this.swap?.size ?? 0; }

  /** Objects from this one down its shadow chain (this one included). */
  get chainLength(): number {
    let n = 0;
    for (let o: VmObject | null = this; o; o = o.shadow) n++;
    return n;
  }
}

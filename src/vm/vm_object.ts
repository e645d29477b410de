// Memory objects (Mach vm_object): a range of bytes whose resident pages are found by (object, offset).
// Anonymous objects are zero-filled on first touch; an object may instead have a pager that supplies a page's
// initial contents (data_request answered by data_provided). A copy-on-write copy is a shadow object: it holds
// the pages written since the copy and looks up every other page in the object it shadows (shadow, at
// shadowOffset), as in Mach's symmetric copy strategy (mach_vm.md §4). A private file mapping's copies shadow
// the file's object (which has the vnode pager); the pager is told of each shadow made directly over it.

import type { VmPage } from "./vm_page.js";
import { PAGE_SIZE } from "./vm_prot.js";

/** Supplies initial page contents: fill `dst` (already zeroed, one page) with the data at byte `offset`. */
export interface Pager {
  readonly name: string;
  /** Returns "error" when there is no data at offset (memory_object_data_error: the access gets SIGBUS). */
  dataRequest(offset: number, dst: Uint8Array): void | "error";
  /**
   * The object's last reference is going, its pages still resident: the pager takes back what changed
   * (memory_object_data_return) and forgets the object (memory_object_terminate).
   */
  terminate?(obj: VmObject): void;
  /**
   * A copy-on-write shadow now covers this pager's object: the pager may have to reach the private copies later
   * (a file truncated under a private mapping loses its copied pages beyond the new end, as on Linux).
   */
  shadowed?(shadow: VmObject): void;
}

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

  /** Objects from this one down its shadow chain (this one included). */
  get chainLength(): number {
    let n = 0;
    for (let o: VmObject | null = this; o; o = o.shadow) n++;
    return n;
  }
}

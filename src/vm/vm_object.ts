// Memory objects (Mach vm_object): a range of bytes whose resident pages are found by (object, offset).
// Anonymous objects are zero-filled on first touch; an object may instead have a pager that supplies a page's
// initial contents (data_request answered by data_provided). A copy-on-write entry's object shadows the object
// it copies (a private file mapping shadows the file's object after its first write); faults search the chain.

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
  refCount = 1;                            // map entries (and later shadows) referring to this object
  shadow: VmObject | null = null;          // backing object searched when a page is not resident here (COW)
  shadowOffset = 0;                        // offset of this object within the shadow
  oneMapping = true;                       // only one map entry range refers to any page (no sharing yet)
  readonly resident = new Map<number, VmPage>(); // page index (offset / PAGE_SIZE) → resident page

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
}

// A resident page: one physical frame holding the data of (object, offset). Machine-dependent data hangs off it
// (STYLE.md point 9): the pv list, every (pmap, va) that maps the frame, which pmaps use for operations by page
// (protect all mappings, read or clear referenced/modified bits).

import type { Pmap } from "./pmap.js";
import type { VmObject } from "./vm_object.js";

/** One mapping of a page by a pmap (FreeBSD's pv_entry). */
export interface PvEntry {
  readonly pmap: Pmap;   // the address space that maps the page
  readonly va: number;   // where
}

export class VmPage {
  object: VmObject | null = null;  // owner; null once freed
  offset = 0;                      // byte offset of the page in its object
  wireCount = 0;                   // > 0: must not be paged out
  readonly pv: PvEntry[] = [];     // machine-dependent: mappings of this frame

  constructor(readonly pa: number) {}   // physical address of the frame

  pvAdd(pmap: Pmap, va: number): void {
    if (!this.pv.some((e) => e.pmap === pmap && e.va === va)) this.pv.push({ pmap, va });
  }

  pvRemove(pmap: Pmap, va: number): void {
    const i = this.pv.findIndex((e) => e.pmap === pmap && e.va === va);
    if (i >= 0) this.pv.splice(i, 1);
  }
}

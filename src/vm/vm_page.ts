// A resident page: one physical frame holding the data of (object, offset). Machine-dependent data hangs off it
// (STYLE.md point 9): the pv list, every (pmap, va) that maps the frame, which pmaps use for operations by page
// (protect all mappings, read or clear referenced/modified bits). The machine-independent paging state rides on it
// too: whether its data is still on its way from a pager (busy, Mach's VM_PAGE_BUSY/absent), whether it differs
// from its backing store (dirty), which page queue it is on (vm_page_queue.ts) and the pager's lock on it.

import type { Pmap } from "./pmap.js";
import type { VmObject } from "./vm_object.js";

/** What a page knows of the queue it is on (vm_page_queue.ts PageQueue). */
export interface PageQueueLike { readonly name: string }

/** One mapping of a page by a pmap (FreeBSD's pv_entry), linked into its page's list. */
export interface PvEntry {
  readonly pmap: Pmap;   // the address space that maps the page
  readonly va: number;   // where
}

interface PvNode extends PvEntry {
  prev: PvNode | null;
  next: PvNode | null;
}

/** Past this many entries a page's list is indexed by (pmap, va); below it a scan is cheaper than the index. */
const PV_INDEX_AT = 8;

/**
 * A page's pv list: insertion order (as the list was), O(1) insert and remove. A page can be mapped very many
 * times (a shared page at every address of many tasks' maps; the shared zero page, the one mapped most, is kept off
 * pv lists: VmSystem.pmapPageOf), so neither may scan the list: entries are doubly linked, and a long list is
 * indexed by pmap, then va.
 */
export class PvList implements Iterable<PvEntry> {
  private head: PvNode | null = null;
  private tail: PvNode | null = null;
  private index: Map<Pmap, Map<number, PvNode>> | null = null;
  length = 0;

  private find(pmap: Pmap, va: number): PvNode | undefined {
    if (this.index) return this.index.get(pmap)?.get(va);
    for (let e = this.head; e; e = e.next) if (e.pmap === pmap && e.va === va) return e;
    return undefined;
  }

  private indexAdd(e: PvNode): void {
    const idx = this.index!;
    let byVa = idx.get(e.pmap);
    if (!byVa) idx.set(e.pmap, byVa = new Map());
    byVa.set(e.va, e);
  }

  /** Adds (pmap, va) at the end unless it is already on the list. */
  add(pmap: Pmap, va: number): void {
    if (this.find(pmap, va)) return;
    const e: PvNode = { pmap, va, prev: this.tail, next: null };
    if (this.tail) this.tail.next = e; else this.head = e;
    this.tail = e;
    this.length++;
    if (this.index) this.indexAdd(e);
    else if (this.length > PV_INDEX_AT) {
      this.index = new Map();
      for (let x = this.head; x; x = x.next) this.indexAdd(x);
    }
  }

  /** Removes (pmap, va) if it is on the list. */
  remove(pmap: Pmap, va: number): void {
    const e = this.find(pmap, va);
    if (!e) return;
    if (e.prev) e.prev.next = e.next; else this.head = e.next;
    if (e.next) e.next.prev = e.prev; else this.tail = e.prev;
    this.length--;
    if (this.index) {
      const byVa = this.index.get(pmap)!;
      byVa.delete(va);
      if (byVa.size === 0) this.index.delete(pmap);
      if (this.length === 0) this.index = null;
    }
  }

  /** Whether some entry satisfies `f`. */
  some(f: (e: PvEntry) => unknown): boolean {
    for (const e of this) if (f(e)) return true;
    return false;
  }

  /** In insertion order; removing the entry just returned (or any before it) does not disturb the walk. */
  *[Symbol.iterator](): Iterator<PvEntry> {
    for (let e = this.head; e;) {
      const next = e.next;
      yield e;
      e = next;
    }
  }
}

export class VmPage {
  object: VmObject | null = null;  // owner; null once freed
  offset = 0;                      // byte offset of the page in its object
  wireCount = 0;                   // > 0: must not be paged out
  readonly pv = new PvList();      // machine-dependent: mappings of this frame
  busy = false;                    // its data is on its way from the pager (data_request not answered yet):
                                   // faults on it wait; the page daemon leaves it alone
  error = false;                   // the pager answered data_error: the fault that finds it fails (SIGBUS)
  dirty = true;                    // differs from what its pager holds (a page made by zero-fill or copy has no
                                   // other copy); false after a page-in until its first write fault
  lock = 0;                        // VM_PROT_* accesses the pager forbids (memory_object_lock_request lock_value)
  referenced = false;              // a reference the kernel saw itself (a fault on it): the policies' software bit
  // Page-queue links (vm_page_queue.ts): the queue it is on and its neighbours there.
  queue: PageQueueLike | null = null;
  qprev: VmPage | null = null;
  qnext: VmPage | null = null;
  stamp = 0;                       // a policy's number: the time of its last use (lru), its insertion (fifo) …

  constructor(readonly pa: number) {}   // physical address of the frame

  pvAdd(pmap: Pmap, va: number): void { this.pv.add(pmap, va); }

  pvRemove(pmap: Pmap, va: number): void { this.pv.remove(pmap, va); }
}

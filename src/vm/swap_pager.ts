// The default pager (Mach's default_pager, BSD's swap_pager): the backing store of anonymous memory. A page of an
// anonymous object that leaves memory modified is written to a swap slot (data_write, not waited for: the data is
// the pager's once sent); the object's swap map (VmObject.swap, page index → slot) remembers where. A later fault
// on it asks the pager (data_request), which reads the slot through the swap device and answers data_provided when
// the device completes — later, on the clock — or data_unavailable for a page it never had (zero-fill). A page read
// back keeps its slot while it stays clean, so evicting it again costs no write (Linux's swap cache); the kernel
// frees the slot at the page's first write. Slots are handed out lowest first, so runs stay deterministic.

import type { MemoryObjectControl, Pager, PagingClock } from "./pager.js";
import type { SwapDevice } from "./swap_device.js";
import type { VmObject } from "./vm_object.js";
import { PAGE_SIZE } from "./vm_prot.js";

/** A read in flight: the data travels with it, so later writes to the slot cannot change what it brings. */
interface PendingRead { obj: VmObject; offset: number; data: Uint8Array; done: bigint }

export class SwapPager implements Pager {
  readonly name = "default pager";
  readonly slots: number;                         // capacity in pages
  private readonly store: (Uint8Array | undefined)[] = [];
  private readonly freeSlots: number[] = [];      // freed slots below `next`, kept sorted (lowest first)
  private next = 0;                               // slots at and above this were never used
  private readonly pending = new Map<string, PendingRead>();
  used = 0;
  peak = 0;
  pageins = 0;                                    // pages read from swap
  pageouts = 0;                                   // pages written to swap

  constructor(private readonly control: MemoryObjectControl, private readonly clock: PagingClock,
              readonly device: SwapDevice, bytes: number) {
    this.slots = Math.floor(bytes / PAGE_SIZE);
  }

  /** Whether a page of obj at offset could be written now: it has a slot, or a slot is free. */
  canWrite(obj: VmObject, offset: number): boolean {
    return this.used < this.slots || obj.swapped(offset);
  }

  dataRequest(obj: VmObject, _control: MemoryObjectControl, offset: number, length: number): void {
    for (let off = offset; off < offset + length; off += PAGE_SIZE) {
      const slot = obj.swap?.get(off / PAGE_SIZE);
      if (slot === undefined) { this.control.dataUnavailable(obj, off, PAGE_SIZE); continue; }
      const key = `${obj.id}:${off}`;
      if (this.pending.has(key)) continue;
      const done = this.device.submit(false, this.clock.now());
      this.pending.set(key, { obj, offset: off, data: this.store[slot]!.slice(), done });
      this.pageins++;
      this.clock.at(done, () => this.complete(key));
    }
  }

  /** The device finished the read: the data goes to the kernel. */
  private complete(key: string): void {
    const r = this.pending.get(key);
    if (!r) return;                               // already expedited
    this.pending.delete(key);
    this.control.dataProvided(r.obj, r.offset, r.data);
  }

  /**
   * The kernel cannot sleep for this page (a fault taken inside a system call): the read completes now. Returns
   * the cycles still to wait for it, which the kernel spends waiting.
   */
  expedite(obj: VmObject, offset: number): number {
    const key = `${obj.id}:${offset}`;
    const r = this.pending.get(key);
    if (!r) return 0;
    const now = this.clock.now();
    this.complete(key);
    return r.done > now ? Number(r.done - now) : 0;
  }

  dataWrite(obj: VmObject, offset: number, data: Uint8Array): void {
    const idx = offset / PAGE_SIZE;
    obj.swap ??= new Map();
    let slot = obj.swap.get(idx);
    if (slot === undefined) {
      slot = this.allocSlot();
      obj.swap.set(idx, slot);
    }
    this.store[slot] = data.slice();
    this.device.submit(true, this.clock.now());
    this.pageouts++;
  }

  /** Lets go of the slot of obj's page at offset, if it has one (the page changed, or went away). */
  free(obj: VmObject, offset: number): void {
    const idx = offset / PAGE_SIZE;
    const slot = obj.swap?.get(idx);
    if (slot === undefined) return;
    obj.swap!.delete(idx);
    this.releaseSlot(slot);
  }

  /** Every slot of obj (its last reference is gone). */
  freeAll(obj: VmObject): void {
    if (!obj.swap) return;
    for (const slot of obj.swap.values()) this.releaseSlot(slot);
    obj.swap = null;
  }

  /** Moves the slot of from's page at fromOff to to's page at toOff (a collapse moving a page up). */
  move(from: VmObject, fromOff: number, to: VmObject, toOff: number): void {
    const slot = from.swap!.get(fromOff / PAGE_SIZE)!;
    from.swap!.delete(fromOff / PAGE_SIZE);
    to.swap ??= new Map();
    to.swap.set(toOff / PAGE_SIZE, slot);
  }

  /** Whether a read for obj's page at offset is in flight. */
  reading(obj: VmObject, offset: number): boolean { return this.pending.has(`${obj.id}:${offset}`); }

  /** Whether any read of obj is in flight (a collapse must not move its pages meanwhile). */
  readingAny(obj: VmObject): boolean {
    for (const r of this.pending.values()) if (r.obj === obj) return true;
    return false;
  }

  /** The bytes in obj's slot at offset (tests and the invariant checker): undefined when it has none. */
  peek(obj: VmObject, offset: number): Uint8Array | undefined {
    const slot = obj.swap?.get(offset / PAGE_SIZE);
    return slot === undefined ? undefined : this.store[slot];
  }

  private allocSlot(): number {
    if (this.used >= this.slots) throw new Error("swap slot allocated with the swap device full");
    this.used++;
    if (this.used > this.peak) this.peak = this.used;
    if (this.freeSlots.length > 0) return this.freeSlots.shift()!;
    return this.next++;
  }

  private releaseSlot(slot: number): void {
    this.store[slot] = undefined;
    this.used--;
    // Sorted insertion keeps "lowest free slot first" (a binary search: the list can hold every slot).
    let lo = 0, hi = this.freeSlots.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.freeSlots[mid]! < slot) lo = mid + 1; else hi = mid; }
    this.freeSlots.splice(lo, 0, slot);
  }
}

// The pager contract: Mach's external memory-management interface (mach_vm.md §3; Young et al., SOSP'87) between
// the kernel, which caches memory objects in physical frames, and the pager that holds each object's data. Both
// directions are messages, never return values, so a pager may answer later — from a device's completion, or
// (later, over IPC) from a pager running as a guest task:
//
//   kernel → pager (Pager)                              pager → kernel (MemoryObjectControl)
//   data_request(control, offset, length, access)       data_provided(offset, data, lock_value)  — maybe more pages
//   data_write(offset, data)  (a page-out, not waited)  data_unavailable(offset, size)           — zero-fill
//   data_unlock(offset, length, desired_access)         data_error(offset, size, error)          — the access fails
//   terminate()                                         lock_request(offset, size, clean, flush, lock_value)
//                                                       cache(should_cache)
//
// A fault on a page whose data is on its way finds the page busy and waits (the task sleeps; vm_fault.ts). The
// vnode pager (fs/vnode_pager.ts) answers at once from the in-memory file system; the default pager
// (swap_pager.ts) answers after its swap device's latency. An anonymous object has no pager of its own (its
// `pager` stays null: it is zero-fill memory): the default pager takes it over at its first page-out, as Mach's
// kernel hands a temporary object to the default pager with memory_object_create. A pager without data_write
// holds data that never changes (a program's segments, the signal trampoline): a page of its object that was
// mapped writable leaves memory through the default pager too, and comes back from swap before the pager is asked.

import type { VmObject } from "./vm_object.js";

/** The pager side: what the kernel asks of the pager of an object. */
export interface Pager {
  readonly name: string;
  /**
   * memory_object_data_request: the kernel needs [offset, offset + length) (whole pages) for `desiredAccess`.
   * The pager answers with dataProvided, dataUnavailable or dataError on `control`, now or later.
   */
  dataRequest(obj: VmObject, control: MemoryObjectControl, offset: number, length: number, desiredAccess: number): void;
  /**
   * memory_object_data_write (data_return): a modified page leaves memory. The data is the pager's from now on
   * (a copy); the kernel frees the frame without waiting for the write. Absent: the pager's data never changes.
   */
  dataWrite?(obj: VmObject, offset: number, data: Uint8Array): void;
  /**
   * memory_object_data_unlock: an access the pager's lock forbids was attempted; the pager answers with a
   * lock_request (relaxing the lock, or flushing the page to refuse it). Optional: pagers that never lock.
   */
  dataUnlock?(obj: VmObject, offset: number, length: number, desiredAccess: number): void;
  /** memory_object_terminate: the object's last reference is gone (its resident pages are still there). */
  terminate?(obj: VmObject): void;
  /**
   * Not Mach's: a copy-on-write shadow now covers this pager's object (a file truncated under a private mapping
   * loses its copied pages beyond the new end, as on Linux).
   */
  shadowed?(shadow: VmObject): void;
}

/** Whether obj's modified pages go to the default pager (anonymous memory, or a pager without data_write). */
export function backedBySwap(obj: VmObject): boolean { return !obj.pager?.dataWrite; }

/** The kernel side of one object (memory_object_control): where a pager's answers and requests go. */
export interface MemoryObjectControl {
  /** Data for [offset, offset + data.length): fills the busy pages waiting for it, and may cache more (prefetch). */
  dataProvided(obj: VmObject, offset: number, data: Uint8Array, lockValue?: number): void;
  /** No data for [offset, offset + size): the pages waiting for it are zero-filled. */
  dataUnavailable(obj: VmObject, offset: number, size: number): void;
  /** The data cannot be had: faults waiting on [offset, offset + size) fail (SIGBUS). */
  dataError(obj: VmObject, offset: number, size: number, error: number): void;
  /**
   * memory_object_lock_request on the resident pages of [offset, offset + size): with shouldClean modified pages
   * are written back (data_write), with shouldFlush they leave memory, and lockValue (VM_PROT_* bits) becomes the
   * accesses they refuse until unlocked.
   */
  lockRequest(obj: VmObject, offset: number, size: number, shouldClean: boolean, shouldFlush: boolean, lockValue: number): void;
  /** memory_object_set_attributes may_cache: keep the object's pages after its last mapping goes. */
  cache(obj: VmObject, shouldCache: boolean): void;
}

/**
 * Time for the paging machinery, given by the kernel: the clock (cycles), deadlines that fire between
 * instructions (device completions), and cycles the CPU spends on paging work, charged to the machine.
 */
export interface PagingClock {
  now(): bigint;
  at(deadline: bigint, fire: () => void): void;
  charge(cycles: number): void;
}

/** A clock for a VM without a kernel around it (tests): time stands still and deadlines fire when run. */
export class ManualClock implements PagingClock {
  time = 0n;
  charged = 0;
  private readonly pending: { deadline: bigint; fire: () => void }[] = [];
  now(): bigint { return this.time; }
  at(deadline: bigint, fire: () => void): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.deadline > deadline) i--;
    this.pending.splice(i, 0, { deadline, fire });
  }
  charge(cycles: number): void { this.charged += cycles; }
  /** Advances to the next deadline and fires it; false when none is pending. */
  step(): boolean {
    const ev = this.pending.shift();
    if (!ev) return false;
    if (ev.deadline > this.time) this.time = ev.deadline;
    ev.fire();
    return true;
  }
  get waiting(): number { return this.pending.length; }
}

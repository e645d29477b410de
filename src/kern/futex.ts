// Futex wait queues (Linux kernel/futex/core.c, waitwake.c, requeue.c): one queue per futex key, a key being
// the memory the futex word lives in — (address space, address) for a private futex, (VM object, offset) for one
// in shared memory, so processes that map the same object meet whatever addresses they map it at. Waiters are
// kept in arrival order, as a futex hash bucket's plist keeps tasks of equal priority. A waiter is woken by being
// taken off its queue; the sleeping task then finds itself woken when its call is made again.

import type { Task } from "./task.js";
import { EFAULT, EINVAL } from "../sys/errno.js";

/** A futex's identity: the object the word is in (a VmMap or a VmObject) and its address or offset there. */
export interface FutexKey { readonly object: object; readonly offset: number }

/**
 * The key of the futex word at uaddr of task t (get_futex_key): EINVAL when misaligned, EFAULT when not mapped.
 * A private futex is keyed by address space and address; a shared one in a page of an object other address spaces
 * map too (shared memory, a file mapped shared) by that object and offset.
 */
export function futexKey(t: Task, uaddr: number, shared: boolean): FutexKey | number {
  if (uaddr % 4 !== 0) return -EINVAL;
  const map = t.map;
  if (uaddr + 4 > map.maxAddress) return -EFAULT;   // access_ok
  if (!shared) return { object: map, offset: uaddr };
  // A shared key needs the page itself (get_user_pages_fast): unmapped, PROT_NONE, or a file page beyond the end
  // of its file (VM_FAULT_SIGBUS) is EFAULT.
  const e = map.lookup(uaddr);
  if (!e || t.um.readU32(uaddr) === undefined) return -EFAULT;
  if (e.object && !e.needsCopy && (e.object.shared || e.object.pager !== null)) {
    return { object: e.object, offset: e.offset + (uaddr - e.start) };
  }
  return { object: map, offset: uaddr };
}

export interface FutexWaiter {
  readonly task: Task;
  key: FutexKey;                 // changed by a requeue
  readonly bitset: number;       // FUTEX_WAIT_BITSET's mask (all ones for FUTEX_WAIT)
  woken: boolean;                // taken off its queue by a wake
}

export class FutexQueues {
  private readonly queues = new Map<object, Map<number, FutexWaiter[]>>();
  /** The waiter of each task sleeping in a futex wait (one thread per task: at most one). */
  private readonly waiting = new Map<Task, FutexWaiter>();

  private queueOf(key: FutexKey, make: boolean): FutexWaiter[] | undefined {
    let byOffset = this.queues.get(key.object);
    if (!byOffset) {
      if (!make) return undefined;
      byOffset = new Map();
      this.queues.set(key.object, byOffset);
    }
    let q = byOffset.get(key.offset);
    if (!q && make) { q = []; byOffset.set(key.offset, q); }
    return q;
  }

  private drop(key: FutexKey): void {
    const byOffset = this.queues.get(key.object);
    if (byOffset?.get(key.offset)?.length === 0) {
      byOffset.delete(key.offset);
      if (byOffset.size === 0) this.queues.delete(key.object);
    }
  }

  /** t's wait in progress (it is making its futex call again after sleeping), if any. */
  waiterOf(t: Task): FutexWaiter | undefined { return this.waiting.get(t); }

  /** Queues t on `key` (futex_queue). */
  enqueue(t: Task, key: FutexKey, bitset: number): FutexWaiter {
    const w: FutexWaiter = { task: t, key, bitset, woken: false };
    this.queueOf(key, true)!.push(w);
    this.waiting.set(t, w);
    return w;
  }

  /** t's wait is over (woken, timed out, interrupted): it leaves its queue if still on it (futex_unqueue). */
  finish(t: Task): void {
    const w = this.waiting.get(t);
    if (!w) return;
    this.waiting.delete(t);
    if (w.woken) return;
    const q = this.queueOf(w.key, false);
    const i = q?.indexOf(w) ?? -1;
    if (i >= 0) q!.splice(i, 1);
    this.drop(w.key);
  }

  /**
   * Wakes waiters on `key` whose bitset meets `bitset`, oldest first; Linux wakes one even when asked for none
   * (the count is tested after each wake). Tasks that died while waiting are dropped without counting.
   */
  wake(key: FutexKey, count: number, bitset: number): number {
    const q = this.queueOf(key, false);
    if (!q) return 0;
    let woken = 0;
    for (let i = 0; i < q.length;) {
      const w = q[i]!;
      if (w.task.state === "zombie") { q.splice(i, 1); this.waiting.delete(w.task); continue; }
      if ((w.bitset & bitset) === 0) { i++; continue; }
      q.splice(i, 1);
      w.woken = true;
      if (++woken >= count) break;
    }
    this.drop(key);
    return woken;
  }

  /** futex_requeue's second half: moves up to `count` waiters from `from` to `to`; returns how many moved. */
  requeue(from: FutexKey, to: FutexKey, count: number): number {
    const q = this.queueOf(from, false);
    if (!q || count <= 0) return 0;
    const moved = q.splice(0, Math.min(count, q.length)).filter((w) => w.task.state !== "zombie");
    this.drop(from);
    if (moved.length === 0) return 0;
    const dest = this.queueOf(to, true)!;
    for (const w of moved) { w.key = to; dest.push(w); }
    return moved.length;
  }
}

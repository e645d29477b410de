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

// Robust futexes (kernel/futex/core.c exit_robust_list): the words of the futex-based locks a thread holds are on
// a list in its memory (set_robust_list); when it exits or execs, every word still naming it as owner gets
// FUTEX_OWNER_DIED and one waiter is woken, so a robust mutex's next locker sees EOWNERDEAD instead of hanging.
const FUTEX_WAITERS = 0x8000_0000, FUTEX_OWNER_DIED = 0x4000_0000, FUTEX_TID_MASK = 0x3FFF_FFFF;
/** ROBUST_LIST_LIMIT: at most this many entries are walked (a circular list cannot hold the exit up). */
const ROBUST_LIST_LIMIT = 2048;

/** handle_futex_death for the word at uaddr: marks it if t owns it, wakes a waiter. */
function handleFutexDeath(t: Task, q: FutexQueues, uaddr: bigint, pi: boolean, pendingOp: boolean): void {
  if (uaddr & 3n || uaddr > BigInt(Number.MAX_SAFE_INTEGER)) return;
  const at = Number(uaddr);
  const uval = t.um.readU32(at);
  if (uval === undefined) return;
  const wake = () => {
    const key = futexKey(t, at, true);
    if (typeof key !== "number") q.wake(key, 1, 0xFFFF_FFFF);
  };
  // A lock being taken when the thread died, not yet owned: a waiter may have missed its wake-up.
  if (pendingOp && !pi && uval === 0) { wake(); return; }
  if ((uval & FUTEX_TID_MASK) !== t.tid) return;
  if (!t.um.writeU32(at, ((uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0)) return;
  if (!pi && (uval & FUTEX_WAITERS)) wake();
}

/**
 * exit_robust_list: walks t's robust list (struct robust_list_head { next, futex_offset, list_op_pending }, each
 * pointer's bit 0 flagging a PI futex), then the pending entry. A list that cannot be read ends the walk.
 */
export function exitRobustList(t: Task, q: FutexQueues): void {
  const head = t.robustList;
  t.robustList = 0;
  if (head === 0) return;
  const um = t.um;
  const next = um.readU64(head), offset = um.readU64(head + 8), pending = um.readU64(head + 16);
  if (next === undefined || offset === undefined || pending === undefined) return;
  const off = BigInt.asIntN(64, offset);
  const pendingEntry = pending & ~1n;
  let entry = next & ~1n, pi = (next & 1n) !== 0n;
  for (let n = 0; entry !== BigInt(head) && n < ROBUST_LIST_LIMIT; n++) {
    if (entry > BigInt(Number.MAX_SAFE_INTEGER)) return;
    const following = um.readU64(Number(entry));
    if (following === undefined) return;
    if (entry !== pendingEntry) handleFutexDeath(t, q, BigInt.asUintN(64, entry + off), pi, false);
    entry = following & ~1n;
    pi = (following & 1n) !== 0n;
  }
  if (pendingEntry !== 0n) handleFutexDeath(t, q, BigInt.asUintN(64, pendingEntry + off), (pending & 1n) !== 0n, true);
}

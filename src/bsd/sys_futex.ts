// futex (kernel/futex/syscalls.c, waitwake.c, requeue.c): wait while a 32-bit word holds a value, wake waiters,
// move them to another futex. The wait queues are the kernel's (kern/futex.ts). A futex without
// FUTEX_PRIVATE_FLAG in a shared mapping (MAP_SHARED memory, a shared file mapping) is keyed by the mapped object
// and offset, so related processes meet on it — LTP's checkpoints (lib/tst_checkpoint.c) wait and wake on a
// MAP_SHARED page between a parent and its children. Elsewhere a futex is keyed by address space and address.
//
// A waiting task sleeps and makes its call again when woken; its wait in progress (kern/futex.ts waiterOf)
// tells the call made again that it is one: woken → 0, its deadline passed → ETIMEDOUT, a signal → a restart.

import type { FutexKey } from "../kern/futex.js";
import { ERESTART_RESTARTBLOCK, ERESTARTSYS } from "../kern/signal.js";
import { nsToCycles } from "../kern/timer.js";
import { addr, uint } from "./args.js";
import { CLOCK_MONOTONIC, CLOCK_REALTIME, clockDeadline, copyinTimespec, timespecNs, timespecValid } from "./sys_time.js";
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
  FUTEX_WAKE_OP = 5, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9,
  FUTEX_WAKE_BITSET = 10, FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
export const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
const FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
const FUTEX_BITSET_MATCH_ANY = 0xFFFF_FFFF;

/** The key of the futex word at uaddr (get_futex_key): EINVAL when misaligned, EFAULT when not mapped. */
function futexKey(ctx: SyscallContext, uaddr: number, shared: boolean): FutexKey | number {
  if (uaddr % 4 !== 0) return -EINVAL;
  const map = ctx.task.map;
  if (uaddr + 4 > map.maxAddress) return -EFAULT;   // access_ok
  if (!shared) return { object: map, offset: uaddr };
  // A shared key needs the page itself (get_user_pages_fast): unmapped, PROT_NONE, or a file page beyond the end
  // of its file (VM_FAULT_SIGBUS) is EFAULT.
  const e = map.lookup(uaddr);
  if (!e || ctx.task.um.readU32(uaddr) === undefined) return -EFAULT;
  // A page of an object other tasks map too (shared memory, a file mapped shared): the object and offset name it.
  if (e.object && !e.needsCopy && (e.object.shared || e.object.pager !== null)) {
    return { object: e.object, offset: e.offset + (uaddr - e.start) };
  }
  return { object: map, offset: uaddr };
}

/**
 * FUTEX_WAIT and FUTEX_WAIT_BITSET (futex_wait): if *uaddr still holds val, sleeps until woken, until the clock
 * reaches `deadline` (ETIMEDOUT) or a signal comes: without a timeout the call is restarted (-ERESTARTSYS), with
 * one it is EINTR after a handler and otherwise continued by restart_syscall to the same deadline.
 */
function futexWait(ctx: SyscallContext, uaddr: number, shared: boolean, val: number, deadline: bigint | undefined,
                   bitset: number): number {
  const t = ctx.task, q = ctx.futexes, timers = ctx.timers;
  const w = q.waiterOf(t);
  if (w) {
    // Made again after sleeping: woken, timed out, interrupted, or asleep again.
    const woken = w.woken;
    if (woken || (deadline !== undefined && timers.now() >= deadline) || t.signals.hasDeliverable) {
      q.finish(t);
      if (woken) return 0;
      if (deadline !== undefined && timers.now() >= deadline) return -ETIMEDOUT;
      if (deadline === undefined) return -ERESTARTSYS;
      t.restartBlock = () => futexWait(ctx, uaddr, shared, val, deadline, bitset);
      return -ERESTART_RESTARTBLOCK;
    }
    return timers.sleep(ctx.procs, t, "futex wait", deadline, () => w.woken);
  }
  if (bitset === 0) return -EINVAL;
  const key = futexKey(ctx, uaddr, shared);
  if (typeof key === "number") return key;
  const v = t.um.readU32(uaddr);
  if (v === undefined) return -EFAULT;
  if (v >>> 0 !== val >>> 0) return -EAGAIN;
  const mine = q.enqueue(t, key, bitset);
  // Queued first, then the timeout and signals are looked at, as futex_wait_queue does before it sleeps.
  if ((deadline !== undefined && timers.now() >= deadline) || t.signals.hasDeliverable) {
    return futexWait(ctx, uaddr, shared, val, deadline, bitset);
  }
  return timers.sleep(ctx.procs, t, "futex wait", deadline, () => mine.woken);
}

/** FUTEX_WAKE and FUTEX_WAKE_BITSET (futex_wake): wakes up to nr waiters whose bitset meets `bitset`. */
function futexWake(ctx: SyscallContext, uaddr: number, shared: boolean, nr: number, bitset: number): number {
  if (bitset === 0) return -EINVAL;
  const key = futexKey(ctx, uaddr, shared);
  if (typeof key === "number") return key;
  return ctx.futexes.wake(key, nr, FUTEX_BITSET_MATCH_ANY & bitset);
}

/**
 * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (futex_requeue): wakes up to nrWake waiters of uaddr and moves up to
 * nrRequeue of the rest to uaddr2; CMP_REQUEUE first checks that *uaddr holds cmpval (EAGAIN). Returns the number
 * woken plus, for CMP_REQUEUE and REQUEUE alike, the number moved.
 */
function futexRequeue(ctx: SyscallContext, uaddr: number, shared: boolean, uaddr2: number, nrWake: number,
                      nrRequeue: number, cmpval: number | undefined): number {
  if (nrWake < 0 || nrRequeue < 0) return -EINVAL;
  const key1 = futexKey(ctx, uaddr, shared);
  if (typeof key1 === "number") return key1;
  const key2 = futexKey(ctx, uaddr2, shared);
  if (typeof key2 === "number") return key2;
  if (cmpval !== undefined) {
    const v = ctx.task.um.readU32(uaddr);
    if (v === undefined) return -EFAULT;
    if (v >>> 0 !== cmpval >>> 0) return -EAGAIN;
  }
  // futex_requeue wakes only when asked to (its loop tests the count before waking).
  const woken = nrWake > 0 ? ctx.futexes.wake(key1, nrWake, FUTEX_BITSET_MATCH_ANY) : 0;
  return woken + ctx.futexes.requeue(key1, key2, nrRequeue);
}

/** Commands that take a timeout in the fourth argument (futex_cmd_has_timeout). */
const TIMED = new Set([FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI]);
/** Commands FUTEX_CLOCK_REALTIME may go with (FUTEX_WAIT since Linux 4.5). */
const CLOCKRT = new Set([FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2]);

/**
 * futex(uaddr, op, val, timeout or val2, uaddr2, val3). The timeout is read and checked first (EFAULT, EINVAL):
 * relative for FUTEX_WAIT, absolute on CLOCK_MONOTONIC (CLOCK_REALTIME with the flag) for FUTEX_WAIT_BITSET.
 * The priority-inheritance commands and FUTEX_WAKE_OP are not provided (ENOSYS, as a kernel built without them):
 * glibc uses them only for PI mutexes and threads, which come with the threads.
 */
function sysFutex(ctx: SyscallContext, a: readonly bigint[]): number {
  const uaddr = addr(a[0]!), op = uint(a[1]!), val = uint(a[2]!), utime = addr(a[3]!), uaddr2 = addr(a[4]!);
  const val3 = uint(a[5]!);
  const cmd = op & FUTEX_CMD_MASK, shared = (op & FUTEX_PRIVATE_FLAG) === 0;
  const realtime = (op & FUTEX_CLOCK_REALTIME) !== 0;
  const t = ctx.task, timers = ctx.timers;
  let deadline: bigint | undefined;
  if (utime !== 0 && TIMED.has(cmd)) {
    const ts = copyinTimespec(t, utime);
    if (!ts) return -EFAULT;
    if (!timespecValid(ts)) return -EINVAL;
    const ns = timespecNs(ts);
    deadline = cmd === FUTEX_WAIT
      ? timers.deadlineOf(t, () => timers.now() + nsToCycles(ns))
      : clockDeadline(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, ns);
  }
  if (realtime && !CLOCKRT.has(cmd)) return -ENOSYS;
  // The fourth argument is val2, a count, for the requeue commands ((u32)(unsigned long)utime).
  const val2 = Number(BigInt.asIntN(32, a[3]!));
  switch (cmd) {
    case FUTEX_WAIT: return futexWait(ctx, uaddr, shared, val, deadline, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAIT_BITSET: return futexWait(ctx, uaddr, shared, val, deadline, val3);
    case FUTEX_WAKE: return futexWake(ctx, uaddr, shared, val | 0, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET: return futexWake(ctx, uaddr, shared, val | 0, val3);
    case FUTEX_REQUEUE: return futexRequeue(ctx, uaddr, shared, uaddr2, val | 0, val2, undefined);
    case FUTEX_CMP_REQUEUE: return futexRequeue(ctx, uaddr, shared, uaddr2, val | 0, val2, val3);
    default: return -ENOSYS;   // FUTEX_FD (gone since 2.6.26), FUTEX_WAKE_OP, the PI commands, unknown ones
  }
}

export const FUTEX_SYSCALLS: Record<number, SyscallDef> = {
  98: { name: "futex", args: ["x", "i", "u", "x", "x", "u"], fn: sysFutex },
};

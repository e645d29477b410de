// futex (kernel/futex/syscalls.c, waitwake.c, requeue.c): wait while a 32-bit word holds a value, wake waiters,
// move them to another futex. The wait queues are the kernel's (kern/futex.ts). A futex without
// FUTEX_PRIVATE_FLAG in a shared mapping (MAP_SHARED memory, a shared file mapping) is keyed by the mapped object
// and offset, so related processes meet on it — LTP's checkpoints (lib/tst_checkpoint.c) wait and wake on a
// MAP_SHARED page between a parent and its children. Elsewhere a futex is keyed by address space and address.
//
// A waiting task sleeps and makes its call again when woken; its wait in progress (kern/futex.ts waiterOf)
// tells the call made again that it is one: woken → 0, its deadline passed → ETIMEDOUT, a signal → a restart.

import { type FutexKey, futexKey } from "../kern/futex.js";
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

/** The key of the futex word at uaddr of the calling task (kern/futex.ts futexKey). */
function futexKeyOf(ctx: SyscallContext, uaddr: number, shared: boolean): FutexKey | number {
  return futexKey(ctx.task, uaddr, shared);
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
  const key = futexKeyOf(ctx, uaddr, shared);
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
  const key = futexKeyOf(ctx, uaddr, shared);
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
  const key1 = futexKeyOf(ctx, uaddr, shared);
  if (typeof key1 === "number") return key1;
  const key2 = futexKeyOf(ctx, uaddr2, shared);
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

// FUTEX_WAKE_OP's encoded operation (include/uapi/linux/futex.h): op in bits 30:28 (bit 31 shifts the argument),
// cmp in 27:24, oparg in 23:12, cmparg in 11:0, both signed.
const FUTEX_OP_SET = 0, FUTEX_OP_ADD = 1, FUTEX_OP_OR = 2, FUTEX_OP_ANDN = 3, FUTEX_OP_XOR = 4;
const FUTEX_OP_OPARG_SHIFT = 8;
const FUTEX_OP_CMP_EQ = 0, FUTEX_OP_CMP_NE = 1, FUTEX_OP_CMP_LT = 2, FUTEX_OP_CMP_LE = 3, FUTEX_OP_CMP_GT = 4,
  FUTEX_OP_CMP_GE = 5;

function signExtend12(v: number): number { return (v << 20) >> 20; }

/**
 * futex_atomic_op_inuser: applies the operation to the word at uaddr (atomically: nothing else runs meanwhile)
 * and compares its old value; 1 or 0, or -ENOSYS for an unknown operation or comparison (the latter after the
 * word has changed, as Linux), -EFAULT when the word cannot be written.
 */
function futexAtomicOp(ctx: SyscallContext, encoded: number, uaddr: number): number {
  const op = (encoded >>> 28) & 7, cmp = (encoded >>> 24) & 15;
  let oparg = signExtend12((encoded >>> 12) & 0xFFF);
  const cmparg = signExtend12(encoded & 0xFFF);
  if ((encoded >>> 28) & FUTEX_OP_OPARG_SHIFT) oparg = 1 << (oparg & 31);   // out of 0..31: masked, as Linux
  if (op > FUTEX_OP_XOR) return -ENOSYS;
  const um = ctx.task.um;
  const old = um.readU32(uaddr);
  if (old === undefined) return -EFAULT;
  const next = op === FUTEX_OP_SET ? oparg : op === FUTEX_OP_ADD ? old + oparg : op === FUTEX_OP_OR ? old | oparg
    : op === FUTEX_OP_ANDN ? old & ~oparg : old ^ oparg;
  if (!um.writeU32(uaddr, next >>> 0)) return -EFAULT;
  const o = old | 0;
  switch (cmp) {
    case FUTEX_OP_CMP_EQ: return o === cmparg ? 1 : 0;
    case FUTEX_OP_CMP_NE: return o !== cmparg ? 1 : 0;
    case FUTEX_OP_CMP_LT: return o < cmparg ? 1 : 0;
    case FUTEX_OP_CMP_LE: return o <= cmparg ? 1 : 0;
    case FUTEX_OP_CMP_GT: return o > cmparg ? 1 : 0;
    case FUTEX_OP_CMP_GE: return o >= cmparg ? 1 : 0;
    default: return -ENOSYS;
  }
}

/**
 * FUTEX_WAKE_OP (futex_wake_op): changes the word at uaddr2 by the encoded operation, wakes up to nrWake waiters
 * of uaddr and, if the old value of uaddr2 passed the comparison, up to nrWake2 of uaddr2. glibc's condition
 * variables used it until 2.25; other programs still do.
 */
function futexWakeOp(ctx: SyscallContext, uaddr: number, shared: boolean, uaddr2: number, nrWake: number,
                     nrWake2: number, encoded: number): number {
  const key1 = futexKeyOf(ctx, uaddr, shared);
  if (typeof key1 === "number") return key1;
  const key2 = futexKeyOf(ctx, uaddr2, shared);
  if (typeof key2 === "number") return key2;
  const r = futexAtomicOp(ctx, encoded, uaddr2);
  if (r < 0) return r;
  let woken = ctx.futexes.wake(key1, nrWake, FUTEX_BITSET_MATCH_ANY);
  if (r > 0) woken += ctx.futexes.wake(key2, nrWake2, FUTEX_BITSET_MATCH_ANY);
  return woken;
}

/** Commands that take a timeout in the fourth argument (futex_cmd_has_timeout). */
const TIMED = new Set([FUTEX_WAIT, FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI]);
/** Commands FUTEX_CLOCK_REALTIME may go with (FUTEX_WAIT since Linux 4.5). */
const CLOCKRT = new Set([FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI, FUTEX_LOCK_PI2]);

/**
 * futex(uaddr, op, val, timeout or val2, uaddr2, val3). The timeout is read and checked first (EFAULT, EINVAL):
 * relative for FUTEX_WAIT, absolute on CLOCK_MONOTONIC (CLOCK_REALTIME with the flag) for FUTEX_WAIT_BITSET.
 * The priority-inheritance commands are not provided (ENOSYS, as a kernel built without CONFIG_FUTEX_PI): glibc
 * uses them only for PTHREAD_PRIO_INHERIT mutexes.
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
    case FUTEX_WAKE_OP: return futexWakeOp(ctx, uaddr, shared, uaddr2, val | 0, val2, val3);
    default: return -ENOSYS;   // FUTEX_FD (gone since 2.6.26), the PI commands, unknown ones
  }
}

export const FUTEX_SYSCALLS: Record<number, SyscallDef> = {
  98: { name: "futex", args: ["x", "i", "u", "x", "x", "u"], fn: sysFutex },
};

// Locking memory: mlock, mlock2, munlock, mlockall, munlockall (mm/mlock.c), and the RLIMIT_MEMLOCK rules that
// mmap(MAP_LOCKED), brk and mremap share with them. The guest runs as an unprivileged user (uid 1000, no
// CAP_IPC_LOCK), so the limit always applies: a zero RLIMIT_MEMLOCK refuses locking (EPERM), a lock beyond it is
// ENOMEM (mlock) or EAGAIN (a new locked mapping). The VM side, wiring pages, is vm/vm_wire.ts.

import { vmMapUnwire, vmMapWire } from "../vm/vm_wire.js";
import { PAGE_SIZE, roundPage, truncPage } from "../vm/vm_prot.js";
import type { Task } from "../kern/task.js";
import { addr, int, size } from "./args.js";
import { EINVAL, ENOMEM, EPERM } from "../sys/errno.js";
import { defaultRlimit, RLIMIT_MEMLOCK } from "../kern/resource.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const MLOCK_ONFAULT = 1;
export const MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;

/** RLIMIT_MEMLOCK's soft limit in bytes (infinity as Infinity). */
function lockLimit(task: Task): number {
  const cur = (task.rlimits.get(RLIMIT_MEMLOCK) ?? defaultRlimit(RLIMIT_MEMLOCK)).cur;
  return cur >= BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(cur);
}

/** Linux can_do_mlock: an unprivileged task may lock memory while its RLIMIT_MEMLOCK is not zero. */
export function canLock(task: Task): boolean { return lockLimit(task) !== 0; }

/**
 * Linux mlock_future_ok: may `bytes` more be locked (a new mapping under MAP_LOCKED or mlockall(MCL_FUTURE), a
 * locked mapping growing)? Counted in whole pages against the soft limit.
 */
export function lockFits(task: Task, bytes: number): boolean {
  return Math.floor((task.map.lockedBytes + bytes) / PAGE_SIZE) <= Math.floor(lockLimit(task) / PAGE_SIZE);
}

/** The range must be mapped without holes; Linux's apply_vma_lock_flags changes the entries before a hole first. */
function holeIn(task: Task, start: number, end: number): number | undefined {
  let at = start;
  for (const e of task.map.overlapping(start, end)) {
    if (e.start > at) return at;
    at = e.end;
  }
  return at < end ? at : undefined;
}

/** do_mlock: page-rounds the range around start, checks the limit, locks, then faults the pages in. */
function doMlock(task: Task, start0: number, len0: number, onFault: boolean): number {
  if (!canLock(task)) return -EPERM;
  const start = truncPage(start0);
  const len = roundPage(len0 + (start0 - start));
  const end = start + len;
  if (end < start || end > Number.MAX_SAFE_INTEGER) return -EINVAL;   // apply_vma_lock_flags: the range wraps
  if (len === 0) return 0;
  const map = task.map;
  // Pages already locked inside the range are not counted twice (count_mm_mlocked_page_nr).
  const lockedAfter = Math.floor((map.lockedBytes + len) / PAGE_SIZE);
  const limit = Math.floor(lockLimit(task) / PAGE_SIZE);
  if (lockedAfter > limit && lockedAfter - map.lockedIn(start, end) / PAGE_SIZE > limit) return -ENOMEM;
  const hole = holeIn(task, start, end);
  if (hole !== undefined) {
    if (hole > start) vmMapWire(map, start, hole, true);   // locked, but no page is faulted in: the call failed
    return -ENOMEM;
  }
  // __mm_populate's errors map to mlock's: a page that cannot be provided (EFAULT) is ENOMEM.
  return vmMapWire(map, start, end, onFault) ? 0 : -ENOMEM;
}

function sysMlock(ctx: SyscallContext, a: readonly bigint[]): number {
  return doMlock(ctx.task, addr(a[0]!), size(a[1]!), false);
}

function sysMlock2(ctx: SyscallContext, a: readonly bigint[]): number {
  const flags = int(a[2]!);
  if (flags & ~MLOCK_ONFAULT) return -EINVAL;
  return doMlock(ctx.task, addr(a[0]!), size(a[1]!), (flags & MLOCK_ONFAULT) !== 0);
}

function sysMunlock(ctx: SyscallContext, a: readonly bigint[]): number {
  const task = ctx.task, start0 = addr(a[0]!), len0 = size(a[1]!);
  const start = truncPage(start0);
  const len = roundPage(len0 + (start0 - start));
  const end = start + len;
  if (end < start || end > Number.MAX_SAFE_INTEGER) return -EINVAL;
  if (len === 0) return 0;
  const hole = holeIn(task, start, end);
  vmMapUnwire(task.map, start, hole ?? end);
  return hole === undefined ? 0 : -ENOMEM;
}

/** From the first mapping to the end of the last (holes between are skipped by the map operations). */
function span(task: Task): { start: number; end: number } | undefined {
  const es = task.map.entries;
  return es.length === 0 ? undefined : { start: es[0]!.start, end: es[es.length - 1]!.end };
}

/**
 * mlockall: MCL_CURRENT locks every mapping now (refused with ENOMEM when the whole address space exceeds the
 * limit), MCL_FUTURE every later one (mm->def_flags), MCL_ONFAULT makes either wire pages as they are touched.
 * Pages that cannot be faulted in are skipped (mm_populate ignores errors).
 */
function sysMlockall(ctx: SyscallContext, a: readonly bigint[]): number {
  const task = ctx.task, map = task.map, flags = int(a[0]!);
  if (flags === 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags === MCL_ONFAULT) return -EINVAL;
  if (!canLock(task)) return -EPERM;
  if ((flags & MCL_CURRENT) && Math.floor(map.size / PAGE_SIZE) > Math.floor(lockLimit(task) / PAGE_SIZE)) return -ENOMEM;
  const onFault = (flags & MCL_ONFAULT) !== 0;
  map.lockFuture = flags & MCL_FUTURE ? { onFault } : null;
  const all = span(task);
  if ((flags & MCL_CURRENT) && all) vmMapWire(map, all.start, all.end, onFault);
  return 0;
}

function sysMunlockall(ctx: SyscallContext): number {
  const map = ctx.task.map;
  map.lockFuture = null;
  const all = span(ctx.task);
  if (all) vmMapUnwire(map, all.start, all.end);
  return 0;
}

export const MLOCK_SYSCALLS: Record<number, SyscallDef> = {
  228: { name: "mlock", args: ["x", "u"], fn: sysMlock },
  229: { name: "munlock", args: ["x", "u"], fn: sysMunlock },
  230: { name: "mlockall", args: ["x"], fn: sysMlockall },
  231: { name: "munlockall", args: [], fn: sysMunlockall },
  284: { name: "mlock2", args: ["x", "u", "x"], fn: sysMlock2 },
};

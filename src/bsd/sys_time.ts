// Time, derived from the kernel's clock (kern/timer.ts: emulated cycles at the nominal clock, costs.ts
// NOMINAL_HZ, plus the cycles every task slept through) so that runs are deterministic: every clock counts time
// since boot; CLOCK_REALTIME adds a fixed epoch. Sleeping (nanosleep, clock_nanosleep; kernel/time/hrtimer.c),
// the interval timers (setitimer, getitimer; kernel/time/itimer.c, which glibc's alarm uses on riscv64) and
// restart_syscall (kernel/signal.c), which continues an interrupted sleep, are here too.

import { ERESTART_RESTARTBLOCK, ERESTARTNOHAND } from "../kern/signal.js";
import { ITIMER_PROF, ITIMER_REAL, cyclesToNs, nsToCycles } from "../kern/timer.js";
import type { Task } from "../kern/task.js";
import { addr, int } from "./args.js";
import { EFAULT, EINTR, EINVAL, EOPNOTSUPP } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
  CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;

/** The guest's boot time on the realtime clock: 2024-01-01T00:00:00Z. */
export const BOOT_EPOCH_SECONDS = 1_704_067_200n;

const REALTIME_CLOCKS = new Set([CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_REALTIME_ALARM, CLOCK_TAI]);
const ALL_CLOCKS = new Set([...REALTIME_CLOCKS, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
  CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM]);

const NS_PER_S = 1_000_000_000n;
const EPOCH_NS = BOOT_EPOCH_SECONDS * NS_PER_S;

/** Nanoseconds on clock `id` now. */
export function clockNs(ctx: SyscallContext, id: number): bigint {
  // The CPU-time clocks count the cycles the process (every thread) or the calling thread has run.
  if (id === CLOCK_PROCESS_CPUTIME_ID) return cyclesToNs(ctx.timers.cpuOf(ctx.task));
  if (id === CLOCK_THREAD_CPUTIME_ID) return cyclesToNs(ctx.timers.threadCpuOf(ctx.task));
  const ns = cyclesToNs(ctx.timers.now());
  return REALTIME_CLOCKS.has(id) ? ns + EPOCH_NS : ns;
}

/** A struct timespec (or timeval) read from user memory: seconds and the second field as stored. */
export interface Timespec { sec: bigint; frac: bigint }

/** Reads the 16-byte struct timespec (or timeval) at va; undefined when it cannot be read (EFAULT). */
export function copyinTimespec(task: Task, va: number): Timespec | undefined {
  const b = task.um.copyin(va, 16);
  if (!b) return undefined;
  const dv = new DataView(b.buffer);
  return { sec: dv.getBigInt64(0, true), frac: dv.getBigInt64(8, true) };
}

/** timespec64_valid: seconds not negative, nanoseconds within [0, 1e9). */
export function timespecValid(ts: Timespec): boolean { return ts.sec >= 0n && ts.frac >= 0n && ts.frac < NS_PER_S; }

/** A valid timespec in nanoseconds. */
export function timespecNs(ts: Timespec): bigint { return ts.sec * NS_PER_S + ts.frac; }

/** The 16-byte struct timespec for ns nanoseconds. */
export function timespecOf(ns: bigint): Uint8Array { return pair(ns / NS_PER_S, ns % NS_PER_S); }

/** Clock cycles on the kernel's clock at which clock `id` reads `ns` (an absolute time; may be in the past). */
export function clockDeadline(id: number, ns: bigint): bigint {
  const since = REALTIME_CLOCKS.has(id) ? ns - EPOCH_NS : ns;
  return since <= 0n ? 0n : nsToCycles(since);
}

function pair(a: bigint, b: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, a, true);
  dv.setBigInt64(8, b, true);
  return out;
}

function sysClockGettime(ctx: SyscallContext, a: readonly bigint[]): number {
  const id = int(a[0]!);
  if (!ALL_CLOCKS.has(id)) return -EINVAL;
  const ns = clockNs(ctx, id);
  return ctx.task.um.copyout(addr(a[1]!), pair(ns / 1_000_000_000n, ns % 1_000_000_000n)) ? 0 : -EFAULT;
}

function sysClockGetres(ctx: SyscallContext, a: readonly bigint[]): number {
  const id = int(a[0]!), res = addr(a[1]!);
  if (!ALL_CLOCKS.has(id)) return -EINVAL;
  if (res === 0) return 0;
  return ctx.task.um.copyout(res, pair(0n, 1n)) ? 0 : -EFAULT;
}

function sysGettimeofday(ctx: SyscallContext, a: readonly bigint[]): number {
  const tv = addr(a[0]!), tz = addr(a[1]!);
  if (tv !== 0) {
    const ns = clockNs(ctx, CLOCK_REALTIME);
    if (!ctx.task.um.copyout(tv, pair(ns / 1_000_000_000n, (ns % 1_000_000_000n) / 1000n))) return -EFAULT;
  }
  if (tz !== 0 && !ctx.task.um.copyout(tz, new Uint8Array(8))) return -EFAULT;
  return 0;
}

/**
 * The sleep of nanosleep and clock_nanosleep until `deadline` on the clock (do_nanosleep). A signal to take ends
 * it: an absolute sleep with -ERESTARTNOHAND (EINTR once a handler runs, made again otherwise), a relative one
 * with -ERESTART_RESTARTBLOCK after storing the time left in *rmtp; restart_syscall then sleeps on to the same
 * deadline (hrtimer_nanosleep_restart).
 */
function sleepUntil(ctx: SyscallContext, what: string, deadline: bigint | undefined, rmtp: number, absolute: boolean): number {
  const t = ctx.task, timers = ctx.timers;
  const now = timers.now();
  if (deadline !== undefined && now >= deadline) return 0;
  if (t.signals.hasDeliverable) {
    if (absolute) return -ERESTARTNOHAND;
    if (deadline !== undefined && rmtp !== 0 && !t.um.copyout(rmtp, timespecOf(cyclesToNs(deadline - now)))) return -EFAULT;
    t.restartBlock = () => sleepUntil(ctx, what, deadline, rmtp, false);
    return -ERESTART_RESTARTBLOCK;
  }
  return timers.sleep(ctx.procs, t, what, deadline, () => false);
}

function sysNanosleep(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task;
  const req = copyinTimespec(t, addr(a[0]!));
  if (!req) return -EFAULT;
  if (!timespecValid(req)) return -EINVAL;
  const deadline = ctx.timers.deadlineOf(t, () => ctx.timers.now() + nsToCycles(timespecNs(req)));
  return sleepUntil(ctx, "nanosleep", deadline, addr(a[1]!), false);
}

const TIMER_ABSTIME = 1;
/**
 * Clocks clock_nanosleep refuses: no nsleep in their k_clock (kernel/time/posix-timers.c; clock_thread in
 * posix-cpu-timers.c). glibc's clock_nanosleep reports the thread clock's EOPNOTSUPP as EINVAL.
 */
const NO_NSLEEP = new Set([CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_THREAD_CPUTIME_ID]);

/**
 * clock_nanosleep: the check order of Linux's (clock, then the request's copy and validity). The alarm clocks
 * sleep like their base clocks (their wake-up from suspend has no meaning here); a sleep on the process's own
 * CPU clock never ends while it sleeps (a process of one thread uses no CPU then), as on Linux.
 */
function sysClockNanosleep(ctx: SyscallContext, a: readonly bigint[]): number {
  const id = int(a[0]!), flags = int(a[1]!), t = ctx.task;
  if (!ALL_CLOCKS.has(id)) return -EINVAL;
  if (NO_NSLEEP.has(id)) return -EOPNOTSUPP;
  const req = copyinTimespec(t, addr(a[2]!));
  if (!req) return -EFAULT;
  if (!timespecValid(req)) return -EINVAL;
  const absolute = (flags & TIMER_ABSTIME) !== 0;
  const ns = timespecNs(req);
  const rmtp = absolute ? 0 : addr(a[3]!);
  t.restartBlock = undefined;
  if (id === CLOCK_PROCESS_CPUTIME_ID) {
    if (ns === 0n || (absolute && ns <= cyclesToNs(ctx.timers.cpuOf(t)))) return 0;
    return sleepUntil(ctx, "clock_nanosleep on its own CPU clock", undefined, rmtp, absolute);
  }
  const deadline = ctx.timers.deadlineOf(t, () => absolute ? clockDeadline(id, ns) : ctx.timers.now() + nsToCycles(ns));
  return sleepUntil(ctx, "clock_nanosleep", deadline, rmtp, absolute);
}

/** restart_syscall: continues the call a signal interrupted (its restart block), or EINTR when there is none. */
function sysRestartSyscall(ctx: SyscallContext): number {
  const t = ctx.task;
  const fn = t.restartBlock;
  if (!fn) return -EINTR;
  const r = fn();
  if (r !== -ERESTART_RESTARTBLOCK) t.restartBlock = undefined;
  return r;
}

const ITIMERVAL_SIZE = 32;           // struct __kernel_old_itimerval: it_interval, it_value (timevals)
const NS_PER_US = 1000n;

/** The itimerval for an interval and a value in nanoseconds (microseconds truncated, as put_itimerval). */
function itimerval(interval: bigint, value: bigint): Uint8Array {
  const b = new Uint8Array(ITIMERVAL_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, interval / NS_PER_S, true);
  dv.setBigInt64(8, (interval % NS_PER_S) / NS_PER_US, true);
  dv.setBigInt64(16, value / NS_PER_S, true);
  dv.setBigInt64(24, (value % NS_PER_S) / NS_PER_US, true);
  return b;
}

/** timeval_valid: seconds not negative, microseconds within [0, 1e6). */
function timevalNs(sec: bigint, usec: bigint): bigint | undefined {
  if (sec < 0n || usec < 0n || usec >= 1_000_000n) return undefined;
  return sec * NS_PER_S + usec * NS_PER_US;
}

function sysGetitimer(ctx: SyscallContext, a: readonly bigint[]): number {
  const which = int(a[0]!);
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  const v = ctx.timers.getitimer(ctx.task, which);
  return ctx.task.um.copyout(addr(a[1]!), itimerval(v.interval, v.value)) ? 0 : -EFAULT;
}

/**
 * setitimer: the new value is read and checked first (get_itimerval: EFAULT, then EINVAL), then `which`; a NULL
 * new value disarms the timer (a misfeature Linux still accepts). The old value is stored last.
 */
function sysSetitimer(ctx: SyscallContext, a: readonly bigint[]): number {
  const which = int(a[0]!), value = addr(a[1]!), ovalue = addr(a[2]!), t = ctx.task;
  let next = { interval: 0n, value: 0n };
  if (value !== 0) {
    const b = t.um.copyin(value, ITIMERVAL_SIZE);
    if (!b) return -EFAULT;
    const dv = new DataView(b.buffer);
    const interval = timevalNs(dv.getBigInt64(0, true), dv.getBigInt64(8, true));
    const val = timevalNs(dv.getBigInt64(16, true), dv.getBigInt64(24, true));
    if (interval === undefined || val === undefined) return -EINVAL;
    next = { interval, value: val };
  }
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  const old = ctx.timers.setitimer(t, which, next);
  if (ovalue !== 0 && !t.um.copyout(ovalue, itimerval(old.interval, old.value))) return -EFAULT;
  return 0;
}

export const TIME_SYSCALLS: Record<number, SyscallDef> = {
  101: { name: "nanosleep", args: ["x", "x"], fn: sysNanosleep },
  102: { name: "getitimer", args: ["i", "x"], fn: sysGetitimer },
  103: { name: "setitimer", args: ["i", "x", "x"], fn: sysSetitimer },
  113: { name: "clock_gettime", args: ["i", "x"], fn: sysClockGettime },
  114: { name: "clock_getres", args: ["i", "x"], fn: sysClockGetres },
  115: { name: "clock_nanosleep", args: ["i", "i", "x", "x"], fn: sysClockNanosleep },
  128: { name: "restart_syscall", args: [], fn: sysRestartSyscall },
  169: { name: "gettimeofday", args: ["x", "x"], fn: sysGettimeofday },
};

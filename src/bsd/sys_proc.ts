// Process-level system calls: exit, process groups, limits and usage, personality and uname, CPU affinity,
// random bytes. The credential calls live in sys_cred.ts, fork and wait in sys_fork.ts, the signal calls in
// sys_signal.ts.

import type { RLimit } from "../kern/task.js";
import {
  RLIM_NLIMITS, RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD, encodeRusage, rlimit,
} from "../kern/resource.js";
import { NOMINAL_HZ } from "../machine/costs.js";
import { sysClone, sysWait4 } from "./sys_fork.js";
import { CRED_SYSCALLS } from "./sys_cred.js";
import { TaskTerminated } from "../kern/signal.js";
import { addr, int, size, uint } from "./args.js";
import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

// file_args.ts reads RLIMIT_NOFILE through here.
export { RLIMIT_NOFILE, defaultRlimit } from "../kern/resource.js";

function rlimitOf(ctx: SyscallContext, r: number): RLimit { return rlimit(ctx.task, r); }

function encodeRlimit(l: RLimit): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, l.cur, true);
  dv.setBigUint64(8, l.max, true);
  return b;
}

/** Shared by prlimit64, getrlimit and setrlimit (struct rlimit and rlimit64 coincide on rv64). */
function doPrlimit(ctx: SyscallContext, resource: number, newp: number, oldp: number): number {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  let next: RLimit | undefined;
  if (newp !== 0) {
    const raw = ctx.task.um.copyin(newp, 16);
    if (!raw) return -EFAULT;
    const dv = new DataView(raw.buffer);
    next = { cur: dv.getBigUint64(0, true), max: dv.getBigUint64(8, true) };
    if (next.cur > next.max) return -EINVAL;
    if (next.max > rlimitOf(ctx, resource).max) return -EPERM;
  }
  if (oldp !== 0 && !ctx.task.um.copyout(oldp, encodeRlimit(rlimitOf(ctx, resource)))) return -EFAULT;
  if (next) ctx.task.rlimits.set(resource, next);
  return 0;
}

function sysPrlimit64(ctx: SyscallContext, a: readonly bigint[]): number {
  const pid = int(a[0]!);
  if (pid !== 0 && pid !== ctx.task.pid) return -ESRCH;
  return doPrlimit(ctx, int(a[1]!), addr(a[2]!), addr(a[3]!));
}

const UTS_FIELD = 65;
export const UTSNAME = ["Linux", "mmulab", "6.1.0", "#1 SMP PREEMPT mmulab", "riscv64", "(none)"];

const UNAME26 = 0x0020000;

/**
 * The release uname reports: a UNAME26 personality sees "2.6.(60 + minor)" followed by what comes after the
 * first three numbers (kernel/sys.c override_release), for programs that parse 2.6-style versions.
 */
function release(personality: number): string {
  const r = UTSNAME[2]!;
  if (!(personality & UNAME26)) return r;
  let i = 0, dots = 0;
  for (; i < r.length; i++) {
    if (r[i] === "." && ++dots >= 3) break;
    if (!/[0-9.]/.test(r[i]!)) break;
  }
  return `2.6.${Number(r.split(".")[1]) + 60}${r.slice(i)}`;
}

function sysUname(ctx: SyscallContext, a: readonly bigint[]): number {
  const b = new Uint8Array(UTS_FIELD * UTSNAME.length);
  const enc = new TextEncoder();
  UTSNAME.forEach((s, i) => {
    const v = i === 2 ? release(ctx.task.personality) : s;
    b.set(enc.encode(v).subarray(0, UTS_FIELD - 1), i * UTS_FIELD);
  });
  return ctx.task.um.copyout(addr(a[0]!), b) ? 0 : -EFAULT;
}

/** personality(0xffffffff) only asks; any other value is set as is (Linux does not check it). */
function sysPersonality(ctx: SyscallContext, a: readonly bigint[]): number {
  const old = ctx.task.personality, next = uint(a[0]!);
  if (next !== 0xFFFF_FFFF) ctx.task.personality = next;
  return old;
}

function sysGetrusage(ctx: SyscallContext, a: readonly bigint[]): number {
  const who = int(a[0]!), t = ctx.task;
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL;
  let u = t.childUsage;
  if (who !== RUSAGE_CHILDREN) {
    t.usage.sampleRss(t.map);
    // RUSAGE_SELF: every thread of the process; RUSAGE_THREAD: the caller alone.
    u = who === RUSAGE_SELF && t.group.threads.length + t.group.exited.length > 1 ? t.groupUsage(ctx.timers.busyCycles()) : t.usage;
  }
  return t.um.copyout(addr(a[1]!), encodeRusage(u, ctx.timers.busyCycles(), NOMINAL_HZ)) ? 0 : -EFAULT;
}

/** USER_HZ: the unit of clock_t in times(2). */
const USER_HZ = 100n;

/** times: the caller's and its reaped children's user and system time in clock ticks; returns ticks since boot. */
function sysTimes(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task, now = ctx.timers.busyCycles(), hz = BigInt(NOMINAL_HZ), buf = addr(a[0]!);
  const ticks = (c: bigint) => (c * USER_HZ) / hz;
  if (buf !== 0) {
    const b = new Uint8Array(32), dv = new DataView(b.buffer);
    const cpu = t.usage.cpuAt(now), sys = t.usage.systemCycles;
    [cpu - sys, sys, t.childUsage.cpuCycles - t.childUsage.systemCycles, t.childUsage.systemCycles]
      .forEach((c, i) => dv.setBigInt64(8 * i, ticks(c), true));
    if (!t.um.copyout(buf, b)) return -EFAULT;
  }
  return Number(ticks(now));
}

/** One CPU: the affinity mask is CPU 0's bit in one unsigned long (cpumask_size()). */
const CPUMASK_SIZE = 8;

/** sched_getaffinity: len must hold nr_cpu_ids bits and be a multiple of a long; returns the bytes written. */
function sysSchedGetaffinity(ctx: SyscallContext, a: readonly bigint[]): number {
  const pid = int(a[0]!), len = uint(a[1]!), mask = addr(a[2]!);
  if (len * 8 < 1 || len & (CPUMASK_SIZE - 1)) return -EINVAL;
  if (pid < 0 || (pid !== 0 && !ctx.procs.byTid.has(pid))) return -ESRCH;
  const b = new Uint8Array(CPUMASK_SIZE);
  b[0] = 1;
  const n = Math.min(len, CPUMASK_SIZE);
  return ctx.task.um.copyout(mask, b.subarray(0, n)) ? n : -EFAULT;
}

/**
 * sched_setaffinity: the mask is read first (its first cpumask_size() bytes, or fewer: the rest is clear), then
 * the task is found; a mask without CPU 0 allows no CPU there is: EINVAL.
 */
function sysSchedSetaffinity(ctx: SyscallContext, a: readonly bigint[]): number {
  const pid = int(a[0]!), len = Math.min(uint(a[1]!), CPUMASK_SIZE), mask = addr(a[2]!);
  let cpu0 = false;
  if (len > 0) {
    const b = ctx.task.um.copyin(mask, len);
    if (!b) return -EFAULT;
    cpu0 = (b[0]! & 1) !== 0;
  }
  if (pid < 0 || (pid !== 0 && !ctx.procs.byTid.has(pid))) return -ESRCH;
  return cpu0 ? 0 : -EINVAL;
}

const GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
const GETRANDOM_MAX = 0x1FFFFFF;   // Linux caps one call at INT_MAX >> (SECTOR_SHIFT + 3)

function sysGetrandom(ctx: SyscallContext, a: readonly bigint[]): number {
  const buf = addr(a[0]!), flags = uint(a[2]!);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  if ((flags & (GRND_RANDOM | GRND_INSECURE)) === (GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  const len = Math.min(size(a[1]!), GETRANDOM_MAX);
  if (len === 0) return 0;
  if (!ctx.task.um.writable(buf, len)) return -EFAULT;
  return ctx.task.um.copyout(buf, ctx.random.bytes(len)) ? len : -EFAULT;
}

function sysExitGroup(_ctx: SyscallContext, a: readonly bigint[]): number {
  throw TaskTerminated.byExit(int(a[0]!));
}

/** exit: only the calling thread ends (the process with its last thread; kern/proc.ts exit). */
function sysExit(_ctx: SyscallContext, a: readonly bigint[]): number {
  throw TaskTerminated.byThreadExit(int(a[0]!));
}

function sysSetTidAddress(ctx: SyscallContext, a: readonly bigint[]): number {
  ctx.task.clearChildTid = addr(a[0]!);
  return ctx.task.tid;
}

const ROBUST_LIST_HEAD_SIZE = 24;

function sysSetRobustList(ctx: SyscallContext, a: readonly bigint[]): number {
  if (size(a[1]!) !== ROBUST_LIST_HEAD_SIZE) return -EINVAL;
  ctx.task.robustList = addr(a[0]!);
  return 0;
}

const constant = (v: number) => (): number => v;

/** The process group, with the credential calls (sys_cred.ts): one entry in the machine's table. */
export const PROC_SYSCALLS: Record<number, SyscallDef> = {
  ...CRED_SYSCALLS,
  93: { name: "exit", args: ["i"], fn: sysExit },
  94: { name: "exit_group", args: ["i"], fn: sysExitGroup },
  96: { name: "set_tid_address", args: ["x"], fn: sysSetTidAddress },
  99: { name: "set_robust_list", args: ["x", "u"], fn: sysSetRobustList },
  124: { name: "sched_yield", args: [], fn: (c) => { c.procs.yield(); return 0; } },
  154: { name: "setpgid", args: ["i", "i"], fn: (c, a) => c.procs.setpgid(c.task, int(a[0]!), int(a[1]!)) },
  155: { name: "getpgid", args: ["i"], fn: (c, a) => c.procs.getpgid(c.task, int(a[0]!)) },
  156: { name: "getsid", args: ["i"], fn: (c, a) => c.procs.getsid(c.task, int(a[0]!)) },
  157: { name: "setsid", args: [], fn: (c) => c.procs.setsid(c.task) },
  160: { name: "uname", args: ["x"], fn: sysUname },
  153: { name: "times", args: ["x"], fn: sysTimes },
  165: { name: "getrusage", args: ["i", "x"], fn: sysGetrusage },
  92: { name: "personality", args: ["x"], fn: sysPersonality },
  122: { name: "sched_setaffinity", args: ["i", "u", "x"], fn: sysSchedSetaffinity },
  123: { name: "sched_getaffinity", args: ["i", "u", "x"], fn: sysSchedGetaffinity },
  163: { name: "getrlimit", args: ["i", "x"], fn: (c, a) => doPrlimit(c, int(a[0]!), 0, addr(a[1]!)) },
  164: { name: "setrlimit", args: ["i", "x"], fn: (c, a) => doPrlimit(c, int(a[0]!), addr(a[1]!), 0) },
  172: { name: "getpid", args: [], fn: (c) => c.task.pid },
  173: { name: "getppid", args: [], fn: (c) => c.task.ppid },
  178: { name: "gettid", args: [], fn: (c) => c.task.tid },
  259: { name: "riscv_flush_icache", args: ["x", "x", "x"], fn: constant(0) },
  261: { name: "prlimit64", args: ["i", "i", "x", "x"], fn: sysPrlimit64 },
  220: { name: "clone", args: ["x", "x", "x", "x", "x"], fn: sysClone },
  260: { name: "wait4", args: ["i", "x", "x", "x"], fn: sysWait4 },
  278: { name: "getrandom", args: ["x", "u", "x"], fn: sysGetrandom },
  293: { name: "rseq", args: ["x", "u", "i", "x"], fn: constant(-ENOSYS) },
};

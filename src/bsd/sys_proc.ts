// Process-level system calls: exit, identity, limits, uname, random bytes. The signal calls live in
// sys_signal.ts.

import { GUEST_GID, GUEST_UID, RLIM_INFINITY, type RLimit } from "../kern/task.js";
import { sysClone, sysWait4 } from "./sys_fork.js";
import { TaskTerminated } from "../kern/signal.js";
import { STACK_SIZE } from "../loader/layout.js";
import { addr, int, size, uint } from "./args.js";
import { EFAULT, EINVAL, ENOSYS, EPERM, ESRCH } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
  RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10,
  RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;
export const RLIM_NLIMITS = 16;

/** Default limits, those of a typical Linux login session. */
export function defaultRlimit(resource: number): RLimit {
  const inf = { cur: RLIM_INFINITY, max: RLIM_INFINITY };
  switch (resource) {
    case RLIMIT_STACK: return { cur: BigInt(STACK_SIZE), max: RLIM_INFINITY };
    case RLIMIT_CORE: return { cur: 0n, max: RLIM_INFINITY };
    case RLIMIT_NPROC: return { cur: 31503n, max: 31503n };
    case RLIMIT_NOFILE: return { cur: 1024n, max: 4096n };
    case RLIMIT_MEMLOCK: return { cur: 8n << 20n, max: 8n << 20n };
    case RLIMIT_SIGPENDING: return { cur: 31503n, max: 31503n };
    case RLIMIT_MSGQUEUE: return { cur: 819200n, max: 819200n };
    case RLIMIT_NICE: case RLIMIT_RTPRIO: return { cur: 0n, max: 0n };
    default: return inf;
  }
}

function rlimitOf(ctx: SyscallContext, r: number): RLimit { return ctx.task.rlimits.get(r) ?? defaultRlimit(r); }

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

function sysUname(ctx: SyscallContext, a: readonly bigint[]): number {
  const b = new Uint8Array(UTS_FIELD * UTSNAME.length);
  const enc = new TextEncoder();
  UTSNAME.forEach((s, i) => b.set(enc.encode(s).subarray(0, UTS_FIELD - 1), i * UTS_FIELD));
  return ctx.task.um.copyout(addr(a[0]!), b) ? 0 : -EFAULT;
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

export const PROC_SYSCALLS: Record<number, SyscallDef> = {
  93: { name: "exit", args: ["i"], fn: sysExitGroup },
  94: { name: "exit_group", args: ["i"], fn: sysExitGroup },
  96: { name: "set_tid_address", args: ["x"], fn: sysSetTidAddress },
  99: { name: "set_robust_list", args: ["x", "u"], fn: sysSetRobustList },
  124: { name: "sched_yield", args: [], fn: (c) => { c.procs.yield(); return 0; } },
  154: { name: "setpgid", args: ["i", "i"], fn: (c, a) => c.procs.setpgid(c.task, int(a[0]!), int(a[1]!)) },
  155: { name: "getpgid", args: ["i"], fn: (c, a) => c.procs.getpgid(c.task, int(a[0]!)) },
  156: { name: "getsid", args: ["i"], fn: (c, a) => c.procs.getsid(c.task, int(a[0]!)) },
  157: { name: "setsid", args: [], fn: (c) => c.procs.setsid(c.task) },
  160: { name: "uname", args: ["x"], fn: sysUname },
  163: { name: "getrlimit", args: ["i", "x"], fn: (c, a) => doPrlimit(c, int(a[0]!), 0, addr(a[1]!)) },
  164: { name: "setrlimit", args: ["i", "x"], fn: (c, a) => doPrlimit(c, int(a[0]!), addr(a[1]!), 0) },
  172: { name: "getpid", args: [], fn: (c) => c.task.pid },
  173: { name: "getppid", args: [], fn: (c) => c.task.ppid },
  174: { name: "getuid", args: [], fn: constant(GUEST_UID) },
  175: { name: "geteuid", args: [], fn: constant(GUEST_UID) },
  176: { name: "getgid", args: [], fn: constant(GUEST_GID) },
  177: { name: "getegid", args: [], fn: constant(GUEST_GID) },
  178: { name: "gettid", args: [], fn: (c) => c.task.tid },
  259: { name: "riscv_flush_icache", args: ["x", "x", "x"], fn: constant(0) },
  261: { name: "prlimit64", args: ["i", "i", "x", "x"], fn: sysPrlimit64 },
  220: { name: "clone", args: ["x", "x", "x", "x", "x"], fn: sysClone },
  260: { name: "wait4", args: ["i", "x", "x", "x"], fn: sysWait4 },
  278: { name: "getrandom", args: ["x", "u", "x"], fn: sysGetrandom },
  293: { name: "rseq", args: ["x", "u", "i", "x"], fn: constant(-ENOSYS) },
};

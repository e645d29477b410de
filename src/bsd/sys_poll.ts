// Waiting for descriptors: ppoll and pselect6 (fs/select.c), with their timeout and temporary signal mask.
// Readiness is each open file description's poll() (fs/file.ts; a pipe's from its buffer and its ends). glibc's
// poll and select are these calls, and pause() is ppoll(NULL, 0, NULL, NULL): it sleeps until a signal.
//
// A call that must wait sleeps (ProcessTable.sleep through the kernel's timers) and is made again from the start
// when woken: a descriptor became ready, its timeout passed, or a signal it does not block arrived. The temporary
// mask stays in force while it sleeps, as on Linux, with the caller's own kept in savedMask; a signal then ends
// the call with -ERESTARTNOHAND (EINTR once its handler has run with the temporary mask, which the return from
// the handler replaces by the caller's).

import type { Task } from "../kern/task.js";
import { ERESTARTNOHAND } from "../kern/signal.js";
import { cyclesToNs, nsToCycles } from "../kern/timer.js";
import {
  DEFAULT_POLLMASK, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
  POLLWRNORM,
} from "../fs/file.js";
import { addr, int, size } from "./args.js";
import { fdLimit, files } from "./file_args.js";
import { copyinTimespec, timespecNs, timespecOf, timespecValid } from "./sys_time.js";
import { EBADF, EFAULT, EINTR, EINVAL } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

const SIGSET_SIZE = 8;
const POLLFD_SIZE = 8;              // struct pollfd { int fd; short events; short revents; }

/** A call's timeout: none (undefined: wait forever), zero (never wait), or a deadline on the clock. */
interface Timeout { deadline: bigint | undefined; zero: boolean }

/** Reads the timeout at tsp (poll_select_set_timeout): EFAULT, EINVAL, or when the call's time is up. */
function timeoutArg(ctx: SyscallContext, tsp: number): Timeout | number {
  if (tsp === 0) return { deadline: undefined, zero: false };
  const ts = copyinTimespec(ctx.task, tsp);
  if (!ts) return -EFAULT;
  if (!timespecValid(ts)) return -EINVAL;
  const ns = timespecNs(ts);
  if (ns === 0n) return { deadline: ctx.timers.now(), zero: true };
  return { deadline: ctx.timers.deadlineOf(ctx.task, () => ctx.timers.now() + nsToCycles(ns)), zero: false };
}

/**
 * set_user_sigmask: installs the temporary mask at `sigmask` for the call (none: the mask is unchanged), keeping
 * the caller's in savedMask; a call made again after sleeping finds its mask already saved.
 */
function setUserSigmask(t: Task, sigmask: number, sigsetsize: number): number {
  if (sigmask === 0) return 0;
  if (sigsetsize !== SIGSET_SIZE) return -EINVAL;
  const v = t.um.readU64(sigmask);
  if (v === undefined) return -EFAULT;
  const s = t.signals;
  s.savedMask ??= s.blocked;
  s.setBlocked(v);
  return 0;
}

/**
 * poll_select_finish: the caller's mask comes back now unless a signal interrupted the call (then after its
 * handler), and the time left is stored back in *tsp for a non-zero timeout. If it cannot be stored the call
 * cannot be restarted: -ERESTARTNOHAND becomes EINTR.
 */
function pollSelectFinish(ctx: SyscallContext, tsp: number, to: Timeout, ret: number): number {
  const s = ctx.task.signals;
  if (ret !== -ERESTARTNOHAND && s.savedMask !== undefined) {
    s.setBlocked(s.savedMask);
    s.savedMask = undefined;
  }
  if (tsp === 0 || to.zero || to.deadline === undefined) return ret;
  const now = ctx.timers.now();
  const left = to.deadline > now ? cyclesToNs(to.deadline - now) : 0n;
  if (ctx.task.um.copyout(tsp, timespecOf(left))) return ret;
  return ret === -ERESTARTNOHAND ? -EINTR : ret;
}

/**
 * The wait of both calls (do_poll, do_select): `scan` counts what is ready now. Ready, timed out, or a signal
 * pending (-ERESTARTNOHAND): the call returns; otherwise it sleeps until one of them may hold.
 */
function waitFor(ctx: SyscallContext, what: string, to: Timeout, scan: () => number): number {
  const n = scan();
  if (n > 0) return n;
  if (ctx.task.signals.hasDeliverable) return -ERESTARTNOHAND;
  if (to.zero || (to.deadline !== undefined && ctx.timers.now() >= to.deadline)) return 0;
  return ctx.timers.sleep(ctx.procs, ctx.task, what, to.deadline, () => scan() > 0);
}

/** One pollfd's revents (do_pollfd): 0 for a negative fd, POLLNVAL for a closed one, else the events that hold. */
function pollOne(ctx: SyscallContext, fd: number, events: number): number {
  if (fd < 0) return 0;
  const f = files(ctx).get(fd);
  if (!f) return POLLNVAL;
  return f.poll() & ((events & 0xFFFF) | POLLERR | POLLHUP);
}

function sysPpoll(ctx: SyscallContext, a: readonly bigint[]): number {
  const ufds = addr(a[0]!), nfds = Number(BigInt.asUintN(32, a[1]!)), tsp = addr(a[2]!), t = ctx.task;
  const to = timeoutArg(ctx, tsp);
  if (typeof to === "number") return to;
  const err = setUserSigmask(t, addr(a[3]!), size(a[4]!));
  if (err) return err;
  return pollSelectFinish(ctx, tsp, to, doSysPoll(ctx, ufds, nfds, to));
}

/** do_sys_poll: the descriptor limit, the pollfd array in and its revents out. */
function doSysPoll(ctx: SyscallContext, ufds: number, nfds: number, to: Timeout): number {
  if (nfds > fdLimit(ctx)) return -EINVAL;
  const um = ctx.task.um;
  const raw = nfds === 0 ? new Uint8Array(0) : um.copyin(ufds, nfds * POLLFD_SIZE);
  if (!raw) return -EFAULT;
  const dv = new DataView(raw.buffer);
  const revents = new Uint16Array(nfds);
  const scan = (): number => {
    let n = 0;
    for (let i = 0; i < nfds; i++) {
      revents[i] = pollOne(ctx, dv.getInt32(i * POLLFD_SIZE, true), dv.getUint16(i * POLLFD_SIZE + 4, true));
      if (revents[i]) n++;
    }
    return n;
  };
  const r = waitFor(ctx, nfds === 0 ? "ppoll without descriptors (pause)" : "ppoll", to, scan);
  for (let i = 0; i < nfds; i++) dv.setUint16(i * POLLFD_SIZE + 6, revents[i]!, true);
  if (nfds > 0 && !um.copyout(ufds, raw)) return -EFAULT;
  return r;
}

// What select's three sets wait for, in poll events (fs/select.c).
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;

/** A user fd_set of n bits (unsigned longs), or zeros for NULL; undefined when it cannot be read. */
function getFdSet(t: Task, ufds: number, n: number): Uint8Array | undefined {
  const bytes = Math.ceil(n / 64) * 8;
  if (ufds === 0) return new Uint8Array(bytes);
  return t.um.copyin(ufds, bytes) ?? undefined;
}

const bit = (set: Uint8Array, fd: number): boolean => (set[fd >> 3]! & (1 << (fd & 7))) !== 0;

/**
 * pselect6: the sixth argument points at { const sigset_t *ss; size_t ss_len }. n is clamped to the descriptor
 * limit (Linux: to the table's size); a set naming a descriptor that is not open is EBADF.
 */
function sysPselect6(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task, tsp = addr(a[4]!), sig = addr(a[5]!);
  let sigmask = 0, sigsetsize = 0;
  if (sig !== 0) {
    const b = t.um.copyin(sig, 16);
    if (!b) return -EFAULT;
    const dv = new DataView(b.buffer);
    sigmask = addr(dv.getBigUint64(0, true));
    sigsetsize = addr(dv.getBigUint64(8, true));
  }
  const to = timeoutArg(ctx, tsp);
  if (typeof to === "number") return to;
  const err = setUserSigmask(t, sigmask, sigsetsize);
  if (err) return err;
  return pollSelectFinish(ctx, tsp, to, coreSysSelect(ctx, int(a[0]!), [addr(a[1]!), addr(a[2]!), addr(a[3]!)], to));
}

/** core_sys_select and do_select: the sets in, the wait, the result sets out. */
function coreSysSelect(ctx: SyscallContext, nArg: number, usets: number[], to: Timeout): number {
  if (nArg < 0) return -EINVAL;
  const t = ctx.task, n = Math.min(nArg, fdLimit(ctx));
  const sets: Uint8Array[] = [];
  for (const u of usets) {
    const s = getFdSet(t, u, n);
    if (!s) return -EFAULT;
    sets.push(s);
  }
  const [inp, outp, exp] = sets as [Uint8Array, Uint8Array, Uint8Array];
  const table = files(ctx);
  for (let fd = 0; fd < n; fd++) {
    if ((bit(inp, fd) || bit(outp, fd) || bit(exp, fd)) && !table.get(fd)) return -EBADF;
  }
  const res = sets.map((s) => new Uint8Array(s.length));
  const scan = (): number => {
    let n2 = 0;
    for (const r of res) r.fill(0);
    for (let fd = 0; fd < n; fd++) {
      const want = [bit(inp, fd), bit(outp, fd), bit(exp, fd)];
      if (!want.some(Boolean)) continue;
      const mask = table.get(fd)?.poll() ?? DEFAULT_POLLMASK;
      [POLLIN_SET, POLLOUT_SET, POLLEX_SET].forEach((m, i) => {
        if (want[i] && (mask & m)) { res[i]![fd >> 3]! |= 1 << (fd & 7); n2++; }
      });
    }
    return n2;
  };
  const r = waitFor(ctx, "pselect6", to, scan);
  if (r < 0) return r;
  for (let i = 0; i < 3; i++) {
    if (usets[i] !== 0 && !t.um.copyout(usets[i]!, res[i]!)) return -EFAULT;
  }
  return r;
}

export const POLL_SYSCALLS: Record<number, SyscallDef> = {
  72: { name: "pselect6", args: ["i", "x", "x", "x", "x", "x"], fn: sysPselect6 },
  73: { name: "ppoll", args: ["x", "u", "x", "x", "u"], fn: sysPpoll },
};

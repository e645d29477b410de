// Signal system calls (kernel/signal.c, arch/riscv/kernel/signal.c): dispositions, the blocked mask, pending
// signals, the alternate stack, sending signals, rt_sigsuspend and rt_sigreturn. Argument checks and their order
// follow Linux, so hostile arguments get the errno Linux returns. A signal sent here is only queued: it is acted
// on when the call returns to user mode (kern/sigframe.ts deliverSignals).

import { GUEST_UID, type Task } from "../kern/task.js";
import {
  ERESTARTNOHAND, NSIG, SI_KERNEL, SI_TKILL, SI_USER, SIGINFO_SIZE, SIGKILL, SIGSEGV, SIGSTOP, type SigInfo,
  SIGSET_ALL, SS_AUTODISARM, UAPI_SA_FLAGS, UNBLOCKABLE, dequeueSignal, encodeSiginfo, forceSignal,
  queueSignal,
} from "../kern/signal.js";
import { doSigaltstack, restoreRtFrame } from "../kern/sigframe.js";
import { nsToCycles } from "../kern/timer.js";
import { addr, int, size } from "./args.js";
import { EAGAIN, EFAULT, EINTR, EINVAL, EPERM, ESRCH } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

const SIGSET_SIZE = 8;
const SIGACTION_SIZE = 24;          // handler, flags, mask: riscv has no sa_restorer
const STACK_T_SIZE = 24;
const KERNEL_SIGINFO_SIZE = 48;     // sizeof(struct kernel_siginfo): what rt_sigqueueinfo keeps of the caller's
const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
const REG_SP = 2;

function validSignal(sig: number): boolean { return sig >= 0 && sig <= NSIG; }

function sysRtSigaction(ctx: SyscallContext, a: readonly bigint[]): number {
  const sig = int(a[0]!), act = addr(a[1]!), oact = addr(a[2]!);
  if (size(a[3]!) !== SIGSET_SIZE) return -EINVAL;
  let next: Uint8Array | undefined;
  if (act !== 0) {
    next = ctx.task.um.copyin(act, SIGACTION_SIZE);
    if (!next) return -EFAULT;
  }
  if (sig < 1 || sig > NSIG || (next && (sig === SIGKILL || sig === SIGSTOP))) return -EINVAL;
  const s = ctx.task.signals;
  const old = { ...s.actions[sig]! };
  if (next) {
    const dv = new DataView(next.buffer);
    s.actions[sig] = {
      handler: dv.getBigUint64(0, true),
      flags: Number(dv.getBigUint64(8, true) & BigInt(UAPI_SA_FLAGS)),
      mask: dv.getBigUint64(16, true) & ~UNBLOCKABLE,
    };
    // POSIX 3.3.1.3: a disposition that ignores the signal discards its pending instances, blocked or not.
    if (s.handlerIgnored(sig)) s.flushPending(sig);
  }
  if (oact !== 0) {
    const b = new Uint8Array(SIGACTION_SIZE);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, old.handler, true);
    dv.setBigUint64(8, BigInt(old.flags >>> 0), true);
    dv.setBigUint64(16, old.mask, true);
    if (!ctx.task.um.copyout(oact, b)) return -EFAULT;
  }
  return 0;
}

function sysRtSigprocmask(ctx: SyscallContext, a: readonly bigint[]): number {
  const how = int(a[0]!), set = addr(a[1]!), oset = addr(a[2]!);
  if (size(a[3]!) !== SIGSET_SIZE) return -EINVAL;
  const s = ctx.task.signals, um = ctx.task.um;
  const old = s.blocked;
  if (set !== 0) {
    const v = um.readU64(set);
    if (v === undefined) return -EFAULT;
    const m = v & ~UNBLOCKABLE;
    if (how === SIG_BLOCK) s.setBlocked(old | m);
    else if (how === SIG_UNBLOCK) s.setBlocked(old & ~m);
    else if (how === SIG_SETMASK) s.setBlocked(m);
    else return -EINVAL;
  }
  // The new mask stays in force even if the old one cannot be stored (Linux's order).
  if (oset !== 0 && !um.writeU64(oset, old)) return -EFAULT;
  return 0;
}

function sysRtSigpending(ctx: SyscallContext, a: readonly bigint[]): number {
  const set = addr(a[0]!), n = size(a[1]!);
  if (n > SIGSET_SIZE) return -EINVAL;
  const s = ctx.task.signals;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, s.pendingMask & s.blocked, true);
  return ctx.task.um.copyout(set, b.subarray(0, n)) ? 0 : -EFAULT;
}

function sysRtSigsuspend(ctx: SyscallContext, a: readonly bigint[]): number {
  if (size(a[1]!) !== SIGSET_SIZE) return -EINVAL;
  const v = ctx.task.um.readU64(addr(a[0]!));
  if (v === undefined) return -EFAULT;
  const s = ctx.task.signals;
  // The temporary mask stays in force while the task sleeps, as Linux's sigsuspend sets current->blocked and then
  // schedules; the caller's own is kept in savedMask (a call made again after sleeping finds it saved already) and
  // comes back when the handler returns. Putting the old mask back while asleep would let a signal the temporary
  // mask blocks wake the task again and again without its ever running (a livelock the fuzzers found).
  s.savedMask ??= s.blocked;
  s.setBlocked(v);
  if (s.hasDeliverable) return -ERESTARTNOHAND;
  return ctx.procs.sleep(ctx.task, "rt_sigsuspend", () => s.hasDeliverable);
}

/**
 * rt_sigtimedwait (sigwait, sigwaitinfo, sigtimedwait): takes a pending signal of the set, blocked or not, without
 * running its handler. With none pending it sleeps until another task (or a timer) sends one of the set, until
 * the timeout passes (EAGAIN; a zero timeout at once), or until a signal with a handler interrupts it (EINTR).
 */
function sysRtSigtimedwait(ctx: SyscallContext, a: readonly bigint[]): number {
  const uthese = addr(a[0]!), uinfo = addr(a[1]!), uts = addr(a[2]!);
  if (size(a[3]!) !== SIGSET_SIZE) return -EINVAL;
  const um = ctx.task.um, s = ctx.task.signals;
  const these = um.readU64(uthese);
  if (these === undefined) return -EFAULT;
  let timeout: { sec: bigint; nsec: bigint } | undefined;
  if (uts !== 0) {
    const t = um.copyin(uts, 16);
    if (!t) return -EFAULT;
    const dv = new DataView(t.buffer);
    timeout = { sec: dv.getBigInt64(0, true), nsec: dv.getBigInt64(8, true) };
    if (timeout.sec < 0n || timeout.nsec < 0n || timeout.nsec >= 1_000_000_000n) return -EINVAL;
  }
  const info = dequeueSignal(s, ~(these & ~UNBLOCKABLE) & SIGSET_ALL);
  if (info) {
    if (uinfo !== 0 && !um.copyout(uinfo, encodeSiginfo(info))) return -EFAULT;
    return info.signo;
  }
  const timers = ctx.timers;
  const deadline = timeout && timers.deadlineOf(ctx.task,
    () => timers.now() + nsToCycles(timeout.sec * 1_000_000_000n + timeout.nsec));
  if (deadline !== undefined && timers.now() >= deadline) return -EAGAIN;
  if (s.hasDeliverable) return -EINTR;
  const want = these & ~UNBLOCKABLE;
  return timers.sleep(ctx.procs, ctx.task, "rt_sigtimedwait", deadline, () => (s.pendingMask & want) !== 0n);
}

function sysRtSigreturn(ctx: SyscallContext): number | bigint {
  const s = ctx.task.signals;
  const r = restoreRtFrame(ctx.task, ctx.regs);
  s.returnedFromHandler = true;
  if (r.ok) return r.a0;
  forceSignal(s, { signo: SIGSEGV, code: SI_KERNEL, pid: 0, uid: 0, detail: `rt_sigreturn: bad frame: ${r.why}` });
  return 0;
}

function sysSigaltstack(ctx: SyscallContext, a: readonly bigint[]): number {
  const uss = addr(a[0]!), uoss = addr(a[1]!);
  const s = ctx.task.signals, um = ctx.task.um;
  const sp = ctx.regs.getX(REG_SP);
  let ss: { sp: bigint; flags: number; size: bigint } | undefined;
  if (uss !== 0) {
    const b = um.copyin(uss, STACK_T_SIZE);
    if (!b) return -EFAULT;
    const dv = new DataView(b.buffer);
    ss = { sp: dv.getBigUint64(0, true), flags: dv.getInt32(8, true), size: dv.getBigUint64(16, true) };
  }
  const old = new Uint8Array(STACK_T_SIZE);
  const ov = new DataView(old.buffer);
  ov.setBigUint64(0, s.altstack.sp, true);
  ov.setInt32(8, s.altStackFlags(sp) | (s.altstack.flags & SS_AUTODISARM), true);
  ov.setBigUint64(16, s.altstack.size, true);
  if (ss) {
    const err = doSigaltstack(s, ss, sp);
    if (err) return err;
  }
  if (uoss !== 0 && !um.copyout(uoss, old)) return -EFAULT;
  return 0;
}

/** The siginfo of a signal sent by this task to `target` (prepare_kill_siginfo). */
function userInfo(ctx: SyscallContext, target: Task, sig: number, code: number, how: string): SigInfo {
  const to = target === ctx.task ? "the guest to itself" : `pid ${ctx.task.pid}`;
  return { signo: sig, code, pid: ctx.task.pid, uid: GUEST_UID, detail: `sent by ${to} with ${how}` };
}

/**
 * Queues sig for `target` after the validity check; sig 0 only probes. A zombie takes nothing (and it is no
 * error). The target acts on it when it next returns to user mode (a sleeping one is woken for it).
 */
function sendTo(target: Task, sig: number, info: () => SigInfo, group: boolean): number {
  if (!validSignal(sig)) return -EINVAL;
  if (sig === 0 || (group ? target.group.dead : target.state === "zombie")) return 0;
  queueSignal(target.signals, info(), group);
  return 0;
}

/**
 * The task with this tid, a process's leader (zombie or not) until it is reaped included, as find_task_by_vpid:
 * kill given a thread's tid signals its process.
 */
function taskOf(ctx: SyscallContext, pid: number): Task | undefined {
  return pid > 0 ? ctx.procs.byTid.get(pid) : undefined;
}

const INT_MIN = -0x8000_0000;

/**
 * kill (kill_something_info): a positive pid names one process, 0 the caller's process group, -pgid a group, and
 * -1 every process but the caller and init (init is outside the machine). Zombies count and take the signal
 * harmlessly, as on Linux until they are reaped.
 */
function sysKill(ctx: SyscallContext, a: readonly bigint[]): number {
  const pid = int(a[0]!), sig = int(a[1]!);
  const info = (t: Task) => () => userInfo(ctx, t, sig, SI_USER, "kill");
  if (pid > 0) {
    const t = taskOf(ctx, pid);
    return t ? sendTo(t, sig, info(t), true) : -ESRCH;
  }
  if (pid === INT_MIN) return -ESRCH;                  // -INT_MIN is not defined
  if (pid === -1) {
    // Every process but the caller: the result is the last error other than EPERM, ESRCH when there is none.
    // On Linux the sweep always meets other processes, each of which rejects a bad signal number: EINVAL even
    // when the caller is alone here.
    if (!validSignal(sig)) return -EINVAL;
    let count = 0, ret = 0;
    for (const t of ctx.procs.byPid.values()) {
      if (t.group === ctx.task.group) continue;
      const r = sendTo(t, sig, info(t), true);
      count++;
      if (r !== -EPERM) ret = r;
    }
    return count ? ret : -ESRCH;
  }
  // __kill_pgrp_info: 0 if any member took the signal, else the last error (ESRCH for an empty group).
  let ok = false, ret = -ESRCH;
  for (const t of ctx.procs.groupMembers(pid === 0 ? ctx.task.pgid : -pid)) {
    ret = sendTo(t, sig, info(t), true);
    if (ret === 0) ok = true;
  }
  return ok ? 0 : ret;
}

function sysTkill(ctx: SyscallContext, a: readonly bigint[]): number {
  const tid = int(a[0]!), sig = int(a[1]!);
  if (tid <= 0) return -EINVAL;
  const t = taskOf(ctx, tid);
  if (!t) return -ESRCH;
  return sendTo(t, sig, () => userInfo(ctx, t, sig, SI_TKILL, "tkill"), false);
}

function sysTgkill(ctx: SyscallContext, a: readonly bigint[]): number {
  const tgid = int(a[0]!), tid = int(a[1]!), sig = int(a[2]!);
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  const t = taskOf(ctx, tid);
  if (!t || t.pid !== tgid) return -ESRCH;
  return sendTo(t, sig, () => userInfo(ctx, t, sig, SI_TKILL, "tgkill"), false);
}

/** The caller's siginfo for rt_sigqueueinfo/rt_tgsigqueueinfo: its header and union, si_signo replaced by sig. */
function copyinSiginfo(ctx: SyscallContext, uinfo: number, sig: number): SigInfo | undefined {
  const b = ctx.task.um.copyin(uinfo, SIGINFO_SIZE);
  if (!b) return undefined;
  const dv = new DataView(b.buffer);
  const raw = new Uint8Array(SIGINFO_SIZE);
  raw.set(b.subarray(0, KERNEL_SIGINFO_SIZE));
  return {
    signo: sig, errno: dv.getInt32(4, true), code: dv.getInt32(8, true), raw,
    detail: `sent by the guest to itself with sigqueue`,
  };
}

function sysRtSigqueueinfo(ctx: SyscallContext, a: readonly bigint[]): number {
  const pid = int(a[0]!), sig = int(a[1]!);
  const info = copyinSiginfo(ctx, addr(a[2]!), sig);
  if (!info) return -EFAULT;
  // Only the kernel may claim SI_USER or SI_TKILL (or a kernel code) when signalling another process.
  if ((info.code >= 0 || info.code === SI_TKILL) && pid !== ctx.task.pid) return -EPERM;
  const t = taskOf(ctx, pid);
  if (!t) return -ESRCH;
  if (t !== ctx.task) info.detail = `sent by pid ${ctx.task.pid} with sigqueue`;
  return sendTo(t, sig, () => info, true);
}

function sysRtTgsigqueueinfo(ctx: SyscallContext, a: readonly bigint[]): number {
  const tgid = int(a[0]!), tid = int(a[1]!), sig = int(a[2]!);
  const info = copyinSiginfo(ctx, addr(a[3]!), sig);
  if (!info) return -EFAULT;
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  if ((info.code >= 0 || info.code === SI_TKILL) && tid !== ctx.task.tid) return -EPERM;
  const t = taskOf(ctx, tid);
  if (!t || t.pid !== tgid) return -ESRCH;
  if (t !== ctx.task) info.detail = `sent by pid ${ctx.task.pid} with sigqueue`;
  return sendTo(t, sig, () => info, false);
}

export const SIGNAL_SYSCALLS: Record<number, SyscallDef> = {
  129: { name: "kill", args: ["i", "i"], fn: sysKill },
  130: { name: "tkill", args: ["i", "i"], fn: sysTkill },
  131: { name: "tgkill", args: ["i", "i", "i"], fn: sysTgkill },
  132: { name: "sigaltstack", args: ["x", "x"], fn: sysSigaltstack },
  133: { name: "rt_sigsuspend", args: ["x", "u"], fn: sysRtSigsuspend },
  134: { name: "rt_sigaction", args: ["i", "x", "x", "u"], fn: sysRtSigaction },
  135: { name: "rt_sigprocmask", args: ["i", "x", "x", "u"], fn: sysRtSigprocmask },
  136: { name: "rt_sigpending", args: ["x", "u"], fn: sysRtSigpending },
  137: { name: "rt_sigtimedwait", args: ["x", "x", "x", "u"], fn: sysRtSigtimedwait },
  138: { name: "rt_sigqueueinfo", args: ["i", "i", "x"], fn: sysRtSigqueueinfo },
  139: { name: "rt_sigreturn", args: [], fn: sysRtSigreturn },
  240: { name: "rt_tgsigqueueinfo", args: ["i", "i", "i", "x"], fn: sysRtTgsigqueueinfo },
};

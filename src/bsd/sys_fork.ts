// clone and wait4 (Linux kernel/fork.c, kernel/exit.c; linux_riscv64_abi.md §2). glibc's fork calls
// clone(SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, 0, NULL, &tid, 0); vfork is
// clone(CLONE_VM | CLONE_VFORK | SIGCHLD); pthread_create is clone(CLONE_VM | CLONE_FS | CLONE_FILES |
// CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, stack,
// &tid, tls, &tid). CLONE_VM without CLONE_THREAD makes a process sharing the caller's memory. The working
// directory and umask (Linux's fs_struct, CLONE_FS) live with the descriptor table here, so they are shared with
// CLONE_FILES rather than CLONE_FS; CLONE_SYSVSEM needs nothing (no System V semaphores). CLONE_PIDFD is not
// provided (ENOSYS).
// riscv selects CONFIG_CLONE_BACKWARDS: the arguments are (flags, newsp, parent_tid, tls, child_tid), and
// glibc's riscv kernel-features.h says __ASSUME_CLONE_BACKWARDS accordingly.

import { encodeRusage } from "../kern/resource.js";
import { NOMINAL_HZ } from "../machine/costs.js";
import { OutOfGuestMemory } from "../vm/phys.js";
import { addr, int } from "./args.js";
import { EFAULT, EINVAL, ENOMEM, ENOSYS, EPERM } from "../sys/errno.js";
import type { SyscallContext } from "./syscall.js";

export const CSIGNAL = 0xFF, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
  CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
  CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
  CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
  CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000, CLONE_NEWCGROUP = 0x2000000,
  CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000,
  CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000;
const CLONE_NEW_ANY = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
  CLONE_NEWNET;

const REG_SP = 2, REG_TP = 4;

export function sysClone(ctx: SyscallContext, a: readonly bigint[]): number {
  const flags = Number(BigInt.asUintN(32, a[0]!));
  const newsp = a[1]!, ptid = addr(a[2]!), tls = a[3]!, ctid = addr(a[4]!);
  // copy_process's checks, in its order.
  if ((flags & (CLONE_NEWNS | CLONE_FS)) === (CLONE_NEWNS | CLONE_FS)) return -EINVAL;
  if ((flags & (CLONE_NEWUSER | CLONE_FS)) === (CLONE_NEWUSER | CLONE_FS)) return -EINVAL;
  if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -EINVAL;
  if ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID))) return -EINVAL;
  if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD))) return -EINVAL;
  if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID)) return -EINVAL;   // kernel_clone: one pointer for both
  if (flags & CLONE_NEW_ANY) return -EPERM;            // an unprivileged user may not make namespaces
  if (flags & CLONE_PIDFD) return -ENOSYS;
  const parent = ctx.task;
  const thread = (flags & CLONE_THREAD) !== 0;
  // Without an MMU a child cannot have its own copy of the address space (Linux nommu: fork fails with EINVAL).
  if (!(flags & CLONE_VM) && parent.pmap.identity) return -EINVAL;
  let child;
  try {
    child = ctx.procs.fork(parent, {
      shareMap: (flags & CLONE_VM) !== 0,
      vfork: (flags & CLONE_VFORK) !== 0,
      shareFiles: (flags & CLONE_FILES) !== 0,
      exitSignal: flags & CSIGNAL,
      cloneParent: (flags & CLONE_PARENT) !== 0,
      thread,
      shareSighand: (flags & CLONE_SIGHAND) !== 0,
    });
  } catch (e) {
    // Only the new address space's root table is allocated before anything changes: no frame, no fork.
    if (e instanceof OutOfGuestMemory) return -ENOMEM;
    throw e;
  }
  if (newsp !== 0n) child.cpu.x[REG_SP] = BigInt.asUintN(64, newsp);
  if (flags & CLONE_SETTLS) child.cpu.x[REG_TP] = BigInt.asUintN(64, tls);
  if (flags & CLONE_CHILD_CLEARTID) child.clearChildTid = ctid;
  // Written after the copy, so each side sees only its own (Linux writes the child's through its new mm).
  if (flags & CLONE_CHILD_SETTID) child.um.writeU32(ctid, child.tid);
  if (flags & CLONE_PARENT_SETTID) parent.um.writeU32(ptid, child.tid);
  return child.tid;
}

export function sysWait4(ctx: SyscallContext, a: readonly bigint[]): number {
  const pid = int(a[0]!), statusp = addr(a[1]!), options = int(a[2]!), rusagep = addr(a[3]!);
  const r = ctx.procs.wait(ctx.task, pid, options);
  if (typeof r === "number") return r;
  // The child is reaped even when the status cannot be written (kernel_wait4 then returns EFAULT).
  if (statusp !== 0 && !ctx.task.um.writeU32(statusp, r.status)) return -EFAULT;
  if (rusagep !== 0 && !ctx.task.um.copyout(rusagep, encodeRusage(r.usage, ctx.timers.busyCycles(), NOMINAL_HZ))) return -EFAULT;
  return r.pid;
}

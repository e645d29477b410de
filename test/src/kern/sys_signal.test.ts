// The signal system calls with hostile arguments: each gets the errno Linux returns, in Linux's order of checks
// (kernel/signal.c), and what Linux changes before failing is changed here too.

import { beforeEach, describe, expect, it } from "vitest";
import { program, SP } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { EFAULT, EINVAL, ENOMEM, EPERM, ESRCH } from "../../../src/sys/errno.js";
import { SA_RESTART, SA_SIGINFO, SIG_IGN, TaskTerminated } from "../../../src/kern/signal.js";

const NR = {
  kill: 129, tkill: 130, tgkill: 131, sigaltstack: 132, rt_sigsuspend: 133, rt_sigaction: 134, rt_sigprocmask: 135,
  rt_sigpending: 136, rt_sigqueueinfo: 138, rt_tgsigqueueinfo: 240, mmap: 222,
};
const WILD = 0xdead0000;
const KERNEL = 0xffff_ffff_8000_0000n;
const SIGUSR1 = 10, SIGUSR2 = 12, SIGKILL = 9, SIGSTOP = 19, SIGCHLD = 17, SIGRT = 40;
const bit = (s: number): bigint => 1n << BigInt(s - 1);

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
const scratch = (len = 4096): number => sys(NR.mmap, 0, len, 3, 0x22, -1, 0);
const put64 = (va: number, v: bigint): void => { expect(m.task.um.writeU64(va, v)).toBe(true); };

describe.each(["riscv-sv39", "bare"] as const)("signal system calls with hostile arguments (%s)", (arch) => {
  let buf: number;
  beforeEach(() => {
    ({ m } = loadedMachine(program((a) => a.exit(0)), { arch }));
    buf = scratch();
  });

  it("rt_sigaction: size, then the new action's copy, then the signal number; oact after the change", () => {
    expect(sys(NR.rt_sigaction, SIGUSR1, 0, buf, 4)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, SIGUSR1, 0, buf, 16)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, 0, WILD, 0, 8)).toBe(-EFAULT);        // copy_from_user comes first
    expect(sys(NR.rt_sigaction, 0, 0, buf, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, 65, 0, buf, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, -1, 0, buf, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, SIGKILL, buf, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, SIGSTOP, buf, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, SIGKILL, 0, buf, 8)).toBe(0);          // reading it is allowed
    expect(sys(NR.rt_sigaction, SIGUSR1, KERNEL, 0, 8)).toBe(-EFAULT);
    // Unknown flag bits are dropped, SIGKILL/SIGSTOP leave the mask; a wild oact fails after the change.
    put64(buf, 0x4000n);
    put64(buf + 8, BigInt(SA_SIGINFO | SA_RESTART) | 0x400n | 0xFFFF_FFFF_0000_0000n);
    put64(buf + 16, -1n);
    expect(sys(NR.rt_sigaction, SIGUSR1, buf, WILD, 8)).toBe(-EFAULT);
    expect(m.task.signals.actions[SIGUSR1]).toEqual({ handler: 0x4000n, flags: SA_SIGINFO | SA_RESTART, mask: ~(bit(SIGKILL) | bit(SIGSTOP)) & ((1n << 64n) - 1n) });
    expect(sys(NR.rt_sigaction, SIGUSR1, 0, buf + 64, 8)).toBe(0);
    expect(m.task.um.readU64(buf + 64)).toBe(0x4000n);
    expect(m.task.um.readU64(buf + 72)).toBe(BigInt(SA_SIGINFO | SA_RESTART));
  });

  it("rt_sigaction: SIG_IGN (or SIG_DFL of a default-ignored signal) discards it while pending", () => {
    put64(buf + 8, bit(SIGUSR1) | bit(SIGCHLD));
    expect(sys(NR.rt_sigprocmask, 0, buf + 8, 0, 8)).toBe(0);
    expect(sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1)).toBe(0);
    expect(sys(NR.tgkill, m.task.pid, m.task.tid, SIGCHLD)).toBe(0);   // blocked: queued even though ignored
    expect(m.task.signals.pendingMask).toBe(bit(SIGUSR1) | bit(SIGCHLD));
    put64(buf, SIG_IGN);
    expect(sys(NR.rt_sigaction, SIGUSR1, buf, 0, 8)).toBe(0);
    put64(buf, 0n);
    expect(sys(NR.rt_sigaction, SIGCHLD, buf, 0, 8)).toBe(0);
    expect(m.task.signals.pendingMask).toBe(0n);
  });

  it("rt_sigprocmask: size, set copy, then how; the new mask stands even if oset faults", () => {
    put64(buf, bit(SIGUSR1));
    expect(sys(NR.rt_sigprocmask, 0, buf, 0, 4)).toBe(-EINVAL);
    expect(sys(NR.rt_sigprocmask, 0, WILD, 0, 8)).toBe(-EFAULT);
    expect(sys(NR.rt_sigprocmask, 3, buf, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigprocmask, -1, buf, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigprocmask, 99, 0, buf + 8, 8)).toBe(0);            // how is only looked at with a set
    expect(m.task.signals.blocked).toBe(0n);
    expect(sys(NR.rt_sigprocmask, 0, buf, WILD, 8)).toBe(-EFAULT);
    expect(m.task.signals.blocked).toBe(bit(SIGUSR1));
    put64(buf, bit(SIGUSR2) | bit(SIGKILL) | bit(SIGSTOP));
    expect(sys(NR.rt_sigprocmask, 0, buf, buf + 8, 8)).toBe(0);
    expect(m.task.um.readU64(buf + 8)).toBe(bit(SIGUSR1));
    expect(m.task.signals.blocked).toBe(bit(SIGUSR1) | bit(SIGUSR2));    // never SIGKILL or SIGSTOP
    put64(buf, bit(SIGUSR1));
    expect(sys(NR.rt_sigprocmask, 1, buf, 0, 8)).toBe(0);
    expect(m.task.signals.blocked).toBe(bit(SIGUSR2));
    put64(buf, -1n);
    expect(sys(NR.rt_sigprocmask, 2, buf, 0, 8)).toBe(0);
    expect(m.task.signals.blocked).toBe(((1n << 64n) - 1n) & ~(bit(SIGKILL) | bit(SIGSTOP)));
  });

  it("rt_sigpending: sizes up to 8 copy that many bytes; a wild pointer is EFAULT", () => {
    put64(buf, bit(SIGUSR1) | bit(SIGRT));
    sys(NR.rt_sigprocmask, 0, buf, 0, 8);
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
    sys(NR.kill, m.task.pid, SIGRT);
    expect(sys(NR.rt_sigpending, buf, 9)).toBe(-EINVAL);
    expect(sys(NR.rt_sigpending, WILD, 8)).toBe(-EFAULT);
    expect(sys(NR.rt_sigpending, WILD, 0)).toBe(0);
    put64(buf + 16, -1n);
    expect(sys(NR.rt_sigpending, buf + 16, 4)).toBe(0);
    expect(m.task.um.readU64(buf + 16)).toBe(0xFFFF_FFFF_0000_0000n | bit(SIGUSR1));
    expect(sys(NR.rt_sigpending, buf + 16, 8)).toBe(0);
    expect(m.task.um.readU64(buf + 16)).toBe(bit(SIGUSR1) | bit(SIGRT));
  });

  it("sigaltstack: EFAULT, EINVAL, ENOMEM, EPERM on the stack itself; SS_DISABLE takes any size", () => {
    const alt = scratch(16384);
    const ss = (sp: number, flags: number, size: number): number => {
      put64(buf, BigInt(sp)); put64(buf + 8, BigInt(flags >>> 0)); put64(buf + 16, BigInt(size));
      return buf;
    };
    expect(sys(NR.sigaltstack, WILD, 0)).toBe(-EFAULT);
    expect(sys(NR.sigaltstack, ss(alt, 4, 16384), 0)).toBe(-EINVAL);
    expect(sys(NR.sigaltstack, ss(alt, 0, 2047), 0)).toBe(-ENOMEM);
    expect(sys(NR.sigaltstack, ss(alt, 2, 1), 0)).toBe(0);
    expect(sys(NR.sigaltstack, ss(alt, 1, 16384), WILD)).toBe(-EFAULT);  // set, then the copy-out fails
    expect(m.task.signals.altstack).toEqual({ sp: BigInt(alt), size: 16384n, flags: 1 });
    m.wasm.setX(SP, BigInt(alt + 100));
    expect(sys(NR.sigaltstack, ss(0, 2, 0), buf + 64)).toBe(-EPERM);
    expect(m.task.signals.altstack.size).toBe(16384n);
    expect(sys(NR.sigaltstack, 0, buf + 64)).toBe(0);
    expect(m.task.um.readU32(buf + 64 + 8)).toBe(1);                       // SS_ONSTACK
    m.wasm.setX(SP, BigInt(alt + 16384 + 16));
    expect(sys(NR.sigaltstack, 0, buf + 64)).toBe(0);
    expect(m.task.um.readU32(buf + 64 + 8)).toBe(0);
    expect(sys(NR.sigaltstack, ss(alt, 0x8000_0000, 16384), buf + 64)).toBe(0);  // SS_AUTODISARM
    expect(sys(NR.sigaltstack, 0, buf + 64)).toBe(0);
    expect(m.task.um.readU32(buf + 64 + 8)).toBe(0x8000_0000);
  });

  it("kill, tkill, tgkill: pids, then signal numbers; signal 0 only probes", () => {
    const pid = m.task.pid;
    expect(sys(NR.kill, 12345, 99)).toBe(-ESRCH);                // no such process, whatever the signal
    expect(sys(NR.kill, -1, SIGUSR1)).toBe(-ESRCH);              // every other process: there is none
    expect(sys(NR.kill, -1, 99)).toBe(-EINVAL);
    expect(sys(NR.kill, pid, 65)).toBe(-EINVAL);
    expect(sys(NR.kill, pid, -1)).toBe(-EINVAL);
    expect(sys(NR.kill, pid, 0)).toBe(0);
    expect(sys(NR.kill, 0, 0)).toBe(0);
    expect(sys(NR.kill, -pid, 0)).toBe(0);
    expect(sys(NR.tkill, 0, SIGUSR1)).toBe(-EINVAL);
    expect(sys(NR.tkill, -5, SIGUSR1)).toBe(-EINVAL);
    expect(sys(NR.tkill, pid + 1, SIGUSR1)).toBe(-ESRCH);
    expect(sys(NR.tkill, pid, 65)).toBe(-EINVAL);
    expect(sys(NR.tgkill, 0, pid, SIGUSR1)).toBe(-EINVAL);
    expect(sys(NR.tgkill, pid, 0, SIGUSR1)).toBe(-EINVAL);
    expect(sys(NR.tgkill, pid + 1, pid, SIGUSR1)).toBe(-ESRCH);
    expect(sys(NR.tgkill, pid, pid, 0)).toBe(0);
  });

  it("kill to itself with the default action terminates once the call returns", () => {
    expect(() => sys(NR.kill, m.task.pid, SIGUSR2)).toThrow(/^guest killed by SIGUSR2 \(sent by the guest to itself with kill\)$/);
  });

  it("rt_sigqueueinfo and rt_tgsigqueueinfo: EFAULT, then EPERM for kernel codes to others, ESRCH", () => {
    const info = scratch();
    put64(info + 8, 0n);                                          // si_code SI_USER
    expect(sys(NR.rt_sigqueueinfo, m.task.pid, SIGUSR1, WILD)).toBe(-EFAULT);
    expect(sys(NR.rt_sigqueueinfo, 4321, SIGUSR1, info)).toBe(-EPERM);
    m.task.um.writeU32(info + 8, -1 >>> 0);                       // SI_QUEUE
    expect(sys(NR.rt_sigqueueinfo, 4321, SIGUSR1, info)).toBe(-ESRCH);
    expect(sys(NR.rt_tgsigqueueinfo, 0, 1, SIGUSR1, info)).toBe(-EINVAL);
    expect(sys(NR.rt_tgsigqueueinfo, m.task.pid, m.task.tid, 99, info)).toBe(-EINVAL);
    put64(buf, bit(SIGRT));
    sys(NR.rt_sigprocmask, 0, buf, 0, 8);
    m.task.um.writeU32(info + 24, 77);                            // si_value
    expect(sys(NR.rt_sigqueueinfo, m.task.pid, SIGRT, info)).toBe(0);
    expect(sys(NR.rt_sigqueueinfo, m.task.pid, SIGRT, info)).toBe(0);
    expect(m.task.signals.sharedPending.queue.map((q) => [q.signo, q.code])).toEqual([[SIGRT, -1], [SIGRT, -1]]);
  });

  it("rt_sigsuspend: size, copy; with nothing that can arrive the task cannot wait forever", () => {
    expect(sys(NR.rt_sigsuspend, buf, 4)).toBe(-EINVAL);
    expect(sys(NR.rt_sigsuspend, WILD, 8)).toBe(-EFAULT);
    put64(buf, 0n);
    try {
      sys(NR.rt_sigsuspend, buf, 8);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TaskTerminated);
      expect((e as TaskTerminated).message).toMatch(/rt_sigsuspend/);
    }
  });
});

describe("rt_sigtimedwait", () => {
  let buf: number;
  beforeEach(() => {
    ({ m } = loadedMachine(program((a) => a.exit(0))));
    buf = scratch();
  });

  it("checks size, set, timeout; takes pending signals of the set, lowest first, without handlers", () => {
    const ts = buf + 512, info = buf + 1024;
    put64(buf, bit(SIGUSR1) | bit(SIGRT));
    sys(NR.rt_sigprocmask, 0, buf, 0, 8);
    expect(sys(137, buf, 0, ts, 4)).toBe(-EINVAL);
    expect(sys(137, WILD, 0, ts, 8)).toBe(-EFAULT);
    expect(sys(137, buf, 0, WILD, 8)).toBe(-EFAULT);
    put64(ts, 0n); put64(ts + 8, 1_000_000_000n);
    expect(sys(137, buf, 0, ts, 8)).toBe(-EINVAL);
    put64(ts + 8, 0n);
    expect(sys(137, buf, info, ts, 8)).toBe(-11);                   // EAGAIN: nothing pending
    sys(NR.kill, m.task.pid, SIGRT);
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
    expect(sys(137, buf, info, ts, 8)).toBe(SIGUSR1);
    expect(m.task.um.readU32(info + 8)! | 0).toBe(-6);               // SI_TKILL: glibc turns it into SI_USER
    expect(sys(137, buf, WILD, ts, 8)).toBe(-EFAULT);                // taken, but the copy-out failed
    expect(m.task.signals.pendingMask).toBe(0n);
    expect(() => sys(137, buf, 0, 0, 8)).toThrow(/rt_sigtimedwait/);  // would wait forever
  });
});

describe("kill reaches process groups (kill_something_info)", () => {
  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });
  const fork = () => m.procs.fork(m.task, { shareMap: false, vfork: false, shareFiles: false, exitSignal: SIGCHLD });

  it("kill(0) and kill(-pgid) signal exactly the group's members; kill(-1) everyone but the caller", () => {
    const buf = scratch();
    put64(buf, bit(SIGUSR1) | bit(SIGUSR2));
    expect(sys(NR.rt_sigprocmask, 0, buf, 0, 8)).toBe(0);             // block both: nothing is acted on
    const a = fork(), b = fork();
    expect(m.procs.setpgid(a, 0, 0)).toBe(0);                         // a leads its own group
    expect(sys(NR.kill, 0, SIGUSR1)).toBe(0);
    expect(m.task.signals.pendingMask & bit(SIGUSR1)).not.toBe(0n);
    expect(b.signals.pendingMask & bit(SIGUSR1)).not.toBe(0n);
    expect(a.signals.pendingMask).toBe(0n);
    expect(sys(NR.kill, -a.pid, SIGUSR2)).toBe(0);
    expect(a.signals.pendingMask).toBe(bit(SIGUSR2));
    expect(b.signals.pendingMask & bit(SIGUSR2)).toBe(0n);
    expect(sys(NR.kill, -(a.pid + 100), SIGUSR2)).toBe(-ESRCH);         // no such group
    expect(sys(NR.kill, -a.pid, 99)).toBe(-EINVAL);
    expect(sys(NR.kill, -0x8000_0000, SIGUSR2)).toBe(-ESRCH);           // -INT_MIN is not defined
    expect(sys(NR.kill, -1, SIGUSR1)).toBe(0);
    expect(a.signals.pendingMask & bit(SIGUSR1)).not.toBe(0n);
  });
});

describe("rt_sigsuspend keeps its temporary mask while it sleeps", () => {
  it("a pending signal the temporary mask blocks does not wake it (a livelock with no instruction retired before)", () => {
    // The first task forks a child that exits at once, then waits in rt_sigsuspend with SIGCHLD blocked: SIGCHLD
    // comes and stays pending, nothing else can come, so the wait never ends — on Linux a hang, here the run ends
    // as a watchdog would end it (SIGKILL and its line). Before, the old mask was put back while asleep, SIGCHLD
    // looked deliverable, the call was woken and made again forever without retiring an instruction.
    const guest = program((a) => {
      a.li(17, 220).li(10, 17).li(11, 0).li(12, 0).li(13, 0).li(14, 0).ecall()   // clone(SIGCHLD)
        .bne(10, 0, "parent").exit(0)
        .label("parent")
        .li(5, bit(SIGCHLD)).sd(5, SP, -16).addi(10, SP, -16).li(11, 8).li(17, 133).ecall()   // rt_sigsuspend
        .exit(1);
    });
    const { m: mm } = loadedMachine(guest);
    const r = mm.run(10_000_000n);
    expect(r.reason).toBe("signal");
    expect(r.signal).toBe(SIGKILL);
    expect(r.message).toMatch(/deadlock: rt_sigsuspend would wait forever/);
    expect(mm.wasm.instret).toBeLessThan(1000n);
  });
});

// clone, wait4, getppid and the Mach calls with hostile arguments, made directly as system calls (the guests in
// test/diff and test/src/kern exercise the successful paths end to end).

import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { ECHILD, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH } from "../../../src/sys/errno.js";
import { GUEST_PID, GUEST_PPID, type Task } from "../../../src/kern/task.js";
import { TaskTerminated } from "../../../src/kern/signal.js";
import { fileTable } from "../../../src/bsd/files.js";

const NR = { write: 64, personality: 92, exit: 93, sched_setaffinity: 122, sched_getaffinity: 123, rt_sigprocmask: 135,
  times: 153, uname: 160, setrlimit: 164, getrusage: 165, getppid: 173, gettid: 178, clone: 220, mmap: 222, wait4: 260 };
const SIGCHLD = 17, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
  CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_NEWPID = 0x20000000,
  CLONE_CHILD_SETTID = 0x1000000, CLONE_PARENT_SETTID = 0x100000, CLONE_PIDFD = 0x1000, CLONE_DETACHED = 0x400000, CLONE_PARENT = 0x8000;
const WNOHANG = 1, SIGQUIT = 3, SIGSEGV = 11, SIGTERM = 15, RLIMIT_CORE = 4;

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));

describe("clone and wait4", () => {
  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });

  it("wait4 without children: ECHILD; bad options: EINVAL", () => {
    expect(sys(NR.wait4, -1, 0, 0, 0)).toBe(-ECHILD);
    expect(sys(NR.wait4, -1, 0, WNOHANG, 0)).toBe(-ECHILD);
    expect(sys(NR.wait4, -1, 0, 0x100, 0)).toBe(-EINVAL);
    expect(sys(NR.getppid)).toBe(GUEST_PPID);
    expect(sys(NR.gettid)).toBe(GUEST_PID);
  });

  it("rejects Linux's invalid flag combinations, namespaces and pidfds", () => {
    expect(sys(NR.clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.clone, CLONE_THREAD | CLONE_VM | SIGCHLD, 0, 0, 0, 0)).toBe(-EINVAL);   // THREAD without SIGHAND
    expect(sys(NR.clone, CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0)).toBe(-EINVAL);              // SIGHAND without VM
    expect(sys(NR.clone, CLONE_PIDFD | CLONE_PARENT_SETTID, 0, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0)).toBe(-EPERM);
    expect(sys(NR.clone, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID, 0, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, 0, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.clone, CLONE_PIDFD | SIGCHLD, 0, 0, 0, 0)).toBe(-ENOSYS);
    expect(m.counters()["forks"]).toBe(0);
  });

  it("fork: a child with the next pid, CHILD_SETTID written in the child only, WNOHANG while it runs", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const child = sys(NR.clone, SIGCHLD | CLONE_CHILD_SETTID | CLONE_PARENT_SETTID, 0, buf + 8, 0, buf);
    expect(child).toBe(GUEST_PID + 1);
    const c = m.procs.byPid.get(child)!;
    expect(c.um.readU32(buf)).toBe(child);
    expect(m.task.um.readU32(buf)).toBe(0);           // the parent's copy is untouched
    expect(m.task.um.readU32(buf + 8)).toBe(child);   // PARENT_SETTID: the parent's memory
    expect(c.cpu.x[10]).toBe(0n);
    expect(c.ppid).toBe(GUEST_PID);
    expect(sys(NR.wait4, child, buf + 16, WNOHANG, 0)).toBe(0);
    expect(sys(NR.wait4, child + 1, 0, WNOHANG, 0)).toBe(-ECHILD);
    // A zombie is reaped once, with its status; a bad status pointer gives EFAULT but still reaps.
    m.procs.exit(c, TaskTerminated.byExit(3));
    expect(sys(NR.wait4, -1, 0xdead0000, 0, 0)).toBe(-EFAULT);
    expect(sys(NR.wait4, -1, 0, WNOHANG, 0)).toBe(-ECHILD);
  });

  it("reports exit codes and signals in Linux's wait status encoding", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const a = sys(NR.clone, SIGCHLD, 0, 0, 0, 0), b = sys(NR.clone, SIGCHLD, 0, 0, 0, 0);
    m.procs.exit(m.procs.byPid.get(b)!, TaskTerminated.bySignal(11, "test"));
    m.procs.exit(m.procs.byPid.get(a)!, TaskTerminated.byExit(42));
    expect(sys(NR.wait4, -1, buf, 0, buf + 64)).toBe(a);   // the oldest zombie first, as Linux
    expect(m.task.um.readU32(buf)).toBe(42 << 8);
    expect(sys(NR.wait4, -1, buf, 0, 0)).toBe(b);
    expect(m.task.um.readU32(buf)).toBe(11);
  });

  it("vfork suspends the parent; orphans are reparented to init", () => {
    const v = sys(NR.clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
    expect(m.task.state).toBe("vfork");
    const c = m.procs.byPid.get(v)!;
    expect(c.map).toBe(m.task.map);
    const g = m.procs.fork(c, { shareMap: false, vfork: false, shareFiles: false, exitSignal: SIGCHLD });
    m.procs.exit(c, TaskTerminated.byExit(0));
    expect(m.task.state).toBe("run");
    expect(g.ppid).toBe(1);
    expect(m.task.map.refCount).toBe(1);
  });

  it("clone(CLONE_FILES|SIGCHLD): the child's exit leaves the parent's shared descriptors open (issue 17)", () => {
    const c = m.procs.byPid.get(sys(NR.clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0))!;
    expect(c.files).toBe(m.task.files);                 // one table, as Linux's files_struct
    m.procs.exit(c, TaskTerminated.byExit(0));
    expect(fileTable(m.task).get(1)).toBeDefined();     // Linux drops only the child's reference
    expect(sys(NR.write, 1, 0x10000, 0)).toBe(0);
    const d = m.procs.byPid.get(sys(NR.clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0))!;
    m.procs.exit(m.task, TaskTerminated.byExit(0));     // the parent goes first: the child keeps the table
    expect(fileTable(d).get(1)).toBeDefined();
    m.procs.exit(d, TaskTerminated.byExit(0));           // the last user closes it
    expect(fileTable(d).count).toBe(0);
  });

  it("CLONE_PARENT: the child is the caller's sibling, with the caller's exit signal", () => {
    const a = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    const s = m.procs.fork(a, { shareMap: false, vfork: false, shareFiles: false, exitSignal: 5, cloneParent: true });
    expect(s.ppid).toBe(GUEST_PID);
    expect(s.exitSignal).toBe(SIGCHLD);
    expect(m.task.children).toContain(s);
    expect(a.children).not.toContain(s);
    // From the first task, the sibling's parent is the shell outside the machine.
    const o = m.procs.byPid.get(sys(NR.clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0))!;
    expect(o.ppid).toBe(GUEST_PPID);
    expect(m.task.children).not.toContain(o);
    m.procs.exit(o, TaskTerminated.byExit(0));
    expect(m.procs.byPid.has(o.pid)).toBe(false);                          // nobody here reaps it
  });

  it("an exit signal above NSIG is accepted by clone and never sent (legacy clone does not check it)", () => {
    const c = m.procs.byPid.get(sys(NR.clone, 0x7f, 0, 0, 0, 0))!;
    expect(c.exitSignal).toBe(0x7f);
    m.procs.exit(c, TaskTerminated.byExit(0));
    expect(m.task.signals.pendingMask).toBe(0n);
    expect(sys(NR.wait4, -1, 0, WNOHANG, 0)).toBe(-ECHILD);                // not a SIGCHLD child: __WCLONE
    expect(sys(NR.wait4, -1, 0, WNOHANG | 0x80000000, 0)).toBe(c.pid);
  });

  it("wait4 by process group: 0 is the caller's group, -pgid that group; INT_MIN is ESRCH", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const a = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!, b = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    expect(m.procs.setpgid(a, 0, 0)).toBe(0);
    m.procs.exit(a, TaskTerminated.byExit(1));
    expect(sys(NR.wait4, 0, buf, WNOHANG, 0)).toBe(0);                  // b, in our group, still runs
    expect(sys(NR.wait4, -(b.pid + 50), buf, WNOHANG, 0)).toBe(-ECHILD);
    expect(sys(NR.wait4, -a.pid, buf, WNOHANG, 0)).toBe(a.pid);
    expect(sys(NR.wait4, -0x8000_0000, buf, WNOHANG, 0)).toBe(-ESRCH);
    expect(sys(NR.wait4, -0x8000_0000, buf, 0x100, 0)).toBe(-EINVAL);  // the options are checked first
    m.procs.exit(b, TaskTerminated.byExit(2));
    expect(sys(NR.wait4, 0, buf, 0, 0)).toBe(b.pid);
  });

  it("the core-dump bit: a core signal with RLIMIT_CORE of at least a page sets WCOREDUMP and CLD_DUMPED", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const status = (kill: (t: Task) => TaskTerminated): number => {
      const c = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
      m.procs.exit(c, kill(c));
      expect(sys(NR.wait4, c.pid, buf, 0, 0)).toBe(c.pid);
      return m.task.um.readU32(buf)!;
    };
    expect(status(() => TaskTerminated.bySignal(SIGSEGV, "test"))).toBe(SIGSEGV);   // the default limit is 0
    m.task.um.writeU64(buf + 64, 4095n);
    m.task.um.writeU64(buf + 72, 4096n);
    expect(sys(NR.setrlimit, RLIMIT_CORE, buf + 64)).toBe(0);
    expect(status(() => TaskTerminated.bySignal(SIGSEGV, "test"))).toBe(SIGSEGV);   // below min_coredump
    m.task.um.writeU64(buf + 64, 4096n);
    expect(sys(NR.setrlimit, RLIMIT_CORE, buf + 64)).toBe(0);
    m.task.um.writeU64(buf + 80, 1n << BigInt(SIGCHLD - 1));
    expect(sys(NR.rt_sigprocmask, 0, buf + 80, 0, 8)).toBe(0);             // keep SIGCHLD pending to read it
    expect(status(() => TaskTerminated.bySignal(SIGSEGV, "test"))).toBe(SIGSEGV | 0x80);
    expect(m.task.signals.sharedPending.queue.map((q) => [q.signo, q.code, q.status])).toEqual([[SIGCHLD, 3, SIGSEGV]]);
    expect(status(() => TaskTerminated.bySignal(SIGQUIT, "test"))).toBe(SIGQUIT | 0x80);
    expect(status(() => TaskTerminated.bySignal(SIGTERM, "test"))).toBe(SIGTERM);   // "terminate", not "core"
    expect(status(() => TaskTerminated.byExit(0x80))).toBe(0x8000);
  });

  it("getrusage: who is checked; a reaped child's figures go to RUSAGE_CHILDREN and wait4's rusage", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const long = (at: number, i: number) => Number(m.task.um.readU64(at + 32 + 8 * i)!);
    expect(sys(NR.getrusage, 2, buf)).toBe(-EINVAL);
    expect(sys(NR.getrusage, -2, buf)).toBe(-EINVAL);
    expect(sys(NR.getrusage, 0, 0xdead0000)).toBe(-EFAULT);
    expect(sys(NR.getrusage, 0, buf)).toBe(0);
    expect(long(buf, 0)).toBeGreaterThan(0);                     // ru_maxrss: the pages touched so far, in KiB
    const c = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    Object.assign(c.usage, { cpuCycles: 3_000_000n, systemCycles: 1_000_000n, minflt: 7, majflt: 2, nvcsw: 3, nivcsw: 4 });
    m.procs.exit(c, TaskTerminated.byExit(0));
    expect(sys(NR.wait4, c.pid, 0, 0, buf + 1024)).toBe(c.pid);
    expect(sys(NR.getrusage, -1, buf)).toBe(0);                  // RUSAGE_CHILDREN
    for (const at of [buf, buf + 1024]) {
      // 2 ms of user time and 1 ms of system time at the nominal 1 GHz; the counts as they were.
      expect([0, 8, 16, 24].map((o) => Number(m.task.um.readU64(at + o)))).toEqual([0, 2000, 0, 1000]);
      expect([4, 5, 12, 13].map((i) => long(at, i))).toEqual([7, 2, 3, 4]);
    }
  });

  it("personality: 0xffffffff only asks; UNAME26 makes uname's release 2.6.(60 + minor)", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const release = () => new TextDecoder().decode(m.task.um.copyin(buf + 130, 65)!).replace(/\0.*$/s, "");
    expect(sys(NR.uname, buf)).toBe(0);
    expect(release()).toBe("6.1.0");
    expect(sys(NR.personality, 0xffffffff)).toBe(0);
    expect(sys(NR.personality, 0x0020000)).toBe(0);
    expect(sys(NR.personality, 0xffffffff)).toBe(0x0020000);
    expect(sys(NR.uname, buf)).toBe(0);
    expect(release()).toBe("2.6.61");
    const c = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    expect(c.personality).toBe(0x0020000);                       // fork inherits it
  });

  it("sched_getaffinity/sched_setaffinity: one CPU; Linux's size rules and errors", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    m.task.um.writeU64(buf, 0xffn);
    expect(sys(NR.sched_getaffinity, 0, 64, buf)).toBe(8);       // cpumask_size(): one unsigned long
    expect(m.task.um.readU64(buf)).toBe(1n);
    expect(sys(NR.sched_getaffinity, 0, 0, buf)).toBe(-EINVAL);
    expect(sys(NR.sched_getaffinity, 0, 4, buf)).toBe(-EINVAL);   // not a multiple of a long
    expect(sys(NR.sched_getaffinity, 4242, 8, buf)).toBe(-ESRCH);
    expect(sys(NR.sched_getaffinity, 0, 8, 0xdead0000)).toBe(-EFAULT);
    expect(sys(NR.sched_setaffinity, 0, 8, buf)).toBe(0);
    m.task.um.writeU64(buf, 2n);
    expect(sys(NR.sched_setaffinity, 0, 8, buf)).toBe(-EINVAL);   // no CPU that exists
    expect(sys(NR.sched_setaffinity, 0, 8, 0xdead0000)).toBe(-EFAULT);
    m.task.um.writeU64(buf, 1n);
    expect(sys(NR.sched_setaffinity, 4242, 8, buf)).toBe(-ESRCH);
    expect(sys(NR.sched_setaffinity, 0, 1, buf)).toBe(0);         // a short mask is read as far as it goes
  });

  it("times: the caller's and its children's clock ticks, the ticks since boot as the result", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const c = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    Object.assign(c.usage, { cpuCycles: 50_000_000n, systemCycles: 20_000_000n });
    m.procs.exit(c, TaskTerminated.byExit(0));
    expect(sys(NR.wait4, c.pid, 0, 0, 0)).toBe(c.pid);
    expect(sys(NR.times, buf)).toBeGreaterThanOrEqual(0);
    expect([16, 24].map((o) => Number(m.task.um.readU64(buf + o)))).toEqual([3, 2]);   // 30 ms and 20 ms at USER_HZ
    expect(sys(NR.times, 0xdead0000)).toBe(-EFAULT);
  });
});

// Threads (kern/proc.ts, kern/task.ts ThreadGroup): clone with CLONE_THREAD makes a task of the caller's process
// that shares its memory, files, dispositions and process-directed signals and has its own tid, mask and pending
// signals; exit ends a thread, exit_group and fatal signals the whole process; a process is reaped only once its
// last thread has exited; execve's de_thread. The pthread guests run end to end, deterministically.
import { beforeEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { GUEST_PID, type Task } from "../../../src/kern/task.js";
import { TaskTerminated, sigbit } from "../../../src/kern/signal.js";
import { runGuest } from "../../../src/index.js";
import { EINVAL } from "../../../src/sys/errno.js";

const NR = { futex: 98, kill: 129, tkill: 130, tgkill: 131, rt_sigprocmask: 135, getpid: 172, gettid: 178, clone: 220,
  mmap: 222, wait4: 260, clock_gettime: 113 };
const SIGCHLD = 17, SIGUSR1 = 10, SIGUSR2 = 12, SIGKILL = 9, WNOHANG = 1;
const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_THREAD = 0x10000,
  CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000;
/** What glibc's pthread_create passes (sysdeps/unix/sysv/linux/createthread.c). */
const PTHREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
  CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
const GUEST = (g: string) => join(import.meta.dirname, "../../../guest/bin", g);

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
/** Makes `t` the running task, as the scheduler would (its registers are not needed here). */
const runAs = (t: Task) => { m.sched.current = t; };

describe("clone(CLONE_THREAD) and thread groups", () => {
  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });

  it("pthread_create's flags: a thread with its own tid in the caller's process, tid words written, TLS set", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const tid = sys(NR.clone, PTHREAD_FLAGS, buf + 2048, buf, 0x1234, buf + 8);
    expect(tid).toBe(GUEST_PID + 1);
    const t = m.procs.byTid.get(tid)!;
    expect(t.pid).toBe(GUEST_PID);
    expect(t.group).toBe(m.task.group);
    expect(m.procs.byPid.get(tid)).toBeUndefined();              // a thread is no process
    expect(m.task.children).toHaveLength(0);
    expect(t.map).toBe(m.task.map);
    expect(t.signals.actions).toBe(m.task.signals.actions);
    expect(t.signals.sharedPending).toBe(m.task.signals.sharedPending);
    expect(t.signals.pending).not.toBe(m.task.signals.pending);
    expect(t.cpu.x[4]).toBe(0x1234n);                            // tp
    expect(t.cpu.x[2]).toBe(BigInt(buf + 2048));                 // sp
    expect(m.task.um.readU32(buf)).toBe(tid);                    // CLONE_PARENT_SETTID
    expect(t.clearChildTid).toBe(buf + 8);
    runAs(t);
    expect(sys(NR.getpid)).toBe(GUEST_PID);
    expect(sys(NR.gettid)).toBe(tid);
  });

  it("clone(2)'s EINVAL rules hold for threads; CLONE_VM alone makes a process sharing memory", () => {
    expect(sys(NR.clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.clone, CLONE_THREAD | CLONE_SIGHAND, 0, 0, 0, 0)).toBe(-EINVAL);
    const pid = sys(NR.clone, CLONE_VM | SIGCHLD, 0, 0, 0, 0);
    const c = m.procs.byPid.get(pid)!;
    expect(c.pid).toBe(pid);
    expect(c.map).toBe(m.task.map);
    expect(c.parent).toBe(m.task);
    expect(c.signals.actions).not.toBe(m.task.signals.actions);
    const s = m.procs.byPid.get(sys(NR.clone, CLONE_VM | CLONE_SIGHAND | SIGCHLD, 0, 0, 0, 0))!;
    expect(s.signals.actions).toBe(m.task.signals.actions);       // CLONE_SIGHAND without CLONE_THREAD
    expect(s.signals.sharedPending).not.toBe(m.task.signals.sharedPending);
  });

  it("tkill and tgkill reach one thread; kill reaches the process, through any of its tids", () => {
    const t = m.procs.byTid.get(sys(NR.clone, PTHREAD_FLAGS & ~(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID), 0, 0, 0, 0))!;
    const set = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    m.task.um.writeU64(set, sigbit(SIGUSR1) | sigbit(SIGUSR2));
    expect(sys(NR.rt_sigprocmask, 0, set, 0, 8)).toBe(0);          // the leader blocks both; the thread does not
    expect(sys(NR.tgkill, GUEST_PID, t.tid, SIGUSR1)).toBe(0);
    expect(t.signals.pending.mask).toBe(sigbit(SIGUSR1));
    expect(m.task.signals.pendingMask).toBe(0n);
    expect(sys(NR.tgkill, GUEST_PID + 7, t.tid, SIGUSR1)).toBe(-3);  // ESRCH: not in that process
    expect(sys(NR.kill, t.tid, SIGUSR2)).toBe(0);
    expect(m.task.signals.sharedPending.mask).toBe(sigbit(SIGUSR2));
    expect(m.task.signals.hasDeliverable).toBe(false);            // blocked by the leader…
    expect(t.signals.hasDeliverable).toBe(true);                  // …taken by the thread that does not block it
  });

  it("exit ends one thread: its CLEARTID word is cleared and one futex waiter woken; the process goes on", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const t = m.procs.byTid.get(sys(NR.clone, PTHREAD_FLAGS, 0, buf, 0, buf))!;
    expect(m.task.um.readU32(buf)).toBe(t.tid);
    const w = m.procs.futexes.enqueue(m.task, { object: m.task.map, offset: buf }, 0xFFFF_FFFF);
    m.procs.exit(t, TaskTerminated.byThreadExit(0));
    expect(m.task.um.readU32(buf)).toBe(0);
    expect(w.woken).toBe(true);
    expect(t.state).toBe("zombie");
    expect(m.procs.byTid.has(t.tid)).toBe(false);                 // a thread is reaped at once
    expect(m.task.group.dead).toBe(false);
    expect(m.task.group.threads).toEqual([m.task]);
  });

  it("a thread that exits holding robust futexes: each word gets FUTEX_OWNER_DIED and one waiter is woken", () => {
    const buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const t = m.procs.byTid.get(sys(NR.clone, PTHREAD_FLAGS & ~(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID), 0, 0, 0, 0))!;
    const um = m.task.um, head = buf, a = buf + 64, b = buf + 128, c = buf + 192, OFF = 16;
    // head { next = a, futex_offset = 16, list_op_pending = c }; a → b → head; the words sit 16 bytes in.
    um.writeU64(head, BigInt(a)); um.writeU64(head + 8, BigInt(OFF)); um.writeU64(head + 16, BigInt(c));
    um.writeU64(a, BigInt(b)); um.writeU64(b, BigInt(head));
    um.writeU32(a + OFF, (t.tid | 0x8000_0000) >>> 0);     // owned by t, with waiters
    um.writeU32(b + OFF, m.task.tid);                      // owned by another thread: untouched
    um.writeU32(c + OFF, 0);                               // pending and unowned: a waiter is woken
    const q = m.procs.futexes, key = (x: number) => ({ object: m.task.map, offset: x + OFF });
    const wa = q.enqueue(m.task, key(a), 0xFFFF_FFFF);
    t.robustList = head;
    m.procs.exit(t, TaskTerminated.byThreadExit(0));
    expect(um.readU32(a + OFF)).toBe(0xC000_0000);          // FUTEX_WAITERS | FUTEX_OWNER_DIED
    expect(um.readU32(b + OFF)).toBe(m.task.tid);
    expect(wa.woken).toBe(true);
    q.finish(m.task);
    const u = m.procs.byTid.get(sys(NR.clone, PTHREAD_FLAGS & ~(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID), 0, 0, 0, 0))!;
    const wc = q.enqueue(m.task, key(c), 0xFFFF_FFFF);
    um.writeU64(head, BigInt(head));                       // an empty list, c still pending
    u.robustList = head;
    m.procs.exit(u, TaskTerminated.byThreadExit(0));
    expect(wc.woken).toBe(true);
  });

  it("CPU time: the process's clock counts every thread, the thread's clock the caller alone", () => {
    const t = m.procs.byTid.get(sys(NR.clone, PTHREAD_FLAGS & ~(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID), 0, 0, 0, 0))!;
    m.timers.charge(m.task, 3000n);
    m.timers.charge(t, 5000n);
    const ts = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    const clock = (id: number) => { expect(sys(NR.clock_gettime, id, ts)).toBe(0); return m.task.um.readU64(ts + 8)!; };
    runAs(t);
    expect(clock(2)).toBe(8000n);                                 // CLOCK_PROCESS_CPUTIME_ID: 8000 cycles at 1 GHz
    expect(clock(3)).toBe(5000n);                                 // CLOCK_THREAD_CPUTIME_ID
  });

  it("a child process is reaped only when its last thread has exited, with its leader's status", () => {
    const c = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    const th = m.procs.fork(c, { shareMap: true, vfork: false, shareFiles: true, exitSignal: 0, thread: true });
    m.procs.exit(c, TaskTerminated.byThreadExit(3));             // the leader leaves first (pthread_exit in main)
    expect(c.state).toBe("zombie");
    expect(sys(NR.wait4, -1, 0, WNOHANG, 0)).toBe(0);             // not yet: a thread still runs
    m.procs.exit(th, TaskTerminated.byThreadExit(5));
    const status = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    expect(sys(NR.wait4, -1, status, 0, 0)).toBe(c.pid);
    expect(m.task.um.readU32(status)).toBe(3 << 8);
  });

  it("exit_group and fatal signals end every thread; the group's status is the one reported", () => {
    const c = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    const opts = { shareMap: true, vfork: false, shareFiles: true, exitSignal: 0, thread: true };
    const a = m.procs.fork(c, opts), b = m.procs.fork(c, opts);
    m.procs.exit(a, TaskTerminated.byExit(9));
    for (const t of [a, b, c]) expect(t.state).toBe("zombie");
    expect(m.sched.queue).toEqual([m.task]);
    const status = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
    expect(sys(NR.wait4, c.pid, status, 0, 0)).toBe(c.pid);
    expect(m.task.um.readU32(status)).toBe(9 << 8);
    const d = m.procs.byPid.get(sys(NR.clone, SIGCHLD, 0, 0, 0, 0))!;
    const e = m.procs.fork(d, opts);
    m.procs.exit(e, TaskTerminated.bySignal(SIGKILL, "test"));
    expect(d.state).toBe("zombie");
    expect(sys(NR.wait4, d.pid, status, 0, 0)).toBe(d.pid);
    expect(m.task.um.readU32(status)).toBe(SIGKILL);
  });

  it("execve from a thread (de_thread): the others end and it takes the leader's tid", () => {
    const t = m.procs.fork(m.task, { shareMap: true, vfork: false, shareFiles: true, exitSignal: 0, thread: true });
    const u = m.procs.fork(m.task, { shareMap: true, vfork: false, shareFiles: true, exitSignal: 0, thread: true });
    const leader = m.task;
    m.procs.deThread(t);
    expect(u.state).toBe("zombie");
    expect(leader.state).toBe("zombie");
    expect(t.tid).toBe(GUEST_PID);
    expect(m.procs.byPid.get(GUEST_PID)).toBe(t);
    expect(m.procs.byTid.get(GUEST_PID)).toBe(t);
    expect(m.task).toBe(t);
    expect(t.group.threads).toEqual([t]);
    expect(t.group.dead).toBe(false);
  });
});

describe("threaded guests", () => {
  it("give the same output whatever the quantum, and the same counters on the same run", () => {
    const base = runGuest({ path: GUEST("pthread_pc"), args: ["2000", "2", "2", "200"] });
    expect(base.exitCode).toBe(0);
    expect(base.stdout).toBe("items=2000 consumed=2000 sum=2001000 expect=2001000 ok\ncounter=800 expect=800 ok\n");
    expect(base.counters.forks).toBe(4);
    for (const quantum of [2000, 50000]) {
      const r = runGuest({ path: GUEST("pthread_pc"), args: ["2000", "2", "2", "200"], quantum });
      expect(r.stdout, `quantum ${quantum}`).toBe(base.stdout);
    }
    const again = runGuest({ path: GUEST("pthread_pc"), args: ["2000", "2", "2", "200"] });
    expect(again.counters).toEqual(base.counters);
  });

  it("exit_group from one thread ends the process while others spin and sleep in a futex", () => {
    const r = runGuest({ path: GUEST("pthread_exit") });
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toBe("quitter: exit(7) while the others run\n");
    expect(r.counters.task_exits).toBe(4);
  });

  it("a thread switch keeps the address space: no pmap activation between threads of one process", () => {
    // The VAX has no address-space tags: loading a process context (LDPCTX) flushes the process half of its TLB.
    const r = runGuest({ path: GUEST("pthread_sum"), args: ["20000", "4"], arch: "vax", quantum: 5000 });
    expect(r.exitCode).toBe(0);
    expect(r.counters.context_switches).toBeGreaterThan(20);
    expect(r.counters.flushes).toBeLessThan(5);
  });
});

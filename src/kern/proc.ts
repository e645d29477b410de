// The process tree and its threads: clone (a process with fork or vfork semantics, or a thread of the caller's
// process), exit of a thread and of a whole thread group with zombies and reparenting, execve's de_thread, and
// wait4. Pids and tids come from one counter in order from the first task's, so runs are deterministic. Follows Linux kernel/fork.c
// (copy_process flag checks) and kernel/exit.c (do_wait: the oldest eligible zombie is reaped first; orphans
// go to init, which reaps them).

import type { VmMap } from "../vm/vm_map.js";
import type { AddressLayout } from "../loader/layout.js";
import type { PmapMachine } from "../vm/pmap.js";
import { Blocked, type Scheduler } from "./sched.js";
import { EACCES, ECHILD, EINVAL, EPERM, ESRCH } from "../sys/errno.js";
import {
  ERESTARTSYS, NSIG, SA_NOCLDWAIT, SIGCHLD, SIGKILL, SIG_IGN, TaskTerminated, sendSignal, sigKernelCoredump,
} from "./signal.js";
import { RLIMIT_CORE, type TaskUsage, rlimit, usageBoth } from "./resource.js";
import { PAGE_SIZE } from "../vm/vm_prot.js";
import { type CpuContext, GUEST_PID, GUEST_UID, Task, type TaskFiles, type ThreadGroup } from "./task.js";
import { FutexQueues, exitRobustList, futexKey } from "./futex.js";
import { OutOfGuestMemory } from "../vm/phys.js";

/** What the process layer needs from the machine. */
export interface ProcHost {
  readonly machine: PmapMachine;
  /** A new empty address space with its own pmap, for the task that will have `pid`. */
  newMap(pid: number): VmMap;
  /** The registers of the running task, as they are now. */
  snapshotCpu(into: CpuContext): void;
  /** Told of every task that exits, after it has (its timers go). */
  exited?(t: Task): void;
}

export interface ForkOptions {
  shareMap: boolean;       // CLONE_VM (with CLONE_VFORK)
  vfork: boolean;          // CLONE_VFORK
  shareFiles: boolean;     // CLONE_FILES
  exitSignal: number;      // CSIGNAL byte
  /** CLONE_PARENT: the child is the caller's sibling (its parent and exit signal are the caller's). */
  cloneParent?: boolean;
  /** CLONE_THREAD: a new thread of the caller's process (shareMap and shareSighand are then set too). */
  thread?: boolean;
  /** CLONE_SIGHAND: the same signal dispositions. */
  shareSighand?: boolean;
}

/** A reaped child: its pid, wait status, and its usage with its own reaped children's (wait4's rusage). */
export interface WaitResult { pid: number; status: number; usage: TaskUsage }

/** SIGCHLD's si_code: the child exited, was killed by a signal, or was killed and dumped core. */
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

/** The wait status's core-dump bit (WCOREDUMP). */
export const WCOREFLAG = 0x80;

/**
 * The smallest RLIMIT_CORE that lets a dump start: binfmt_elf's min_coredump, ELF_EXEC_PAGESIZE (fs/coredump.c
 * gives up below it, so the bit stays clear; LTP's waitpid01 sets the soft limit to one page to get cores).
 */
const MIN_COREDUMP = PAGE_SIZE;

export const WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;
export const __WNOTHREAD = 0x20000000, __WALL = 0x40000000, __WCLONE = 0x80000000;
const INT_MIN = -0x8000_0000;
const WAIT_OPTIONS = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE;

/** Linux's wait status: exit code in bits 15:8, or the terminating signal in bits 6:0 and WCOREFLAG. */
export function waitStatus(t: TaskTerminated): number {
  return t.signal === 0 ? (t.status & 0xFF) << 8 : (t.signal & 0x7F) | (t.coreDumped ? WCOREFLAG : 0);
}

/**
 * Would Linux dump core for task t killed this way (do_coredump)? A signal whose default action is "core", with
 * RLIMIT_CORE's soft limit at least min_coredump. No core file is written: the dump itself is of no use to a
 * model of the MMU, and what the parent sees (the status bit, CLD_DUMPED) is what programs and tests check. Linux
 * sets the bit only when the dump succeeded, which with a plain core_pattern and a writable working directory
 * (LTP's tests run in one) it does whenever the limit allows it.
 */
function dumpsCore(t: Task, how: TaskTerminated): boolean {
  if (how.coreDumped) return true;
  return how.signal !== 0 && sigKernelCoredump(how.signal) && rlimit(t, RLIMIT_CORE).cur >= BigInt(MIN_COREDUMP);
}

export class ProcessTable {
  private nextPid = GUEST_PID;
  readonly byPid = new Map<number, Task>();   // processes by pid (their leaders), zombies not yet reaped included
  readonly byTid = new Map<number, Task>();   // every task by tid: live threads, and leaders until reaped
  /** The futex wait queues (futex(2), and the CLONE_CHILD_CLEARTID wake of an exiting thread). */
  readonly futexes = new FutexQueues();
  forks = 0;
  exits = 0;
  /** Tasks in wait4 or asleep in another call (checked after every trap while there are any). */
  readonly sleepers = new Set<Task>();
  zombiesReaped = 0;
  private first: Task | undefined;

  constructor(private readonly host: ProcHost, private readonly sched: Scheduler, readonly layout: AddressLayout) {}

  /** sched_yield: the caller's quantum ends at this trap (another runnable task, if any, runs next). */
  yield(): void { this.sched.yieldPending = true; }

  /** The first task, over an empty address space, with its descriptor table. */
  createFirst(map: VmMap, files: TaskFiles): Task {
    const t = new Task(this.nextPid++, map, this.layout, this.host.machine, files);
    this.byPid.set(t.pid, t);
    this.byTid.set(t.tid, t);
    this.sched.add(t);
    this.first = t;
    t.outsideParent = true;
    t.execed = true;   // the program was loaded by an exec: its shell's setpgid on it would be EACCES
    return t;
  }

  /** The first task's process (its status is the run's). */
  get firstGroup(): ThreadGroup { return this.first!.group; }

  /**
   * Makes a child of `parent` (the running task): a new process, with memory by the map's inheritance or shared
   * (CLONE_VM: vfork, or a process sharing memory), or with CLONE_THREAD a new thread of parent's process. Files
   * copied or shared, registers as they are now with a0 = 0 and pc past the ecall. Returns the child.
   */
  fork(parent: Task, o: ForkOptions): Task {
    let map: VmMap;
    if (o.shareMap) {
      map = parent.map;
      map.refCount++;
    } else {
      map = this.host.newMap(this.nextPid);
      parent.map.fork(map);
    }
    const files = o.shareFiles ? parent.files.share() : parent.files.fork();
    const tid = this.nextPid++;
    let child: Task;
    if (o.thread) {
      child = new Task(tid, map, this.layout, this.host.machine, files, parent.group);
      child.signals = parent.signals.share(true);
      child.exitSignal = -1;
    } else {
      child = new Task(tid, map, this.layout, this.host.machine, files);
      child.inheritFrom(parent);
      if (o.shareSighand) child.signals = parent.signals.share(false);
      // copy_process: with CLONE_PARENT, real_parent is the caller's and exit_signal its group leader's.
      const p = o.cloneParent ? parent.parent : parent.group.leader;
      child.parent = p;
      child.exitSignal = o.cloneParent ? parent.group.leader.exitSignal : o.exitSignal;
      if (p) p.children.push(child);
      else child.outsideParent = parent.outsideParent;
      this.byPid.set(child.pid, child);
    }
    this.host.snapshotCpu(child.cpu);   // pc is already past the ecall
    child.cpu.x[10] = 0n;              // the child's clone returns 0
    if (o.vfork) {
      child.vforkParent = parent;
      parent.state = "vfork";
    }
    this.byTid.set(child.tid, child);
    this.sched.add(child);
    this.forks++;
    return child;
  }

  /**
   * Ends t's whole process (exit_group, or a fatal signal: do_group_exit): the status is the group's, t exits
   * first (it is the one on the CPU), then every other thread in creation order, as each would on taking the
   * SIGKILL Linux sends it (zap_other_threads). A group already exiting only loses t.
   */
  exit(t: Task, how: TaskTerminated): void {
    if (t.state === "zombie") return;
    const g = t.group;
    if (how.thread && !g.groupExit) { this.exitThread(t, how); return; }
    if (!g.groupExit) {
      if (dumpsCore(t, how)) how.coreDumped = true;
      g.groupExit = how;
    }
    this.exitThread(t, g.groupExit);
    for (const o of [...g.threads]) this.exitThread(o, g.groupExit);
  }

  /**
   * Ends one thread (do_exit): the robust futexes it holds are marked FUTEX_OWNER_DIED (kern/futex.ts), a
   * CLONE_CHILD_CLEARTID word in memory other tasks still use is cleared and one
   * waiter on it woken (mm_release: how pthread_join learns of the end), its files reference and address-space
   * reference go; a thread other than the leader is released at once (nobody waits for it). The last thread to
   * go ends the process (exitProcess).
   */
  private exitThread(t: Task, how: TaskTerminated): void {
    if (t.state === "zombie") return;
    const g = t.group;
    exitUserAccess(() => exitRobustList(t, this.futexes));   // futex_exit_release, then mm_release's CLEARTID
    if (t.clearChildTid !== 0 && t.map.refCount > 1) {
      const at = t.clearChildTid;
      exitUserAccess(() => {
        if (t.um.writeU32(at, 0)) {
          const key = futexKey(t, at, true);
          if (typeof key !== "number") this.futexes.wake(key, 1, 0xFFFF_FFFF);
        }
      });
    }
    t.clearChildTid = 0;
    this.futexes.finish(t);
    t.files.release();
    t.usage.sampleRss(t.map);
    // The first task's address space outlives it, so the run's final counters (page-table bytes, frames)
    // describe the program that was run; every other task's goes at once, as on Linux.
    if (!(g === this.firstGroup && t.map.refCount === 1)) t.map.deallocate();
    if (t.vforkParent) {
      if (t.vforkParent.state === "vfork") t.vforkParent.state = "run";
      t.vforkParent = null;
    }
    t.state = "zombie";
    t.exit = how;
    this.sleepers.delete(t);
    this.sched.remove(t);
    this.exits++;
    const i = g.threads.indexOf(t);
    if (i >= 0) g.threads.splice(i, 1);
    g.exited.push(t);
    if (!t.isLeader) this.byTid.delete(t.tid);   // release_task: a thread is reaped by itself
    this.host.exited?.(t);
    if (g.dead) this.exitProcess(g.leader, g.groupExit ?? g.leader.exit ?? how);
  }

  /**
   * The last thread of t's process has gone (t is its leader): its children are reparented to init (which reaps
   * zombies at once), and it becomes a zombie for its parent to reap (or is reaped at once without one). The
   * status is the group exit's, else the leader's own (wait_task_zombie).
   */
  private exitProcess(t: Task, how: TaskTerminated): void {
    t.group.exit = how;
    for (const c of t.children) {
      c.parent = null;
      if (c.group.dead) this.release(c);
    }
    t.children.length = 0;
    const p = t.parent;
    if (!p) { this.release(t); return; }
    // Legacy clone does not check its CSIGNAL byte: an exit signal above NSIG is simply never sent (Linux
    // do_notify_parent sends only a valid_signal()).
    if (t.exitSignal > 0 && t.exitSignal <= NSIG) {
      // do_notify_parent: the exit signal with the child's pid and status; SIGCHLD ignored or SA_NOCLDWAIT means
      // nobody will wait, so the child is reaped at once (wait4 then sees ECHILD).
      const killed = how.signal !== 0;
      sendSignal(p, t.exitSignal, {
        code: how.coreDumped ? CLD_DUMPED : killed ? CLD_KILLED : CLD_EXITED, pid: t.pid, uid: GUEST_UID,
        status: killed ? how.signal : how.status & 0xFF,
        detail: `child ${t.pid} ${killed ? "killed" : "exited"}`,
      });
      const act = p.signals.actions[SIGCHLD]!;
      if (t.exitSignal === SIGCHLD && (act.handler === SIG_IGN || (act.flags & SA_NOCLDWAIT))) {
        this.release(t);
        if (!p.children.length) this.wakeWaiters(p.group);
        return;
      }
    }
    this.wakeWaiters(p.group);
  }

  /** Every thread of process g blocked in wait4 (any of them may reap any child of the process). */
  private wakeWaiters(g: ThreadGroup): void {
    for (const th of g.threads) if (th.state === "wait") this.wake(th);
  }

  /**
   * execve's de_thread: every other thread of t's process ends, silently, and if t is not the leader it takes the
   * leader's place and its tid (the process id), the old leader being released.
   */
  deThread(t: Task): void {
    const g = t.group;
    for (const o of [...g.threads]) {
      if (o === t) continue;
      const how = TaskTerminated.bySignal(SIGKILL, "another thread called execve");
      how.thread = true;
      this.exitThread(o, how);
    }
    if (t.isLeader) return;
    const old = g.leader;
    this.byTid.delete(t.tid);
    t.tid = old.tid;
    t.exitSignal = old.exitSignal;
    g.leader = t;
    this.byTid.set(t.tid, t);
    this.byPid.set(t.pid, t);
    const p = g.parent;
    if (p) p.children[p.children.indexOf(old)] = t;
    for (const c of g.children) c.group.parent = t;
    if (this.first === old) this.first = t;
  }

  /**
   * Puts the running task to sleep in a call (throws Blocked; the call is made again when the task is woken):
   * it wakes when `ready` holds or a signal can be delivered to it, and the call then finds the signal and
   * returns -ERESTARTSYS/-EINTR itself. A call that finds a signal already deliverable must not sleep.
   */
  sleep(t: Task, what: string, ready: () => boolean): never {
    t.state = "sleep";
    t.sleepingIn = what;
    t.wakeWhen = ready;
    this.sleepers.add(t);
    throw new Blocked();
  }

  private wake(t: Task): void {
    t.state = "run";
    t.wakeWhen = undefined;
    this.sleepers.delete(t);
  }

  /** Wakes every sleeper whose condition now holds, and every waiting or sleeping task with a signal to take. */
  pollSleepers(): void {
    for (const t of this.sleepers) {
      if (t.signals.hasDeliverable || (t.state === "sleep" && t.wakeWhen?.())) this.wake(t);
    }
  }

  /**
   * Every task is waiting for another one: nobody can ever end the wait. Linux would hang; the run ends as a
   * watchdog would end it, with SIGKILL and one line saying what `t` (the last to block) waits for.
   */
  deadlock(t: Task | undefined): TaskTerminated {
    // The task that last ran may have exited meanwhile: then a sleeper says what is waited for.
    const sleeper = t?.sleepingIn ? t : [...this.sleepers][0] ?? t;
    const what = sleeper?.sleepingIn || "a wait";
    const others = this.sched.queue.length > 1 ? "every task is waiting" : "no other task exists to end the wait";
    return new TaskTerminated(128 + SIGKILL, SIGKILL, `guest killed by SIGKILL: deadlock: ${what} would wait forever (${others})`);
  }

  /** Reaps process t (its leader; every thread has exited): its pid is free again. */
  private release(t: Task): void {
    this.byPid.delete(t.pid);
    this.byTid.delete(t.tid);
    if (t.parent) {
      const i = t.parent.children.indexOf(t);
      if (i >= 0) t.parent.children.splice(i, 1);
      t.parent = null;
    }
    this.zombiesReaped++;
  }

  // Process groups and sessions (kernel/sys.c), kept per thread group; a process is a session
  // leader when its session id is its pid (signal->leader). Zombies keep their group until reaped, as on Linux
  // (the pid's PIDTYPE_PGID link goes in release_task).

  /** setpgid(pid, pgid) made by `caller`: 0 or a negative errno, Linux's checks in Linux's order. */
  setpgid(caller: Task, pid: number, pgid: number): number {
    if (pid === 0) pid = caller.pid;
    if (pgid === 0) pgid = pid;
    if (pgid < 0) return -EINVAL;
    const p = this.byPid.get(pid);
    if (!p) return -ESRCH;
    if (p.parent === caller) {
      if (p.sid !== caller.sid) return -EPERM;   // the child is in another session
      if (p.execed) return -EACCES;  // the child has execed
    } else if (p !== caller) {
      return -ESRCH;    // neither the caller nor its child
    }
    if (p.sid === p.pid) return -EPERM;                        // a session leader stays in its group
    if (pgid !== pid && !this.groupInSession(pgid, caller.sid)) return -EPERM;   // no such group in the caller's session
    p.pgid = pgid;
    return 0;
  }

  /** getpgid / getsid: the group or session of `pid` (0: the caller), or -ESRCH. */
  getpgid(caller: Task, pid: number): number {
    const p = pid === 0 ? caller : this.byPid.get(pid);
    return p ? p.pgid : -ESRCH;
  }

  getsid(caller: Task, pid: number): number {
    const p = pid === 0 ? caller : this.byPid.get(pid);
    return p ? p.sid : -ESRCH;
  }

  /** setsid: a new session and group led by the caller, unless a group with its pid exists (EPERM). */
  setsid(caller: Task): number {
    if (this.groupMembers(caller.pid).length) return -EPERM;
    caller.sid = caller.pgid = caller.pid;
    return caller.pid;
  }

  /** The tasks (zombies included) of process group `pgid`. */
  groupMembers(pgid: number): Task[] {
    return [...this.byPid.values()].filter((t) => t.pgid === pgid);
  }

  private groupInSession(pgid: number, sid: number): boolean {
    for (const t of this.byPid.values()) if (t.pgid === pgid && t.sid === sid) return true;
    return false;
  }

  /**
   * wait4's search: a negative errno, 0 (WNOHANG and nothing to report), or the reaped child. Throws Blocked
   * (the task is marked waiting) when children may still exit.
   */
  wait(t: Task, pid: number, options: number): WaitResult | number {
    if ((options >>> 0) & ~WAIT_OPTIONS) return -EINVAL;
    if (pid === INT_MIN) return -ESRCH;                  // kernel_wait4: -INT_MIN is not defined
    const all = (options & __WALL) !== 0, clone = (options & __WCLONE) !== 0;
    // pid > 0: that child; -1: any; 0: the caller's process group (as it is now); < -1: group -pid.
    const pgid = pid === 0 ? t.pgid : -pid;
    const eligible = t.children.filter((c) =>
      (pid > 0 ? c.pid === pid : pid === -1 || c.pgid === pgid) &&
      (all || (c.exitSignal !== SIGCHLD) === clone));
    if (eligible.length === 0) return -ECHILD;
    // A process is a zombie once its last thread has exited (a leader gone before its threads is not yet).
    const z = eligible.find((c) => c.group.dead);
    if (z) {
      this.release(z);
      // wait_task_zombie: the child's figures (every thread's) and its children's go to RUSAGE_CHILDREN.
      const usage = usageBoth(z.groupUsage(0n), z.childUsage);
      t.childUsage.addChild(usage);
      return { pid: z.pid, status: waitStatus(z.group.exit!), usage };
    }
    if (options & WNOHANG) return 0;
    if (t.signals.hasDeliverable) return -ERESTARTSYS;   // a handler runs first; SA_RESTART makes the call again
    t.state = "wait";
    t.sleepingIn = "wait4";
    this.sleepers.add(t);
    throw new Blocked();
  }
}

/**
 * The user memory a task's exit touches (its robust list, its clear_child_tid word) may need a frame there is none
 * of — the task may be dying of exactly that. As when get_user/put_user fail in Linux's exit path, the access is
 * given up and the exit goes on (found by the syscall fuzzer: seed 600 input 7283, an internal error).
 */
function exitUserAccess(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof OutOfGuestMemory)) throw e;
  }
}

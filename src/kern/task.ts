// A task in Linux's sense (task_struct): one thread — its saved CPU state, tid, signal mask and pending signals,
// alternate stack, TLS pointer (in its registers), clear_child_tid — with the address space (vm_map + pmap), files
// and signal dispositions it may share with other tasks. The threads of one process (Mach's task, Linux's thread
// group) share a ThreadGroup: the process id, its place in the process tree, and the per-process state the BSD
// layer keeps (program break, identity, resource limits, process-directed signals). A process that never calls
// clone with CLONE_THREAD is one task in a group of its own.

import type { AddressLayout } from "../loader/layout.js";
import type { Pmap, PmapMachine } from "../vm/pmap.js";
import { SignalState } from "./signal.js";
import type { VmMap } from "../vm/vm_map.js";
import { UserMemory } from "../vm/uaccess.js";
import type { TaskTerminated } from "./signal.js";
import { TaskUsage } from "./resource.js";

/** Fixed identities so runs are deterministic: the first task's pid, its parent's, and the user. */
export const GUEST_PID = 1000;
export const GUEST_PPID = 999;
export const GUEST_UID = 1000;
export const GUEST_GID = 1000;
/** The pid orphans are reparented to (init, which reaps them). */
export const INIT_PID = 1;

/**
 * What the kernel knows of a task's open files: the BSD layer's descriptor table (bsd/files.ts) is attached to
 * each task as this, the way a Mach task carries the BSD server's per-process state without knowing its shape.
 */
export interface TaskFiles {
  /** A copy for a fork child: the same open file descriptions under the same numbers. */
  fork(): TaskFiles;
  /** Another reference to this very table, for a CLONE_FILES child (Linux: files_struct's count). */
  share(): TaskFiles;
  /** Drops the exiting task's reference; the last one closes every descriptor (put_files_struct). */
  release(): void;
  /** Closes every descriptor marked close-on-exec (execve). */
  closeOnExec(): void;
  /** This table if no other task shares it, else the caller's own copy (its reference to the shared one dropped). */
  unshare(): TaskFiles;
}

export interface RLimit { cur: bigint; max: bigint }
export const RLIM_INFINITY = (1n << 64n) - 1n;

/** The registers a context switch saves and restores (the LR reservation is cleared instead). */
export class CpuContext {
  readonly x = new BigUint64Array(32);   // x0..x31 (x0 unused)
  readonly f = new BigUint64Array(32);   // f0..f31, raw 64-bit images
  fcsr = 0;
  pc = 0n;

  copyFrom(o: CpuContext): void { this.x.set(o.x); this.f.set(o.f); this.fcsr = o.fcsr; this.pc = o.pc; }
}

/**
 * A thread group (Linux signal_struct with the process-wide fields of task_struct's group leader): what every
 * thread of one process shares. `threads` are its live threads; the group ends when the last one exits, and its
 * leader (the thread whose tid is the process id) stays a zombie until then and until its parent reaps it.
 */
export class ThreadGroup {
  leader: Task;
  readonly threads: Task[] = [];         // live threads, in creation order
  parent: Task | null = null;            // the parent process's leader; null: outside the machine, or an orphan
  readonly children: Task[] = [];        // child processes' leaders, in creation order (the oldest zombie first)
  outsideParent = false;                 // its parent is the shell outside the machine
  /** exit_group or a fatal signal ended it (SIGNAL_GROUP_EXIT): the status every thread exits with. */
  groupExit: TaskTerminated | undefined;
  /** How the process ended, once its last thread has (the wait status comes from here). */
  exit: TaskTerminated | undefined;
  brkStart = 0;                          // start of the heap (page after the highest segment)
  brk = 0;                               // current program break (not page aligned)
  exePath = "";                          // what /proc/self/exe resolves to
  rlimits = new Map<number, RLimit>();
  pgid: number;                          // process group and session (kern/proc.ts setpgid, setsid)
  sid: number;
  /** Has the process execed since it was forked (Linux: PF_FORKNOEXEC clear)? setpgid on it is EACCES. */
  execed = false;
  childUsage = new TaskUsage();          // RUSAGE_CHILDREN: the children it reaped, and theirs
  /** Its threads that have exited (their usage counts in the process's: getrusage RUSAGE_SELF, wait4). */
  readonly exited: Task[] = [];
  personality = 0;                       // personality(2): PER_LINUX and flags such as UNAME26; fork inherits it

  constructor(readonly tgid: number, leader: Task) {
    this.leader = leader;
    this.pgid = tgid;
    this.sid = tgid;
  }

  /** Every thread has exited. */
  get dead(): boolean { return this.threads.length === 0; }
}

/**
 * run: may be scheduled; wait: blocked in wait4; sleep: blocked in another call until `wakeWhen` holds (a pipe,
 * rt_sigsuspend); vfork: suspended until its vfork child execs or exits.
 */
export type TaskState = "run" | "wait" | "sleep" | "vfork" | "zombie";

export class Task {
  tid: number;                          // the thread id; the leader's is the process id (execve's de_thread may
                                        // give a thread the leader's)
  readonly group: ThreadGroup;
  map: VmMap;                           // replaced by execve (replaceMap)
  um: UserMemory;                       // user-memory access through `map`
  files: TaskFiles;
  readonly cpu = new CpuContext();
  state: TaskState = "run";
  exitSignal = 17;                      // signal sent to the parent at exit (clone's CSIGNAL byte; SIGCHLD);
                                        // -1 for a thread, which nobody waits for
  vforkParent: Task | null = null;      // parent suspended until this child exits
  exit: TaskTerminated | undefined;     // how a zombie ended
  sleepingIn = "";                      // what a waiting or sleeping task waits for (for a deadlock's message)
  wakeWhen: (() => boolean) | undefined;// a sleeping task becomes runnable when this holds (or a signal comes)
  restartCall = false;                  // woken from a sleep: its pc is the ecall of the call it makes again
  restartBlock: (() => number) | undefined; // what restart_syscall does after -ERESTART_RESTARTBLOCK (Linux
                                        // current->restart_block.fn); undefined: do_no_restart_syscall (EINTR)
  clearChildTid = 0;            // set_tid_address, CLONE_CHILD_CLEARTID
  robustList = 0;               // set_robust_list head
  signals: SignalState;         // mask, pending, alternate stack; dispositions and the process queue shared
  usage = new TaskUsage();               // getrusage(RUSAGE_THREAD); a fork child starts from zero

  /** A new task: the leader of a new process with tid as its pid, or a thread of `group`. */
  constructor(tid: number, map: VmMap, readonly layout: AddressLayout, private readonly machine: PmapMachine,
              files: TaskFiles, group?: ThreadGroup) {
    this.tid = tid;
    this.group = group ?? new ThreadGroup(tid, this);
    this.group.threads.push(this);
    this.signals = new SignalState();
    this.files = files;
    this.map = map;
    this.um = new UserMemory(map, machine);
  }

  /** The process id (getpid): the thread group's. */
  get pid(): number { return this.group.tgid; }

  /** Is this the thread group's leader? */
  get isLeader(): boolean { return this.group.leader === this; }

  // The process-wide state, kept in the thread group and reached through any of its threads.
  get parent(): Task | null { return this.group.parent; }
  set parent(p: Task | null) { this.group.parent = p; }
  get children(): Task[] { return this.group.children; }
  get outsideParent(): boolean { return this.group.outsideParent; }
  set outsideParent(v: boolean) { this.group.outsideParent = v; }
  get brkStart(): number { return this.group.brkStart; }
  set brkStart(v: number) { this.group.brkStart = v; }
  get brk(): number { return this.group.brk; }
  set brk(v: number) { this.group.brk = v; }
  get exePath(): string { return this.group.exePath; }
  set exePath(v: string) { this.group.exePath = v; }
  get rlimits(): Map<number, RLimit> { return this.group.rlimits; }
  set rlimits(v: Map<number, RLimit>) { this.group.rlimits = v; }
  get pgid(): number { return this.group.pgid; }
  set pgid(v: number) { this.group.pgid = v; }
  get sid(): number { return this.group.sid; }
  set sid(v: number) { this.group.sid = v; }
  get execed(): boolean { return this.group.execed; }
  set execed(v: boolean) { this.group.execed = v; }
  get childUsage(): TaskUsage { return this.group.childUsage; }
  set childUsage(v: TaskUsage) { this.group.childUsage = v; }
  get personality(): number { return this.group.personality; }
  set personality(v: number) { this.group.personality = v; }

  /** Gives the task a new address space (execve); the caller lets go of the old one. */
  replaceMap(map: VmMap): void {
    this.map = map;
    this.um = new UserMemory(map, this.machine);
  }

  get pmap(): Pmap { return this.map.pmap; }

  /** The process's usage as of `now`: every thread's, those that have exited included (RUSAGE_SELF). */
  groupUsage(now: bigint): TaskUsage {
    const u = new TaskUsage();
    for (const t of [...this.group.exited, ...this.group.threads]) {
      u.addChild(t.usage);
      u.cpuCycles = u.cpuCycles - t.usage.cpuCycles + t.usage.cpuAt(now);
    }
    return u;
  }

  /** The parent pid getppid reports. */
  get ppid(): number { return this.parent ? this.parent.pid : this.outsideParent ? GUEST_PPID : INIT_PID; }

  /** Copies what a fork child inherits besides memory, registers and files (Linux copy_process). */
  inheritFrom(p: Task): void {
    this.brkStart = p.brkStart;
    this.brk = p.brk;
    this.exePath = p.exePath;
    this.signals = p.signals.fork();   // handlers, mask, alternate stack; nothing pending (Linux)
    this.rlimits = new Map(p.rlimits);
    this.pgid = p.pgid;
    this.sid = p.sid;
    this.personality = p.personality;
  }
}

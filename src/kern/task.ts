// A task: one address space (vm_map + pmap), the saved CPU state of its one thread, its place in the process
// tree, and the per-process state the BSD layer keeps for it (program break, file descriptors, identity, signal
// dispositions, resource limits).

import type { AddressLayout } from "../loader/layout.js";
import type { Pmap, PmapMachine } from "../vm/pmap.js";
import { SignalState } from "./signal.js";
import type { VmMap } from "../vm/vm_map.js";
import { UserMemory } from "../vm/uaccess.js";
import type { TaskTerminated } from "./signal.js";

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
  /** Closes every descriptor (exit). */
  closeAll(): void;
  /** Closes every descriptor marked close-on-exec (execve). */
  closeOnExec(): void;
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
 * run: may be scheduled; wait: blocked in wait4; sleep: blocked in another call until `wakeWhen` holds (a pipe,
 * rt_sigsuspend); vfork: suspended until its vfork child execs or exits.
 */
export type TaskState = "run" | "wait" | "sleep" | "vfork" | "zombie";

export class Task {
  readonly tid: number;
  map: VmMap;                           // replaced by execve (replaceMap)
  um: UserMemory;                       // user-memory access through `map`
  files: TaskFiles;
  readonly cpu = new CpuContext();
  state: TaskState = "run";
  parent: Task | null = null;           // null: the first task (parent outside the machine) or an orphan
  readonly children: Task[] = [];       // in creation order (Linux reaps the oldest zombie first)
  exitSignal = 17;                      // signal sent to the parent at exit (clone's CSIGNAL byte; SIGCHLD)
  vforkParent: Task | null = null;      // parent suspended until this child exits
  exit: TaskTerminated | undefined;     // how a zombie ended
  sleepingIn = "";                      // what a waiting or sleeping task waits for (for a deadlock's message)
  wakeWhen: (() => boolean) | undefined;// a sleeping task becomes runnable when this holds (or a signal comes)
  restartCall = false;                  // woken from a sleep: its pc is the ecall of the call it makes again
  brkStart = 0;                 // start of the heap (page after the highest segment)
  brk = 0;                      // current program break (not page aligned)
  exePath = "";                 // what /proc/self/exe resolves to
  clearChildTid = 0;            // set_tid_address
  robustList = 0;               // set_robust_list head
  signals = new SignalState();            // dispositions, mask, pending signals, alternate stack (fork: .fork())
  rlimits = new Map<number, RLimit>();
  pgid: number;                 // process group and session (fork inherits them; kern/proc.ts setpgid, setsid)
  sid: number;
  /** Has the task execed since it was forked (Linux: PF_FORKNOEXEC clear)? setpgid on such a child is EACCES. */
  execed = false;

  constructor(readonly pid: number, map: VmMap, readonly layout: AddressLayout, private readonly machine: PmapMachine,
              files: TaskFiles) {
    this.tid = pid;
    this.pgid = pid;
    this.sid = pid;
    this.files = files;
    this.map = map;
    this.um = new UserMemory(map, machine);
  }

  /** Gives the task a new address space (execve); the caller lets go of the old one. */
  replaceMap(map: VmMap): void {
    this.map = map;
    this.um = new UserMemory(map, this.machine);
  }

  get pmap(): Pmap { return this.map.pmap; }

  /** The parent pid getppid reports. */
  get ppid(): number { return this.parent ? this.parent.pid : this.pid === GUEST_PID ? GUEST_PPID : INIT_PID; }

  /** Copies what a fork child inherits besides memory, registers and files (Linux copy_process). */
  inheritFrom(p: Task): void {
    this.brkStart = p.brkStart;
    this.brk = p.brk;
    this.exePath = p.exePath;
    this.signals = p.signals.fork();   // handlers, mask, alternate stack; nothing pending (Linux)
    this.rlimits = new Map(p.rlimits);
    this.pgid = p.pgid;
    this.sid = p.sid;
  }
}

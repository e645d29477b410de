// The process tree: fork (clone with fork or vfork semantics), exit with zombies and reparenting, and wait4.
// Pids are handed out in order from the first task's, so runs are deterministic. Follows Linux kernel/fork.c
// (copy_process flag checks) and kernel/exit.c (do_wait: the oldest eligible zombie is reaped first; orphans
// go to init, which reaps them).

import type { VmMap } from "../vm/vm_map.js";
import type { AddressLayout } from "../loader/layout.js";
import type { PmapMachine } from "../pmap/pmap.js";
import { Blocked, type Scheduler } from "./sched.js";
import { SIGCHLD, type TaskTerminated } from "./signal.js";
import { type CpuContext, GUEST_PID, Task } from "./task.js";

/** What the process layer needs from the machine. */
export interface ProcHost {
  readonly machine: PmapMachine;
  /** A new empty address space with its own pmap. */
  newMap(): VmMap;
  /** The registers of the running task, as they are now. */
  snapshotCpu(into: CpuContext): void;
}

export interface ForkOptions {
  shareMap: boolean;       // CLONE_VM (with CLONE_VFORK)
  vfork: boolean;          // CLONE_VFORK
  shareFiles: boolean;     // CLONE_FILES
  exitSignal: number;      // CSIGNAL byte
}

export interface WaitResult { pid: number; status: number }

export const WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;
export const __WNOTHREAD = 0x20000000, __WALL = 0x40000000, __WCLONE = 0x80000000;
const WAIT_OPTIONS = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE;

/** Linux's wait status: exit code in bits 15:8, or the terminating signal in bits 6:0 (no core dumps here). */
export function waitStatus(t: TaskTerminated): number {
  return t.signal === 0 ? (t.status & 0xFF) << 8 : t.signal & 0x7F;
}

export class ProcessTable {
  private nextPid = GUEST_PID;
  readonly byPid = new Map<number, Task>();   // live tasks and zombies not yet reaped
  forks = 0;
  exits = 0;
  zombiesReaped = 0;
  private first: Task | undefined;

  constructor(private readonly host: ProcHost, private readonly sched: Scheduler, readonly layout: AddressLayout) {}

  /** sched_yield: the caller's quantum ends at this trap (another runnable task, if any, runs next). */
  yield(): void { this.sched.yieldPending = true; }

  /** The first task, over an empty address space. */
  createFirst(map: VmMap): Task {
    const t = new Task(this.nextPid++, map, this.layout, this.host.machine);
    this.byPid.set(t.pid, t);
    this.sched.add(t);
    this.first = t;
    return t;
  }

  /**
   * Makes a child of `parent` (the running task): memory by the map's inheritance or shared for vfork, files
   * copied (or shared), registers as they are now with a0 = 0 and pc past the ecall. Returns the child.
   */
  fork(parent: Task, o: ForkOptions): Task {
    let map: VmMap;
    if (o.shareMap) {
      map = parent.map;
      map.refCount++;
    } else {
      map = this.host.newMap();
      parent.map.fork(map);
    }
    const child = new Task(this.nextPid++, map, this.layout, this.host.machine);
    child.inheritFrom(parent);
    if (o.shareFiles) child.files = parent.files;
    child.parent = parent;
    child.exitSignal = o.exitSignal;
    parent.children.push(child);
    this.host.snapshotCpu(child.cpu);
    child.cpu.x[10] = 0n;              // the child's clone returns 0
    child.cpu.pc += 4n;                // past the ecall
    if (o.vfork) {
      child.vforkParent = parent;
      parent.state = "vfork";
    }
    this.byPid.set(child.pid, child);
    this.sched.add(child);
    this.forks++;
    return child;
  }

  /**
   * Ends task t: its memory and files go, its children are reparented to init (which reaps zombies at once), a
   * vfork parent resumes, and it becomes a zombie for its parent to reap (or is reaped at once without one).
   */
  exit(t: Task, how: TaskTerminated): void {
    if (t.state === "zombie") return;
    if (t.clearChildTid !== 0 && t.map.refCount > 1) t.um.writeU32(t.clearChildTid, 0);
    t.files.closeAll();
    // The first task's address space outlives it, so the run's final counters (page-table bytes, frames)
    // describe the program that was run; every other task's goes at once, as on Linux.
    if (t !== this.first) t.map.deallocate();
    for (const c of t.children) {
      c.parent = null;
      if (c.state === "zombie") this.release(c);
    }
    t.children.length = 0;
    if (t.vforkParent) {
      if (t.vforkParent.state === "vfork") t.vforkParent.state = "run";
      t.vforkParent = null;
    }
    t.state = "zombie";
    t.exit = how;
    this.sched.remove(t);
    this.exits++;
    const p = t.parent;
    if (!p) { this.release(t); return; }
    if (p.state === "wait") p.state = "run";
  }

  private release(t: Task): void {
    this.byPid.delete(t.pid);
    if (t.parent) {
      const i = t.parent.children.indexOf(t);
      if (i >= 0) t.parent.children.splice(i, 1);
      t.parent = null;
    }
    this.zombiesReaped++;
  }

  /**
   * wait4's search: a negative errno, 0 (WNOHANG and nothing to report), or the reaped child. Throws Blocked
   * (the task is marked waiting) when children may still exit.
   */
  wait(t: Task, pid: number, options: number): WaitResult | number {
    if ((options >>> 0) & ~WAIT_OPTIONS) return -22;   // EINVAL
    const all = (options & __WALL) !== 0, clone = (options & __WCLONE) !== 0;
    const eligible = t.children.filter((c) =>
      (pid > 0 ? c.pid === pid : pid < -1 ? -pid === GUEST_PID : true) &&
      (all || (c.exitSignal !== SIGCHLD) === clone));
    if (eligible.length === 0) return -10;             // ECHILD
    const z = eligible.find((c) => c.state === "zombie");
    if (z) {
      this.release(z);
      return { pid: z.pid, status: waitStatus(z.exit!) };
    }
    if (options & WNOHANG) return 0;
    t.state = "wait";
    throw new Blocked();
  }
}

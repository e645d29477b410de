// Round-robin scheduling of tasks on the one emulated CPU. Every thread of every process is a task of its own
// here, as in Linux: a task runs until it blocks (wait4, a futex, a pipe, nanosleep…), exits, yields, or has used
// its quantum of emulated cycles; then the next runnable task in creation order (pids and tids come from one
// counter) gets the CPU. Nothing depends on the host's timing, so the interleaving of threads is reproducible. The switch itself
// (saving and loading registers, clearing the LR reservation, activating the next pmap) is the machine's; this
// module decides who runs and keeps the run queue.

import type { Task } from "./task.js";

/**
 * Default quantum in emulated cycles: 1 ms at 1 GHz, close to Linux CFS's minimum granularity (0.75–3 ms) on
 * the clocks these machines model.
 */
export const DEFAULT_QUANTUM = 1_000_000;

// The cycles charged per context switch are each machine's costs.contextSwitch (src/arch/<machine>/<arch>.json).

/** Thrown by a system call that must wait (wait4 without a zombie child): it is re-executed once woken. */
export class Blocked extends Error {
  override name = "Blocked";
}

export class Scheduler {
  /** Tasks that are not zombies, in creation order: the round-robin order. */
  readonly queue: Task[] = [];
  current: Task | undefined;
  switches = 0;
  yieldPending = false;          // sched_yield: the running task gives up the rest of its quantum

  constructor(readonly quantum: number) {}

  add(t: Task): void { this.queue.push(t); }

  remove(t: Task): void {
    const i = this.queue.indexOf(t);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** The next runnable task after `from` in round-robin order (from itself last), or undefined. */
  next(from: Task | undefined): Task | undefined {
    const n = this.queue.length;
    if (n === 0) return undefined;
    const at = from ? this.queue.indexOf(from) : -1;
    for (let k = 1; k <= n; k++) {
      const t = this.queue[(((at + k) % n) + n) % n]!;
      if (t.state === "run") return t;
    }
    return undefined;
  }

  /** Whether another task than `t` could run. */
  othersRunnable(t: Task): boolean { return this.queue.some((o) => o !== t && o.state === "run"); }
}

// The kernel's timers: deadlines on the emulated clock (Linux kernel/time/hrtimer.c in spirit), the interval
// timers of setitimer (kernel/time/itimer.c), and the timeouts of calls that sleep (nanosleep, ppoll, futex).
//
// The clock is the machine's cycle count at the nominal frequency (machine/costs.ts NOMINAL_HZ) plus the idle
// cycles: when every task sleeps and a deadline exists, the CPU idles and time jumps to the earliest deadline, as
// a real kernel's idle loop would wait for the next timer interrupt. Idle cycles are time, not work: they are kept
// in their own counter (idle_cycles) and are not part of the machine's cycle count (the `cycles` counter, the
// cycle CSRs), so a guest that sleeps costs what its instructions cost. The clock of every clock_gettime clock is
// therefore cycles + idle cycles. Everything here is ordered by (deadline, creation order): runs stay deterministic.

import { NOMINAL_HZ } from "../machine/costs.js";
import type { ProcessTable } from "./proc.js";
import { SI_KERNEL, SIGALRM, SIGPROF, SIGVTALRM, sendSignal } from "./signal.js";
import type { Task, ThreadGroup } from "./task.js";

const NS_PER_S = 1_000_000_000n;
const HZ = BigInt(NOMINAL_HZ);

/** Clock cycles for a duration in nanoseconds, rounded up (a timer never fires early). */
export function nsToCycles(ns: bigint): bigint { return (ns * HZ + NS_PER_S - 1n) / NS_PER_S; }
/** Nanoseconds for a number of clock cycles, rounded down. */
export function cyclesToNs(c: bigint): bigint { return (c * NS_PER_S) / HZ; }

/** One deadline on the clock; `periodic` marks an interval timer's reload (see Timers.idle). */
export interface TimerEvent {
  readonly deadline: bigint;
  readonly seq: number;
  readonly periodic: boolean;
  cancelled: boolean;
  fire(): void;
}

export const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;

/** One interval timer of a process: its reload and, while armed, when it expires. */
interface ITimer {
  interval: bigint;              // cycles; 0: one-shot
  expires: bigint;               // clock cycles (REAL) or the task's CPU cycles (VIRTUAL, PROF); 0: disarmed
  event?: TimerEvent;            // ITIMER_REAL's event on the clock
}

/** An itimer's value as getitimer reports it, in nanoseconds. */
export interface ITimerValue { interval: bigint; value: bigint }

const ITIMER_SIGNALS = [SIGALRM, SIGVTALRM, SIGPROF];

export class Timers {
  idleCycles = 0n;                                    // clock cycles spent idle (every task asleep)
  private readonly events: TimerEvent[] = [];         // pending, sorted by (deadline, seq)
  private seq = 0;
  private readonly itimers = new Map<ThreadGroup, ITimer[]>();   // per process (signal_struct)
  private readonly cpu = new Map<ThreadGroup, bigint>();   // CPU cycles each process has used (all threads)
  private readonly threadCpu = new Map<Task, bigint>();     // and each thread
  private readonly timeouts = new Map<Task, { deadline: bigint; event: TimerEvent }>();
  private idleWithoutWake = 0;                        // idle jumps in a row that woke nobody

  /** `cycles` reads the machine's cycle count (instructions plus charged cycles). */
  constructor(private readonly cycles: () => bigint) {}

  /** The clock: cycles since boot, idle time included. */
  now(): bigint { return this.cycles() + this.idleCycles; }

  /** The machine's cycle count, idle time excluded: what CPU-time accounting (kern/resource.ts) counts in. */
  busyCycles(): bigint { return this.cycles(); }

  /** Arms a deadline; `fire` runs once the clock reaches it (from the run loop, between instructions). */
  at(deadline: bigint, fire: () => void, periodic = false): TimerEvent {
    const ev: TimerEvent = { deadline, seq: this.seq++, periodic, cancelled: false, fire };
    let i = this.events.length;
    while (i > 0 && this.events[i - 1]!.deadline > deadline) i--;
    this.events.splice(i, 0, ev);
    return ev;
  }

  cancel(ev: TimerEvent | undefined): void {
    if (!ev || ev.cancelled) return;
    ev.cancelled = true;
    const i = this.events.indexOf(ev);
    if (i >= 0) this.events.splice(i, 1);
  }

  /** The earliest pending deadline, or undefined. */
  get nextDeadline(): bigint | undefined { return this.events[0]?.deadline; }

  /** Fires every event whose deadline has passed, earliest first; returns how many fired. */
  expire(): number {
    const now = this.now();
    let n = 0;
    while (this.events.length > 0 && this.events[0]!.deadline <= now) {
      const ev = this.events.shift()!;
      ev.cancelled = true;
      ev.fire();
      n++;
    }
    return n;
  }

  /**
   * Every task sleeps: the CPU idles until the earliest deadline, which then fires. Returns false when nothing can
   * end the idle (no deadline, or only interval timers that have each fired since the last wake-up without waking
   * anyone: their signals are blocked or ignored and firing again changes nothing) — the sleep would last forever.
   */
  idle(): boolean {
    const d = this.nextDeadline;
    if (d === undefined) return false;
    if (this.events.every((e) => e.periodic) && this.idleWithoutWake > this.events.length) return false;
    const now = this.now();
    if (d > now) this.idleCycles += d - now;
    this.idleWithoutWake++;
    this.expire();
    return true;
  }

  /** A task became runnable (the run loop tells): idle jumps are counted again from zero. */
  woke(): void { this.idleWithoutWake = 0; }

  // --- CPU time of tasks (ITIMER_VIRTUAL, ITIMER_PROF) ---

  /** CPU cycles task t's process has used (every thread's). */
  cpuOf(t: Task): bigint { return this.cpu.get(t.group) ?? 0n; }

  /** CPU cycles task t itself has used (CLOCK_THREAD_CPUTIME_ID). */
  threadCpuOf(t: Task): bigint { return this.threadCpu.get(t) ?? 0n; }

  /**
   * Charges `cycles` of CPU to t (the run loop, after each slice of it). Every cycle counts as user time for
   * ITIMER_VIRTUAL and as process time for ITIMER_PROF: the kernel's own work (traps, faults) is charged in the
   * same cycle count and is not told apart.
   */
  charge(t: Task, cycles: bigint): void {
    if (cycles <= 0n) return;
    const used = this.cpuOf(t) + cycles;
    this.cpu.set(t.group, used);
    this.threadCpu.set(t, this.threadCpuOf(t) + cycles);
    const its = this.itimers.get(t.group);
    if (!its) return;
    for (const which of [ITIMER_VIRTUAL, ITIMER_PROF]) {
      const it = its[which]!;
      if (it.expires === 0n || used < it.expires) continue;
      // Linux check_cpu_itimer: reload from the expiry, or disarm; then the signal.
      it.expires = it.interval > 0n ? it.expires + it.interval * ((used - it.expires) / it.interval + 1n) : 0n;
      this.signal(t, which);
    }
  }

  /** CPU cycles t may still run before one of its CPU itimers expires, or undefined. */
  cpuBudget(t: Task): bigint | undefined {
    const its = this.itimers.get(t.group);
    if (!its) return undefined;
    let left: bigint | undefined;
    for (const which of [ITIMER_VIRTUAL, ITIMER_PROF]) {
      const e = its[which]!.expires;
      if (e === 0n) continue;
      const l = e - this.cpuOf(t);
      if (left === undefined || l < left) left = l;
    }
    return left;
  }

  // --- interval timers (setitimer, getitimer, alarm) ---

  private itimersOf(t: Task): ITimer[] {
    let its = this.itimers.get(t.group);
    if (!its) {
      its = [0, 1, 2].map(() => ({ interval: 0n, expires: 0n }));
      this.itimers.set(t.group, its);
    }
    return its;
  }

  private signal(t: Task, which: number): void {
    if (t.group.dead) return;
    sendSignal(t.group.leader, ITIMER_SIGNALS[which]!, { code: SI_KERNEL, detail: `sent by the kernel: ${["ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"][which]} expired` });
  }

  /** getitimer: the interval and the time left (nanoseconds) of t's timer `which` (0..2). */
  getitimer(t: Task, which: number): ITimerValue {
    const it = this.itimers.get(t.group)?.[which];
    if (!it || it.expires === 0n) return { interval: cyclesToNs(it?.interval ?? 0n), value: 0n };
    const now = which === ITIMER_REAL ? this.now() : this.cpuOf(t);
    let left = cyclesToNs(it.expires - now);
    // itimer_get_remtime: an armed timer whose expiry is being processed reports a tiny positive value.
    if (left <= 0n) left = 1000n;
    return { interval: cyclesToNs(it.interval), value: left };
  }

  /** setitimer: arms (value > 0) or disarms t's timer `which`; returns the old setting. Values in ns. */
  setitimer(t: Task, which: number, v: ITimerValue): ITimerValue {
    const old = this.getitimer(t, which);
    const it = this.itimersOf(t)[which]!;
    this.cancel(it.event);
    it.event = undefined;
    it.interval = nsToCycles(v.interval);
    if (v.value === 0n) { it.expires = 0n; return old; }
    const start = which === ITIMER_REAL ? this.now() : this.cpuOf(t);
    it.expires = start + nsToCycles(v.value);
    if (which === ITIMER_REAL) this.armReal(t, it);
    return old;
  }

  /** ITIMER_REAL's expiry (it_real_fn): SIGALRM to the process, and the reload a period after the expiry. */
  private armReal(t: Task, it: ITimer): void {
    it.event = this.at(it.expires, () => {
      this.signal(t, ITIMER_REAL);
      if (it.interval === 0n) { it.expires = 0n; it.event = undefined; return; }
      const now = this.now();
      // hrtimer_forward: the next period after now, skipping the ones missed.
      it.expires += it.interval * ((now - it.expires) / it.interval + 1n);
      this.armReal(t, it);
    }, it.interval > 0n);
  }

  // --- timeouts of sleeping calls ---

  /**
   * The deadline of t's call in progress: the one it slept with if it is making its call again after a wake-up
   * (a sleeping call is made again from the start), else `fresh()` for a call made for the first time.
   */
  deadlineOf(t: Task, fresh: () => bigint): bigint { return this.timeouts.get(t)?.deadline ?? fresh(); }

  /** Whether t is making again a call that slept with a timeout. */
  inTimedSleep(t: Task): boolean { return this.timeouts.has(t); }

  /**
   * Puts t to sleep in its call until `ready` holds, a signal can be delivered, or the clock reaches `deadline`
   * (undefined: no timeout). Throws Blocked, as ProcessTable.sleep.
   */
  sleep(procs: ProcessTable, t: Task, what: string, deadline: bigint | undefined, ready: () => boolean): never {
    if (deadline === undefined) return procs.sleep(t, what, ready);
    if (this.timeouts.get(t)?.deadline !== deadline) {
      this.cancel(this.timeouts.get(t)?.event);
      // Waking is the run loop's: once the clock reaches the deadline, the sleeper's condition holds.
      this.timeouts.set(t, { deadline, event: this.at(deadline, () => {}) });
    }
    return procs.sleep(t, what, () => ready() || this.now() >= deadline);
  }

  /** t's system call has returned (or t is gone): its timeout, if any, is forgotten. */
  callDone(t: Task): void {
    const s = this.timeouts.get(t);
    if (!s) return;
    this.cancel(s.event);
    this.timeouts.delete(t);
  }

  /** t has exited: its timeout goes, and with its process's last thread the interval timers (CPU time is kept). */
  exit(t: Task): void {
    this.callDone(t);
    this.threadCpu.delete(t);
    if (!t.group.dead) return;
    const its = this.itimers.get(t.group);
    if (its) for (const it of its) this.cancel(it.event);
    this.itimers.delete(t.group);
  }
}

// The run loop: runs the hot path in chunks and takes each trap (kern/trap.ts) for the running task. Tasks (the
// threads of every process) share the CPU round-robin on a quantum of emulated cycles (kern/sched.ts); a context
// switch saves the registers in the task, clears the LR reservation, activates the next task's pmap unless it
// shares the address space of the one before (with its ASID/PCID/context, so the TLB behaves as that machine's
// would), acts on the signals other tasks sent it (as a return to user mode would) and is charged the machine's
// costs.contextSwitch. A task that must wait (wait4, a pipe) sleeps and its call is made again when it can
// proceed. Timers (kern/timer.ts) fire between slices: a slice never runs past the next deadline, and a signal a
// timer sends to the running task is acted on at once, as on the return from a timer interrupt. When every task
// sleeps the CPU idles to the next deadline; with none, the run ends as a watchdog would end it (SIGKILL). The
// run ends when every task has exited; its status is the first task's process's.

import type { WasmMachine } from "../machine/wasm.js";
import { OutOfGuestMemory } from "../vm/phys.js";
import type { ProcessTable } from "./proc.js";
import { Blocked, type Scheduler } from "./sched.js";
import { deliverSignals } from "./sigframe.js";
import { SIGKILL, TaskTerminated } from "./signal.js";
import type { CpuContext, Task } from "./task.js";
import type { Timers } from "./timer.js";
import type { TrapHandler } from "./trap.js";

/** Instructions per run() call: long enough to amortize the call, short enough to check limits often. */
export const DEFAULT_CHUNK = 8_000_000n;

export type ExitReason = "exit" | "signal" | "limit";

export interface RunResult {
  exitCode: number;           // guest status, 128 + signal, or 124 when the instruction limit was reached
  reason: ExitReason;
  signal: number;             // fatal signal, or 0
  message: string | undefined;// one line explaining a signal or the limit (without the "mmulab: " prefix)
}

/** What the run loop needs besides the hardware, the scheduler, the process table and the trap path. */
export interface RunHost {
  readonly chunk: bigint;                 // instructions per call into the hot path
  readonly switchCost: number;            // cycles charged per context switch
  /** --strace output for task t, if tracing. */
  traceOf(t: Task): ((line: string) => void) | undefined;
  /** The message of a task killed for want of guest memory. */
  outOfMemory(): string;
  /** Told of every context switch (the recorder); optional. */
  onSwitch?(pid: number): void;
  /** The hot path stopped because the trace buffer is full (the recorder empties it); optional. */
  onTraceFull?(): void;
  /** Called after every return from the hot path (a progress line); must be cheap. Optional. */
  onProgress?(): void;
}

export class RunLoop {
  switchCycles = 0n;                           // cycles charged for context switches
  private firstExit: TaskTerminated | undefined;
  private sliceStart = 0n;                     // cycles when the running task got the CPU
  private chargedTo = 0n;                      // cycles up to which the running task's CPU time is charged

  constructor(private readonly w: WasmMachine, private readonly sched: Scheduler, private readonly procs: ProcessTable,
              private readonly traps: TrapHandler, private readonly first: Task, private readonly timers: Timers,
              private readonly host: RunHost) {}

  /** The running task (the first one until it forks). */
  get current(): Task { return this.sched.current ?? this.first; }

  saveCpu(c: CpuContext): void {
    const w = this.w;
    for (let i = 1; i < 32; i++) c.x[i] = w.getX(i);
    for (let i = 0; i < 32; i++) c.f[i] = w.getF(i);
    c.fcsr = w.fcsr;
    c.pc = w.pc;
  }

  private loadCpu(c: CpuContext): void {
    const w = this.w;
    for (let i = 1; i < 32; i++) w.setX(i, c.x[i]!);
    for (let i = 0; i < 32; i++) w.setF(i, c.f[i]!);
    w.fcsr = c.fcsr;
    w.pc = c.pc;
  }

  /**
   * Context switch to `next`: registers, LR reservation, address space, and its cost. Then, as on its return to
   * user mode, the signals sent to it while it was off the CPU are acted on — unless it is about to make again a
   * call it slept in, which decides itself (EINTR or a restart) when it finds a signal pending.
   */
  private switchTo(next: Task): void {
    const cur = this.sched.current;
    if (cur === next) return;
    const w = this.w;
    if (cur) this.chargeCpu(cur);
    if (cur && cur.state !== "zombie") this.saveCpu(cur.cpu);
    if (cur) cur.usage.stop(w.cycles(), cur.state === "zombie" ? "exit" : cur.state === "run" ? "involuntary" : "voluntary");
    w.clearReservation();
    this.loadCpu(next.cpu);
    // switch_mm: threads of one process (and a vfork child with its parent) share the address space, which stays.
    if (!cur || cur.map !== next.map) next.pmap.activate();
    this.host.onSwitch?.(next.pid);
    const cost = BigInt(this.host.switchCost);
    w.addCounter(w.layout.C_XCYCLES, cost);
    this.switchCycles += cost;
    this.sched.switches++;
    this.sched.current = next;
    this.sliceStart = w.cycles();
    next.usage.run(this.sliceStart);
    this.chargedTo = this.sliceStart;
    if (!next.restartCall) this.interrupt(next);
  }

  /**
   * The running task returns to user mode between instructions (after a context switch, or a timer interrupt):
   * the signals it can take are acted on. One that sleeps in a call it will make again is not interrupted here:
   * the call decides itself (EINTR or a restart) when it finds the signal pending.
   */
  private interrupt(t: Task): void {
    if (!t.signals.hasDeliverable) return;
    try {
      deliverSignals(t, this.w, { syscall: false }, this.host.traceOf(t));
    } catch (e) {
      if (!(e instanceof TaskTerminated)) throw e;
      this.terminate(t, e);
    }
  }

  /** Charges the running task t the cycles it used since last charged (its CPU itimers may fire). */
  private chargeCpu(t: Task): void {
    const now = this.w.cycles();
    if (t.state !== "zombie") this.timers.charge(t, now - this.chargedTo);
    this.chargedTo = now;
  }

  /** Ends task t (exit, exit_group or a fatal signal); the end of the first task's process is the run's result. */
  terminate(t: Task, how: TaskTerminated): void {
    this.procs.exit(t, how);
    this.firstExit ??= this.procs.firstGroup.exit;
  }

  /** Runs the tasks until all have exited, or maxInsns instructions have retired. */
  run(maxInsns?: bigint): RunResult {
    const w = this.w, L = w.layout;
    const quantum = BigInt(this.sched.quantum);
    for (;;) {
      const cur = this.sched.current;
      if (!cur || cur.state !== "run") {
        this.procs.pollSleepers();
        const next = this.sched.next(cur);
        if (!next) {
          if (this.sched.queue.length === 0) return result(this.firstExit!);
          // Every task sleeps: idle to the next deadline, or nothing can ever wake them.
          if (this.timers.idle()) continue;
          return result(this.procs.deadlock(cur));
        }
        this.timers.woke();
        this.switchTo(next);
        continue;
      }
      let budget = this.host.chunk;
      const sliceLeft = this.sliceStart + quantum - w.cycles();
      if (this.sched.queue.length > 1 && sliceLeft < budget) budget = sliceLeft > 0n ? sliceLeft : 1n;
      // A slice ends at the next timer's deadline (at least one instruction: cycles never lag instructions).
      const due = this.timers.nextDeadline, cpuLeft = this.timers.cpuBudget(cur);
      if (due !== undefined) budget = clampBudget(budget, due - this.timers.now());
      if (cpuLeft !== undefined) budget = clampBudget(budget, cpuLeft - (w.cycles() - this.chargedTo));
      if (maxInsns !== undefined) {
        const left = maxInsns - w.instret;
        if (left <= 0n) {
          if (this.firstExit) return result(this.firstExit);
          return { exitCode: 124, reason: "limit", signal: 0, message: `instruction limit reached (--max-insns ${maxInsns})` };
        }
        if (left < budget) budget = left;
      }
      const code = w.run(budget);
      this.host.onProgress?.();
      if (code === L.EXIT_TRACE_FULL) this.host.onTraceFull?.();
      else if (code !== L.EXIT_BUDGET) this.trapTask(cur, code);
      this.chargeCpu(cur);
      this.timers.expire();
      // A signal a timer sent the running task (or its CPU itimer) is taken now, as after a timer interrupt.
      if (this.sched.current === cur && cur.state === "run") this.interrupt(cur);
      if (this.procs.sleepers.size > 0) this.procs.pollSleepers();
      if (w.cycles() - this.sliceStart >= quantum || this.sched.yieldPending) {
        this.sched.yieldPending = false;
        const next = this.sched.next(cur);
        if (next && next !== cur) this.switchTo(next);
        else this.sliceStart = w.cycles();
      }
    }
  }

  /** One trap of task t; its exit, death by signal or blocking is handled here. */
  private trapTask(t: Task, code: number): void {
    t.restartCall = false;
    this.chargeCpu(t);                           // the call sees the CPU time used up to its trap
    // Its system time and page faults (kern/resource.ts TaskUsage): what the kernel did for this trap.
    const vm = t.map.vm.stats, cycles = this.w.cycles(), faults = vm.faults, major = vm.pagerFills;
    try {
      this.traps.handle(this.current, code);
    } catch (e) {
      if (e instanceof Blocked) return;          // the ecall is re-executed when the task is woken
      if (e instanceof OutOfGuestMemory) e = new TaskTerminated(128 + SIGKILL, SIGKILL, this.host.outOfMemory());
      if (e instanceof TaskTerminated) { this.terminate(t, e); return; }
      throw e;
    } finally {
      const u = t.usage, majflt = vm.pagerFills - major;
      u.systemCycles += this.w.cycles() - cycles;
      u.majflt += majflt;
      u.minflt += vm.faults - faults - majflt;
    }
    // A call that returned is over: a timeout it slept with no longer applies.
    if (code === this.w.layout.EXIT_ECALL) this.timers.callDone(t);
  }
}

/** The budget cut to `left` cycles, and to one instruction at least. */
function clampBudget(budget: bigint, left: bigint): bigint {
  if (left < 1n) return 1n;
  return left < budget ? left : budget;
}

function result(e: TaskTerminated): RunResult {
  return e.signal === 0
    ? { exitCode: e.status, reason: "exit", signal: 0, message: undefined }
    : { exitCode: e.status, reason: "signal", signal: e.signal, message: e.message };
}

// The run loop: runs the hot path in chunks and takes each trap (kern/trap.ts) for the running task. Tasks share
// the CPU round-robin on a quantum of emulated cycles; a context switch saves the registers in the task, clears the
// LR reservation, activates the next task's pmap (with its ASID/PCID/context, so the TLB behaves as that machine's
// would), acts on the signals other tasks sent it (as a return to user mode would) and is charged the machine's
// costs.contextSwitch. A task that must wait (wait4, a pipe) sleeps and its call is made again when it can
// proceed; when every task sleeps the run ends as a watchdog would end it (SIGKILL). The run ends when every task
// has exited; its status is the first task's.

import type { WasmMachine } from "../machine/wasm.js";
import { OutOfGuestMemory } from "../vm/phys.js";
import type { ProcessTable } from "./proc.js";
import { Blocked, type Scheduler } from "./sched.js";
import { deliverSignals } from "./sigframe.js";
import { SIGKILL, TaskTerminated } from "./signal.js";
import type { CpuContext, Task } from "./task.js";
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
}

export class RunLoop {
  switchCycles = 0n;                           // cycles charged for context switches
  private firstExit: TaskTerminated | undefined;
  private sliceStart = 0n;                     // cycles when the running task got the CPU

  constructor(private readonly w: WasmMachine, private readonly sched: Scheduler, private readonly procs: ProcessTable,
              private readonly traps: TrapHandler, private readonly first: Task, private readonly host: RunHost) {}

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
    if (cur && cur.state !== "zombie") this.saveCpu(cur.cpu);
    if (cur) cur.usage.stop(w.cycles(), cur.state === "zombie" ? "exit" : cur.state === "run" ? "involuntary" : "voluntary");
    w.clearReservation();
    this.loadCpu(next.cpu);
    next.pmap.activate();
    this.host.onSwitch?.(next.pid);
    const cost = BigInt(this.host.switchCost);
    w.addCounter(w.layout.C_XCYCLES, cost);
    this.switchCycles += cost;
    this.sched.switches++;
    this.sched.current = next;
    this.sliceStart = w.cycles();
    next.usage.run(this.sliceStart);
    if (!next.restartCall && next.signals.hasDeliverable) {
      try {
        deliverSignals(next, w, { syscall: false }, this.host.traceOf(next));
      } catch (e) {
        if (!(e instanceof TaskTerminated)) throw e;
        this.terminate(next, e);
      }
    }
  }

  /** Ends task t (exit or fatal signal); the first task's end is the run's result. */
  terminate(t: Task, how: TaskTerminated): void {
    this.procs.exit(t, how);
    if (t === this.first) this.firstExit = how;
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
          return result(this.procs.deadlock(cur));
        }
        this.switchTo(next);
        continue;
      }
      let budget = this.host.chunk;
      const sliceLeft = this.sliceStart + quantum - w.cycles();
      if (this.sched.queue.length > 1 && sliceLeft < budget) budget = sliceLeft > 0n ? sliceLeft : 1n;
      if (maxInsns !== undefined) {
        const left = maxInsns - w.instret;
        if (left <= 0n) {
          if (this.firstExit) return result(this.firstExit);
          return { exitCode: 124, reason: "limit", signal: 0, message: `instruction limit reached (--max-insns ${maxInsns})` };
        }
        if (left < budget) budget = left;
      }
      const code = w.run(budget);
      if (code === L.EXIT_TRACE_FULL) this.host.onTraceFull?.();
      else if (code !== L.EXIT_BUDGET) this.trapTask(cur, code);
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
  }
}

function result(e: TaskTerminated): RunResult {
  return e.signal === 0
    ? { exitCode: e.status, reason: "exit", signal: 0, message: undefined }
    : { exitCode: e.status, reason: "signal", signal: e.signal, message: e.message };
}

// One emulated machine running one guest program and the tasks it forks: builds the wasm instance from a
// configuration, creates the kernel objects (frame allocator, VM, the first task with its map and pmap), loads
// the program and runs the trap loop. run(budget) executes in chunks; each exit is a trap into the kernel:
// ecall → system call, page fault → vm_fault, anything the kernel cannot resolve → a signal (kern/sigframe.ts),
// which runs the guest's handler or ends the task with status 128 + signal. Tasks share the CPU round-robin on a
// quantum of emulated cycles; a context switch saves the registers in the task, clears the LR reservation,
// activates the next task's pmap (with its ASID/PCID/context, so the TLB behaves as that machine's would), acts on
// the signals other tasks sent it (as a return to user mode would) and is charged the machine's
// costs.contextSwitch. A task that must wait (wait4, a pipe) sleeps and its call is made again when it can proceed;
// when every task sleeps the run ends as a watchdog would end it (SIGKILL). The run ends when every task has exited; its status is the first
// task's.

import { SyscallTable, type SyscallContext } from "../bsd/syscall.js";
import type { GuestIo } from "../bsd/files.js";
import { FILE_SYSCALLS } from "../bsd/sys_file.js";
import { MMAN_SYSCALLS } from "../bsd/sys_mman.js";
import { PROC_SYSCALLS } from "../bsd/sys_proc.js";
import { SIGNAL_SYSCALLS } from "../bsd/sys_signal.js";
import { TIME_SYSCALLS } from "../bsd/sys_time.js";
import { SeededRandom } from "../kern/random.js";
import {
  BUS_ADRALN, BUS_ADRERR, ILL_ILLOPC, SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, TRAP_BRKPT, TaskTerminated,
} from "../kern/signal.js";
import { deliverSignals, userFault } from "../kern/sigframe.js";
import { type CpuContext, GUEST_PID, Task } from "../kern/task.js";
import { ProcessTable } from "../kern/proc.js";
import { Blocked, DEFAULT_QUANTUM, Scheduler } from "../kern/sched.js";
import { MACH_SYSCALLS } from "../bsd/sys_mach.js";
import { VmMap } from "../vm/vm_map.js";
import { vmCheck } from "../vm/vm_check.js";
import type { ElfImage } from "../loader/elf.js";
import { execImage, type ExecResult } from "../loader/exec.js";
import { type AddressLayout, BARE_MIN_RAM, addressLayout } from "../loader/layout.js";
import { type MachineMmu, machineDef } from "../arch/registry.js";
import type { Pmap, PmapContext } from "../vm/pmap.js";
import { OutOfGuestMemory, PhysAllocator } from "../vm/phys.js";
import { vmFault } from "../vm/vm_fault.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";
import { VmSystem } from "../vm/vm_system.js";
import { ReservSystem } from "../vm/vm_reserv.js";
import { PAGE_SIZE } from "../vm/vm_prot.js";
import { ConfigError, type MachineConfig, type TlbLevelConfig } from "./config.js";
import { TIMEBASE_DIV, machineData, translates } from "./costs.js";
import { policyCode, validateLevel } from "./tlbspec.js";
import { WasmMachine } from "./wasm.js";


const REG_SP = 2, REG_A0 = 10, REG_A7 = 17;
/** Instructions per run() call: long enough to amortize the call, short enough to check limits often. */
export const DEFAULT_CHUNK = 8_000_000n;

export type ExitReason = "exit" | "signal" | "limit";

export interface RunResult {
  exitCode: number;           // guest status, 128 + signal, or 124 when the instruction limit was reached
  reason: ExitReason;
  signal: number;             // fatal signal, or 0
  message: string | undefined;// one line explaining a signal or the limit (without the "mmulab: " prefix)
}

export interface ProgramArgs {
  argv: string[];             // argv[0] included
  envp: string[];
  execfn: string;             // AT_EXECFN: the path as given
  exePath: string;            // /proc/self/exe: the absolute host path
}

export interface MachineOptions {
  io: GuestIo;
  strace?: (line: string) => void;
  chunk?: bigint;
  quantum?: number;            // emulated cycles a task runs before the next runnable one (DEFAULT_QUANTUM)
  switchCost?: number;         // cycles charged per context switch (default: the machine's costs.contextSwitch)
  pmapCollectEvery?: number;   // throw every pmap's translations away every N traps (0: never)
  zeroPage?: boolean;          // map the shared zero page for reads of untouched anonymous memory (default: yes;
                               // never while recording)
  recorder?: MachineRecorder;
}

/**
 * Records the guest's references (src/trace/record.ts): switched on before the first pmap exists, given every
 * pmap the machine makes (with the pid of the task it is made for), told of every trap and context switch.
 */
export interface MachineRecorder {
  attach(w: WasmMachine): void;
  wrapPmap(p: Pmap, pid: number): Pmap;
  onTrap(code: number): void;
  onSwitch(pid: number): void;
  flush(): void;
}

/** Kernel-side counters merged into the statistics. */
export interface TrapCounts {
  ecall: number;
  pageFault: number;
  other: number;
  cycles: bigint;             // cycles charged for trap entry and exit
}

function formatMem(bytes: number): string {
  const M = 1024 * 1024;
  if (bytes % (1024 * M) === 0) return `${bytes / (1024 * M)}G`;
  if (bytes % M === 0) return `${bytes / M}M`;
  if (bytes % 1024 === 0) return `${bytes / 1024}K`;
  return String(bytes);
}

export class Machine {
  readonly wasm: WasmMachine;
  readonly phys: PhysAllocator;
  readonly vm: VmSystem;
  readonly task: Task;                // the first task (the program loaded); its status is the run's
  readonly sched: Scheduler;
  readonly procs: ProcessTable;
  readonly syscalls: SyscallTable;
  readonly random: SeededRandom;
  readonly traps: TrapCounts = { ecall: 0, pageFault: 0, other: 0, cycles: 0n };
  readonly layout: AddressLayout;
  private readonly pctx: PmapContext;
  private readonly mmu: MachineMmu;      // identifiers and CPU state shared by every pmap of this machine
  private readonly livePmaps = new Set<Pmap>();
  private readonly retired = { enters: 0, removes: 0, protects: 0, flushes: 0 };   // stats of destroyed pmaps
  private loaded: ExecResult | undefined;
  private lastFault = { key: "", repeats: 0 };   // the same fault taken again means the kernel failed to fix it
  private firstExit: TaskTerminated | undefined;
  private sliceStart = 0n;                       // cycles when the running task got the CPU
  private switchCycles = 0n;
  private collectDue = 0;                        // traps since the last pmap collection
  private lastTrapPc = -1n;
  pmapCollections = 0;

  constructor(readonly config: MachineConfig, private readonly options: MachineOptions) {
    if (!translates(config.arch) && config.ramBytes < BARE_MIN_RAM) {
      throw new ConfigError(`--arch bare needs at least ${formatMem(BARE_MIN_RAM)} of memory (stack and program at VA = PA)`);
    }
    const w = new WasmMachine();
    this.wasm = w;
    w.init(config.ramBytes);
    this.configure();
    options.recorder?.attach(w);
    this.phys = new PhysAllocator(w, config.ramBytes);
    this.vm = new VmSystem(this.phys, !translates(config.arch));
    // A whole-machine replay has one anonymous address space and makes each page at its first reference; it
    // cannot tell which pages the live kernel answered with the zero page (anonymous) and which it did not (file
    // pages), so a recorded run makes a page at every first touch too, as the replay will.
    if (options.zeroPage === false || options.recorder) this.vm.useZeroPage = false;
    const large = (config.pageSize ?? PAGE_SIZE) > PAGE_SIZE;
    this.pctx = {
      machine: w, phys: this.phys, pageOf: (pa) => this.vm.pageOf(pa),
      ...(large ? { superpages: { size: config.pageSize!, promotions: 0, demotions: 0 } } : {}),
    };
    if (large && !this.vm.identity) this.vm.reserv = new ReservSystem(this.phys);
    this.mmu = machineDef(config.arch).createMmu(w, config, this.pctx);
    this.layout = addressLayout(config.arch, config.ramBytes);
    const quantum = options.quantum ?? DEFAULT_QUANTUM;
    if (!(Number.isSafeInteger(quantum) && quantum > 0)) throw new ConfigError(`bad quantum ${quantum} (a positive number of cycles)`);
    const every = options.pmapCollectEvery ?? 0;
    if (!(Number.isSafeInteger(every) && every >= 0)) throw new ConfigError(`bad --pmap-collect-every ${every} (a number of traps, 0 for never)`);
    this.sched = new Scheduler(quantum);
    this.procs = new ProcessTable({
      machine: w,
      newMap: (pid) => this.newMap(pid),
      snapshotCpu: (c) => this.saveCpu(c),
    }, this.sched, this.layout);
    this.task = this.procs.createFirst(this.newMap(GUEST_PID));
    this.sched.current = this.task;
    this.task.pmap.activate();
    this.random = new SeededRandom(config.seed);
    this.syscalls = new SyscallTable(FILE_SYSCALLS, MMAN_SYSCALLS, PROC_SYSCALLS, SIGNAL_SYSCALLS, TIME_SYSCALLS,
      MACH_SYSCALLS);
  }

  /** A new address space with its own pmap (and ASID/PCID/context) for the task that will have `pid`. */
  private newMap(pid: number): VmMap {
    const made = this.mmu.createPmap();
    const size = this.config.pageSize ?? PAGE_SIZE;
    const sizes = made.pageSizes ?? [PAGE_SIZE];
    if (!sizes.includes(size)) {
      const say = (b: number): string => formatMem(b);
      made.destroy();
      throw new ConfigError(`--page-size ${say(size)}: the ${this.config.arch} kernel maps user memory with ${sizes.map(say).join(", ")} ` +
        `pages only (it promotes to ${say(Math.max(...sizes))} at most; the machine offers ${machineData(this.config.arch).pageSizes.value.map(say).join(", ")})`);
    }
    const pmap = this.options.recorder ? this.options.recorder.wrapPmap(made, pid) : made;
    this.livePmaps.add(pmap);
    const map = new VmMap(this.vm, pmap, this.layout.minAddress, this.layout.maxAddress);
    map.onDestroy = () => {
      this.livePmaps.delete(pmap);
      for (const k of ["enters", "removes", "protects", "flushes"] as const) this.retired[k] += pmap.stats[k];
    };
    return map;
  }

  /** The system-call context of task t. */
  private ctxOf(t: Task): SyscallContext {
    const w = this.wasm;
    return { task: t, io: this.options.io, random: this.random, regs: w, cycles: () => w.cycles(), procs: this.procs };
  }

  /** The running task (the first one until it forks). */
  get current(): Task { return this.sched.current ?? this.task; }

  /** The first task's pmap. */
  get pmap(): Pmap { return this.task.pmap; }

  private saveCpu(c: CpuContext): void {
    const w = this.wasm;
    for (let i = 1; i < 32; i++) c.x[i] = w.getX(i);
    for (let i = 0; i < 32; i++) c.f[i] = w.getF(i);
    c.fcsr = w.fcsr;
    c.pc = w.pc;
  }

  private loadCpu(c: CpuContext): void {
    const w = this.wasm;
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
    const w = this.wasm;
    if (cur && cur.state !== "zombie") this.saveCpu(cur.cpu);
    w.clearReservation();
    this.loadCpu(next.cpu);
    next.pmap.activate();
    this.options.recorder?.onSwitch(next.pid);
    const cost = BigInt(this.options.switchCost ?? this.config.costs.contextSwitch);
    w.addCounter(w.layout.C_XCYCLES, cost);
    this.switchCycles += cost;
    this.sched.switches++;
    this.sched.current = next;
    this.sliceStart = w.cycles();
    if (!next.restartCall && next.signals.hasDeliverable) {
      try {
        deliverSignals(next, w, { syscall: false }, this.traceOf(next));
      } catch (e) {
        if (!(e instanceof TaskTerminated)) throw e;
        this.terminate(next, e);
      }
    }
  }

  /** --strace output for task t: as strace -f, calls of tasks other than the first are marked with their pid. */
  private traceOf(t: Task): ((line: string) => void) | undefined {
    const strace = this.options.strace;
    return strace && t !== this.task ? (l: string) => strace(`[pid ${t.pid}] ${l}`) : strace;
  }

  /** Ends task t (exit or fatal signal); the first task's end is the run's result. */
  private terminate(t: Task, how: TaskTerminated): void {
    this.procs.exit(t, how);
    if (t === this.task) this.firstExit = how;
  }

  /**
   * The VM's invariants over every live address space (the first task's too, kept after it exits): problems
   * found, or an empty list. Chains may be one object longer than there are tasks, and one more (see vm_check).
   */
  checkInvariants(): string[] {
    const maps = new Set(this.sched.queue.map((t) => t.map));
    maps.add(this.task.map);
    return vmCheck(this.vm, [...maps], [...this.livePmaps], maps.size + 2);
  }

  /** Throws every live pmap's translations away (pmap collect); the VM refaults them. */
  collectPmaps(): void {
    for (const p of this.livePmaps) p.collect();
    this.pmapCollections++;
  }

  /** Writes costs, seed and TLB geometry into the instance's CONFIG words and TLB arrays. */
  private configure(): void {
    const w = this.wasm, L = w.layout, c = this.config;
    w.setConfig(L.K_COST_L1_HIT, BigInt(c.costs.l1Hit));
    w.setConfig(L.K_COST_L2_HIT, BigInt(c.costs.l2Hit));
    w.setConfig(L.K_COST_WALK_BASE, BigInt(c.costs.walkBase));
    w.setConfig(L.K_COST_WALK_REF, BigInt(c.costs.walkRef));
    w.setConfig(L.K_COST_TRAP, BigInt(c.costs.trap));
    w.setConfig(L.K_COST_FLUSH, BigInt(c.costs.flush));
    w.setConfig(L.K_SEED, c.seed);
    w.setConfig(L.K_TIMEBASE_DIV, BigInt(TIMEBASE_DIV));
    w.setConfig(L.K_AD_MODE, c.hardwareAD ? 0n : 1n);
    const psc = c.psc ?? { pde: 0, pdpte: 0, pml4e: 0, pml5e: 0 };
    w.setConfig(L.K_PSC_PDE, BigInt(psc.pde));
    w.setConfig(L.K_PSC_PDPTE, BigInt(psc.pdpte));
    w.setConfig(L.K_PSC_PML4E, BigInt(psc.pml4e));
    w.setConfig(L.K_PSC_PML5E, BigInt(psc.pml5e));
    // A software-refilled machine's handler figures, each into the configuration word its data file names.
    for (const [name, r] of Object.entries(machineData(c.arch).refill ?? {})) {
      const k = (L as Record<string, number>)[r.config];
      if (k === undefined || !r.config.startsWith("K_")) throw new Error(`machine data for ${c.arch}: refill.${name} names no configuration word '${r.config}'`);
      w.setConfig(k, BigInt(r.value));
    }
    const levels: [string, TlbLevelConfig][] = [["l1i", c.tlb.l1i], ["l1d", c.tlb.l1d], ["l2", c.tlb.l2]];
    levels.forEach(([name, t], i) => {
      validateLevel(name, t, L.TLB_MAX_ENTRIES);
      const ways = t.entries === 0 ? 0 : t.ways;
      const sets = t.entries === 0 ? 0 : t.entries / t.ways;
      const policy = policyCode(L, t.policy);
      if (!w.configureTlb(i, sets, ways, policy)) throw new ConfigError(`tlb ${name}: geometry rejected by the machine`);
    });
    w.resetTlbs();
  }

  /** Loads the program and sets up registers for its entry. Throws ElfError if it cannot be placed. */
  load(image: ElfImage, args: ProgramArgs): ExecResult {
    this.task.exePath = args.exePath;
    let r: ExecResult;
    try {
      r = execImage(this.task, image, {
        argv: args.argv, envp: args.envp, execfn: args.execfn, randomBytes: this.random.bytes(16),
      });
    } catch (e) {
      if (e instanceof OutOfGuestMemory) throw new ConfigError(`out of guest memory while loading (--mem ${formatMem(this.config.ramBytes)})`);
      throw e;
    }
    for (let i = 1; i < 32; i++) this.wasm.setX(i, 0n);
    this.wasm.setX(REG_SP, BigInt(r.sp));
    this.wasm.pc = BigInt(r.entry);
    this.loaded = r;
    return r;
  }

  /** Runs the loaded guest and its children until all have exited, or maxInsns instructions have retired. */
  run(maxInsns?: bigint): RunResult {
    if (!this.loaded) throw new Error("no program loaded");
    const w = this.wasm, L = w.layout;
    const chunk = this.options.chunk ?? DEFAULT_CHUNK;
    const quantum = BigInt(this.sched.quantum);
    for (;;) {
      const cur = this.sched.current;
      if (!cur || cur.state !== "run") {
        this.procs.pollSleepers();
        const next = this.sched.next(cur);
        if (!next) {
          if (this.sched.queue.length === 0) return this.result(this.firstExit!);
          return this.result(this.procs.deadlock(cur));
        }
        this.switchTo(next);
        continue;
      }
      let budget = chunk;
      const sliceLeft = this.sliceStart + quantum - w.cycles();
      if (this.sched.queue.length > 1 && sliceLeft < budget) budget = sliceLeft > 0n ? sliceLeft : 1n;
      if (maxInsns !== undefined) {
        const left = maxInsns - w.instret;
        if (left <= 0n) {
          if (this.firstExit) return this.result(this.firstExit);
          return { exitCode: 124, reason: "limit", signal: 0, message: `instruction limit reached (--max-insns ${maxInsns})` };
        }
        if (left < budget) budget = left;
      }
      const code = w.run(budget);
      if (code === L.EXIT_TRACE_FULL) this.options.recorder?.flush();
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

  private result(e: TaskTerminated): RunResult {
    return e.signal === 0
      ? { exitCode: e.status, reason: "exit", signal: 0, message: undefined }
      : { exitCode: e.status, reason: "signal", signal: e.signal, message: e.message };
  }

  /** One trap of task t; its exit, death by signal or blocking is handled here. */
  private trapTask(t: Task, code: number): void {
    t.restartCall = false;
    try {
      this.trap(code);
    } catch (e) {
      if (e instanceof Blocked) return;          // the ecall is re-executed when the task is woken
      if (e instanceof OutOfGuestMemory) {
        e = new TaskTerminated(128 + SIGKILL, SIGKILL,
          `guest killed by SIGKILL: out of guest memory (--mem ${formatMem(this.config.ramBytes)})`);
      }
      if (e instanceof TaskTerminated) { this.terminate(t, e); return; }
      throw e;
    }
  }

  /** Entry into the kernel for one trap; returns when the guest may continue. */
  private trap(code: number): void {
    const w = this.wasm, L = w.layout;
    this.options.recorder?.onTrap(code);
    w.clearReservation();
    this.maybeCollect(code);
    w.addCounter(L.C_TRAPS, 1n);
    const cost = w.config(L.K_COST_TRAP);
    w.addCounter(L.C_XCYCLES, cost);
    this.traps.cycles += cost;
    const pc = w.pc;
    const t = this.current, trace = this.traceOf(t);
    switch (code) {
      case L.EXIT_ECALL: {
        this.traps.ecall++;
        const args = [10, 11, 12, 13, 14, 15].map((r) => w.getX(r));
        const nr = Number(BigInt.asIntN(64, w.getX(REG_A7)));
        w.pc = pc + 4n;   // before the call: rt_sigreturn replaces pc with every other register, clone copies it
        let r: bigint | number;
        try {
          r = this.syscalls.dispatch(this.ctxOf(t), nr, args, trace);
        } catch (e) {
          // The call sleeps (wait4, a pipe): it is made again from the ecall when the task is woken.
          if (e instanceof Blocked) { w.pc = pc; t.restartCall = true; }
          throw e;
        }
        w.setX(REG_A0, r);
        deliverSignals(t, w, { syscall: true, origA0: args[0] }, trace);
        return;
      }
      case L.EXIT_PAGE_FAULT: {
        this.traps.pageFault++;
        const cause = w.trapCause(), va = w.trapValue();
        const access = cause === L.CAUSE_FETCH_PAGE_FAULT ? VM_PROT_EXECUTE
          : cause === L.CAUSE_STORE_PAGE_FAULT ? VM_PROT_WRITE : cause === L.CAUSE_LOAD_PAGE_FAULT ? VM_PROT_READ : -1;
        if (access < 0) throw new Error(`page fault with cause ${cause} at pc ${hex(pc)}`);
        const key = `${pc}:${va}:${cause}:${w.instret}`;
        this.lastFault = key === this.lastFault.key ? { key, repeats: this.lastFault.repeats + 1 } : { key, repeats: 0 };
        if (this.lastFault.repeats >= 3) throw new Error(`page fault at ${hex(va)} (pc ${hex(pc)}) is not resolved by the kernel`);
        if (va <= BigInt(Number.MAX_SAFE_INTEGER) && t.pmap.refill?.(Number(va), access)) return;
        const r = va <= BigInt(Number.MAX_SAFE_INTEGER) ? vmFault(t.map, Number(va), access) : "maperr";
        if (r === "ok") return;
        const what = accessName(access);
        if (r === "buserr") {
          // Linux: a file page beyond EOF is SIGBUS with BUS_ADRERR and si_addr = the faulting address.
          const detail = `${what} at ${hex(va)} beyond the end of a mapped file, pc ${hex(pc)}`;
          userFault(t, w, SIGBUS, BUS_ADRERR, va, detail, trace);
          return;
        }
        const detail = r === "maperr" ? `invalid ${what} at ${hex(va)}, pc ${hex(pc)}`
          : `${what} not permitted at ${hex(va)}, pc ${hex(pc)}`;
        userFault(t, w, SIGSEGV, r === "maperr" ? SEGV_MAPERR : SEGV_ACCERR, va, detail, trace);
        return;
      }
      case L.EXIT_ILLEGAL: {
        this.traps.other++;
        const insn = w.illegalInsn();
        const width = (insn & 3) === 3 ? 8 : 4;
        const detail = `illegal instruction 0x${insn.toString(16).padStart(width, "0")} at pc ${hex(pc)}`;
        userFault(t, w, SIGILL, ILL_ILLOPC, pc, detail, trace);
        return;
      }
      case L.EXIT_BREAKPOINT:
        this.traps.other++;
        userFault(t, w, SIGTRAP, TRAP_BRKPT, pc, `breakpoint at pc ${hex(pc)}`, trace);
        return;
      case L.EXIT_ACCESS_FAULT: {
        this.traps.other++;
        const cause = w.trapCause(), va = w.trapValue();
        const what = cause === L.CAUSE_FETCH_ACCESS ? "execute" : cause === L.CAUSE_STORE_ACCESS ? "write" : "read";
        const where = cause === L.CAUSE_LOAD_ACCESS || cause === L.CAUSE_STORE_ACCESS || cause === L.CAUSE_FETCH_ACCESS
          ? ` at ${hex(va)}` : "";
        // Linux (riscv traps.c): SIGSEGV with SEGV_ACCERR and si_addr = the faulting pc, not the address.
        const detail = `${what} access fault${where} (outside physical memory), pc ${hex(pc)}`;
        userFault(t, w, SIGSEGV, SEGV_ACCERR, pc, detail, trace);
        return;
      }
      case L.EXIT_MISALIGNED: {
        this.traps.other++;
        const cause = w.trapCause(), va = w.trapValue();
        const what = cause === L.CAUSE_MISALIGNED_LOAD ? "read" : cause === L.CAUSE_MISALIGNED_STORE ? "write" : "access";
        // Linux (riscv traps.c): SIGBUS with BUS_ADRALN and si_addr = the faulting pc, not the address.
        const detail = `misaligned atomic ${what} at ${hex(va)}, pc ${hex(pc)}`;
        userFault(t, w, SIGBUS, BUS_ADRALN, pc, detail, trace);
        return;
      }
      default:
        throw new Error(`unknown exit code ${code} from the hot path at pc ${hex(pc)}`);
    }
  }

  /**
   * Makes system call `nr` as if the guest had (for tests and tools); returns the raw a0 value, signed. A signal
   * the call made deliverable is then acted on as on the way back to user mode: a handler's frame is set up in
   * the registers, or the task ends (TaskTerminated).
   */
  syscall(nr: number, ...args: (number | bigint)[]): bigint {
    const a = [0, 1, 2, 3, 4, 5].map((i) => BigInt.asUintN(64, BigInt(args[i] ?? 0)));
    const t = this.current, trace = this.traceOf(t);
    let r: bigint | number;
    try {
      r = this.syscalls.dispatch(this.ctxOf(t), nr, a, trace);
    } catch (e) {
      // Outside the run loop nothing else runs, so a call that would sleep could never be woken.
      if (e instanceof Blocked) throw this.procs.deadlock(t);
      throw e;
    }
    deliverSignals(t, this.wasm, { syscall: false }, trace);
    return BigInt.asIntN(64, BigInt(r));
  }

  /**
   * --pmap-collect-every N: every N traps, at trap entry, every pmap is collected. A page fault of the same
   * instruction as the previous trap defers it to the next trap, so an instruction touching several pages
   * (fetch and data, or an access crossing a page) always completes.
   */
  private maybeCollect(code: number): void {
    const every = this.options.pmapCollectEvery ?? 0;
    if (every === 0) return;
    const pc = this.wasm.pc;
    const sameInsn = code === this.wasm.layout.EXIT_PAGE_FAULT && pc === this.lastTrapPc;
    this.lastTrapPc = pc;
    if (++this.collectDue < every || sameInsn) return;
    this.collectDue = 0;
    this.collectPmaps();
  }

  /** Every counter: the hot path's (by C_* name in lower case) plus the kernel's. */
  counters(): Record<string, number> {
    const w = this.wasm;
    const out: Record<string, number> = {};
    w.counterNames.forEach((name, i) => { if (name) out[name.toLowerCase()] = Number(w.counter(i)); });
    out["cycles"] = Number(w.cycles());
    // Hits per TLB level, spelled out (the model counts accesses and misses).
    for (const t of ["itlb", "dtlb", "l2"]) out[`${t}_hit`] = out[`${t}_access`]! - out[`${t}_miss`]!;
    const s = this.vm.stats;
    out["syscalls"] = this.syscalls.calls;
    out["traps_ecall"] = this.traps.ecall;
    out["traps_page_fault"] = this.traps.pageFault;
    out["traps_other"] = this.traps.other;
    out["trap_cycles"] = Number(this.traps.cycles);
    out["page_faults"] = s.faults;
    out["page_faults_kernel"] = s.faultsKernel;
    out["zero_fills"] = s.zeroFills;
    out["pager_fills"] = s.pagerFills;
    out["soft_faults"] = s.softFaults;
    out["fault_errors"] = s.faultErrors;
    if (this.pctx.superpages) {
      out["superpage_promotions"] = this.pctx.superpages.promotions;
      out["superpage_demotions"] = this.pctx.superpages.demotions;
      out["superpage_reservations"] = this.vm.reserv?.stats.made ?? 0;
      out["superpage_reservation_failures"] = this.vm.reserv?.stats.failed ?? 0;
      out["superpage_reservations_broken"] = this.vm.reserv?.stats.broken ?? 0;
    }
    out["pt_frames"] = this.phys.tableFrames;
    out["pt_frames_peak"] = this.phys.peakTable;
    out["pt_bytes"] = this.phys.tableFrames * 4096;
    out["pt_bytes_peak"] = this.phys.peakTable * 4096;
    out["user_frames"] = this.phys.userFrames;
    out["user_frames_peak"] = this.phys.peakUser;
    out["ram_frames"] = this.phys.frames;
    for (const k of ["enters", "removes", "protects", "flushes"] as const) {
      out[`pmap_${k}`] = this.retired[k] + [...this.livePmaps].reduce((n, p) => n + p.stats[k], 0);
    }
    out["pmap_collections"] = this.pmapCollections;
    out["cow_copies"] = s.cowCopies;
    out["zero_page_maps"] = s.zeroPageMaps;
    out["shadows_created"] = s.shadowsCreated;
    out["object_collapses"] = s.collapses;
    out["object_bypasses"] = s.bypasses;
    out["virtual_copy_pages"] = s.virtualCopyPages;
    out["copied_bytes"] = s.copiedBytes;
    out["context_switches"] = this.sched.switches;
    out["asid_rollovers"] = this.mmu.asidRollovers;
    out["context_switch_cycles"] = Number(this.switchCycles);
    out["forks"] = this.procs.forks;
    out["task_exits"] = this.procs.exits;
    // The machine's own counters (its identifier allocator's are per machine; per-address-space ones are the
    // first task's, whose address space is kept to the end of the run).
    Object.assign(out, this.pmap.machineCounters?.() ?? {});
    const f = this.task.files.fs.pagerStats;
    out["file_pages_read"] = f.pagesRead;
    out["file_pages_written"] = f.pagesWritten;
    return out;
  }
}

function accessName(access: number): string {
  return access === VM_PROT_EXECUTE ? "execute" : access === VM_PROT_WRITE ? "write" : "read";
}

// One emulated machine running one guest program and the tasks it forks: the boot of a whole system. It builds the
// hardware from a configuration (machine/: the wasm instance, its CONFIG words and TLBs), the kernel's objects (the
// frame allocator, the VM, the process table and scheduler, the first task with its map and pmap, the system-call
// table) and wires the trap path (kern/trap.ts) and the run loop (kern/run.ts) to them; then it loads the program
// (kern/exec.ts) and runs. This is the only place where the hardware, the machine-dependent pmaps, the kernel and
// the system-call layer meet; the class is also the library's and the CLI's handle on a running system.

import { SyscallTable, type SyscallContext } from "../bsd/syscall.js";
import { FileTable } from "../bsd/files.js";
import { mountProcfs } from "../bsd/procfs.js";
import { makeBootConfig } from "../bsd/kconfig.js";
import { makeDev } from "../fs/devices.js";
import type { GuestIo } from "../fs/file.js";
import type { FileSystem } from "../fs/memfs.js";
import { FILE_SYSCALLS } from "../bsd/sys_file.js";
import { MMAN_SYSCALLS } from "../bsd/sys_mman.js";
import { SHM_SYSCALLS } from "../bsd/sys_shm.js";
import { SOCKET_SYSCALLS } from "../bsd/sys_socket.js";
import { PROC_SYSCALLS } from "../bsd/sys_proc.js";
import { SIGNAL_SYSCALLS } from "../bsd/sys_signal.js";
import { TIME_SYSCALLS } from "../bsd/sys_time.js";
import { POLL_SYSCALLS } from "../bsd/sys_poll.js";
import { FUTEX_SYSCALLS } from "../bsd/sys_futex.js";
import { MACH_SYSCALLS } from "../bsd/sys_mach.js";
import { MMULAB_SYSCALLS } from "../bsd/sys_mmulab.js";
import { StatsRegion } from "./stats_region.js";
import { WalkFormatter, takeWalkRecords } from "./walk_trace.js";
import { FaultTracer } from "./fault_trace.js";
import { formatTlbDump } from "./tlb_dump.js";
import type { FaultResult } from "../vm/vm_fault.js";
import { EXEC_SYSCALLS } from "../bsd/sys_exec.js";
import { SeededRandom } from "../kern/random.js";
import { deliverSignals } from "../kern/sigframe.js";
import { GUEST_PID, type Task } from "../kern/task.js";
import { ProcessTable } from "../kern/proc.js";
import { Blocked, DEFAULT_QUANTUM, Scheduler } from "../kern/sched.js";
import { execImage, type ExecResult } from "../kern/exec.js";
import { DEFAULT_CHUNK, RunLoop, type RunResult } from "../kern/run.js";
import { Timers } from "../kern/timer.js";
import { TrapHandler, type TrapCounts } from "../kern/trap.js";
import { VmMap } from "../vm/vm_map.js";
import { vmCheck } from "../vm/vm_check.js";
import type { ElfImage } from "../loader/elf.js";
import { type AddressLayout, addressLayout } from "../loader/layout.js";
import { type MachineMmu, machineDef } from "../arch/registry.js";
import type { Pmap, PmapContext } from "../vm/pmap.js";
import { OutOfGuestMemory, PhysAllocator } from "../vm/phys.js";
import { PAGE_SIZE } from "../vm/vm_prot.js";
import { VmSystem } from "../vm/vm_system.js";
import type { PagingOptions } from "../vm/vm_pageout.js";
import { DEFAULT_PAGEOUT } from "../vm/pageout/index.js";
import { defaultSwapLatency } from "../vm/swap_device.js";

export type { PagingOptions } from "../vm/vm_pageout.js";
export { parsePageoutPolicy } from "../vm/vm_pageout.js";
export { parseSwapLatency } from "../vm/swap_device.js";
import { ReservSystem } from "../vm/vm_reserv.js";
import { ConfigError, type MachineConfig } from "../machine/config.js";
import { configureHardware } from "../machine/configure.js";
import { machineData, translates } from "../machine/costs.js";
import { WasmMachine } from "../machine/wasm.js";

export { DEFAULT_CHUNK, type ExitReason, type RunResult } from "../kern/run.js";
export type { TrapCounts } from "../kern/trap.js";

const REG_SP = 2;

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
  /** --trace-walk: each page walk or refill, one line (boot/walk_trace.ts). */
  walkTrace?: (line: string) => void;
  /** --trace-faults: each page fault the kernel takes and how it resolved it, one line (boot/fault_trace.ts). */
  faultTrace?: (line: string) => void;
  /** Told of each statistics dump (a region of interest's mmulab_dump_stats, --stats-every): --dump-tlb. */
  onStatsDump?: (tag: number) => void;
  /** Told the instructions retired so far after every return from the hot path (--progress); must be cheap. */
  progress?: (instret: bigint) => void;
  paging?: Partial<PagingOptions>;  // swap, swap device, page-out policy (default: swap as large as RAM, vm_pageout.ts)
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

/**
 * Paging as configured: swap as large as RAM unless told (the classic "swap = RAM" rule for small machines), the
 * default device of swap_devices.json, FreeBSD's active/inactive page-out. The random policy draws from the seed.
 */
export function pagingOptions(config: MachineConfig, o: Partial<PagingOptions> | undefined): PagingOptions {
  return {
    ...o,
    swapBytes: o?.swapBytes ?? config.ramBytes,
    latency: o?.latency ?? defaultSwapLatency(),
    policy: o?.policy ?? DEFAULT_PAGEOUT,
    seed: o?.seed ?? config.seed,
  };
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
  readonly sched: Scheduler;
  readonly timers: Timers;
  readonly procs: ProcessTable;
  readonly syscalls: SyscallTable;
  readonly random: SeededRandom;
  /** What the reports count from: the last reset of the statistics, and the dumps taken (a time series). */
  readonly stats = new StatsRegion(() => this.rawCounters(), (tag) => this.options.onStatsDump?.(tag));
  readonly layout: AddressLayout;
  readonly trapHandler: TrapHandler;
  private readonly runLoop: RunLoop;
  private readonly pctx: PmapContext;
  private readonly mmu: MachineMmu;      // identifiers and CPU state shared by every pmap of this machine
  private readonly livePmaps = new Set<Pmap>();
  private readonly retired = { enters: 0, removes: 0, protects: 0, flushes: 0 };   // stats of destroyed pmaps
  private loaded: ExecResult | undefined;
  private collectDue = 0;                        // traps since the last pmap collection
  private lastTrapPc = -1n;
  private walkFormatter: WalkFormatter | undefined;   // --trace-walk, while on
  private readonly faultTracer: FaultTracer | undefined;
  pmapCollections = 0;

  constructor(readonly config: MachineConfig, private readonly options: MachineOptions) {
    const def = machineDef(config.arch);
    this.layout = def.userLayout?.(config.ramBytes) ?? addressLayout(config.arch);
    const w = new WasmMachine();
    this.wasm = w;
    w.init(config.ramBytes);
    configureHardware(w, config);
    options.recorder?.attach(w);
    this.phys = new PhysAllocator(w, config.ramBytes);
    this.vm = new VmSystem(this.phys, !translates(config.arch));
    // A whole-machine replay has one anonymous address space and makes each page at its first reference; it
    // cannot tell which pages the live kernel answered with the zero page (anonymous) and which it did not (file
    // pages), so a recorded run makes a page at every first touch too, as the replay will.
    if (options.zeroPage === false || options.recorder) this.vm.useZeroPage = false;
    const large = (config.pageSize ?? PAGE_SIZE) > PAGE_SIZE;
    this.pctx = {
      machine: w, phys: this.phys, pageOf: (pa) => this.vm.pmapPageOf(pa),
      ...(large ? { superpages: { size: config.pageSize!, promotions: 0, demotions: 0 } } : {}),
    };
    if (large && !this.vm.identity) this.vm.reserv = new ReservSystem(this.phys);
    const paging = pagingOptions(config, options.paging);
    this.mmu = def.createMmu(w, config, this.pctx);
    const quantum = options.quantum ?? DEFAULT_QUANTUM;
    if (!(Number.isSafeInteger(quantum) && quantum > 0)) throw new ConfigError(`bad quantum ${quantum} (a positive number of cycles)`);
    const every = options.pmapCollectEvery ?? 0;
    if (!(Number.isSafeInteger(every) && every >= 0)) throw new ConfigError(`bad --pmap-collect-every ${every} (a number of traps, 0 for never)`);
    this.sched = new Scheduler(quantum);
    this.timers = new Timers(() => w.cycles());
    this.vm.enablePaging(paging, {
      now: () => this.timers.now(), at: (d, fire) => { this.timers.at(d, fire); },
      charge: (c) => w.addCounter(w.layout.C_XCYCLES, BigInt(c)),
    });
    this.procs = new ProcessTable({
      machine: w,
      newMap: (pid) => this.newMap(pid),
      snapshotCpu: (c) => this.runLoop.saveCpu(c),
      exited: (t) => this.timers.exit(t),
    }, this.sched, this.layout);
    const files = new FileTable();
    makeDev(files.fs, (n) => this.random.bytes(n));
    makeBootConfig(files.fs);
    mountProcfs(files.fs, { procs: this.procs, phys: this.phys, current: () => this.sched.current, machine: config.arch });
    const first = this.procs.createFirst(this.newMap(GUEST_PID), files);
    this.sched.current = first;
    this.task.pmap.activate();
    this.random = new SeededRandom(config.seed);
    this.syscalls = new SyscallTable(FILE_SYSCALLS, MMAN_SYSCALLS, PROC_SYSCALLS, SIGNAL_SYSCALLS, TIME_SYSCALLS,
      POLL_SYSCALLS, FUTEX_SYSCALLS, MACH_SYSCALLS, MMULAB_SYSCALLS, EXEC_SYSCALLS, SHM_SYSCALLS,
      SOCKET_SYSCALLS);
    const recorder = options.recorder;
    if (options.walkTrace) { this.walkFormatter = new WalkFormatter(w); w.setWalkTrace(true); }
    if (options.faultTrace) {
      this.faultTracer = new FaultTracer(this.vm, () => this.pctx.superpages?.promotions ?? 0, options.faultTrace, GUEST_PID);
    }
    const tracer = this.faultTracer;
    this.trapHandler = new TrapHandler(w, {
      syscall: (t, nr, args, trace) => this.syscalls.dispatch(this.ctxOf(t), nr, args, trace),
      traceOf: (t) => this.traceOf(t),
      pageWait: (t, ready) => this.procs.sleep(t, "a page-in", ready),
      // The recorder sees the trap before a collection, which it records as the kernel's work in that trap; the
      // walks that led to the trap are printed before it, and a traced fault is measured from after the collection.
      ...(recorder || every > 0 || options.walkTrace || tracer ? {
        onTrap: (code: number) => {
          recorder?.onTrap(code);
          this.drainWalkTrace();
          if (every > 0) this.maybeCollect(code);
          if (tracer && code === w.layout.EXIT_PAGE_FAULT) tracer.enter(this.current, w.trapValue(), w.pc);
        },
      } : {}),
      ...(tracer ? { onPageFault: (t: Task, va: bigint, access: number, r: FaultResult) => tracer.resolved(t, va, access, r) } : {}),
    });
    this.runLoop = new RunLoop(w, this.sched, this.procs, this.trapHandler, this.task, this.timers, {
      chunk: options.chunk ?? DEFAULT_CHUNK,
      switchCost: options.switchCost ?? config.costs.contextSwitch,
      traceOf: (t) => this.traceOf(t),
      outOfMemory: () => paging.swapBytes > 0 && this.vm.pageout
        ? `guest killed by SIGKILL: out of guest memory and swap (--mem ${formatMem(config.ramBytes)}, --swap ${formatMem(paging.swapBytes)})`
        : `guest killed by SIGKILL: out of guest memory (--mem ${formatMem(config.ramBytes)})`,
      ...(recorder ? { onSwitch: (pid: number) => recorder.onSwitch(pid) } : {}),
      ...(recorder || options.walkTrace ? { onTraceFull: () => { recorder?.flush(); this.drainWalkTrace(); } } : {}),
      ...(options.progress ? { onProgress: () => options.progress!(w.instret) } : {}),
    });
  }

  /** A new address space with its own pmap (and ASID/PCID/context) for the task that will have `pid` (fork, exec). */
  newMap(pid: number): VmMap {
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
    return {
      task: t, io: this.options.io, random: this.random, regs: w, procs: this.procs, timers: this.timers,
      futexes: this.procs.futexes, newMap: (pid) => this.newMap(pid), stats: this.stats,
    };
  }

  /** The running task (the first one until it forks). */
  get current(): Task { return this.runLoop.current; }

  /** The first task (the program loaded; its process's status is the run's): its process's leader. */
  get task(): Task { return this.procs.firstGroup.leader; }

  /** The first task's pmap. */
  get pmap(): Pmap { return this.task.pmap; }

  /** The file system the guest sees (the first task's; every task shares it). */
  get fs(): FileSystem { return (this.task.files as FileTable).fs; }

  /** Kernel-side trap counters. */
  get traps(): TrapCounts { return this.trapHandler.counts; }

  /** --strace output for task t: as strace -f, calls of tasks other than the first are marked with their pid. */
  private traceOf(t: Task): ((line: string) => void) | undefined {
    const strace = this.options.strace;
    return strace && t !== this.task ? (l: string) => strace(`[pid ${t.tid}] ${l}`) : strace;
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
    const r = this.runLoop.run(maxInsns);
    this.drainWalkTrace();
    return r;
  }

  /** --trace-walk: prints the walks recorded since the last drain (and how many did not fit), in order. */
  drainWalkTrace(): void {
    const f = this.walkFormatter;
    if (!f) return;
    const { records, lost } = takeWalkRecords(this.wasm);
    for (const line of f.lines(records)) {
      if (!this.walkFormatter) return;   // the sink stopped the trace (its limit)
      this.options.walkTrace!(line);
    }
    if (lost > 0 && this.walkFormatter) this.options.walkTrace!(`(${lost} walk records lost: the trace buffer filled between two slow fetches)`);
  }

  /** Switches --trace-walk off (its line limit was reached): the walks cost nothing more to record. */
  stopWalkTrace(): void {
    this.walkFormatter = undefined;
    this.wasm.setWalkTrace(false);
    this.wasm.walkTraceClear();
  }

  /** --dump-tlb: the contents of every TLB level now, as lines headed `when`. */
  tlbDump(when: string): string[] { return formatTlbDump(this.wasm, when); }

  /**
   * Runs like run(maxInsns), resetting the statistics once `warmup` instructions have retired (ChampSim's warm-up)
   * and dumping them every `every` instructions (a time series, tagged 0, 1, 2 …). Guest resets and dumps are
   * kept as well.
   */
  runMeasured(o: { maxInsns?: bigint; warmup?: bigint; every?: bigint }): RunResult {
    let warmup = o.warmup;
    let nextDump = o.every;
    let tag = 0;
    for (;;) {
      let stop = o.maxInsns;
      for (const s of [warmup, nextDump]) if (s !== undefined && (stop === undefined || s < stop)) stop = s;
      const r = this.run(stop);
      if (r.reason !== "limit" || stop === o.maxInsns) return r;
      const at = this.wasm.instret;
      if (warmup !== undefined && at >= warmup) { this.stats.reset(); warmup = undefined; }
      if (nextDump !== undefined && at >= nextDump) { this.stats.dump(tag++); nextDump += o.every!; }
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
    const pc = this.wasm.pc;
    const sameInsn = code === this.wasm.layout.EXIT_PAGE_FAULT && pc === this.lastTrapPc;
    this.lastTrapPc = pc;
    if (++this.collectDue < every || sameInsn) return;
    this.collectDue = 0;
    this.collectPmaps();
  }

  /**
   * Every counter since the statistics were last reset (by the guest, or at the end of a warm-up): the hot path's
   * (by C_* name in lower case) plus the kernel's. From boot when they never were.
   */
  counters(): Record<string, number> { return this.stats.view(); }

  /** Every counter from boot, whatever the resets. */
  rawCounters(): Record<string, number> {
    const w = this.wasm;
    const out: Record<string, number> = {};
    w.counterNames.forEach((name, i) => { if (name) out[name.toLowerCase()] = Number(w.counter(i)); });
    out["cycles"] = Number(w.cycles());
    out["idle_cycles"] = Number(this.timers.idleCycles);   // time every task slept, not in `cycles` (kern/timer.ts)
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
    out["context_switch_cycles"] = Number(this.runLoop.switchCycles);
    out["forks"] = this.procs.forks;
    out["task_exits"] = this.procs.exits;
    // The machine's own counters (its identifier allocator's are per machine; per-address-space ones are the
    // first task's, whose address space is kept to the end of the run).
    Object.assign(out, this.pmap.machineCounters?.() ?? {});
    const pd = this.vm.pageout?.stats, sw = this.vm.swapPager;
    out["major_faults"] = s.pagerFills;
    out["minor_faults"] = s.faults - s.pagerFills;
    out["fault_waits"] = s.faultWaits;
    out["pageins"] = sw?.pageins ?? 0;
    out["pageouts"] = sw?.pageouts ?? 0;
    out["pageout_wakeups"] = pd?.wakeups ?? 0;
    out["pages_scanned"] = pd?.scanned ?? 0;
    out["pages_reclaimed"] = pd?.reclaimed ?? 0;
    out["pages_cleaned"] = pd?.cleaned ?? 0;
    out["reference_bits_cleared"] = pd?.referenceCleared ?? 0;
    out["pages_prefetched"] = pd?.prefetched ?? 0;
    out["swap_slots_used"] = sw?.used ?? 0;
    out["swap_slots_peak"] = sw?.peak ?? 0;
    out["paging_cycles"] = (pd?.cycles ?? 0) + s.syncWaitCycles;
    out["swap_device_cycles"] = sw?.device.busyCycles ?? 0;
    const f = this.fs.pagerStats;
    out["file_pages_read"] = f.pagesRead;
    out["file_pages_written"] = f.pagesWritten;
    return out;
  }
}

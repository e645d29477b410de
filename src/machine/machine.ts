// One emulated machine running one guest: builds the wasm instance from a configuration, creates the kernel
// objects (frame allocator, VM, pmap, task), loads the program and runs the trap loop. run(budget) executes in
// chunks; each exit is a trap into the kernel: ecall → system call, page fault → vm_fault, anything the kernel
// cannot resolve → a signal (kern/sigframe.ts), which runs the guest's handler or ends it with status 128 + signal.

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
import { Task } from "../kern/task.js";
import type { ElfImage } from "../loader/elf.js";
import { execImage, type ExecResult } from "../loader/exec.js";
import { BARE_MIN_RAM, addressLayout } from "../loader/layout.js";
import { BarePmap } from "../pmap/bare.js";
import type { Pmap, PmapContext } from "../pmap/pmap.js";
import { AsidAllocator, RadixPmap, SV39, SV48 } from "../pmap/sv39.js";
import { X86_64, X86_64_LA57, X86Mmu, X86Pmap } from "../pmap/x86_64.js";
import { SparcMmu, SparcPmap } from "../pmap/sparc.js";
import { PowerMmu, PowerPmap, powerSlbConfig } from "../pmap/power.js";
import { ClusteredMmu, ClusteredPmap, DEFAULT_SUBBLOCK } from "../pmap/clustered.js";
import { VaxMmu, VaxPmap } from "../pmap/vax.js";
import { GuardedMmu, GuardedPmap } from "../pmap/guarded.js";
import { MIPS_R3000, MIPS_R4000, MipsMmu, MipsPmap, checkMipsTlb, mipsData, type MipsFormat } from "../pmap/mips.js";
import { OutOfGuestMemory, PhysAllocator } from "../vm/phys.js";
import { vmFault } from "../vm/vm_fault.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";
import { VmSystem } from "../vm/vm_system.js";
import { ConfigError, type MachineConfig, type TlbLevelConfig } from "./config.js";
import { TIMEBASE_DIV, machineData } from "./costs.js";
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
  recorder?: MachineRecorder;
}

/** Records the guest's references (src/trace/record.ts): switched on before the pmap exists, told of every trap. */
export interface MachineRecorder {
  attach(w: WasmMachine): void;
  wrapPmap(p: Pmap): Pmap;
  onTrap(code: number): void;
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
  readonly pmap: Pmap;
  readonly task: Task;
  readonly syscalls: SyscallTable;
  readonly random: SeededRandom;
  readonly traps: TrapCounts = { ecall: 0, pageFault: 0, other: 0, cycles: 0n };
  private readonly ctx: SyscallContext;
  private loaded: ExecResult | undefined;
  private lastFault = { key: "", repeats: 0 };   // the same fault taken again means the kernel failed to fix it

  constructor(readonly config: MachineConfig, private readonly options: MachineOptions) {
    if (config.arch === "bare" && config.ramBytes < BARE_MIN_RAM) {
      throw new ConfigError(`--arch bare needs at least ${formatMem(BARE_MIN_RAM)} of memory (stack and program at VA = PA)`);
    }
    const w = new WasmMachine();
    this.wasm = w;
    w.init(config.ramBytes);
    this.configure();
    options.recorder?.attach(w);
    this.phys = new PhysAllocator(w, config.ramBytes);
    this.vm = new VmSystem(this.phys, config.arch === "bare");
    const pctx: PmapContext = { machine: w, phys: this.phys, pageOf: (pa) => this.vm.pageOf(pa) };
    const pmap = makePmap(config, pctx, w);
    this.pmap = options.recorder ? options.recorder.wrapPmap(pmap) : pmap;
    this.task = new Task(this.vm, this.pmap, addressLayout(config.arch, config.ramBytes), w);
    this.pmap.activate();
    this.random = new SeededRandom(config.seed);
    this.syscalls = new SyscallTable(FILE_SYSCALLS, MMAN_SYSCALLS, PROC_SYSCALLS, SIGNAL_SYSCALLS, TIME_SYSCALLS);
    this.ctx = { task: this.task, io: options.io, random: this.random, regs: w, cycles: () => w.cycles() };
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

  /** Runs the loaded guest until it exits, dies of a signal, or retires maxInsns instructions. */
  run(maxInsns?: bigint): RunResult {
    if (!this.loaded) throw new Error("no program loaded");
    const w = this.wasm, L = w.layout;
    const chunk = this.options.chunk ?? DEFAULT_CHUNK;
    try {
      for (;;) {
        let budget = chunk;
        if (maxInsns !== undefined) {
          const left = maxInsns - w.instret;
          if (left <= 0n) {
            return { exitCode: 124, reason: "limit", signal: 0, message: `instruction limit reached (--max-insns ${maxInsns})` };
          }
          if (left < budget) budget = left;
        }
        const code = w.run(budget);
        if (code === L.EXIT_BUDGET) continue;
        if (code === L.EXIT_TRACE_FULL) { this.options.recorder?.flush(); continue; }
        this.trap(code);
      }
    } catch (e) {
      if (e instanceof OutOfGuestMemory) {
        e = new TaskTerminated(128 + SIGKILL, SIGKILL,
          `guest killed by SIGKILL: out of guest memory (--mem ${formatMem(this.config.ramBytes)})`);
      }
      if (e instanceof TaskTerminated) {
        return e.signal === 0
          ? { exitCode: e.status, reason: "exit", signal: 0, message: undefined }
          : { exitCode: e.status, reason: "signal", signal: e.signal, message: e.message };
      }
      throw e;
    }
  }

  /** Entry into the kernel for one trap; returns when the guest may continue. */
  private trap(code: number): void {
    const w = this.wasm, L = w.layout;
    this.options.recorder?.onTrap(code);
    w.clearReservation();
    w.addCounter(L.C_TRAPS, 1n);
    const cost = w.config(L.K_COST_TRAP);
    w.addCounter(L.C_XCYCLES, cost);
    this.traps.cycles += cost;
    const pc = w.pc;
    switch (code) {
      case L.EXIT_ECALL: {
        this.traps.ecall++;
        const args = [10, 11, 12, 13, 14, 15].map((r) => w.getX(r));
        const nr = Number(BigInt.asIntN(64, w.getX(REG_A7)));
        w.pc = pc + 4n;   // before the call: rt_sigreturn replaces pc with every other register
        const r = this.syscalls.dispatch(this.ctx, nr, args, this.options.strace);
        w.setX(REG_A0, r);
        deliverSignals(this.task, w, { syscall: true, origA0: args[0] }, this.options.strace);
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
        if (va <= BigInt(Number.MAX_SAFE_INTEGER) && this.pmap.refill?.(Number(va), access)) return;
        const r = va <= BigInt(Number.MAX_SAFE_INTEGER) ? vmFault(this.task.map, Number(va), access) : "maperr";
        if (r === "ok") return;
        const what = accessName(access);
        if (r === "buserr") {
          // Linux: a file page beyond EOF is SIGBUS with BUS_ADRERR and si_addr = the faulting address.
          const detail = `${what} at ${hex(va)} beyond the end of a mapped file, pc ${hex(pc)}`;
          userFault(this.task, w, SIGBUS, BUS_ADRERR, va, detail, this.options.strace);
          return;
        }
        const detail = r === "maperr" ? `invalid ${what} at ${hex(va)}, pc ${hex(pc)}`
          : `${what} not permitted at ${hex(va)}, pc ${hex(pc)}`;
        userFault(this.task, w, SIGSEGV, r === "maperr" ? SEGV_MAPERR : SEGV_ACCERR, va, detail, this.options.strace);
        return;
      }
      case L.EXIT_ILLEGAL: {
        this.traps.other++;
        const insn = w.illegalInsn();
        const width = (insn & 3) === 3 ? 8 : 4;
        const detail = `illegal instruction 0x${insn.toString(16).padStart(width, "0")} at pc ${hex(pc)}`;
        userFault(this.task, w, SIGILL, ILL_ILLOPC, pc, detail, this.options.strace);
        return;
      }
      case L.EXIT_BREAKPOINT:
        this.traps.other++;
        userFault(this.task, w, SIGTRAP, TRAP_BRKPT, pc, `breakpoint at pc ${hex(pc)}`, this.options.strace);
        return;
      case L.EXIT_ACCESS_FAULT: {
        this.traps.other++;
        const cause = w.trapCause(), va = w.trapValue();
        const what = cause === L.CAUSE_FETCH_ACCESS ? "execute" : cause === L.CAUSE_STORE_ACCESS ? "write" : "read";
        const where = cause === L.CAUSE_LOAD_ACCESS || cause === L.CAUSE_STORE_ACCESS || cause === L.CAUSE_FETCH_ACCESS
          ? ` at ${hex(va)}` : "";
        // Linux (riscv traps.c): SIGSEGV with SEGV_ACCERR and si_addr = the faulting pc, not the address.
        const detail = `${what} access fault${where} (outside physical memory), pc ${hex(pc)}`;
        userFault(this.task, w, SIGSEGV, SEGV_ACCERR, pc, detail, this.options.strace);
        return;
      }
      case L.EXIT_MISALIGNED: {
        this.traps.other++;
        const cause = w.trapCause(), va = w.trapValue();
        const what = cause === L.CAUSE_MISALIGNED_LOAD ? "read" : cause === L.CAUSE_MISALIGNED_STORE ? "write" : "access";
        // Linux (riscv traps.c): SIGBUS with BUS_ADRALN and si_addr = the faulting pc, not the address.
        const detail = `misaligned atomic ${what} at ${hex(va)}, pc ${hex(pc)}`;
        userFault(this.task, w, SIGBUS, BUS_ADRALN, pc, detail, this.options.strace);
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
    const r = this.syscalls.dispatch(this.ctx, nr, a, this.options.strace);
    deliverSignals(this.task, this.wasm, { syscall: false }, this.options.strace);
    return BigInt.asIntN(64, r);
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
    out["pt_frames"] = this.phys.tableFrames;
    out["pt_frames_peak"] = this.phys.peakTable;
    out["pt_bytes"] = this.phys.tableFrames * 4096;
    out["pt_bytes_peak"] = this.phys.peakTable * 4096;
    out["user_frames"] = this.phys.userFrames;
    out["user_frames_peak"] = this.phys.peakUser;
    out["ram_frames"] = this.phys.frames;
    out["pmap_enters"] = this.pmap.stats.enters;
    out["pmap_removes"] = this.pmap.stats.removes;
    out["pmap_protects"] = this.pmap.stats.protects;
    out["pmap_flushes"] = this.pmap.stats.flushes;
    Object.assign(out, this.pmap.machineCounters?.() ?? {});
    const f = this.task.files.fs.pagerStats;
    out["file_pages_read"] = f.pagesRead;
    out["file_pages_written"] = f.pagesWritten;
    return out;
  }
}

/** The pmap of the machine's translation hardware (one per architecture, src/pmap/). */
function makePmap(config: MachineConfig, pctx: PmapContext, w: WasmMachine): Pmap {
  switch (config.arch) {
    case "bare": return new BarePmap(pctx);
    case "riscv-sv39": return new RadixPmap(pctx, SV39, new AsidAllocator());
    case "riscv-sv48": return new RadixPmap(pctx, SV48, new AsidAllocator());
    case "x86-64": return new X86Pmap(pctx, new X86Mmu(w, X86_64));
    case "x86-64-la57": return new X86Pmap(pctx, new X86Mmu(w, X86_64_LA57));
    case "sparc": return new SparcPmap(pctx, new SparcMmu(w));
    case "power": return new PowerPmap(pctx, new PowerMmu(w, pctx.phys, config.ramBytes, powerSlbConfig(), undefined, config.pftSize));
    case "hashed": return new ClusteredPmap(pctx, new ClusteredMmu(w, config.subblock ?? DEFAULT_SUBBLOCK));
    case "vax": {
      const stb = (machineData("vax") as unknown as { systemTb: { sets: number; ways: number } }).systemTb;
      return new VaxPmap(pctx, new VaxMmu(w, stb));
    }
    case "guarded": return new GuardedPmap(pctx, new GuardedMmu(w));
    case "mips-r3000": return mipsPmap(config, pctx, w, MIPS_R3000);
    case "mips-r4000": return mipsPmap(config, pctx, w, MIPS_R4000);
  }
}

/** A MIPS pmap, after checking the TLB geometry against the machine (one fully associative TLB above Wired). */
function mipsPmap(config: MachineConfig, pctx: PmapContext, w: WasmMachine, f: MipsFormat): Pmap {
  const data = mipsData(f.name);
  checkMipsTlb(f.name, config.tlb, data.wired);
  return new MipsPmap(pctx, new MipsMmu(w, f, data));
}

function accessName(access: number): string {
  return access === VM_PROT_EXECUTE ? "execute" : access === VM_PROT_WRITE ? "write" : "read";
}

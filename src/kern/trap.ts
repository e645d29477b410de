// The trap path (xv6 trap.c usertrap, FreeBSD's trap()): every exit of the hot path that is not the end of a
// budget is a trap into the kernel. ecall → system call; page fault → the pmap's own refill, then vm_fault; anything
// the kernel cannot resolve → a signal (kern/sigframe.ts), which runs the guest's handler or ends the task. The
// whole-machine trace replay (trace/machine.ts) takes its page faults through this same path (enter, then
// resolvePageFault), so a replayed fault costs and counts exactly what a live one does.

import {
  BUS_ADRALN, BUS_ADRERR, ILL_ILLOPC, SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGILL, SIGSEGV, SIGTRAP, TRAP_BRKPT,
} from "./signal.js";
import { deliverSignals, userFault } from "./sigframe.js";
import { Blocked } from "./sched.js";
import { expandStack } from "./stack_growth.js";
import type { Task } from "./task.js";
import type { WasmMachine } from "../machine/wasm.js";
import { type FaultResult, vmFault } from "../vm/vm_fault.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";

const REG_A0 = 10, REG_A7 = 17;

/** What a trap was, as the kernel counts it. */
export type TrapKind = "ecall" | "pageFault" | "other";

/** Kernel-side trap counters merged into the statistics. */
export interface TrapCounts {
  ecall: number;
  pageFault: number;
  other: number;
  cycles: bigint;             // cycles charged for trap entry and exit
}

/** What the trap path needs from the rest of the system (wired by boot/machine.ts). */
export interface TrapHost {
  /** The system-call layer (bsd/): makes call nr of task t; throws Blocked when the call must sleep. */
  syscall(t: Task, nr: number, args: bigint[], trace: ((line: string) => void) | undefined): bigint;
  /** --strace output for task t, if tracing. */
  traceOf(t: Task): ((line: string) => void) | undefined;
  /** Told of every trap at entry, before it is handled (the recorder, --pmap-collect-every); optional. */
  onTrap?(code: number): void;
  /** Told how each page fault of a task was resolved, before a signal is sent for it (--trace-faults); optional. */
  onPageFault?(t: Task, va: bigint, access: number, result: FaultResult): void;
  /** Puts task t to sleep until `ready` holds (a page-in on its way); throws Blocked. Absent: faults never sleep. */
  pageWait?(t: Task, ready: () => boolean): never;
}

/** The VM_PROT_* access a page-fault cause stands for, or -1 when the cause is not a page fault. */
export function faultAccess(w: WasmMachine, cause: number): number {
  const L = w.layout;
  return cause === L.CAUSE_FETCH_PAGE_FAULT ? VM_PROT_EXECUTE
    : cause === L.CAUSE_STORE_PAGE_FAULT ? VM_PROT_WRITE : cause === L.CAUSE_LOAD_PAGE_FAULT ? VM_PROT_READ : -1;
}

export class TrapHandler {
  readonly counts: TrapCounts = { ecall: 0, pageFault: 0, other: 0, cycles: 0n };

  constructor(private readonly w: WasmMachine, private readonly host: TrapHost) {}

  /** Trap entry, live or replayed: the trap is counted by kind and its entry and return charged. */
  enter(kind: TrapKind): void {
    const w = this.w, L = w.layout;
    w.addCounter(L.C_TRAPS, 1n);
    const cost = w.config(L.K_COST_TRAP);
    w.addCounter(L.C_XCYCLES, cost);
    this.counts.cycles += cost;
    this.counts[kind]++;
  }

  /**
   * Resolves a page fault of task t at va for `access`: the machine-dependent layer may resolve it from its own
   * record (pmap refill: a hashed table's hash_page), else the VM does (vm_fault; a replay passes its own
   * mapping of the page as `fault`).
   */
  resolvePageFault(t: Task, va: bigint, access: number,
    fault: (va: number, access: number) => FaultResult = (a, acc) => liveFault(t, a, acc, this.host.pageWait !== undefined)): FaultResult {
    if (va > BigInt(Number.MAX_SAFE_INTEGER)) return "maperr";
    if (t.pmap.refill?.(Number(va), access)) return "ok";
    return fault(Number(va), access);
  }

  /** Entry into the kernel for one trap of the running task t; returns when the guest may continue. */
  handle(t: Task, code: number): void {
    const w = this.w, L = w.layout;
    this.host.onTrap?.(code);
    w.clearReservation();
    this.enter(code === L.EXIT_ECALL ? "ecall" : code === L.EXIT_PAGE_FAULT ? "pageFault" : "other");
    const pc = w.pc;
    const trace = this.host.traceOf(t);
    switch (code) {
      case L.EXIT_ECALL: return this.ecall(t, pc, trace);
      case L.EXIT_PAGE_FAULT: return this.pageFault(t, pc, trace);
      case L.EXIT_ILLEGAL: {
        const insn = w.illegalInsn();
        const width = (insn & 3) === 3 ? 8 : 4;
        const detail = `illegal instruction 0x${insn.toString(16).padStart(width, "0")} at pc ${hex(pc)}`;
        userFault(t, w, SIGILL, ILL_ILLOPC, pc, detail, trace);
        return;
      }
      case L.EXIT_BREAKPOINT:
        userFault(t, w, SIGTRAP, TRAP_BRKPT, pc, `breakpoint at pc ${hex(pc)}`, trace);
        return;
      case L.EXIT_ACCESS_FAULT: {
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

  private ecall(t: Task, pc: bigint, trace: ((line: string) => void) | undefined): void {
    const w = this.w;
    const args = [10, 11, 12, 13, 14, 15].map((r) => w.getX(r));
    const nr = Number(BigInt.asIntN(64, w.getX(REG_A7)));
    w.pc = pc + 4n;   // before the call: rt_sigreturn replaces pc with every other register, clone copies it
    let r: bigint;
    try {
      r = this.host.syscall(t, nr, args, trace);
    } catch (e) {
      // The call sleeps (wait4, a pipe): it is made again from the ecall when the task is woken.
      if (e instanceof Blocked) { w.pc = pc; t.restartCall = true; }
      throw e;
    }
    w.setX(REG_A0, r);
    deliverSignals(t, w, { syscall: true, origA0: args[0] }, trace);
  }

  private pageFault(t: Task, pc: bigint, trace: ((line: string) => void) | undefined): void {
    const w = this.w;
    const cause = w.trapCause(), va = w.trapValue();
    const access = faultAccess(w, cause);
    if (access < 0) throw new Error(`page fault with cause ${cause} at pc ${hex(pc)}`);
    // No "same fault again" rule: Linux has none, and the same fault legitimately recurs with nothing retiring (a
    // handler at an unmapped address with SA_NODEFER is re-entered until its frames overflow the stack; forked
    // children fault at one pc). A fault the kernel cannot resolve becomes a signal; one whose handler cannot be
    // reached ends the task (deliverSignals: force_sigsegv, or the fault forced through a blocked signal).
    const r = this.resolvePageFault(t, va, access);
    this.host.onPageFault?.(t, va, access, r);
    if (r === "ok") return;
    // The page's data is on its way (vm_fault.ts): sleep; the instruction faults again once it has come.
    if (r === "wait") this.host.pageWait!(t, t.map.vm.waitingFor!);
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
  }
}

/** A live fault: a stack growing down is extended first (the fault handler's expand_stack), then vm_fault. */
function liveFault(t: Task, va: number, access: number, mayWait: boolean): FaultResult {
  expandStack(t, va);
  return vmFault(t.map, va, access, false, mayWait);
}

function accessName(access: number): string {
  return access === VM_PROT_EXECUTE ? "execute" : access === VM_PROT_WRITE ? "write" : "read";
}

// Recording a guest's virtual references into a binary trace (`mmulab record`, FORMAT.md version 3). The hot path
// appends one record per translation to the instance's trace buffer while K_RECORD is set (assembly/trace/
// record.ts); this side writes the buffer out when run() exits with EXIT_TRACE_FULL and at the end, and adds the
// control records a machine-level replay needs to see the same page tables as the live run: the task at the start,
// and every page-table change the kernel makes other than resolving a page fault of a traced reference (those the
// replaying kernel makes again by itself): kernel-side mappings (copyout into fresh pages, the exec stack), removals
// (munmap, page frees), permission changes (mprotect) and collections. Every trap is recorded too, at the point it
// was taken: a page fault as the page and access that faulted, which the replay translates there (the faulting
// lookup) and resolves before the instruction's fetch is replayed again, as the CPU re-executes it; any other trap
// (a system call) as its kind, whose cost the replay charges at the same point. The order matters: MIPS's Random
// register runs on the data accesses and cycles charged so far (assembly/tlb/policy/mips_random.ts), so a lookup or
// a cost moved by one access picks another victim. A guest that forks gives several tasks: each context switch is a
// task record (the first task is `taskId`, the others follow in pid order), and a change the kernel makes in another
// task's page tables than the running one's is framed by task records naming that task.

import type { MachineRecorder } from "../boot/machine.js";
import type { Pmap, Translation } from "../vm/pmap.js";
import type { VmPage } from "../vm/vm_page.js";
import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_NONE, VM_PROT_WRITE } from "../vm/vm_prot.js";
import { faultAccess } from "../kern/trap.js";
import type { WasmMachine } from "../machine/wasm.js";
import {
  BinaryTraceWriter, CTL_COLLECT, CTL_END, CTL_GRANT, CTL_MAP, CTL_PROTECT, CTL_REMAP, CTL_REMOVE, CTL_TASK, CTL_TRAP,
  FLAG_IFETCH, FLAG_SIZES, GRANT_COPY, RECORD_SIZE, TRAP_OTHER, TRAP_SYSCALL, encodeControl, encodeFault,
} from "./binary.js";
import { KIND_IFETCH, KIND_LOAD, KIND_STORE, TraceError } from "./batch.js";

interface RecordExports {
  recFill: WebAssembly.Global;
  recLost: WebAssembly.Global;
  setRecFill(n: number): void;
}

/** A page fault the kernel is handling. */
interface PendingFault {
  slot: number;                      // its grant record's slot in the trace buffer
  va: bigint;
  access: number;                    // VM_PROT_* bit of the access that faulted
  pmap: Pmap | undefined;            // the faulting task's
  frame: number | undefined;         // the physical page va was mapped to when it faulted
}

/** va's translation in pmap, if any. */
function extract(pmap: Pmap | undefined, va: bigint): Translation | undefined {
  if (!pmap || va > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  try {
    return pmap.extract(Number(va));
  } catch {
    return undefined;                // an address space destroyed (a fatal signal)
  }
}

/** The physical page va is mapped to in pmap, if any. */
function frameOf(pmap: Pmap | undefined, va: bigint): number | undefined {
  const t = extract(pmap, va);
  return t === undefined ? undefined : Math.floor(t.pa / PAGE_SIZE);
}

export class TraceRecorder implements MachineRecorder {
  private writer: BinaryTraceWriter | undefined;
  private w: WasmMachine | undefined;
  private ex: RecordExports | undefined;
  private guestFault = false;     // inside the kernel's handling of a traced reference's page fault
  private flushes = 0;
  private firstPid: number | undefined;   // the first task's pid: its trace task id is taskId
  private running: number;                // trace task id of the references being recorded now
  private readonly pmaps = new Map<number, Pmap>();   // trace task id → its pmap (the latest: exec makes another)
  // The last page fault, until the kernel is done with it: the slot of its grant record in the buffer, which
  // then gets the rights the task's pmap gives the page (none: the kernel sent a signal).
  private pendingFault: PendingFault | undefined;

  constructor(readonly path: string, private readonly taskId = 0) { this.running = taskId; }

  private traceId(pid: number): number {
    this.firstPid ??= pid;
    return this.taskId + (pid - this.firstPid);
  }

  /** Records `rec` as task `id`'s, with task records around it when another task is running. */
  private asTask(id: number, rec: () => void): void {
    if (id === this.running) { rec(); return; }
    this.control(encodeControl(CTL_TASK, id * PAGE_SIZE));
    rec();
    this.control(encodeControl(CTL_TASK, this.running * PAGE_SIZE));
  }

  /** A context switch: the references that follow are task pid's. */
  onSwitch(pid: number): void {
    this.settleFault();
    const id = this.traceId(pid);
    if (id === this.running) return;
    this.running = id;
    this.control(encodeControl(CTL_TASK, id * PAGE_SIZE));
  }

  /** Switches the machine's hot path to recording (before it runs anything). */
  attach(w: WasmMachine): void {
    const ex = w.exports as unknown as Partial<RecordExports>;
    if (typeof ex.setRecFill !== "function" || !(ex.recFill instanceof WebAssembly.Global)) {
      throw new Error("build/mmulab.wasm lacks the recorder: rebuild it");
    }
    this.writer = new BinaryTraceWriter(this.path, { flags: FLAG_IFETCH | FLAG_SIZES, pageShift: 12 });
    this.w = w;
    this.ex = ex as RecordExports;
    this.ex.setRecFill(0);
    w.setConfig(w.layout.K_RECORD, 1n);
    w.resetTlbs();                 // empties the host caches, which recording keeps empty
    this.control(encodeControl(CTL_TASK, this.taskId * PAGE_SIZE));
  }

  /**
   * Wraps the pmap's operations so that the ones the kernel makes of its own accord are recorded. Only outermost
   * calls count (a pmap calling itself records nothing more).
   */
  wrapPmap(p: Pmap, pid: number): Pmap {
    let depth = 0;
    const id = this.traceId(pid);
    this.pmaps.set(id, p);
    const outer = <A extends unknown[]>(op: (...a: A) => void, rec: (...a: A) => void) => (...a: A): void => {
      if (depth === 0) this.asTask(id, () => rec(...a));
      depth++;
      try { op(...a); } finally { depth--; }
    };
    const range = (type: number, sva: number, eva: number, prot = 0): void => {
      this.control(encodeControl(type, sva, prot));
      this.control(encodeControl(CTL_END, eva));
    };
    const enter = p.enter.bind(p), remove = p.remove.bind(p), protect = p.protect.bind(p);
    const pageProtect = p.pageProtect.bind(p), collect = p.collect.bind(p);
    p.enter = outer(enter, (va: number, pa: number, prot: number, _w: boolean, access?: number) => {
      if (this.guestFault) return;
      const old = frameOf(p, BigInt(va));
      const type = old !== undefined && old !== Math.floor(pa / PAGE_SIZE) ? CTL_REMAP : CTL_MAP;
      this.control(encodeControl(type, va, prot, access ?? 0));
    });
    p.remove = outer(remove, (sva: number, eva: number) => range(CTL_REMOVE, sva, eva));
    p.protect = outer(protect, (sva: number, eva: number, prot: number) => range(CTL_PROTECT, sva, eva, prot));
    p.pageProtect = outer(pageProtect, (page: VmPage, prot: number) => {
      for (const pv of page.pv) {
        if (pv.pmap !== p) continue;
        if (prot === VM_PROT_NONE) range(CTL_REMOVE, pv.va, pv.va + PAGE_SIZE);
        else range(CTL_PROTECT, pv.va, pv.va + PAGE_SIZE, prot);
      }
    });
    p.collect = outer(collect, () => this.control(encodeControl(CTL_COLLECT, 0)));
    return p;
  }

  /**
   * Every trap into the kernel, recorded before what the kernel does in it. A page fault's mapping is the
   * replaying kernel's to make again, when it replays the fault.
   */
  onTrap(code: number): void {
    const w = this.w;
    if (!w) return;
    this.settleFault();
    const L = w.layout;
    this.guestFault = code === L.EXIT_PAGE_FAULT;
    if (!this.guestFault) {
      this.control(encodeControl(CTL_TRAP, (code === L.EXIT_ECALL ? TRAP_SYSCALL : TRAP_OTHER) * PAGE_SIZE));
      return;
    }
    const va = w.trapValue(), access = faultAccess(w, w.trapCause());
    this.control(encodeFault(va, access === VM_PROT_EXECUTE ? KIND_IFETCH : access === VM_PROT_WRITE ? KIND_STORE : KIND_LOAD));
    this.control(encodeControl(CTL_GRANT, 0));
    const pmap = this.pmaps.get(this.running);
    this.pendingFault = { slot: Number(this.ex!.recFill.value) - 1, va, access, pmap, frame: frameOf(pmap, va) };
  }

  /**
   * The kernel is done with the last page fault (the guest ran on, or is about to): its grant record gets the
   * rights the page has now, which the replaying kernel gives it (the live one may have withheld write for
   * copy-on-write, or execute); none if the page is not mapped for the access that faulted: the kernel answered
   * the fault with a signal, and the replaying kernel leaves the page as it is.
   */
  private settleFault(): void {
    const f = this.pendingFault, w = this.w;
    if (!f || !w) return;
    this.pendingFault = undefined;
    const t = extract(f.pmap, f.va);
    const prot = t && (t.prot & f.access) !== 0 ? t.prot & VM_PROT_ALL : VM_PROT_NONE;
    const copied = prot !== VM_PROT_NONE && f.frame !== undefined && Math.floor(t!.pa / PAGE_SIZE) !== f.frame;
    const at = w.layout.TRACE_BASE + RECORD_SIZE * f.slot;
    w.dv.setBigUint64(at, encodeControl(CTL_GRANT, 0, prot, copied ? GRANT_COPY : 0), true);
  }

  /** Appends one record from the host side (after the hot path's records so far). */
  private control(rec: bigint): void {
    const w = this.w, ex = this.ex;
    if (!w || !ex) return;
    let fill = Number(ex.recFill.value);
    if (fill >= w.layout.TRACE_CAPACITY) fill = this.flushBefore(this.pendingFault?.slot ?? fill);
    w.dv.setBigUint64(w.layout.TRACE_BASE + RECORD_SIZE * fill, rec, true);
    ex.setRecFill(fill + 1);
  }

  /** Writes the buffered records to the file and empties the buffer (between traps: run() exits to flush). */
  flush(): void {
    this.settleFault();
    this.flushBefore(Number(this.ex?.recFill.value ?? 0));
  }

  /**
   * Writes the buffered records before slot `end` to the file and moves the others (a page fault's grant record,
   * to be filled in when the kernel is done with the fault, and what follows it) to the front of the buffer;
   * returns the records kept.
   */
  private flushBefore(end: number): number {
    const w = this.w, ex = this.ex;
    if (!w || !ex) return 0;
    if (Number(ex.recLost.value) !== 0) throw new TraceError(`recording lost ${ex.recLost.value} references (trace buffer overflow)`);
    const fill = Number(ex.recFill.value), base = w.layout.TRACE_BASE;
    if (end === 0 && fill > 0) { this.settleFault(); end = fill; }   // a whole buffer of one trap: decide now
    if (end > 0) this.writer!.writeRecords(w.u8.slice(base, base + RECORD_SIZE * end));
    w.u8.copyWithin(base, base + RECORD_SIZE * end, base + RECORD_SIZE * fill);
    if (this.pendingFault) this.pendingFault.slot -= end;
    ex.setRecFill(fill - end);
    this.flushes++;
    return fill - end;
  }

  /** Flushes and closes the file; returns the number of records written. */
  close(): bigint {
    if (!this.writer) return 0n;
    this.flush();
    return this.writer.close();
  }
}

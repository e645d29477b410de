// Trace-driven replay through a whole machine: the machine's L1 TLBs, L2 TLB and walker in wasm (assembly/trace/
// machine.ts), under a kernel whose address space is one anonymous region covering all of user space, so every
// page is demand-mapped (zero-filled) by vm_fault when a reference first touches it; no guest code runs. A
// reference that faults is replayed again after the fault is resolved, as the CPU re-executes a faulting
// instruction, and is taken through the live run's trap path (kern/trap.ts). Control records of a recorded trace
// (FORMAT.md) replay the kernel's own page-table changes of the live run and its traps where they were taken (a
// page fault's lookup and resolution, a system call's cost), so a trace recorded from a guest and replayed here
// gives the live run's translation counters and cycles (README, "Recording, whole-machine replay").

import type { GuestIo } from "../fs/file.js";
import { Machine } from "../boot/machine.js";
import type { MachineConfig } from "../machine/config.js";
import { translates } from "../machine/costs.js";
import { type FaultResult, vmFault } from "../vm/vm_fault.js";
import { VmMapEntry } from "../vm/vm_map.js";
import { PAGE_SIZE, VM_PROT_ALL, hex } from "../vm/vm_prot.js";
import { faultAccess } from "../kern/trap.js";
import { KIND_IFETCH, type ReadOptions, type ReadStats, TraceError } from "./batch.js";
import {
  COUNT_UNKNOWN, CTL_COLLECT, CTL_END, CTL_FAULT, CTL_GRANT, CTL_MAP, CTL_PROTECT, CTL_REMAP, CTL_REMOVE, CTL_TASK, CTL_TRAP,
  FLAG_SIZES, GRANT_COPY, RECORD_SIZE, TRAP_SYSCALL, type TraceHeader, decodeControl, decodeFault, isBinaryTraceFile,
  readBinaryFile,
} from "./binary.js";
import { readTrace, type TraceFormat } from "./study.js";

interface MachineReplayExports {
  machineReplay(from: number, n: number, addrMask: bigint, dropIfetch: number): number;
  mrStop: WebAssembly.Global;
  MR_DONE: WebAssembly.Global;
  MR_FAULT: WebAssembly.Global;
  MR_CONTROL: WebAssembly.Global;
}

const silent: GuestIo = { read: () => new Uint8Array(0), write: () => {} };

/** A page fault taken: its address, the access that faulted, and the rights to resolve it with (a recorded one). */
interface Fault { va: bigint; access: number; prot?: number; copy?: boolean }

/** What a replay needs from a trace's header: version 1 control records carry only a task id. */
export interface RecordFormat { version: number; sizes: boolean }

export interface MachineReplayStats {
  references: number;     // references replayed (instruction fetches dropped with --no-ifetch not counted)
  controls: number;       // control records applied
  retries: number;        // references that faulted, replayed again once their page fault was resolved
  signals: number;        // references that faulted and were not resolved: the live kernel sent a signal
}

export class MachineReplayer {
  readonly machine: Machine;
  readonly stats: MachineReplayStats = { references: 0, controls: 0, retries: 0, signals: 0 };
  private readonly ex: MachineReplayExports;
  private pending: { type: number; address: number; prot: number } | undefined;  // a range op awaiting CTL_END
  private taskId: number | undefined;                                             // the one task replayed
  private unresolved: Fault | undefined;                                          // a page fault taken, not yet resolved
  private readonly region: VmMapEntry;                                            // the one anonymous address space
  private readonly codes: { done: number; fault: number; control: number };

  constructor(readonly config: MachineConfig) {
    if (!translates(config.arch)) throw new TraceError("--arch bare has no TLB to replay a trace through");
    this.machine = new Machine(config, { io: silent });
    const ex = this.machine.wasm.exports as unknown as Partial<MachineReplayExports>;
    if (typeof ex.machineReplay !== "function") throw new Error("build/mmulab.wasm lacks machineReplay: rebuild it");
    this.ex = ex as MachineReplayExports;
    this.codes = { done: Number(this.ex.MR_DONE.value), fault: Number(this.ex.MR_FAULT.value), control: Number(this.ex.MR_CONTROL.value) };
    const t = this.machine.task, L = t.layout;
    // One anonymous address space: each page is made on its first reference, as a recorded run makes it (no
    // zero page there either: see Machine).
    this.machine.vm.useZeroPage = false;
    this.region = new VmMapEntry(L.minAddress, L.maxAddress, null, 0, VM_PROT_ALL, VM_PROT_ALL, "copy", false, "[trace]");
    t.map.insert(this.region);
  }

  /** The machine's trace buffer as bytes, for a reader that fills it with raw records. */
  rawBuffer(): Uint8Array {
    const L = this.machine.wasm.layout;
    return this.machine.wasm.u8.subarray(L.TRACE_BASE, L.TRACE_BASE + RECORD_SIZE * L.TRACE_CAPACITY);
  }

  /** Copies records (bytes of whole records, at most the buffer's size) into the buffer and replays them. */
  feedBytes(bytes: Uint8Array, f: RecordFormat, dropIfetch: boolean): void {
    this.rawBuffer().set(bytes);
    this.feedRaw(bytes.length / RECORD_SIZE, f, dropIfetch);
  }

  /**
   * Replays the first n records of the buffer, in format f (from the trace's header).
   */
  feedRaw(n: number, f: RecordFormat, dropIfetch: boolean): void {
    const w = this.machine.wasm;
    const words = new Uint32Array(w.u8.buffer, w.layout.TRACE_BASE, 2 * n);
    let refs = 0;
    for (let i = 0; i < n; i++) {
      const k = words[2 * i]! & 3;
      if (k !== 3 && !(k === 2 && dropIfetch)) refs++;
    }
    this.stats.references += refs;
    const mask = f.sizes ? -16n : -4n;
    let i = 0, lastFault = -1, repeats = 0;
    while (i < n) {
      if (this.unresolved && (w.dv.getUint32(w.layout.TRACE_BASE + RECORD_SIZE * i, true) & 3) !== 3) this.resolve();
      i = this.ex.machineReplay(i, n, mask, dropIfetch ? 1 : 0);
      const stop = Number(this.ex.mrStop.value);
      if (stop === this.codes.done) break;
      if (stop === this.codes.control) {
        const rec = w.dv.getBigUint64(w.layout.TRACE_BASE + RECORD_SIZE * i, true);
        if (f.version >= 3 && decodeControl(rec).type === CTL_FAULT) this.recordedFault(i, rec, mask, dropIfetch);
        else if (f.version >= 2) this.control(rec);
        i++;
        continue;
      }
      repeats = i === lastFault ? repeats + 1 : 0;
      lastFault = i;
      if (repeats >= 3) throw new Error(`the page fault at ${hex(w.trapValue())} is not resolved by the kernel`);
      this.fault();
      this.stats.retries++;
    }
  }

  /** A reference faulted (no fault record): the trap, and the fault resolved before it is replayed again. */
  private fault(): void {
    this.unresolved = this.trapEntry();
    this.resolve();
  }

  /** The trap of the page fault the machine holds (its cause and address): entered as the live kernel enters it. */
  private trapEntry(): Fault {
    const w = this.machine.wasm;
    this.machine.trapHandler.enter("pageFault");
    const cause = w.trapCause(), va = w.trapValue();
    const access = faultAccess(w, cause);
    if (access < 0) {
      throw new TraceError(`reference to ${hex(va)} lies outside the machine's physical memory (--mem ${this.config.ramBytes})`);
    }
    return { va, access };
  }

  /**
   * Resolves the page fault taken last through the live trap path (kern/trap.ts): the pmap's own refill first
   * (POWER's hash refill, Linux hash_page), else the page is mapped as the live kernel mapped it (mapPage). A
   * recorded fault is resolved once the kernel's other work in its trap (a pmap collection at trap entry) is
   * replayed, before the next reference.
   */
  private resolve(): void {
    const f = this.unresolved;
    if (!f) return;
    this.unresolved = undefined;
    const { va, access } = f;
    const r = this.machine.trapHandler.resolvePageFault(this.machine.task, va, access,
      (a, acc) => this.mapPage(a, acc, f.prot, f.copy ?? false));
    if (r !== "ok") {
      const L2 = this.machine.task.layout;
      throw new TraceError(`reference to ${hex(va)} lies outside ${this.config.arch}'s user address space ` +
        `[${hex(L2.minAddress)}, ${hex(L2.maxAddress)})`);
    }
  }

  /**
   * A page fault of the live run, at record i of the buffer: the faulting reference is translated here (in the
   * record's slot, which the buffer no longer needs), where the live CPU made it, and the fault resolved, so the
   * re-executed instruction's references that follow in the trace find the page mapped, as they did live.
   */
  private recordedFault(i: number, rec: bigint, mask: bigint, dropIfetch: boolean): void {
    this.stats.controls++;
    this.resolve();                                   // a new trap: the kernel is done with the last one
    const c = decodeFault(rec);
    if (c.kind === KIND_IFETCH && dropIfetch) return;
    const w = this.machine.wasm;
    w.dv.setBigUint64(w.layout.TRACE_BASE + RECORD_SIZE * i, c.address | BigInt(c.kind), true);
    this.ex.machineReplay(i, i + 1, mask, 0);
    if (Number(this.ex.mrStop.value) !== this.codes.fault) return;   // this replay diverged from the live run
    this.unresolved = this.trapEntry();             // resolved as its grant record (next) says
  }

  /**
   * The rights the live kernel gave the page of the fault just replayed, once done with it: resolved with those
   * (before the next reference), or, with none, not at all: the live kernel sent a signal.
   */
  private grant(prot: number, copy: boolean): void {
    const f = this.unresolved;
    if (!f) return;                                   // its fault was not replayed (a fetch, with --no-ifetch)
    if (prot !== 0) { f.prot = prot; f.copy = copy; this.stats.retries++; return; }
    this.unresolved = undefined;
    this.machine.vm.stats.faultErrors++;
    this.stats.signals++;
  }

  /** Applies a control record: the live kernel's page-table change, made again on this machine's pmap. */
  private control(rec: bigint): void {
    this.stats.controls++;
    const c = decodeControl(rec);
    const pmap = this.machine.task.pmap;
    switch (c.type) {
      case CTL_TASK: {                                // one address space per replay
        const id = c.address / 4096;
        if (this.taskId !== undefined && id !== this.taskId) {
          throw new TraceError(`the trace switches from task ${this.taskId} to task ${id} (a guest that forks): ` +
            "a whole-machine replay replays one address space");
        }
        this.taskId = id;
        return;
      }
      case CTL_MAP: case CTL_REMAP:
        if (this.mapPage(c.address, c.access, c.prot, c.type === CTL_REMAP) !== "ok") {
          throw new TraceError(`control record maps ${hex(c.address)}, outside ${this.config.arch}'s user address space`);
        }
        return;
      case CTL_REMOVE: case CTL_PROTECT:
        this.pending = { type: c.type, address: c.address, prot: c.prot };
        return;
      case CTL_END: {
        const p = this.pending;
        if (!p) throw new TraceError("bad trace: a range end without its start");
        this.pending = undefined;
        if (p.type === CTL_REMOVE) pmap.remove(p.address, c.address);
        else pmap.protect(p.address, c.address, p.prot);
        return;
      }
      case CTL_COLLECT: pmap.collect(); this.machine.pmapCollections++; return;
      case CTL_GRANT: this.grant(c.prot, (c.access & GRANT_COPY) !== 0); return;
      case CTL_TRAP:                                  // a system call or another trap of the live run: its cost
        this.resolve();
        this.machine.trapHandler.enter(c.address / PAGE_SIZE === TRAP_SYSCALL ? "ecall" : "other");
        return;
      default: throw new TraceError(`bad trace: unknown control record type ${c.type}`);
    }
  }

  /**
   * Maps the page of va through vm_fault, as the live kernel did. The one region stands for the live map: for
   * this page it has the rights the live kernel gave it (when recorded); and if the live kernel gave the page a
   * new frame (copy-on-write, a virtual copy), the page leaves the region's object, so that the fault maps a new
   * frame in its place, as live (the old one is freed once no longer mapped).
   */
  private mapPage(va: number, access: number, prot: number | undefined, copy: boolean): FaultResult {
    const region = this.region, obj = region.object;
    const old = copy ? obj?.pageLookup(region.offset + va - (va % PAGE_SIZE) - region.start) : undefined;
    if (old) obj!.pageRemove(old);
    if (prot !== undefined) region.protection = prot;
    try {
      return vmFault(this.machine.task.map, va, access);
    } finally {
      region.protection = VM_PROT_ALL;
      if (old) this.machine.vm.pageFree(old);
    }
  }

  /** The end of the trace: a page fault recorded last is resolved, as the live kernel resolved it. */
  finish(): void { this.resolve(); }

  counters(): Record<string, number> {
    this.finish();
    const c = this.machine.counters();
    c["trace_references"] = this.stats.references;
    c["trace_controls"] = this.stats.controls;
    c["trace_retries"] = this.stats.retries;
    c["trace_signals"] = this.stats.signals;
    return c;
  }
}

/**
 * Replays a trace file ('-' = stdin; any format and compression readTrace reads) through replayer r. A plain
 * binary file is read straight into the machine's trace buffer; anything else in batches.
 */
export async function replayFileOnMachine(r: MachineReplayer, path: string, format: TraceFormat, o: ReadOptions,
  stats: ReadStats): Promise<void> {
  const name = path === "-" ? "<stdin>" : path;
  let f: RecordFormat = { version: 2, sizes: false };
  const onHeader = (h: TraceHeader): void => {
    f = { version: h.version, sizes: (h.flags & FLAG_SIZES) !== 0 };
    if (h.count === COUNT_UNKNOWN) stats.countUnknown = true;
  };
  if ((format === "auto" || format === "bin") && isBinaryTraceFile(path)) {
    for (const n of readBinaryFile(path, name, () => r.rawBuffer(), onHeader)) {
      r.feedRaw(n, f, o.ifetch === false);
      stats.records += n;
    }
  } else {
    for await (const b of readTrace(path, format, o, stats, onHeader)) r.feedBytes(b.bytes.subarray(0, b.count * RECORD_SIZE), f, false);
  }
  r.finish();
}

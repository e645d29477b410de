// --trace-faults: each page fault the kernel takes from the hardware, one line: the task, the access, va, pc, and
// how the kernel resolved it. The resolution is read from what the fault did to the VM's counters (vm_system.ts
// VmStats) — a page zero-filled, copied on write, read from the vnode pager, the shared zero page mapped, a
// superpage promoted — or, when it made no page, whether the address space already had a translation there (a
// protection upgrade: a write to a page mapped read-only, Svade's A/D fault) or not (a resident page entered: shared,
// or left by another task); a fault the machine-dependent layer answered from its own record (the pmap refill of a
// hashed table) touches none of them. A fault the kernel cannot resolve is the signal Linux sends, with its si_code.

import type { Task } from "../kern/task.js";
import type { FaultResult } from "../vm/vm_fault.js";
import type { VmSystem } from "../vm/vm_system.js";
import { VM_PROT_EXECUTE, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";

/** How the kernel resolved one fault (the words --trace-faults prints). */
export type FaultResolution = "zero fill" | "zero page" | "copy-on-write copy" | "file page (vnode pager)"
  | "protection upgrade" | "shared page" | "resident page" | "pmap refill only"
  | "SIGSEGV (SEGV_MAPERR)" | "SIGSEGV (SEGV_ACCERR)" | "SIGBUS (BUS_ADRERR)";

interface Before {
  t: Task;
  va: bigint;
  pc: bigint;
  mapped: boolean;
  faults: number;
  zeroFills: number;
  cowCopies: number;
  pagerFills: number;
  zeroPageMaps: number;
  promotions: number;
}

export class FaultTracer {
  private before: Before | undefined;

  /**
   * `promotions` reads the superpage promotions so far (0 where the machine makes none); `out` takes each line;
   * `firstPid` is the first task's pid, whose lines are not marked (as --strace marks the others).
   */
  constructor(private readonly vm: VmSystem, private readonly promotions: () => number,
    private readonly out: (line: string) => void, private readonly firstPid: number) {}

  /** At the entry of a page-fault trap of task t at va (pc): what the fault will be measured against. */
  enter(t: Task, va: bigint, pc: bigint): void {
    const s = this.vm.stats;
    const mapped = va <= BigInt(Number.MAX_SAFE_INTEGER) && t.pmap.extract(Number(va)) !== undefined;
    this.before = {
      t, va, pc, mapped, faults: s.faults, zeroFills: s.zeroFills, cowCopies: s.cowCopies, pagerFills: s.pagerFills,
      zeroPageMaps: s.zeroPageMaps, promotions: this.promotions(),
    };
  }

  /** After the kernel resolved it (or not): one line. */
  resolved(t: Task, va: bigint, access: number, result: FaultResult): void {
    const b = this.before;
    this.before = undefined;
    if (!b || b.t !== t || b.va !== va) return;
    const kind = this.kind(b, t, va, result);
    const promoted = this.promotions() > b.promotions ? ", superpage promoted" : "";
    const who = t.pid === this.firstPid ? "" : `[pid ${t.pid}] `;
    const acc = access === VM_PROT_EXECUTE ? "fetch" : access === VM_PROT_WRITE ? "store" : "load";
    this.out(`${who}fault ${acc} va ${hex(va)} pc ${hex(b.pc)}: ${kind}${promoted}`);
  }

  private kind(b: Before, t: Task, va: bigint, result: FaultResult): string {
    if (result === "maperr") return "SIGSEGV (SEGV_MAPERR)";
    if (result === "accerr") return "SIGSEGV (SEGV_ACCERR)";
    if (result === "buserr") return "SIGBUS (BUS_ADRERR)";
    const s = this.vm.stats;
    // A private file page written at its first touch is read from the pager and then copied: both are said.
    const made: FaultResolution[] = [];
    if (s.pagerFills > b.pagerFills) made.push("file page (vnode pager)");
    if (s.zeroFills > b.zeroFills) made.push("zero fill");
    if (s.cowCopies > b.cowCopies) made.push("copy-on-write copy");
    if (s.zeroPageMaps > b.zeroPageMaps) made.push("zero page");
    if (made.length > 0) return made.join(" + ");
    if (s.faults === b.faults) return "pmap refill only";
    if (b.mapped) return "protection upgrade";
    const entry = t.map.lookup(Number(va));
    return entry?.object?.shared || entry?.inheritance === "share" ? "shared page" : "resident page";
  }
}

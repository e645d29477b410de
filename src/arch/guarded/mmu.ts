// The guarded-page-table MMU as its pmap drives it (shared reference academic_tables.md §4): the root register
// with its ASID and the invalidation operation (sfence.vma's semantics) over the wasm's control operations
// (assembly/arch/guarded/control.ts), and the machine's ASIDs by generation.

import type { WasmMachine } from "../../machine/wasm.js";

/** The control operations of assembly/arch/guarded/control.ts, and the memory the tables live in. */
export type GuardedMachine = Pick<WasmMachine, "readPhys64" | "writePhys64" | "fillPhys" | "phys" | "gptSetRoot" | "gptInvalidate">;

/** The machine's side: ASIDs with generations, and which address space is current. */
export class GuardedMmu {
  generation = 1;
  private next = 1;
  current: object | undefined;   // the address space whose root and ASID are loaded
  constructor(readonly machine: GuardedMachine, readonly maxAsid = 0xFFFF) {}

  /** A fresh ASID in the current generation; on exhaustion a new generation flushes every TLB entry. */
  allocateAsid(): number {
    if (this.next > this.maxAsid) {
      this.generation++;
      this.next = 1;
      this.machine.gptInvalidate(0, 0, false, false);
    }
    return this.next++;
  }
}

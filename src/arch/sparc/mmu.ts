// The sun4u MMU as Linux sparc64 drives it (UltraSPARC User's Manual ch. 6; shared reference sparc_tsb.md): the
// context switch (TSB register, page-table base, context), demaps and the full flush over the wasm's control
// operations (assembly/arch/sparc/control.ts), and the machine's context numbers as Linux allocates them.

import { type WasmMachine, wasmLayout } from "../../machine/wasm.js";
import { RefModEmulation, type RefModMachine } from "../refmod.js";

/** Context numbers: 13 bits (UltraSPARC User's Manual §6.4; Linux CTX_NR_BITS), as the wasm defines them. */
export const CTX_NR_BITS = wasmLayout().SPARC_CTX_BITS;

/** What the SPARC pmap needs from the machine: the TSB's memory and the control operations (arch/sparc/control.ts). */
export type SparcMachine = Pick<WasmMachine, "readPhys64" | "writePhys64" | "sparcSwitch" | "sparcDemap" | "sparcFlushAll"> & RefModMachine;

/** Linux's context allocator (get_new_mmu_context): a bitmap of numbers in use, a version, the last number given. */
export class SparcContexts {
  version = 1;
  wraps = 0;
  private last = 0;
  private readonly used: Uint8Array;
  constructor(readonly bits = CTX_NR_BITS) {
    this.used = new Uint8Array(1 << bits);
    this.used[0] = 1;   // the nucleus context
  }
  get size(): number { return this.used.length; }

  /** A free number (never 0); `wrapped` when the version advanced and every older number became invalid. */
  allocate(): { ctx: number; wrapped: boolean } {
    let ctx = this.find(this.last + 1, this.size);
    if (ctx < 0) ctx = this.find(1, this.last + 1);
    let wrapped = false;
    if (ctx < 0) {
      this.version++;
      this.wraps++;
      this.used.fill(0);
      this.used[0] = 1;
      ctx = 1;
      wrapped = true;
    }
    this.used[ctx] = 1;
    this.last = ctx;
    return { ctx, wrapped };
  }

  /** destroy_context: the number is free again (if it is still of the current version). */
  release(ctx: number, version: number): void {
    if (version === this.version && ctx > 0) this.used[ctx] = 0;
  }

  private find(from: number, to: number): number {
    for (let c = from; c < to; c++) if (this.used[c] === 0) return c;
    return -1;
  }
}

/** The per-machine side: contexts, and which address space is current. */
export class SparcMmu {
  current: object | undefined;   // the address space whose context and TSB are loaded
  /** The emulated referenced bit's soft faults (pmap.ts, radix_table.ts refill), for every address space. */
  readonly refmod: RefModEmulation;
  constructor(readonly machine: SparcMachine, readonly contexts = new SparcContexts()) {
    this.refmod = new RefModEmulation(machine, "sparc");
  }
}

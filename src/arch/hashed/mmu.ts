// The hashed machine's MMU as its pmap drives it: the clustered hashed page table of Talluri, Hill and Khalidi
// (SOSP 1995) behind RISC-V's TLBs and sfence.vma. The table register with its ASID, the walker's subblock factor
// and sfence.vma over the wasm's control operations (assembly/arch/hashed/control.ts), and the machine's ASIDs by
// generation.

import { type WasmMachine, wasmLayout } from "../../machine/wasm.js";

/** Default subblock factor (the paper's s = 16). */
export const DEFAULT_SUBBLOCK = 16;
/** Subblock factors the walker supports (assembly/arch/hashed/format.ts): 1 (a plain hashed table) to 64 pages per node. */
export const MAX_SUBBLOCK = 2 ** wasmLayout().HASHED_MAX_SUBBLOCK_LOG2;
const MAX_ASID = 0xFFFF;

/** The control operations of assembly/arch/hashed/control.ts the pmap uses, and the subblock factor's CONFIG word. */
export type HashedMachine = Pick<WasmMachine, "layout" | "setConfig" | "hashedSetTable" | "sfenceVma">;

/** ASIDs by generation (Linux arch/riscv/mm/context.c): a rollover flushes every TLB entry. */
export class AsidGenerations {
  generation = 1;
  private next = 1;
  rollovers = 0;
  constructor(private readonly flushAll: () => void, readonly maxAsid = MAX_ASID) {}
  allocate(): { asid: number; generation: number } {
    if (this.next > this.maxAsid) {
      this.generation++;
      this.rollovers++;
      this.next = 1;
      this.flushAll();
    }
    return { asid: this.next++, generation: this.generation };
  }
}

/** Per machine: the subblock factor the walker was configured with and the ASID space. */
export class HashedMmu {
  readonly asids: AsidGenerations;
  current: object | undefined;   // the address space whose table and ASID are loaded
  constructor(readonly machine: HashedMachine, readonly subblock = DEFAULT_SUBBLOCK, maxAsid = MAX_ASID) {
    if (!(Number.isInteger(subblock) && subblock >= 1 && subblock <= MAX_SUBBLOCK && (subblock & (subblock - 1)) === 0)) {
      throw new Error(`hashed: subblock factor ${subblock} is not a power of two from 1 to ${MAX_SUBBLOCK}`);
    }
    machine.setConfig(machine.layout.K_CPT_SUBBLOCK_LOG2, BigInt(Math.log2(subblock)));
    this.asids = new AsidGenerations(() => machine.sfenceVma(0, 0, false, false), maxAsid);
  }
}

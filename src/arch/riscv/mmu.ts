// The RISC-V MMU as its pmap drives it (privileged spec: satp §4.1.11, SFENCE.VMA §4.2.1; shared reference
// riscv_sv.md): the two translation modes modelled (Sv39, Sv48) as data, satp writes and sfence.vma over the wasm's
// control operations (assembly/arch/riscv/control.ts), and the machine's ASIDs.

import { type WasmMachine, wasmLayout } from "../../machine/wasm.js";
import { RefModEmulation, type RefModMachine } from "../refmod.js";

/** The control operations the RISC-V pmap uses. */
export type RiscvMachine = Pick<WasmMachine, "setSatp" | "sfenceVma"> & RefModMachine;

/** One translation mode: satp.MODE and the number of table levels. */
export interface RiscvFormat {
  readonly name: string;
  readonly satpMode: bigint;   // satp.MODE
  readonly levels: number;     // table levels
}

// satp.MODE codes are the wasm's translation modes for Sv39/Sv48; levels as its walker takes them
// (assembly/arch/riscv/format.ts).
const L = wasmLayout();
export const SV39: RiscvFormat = { name: "riscv-sv39", satpMode: BigInt(L.XMODE_SV39), levels: L.SV39_LEVELS };
export const SV48: RiscvFormat = { name: "riscv-sv48", satpMode: BigInt(L.XMODE_SV48), levels: L.SV48_LEVELS };

/**
 * ASIDs for one machine (satp.ASID, 16 bits here): handed out in order, never one a live address space holds;
 * a destroyed address space's ASID is flushed (sfence.vma x0, asid) before it is released, so reuse after the
 * counter wraps around (a rollover) is safe without flushing the whole TLB.
 */
export class AsidAllocator {
  private next = 1;
  private readonly live = new Set<number>();
  rollovers = 0;
  constructor(readonly max = 0xFFFF) {}
  allocate(): number {
    for (let tries = 0; tries < this.max; tries++) {
      const a = this.next;
      if (this.next >= this.max) { this.next = 1; this.rollovers++; } else this.next++;
      if (!this.live.has(a)) { this.live.add(a); return a; }
    }
    throw new Error(`all ${this.max} ASIDs are in use`);
  }
  release(a: number): void { this.live.delete(a); }
}

/** The per-machine side: the CPU's control operations, its translation mode, and the ASIDs of its address spaces. */
export class RiscvMmu {
  /** Svade's A/D faults, resolved by the pmap (pmap.ts, radix_table.ts refill), for every address space. */
  readonly refmod: RefModEmulation;
  constructor(readonly machine: RiscvMachine, readonly format: RiscvFormat, readonly asids = new AsidAllocator()) {
    this.refmod = new RefModEmulation(machine, format.name);
  }
  /** Whether the walker faults instead of setting A/D (Svade, --ad svade; machine/configure.ts writes K_AD_MODE). */
  get svade(): boolean { return this.machine.config(this.machine.layout.K_AD_MODE) !== 0n; }
}

// What the registry (registry.ts) knows of one machine: its name, the same as its data file's, and how the kernel
// makes its MMU side. Each machine family's folder (src/arch/<machine>/machine.ts) gives its entries.

import type { AddressLayout } from "../loader/layout.js";
import type { MachineConfig } from "../machine/config.js";
import type { WasmMachine } from "../machine/wasm.js";
import type { Pmap, PmapContext } from "../vm/pmap.js";

/** Hardware options only some machines have: a clustered table's subblock factor, a POWER HTAB's size. */
export type HardwareOption = "subblock" | "pftSize";

export interface MachineDef<Name extends string = string> {
  /** The architecture's name (--arch), and the name of its data file (<name>.json in its folder). */
  readonly name: Name;
  /** The machine's MMU side, made once per machine, before its first address space. */
  createMmu(w: WasmMachine, config: MachineConfig, pctx: PmapContext): MachineMmu;
  /**
   * The user address space of a process when it is not the plain one below the data file's userTop
   * (loader/layout.ts): the VAX's P0/P1 regions, the bare machine's VA = PA. Throws ConfigError when RAM cannot
   * hold it.
   */
  userLayout?(ramBytes: number): AddressLayout;
  /** The hardware options this machine accepts (--subblock, --pft-size); absent: none. */
  readonly hardwareOptions?: readonly HardwareOption[];
  /**
   * The counter groups of this machine's own translation hardware beyond every machine's (src/report/counters.ts:
   * "psc", "riscv", "mips", "power", "hashed", "sparc", "vax", "guarded"); --stats shows them for this machine only.
   */
  readonly counterGroups?: readonly string[];
}

/**
 * The machine-wide MMU state every pmap of one machine shares: the identifiers address spaces are tagged with
 * (ASIDs, PCIDs, SPARC contexts, POWER context ids, MIPS ASID generations, VAX process slots) and the hardware
 * state they belong to (the POWER HTAB, the VAX system page table). One per machine, never one per pmap: two live
 * address spaces never share a tag.
 */
export interface MachineMmu {
  /** A new address space's pmap. */
  createPmap(): Pmap;
  /** Wraps of the machine's ASID counter where it counts them in this counter (RISC-V), else 0. */
  readonly asidRollovers: number;
}

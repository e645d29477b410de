// The cost of emulating reference and modify bits the hardware does not keep (or, under RISC-V's Svade, does not
// set): the pmap takes away the hardware's permission to use a translation when the VM clears the bit (4.3BSD on
// the VAX clears PG_V and keeps the page, Linux mips and sparc64 clear the valid bit with _PAGE_ACCESSED), and
// the next access traps; the pmap resolves that trap alone (pmap refill: set the software bit, make the
// translation valid again), so the VM never sees it as a page fault. Each such soft fault is counted, and charged:
// the trap's entry and return are charged by the trap path (kern/trap.ts) as for any trap; the handler's own work
// is charged here, at the figure the machine's data file gives (`refModEmulation`, with its source). One of these
// per machine, shared by its pmaps; the pmaps report it in their machine counters.

import { machineData } from "../machine/costs.js";
import type { WasmMachine } from "../machine/wasm.js";

/** What the accounting needs of the machine: its counters and its configured trap cost. */
export type RefModMachine = Pick<WasmMachine, "addCounter" | "config" | "layout">;

export class RefModEmulation {
  /** Soft faults the pmap resolved to emulate a referenced (or modified) bit. */
  faults = 0;
  /** Cycles they cost: each one's trap entry and return plus its handler. */
  cycles = 0;
  /** Cycles of the handler of one such fault, beyond the trap (the data file's refModEmulation). */
  readonly handlerCycles: number;

  constructor(private readonly machine: RefModMachine, arch: string) {
    this.handlerCycles = machineData(arch).refModEmulation?.cycles ?? 0;
  }

  /** One soft fault resolved by the pmap: its handler's cycles are charged (the trap's were at trap entry). */
  charge(): void {
    const L = this.machine.layout;
    this.faults++;
    this.cycles += Number(this.machine.config(L.K_COST_TRAP)) + this.handlerCycles;
    if (this.handlerCycles > 0) this.machine.addCounter(L.C_XCYCLES, BigInt(this.handlerCycles));
  }

  /** The machine counters `<prefix>_faults` and `<prefix>_cycles`. */
  counters(prefix: string): Record<string, number> {
    return { [`${prefix}_faults`]: this.faults, [`${prefix}_cycles`]: this.cycles };
  }
}

// The x86-64 MMU as its pmap drives it (Intel SDM vol. 3A §4.5, §4.10; shared reference x86_64.md): the two
// paging modes (4-level, and 5-level with CR4.LA57) as data, CR4 set once, CR3 loads, INVLPG and INVPCID over the
// wasm's control operations (assembly/arch/x86-64/control.ts), and the machine's PCIDs.

import { type WasmMachine, wasmLayout, wasmLayout64 } from "../../machine/wasm.js";

// CR4 and CR3 bits (SDM §2.5, §4.10.4.1), as the wasm's control code defines them (assembly/arch/x86-64/format.ts).
const L64 = wasmLayout64();
const CR4_LA57 = L64.X86_CR4_LA57;
const CR4_PCIDE = L64.X86_CR4_PCIDE;
export const CR3_NOFLUSH = L64.X86_CR3_NOFLUSH;
const CR3_PCID = L64.X86_CR3_PCID;   // bits 11:0

/** The largest PCID: CR3's 12-bit PCID field. */
const MAX_PCID = Number(CR3_PCID);

export interface X86Format {
  readonly name: string;
  readonly levels: number;     // 4, or 5 with LA57
}
// Paging levels as the wasm's walker takes them (assembly/arch/x86-64/format.ts).
const L = wasmLayout();
export const X86_64: X86Format = { name: "x86-64", levels: L.X86_LEVELS };
export const X86_64_LA57: X86Format = { name: "x86-64-la57", levels: L.X86_LA57_LEVELS };

/** What the x86-64 pmap needs from the machine beyond memory: the control operations of assembly/arch/x86-64/control.ts. */
export type X86Machine = Pick<WasmMachine, "setCr4" | "writeCr3" | "invlpg" | "invpcid">;

/**
 * The per-machine side: CR4 set once (LA57 for 5-level, PCIDE), PCIDs handed out, and which address space is
 * current (INVLPG only reaches the current PCID).
 */
export class X86Mmu {
  private next = 1;
  private readonly live = new Set<number>();
  current: object | undefined;   // the address space whose PCID is loaded (INVLPG reaches only it)
  constructor(readonly machine: X86Machine, readonly format: X86Format) {
    machine.setCr4((format.levels === L.X86_LA57_LEVELS ? CR4_LA57 : 0n) | CR4_PCIDE);
  }
  /** A PCID no live address space holds (PCID 0 is left for the kernel, as Linux does). */
  allocatePcid(): number {
    for (let tries = 0; tries < MAX_PCID; tries++) {
      const p = this.next;
      this.next = this.next >= MAX_PCID ? 1 : this.next + 1;
      if (!this.live.has(p)) { this.live.add(p); return p; }
    }
    throw new Error(`all ${MAX_PCID} PCIDs are in use`);
  }
  /** After INVPCID single-context, the PCID may be handed out again. */
  releasePcid(p: number): void { this.live.delete(p); }
}

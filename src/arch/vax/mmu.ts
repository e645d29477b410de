// The VAX-11/780 memory management as the 4.3BSD-style pmap drives it (shared reference vax.md): the internal
// processor registers (MTPR/MFPR), LDPCTX, the system half of the TB, over the wasm's control operations
// (assembly/arch/vax/control.ts); and the machine-wide system page table with the process slots in system space.

import { PAGE_SIZE } from "../../machine/config.js";
import { type WasmMachine, wasmLayout } from "../../machine/wasm.js";
import { RefModEmulation, type RefModMachine } from "../refmod.js";

// The page, the register numbers and the regions as the wasm defines them (assembly/arch/vax/format.ts).
const L = wasmLayout();

/** The hardware page (vax.md §3): 512 bytes. */
export const VAX_PAGE = 2 ** L.VAX_PAGE_SHIFT;

// Internal processor registers (vax.md §2).
export const PR_P0BR = L.VAX_PR_P0BR, PR_P0LR = L.VAX_PR_P0LR, PR_P1BR = L.VAX_PR_P1BR, PR_P1LR = L.VAX_PR_P1LR;
export const PR_SBR = L.VAX_PR_SBR, PR_SLR = L.VAX_PR_SLR;
export const PR_MAPEN = L.VAX_PR_MAPEN, PR_TBIA = L.VAX_PR_TBIA, PR_TBIS = L.VAX_PR_TBIS;

/** VPNs per region (VA<31:30> selects P0, P1 or S0): 2^21. */
export const REGION_PAGES = L.VAX_P1_BASE / VAX_PAGE;

/** Process windows in system space (VMS balance slots); see pmap.ts's header. */
export const VAX_PROCESS_SLOTS = 16;
export const P0_WINDOW_PAGES = (REGION_PAGES * 4) / VAX_PAGE;     // 16384 system pages: all of P0's table
export const P1_WINDOW_VPNS = REGION_PAGES;                       // all of P1
export const P1_WINDOW_PAGES = (P1_WINDOW_VPNS * 4) / VAX_PAGE;   // 16384 system pages
export const SLOT_PAGES = P0_WINDOW_PAGES + P1_WINDOW_PAGES;

/** The control operations of assembly/arch/vax/control.ts the pmap uses. */
export type VaxMachine = Pick<WasmMachine, "phys" | "fillPhys" | "vaxMtpr" | "vaxMfpr" | "vaxLdpctx" | "vaxSystemTb"> & RefModMachine;

/** Where the system page table's frames come from (the kernel's physical allocator). */
export interface TableFrames {
  allocRun(n: number, kind: "pagetable"): number;
  free(pa: number): void;
}

/**
 * The machine's side: the system page table (physically contiguous, covering the slots in use so far), the process
 * slots, MAPEN, and which process is current.
 */
export class VaxMmu {
  sbr = -1;                                   // physical address of the SPT (−1 until allocated)
  private sptFrames = 0;
  private backed = 0;                         // slots the SPT covers
  private readonly slots: (object | undefined)[] = new Array(VAX_PROCESS_SLOTS).fill(undefined);   // address spaces
  current: object | undefined;                // the process whose P0/P1 registers are loaded
  /** The simulated reference bit's soft faults (pmap.ts refill), for every process. */
  readonly refmod: RefModEmulation;
  constructor(readonly machine: VaxMachine, stb: { sets: number; ways: number }) {
    this.refmod = new RefModEmulation(machine, "vax");
    if (!machine.vaxSystemTb(stb.sets, stb.ways)) throw new Error(`vax: system TB geometry ${stb.sets}×${stb.ways} rejected`);
  }

  /**
   * Makes the SPT cover `slots` slots: a new contiguous run holding the old entries and invalid ones for the new
   * windows; SBR and SLR loaded, MAPEN set the first time, TBIA after a move.
   */
  private grow(frames: TableFrames, slots: number): void {
    const n = Math.ceil((slots * SLOT_PAGES * 4) / PAGE_SIZE);
    const sbr = frames.allocRun(n, "pagetable");
    if (this.sbr >= 0) {
      const bytes = this.backed * SLOT_PAGES * 4;
      this.machine.phys(sbr, bytes).set(this.machine.phys(this.sbr, bytes));
      for (let i = 0; i < this.sptFrames; i++) frames.free(this.sbr + i * PAGE_SIZE);
    }
    const moved = this.sbr >= 0;
    this.sbr = sbr;
    this.sptFrames = n;
    this.backed = slots;
    this.mtpr(PR_SBR, sbr);
    this.mtpr(PR_SLR, slots * SLOT_PAGES);
    if (moved) this.mtpr(PR_TBIA, 0);
    else this.mtpr(PR_MAPEN, 1);
  }

  mtpr(ipr: number, v: number): void {
    if (!this.machine.vaxMtpr(ipr, v >>> 0)) throw new Error(`vax: MTPR to register ${ipr} rejected`);
  }

  /** A free slot for a new address space; throws when all are taken (like BSD's "no memory for page tables"). */
  allocateSlot(frames: TableFrames, space: object): number {
    const i = this.slots.indexOf(undefined);
    if (i < 0) throw new Error(`vax: all ${VAX_PROCESS_SLOTS} process page-table slots in system space are in use`);
    if (i >= this.backed) this.grow(frames, i + 1);
    this.slots[i] = space;
    return i;
  }
  freeSlot(i: number): void { this.slots[i] = undefined; }

  readSpte(svpn: number): number { return readU32(this.machine, this.sbr + 4 * svpn); }
  writeSpte(svpn: number, v: number): void { writeU32(this.machine, this.sbr + 4 * svpn, v); }
}

export function readU32(m: Pick<WasmMachine, "phys">, pa: number): number {
  const b = m.phys(pa, 4);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}
export function writeU32(m: Pick<WasmMachine, "phys">, pa: number, v: number): void {
  const b = m.phys(pa, 4);
  b[0] = v & 0xFF; b[1] = (v >>> 8) & 0xFF; b[2] = (v >>> 16) & 0xFF; b[3] = (v >>> 24) & 0xFF;
}

// The MIPS R3000 / R4000 CPU side as its pmap drives it (shared reference mips.md): the two processors as data,
// the refill model's cost words from the data file, Context/XContext and EntryHi's ASID, TLBP/TLBWI/TLBWR and the
// TLB flush over the wasm's control operations (assembly/arch/mips/control.ts), and the machine's ASID generations.

import { ConfigError } from "../../machine/config.js";
import { RefModEmulation, type RefModMachine } from "../refmod.js";
import { machineData } from "../../machine/costs.js";
import { type WasmMachine, wasmLayout, wasmLayout64 } from "../../machine/wasm.js";

/** What the MIPS pmap needs from the machine: the TLB control operations of assembly/arch/mips/control.ts. */
export type MipsMachine = Pick<WasmMachine,
  "layout" | "setConfig" | "mipsSetContext" | "mipsFlushPage" | "mipsFlushAll" | "mipsUpdateTlb"> & RefModMachine;

export interface MipsFormat {
  readonly name: "mips-r3000" | "mips-r4000";
  readonly mode: "XMODE_MIPS_R3000" | "XMODE_MIPS_R4000";
  readonly r4000: boolean;
  readonly asids: number;        // 64 PIDs (6 bits) / 256 ASIDs (8 bits)
  readonly userTop: number;      // kuseg 2 GiB / xuseg 1 TiB
  readonly pteBytes: number;     // 4 / 8
  readonly pteBase: bigint;      // where the linear table sits in kseg2 / xkseg (assembly/arch/mips/refill.ts)
  readonly flushPages: number;   // range flushes page by page (pair by pair) up to this many, else a new ASID
}

// ASIDs, user segment, PTE size and linear-table base as the wasm's refill model defines them (assembly/arch/mips/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();

export const MIPS_R3000: MipsFormat = {
  name: "mips-r3000", mode: "XMODE_MIPS_R3000", r4000: false, asids: L.MIPS_R3000_ASIDS,
  userTop: Number(L64.MIPS_R3000_USER_TOP), pteBytes: L.MIPS_R3000_PTE_BYTES, pteBase: L64.MIPS_R3000_PTEBASE, flushPages: 64,
};
export const MIPS_R4000: MipsFormat = {
  name: "mips-r4000", mode: "XMODE_MIPS_R4000", r4000: true, asids: L.MIPS_R4000_ASIDS,
  userTop: Number(L64.MIPS_R4000_USER_TOP), pteBytes: L.MIPS_R4000_PTE_BYTES, pteBase: L64.MIPS_R4000_PTEBASE, flushPages: 24,
};

/** The refill model's cost words and Wired, from the machine's data file (src/arch/mips/<arch>.json, section "mips"). */
export interface MipsData { wired: number; excCycles: number; refillInsns: number; nestedInsns: number; modInsns: number; insnCycles: number }

export function mipsData(arch: string): MipsData {
  const m = (machineData(arch) as unknown as { mips?: Record<string, { value?: unknown; source?: unknown }> }).mips;
  const out: Record<string, number> = {};
  for (const k of ["wired", "excCycles", "refillInsns", "nestedInsns", "modInsns", "insnCycles"]) {
    const v = m?.[k]?.value, s = m?.[k]?.source;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new Error(`machine data for ${arch}: mips.${k} must be a non-negative integer`);
    if (typeof s !== "string" || s.length < 8) throw new Error(`machine data for ${arch}: mips.${k}: missing its source`);
    out[k] = v;
  }
  return out as unknown as MipsData;
}

/** The MIPS JTLB's geometry: one fully associative TLB serving fetches and data, above its wired entries. */
export function checkMipsTlb(arch: string, tlb: { l1i: { entries: number }; l1d: { entries: number; ways: number }; l2: { entries: number } }, wired: number): void {
  if (tlb.l1i.entries !== 0) throw new ConfigError(`tlb l1i: ${arch} has one TLB for fetches and data (configure it as l1d; l1i must be off)`);
  if (tlb.l2.entries !== 0) throw new ConfigError(`tlb l2: ${arch} has no second-level TLB (l2 must be off)`);
  if (tlb.l1d.entries === 0) throw new ConfigError(`tlb l1d: ${arch} needs its TLB (l1d cannot be off)`);
  if (tlb.l1d.ways !== tlb.l1d.entries) throw new ConfigError(`tlb l1d: the ${arch} TLB is fully associative (ways must equal entries, got ${tlb.l1d.entries}:${tlb.l1d.ways})`);
  if (tlb.l1d.entries <= wired) throw new ConfigError(`tlb l1d: ${tlb.l1d.entries} entries leave none above the ${wired} wired ones of ${arch}`);
  if (tlb.l1d.entries > 64) throw new ConfigError(`tlb l1d: ${tlb.l1d.entries} entries exceed the 6-bit Index register of ${arch} (at most 64)`);
}

/**
 * The per-machine side: the CPU, its ASID generations (Linux asid_cache), and the current address space. Writes
 * the refill model's cost words from the data file at creation.
 */
export class MipsMmu {
  private asidCache: number;         // Linux asid_cache: generation in the high bits, last ASID in the low ones
  current: object | undefined;      // the address space whose ASID and tables are loaded
  rollovers = 0;                     // ASID wraps (each flushed the whole TLB)
  readonly modeCode: number;
  /** The emulated referenced bit's soft faults (pmap.ts refill), for every address space. */
  readonly refmod: RefModEmulation;

  constructor(readonly machine: MipsMachine, readonly format: MipsFormat, data: MipsData = mipsData(format.name)) {
    const L = machine.layout;
    this.refmod = new RefModEmulation(machine, format.name);
    machine.setConfig(L.K_MIPS_WIRED!, BigInt(data.wired));
    machine.setConfig(L.K_MIPS_EXC_CYCLES!, BigInt(data.excCycles));
    machine.setConfig(L.K_MIPS_REFILL_INSNS!, BigInt(data.refillInsns));
    machine.setConfig(L.K_MIPS_NESTED_INSNS!, BigInt(data.nestedInsns));
    machine.setConfig(L.K_MIPS_MOD_INSNS!, BigInt(data.modInsns));
    machine.setConfig(L.K_MIPS_INSN_CYCLES!, BigInt(data.insnCycles));
    this.modeCode = L[format.mode]!;
    this.asidCache = format.asids;   // ASID_FIRST_VERSION: generation 1, no ASID handed out yet
  }

  get generation(): number { return Math.floor(this.asidCache / this.format.asids); }

  /** get_new_mmu_context: the next ASID; on a wrap, flush the TLB and start a new generation. */
  newContext(): number {
    this.asidCache++;
    if (this.asidCache % this.format.asids === 0) {
      this.rollovers++;
      this.machine.mipsFlushAll();
    }
    return this.asidCache;
  }

  /** Whether a context value (from newContext) still names a live ASID. */
  live(context: number): boolean {
    return context !== 0 && Math.floor(context / this.format.asids) === this.generation;
  }
}

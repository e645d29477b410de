// Setting up the hardware of one machine from its configuration: costs, seed, accessed/dirty mode, paging-structure
// caches, a software-refilled machine's handler figures, and the TLB geometry, written into the instance's CONFIG
// words and TLB arrays (assembly/layout.ts describes each word).

import { ConfigError } from "../sys/config_error.js";
import type { MachineConfig, TlbLevelConfig } from "./config.js";
import { TIMEBASE_DIV, machineData } from "./costs.js";
import { policyCode, validateLevel } from "./tlbspec.js";
import type { WasmMachine } from "./wasm.js";

/** Writes configuration c into a freshly initialised instance w and resets its TLBs. */
export function configureHardware(w: WasmMachine, c: MachineConfig): void {
  const L = w.layout;
  w.setConfig(L.K_COST_L1_HIT, BigInt(c.costs.l1Hit));
  w.setConfig(L.K_COST_L2_HIT, BigInt(c.costs.l2Hit));
  w.setConfig(L.K_COST_WALK_BASE, BigInt(c.costs.walkBase));
  w.setConfig(L.K_COST_WALK_REF, BigInt(c.costs.walkRef));
  w.setConfig(L.K_COST_TRAP, BigInt(c.costs.trap));
  w.setConfig(L.K_COST_FLUSH, BigInt(c.costs.flush));
  w.setConfig(L.K_SEED, c.seed);
  w.setConfig(L.K_TIMEBASE_DIV, BigInt(TIMEBASE_DIV));
  w.setConfig(L.K_AD_MODE, c.hardwareAD ? 0n : 1n);
  const psc = c.psc ?? { pde: 0, pdpte: 0, pml4e: 0, pml5e: 0 };
  w.setConfig(L.K_PSC_PDE, BigInt(psc.pde));
  w.setConfig(L.K_PSC_PDPTE, BigInt(psc.pdpte));
  w.setConfig(L.K_PSC_PML4E, BigInt(psc.pml4e));
  w.setConfig(L.K_PSC_PML5E, BigInt(psc.pml5e));
  // A software-refilled machine's handler figures, each into the configuration word its data file names.
  for (const [name, r] of Object.entries(machineData(c.arch).refill ?? {})) {
    const k = (L as Record<string, number>)[r.config];
    if (k === undefined || !r.config.startsWith("K_")) throw new Error(`machine data for ${c.arch}: refill.${name} names no configuration word '${r.config}'`);
    w.setConfig(k, BigInt(r.value));
  }
  const levels: [string, TlbLevelConfig][] = [["l1i", c.tlb.l1i], ["l1d", c.tlb.l1d], ["l2", c.tlb.l2]];
  levels.forEach(([name, t], i) => {
    validateLevel(name, t, L.TLB_MAX_ENTRIES);
    const ways = t.entries === 0 ? 0 : t.ways;
    const sets = t.entries === 0 ? 0 : t.entries / t.ways;
    const policy = policyCode(L, t.policy);
    if (!w.configureTlb(i, sets, ways, policy)) throw new ConfigError(`tlb ${name}: geometry rejected by the machine`);
  });
  w.resetTlbs();
}

// The MIPS machines of the registry: the R3000 and the R4000, one pmap and one CPU side for both.

import type { MachineConfig } from "../../machine/config.js";
import type { PmapContext } from "../../vm/pmap.js";
import type { MachineDef, MachineMmu } from "../machine_def.js";
import { MIPS_R3000, MIPS_R4000, type MipsFormat, type MipsMachine, MipsMmu, checkMipsTlb, mipsData } from "./mmu.js";
import { MipsPmap } from "./pmap.js";

/** The MIPS CPU side, after checking the TLB geometry against the machine (one fully associative TLB above Wired). */
function newMipsMmu(config: MachineConfig, w: MipsMachine, f: MipsFormat): MipsMmu {
  const data = mipsData(f.name);
  checkMipsTlb(f.name, config.tlb, data.wired);
  return new MipsMmu(w, f, data);
}

function mipsMmu(w: MipsMachine, config: MachineConfig, pctx: PmapContext, f: MipsFormat): MachineMmu {
  let mmu: MipsMmu | undefined;
  return { createPmap: () => new MipsPmap(pctx, mmu ??= newMipsMmu(config, w, f)), asidRollovers: 0 };
}

export const MIPS_R3000_MACHINE: MachineDef<"mips-r3000"> = {
  name: "mips-r3000", createMmu: (w, config, pctx) => mipsMmu(w, config, pctx, MIPS_R3000), counterGroups: ["mips"],
};
export const MIPS_R4000_MACHINE: MachineDef<"mips-r4000"> = {
  name: "mips-r4000", createMmu: (w, config, pctx) => mipsMmu(w, config, pctx, MIPS_R4000), counterGroups: ["mips"],
};

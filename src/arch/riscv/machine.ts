// The RISC-V machines of the registry: Sv39 and Sv48, one pmap and one MMU side for both.

import type { MachineDef, MachineMmu } from "../machine_def.js";
import type { PmapContext } from "../../vm/pmap.js";
import { type RiscvFormat, type RiscvMachine, RiscvMmu, SV39, SV48 } from "./mmu.js";
import { RiscvPmap } from "./pmap.js";

function riscvMmu(w: RiscvMachine, format: RiscvFormat, pctx: PmapContext): MachineMmu {
  const mmu = new RiscvMmu(w, format);
  return {
    createPmap: () => new RiscvPmap(pctx, mmu),
    get asidRollovers() { return mmu.asids.rollovers; },
  };
}

export const RISCV_SV39: MachineDef<"riscv-sv39"> = { name: "riscv-sv39", counterGroups: ["riscv"], createMmu: (w, _c, pctx) => riscvMmu(w, SV39, pctx) };
export const RISCV_SV48: MachineDef<"riscv-sv48"> = { name: "riscv-sv48", counterGroups: ["riscv"], createMmu: (w, _c, pctx) => riscvMmu(w, SV48, pctx) };

// The VAX-11/780 machine, in the registry.

import { machineData } from "../../machine/costs.js";
import type { MachineDef } from "../machine_def.js";
import { vaxLayout } from "./layout.js";
import { VaxMmu } from "./mmu.js";
import { VaxPmap } from "./pmap.js";

export const VAX: MachineDef<"vax"> = {
  name: "vax",
  counterGroups: ["vax"],
  createMmu: (w, _c, pctx) => {
    let mmu: VaxMmu | undefined;
    const systemTb = (): { sets: number; ways: number } =>
      (machineData("vax") as unknown as { systemTb: { sets: number; ways: number } }).systemTb;
    return { createPmap: () => new VaxPmap(pctx, mmu ??= new VaxMmu(w, systemTb())), asidRollovers: 0 };
  },
  userLayout: vaxLayout,
};

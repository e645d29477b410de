// The POWER machine (the hash MMU under Linux ppc64), in the registry.

import type { MachineDef } from "../machine_def.js";
import { PowerMmu, powerSlbConfig } from "./mmu.js";
import { PowerPmap } from "./pmap.js";

export const POWER: MachineDef<"power"> = {
  name: "power",
  counterGroups: ["power"],
  hardwareOptions: ["pftSize"],
  createMmu: (w, config, pctx) => {
    let mmu: PowerMmu | undefined;   // the HTAB is placed with the first address space
    return {
      createPmap: () => new PowerPmap(pctx,
        mmu ??= new PowerMmu(w, pctx.phys, config.ramBytes, powerSlbConfig(), undefined, config.pftSize)),
      asidRollovers: 0,
    };
  },
};

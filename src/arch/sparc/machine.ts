// The sparc64 machine (sun4u under Linux's TSBs and page tables), in the registry.

import type { MachineDef } from "../machine_def.js";
import { SparcMmu } from "./mmu.js";
import { SparcPmap } from "./pmap.js";

export const SPARC: MachineDef<"sparc"> = {
  name: "sparc",
  counterGroups: ["sparc"],
  createMmu: (w, _c, pctx) => {
    let mmu: SparcMmu | undefined;
    return { createPmap: () => new SparcPmap(pctx, mmu ??= new SparcMmu(w)), asidRollovers: 0 };
  },
};

// The guarded-page-table machine (Liedtke), in the registry.

import type { MachineDef } from "../machine_def.js";
import { GuardedMmu } from "./mmu.js";
import { GuardedPmap } from "./pmap.js";

export const GUARDED: MachineDef<"guarded"> = {
  name: "guarded",
  counterGroups: ["guarded"],
  createMmu: (w, _c, pctx) => {
    let mmu: GuardedMmu | undefined;
    return { createPmap: () => new GuardedPmap(pctx, mmu ??= new GuardedMmu(w)), asidRollovers: 0 };
  },
};

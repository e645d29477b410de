// The machine without translation (--arch bare), in the registry.

import type { MachineDef } from "../machine_def.js";
import { BareMmu } from "./mmu.js";
import { BarePmap } from "./pmap.js";

export const BARE: MachineDef<"bare"> = {
  name: "bare",
  createMmu: (w, _c, pctx) => {
    const mmu = new BareMmu(w);
    return { createPmap: () => new BarePmap(pctx, mmu), asidRollovers: 0 };
  },
};

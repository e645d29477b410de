// The machine without translation (--arch bare), in the registry.

import { ConfigError } from "../../sys/config_error.js";
import type { MachineDef } from "../machine_def.js";
import { BARE_MIN_RAM, bareLayout } from "./layout.js";
import { BareMmu } from "./mmu.js";
import { BarePmap } from "./pmap.js";

export const BARE: MachineDef<"bare"> = {
  name: "bare",
  createMmu: (w, _c, pctx) => {
    const mmu = new BareMmu(w);
    return { createPmap: () => new BarePmap(pctx, mmu), asidRollovers: 0 };
  },
  userLayout: (ramBytes) => {
    if (ramBytes < BARE_MIN_RAM) {
      throw new ConfigError(`--arch bare needs at least ${BARE_MIN_RAM / (1024 * 1024)}M of memory (stack and program at VA = PA)`);
    }
    return bareLayout(ramBytes);
  },
};

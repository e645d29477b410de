// The hashed machine (the clustered hashed page table of Talluri, Hill and Khalidi), in the registry.

import type { MachineDef } from "../machine_def.js";
import { DEFAULT_SUBBLOCK, HashedMmu } from "./mmu.js";
import { HashedPmap } from "./pmap.js";

export const HASHED: MachineDef<"hashed"> = {
  name: "hashed",
  counterGroups: ["hashed"],
  hardwareOptions: ["subblock"],
  createMmu: (w, config, pctx) => {
    let mmu: HashedMmu | undefined;
    return {
      createPmap: () => new HashedPmap(pctx, mmu ??= new HashedMmu(w, config.subblock ?? DEFAULT_SUBBLOCK)),
      // Its ASID generations are counted by the pmap's own counters (HashedPmap.machineCounters).
      asidRollovers: 0,
    };
  },
};

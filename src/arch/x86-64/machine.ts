// The x86-64 machines of the registry: 4-level paging and 5-level (LA57), one pmap and one MMU side for both.

import type { MachineDef, MachineMmu } from "../machine_def.js";
import type { PmapContext } from "../../vm/pmap.js";
import { type X86Format, type X86Machine, X86Mmu, X86_64, X86_64_LA57 } from "./mmu.js";
import { X86Pmap } from "./pmap.js";

/** CR4 is written with the first address space, as the kernel sets up paging before its first process. */
function x86Mmu(w: X86Machine, format: X86Format, pctx: PmapContext): MachineMmu {
  let mmu: X86Mmu | undefined;
  return { createPmap: () => new X86Pmap(pctx, mmu ??= new X86Mmu(w, format)), asidRollovers: 0 };
}

export const X86_64_MACHINE: MachineDef<"x86-64"> = {
  name: "x86-64", createMmu: (w, _c, pctx) => x86Mmu(w, X86_64, pctx), counterGroups: ["psc"],
};
export const X86_64_LA57_MACHINE: MachineDef<"x86-64-la57"> = {
  name: "x86-64-la57", createMmu: (w, _c, pctx) => x86Mmu(w, X86_64_LA57, pctx), counterGroups: ["psc"],
};

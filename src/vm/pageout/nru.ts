// NRU, not recently used (Tanenbaum, Modern Operating Systems §3.4.2): pages fall in four classes by their
// referenced and modified bits — 0: neither, 1: modified only, 2: referenced only, 3: both — and the victim is the
// first page of the lowest class, in arrival order. The reference bits are cleared at each wake-up (the book's
// clock interrupt), so "referenced" means since the daemon last ran.

import type { VmPage } from "../vm_page.js";
import type { PageoutPolicy } from "./policy.js";

export const nru: () => PageoutPolicy = () => {
  let clearAfter = false;
  return {
    name: "nru",
    insert(p, ctx) { ctx.inactive.append(p); },
    wakeup() { clearAfter = true; },
    victim(ctx) {
      let best: VmPage | undefined, bestClass = 4;
      for (let p = ctx.inactive.head; p && bestClass > 0; p = p.qnext) {
        ctx.scanned();
        if (!ctx.evictable(p)) continue;
        const c = (ctx.isReferenced(p) ? 2 : 0) + (ctx.isModified(p) ? 1 : 0);
        if (c < bestClass) { best = p; bestClass = c; }
      }
      if (clearAfter) {
        clearAfter = false;
        for (let p = ctx.inactive.head; p; p = p.qnext) if (p !== best && ctx.isReferenced(p)) ctx.clearReference(p);
      }
      return best;
    },
  };
};

// Second chance (the FIFO phrasing of the clock): take the oldest page; if it was referenced, clear its bit and
// put it at the tail as if it had just arrived, and look at the next. Same decisions as clock.ts, by moving pages
// instead of a hand.

import type { PageoutPolicy } from "./policy.js";

export const secondChance: () => PageoutPolicy = () => ({
  name: "second-chance",
  insert(p, ctx) { ctx.inactive.append(p); },
  victim(ctx) {
    const q = ctx.inactive;
    for (let steps = 2 * q.length + 1; steps > 0 && q.head; steps--) {
      const p = q.head;
      ctx.scanned();
      q.append(p);
      if (!ctx.evictable(p)) continue;
      if (ctx.isReferenced(p)) { ctx.clearReference(p); continue; }
      return p;
    }
    return undefined;
  },
});

// Random: any resident page, uniformly (OSTEP 22.5), from the machine's seeded generator so runs repeat. Pages
// that cannot go now (wired, busy) are drawn again, a bounded number of times.

import type { PageoutPolicy } from "./policy.js";

export const random: () => PageoutPolicy = () => ({
  name: "random",
  insert(p, ctx) { ctx.inactive.append(p); },
  victim(ctx) {
    const q = ctx.inactive;
    for (let tries = 0; tries < 8 && q.length > 0; tries++) {
      let p = q.head;
      for (let k = ctx.random(q.length); k > 0 && p; k--) p = p.qnext;
      ctx.scanned();
      if (p && ctx.evictable(p)) return p;
    }
    for (let p = q.head; p; p = p.qnext) { ctx.scanned(); if (ctx.evictable(p)) return p; }
    return undefined;
  },
});

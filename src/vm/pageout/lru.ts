// LRU: the page unused longest goes first (OSTEP 22.6). Exact when every reference is reported (the policy
// tests, a replay): each one moves its page to the tail. No MMU reports every reference, so in a live run the
// order is what the kernel can know: the faults it takes, and at each wake-up one sweep of the reference bits
// (pages used since the last sweep move to the tail, in queue order) — recency to within one scan interval.

import { type PageoutPolicy, firstEvictable, sampleReferences } from "./policy.js";

export const lru: () => PageoutPolicy = () => ({
  name: "lru",
  insert(p, ctx) { ctx.active.append(p); },
  reference(p, ctx) { if (p.queue === ctx.active) ctx.active.append(p); },
  wakeup(ctx) { if (!ctx.exactReferences) sampleReferences(ctx.active, ctx); },
  victim(ctx) { return firstEvictable(ctx.active, ctx); },
});

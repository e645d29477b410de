// 2Q (Johnson & Shasha, VLDB 1994; the "simplified 2Q" Linux's active/inactive lists descend from): first-time
// pages enter A1in (a FIFO, the inactive queue, target Kin = 25% of the frames); pages evicted from A1in leave their
// names in A1out (Kout = 50% of the frames); a page faulted again while its name is in A1out has proved itself
// and enters Am (an LRU, the active queue). The victim is A1in's oldest while A1in exceeds Kin, else Am's least
// recently used. References to Am pages move them to Am's tail (reported, or sampled at each wake-up as lru.ts).

import type { VmPage } from "../vm_page.js";
import { type PageoutPolicy, firstEvictable, sampleReferences } from "./policy.js";

const key = (p: VmPage): string => `${p.object?.id}:${p.offset}`;

export function twoQ(): PageoutPolicy {
  const a1out = new Set<string>();   // insertion-ordered: the oldest name first
  return {
    name: "2q",
    insert(p, ctx) {
      const k = key(p);
      if (a1out.delete(k)) ctx.active.append(p); else ctx.inactive.append(p);
    },
    reference(p, ctx) { if (p.queue === ctx.active) ctx.active.append(p); },
    wakeup(ctx) { if (!ctx.exactReferences) sampleReferences(ctx.active, ctx); },
    victim(ctx) {
      const kin = Math.max(1, ctx.frames >> 2), kout = Math.max(1, ctx.frames >> 1);
      let p = ctx.inactive.length > kin || ctx.active.length === 0 ? firstEvictable(ctx.inactive, ctx) : undefined;
      if (p) {
        a1out.add(key(p));
        if (a1out.size > kout) a1out.delete(a1out.values().next().value!);
        return p;
      }
      p = firstEvictable(ctx.active, ctx);
      return p ?? firstEvictable(ctx.inactive, ctx);
    },
  };
}

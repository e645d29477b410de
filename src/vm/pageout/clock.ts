// Clock (Corbató's, Multics 1968; OSTEP 22.8): the resident pages on a circle, a hand over them. At the hand a
// referenced page loses its bit and the hand moves on; an unreferenced page is the victim. New pages join just
// behind the hand, so they are the last it reaches. Unlike second-chance (its FIFO phrasing, second_chance.ts),
// nothing moves: only the hand does.

import type { VmPage } from "../vm_page.js";
import type { PageoutPolicy } from "./policy.js";

export function clock(): PageoutPolicy {
  let hand: VmPage | null = null;
  return {
    name: "clock",
    insert(p, ctx) {
      if (hand && hand.queue === ctx.inactive) ctx.inactive.insertBefore(p, hand); else ctx.inactive.append(p);
    },
    removed(p, ctx) { if (hand === p) hand = p.qnext ?? ctx.inactive.head; },
    victim(ctx) {
      const q = ctx.inactive;
      if (hand?.queue !== q) hand = q.head;
      // Two turns at most: the first may only clear bits.
      for (let steps = 2 * q.length + 1; steps > 0 && hand; steps--) {
        const p: VmPage = hand;
        hand = q.nextAround(p);
        ctx.scanned();
        if (!ctx.evictable(p)) continue;
        if (ctx.isReferenced(p)) { ctx.clearReference(p); continue; }
        return p;
      }
      return undefined;
    },
  };
}

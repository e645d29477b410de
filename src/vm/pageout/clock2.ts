// The two-handed clock (4.3BSD's pagedaemon, SunOS): a front hand clears reference bits and a back hand, a fixed
// spread behind it, takes the pages still unreferenced when it gets there. The spread sets how long a page has to
// prove itself used: here a quarter of the resident pages (4.3BSD's handspread was a fixed share of memory).

import type { VmPage } from "../vm_page.js";
import type { PageoutPolicy } from "./policy.js";

export function clock2(): PageoutPolicy {
  let front: VmPage | null = null, back: VmPage | null = null;
  return {
    name: "clock2",
    insert(p, ctx) {
      if (back && back.queue === ctx.inactive) ctx.inactive.insertBefore(p, back); else ctx.inactive.append(p);
    },
    removed(p, ctx) {
      if (front === p) front = p.qnext ?? ctx.inactive.head;
      if (back === p) back = p.qnext ?? ctx.inactive.head;
    },
    victim(ctx) {
      const q = ctx.inactive;
      if (q.length === 0) return undefined;
      if (back?.queue !== q || front?.queue !== q) {
        back = q.head;
        front = back;
        for (let i = Math.max(1, q.length >> 2); i > 0; i--) front = q.nextAround(front);
      }
      for (let steps = 2 * q.length + 1; steps > 0; steps--) {
        const f: VmPage = front!, b: VmPage = back!;
        front = q.nextAround(f);
        back = q.nextAround(b);
        ctx.scanned();
        if (ctx.isReferenced(f)) ctx.clearReference(f);
        if (ctx.evictable(b) && !ctx.isReferenced(b)) return b;
      }
      // Everything was used within the spread: the first evictable page at the back hand.
      for (let steps = q.length; steps > 0; steps--) {
        const b: VmPage = back!;
        back = q.nextAround(b);
        if (ctx.evictable(b)) return b;
      }
      return undefined;
    },
  };
}

// FreeBSD's active/inactive scheme (sys/vm/vm_pageout.c, vm_page.h ACT_INIT/ACT_ADVANCE/ACT_DECLINE/ACT_MAX): a
// faulted page joins the active queue with an activity count of ACT_INIT. When the inactive queue is shorter than
// its target, the active scan ages pages: referenced ones gain ACT_ADVANCE (to ACT_MAX) and lose their bit, the
// others lose ACT_DECLINE, and a page whose count reaches 0 is deactivated. The inactive scan then reclaims from
// the head: a page referenced there is reactivated; an unreferenced one is the victim (the daemon cleans it through
// its pager first if it is dirty — FreeBSD's laundry, done here at once). The inactive target is a third of the
// resident pages (FreeBSD sizes v_inactive_target from the free target; a share of memory keeps it meaningful at
// every --mem).

import type { VmPage } from "../vm_page.js";
import type { PageoutContext, PageoutPolicy } from "./policy.js";

const ACT_INIT = 5, ACT_ADVANCE = 3, ACT_DECLINE = 1, ACT_MAX = 64;

function inactiveTarget(ctx: PageoutContext): number {
  return Math.max(1, Math.floor((ctx.active.length + ctx.inactive.length) / 3));
}

/** vm_pageout_scan_active in miniature: ages the active queue once around, deactivating idle pages. */
function scanActive(ctx: PageoutContext): void {
  const q = ctx.active, want = inactiveTarget(ctx);
  const n = q.length;
  for (let i = 0; i < n && q.head && ctx.inactive.length < want; i++) {
    const p: VmPage = q.head;
    ctx.scanned();
    if (ctx.isReferenced(p)) {
      ctx.clearReference(p);
      p.stamp = Math.min(ACT_MAX, p.stamp + ACT_ADVANCE);
    } else {
      p.stamp = Math.max(0, p.stamp - ACT_DECLINE);
    }
    if (p.stamp === 0) ctx.inactive.append(p); else q.append(p);
  }
}

export const freebsd: () => PageoutPolicy = () => ({
  name: "freebsd",
  insert(p, ctx) { p.stamp = ACT_INIT; ctx.active.append(p); },
  victim(ctx) {
    for (let round = 0; round < 2 * ACT_MAX; round++) {
      if (ctx.inactive.length < inactiveTarget(ctx) || !ctx.inactive.head) scanActive(ctx);
      const q = ctx.inactive;
      const n = q.length;
      for (let i = 0; i < n && q.head; i++) {
        const p: VmPage = q.head;
        ctx.scanned();
        if (!ctx.evictable(p)) { q.append(p); continue; }
        if (ctx.isReferenced(p)) {             // used since deactivation: back to the active queue
          ctx.clearReference(p);
          p.stamp = ACT_INIT;
          ctx.active.append(p);
          continue;
        }
        return p;
      }
      if (ctx.active.length === 0) break;
      // Nothing on the inactive queue could go: age the active queue further, unless a whole scan of it moved
      // nothing (every page referenced again, as on hardware without a reference bit that can be cleared).
      const before = ctx.inactive.length;
      scanActive(ctx);
      if (ctx.inactive.length === before) break;
    }
    // Everything is busy or referenced over and over: the first evictable page anywhere.
    for (const q of [ctx.inactive, ctx.active]) for (let p = q.head; p; p = p.qnext) if (ctx.evictable(p)) return p;
    return undefined;
  },
});

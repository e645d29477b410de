// FIFO: the page resident longest goes first, whatever its use (OSTEP 22.4; Belady's anomaly is FIFO's: more
// frames can mean more faults). One queue in arrival order; references change nothing.

import { type PageoutPolicy, firstEvictable } from "./policy.js";

export const fifo: () => PageoutPolicy = () => ({
  name: "fifo",
  insert(p, ctx) { ctx.inactive.append(p); },
  victim(ctx) { return firstEvictable(ctx.inactive, ctx); },
});

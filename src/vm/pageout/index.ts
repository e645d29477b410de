// The page-replacement policies by --pageout name, in the order they are listed.

import { clock } from "./clock.js";
import { clock2 } from "./clock2.js";
import { fifo } from "./fifo.js";
import { freebsd } from "./freebsd.js";
import { lru } from "./lru.js";
import { nru } from "./nru.js";
import type { PageoutPolicy } from "./policy.js";
import { random } from "./random.js";
import { secondChance } from "./second_chance.js";
import { twoQ } from "./two_q.js";

export const PAGEOUT_POLICIES: Readonly<Record<string, () => PageoutPolicy>> = {
  fifo, random, lru, clock, clock2, "second-chance": secondChance, nru, "2q": twoQ, freebsd,
};

/** The default: FreeBSD's active/inactive queues, the scheme of the BSD VM this kernel follows. */
export const DEFAULT_PAGEOUT = "freebsd";

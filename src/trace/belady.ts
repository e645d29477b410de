// Belady's MIN (replacement_policies.md §4): the fewest misses any demand-filled TLB of the same geometry can
// have on a trace. Sets are independent (a page always maps to set page mod sets), so MIN is taken per set: on a
// miss in a full set, evict the resident page whose next use lies farthest in the future.
//
// Method: one backward pass gives each reference the index of the next reference to the same page; a forward
// pass keeps, per set, the resident pages in a max-heap keyed by next use (an indexed heap of at most W entries,
// so the pass is O(n log W)). MIN needs the future, so it holds the whole trace: 8 bytes per reference plus a
// hash entry per distinct page. BeladyCollector refuses traces longer than its limit.

import { TraceError } from "./batch.js";

export const DEFAULT_OPT_LIMIT = 500_000_000;

/** Collects a trace's page numbers as dense page ids for MIN. */
export class BeladyCollector {
  private ids: Int32Array = new Int32Array(1 << 16);
  private n = 0;
  private readonly idOf = new Map<number, number>();
  private low: number[] = [];       // id → low 32 bits of the page number (its set comes from these)

  constructor(readonly limit = DEFAULT_OPT_LIMIT) {}

  get length(): number { return this.n; }

  add = (lo: number, hi: number): void => {
    const key = hi * 4294967296 + lo;
    let id = this.idOf.get(key);
    if (id === undefined) { id = this.low.length; this.idOf.set(key, id); this.low.push(lo); }
    if (this.n === this.ids.length) {
      if (this.n >= this.limit) {
        throw new TraceError(`--opt holds the whole trace in memory and stops above ${this.limit.toLocaleString("en-US")} references; ` +
          "sample the trace (e.g. a window or every k-th set) and try again");
      }
      const bigger = new Int32Array(Math.min(this.ids.length * 2, Math.max(this.limit, 1)));
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.n++] = id;
  };

  /** Minimum misses for `sets` sets of `ways` ways. */
  misses(sets: number, ways: number): number {
    const setOf = new Int32Array(this.low.length);
    for (let i = 0; i < setOf.length; i++) setOf[i] = this.low[i]! & (sets - 1);
    return minMisses(this.ids.subarray(0, this.n), this.low.length, setOf, ways);
  }
}

/**
 * MIN over a trace of dense page ids (0 ≤ id < pages), page id → set in setOf, `ways` frames per set.
 */
export function minMisses(ids: Int32Array, pages: number, setOf: Int32Array, ways: number): number {
  const n = ids.length;
  const next = new Int32Array(n);
  const seen = new Int32Array(pages).fill(n);          // n = never used again
  for (let i = n - 1; i >= 0; i--) { const p = ids[i]!; next[i] = seen[p]!; seen[p] = i; }
  let sets = 0;
  for (let p = 0; p < pages; p++) sets = Math.max(sets, setOf[p]! + 1);
  const key = new Int32Array(sets * ways);             // heap of set s at [s*ways, s*ways + size[s])
  const page = new Int32Array(sets * ways);
  const size = new Int32Array(sets);
  const pos = new Int32Array(pages).fill(-1);          // page id → heap slot index within its set, -1 if absent
  let misses = 0;

  const up = (b: number, i: number): void => {
    const k = key[b + i]!, pg = page[b + i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (key[b + parent]! >= k) break;
      key[b + i] = key[b + parent]!; page[b + i] = page[b + parent]!; pos[page[b + i]!] = i;
      i = parent;
    }
    key[b + i] = k; page[b + i] = pg; pos[pg] = i;
  };
  const down = (b: number, i: number, sz: number): void => {
    const k = key[b + i]!, pg = page[b + i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= sz) break;
      if (c + 1 < sz && key[b + c + 1]! > key[b + c]!) c++;
      if (key[b + c]! <= k) break;
      key[b + i] = key[b + c]!; page[b + i] = page[b + c]!; pos[page[b + i]!] = i;
      i = c;
    }
    key[b + i] = k; page[b + i] = pg; pos[pg] = i;
  };

  for (let i = 0; i < n; i++) {
    const p = ids[i]!, s = setOf[p]!, b = s * ways;
    const at = pos[p]!;
    if (at >= 0) {                   // hit: its next use moves later, so it rises in the max-heap
      key[b + at] = next[i]!;
      up(b, at);
      continue;
    }
    misses++;
    const sz = size[s]!;
    if (sz < ways) {
      key[b + sz] = next[i]!; page[b + sz] = p; size[s] = sz + 1;
      up(b, sz);
    } else {                         // evict the farthest next use (the root) and sift the newcomer down
      pos[page[b]!] = -1;
      key[b] = next[i]!; page[b] = p;
      down(b, 0, sz);
    }
  }
  return misses;
}

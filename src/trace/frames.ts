// Page faults of a reference string for a number of page frames (OSTEP ch. 22, "Beyond Physical Memory: Policies";
// replacement_policies.md §4): Belady's OPT — on a fault with every frame full, evict the page whose next use lies
// farthest in the future — as the floor, with LRU and FIFO beside it. Demand paging, all frames empty at the start:
// every first touch of a page is a (cold) fault and is counted. This is the frames analogue of belady.ts's MIN for
// TLBs, taken offline from a recorded run (`mmulab record`: every reference, with the task that made it).
//
// A page is a 4 KiB page of one task (the task id of the trace's last task record and the page number): two
// processes' same virtual page are two pages, as they are two frames.
//
// Costs: one backward pass gives every reference its next use; OPT is then minMisses with one set of `frames` ways
// (O(n log frames)); LRU is a stack algorithm, so one pass of Mattson's stack distances (a Fenwick tree over times,
// O(n log n)) gives its faults for every number of frames at once; FIFO is not a stack algorithm (Belady's anomaly)
// and is simulated once per number of frames (O(n) each).

import { KIND_CONTROL, TraceError, type TraceSource } from "./batch.js";
import { DEFAULT_OPT_LIMIT, minMisses } from "./belady.js";

export const FRAME_POLICIES = ["opt", "lru", "fifo"] as const;
export type FramePolicy = (typeof FRAME_POLICIES)[number];

/** Frames of this size: the kernel's page (the model's 4 KiB base page). */
export const FRAME_SHIFT = 12;

const CONTROL_TASK = 0;   // FORMAT.md: control record type 0, the task of the references that follow

/** A reference string as dense page ids (0 ≤ id < pages). */
export interface PageString {
  readonly ids: Int32Array;
  readonly pages: number;
}

/** Collects a trace's references as dense ids of (task, 4 KiB page). */
export class PageStringCollector {
  private ids = new Int32Array(1 << 16);
  private n = 0;
  private readonly idOf = new Map<string, number>();
  private task = 0;

  constructor(readonly limit = DEFAULT_OPT_LIMIT) {}

  get length(): number { return this.n; }

  /** One trace record (FORMAT.md): a reference, or a control record (only task records matter here). */
  record(lo: number, hi: number): void {
    if ((lo & 3) === KIND_CONTROL) {
      if (((lo >>> 2) & 0xF) === CONTROL_TASK) this.task = hi * 2 ** 20 + (lo >>> 12);
      return;
    }
    const page = hi * 2 ** (32 - FRAME_SHIFT) + (lo >>> FRAME_SHIFT);
    this.push(`${this.task}:${page}`);
  }

  /** One reference to page `key` (any string naming a distinct page). */
  push(key: string): void {
    let id = this.idOf.get(key);
    if (id === undefined) { id = this.idOf.size; this.idOf.set(key, id); }
    if (this.n === this.ids.length) {
      if (this.n >= this.limit) {
        throw new TraceError(`--frames holds the whole trace in memory and stops above ${this.limit.toLocaleString("en-US")} ` +
          "references; sample the trace and try again");
      }
      const bigger = new Int32Array(Math.min(this.ids.length * 2, Math.max(this.limit, 1)));
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.n++] = id;
  }

  get string(): PageString { return { ids: this.ids.subarray(0, this.n), pages: this.idOf.size }; }
}

/** A reference string given as page names (OSTEP's 0,1,2,0,1,3,…), for tests and small studies. */
export function pageString(refs: readonly (number | string)[]): PageString {
  const c = new PageStringCollector();
  for (const r of refs) c.push(String(r));
  return c.string;
}

/** Faults of Belady's OPT with `frames` frames. */
export function optFaults(s: PageString, frames: number): number {
  checkFrames(frames);
  return minMisses(s.ids, s.pages, new Int32Array(s.pages), frames);
}

/** Faults of FIFO with `frames` frames: a fault with every frame full evicts the page resident longest. */
export function fifoFaults(s: PageString, frames: number): number {
  checkFrames(frames);
  const resident = new Uint8Array(s.pages);
  const queue = new Int32Array(frames);   // a ring of the resident pages in arrival order
  let head = 0, size = 0, faults = 0;
  for (const p of s.ids) {
    if (resident[p]) continue;
    faults++;
    if (size === frames) { resident[queue[head]!] = 0; queue[head] = p; head = (head + 1) % frames; }
    else queue[(head + size++) % frames] = p;
    resident[p] = 1;
  }
  return faults;
}

/**
 * LRU's faults for each number of frames in `frames`, from the LRU stack distance of every reference (Mattson et
 * al. 1970): the distance of a reference is the number of distinct pages touched since the previous reference to
 * its page, itself included; it hits with F frames exactly when its distance is at most F.
 */
export function lruFaults(s: PageString, frames: readonly number[]): number[] {
  for (const f of frames) checkFrames(f);
  const n = s.ids.length;
  const tree = new Int32Array(n + 1);              // Fenwick tree over times 1..n: 1 at each page's last use
  const add = (i: number, v: number): void => { for (; i <= n; i += i & -i) tree[i]! += v; };
  const sum = (i: number): number => { let t = 0; for (; i > 0; i -= i & -i) t += tree[i]!; return t; };
  const last = new Int32Array(s.pages);            // time (1-based) of each page's last use, 0 = none yet
  const hist = new Float64Array(s.pages + 2);      // hist[d]: references at distance d
  let cold = 0;
  for (let i = 1; i <= n; i++) {
    const p = s.ids[i - 1]!, t = last[p]!;
    if (t === 0) cold++;
    else { hist[sum(i - 1) - sum(t) + 1]!++; add(t, -1); }
    add(i, 1);
    last[p] = i;
  }
  // above[f] = references at a distance greater than f (each a fault with f frames).
  return frames.map((f) => {
    let far = 0;
    for (let d = f + 1; d < hist.length; d++) far += hist[d]!;
    return cold + far;
  });
}

function checkFrames(f: number): void {
  if (!Number.isSafeInteger(f) || f <= 0) throw new RangeError(`frames must be a positive integer, not ${f}`);
}

export interface FrameStudyRow {
  frames: number;
  faults: Partial<Record<FramePolicy, number>>;
}

export interface FrameStudy {
  references: number;
  pages: number;             // distinct (task, 4 KiB page) pairs: the cold faults of every policy
  pageSize: number;
  rows: FrameStudyRow[];
}

/** Faults of every policy in `policies` for every number of frames. */
export function frameStudy(s: PageString, frames: readonly number[], policies: readonly FramePolicy[]): FrameStudy {
  const lru = policies.includes("lru") ? lruFaults(s, frames) : undefined;
  const rows = frames.map((f, i) => {
    const faults: Partial<Record<FramePolicy, number>> = {};
    for (const p of policies) faults[p] = p === "opt" ? optFaults(s, f) : p === "fifo" ? fifoFaults(s, f) : lru![i]!;
    return { frames: f, faults };
  });
  return { references: s.ids.length, pages: s.pages, pageSize: 2 ** FRAME_SHIFT, rows };
}

/** Reads a whole trace and runs frameStudy on its references. */
export async function runFrameStudy(trace: TraceSource, frames: readonly number[], policies: readonly FramePolicy[],
  limit = DEFAULT_OPT_LIMIT): Promise<FrameStudy> {
  const c = new PageStringCollector(limit);
  for await (const b of trace) {
    const w = b.words;
    for (let i = 0; i < b.count; i++) c.record(w[2 * i]!, w[2 * i + 1]!);
  }
  return frameStudy(c.string, frames, policies);
}

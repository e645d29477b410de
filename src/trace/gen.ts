// Seeded synthetic traces (loads only), as page numbers of the study's page size; addresses are page << pageShift.
//   seq            each page once: 0, 1, 2, ...            (pure streaming, no reuse)
//   stride:S[:P]   pages 0, S, 2S, ... (mod P when given)  (set conflicts when S is a multiple of the set count)
//   loop:P         0, 1, ..., P-1, 0, 1, ...               (the n+1-page loop that defeats LRU: loop:65 on 64 entries)
//   uniform:P:seed uniformly random pages in [0, P)
//   zipf:P:a:seed  page k in [0, P) with probability ∝ 1/(k+1)^a
// The same spec, reference count and seed always give the same trace.

import { KIND_LOAD, TraceBatch, TraceError } from "./batch.js";
import { ConfigError } from "../sys/config_error.js";

export type GenSpec =
  | { kind: "seq" }
  | { kind: "stride"; stride: number; pages: number }      // pages = 0: no wrap
  | { kind: "loop"; pages: number }
  | { kind: "uniform"; pages: number; seed: number }
  | { kind: "zipf"; pages: number; alpha: number; seed: number };

export const GEN_USAGE = "seq | stride:S[:P] | loop:P | uniform:P:seed | zipf:P:alpha:seed";
const MAX_ZIPF_PAGES = 1 << 26;

function int(spec: string, what: string, s: string | undefined, min = 1): number {
  if (s === undefined || !/^\d+$/.test(s) || Number(s) < min || !Number.isSafeInteger(Number(s))) {
    throw new ConfigError(`--gen ${spec}: bad ${what} '${s ?? ""}' (expected ${GEN_USAGE})`);
  }
  return Number(s);
}

export function parseGenSpec(spec: string): GenSpec {
  const f = spec.trim().split(":");
  const arity = (lo: number, hi: number) => {
    if (f.length - 1 < lo || f.length - 1 > hi) throw new ConfigError(`--gen ${spec}: expected ${GEN_USAGE}`);
  };
  switch (f[0]) {
    case "seq": arity(0, 0); return { kind: "seq" };
    case "stride": arity(1, 2); return { kind: "stride", stride: int(spec, "stride", f[1]), pages: f[2] === undefined ? 0 : int(spec, "page count", f[2]) };
    case "loop": arity(1, 1); return { kind: "loop", pages: int(spec, "page count", f[1]) };
    case "uniform": arity(2, 2); return { kind: "uniform", pages: int(spec, "page count", f[1]), seed: int(spec, "seed", f[2], 0) };
    case "zipf": {
      arity(3, 3);
      const pages = int(spec, "page count", f[1]);
      if (pages > MAX_ZIPF_PAGES) throw new ConfigError(`--gen ${spec}: at most ${MAX_ZIPF_PAGES} pages`);
      const alpha = Number(f[2]);
      if (!/^\d*\.?\d+$/.test(f[2] ?? "") || !(alpha >= 0)) throw new ConfigError(`--gen ${spec}: bad exponent '${f[2]}'`);
      return { kind: "zipf", pages, alpha, seed: int(spec, "seed", f[3], 0) };
    }
    default: throw new ConfigError(`--gen: unknown generator '${f[0]}' (expected ${GEN_USAGE})`);
  }
}

/** mulberry32: a small, fast, seeded 32-bit generator; returns a function giving floats in [0, 1). */
function rng(seed: number): () => number {
  let a = (seed ^ 0x6D2B79F5) >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A function returning the page of reference i (called with i = 0, 1, 2, ... in order). */
export function pageSequence(g: GenSpec): (i: number) => number {
  switch (g.kind) {
    case "seq": return (i) => i;
    case "stride": return g.pages === 0 ? (i) => i * g.stride : (i) => (i * g.stride) % g.pages;
    case "loop": return (i) => i % g.pages;
    case "uniform": { const r = rng(g.seed); return () => Math.floor(r() * g.pages); }
    case "zipf": {
      const cdf = new Float64Array(g.pages);
      let sum = 0;
      for (let k = 0; k < g.pages; k++) { sum += 1 / Math.pow(k + 1, g.alpha); cdf[k] = sum; }
      const r = rng(g.seed);
      return () => {
        const u = r() * sum;
        let lo = 0, hi = g.pages - 1;
        while (lo < hi) { const mid = (lo + hi) >>> 1; if (cdf[mid]! > u) hi = mid; else lo = mid + 1; }
        return lo;
      };
    }
  }
}

/** The first `refs` pages of a generator, as an array (for tests and small studies). */
export function genPages(g: GenSpec, refs: number): number[] {
  const next = pageSequence(g);
  const out = new Array<number>(refs);
  for (let i = 0; i < refs; i++) out[i] = next(i);
  return out;
}

/** `refs` references of a generator in batches (the same batch object each time); addresses page << pageShift. */
export async function* generate(g: GenSpec, refs: number, pageShift: number, batchRecords?: number): AsyncGenerator<TraceBatch> {
  yield* generateSync(g, refs, pageShift, batchRecords);
}

export function* generateSync(g: GenSpec, refs: number, pageShift: number, batchRecords?: number): Generator<TraceBatch> {
  if (!Number.isSafeInteger(refs) || refs < 0) throw new TraceError(`bad reference count ${refs}`);
  const batch = new TraceBatch(batchRecords);
  const next = pageSequence(g);
  const scale = 2 ** pageShift;
  const w = batch.words;
  for (let i = 0; i < refs;) {
    const n = Math.min(batch.capacity, refs - i);
    for (let j = 0; j < n; j++, i++) {
      const va = next(i) * scale;
      w[2 * j] = ((va % 4294967296) | KIND_LOAD) >>> 0;
      w[2 * j + 1] = Math.floor(va / 4294967296) >>> 0;
    }
    batch.count = n;
    yield batch;
  }
}

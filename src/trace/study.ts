// A trace-driven single-TLB study: read (or generate) a trace, replay it through one modelled TLB in wasm and,
// optionally, compute Belady's MIN for the same geometry. This is what `mmulab trace` runs.

import { readBinary, isBinaryTrace, type TraceHeader } from "./binary.js";
import { type ReadOptions, type ReadStats, type TraceSource, TraceError } from "./batch.js";
import { readLackey } from "./lackey.js";
import { traceBytes } from "./source.js";
import { BeladyCollector, DEFAULT_OPT_LIMIT } from "./belady.js";
import { TlbReplayer, type TlbGeometry, pageShiftOf } from "./replay.js";

export type TraceFormat = "lackey" | "bin" | "auto";

/** Opens a trace file ('-' = stdin; gzip recognised) in the given or detected format. */
export function readTrace(path: string, format: TraceFormat, o: ReadOptions = {}, stats?: ReadStats,
  onHeader?: (h: TraceHeader) => void): TraceSource {
  const name = path === "-" ? "<stdin>" : path;
  return (async function* () {
    const bytes = traceBytes(path);
    const first = await bytes.next();
    if (first.done) {
      if (format === "bin") throw new TraceError(`${name}: truncated binary trace (empty)`);
      return;
    }
    const head = first.value;
    const all = (async function* () { yield head; yield* bytes; })();
    const bin = format === "bin" || (format === "auto" && isBinaryTrace(head));
    yield* bin ? readBinary(all, name, o, stats, onHeader) : readLackey(all, name, o, stats);
  })();
}

export interface StudyOptions {
  geometry: TlbGeometry;
  pageSize: number;
  opt?: boolean;               // also compute Belady's MIN (holds the trace in memory)
  optLimit?: number;
}

export interface StudyResult {
  entries: number;
  ways: number;
  sets: number;
  policy: string;
  pageSize: number;
  accesses: number;
  misses: number;
  missRate: number;
  opt?: { misses: number; missRate: number; excessMisses: number };
}

/** Replays `trace` and returns the counts. Throws TraceError / ConfigError on bad input. */
export async function runStudy(trace: TraceSource, o: StudyOptions): Promise<StudyResult> {
  const shift = pageShiftOf(o.pageSize);
  const r = new TlbReplayer(o.geometry, shift);
  const min = o.opt ? new BeladyCollector(o.optLimit ?? DEFAULT_OPT_LIMIT) : undefined;
  for await (const batch of trace) r.feed(batch, min?.add);
  const rate = (m: number) => (r.accesses === 0 ? 0 : m / r.accesses);
  const out: StudyResult = {
    entries: o.geometry.entries, ways: o.geometry.ways, sets: r.sets, policy: o.geometry.policy, pageSize: o.pageSize,
    accesses: r.accesses, misses: r.misses, missRate: rate(r.misses),
  };
  if (min) {
    const m = min.misses(r.sets, o.geometry.ways);
    out.opt = { misses: m, missRate: rate(m), excessMisses: r.misses - m };
  }
  return out;
}

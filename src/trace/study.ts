// A trace-driven single-TLB study: read (or generate) a trace, replay it through one modelled TLB in wasm and,
// optionally, compute Belady's MIN for the same geometry. This is what `mmulab trace` runs.

import { COUNT_UNKNOWN, readBinary, readBinaryFile, isBinaryTrace, isBinaryTraceFile, type TraceHeader } from "./binary.js";
import { type ReadOptions, type ReadStats, type TraceSource, TraceBatch, TraceError } from "./batch.js";
import { readLackey } from "./lackey.js";
import { traceBytes } from "./source.js";
import { readChampsim } from "./champsim.js";
import { isDirectory, isDrmemtrace, isZip, readDrmemtrace, readDrmemtraceDir } from "./drmemtrace.js";
import { BeladyCollector, DEFAULT_OPT_LIMIT } from "./belady.js";
import { TlbReplayer, type TlbGeometry, pageShiftOf } from "./replay.js";

/** The trace formats read (FORMAT.md); `auto` recognises each by its bytes where it can (detectFormat). */
export const TRACE_FORMATS = ["auto", "lackey", "bin", "champsim", "drmemtrace"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/**
 * The format of a trace whose (decompressed) bytes start with `head`: an mmulab binary trace by its magic, a
 * drmemtrace file by its header entry (type 25, size 0, a small version) or a zip (a .trace.zip), lackey by being
 * text. A ChampSim trace has no header or signature: undefined (the caller asks for --format).
 */
export function detectFormat(head: Uint8Array): Exclude<TraceFormat, "auto"> | undefined {
  if (isBinaryTrace(head)) return "bin";
  if (isDrmemtrace(head) || isZip(head)) return "drmemtrace";
  const n = Math.min(head.length, 512);
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    // Text: no control characters but tab, CR and LF (bytes above 0x7f may be UTF-8 in lackey's banner, which
    // quotes the command line); binary formats have zero bytes in their first records.
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0d : c === 0x7f) return undefined;
  }
  return "lackey";
}

/**
 * A trace read from a file. A plain (not gzipped) binary trace file is read synchronously in large chunks: into
 * one reused batch when iterated, or by replayInto straight into a replayer's wasm trace buffer, decoded there.
 */
export interface FileTrace extends TraceSource {
  /** Replays the whole trace through r; false (nothing read) when the file is not a plain binary trace. */
  replayInto(r: TlbReplayer): boolean;
}

/**
 * Opens a trace file ('-' = stdin; gzip, zstd and xz recognised) or a drmemtrace directory in the given or detected
 * format.
 */
export function readTrace(path: string, format: TraceFormat, o: ReadOptions = {}, stats?: ReadStats,
  onHeader?: (h: TraceHeader) => void): FileTrace {
  const name = path === "-" ? "<stdin>" : path;
  const dropI = o.ifetch === false;
  const header = onHeader;
  onHeader = (h: TraceHeader): void => { if (h.count === COUNT_UNKNOWN && stats) stats.countUnknown = true; header?.(h); };
  const plainBinary = () => (format === "auto" || format === "bin") && isBinaryTraceFile(path);
  const batches = async function* (): AsyncGenerator<TraceBatch> {
    const batch = new TraceBatch(o.batchRecords);
    for (const n of readBinaryFile(path, name, () => batch.bytes.subarray(0, batch.capacity * 8), onHeader)) {
      batch.count = n;
      if (dropI) batch.dropIfetch();
      if (stats) stats.records += batch.count;
      if (batch.count > 0) yield batch;
    }
  };
  const streamed = (async function* () {
    if (isDirectory(path)) {
      if (format !== "auto" && format !== "drmemtrace") throw new TraceError(`cannot read '${path}': is a directory`);
      yield* readDrmemtraceDir(path, o, stats);
      return;
    }
    const bytes = traceBytes(path);
    let head: Uint8Array = new Uint8Array(0);
    let ended = false;
    while (head.length < 512) {                 // enough to recognise the format by
      const next = await bytes.next();
      if (next.done) { ended = true; break; }
      head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
    }
    if (head.length === 0) {
      if (format === "bin") throw new TraceError(`${name}: truncated binary trace (empty)`);
      if (format === "drmemtrace") throw new TraceError(`${name}: empty drmemtrace file (no header entry)`);
      return;
    }
    const all = (async function* () { yield head; if (!ended) yield* bytes; })();
    const f = format === "auto" ? detectFormat(head) : format;
    switch (f) {
      case "bin": yield* readBinary(all, name, o, stats, onHeader); return;
      case "lackey": yield* readLackey(all, name, o, stats); return;
      case "champsim": yield* readChampsim(all, name, o, stats); return;
      case "drmemtrace": yield* readDrmemtrace(all, name, o, stats); return;
      case undefined:
        throw new TraceError(`${name}: trace format not recognised (not lackey text, an mmulab binary trace or drmemtrace; ` +
          "a ChampSim trace has no signature: give --format champsim)");
    }
  });
  return {
    [Symbol.asyncIterator]: () => (plainBinary() ? batches() : streamed()),
    replayInto(r: TlbReplayer): boolean {
      if (!plainBinary()) return false;
      for (const n of readBinaryFile(path, name, () => r.rawBuffer(), onHeader)) {
        const kept = r.feedRaw(n, dropI);
        if (stats) stats.records += kept;
      }
      return true;
    },
  };
}

function isFileTrace(t: TraceSource): t is FileTrace {
  return typeof (t as Partial<FileTrace>).replayInto === "function";
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
  if (min || !isFileTrace(trace) || !trace.replayInto(r)) {
    for await (const batch of trace) r.feed(batch, min?.add);
  }
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

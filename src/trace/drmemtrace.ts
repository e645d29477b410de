// Reader of DynamoRIO drmemtrace traces: drcachesim's offline traces after raw2trace, a sequence of trace_entry_t
// (DynamoRIO's clients/drcachesim/common/trace_entry.h: packed u16 type, u16 size, u64 addr — 12 bytes, little-endian)
// per thread, in files `*.trace`, `.trace.gz`, `.trace.zst` or `.trace.zip` (a zip of chunk files, chunk.0000, ...,
// whose contents follow one another) inside `drmemtrace.APP.PID.dir/trace/`.
//
// What is a reference follows drcachesim's own TLB simulator (simulator/tlb_simulator.cpp): an instruction entry
// (type_is_instr: TRACE_TYPE_INSTR, the jump, call and return kinds, SYSENTER, TAKEN/UNTAKEN_JUMP) is a fetch at addr,
// and an INSTR_BUNDLE's instructions follow the fetch before it, each at the previous one's pc plus its length
// (reader/reader.cpp); TRACE_TYPE_READ and TRACE_TYPE_WRITE are a load and a store. Software and hardware prefetches,
// cache flushes, INSTR_NO_FETCH (a repeated string instruction), markers, encodings and the thread, pid, header and
// footer entries are not references. An instruction's or access's size is not kept (a reference is recorded at its
// address, as lackey's are).
//
// A file must start with the TRACE_TYPE_HEADER entry, whose addr is the trace version (trace_version_t): versions 2
// (TRACE_ENTRY_VERSION_NO_KERNEL_PC) to 7 (TRACE_ENTRY_VERSION_RETIRED_INSTRUCTIONS_ONLY) are read; another is one
// line. An entry of a type past the enum is malformed (with --lenient, skipped and counted), as is a file that
// ends inside an entry.
//
// A directory gives several threads: their files are read one after another, in the order of their names (which
// hold the thread id), not interleaved by their timestamp markers. Threads of a process share one address space,
// so a single-TLB study sees the same pages either way; only their interleaving (and so the TLB's contents where
// threads switch) differs from a timestamp-ordered schedule.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Unzip, UnzipInflate } from "fflate";
import { KIND_IFETCH, KIND_LOAD, KIND_STORE, type ReadOptions, type ReadStats, TraceBatch, TraceError } from "./batch.js";
import { wholeRecords } from "./records.js";
import { traceBytes } from "./source.js";

export const ENTRY_SIZE = 12;

// trace_type_t (trace_entry_t.type), DynamoRIO's trace_entry.h.
export const TRACE_TYPE_READ = 0;
export const TRACE_TYPE_WRITE = 1;
export const TRACE_TYPE_INSTR = 10;
const TRACE_TYPE_INSTR_RETURN = 16;
export const TRACE_TYPE_INSTR_BUNDLE = 17;
export const TRACE_TYPE_THREAD = 22;
export const TRACE_TYPE_PID = 24;
export const TRACE_TYPE_HEADER = 25;
export const TRACE_TYPE_FOOTER = 26;
export const TRACE_TYPE_MARKER = 28;
const TRACE_TYPE_INSTR_SYSENTER = 31;
const TRACE_TYPE_INSTR_TAKEN_JUMP = 48;
const TRACE_TYPE_INSTR_UNTAKEN_JUMP = 49;
const TRACE_TYPE_INVALID = 50;            // the first value past the enum's last type
// trace_marker_type_t (the size field of a TRACE_TYPE_MARKER entry).
export const TRACE_MARKER_TYPE_TIMESTAMP = 2;
export const TRACE_MARKER_TYPE_FILETYPE = 9;
export const TRACE_MARKER_TYPE_VERSION = 12;
// trace_version_t: the versions read.
export const TRACE_ENTRY_VERSION_MIN = 2;  // TRACE_ENTRY_VERSION_NO_KERNEL_PC
export const TRACE_ENTRY_VERSION = 7;      // TRACE_ENTRY_VERSION_RETIRED_INSTRUCTIONS_ONLY, the latest

/** type_is_instr() of trace_entry.h: an instruction fetched (not INSTR_NO_FETCH, not a bundle). */
function isInstr(t: number): boolean {
  return (t >= TRACE_TYPE_INSTR && t <= TRACE_TYPE_INSTR_RETURN) || t === TRACE_TYPE_INSTR_SYSENTER ||
    t === TRACE_TYPE_INSTR_TAKEN_JUMP || t === TRACE_TYPE_INSTR_UNTAKEN_JUMP;
}

/** True when `b` starts with a drmemtrace header entry (type 25, size 0, a version below 2^16). */
export function isDrmemtrace(b: Uint8Array): boolean {
  if (b.length < ENTRY_SIZE) return false;
  const dv = new DataView(b.buffer, b.byteOffset, ENTRY_SIZE);
  return dv.getUint16(0, true) === TRACE_TYPE_HEADER && dv.getUint16(2, true) === 0 && dv.getUint32(8, true) === 0 &&
    dv.getUint32(4, true) < 0x10000;
}

/** True when `b` starts with a zip local file header (PK\x03\x04): drmemtrace's .trace.zip. */
export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** The contents of a zip archive's files, one after another, unzipped as the archive streams in (fflate). */
async function* unzipped(bytes: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  let failure: Error | undefined;
  const unzip = new Unzip((file) => {
    file.ondata = (err, data) => { if (err) failure ??= err; else if (data.length > 0) out.push(data); };
    file.start();
  });
  unzip.register(UnzipInflate);
  const drain = function* (): Generator<Uint8Array> {
    if (failure) throw new TraceError(`${name}: bad zip data (${failure.message})`);
    const o = out; out = [];
    yield* o;
  };
  try {
    for await (const chunk of bytes) { unzip.push(chunk); yield* drain(); }
    unzip.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    throw new TraceError(`${name}: bad zip data (${(e as Error).message})`);
  }
  yield* drain();
}

/** Entries of one thread's file into batches: the state that carries over from one entry to the next. */
class EntryParser {
  entry = 0;                 // entries consumed so far
  skipped = 0;
  private pcLo = 0; private pcHi = 0; private len = 0;   // the last instruction fetched (for bundles)
  private readonly ifetch: boolean;
  private readonly lenient: boolean;

  constructor(private readonly name: string, o: ReadOptions) {
    this.ifetch = o.ifetch ?? true;
    this.lenient = o.lenient ?? false;
  }

  /** Parses the entry at run[at]; the batch has room for 8 more references. */
  parse(run: Uint8Array, dv: DataView, at: number, batch: TraceBatch): void {
    const n = this.entry++;
    const type = dv.getUint16(at, true), size = dv.getUint16(at + 2, true);
    const lo = dv.getUint32(at + 4, true), hi = dv.getUint32(at + 8, true);
    if (n === 0) {
      if (type !== TRACE_TYPE_HEADER) {
        throw new TraceError(`${this.name}: record 0: not a drmemtrace trace (its first entry has type ${type}, not the header's ${TRACE_TYPE_HEADER})`);
      }
      this.checkVersion(lo, hi, n);
      return;
    }
    if (type === TRACE_TYPE_READ || type === TRACE_TYPE_WRITE) {
      batch.push(type === TRACE_TYPE_READ ? KIND_LOAD : KIND_STORE, lo, hi);
    } else if (isInstr(type)) {
      this.pcLo = lo; this.pcHi = hi; this.len = size;
      if (this.ifetch) batch.push(KIND_IFETCH, lo, hi);
    } else if (type === TRACE_TYPE_INSTR_BUNDLE) {
      if (size > 8) return this.bad(n, `an instruction bundle of ${size} instructions (at most 8)`);
      for (let k = 0; k < size; k++) {
        const sum = this.pcLo + this.len;
        this.pcHi = (this.pcHi + Math.floor(sum / 2 ** 32)) >>> 0;
        this.pcLo = sum >>> 0;
        this.len = run[at + 4 + k]!;
        if (this.ifetch) batch.push(KIND_IFETCH, this.pcLo, this.pcHi);
      }
    } else if (type === TRACE_TYPE_MARKER && size === TRACE_MARKER_TYPE_VERSION) {
      this.checkVersion(lo, hi, n);
    } else if (type === TRACE_TYPE_HEADER) {
      return this.bad(n, "a second header entry");
    } else if (type >= TRACE_TYPE_INVALID) {
      return this.bad(n, `unknown entry type ${type}`);
    }
  }

  private checkVersion(lo: number, hi: number, n: number): void {
    if (hi !== 0 || lo < TRACE_ENTRY_VERSION_MIN || lo > TRACE_ENTRY_VERSION) {
      const v = hi !== 0 ? `0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")}` : String(lo);
      throw new TraceError(`${this.name}: record ${n}: drmemtrace version ${v} is not supported (versions ${TRACE_ENTRY_VERSION_MIN} to ${TRACE_ENTRY_VERSION} are read)`);
    }
  }

  private bad(n: number, what: string): void {
    if (!this.lenient) throw new TraceError(`${this.name}: record ${n}: ${what}`);
    this.skipped++;
  }
}

/** One thread's entries (a stream, unzipped if it is a zip) into `batch`, yielded whenever it is nearly full. */
async function* readEntries(bytes: AsyncIterable<Uint8Array>, name: string, o: ReadOptions, batch: TraceBatch,
  stats: ReadStats | undefined): AsyncGenerator<TraceBatch> {
  const room = batch.capacity - 8;
  const p = new EntryParser(name, o);
  let tail = 0;
  const input = (async function* () {
    const it = bytes[Symbol.asyncIterator]();
    const head = await it.next();
    if (head.done) return;
    const rest = (async function* () { yield head.value; for (let n = await it.next(); !n.done; n = await it.next()) yield n.value; })();
    yield* isZip(head.value) ? unzipped(rest, name) : rest;
  })();
  let counted = 0;
  for await (const run of wholeRecords(input, ENTRY_SIZE, (n) => { tail = n; })) {
    const dv = new DataView(run.buffer, run.byteOffset, run.length);
    for (let at = 0; at < run.length; at += ENTRY_SIZE) {
      if (batch.count > room) {
        if (stats) { stats.records += batch.count; stats.lines += p.entry - counted; counted = p.entry; }
        yield batch;
        batch.count = 0;
      }
      p.parse(run, dv, at, batch);
    }
  }
  if (p.entry === 0 && tail === 0) throw new TraceError(`${name}: empty drmemtrace file (no header entry)`);
  if (tail !== 0) {
    if (!o.lenient || p.entry === 0) throw new TraceError(`${name}: record ${p.entry}: truncated (the trace ends ${tail} bytes into a ${ENTRY_SIZE}-byte entry)`);
    p.skipped++;
  }
  if (stats) { stats.lines += p.entry - counted; stats.skipped += p.skipped; stats.unit = "record"; }
}

/** Reads a drmemtrace stream (one thread's file, any compression source.ts knows, or a .trace.zip) in batches. */
export async function* readDrmemtrace(bytes: AsyncIterable<Uint8Array>, name: string, o: ReadOptions = {},
  stats?: ReadStats): AsyncGenerator<TraceBatch> {
  const batch = new TraceBatch(o.batchRecords);
  yield* readEntries(bytes, name, o, batch, stats);
  if (stats) stats.records += batch.count;
  if (batch.count > 0) yield batch;
}

/** The per-thread files of a drmemtrace directory (drmemtrace.*.dir, or its trace/ folder), in name order. */
export function drmemtraceFiles(dir: string): string[] {
  const sub = join(dir, "trace");
  const base = isDirectory(sub) ? sub : dir;
  const names = readdirSync(base).filter((f) => /\.trace(\.(gz|zst|zip))?$/.test(f)).sort();
  if (names.length === 0) {
    const lz4 = readdirSync(base).some((f) => f.endsWith(".trace.lz4"));
    throw new TraceError(`${dir}: no drmemtrace thread files (*.trace, .trace.gz, .trace.zst, .trace.zip)${lz4 ? " (lz4 is not read)" : ""}`);
  }
  return names.map((f) => join(base, f));
}

export function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** Reads every thread file of a drmemtrace directory, one after another (see above), in batches. */
export async function* readDrmemtraceDir(dir: string, o: ReadOptions = {}, stats?: ReadStats): AsyncGenerator<TraceBatch> {
  const batch = new TraceBatch(o.batchRecords);
  for (const file of drmemtraceFiles(dir)) yield* readEntries(traceBytes(file), file, o, batch, stats);
  if (stats) stats.records += batch.count;
  if (batch.count > 0) yield batch;
}

// Reader of valgrind lackey output (`valgrind --tool=lackey --trace-mem=yes prog`), streamed in batches:
//   "I  0400d7d4,3"   instruction fetch (address, size)       " L 1ffefffc18,8"  load
//   " S 1ffefffc10,8" store                                    " M 0421c7f0,4"    modify (load + store)
// and lackey's "==pid== ..." banner and summary lines, which are skipped, as are empty lines. Addresses are
// hexadecimal (up to 16 digits), sizes decimal. Any other line is malformed: it stops the read with its line number,
// or with `lenient` is skipped and counted. The access size is not kept (a reference is recorded at its address).

import { KIND_IFETCH, KIND_LOAD, KIND_STORE, type ReadOptions, type ReadStats, TraceBatch, TraceError } from "./batch.js";

const NL = 0x0a, CR = 0x0d, SP = 0x20, COMMA = 0x2c, EQ = 0x3d;
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) { HEX[0x41 + i] = 10 + i; HEX[0x61 + i] = 10 + i; }
const MAX_LINE = 4096;

/** Parses lines of lackey text into a batch; keeps the line number across calls. */
export class LackeyParser {
  line = 0;        // lines consumed so far
  skipped = 0;
  private readonly ifetch: boolean;
  private readonly twice: boolean;
  private readonly lenient: boolean;

  constructor(private readonly name: string, o: ReadOptions = {}) {
    this.ifetch = o.ifetch ?? true;
    this.twice = (o.modifyAs ?? 2) === 2;
    this.lenient = o.lenient ?? false;
  }

  /**
   * Parses whole lines of buf[pos, end) — end must be just after a newline — into `batch` until it has fewer than
   * two free records. Returns the position after the last line parsed. Throws TraceError on a malformed line.
   */
  parse(buf: Uint8Array, pos: number, end: number, batch: TraceBatch): number {
    const room = batch.capacity - 2;
    const words = batch.words;
    while (pos < end && batch.count <= room) {
      const start = pos;
      this.line++;
      const c0 = buf[pos]!;
      let kind = -1, modify = false;
      if (c0 === SP && buf[pos + 2] === SP) {
        const k = buf[pos + 1];
        if (k === 0x4c) kind = KIND_LOAD;
        else if (k === 0x53) kind = KIND_STORE;
        else if (k === 0x4d) { kind = KIND_STORE; modify = true; }
      } else if (c0 === 0x49 && buf[pos + 1] === SP && buf[pos + 2] === SP) {
        kind = KIND_IFETCH;
      } else if (c0 === EQ && buf[pos + 1] === EQ) {
        while (buf[pos] !== NL) pos++;
        pos++;
        continue;
      } else if (c0 === NL || (c0 === CR && buf[pos + 1] === NL)) {
        pos += c0 === NL ? 1 : 2;
        continue;
      }
      if (kind < 0) { pos = this.bad(buf, start); continue; }
      pos += 3;
      let lo = 0, hi = 0, digits = 0, d = HEX[buf[pos]!]!;
      while (d >= 0) {
        hi = ((hi << 4) | (lo >>> 28)) >>> 0;
        lo = ((lo << 4) | d) >>> 0;
        digits++;
        d = HEX[buf[++pos]!]!;
      }
      if (digits === 0 || digits > 16 || buf[pos] !== COMMA) { pos = this.bad(buf, start); continue; }
      pos++;
      digits = 0;
      for (let c = buf[pos]!; c >= 0x30 && c <= 0x39; c = buf[++pos]!) digits++;
      if (buf[pos] === CR) pos++;
      if (digits === 0 || buf[pos] !== NL) { pos = this.bad(buf, start); continue; }
      pos++;
      if (kind === KIND_IFETCH && !this.ifetch) continue;
      let i = batch.count << 1;
      if (modify && this.twice) {
        words[i] = ((lo & ~3) | KIND_LOAD) >>> 0; words[i + 1] = hi;
        i += 2; batch.count++;
      }
      words[i] = ((lo & ~3) | kind) >>> 0; words[i + 1] = hi;
      batch.count++;
    }
    return pos;
  }

  /** A malformed line starting at `start`: throws, or (lenient) counts it and returns the next line's start. */
  private bad(buf: Uint8Array, start: number): number {
    let e = start;
    while (buf[e] !== NL) e++;
    if (!this.lenient) {
      let text = new TextDecoder().decode(buf.subarray(start, Math.min(e, start + 60))).replace(/\r$/, "");
      if (e - start > 60) text += "...";
      throw new TraceError(`${this.name}: line ${this.line}: malformed lackey line '${text}'`);
    }
    this.skipped++;
    return e + 1;
  }
}

/** Reads lackey text from a byte stream in batches (the same batch object each time). */
export async function* readLackey(bytes: AsyncIterable<Uint8Array>, name: string, o: ReadOptions = {},
  stats?: ReadStats): AsyncGenerator<TraceBatch> {
  const batch = new TraceBatch(o.batchRecords);
  const p = new LackeyParser(name, o);
  const room = batch.capacity - 2;
  let carry = new Uint8Array(0);
  const drain = function* (buf: Uint8Array, end: number): Generator<TraceBatch> {
    let pos = 0;
    while (pos < end) {
      pos = p.parse(buf, pos, end, batch);
      if (batch.count > room) {
        if (stats) { stats.records += batch.count; stats.lines = p.line; stats.skipped = p.skipped; }
        yield batch;
        batch.count = 0;
      }
    }
  };
  for await (const chunk of bytes) {
    let buf = chunk;
    if (carry.length > 0) {
      buf = new Uint8Array(carry.length + chunk.length);
      buf.set(carry); buf.set(chunk, carry.length);
    }
    const end = buf.lastIndexOf(NL) + 1;
    yield* drain(buf, end);
    carry = buf.slice(end);
    if (carry.length > MAX_LINE) throw new TraceError(`${name}: line ${p.line + 1}: longer than ${MAX_LINE} bytes (not lackey output?)`);
  }
  if (carry.length > 0) {
    const last = new Uint8Array(carry.length + 1);
    last.set(carry); last[carry.length] = NL;
    yield* drain(last, last.length);
  }
  if (stats) { stats.records += batch.count; stats.lines = p.line; stats.skipped = p.skipped; }
  if (batch.count > 0) yield batch;
}

/** Formats one record as a lackey line (for writing test and benchmark traces); size is 8. */
export function lackeyLine(kind: number, lo: number, hi: number): string {
  const hex = (hi !== 0 ? hi.toString(16) + (lo >>> 0).toString(16).padStart(8, "0") : (lo >>> 0).toString(16).padStart(8, "0"));
  return kind === KIND_IFETCH ? `I  ${hex},4` : ` ${kind === KIND_STORE ? "S" : "L"} ${hex},8`;
}

// A batch of trace records in one reusable typed array. Every reader and generator fills the same batch object
// again and again and hands it on; the consumer must use it before asking for the next one. Records have the
// binary trace format's shape (FORMAT.md): one little-endian u64 per reference, held as two u32 words
// (lo, hi), with the kind in the low two bits of lo and the virtual address above them (its low two bits zero).

/** Record kinds (low two bits of a record). */
export const KIND_LOAD = 0;
export const KIND_STORE = 1;
export const KIND_IFETCH = 2;
export const KIND_CONTROL = 3;   // not a reference: bits 63..2 carry a new task id (ASID) for what follows
export const KIND_LETTERS = ["L", "S", "I", "C"] as const;

/** References per batch: a batch is 512 KiB, the size of the wasm trace buffer. */
export const BATCH_RECORDS = 65536;

/** Bad or truncated trace input: reported as one line by the CLI (exit status 1). */
export class TraceError extends Error {
  override name = "TraceError";
}

export class TraceBatch {
  readonly words: Uint32Array;     // 2 × capacity: lo, hi per record
  readonly bytes: Uint8Array;      // the same memory as bytes
  count = 0;

  constructor(readonly capacity = BATCH_RECORDS) {
    this.words = new Uint32Array(2 * capacity);
    this.bytes = new Uint8Array(this.words.buffer);
  }

  get full(): boolean { return this.count >= this.capacity; }

  /** Appends a reference; `lo`/`hi` are the address's 32-bit halves (its low two bits are dropped). */
  push(kind: number, lo: number, hi: number): void {
    const i = this.count++ << 1;
    this.words[i] = ((lo & ~3) | kind) >>> 0;
    this.words[i + 1] = hi >>> 0;
  }

  /** Drops instruction fetches (and keeps control records) in place. */
  dropIfetch(): void {
    const w = this.words;
    let out = 0;
    for (let i = 0; i < this.count; i++) {
      const lo = w[2 * i]!;
      if ((lo & 3) === KIND_IFETCH) continue;
      w[2 * out] = lo; w[2 * out + 1] = w[2 * i + 1]!;
      out++;
    }
    this.count = out;
  }
}

/** A trace: an async sequence of batches (the same object each time). */
export type TraceSource = AsyncIterable<TraceBatch>;

/** What a reader keeps from its input; `lenient` readers count the lines they skipped. */
export interface ReadOptions {
  ifetch?: boolean;           // include instruction fetches (default true)
  modifyAs?: 1 | 2;           // a lackey 'M' counts as one store (1) or a load and a store (2); default 2
  lenient?: boolean;          // skip malformed lines or records instead of stopping
  batchRecords?: number;
}

export interface ReadStats {
  lines: number;              // text lines read (lackey), or records read (ChampSim, drmemtrace entries)
  skipped: number;            // malformed lines (or records) skipped (--lenient)
  unit?: "line" | "record";   // what `lines` and `skipped` count (default line)
  records: number;            // records delivered
  /** A binary trace whose header has no record count: written to a stream, or a recording that never finished. */
  countUnknown?: boolean;
}

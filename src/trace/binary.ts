// mmulab's binary trace format (FORMAT.md): a 32-byte header, then fixed 8-byte records, so a reader copies
// bytes straight into a batch and replay is a straight loop. The writer patches the record count into the header
// when it closes a seekable file; a stream written to a pipe keeps COUNT_UNKNOWN and is read to its end.

import { closeSync, openSync, readSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { zstdFrame } from "./zstd.js";
import { KIND_IFETCH, type ReadOptions, type ReadStats, TraceBatch, TraceError } from "./batch.js";

export const MAGIC = "MMUTRACE";
export const VERSION = 3;            // written; versions 1 (no sizes, task id in bits 63..2 of a control record) and 2
                                     // (no trap records) are read too
export const HEADER_SIZE = 32;
export const RECORD_SIZE = 8;
export const COUNT_UNKNOWN = 0xFFFF_FFFF_FFFF_FFFFn;
export const FLAG_IFETCH = 1;      // instruction fetches were recorded
export const FLAG_MODIFY2 = 2;     // a read-modify-write was recorded as a load and a store
export const FLAG_SIZES = 4;       // version 2: bits 3..2 of a reference hold log2 of its size (address bits 63..4)

// Control records (kind 3) of versions 2 and 3: the type in bits 5..2, VM_PROT_* bits in 8..6, the access that caused a
// mapping in 11..9, and an address (page aligned) or a task id (<< 12) in bits 63..12. See FORMAT.md.
export const CTL_TASK = 0;         // task id (ASID) of the references that follow
export const CTL_MAP = 1;          // the kernel mapped the page (outside a page fault of a traced reference)
export const CTL_REMOVE = 2;       // the kernel removed the translations of [address, next CTL_END's address)
export const CTL_PROTECT = 3;      // the kernel changed the permissions of [address, next CTL_END's address)
export const CTL_END = 4;          // the end (exclusive) of the range of the CTL_REMOVE or CTL_PROTECT before it
export const CTL_COLLECT = 5;      // the kernel threw away every translation of the task (pmap_collect)
export const CTL_TRAP = 6;         // version 3: a trap into the kernel other than a page fault (bits 63..12: TRAP_*)
export const CTL_FAULT = 7;        // version 3: a reference faulted here (encodeFault: a layout of its own)
export const CTL_GRANT = 8;        // version 3, after each CTL_FAULT: the rights (bits 8..6) the kernel gave the
                                   // faulting page when done with the fault; 0: it answered with a signal
export const GRANT_COPY = 1;       // a CTL_GRANT's bits 11..9: the kernel replaced the mapped page (copy-on-write)
export const CTL_REMAP = 9;        // version 3: as CTL_MAP, a new frame in place of the one mapped (a virtual copy)

// What a CTL_TRAP record's trap was (the kernel's trap counters tell them apart).
export const TRAP_SYSCALL = 0;     // ecall
export const TRAP_OTHER = 1;       // illegal instruction, breakpoint, access fault, misaligned atomic

export interface ControlRecord { type: number; prot: number; access: number; address: number }

/** Encodes a control record; `address` is page aligned (or a task id or trap kind × 4096). */
export function encodeControl(type: number, address: number, prot = 0, access = 0): bigint {
  return (BigInt(address) & ~0xFFFn) | BigInt(((access & 7) << 9) | ((prot & 7) << 6) | ((type & 15) << 2) | 3);
}

/**
 * A fault record (CTL_FAULT): the faulting address's bits 63..9 (the smallest page of any machine is the VAX's
 * 512 bytes), and in bits 8..7 the kind of reference that faulted (0 load, 1 store, 2 fetch, as a reference's kind).
 */
export interface FaultRecord { address: bigint; kind: number }

export function encodeFault(address: bigint, kind: number): bigint {
  return (address & ~0x1FFn) | BigInt((kind & 3) << 7) | BigInt((CTL_FAULT << 2) | 3);
}

export function decodeFault(rec: bigint): FaultRecord {
  return { address: rec & ~0x1FFn, kind: Number((rec >> 7n) & 3n) };
}

export function decodeControl(rec: bigint): ControlRecord {
  const lo = Number(rec & 0xFFFn);
  return { type: (lo >> 2) & 15, prot: (lo >> 6) & 7, access: (lo >> 9) & 7, address: Number(rec & ~0xFFFn) };
}

export interface TraceHeader {
  version: number;
  flags: number;
  recordSize: number;
  pageShift: number;               // page size hint: log2 bytes (0 = none)
  count: bigint;                   // COUNT_UNKNOWN when written to a stream
}

export function encodeHeader(h: Omit<TraceHeader, "version" | "recordSize">): Uint8Array {
  const b = new Uint8Array(HEADER_SIZE);
  const dv = new DataView(b.buffer);
  b.set(new TextEncoder().encode(MAGIC));
  dv.setUint16(8, VERSION, true);
  dv.setUint16(10, h.flags, true);
  dv.setUint16(12, RECORD_SIZE, true);
  dv.setUint16(14, h.pageShift, true);
  dv.setBigUint64(16, h.count, true);
  return b;
}

/** True when `b` starts with the format's magic. */
export function isBinaryTrace(b: Uint8Array): boolean {
  if (b.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

/** Decodes and checks a header; throws TraceError naming `name`. */
export function decodeHeader(b: Uint8Array, name: string): TraceHeader {
  if (b.length < HEADER_SIZE) throw new TraceError(`${name}: truncated binary trace (header is ${b.length} of ${HEADER_SIZE} bytes)`);
  if (!isBinaryTrace(b)) throw new TraceError(`${name}: not an mmulab binary trace (bad magic)`);
  const dv = new DataView(b.buffer, b.byteOffset, HEADER_SIZE);
  const h: TraceHeader = {
    version: dv.getUint16(8, true), flags: dv.getUint16(10, true), recordSize: dv.getUint16(12, true),
    pageShift: dv.getUint16(14, true), count: dv.getBigUint64(16, true),
  };
  if (h.version < 1 || h.version > VERSION) {
    throw new TraceError(`${name}: binary trace version ${h.version} is not supported (expected 1 to ${VERSION})`);
  }
  if (h.version === 1 && (h.flags & FLAG_SIZES) !== 0) throw new TraceError(`${name}: version 1 trace with the sizes flag`);
  if (h.recordSize !== RECORD_SIZE) throw new TraceError(`${name}: record size ${h.recordSize} is not supported (expected ${RECORD_SIZE})`);
  return h;
}

/**
 * Writes a binary trace ('-' = stdout). A name ending in .gz, .zst or .zstd gets a compressed file: the trace is
 * written plain to NAME.part (so the record count can be patched in) and compressed into NAME when it is closed, in
 * 8 MiB pieces (gzip members or zstd frames, each a complete unit that a reader takes as one stream); a recording
 * that never closes leaves NAME.part, a plain trace without a count that readers report as unfinished.
 */
export class BinaryTraceWriter {
  private readonly fd: number;
  private records = 0n;
  private readonly seekable: boolean;
  private readonly plainPath: string;
  private readonly compressor: ((piece: Uint8Array) => Uint8Array) | undefined;

  constructor(readonly path: string, private readonly header: { flags: number; pageShift: number }) {
    this.seekable = path !== "-";
    if (/\.(xz|bz2|lz4)$/i.test(path)) throw new TraceError(`cannot write '${path}': only gzip (.gz) and zstd (.zst) compression are written`);
    this.compressor = /\.gz$/i.test(path) ? gzipSync : /\.zstd?$/i.test(path) ? (b) => zstdFrame(b) : undefined;
    this.plainPath = this.compressor ? `${path}.part` : path;
    try {
      this.fd = this.seekable ? openSync(this.plainPath, "w") : 1;
    } catch (e) {
      throw new TraceError(`cannot write '${path}': ${(e as Error).message}`);
    }
    this.put(encodeHeader({ ...header, count: COUNT_UNKNOWN }));
  }

  private put(b: Uint8Array, at: number | null = null): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off, at === null ? null : at + off);
  }

  write(batch: TraceBatch): void {
    this.put(batch.bytes.subarray(0, batch.count * RECORD_SIZE));
    this.records += BigInt(batch.count);
  }

  /** Writes whole records given as bytes (a recorder's buffer). */
  writeRecords(bytes: Uint8Array): void {
    this.put(bytes);
    this.records += BigInt(bytes.length / RECORD_SIZE);
  }

  /** Patches the record count (seekable files) and closes. Returns the number of records written. */
  close(): bigint {
    if (this.seekable) {
      this.put(encodeHeader({ ...this.header, count: this.records }), 0);
      closeSync(this.fd);
      if (this.plainPath !== this.path) this.compress();
    }
    return this.records;
  }

  /**
   * NAME.part → NAME, compressed in 8 MiB pieces: gzip members (RFC 1952 section 2.2: a file is a series of
   * members) or zstd frames (RFC 8878 section 3.1: concatenated frames are one stream).
   */
  private compress(): void {
    const tmp = `${this.path}.tmp`;
    const inFd = openSync(this.plainPath, "r"), outFd = openSync(tmp, "w");
    try {
      const buf = new Uint8Array(8 << 20);
      for (;;) {
        const n = readSync(inFd, buf, 0, buf.length, null);
        if (n === 0) break;
        const z = this.compressor!(buf.subarray(0, n));
        let off = 0;
        while (off < z.length) off += writeSync(outFd, z, off, z.length - off);
      }
    } finally {
      closeSync(inFd);
      closeSync(outFd);
    }
    renameSync(tmp, this.path);
    unlinkSync(this.plainPath);
  }
}

/**
 * Reads a binary trace from a byte stream in batches (the same batch object each time). A stream that ends in the
 * middle of a record, or before the count in its header, is reported as truncated.
 */
export async function* readBinary(bytes: AsyncIterable<Uint8Array>, name: string, o: ReadOptions = {},
  stats?: ReadStats, onHeader?: (h: TraceHeader) => void): AsyncGenerator<TraceBatch> {
  const batch = new TraceBatch(o.batchRecords);
  const cap = batch.capacity * RECORD_SIZE;
  const dropI = o.ifetch === false;
  let header: TraceHeader | undefined;
  const head = new Uint8Array(HEADER_SIZE);
  let headFill = 0;
  let fill = 0;            // bytes in the batch
  let total = 0n;          // records read
  const flush = function* (bytesInBatch: number): Generator<TraceBatch> {
    batch.count = bytesInBatch / RECORD_SIZE;
    total += BigInt(batch.count);
    if (dropI) batch.dropIfetch();
    if (stats) stats.records += batch.count;
    if (batch.count > 0) yield batch;
  };
  for await (const chunk of bytes) {
    let at = 0;
    if (!header) {
      const n = Math.min(HEADER_SIZE - headFill, chunk.length);
      head.set(chunk.subarray(0, n), headFill);
      headFill += n; at = n;
      if (headFill < HEADER_SIZE) continue;
      header = decodeHeader(head, name);
      onHeader?.(header);
    }
    while (at < chunk.length) {
      const n = Math.min(cap - fill, chunk.length - at);
      batch.bytes.set(chunk.subarray(at, at + n), fill);
      fill += n; at += n;
      if (fill === cap) { yield* flush(fill); fill = 0; }
    }
  }
  if (!header) decodeHeader(head.subarray(0, headFill), name);
  const partial = fill % RECORD_SIZE;
  const whole = fill - partial;
  if (whole > 0) yield* flush(whole);
  if (partial !== 0) {
    throw new TraceError(`${name}: truncated binary trace (ends ${partial} bytes into record ${total})`);
  }
  if (header!.count !== COUNT_UNKNOWN && total !== header!.count) {
    throw new TraceError(`${name}: truncated binary trace (header says ${header!.count} records, found ${total})`);
  }
}

/** True when `path` is a plain (not gzipped) file that starts with the binary trace magic. Never throws. */
export function isBinaryTraceFile(path: string): boolean {
  if (path === "-") return false;
  let fd = -1;
  try {
    fd = openSync(path, "r");
    const b = new Uint8Array(MAGIC.length);
    let got = 0, n: number;
    while (got < b.length && (n = readSync(fd, b, got, b.length - got, got)) > 0) got += n;
    return got === b.length && isBinaryTrace(b);
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * Reads a binary trace file synchronously, with no stream: each step reads as many whole records as fit into the
 * buffer `target()` returns (its length a multiple of RECORD_SIZE) straight into it, from its start, and yields
 * the number of records read; the consumer uses them before asking for more. Truncation is reported as readBinary
 * does, after the last whole records have been yielded.
 */
export function* readBinaryFile(path: string, name: string, target: () => Uint8Array,
  onHeader?: (h: TraceHeader) => void): Generator<number> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new TraceError(`cannot read '${path}': ${(e as Error).message}`);
  }
  try {
    let pos = 0;
    const read = (b: Uint8Array, off: number, len: number): number => {
      let got = 0, n: number;
      while (got < len && (n = readSync(fd, b, off + got, len - got, pos)) > 0) { got += n; pos += n; }
      return got;
    };
    const head = new Uint8Array(HEADER_SIZE);
    const header = decodeHeader(head.subarray(0, read(head, 0, HEADER_SIZE)), name);
    onHeader?.(header);
    let total = 0n;
    let partial = 0;
    for (;;) {
      const buf = target();
      const got = read(buf, 0, buf.length);
      partial = got % RECORD_SIZE;
      const records = (got - partial) / RECORD_SIZE;
      if (records > 0) { total += BigInt(records); yield records; }
      if (got < buf.length) break;
    }
    if (partial !== 0) {
      throw new TraceError(`${name}: truncated binary trace (ends ${partial} bytes into record ${total})`);
    }
    if (header.count !== COUNT_UNKNOWN && total !== header.count) {
      throw new TraceError(`${name}: truncated binary trace (header says ${header.count} records, found ${total})`);
    }
  } finally {
    closeSync(fd);
  }
}

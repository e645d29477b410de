// Byte sources for trace readers: a file or standard input ('-'), decompressed when it is gzip (streamed through
// node:zlib), zstd (fzstd, pure JavaScript) or xz (xz-decompress, WebAssembly). Compression is recognised by its
// magic bytes, not the file name, so `-` may carry compressed data too. Every decompressor is streamed: traces are
// gigabytes, and no more than a chunk or two of the input or output is held at once.

import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { Decompress as ZstdDecompress } from "fzstd";
import { createRequire } from "node:module";
import { TraceError } from "./batch.js";

const CHUNK = 1 << 20;

/** The compressions recognised, by their magic numbers (RFC 1952; RFC 8878 section 3.1.1; the .xz file format 2.1.1.1). */
export type Compression = "gzip" | "zstd" | "xz" | "none";

export function compressionOf(head: Uint8Array): Compression {
  const is = (...m: number[]) => head.length >= m.length && m.every((b, i) => head[i] === b);
  if (is(0x1f, 0x8b)) return "gzip";
  if (is(0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  if (is(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
  return "none";
}

/** Raw bytes of `path` ('-' = stdin), in chunks. Throws TraceError if the file cannot be opened. */
async function* rawBytes(path: string): AsyncGenerator<Uint8Array> {
  const stream: Readable = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new TraceError(`cannot read '${path}': no such file`);
    if (err.code === "EISDIR") throw new TraceError(`cannot read '${path}': is a directory`);
    throw new TraceError(`cannot read '${path}': ${err.message}`);
  }
}

/** Bytes of a trace file ('-' = stdin), decompressed when it starts with the magic of gzip, zstd or xz. */
export function traceBytes(path: string): AsyncGenerator<Uint8Array> {
  return decompressed(rawBytes(path), path === "-" ? "<stdin>" : path);
}

/** `raw`, decompressed when it starts with a known compression's magic; else as it is. */
export async function* decompressed(raw: AsyncIterator<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  let done = false;
  while (head.length < 6 && !done) {             // the longest magic (xz) is 6 bytes
    const next = await raw.next();
    if (next.done) { done = true; break; }
    head = head.length === 0 ? next.value : concat(head, next.value);
  }
  if (head.length === 0) return;
  const all = (async function* () { yield head; if (!done) for (let n = await raw.next(); !n.done; n = await raw.next()) yield n.value; })();
  const kind = compressionOf(head);
  if (kind === "none") { yield* all; return; }
  try {
    if (kind === "gzip") yield* gunzip(all);
    else if (kind === "zstd") yield* unzstd(all);
    else yield* unxz(all);
  } catch (e) {
    if (e instanceof TraceError) throw e;
    throw new TraceError(`${name}: bad ${kind} data (${(e as Error).message})`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a); c.set(b, a.length);
  return c;
}

async function* gunzip(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const z = createGunzip({ chunkSize: CHUNK });
  const from = Readable.from(input);
  from.on("error", (e) => z.destroy(e));
  from.pipe(z);
  for await (const chunk of z) yield chunk as Uint8Array;
}

/**
 * zstd, frame after frame (concatenated frames are one stream, RFC 8878 section 3.1): each input chunk is pushed
 * through fzstd's streaming decompressor and what it gives is passed on before the next chunk is read.
 */
async function* unzstd(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  const d = new ZstdDecompress((data) => { if (data.length > 0) out.push(data.slice()); });
  for await (const chunk of input) {
    d.push(chunk);
    if (out.length > 0) { const o = out; out = []; yield* o; }
  }
  d.push(new Uint8Array(0), true);
  yield* out;
}

/** xz through xz-decompress's web stream (its WebAssembly build of XZ Embedded). */
async function* unxz(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const web = Readable.toWeb(Readable.from(input)) as unknown as ReadableStream<Uint8Array>;
  // A CommonJS bundle, loaded only when an xz trace comes.
  const { XzReadableStream } = createRequire(import.meta.url)("xz-decompress") as typeof import("xz-decompress");
  const xz = new XzReadableStream(web);
  for await (const chunk of xz as unknown as AsyncIterable<Uint8Array>) yield chunk;
}

// Byte sources for trace readers: a file, a gzip file (streamed through node:zlib) or standard input ('-').
// Compression is recognised by its magic bytes, not the file name, so `-` may carry gzip data too.

import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { TraceError } from "./batch.js";

const CHUNK = 1 << 20;

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

/** Bytes of a trace file, gunzipped when it starts with the gzip magic (1f 8b). */
export async function* traceBytes(path: string): AsyncGenerator<Uint8Array> {
  const raw = rawBytes(path);
  const first = await raw.next();
  if (first.done) return;
  const head = first.value;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    const input = Readable.from((async function* () { yield head; yield* raw; })());
    input.on("error", (e) => gunzip.destroy(e));
    input.pipe(gunzip);
    try {
      for await (const chunk of gunzip) yield chunk as Uint8Array;
    } catch (e) {
      if (e instanceof TraceError) throw e;
      throw new TraceError(`'${path}': bad gzip data (${(e as Error).message})`);
    }
    return;
  }
  yield head;
  yield* raw;
}

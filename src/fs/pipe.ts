// Pipes (Linux fs/pipe.c): a 64 KiB buffer between a read end and a write end, each an open file description.
// Reads return what is there (0 once every writer is gone); writes of at most PIPE_BUF bytes are atomic; a write
// with no reader left fails with EPIPE (the caller raises SIGPIPE). When an operation would have to wait for
// another task, it returns "block" having done nothing — the system-call layer decides what waiting means.
// A blocking write of more than fits writes what fits and returns that short count (the caller's write loop
// comes back for the rest, which then blocks); Linux would instead sleep inside the call until all is written.

import { EAGAIN, EPIPE } from "../bsd/errno.js";
import { type ReadResult, type StatInfo, type WriteResult, O_NONBLOCK, O_RDONLY, O_WRONLY, OpenFile } from "./file.js";
import { S_IFIFO } from "./vnode.js";

export const PIPE_BUF = 4096;
export const PIPE_CAPACITY = 65536;     // 16 pages, Linux's default pipe size
const PIPEFS_DEV = 0xC;

export class Pipe {
  private readonly ring = new Uint8Array(PIPE_CAPACITY);
  private head = 0;                      // index of the oldest byte
  length = 0;                            // bytes buffered
  readers = 0;                           // open read-end descriptions
  writers = 0;                           // open write-end descriptions

  constructor(readonly ino: number) {}

  get space(): number { return PIPE_CAPACITY - this.length; }

  peek(max: number): Uint8Array {
    const n = Math.min(max, this.length);
    const out = new Uint8Array(n);
    const first = Math.min(n, PIPE_CAPACITY - this.head);
    out.set(this.ring.subarray(this.head, this.head + first));
    out.set(this.ring.subarray(0, n - first), first);
    return out;
  }

  drop(n: number): void {
    this.head = (this.head + n) % PIPE_CAPACITY;
    this.length -= n;
  }

  push(data: Uint8Array): void {
    const tail = (this.head + this.length) % PIPE_CAPACITY;
    const first = Math.min(data.length, PIPE_CAPACITY - tail);
    this.ring.set(data.subarray(0, first), tail);
    this.ring.set(data.subarray(first), 0);
    this.length += data.length;
  }
}

/** Makes a pipe and its two ends; `flags` may carry O_NONBLOCK (and O_DIRECT, accepted as a plain pipe). */
export function makePipe(ino: number, flags: number): [PipeEnd, PipeEnd] {
  const pipe = new Pipe(ino);
  return [new PipeEnd(pipe, O_RDONLY | (flags & O_NONBLOCK)), new PipeEnd(pipe, O_WRONLY | (flags & O_NONBLOCK))];
}

export class PipeEnd extends OpenFile {
  readonly seekable = false;

  constructor(readonly pipe: Pipe, flags: number) {
    super(flags);
    if (this.readable) pipe.readers++; else pipe.writers++;
  }

  read(max: number): ReadResult {
    const p = this.pipe;
    if (p.length > 0) return p.peek(max);
    if (p.writers === 0) return new Uint8Array(0);
    return this.nonblocking ? -EAGAIN : "block";
  }

  consume(n: number): void { this.pipe.drop(n); }

  write(data: Uint8Array): WriteResult {
    const p = this.pipe;
    if (p.readers === 0) return -EPIPE;
    if (data.length === 0) return 0;
    const atomic = data.length <= PIPE_BUF;
    const n = atomic ? (p.space >= data.length ? data.length : 0) : Math.min(p.space, data.length);
    if (n === 0) return this.nonblocking ? -EAGAIN : "block";
    p.push(data.subarray(0, n));
    return n;
  }

  stat(): StatInfo {
    const z = { atime: 0n, mtime: 0n, ctime: 0n };
    return { dev: PIPEFS_DEV, ino: this.pipe.ino, mode: S_IFIFO | 0o600, nlink: 1, size: 0, blksize: 4096, blocks: 0, times: z };
  }

  override release(): void {
    if (this.readable) this.pipe.readers--; else this.pipe.writers--;
  }
}

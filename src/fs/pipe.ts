// Pipes (Linux fs/pipe.c): a ring of 16 page-sized buffers between a read end and a write end, each an open file
// description. Capacity is counted in buffers, as Linux counts it: a write first tops up the last buffer with the
// part of it that is not a whole number of pages (if all of that part fits there), then fills fresh pages, so a
// pipe holds 64 KiB of 4 KiB writes but less of odd-sized ones, and a write of at most PIPE_BUF bytes is atomic.
// Reads return what is there (0 once every writer is gone). A write with no reader left fails with EPIPE (the
// caller raises SIGPIPE). When an operation would have to wait for another task it returns "block" having done
// nothing — the system-call layer decides what waiting means. A blocking write that only partly fits writes what
// fits and returns that short count (the caller's write loop comes back for the rest, which then blocks); Linux
// would sleep inside the call until all is written. O_DIRECT makes a packet pipe: no merging, one buffer per read.

import { EAGAIN, EBUSY, EINVAL, EPERM, EPIPE } from "../sys/errno.js";
import {
  type ReadResult, type StatInfo, type WriteResult, O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY, OpenFile, POLLERR, POLLHUP,
  POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM, vnodeStat,
} from "./file.js";
import { type FifoNode, S_IFIFO } from "./vnode.js";

export const PIPE_BUF = 4096;
const PAGE = 4096;
export const PIPE_BUFFERS = 16;                         // Linux's default pipe_max_size / PAGE_SIZE
export const PIPE_CAPACITY = PIPE_BUFFERS * PAGE;       // 64 KiB
const PIPEFS_DEV = 0xC;

/** Linux's PIPE_MIN_DEF_BUFFERS: what a new pipe gets once its user is over the soft limit. */
const PIPE_MIN_DEF_BUFFERS = 2;

/**
 * The pipe limits of /proc/sys/fs (Documentation/admin-guide/sysctl/fs.rst) and the page buffers the guest's user
 * holds in pipes (fs/pipe.c account_pipe_buffers). The guest is one unprivileged user: every limit applies.
 */
export class PipeLimits {
  maxSize = 1048576;         // pipe-max-size: F_SETPIPE_SZ above it is EPERM
  userPagesSoft = 16384;     // pipe-user-pages-soft: beyond it new pipes get PIPE_MIN_DEF_BUFFERS
  userPagesHard = 0;         // pipe-user-pages-hard: 0, no limit
  userPages = 0;             // buffers accounted to the user
}

/** One pipe_buffer: bytes [offset, offset + len) of a page. */
interface PipeBuffer {
  readonly page: Uint8Array;
  offset: number;
  len: number;
  readonly canMerge: boolean;
}

export class Pipe {
  private readonly bufs: PipeBuffer[] = [];   // oldest first; at most PIPE_BUFFERS
  readers = 0;                                // open read-end descriptions
  writers = 0;                                // open write-end descriptions
  /** Read and write opens ever made (fs/pipe.c r_counter, w_counter): a FIFO opener waits for the other's to move. */
  rCounter = 0;
  wCounter = 0;
  /** Capacity in page buffers (fcntl F_SETPIPE_SZ changes it; a power of two). */
  maxBuffers = PIPE_BUFFERS;

  /** Buffers accounted to the user for this pipe (nr_accounted); 0 once the pipe is freed. */
  private accounted: number;

  /** alloc_pipe_info: 16 buffers, or 2 when the user already holds more than the soft limit. */
  constructor(readonly ino: number, readonly packet: boolean, private readonly limits = new PipeLimits()) {
    limits.userPages += PIPE_BUFFERS;
    this.accounted = PIPE_BUFFERS;
    if (limits.userPagesSoft > 0 && limits.userPages > limits.userPagesSoft) {
      limits.userPages += PIPE_MIN_DEF_BUFFERS - PIPE_BUFFERS;
      this.accounted = this.maxBuffers = PIPE_MIN_DEF_BUFFERS;
    }
  }

  /** free_pipe_info: the last description is gone; the user's buffers are given back. */
  free(): void {
    this.limits.userPages -= this.accounted;
    this.accounted = 0;
    this.bufs.length = 0;
  }

  /** Capacity in bytes (F_GETPIPE_SZ). */
  get capacity(): number { return this.maxBuffers * PAGE; }

  /**
   * F_SETPIPE_SZ (pipe_set_size): the size rounded up to a power of two pages; growing beyond pipe-max-size or the
   * user's limits is EPERM, shrinking below what is buffered EBUSY. Returns the new capacity or a negative errno.
   */
  setSize(arg: number): number {
    const size = arg > 2 ** 31 ? 0 : arg < PAGE ? PAGE : 2 ** Math.ceil(Math.log2(arg));
    const slots = size / PAGE;
    if (slots === 0) return -EINVAL;
    const l = this.limits, grows = slots > this.maxBuffers;
    if (grows && size > l.maxSize) return -EPERM;
    const total = l.userPages - this.accounted + slots;
    if (grows && ((l.userPagesHard > 0 && total > l.userPagesHard) || (l.userPagesSoft > 0 && total > l.userPagesSoft))) return -EPERM;
    if (slots < this.bufs.length) return -EBUSY;
    l.userPages = total;
    this.accounted = this.maxBuffers = slots;
    return size;
  }

  /** Bytes buffered (FIONREAD). */
  get length(): number { return this.bufs.reduce((s, b) => s + b.len, 0); }
  get full(): boolean { return this.bufs.length >= this.maxBuffers; }
  /** Buffers in use: F_SETPIPE_SZ cannot shrink below them (EBUSY). */
  get used(): number { return this.bufs.length; }
  get empty(): boolean { return this.bufs.length === 0; }

  /** What a read of up to max bytes would return (one buffer at most in packet mode). */
  peek(max: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (const b of this.bufs) {
      if (n >= max) break;
      const take = Math.min(b.len, max - n);
      parts.push(b.page.subarray(b.offset, b.offset + take));
      n += take;
      if (this.packet) break;
    }
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  /** Takes n bytes from the front; a packet pipe drops the rest of the buffer it read from. */
  drop(n: number): void {
    while (n > 0) {
      const b = this.bufs[0]!;
      const take = Math.min(b.len, n);
      b.offset += take;
      b.len -= take;
      n -= take;
      if (b.len === 0 || this.packet) this.bufs.shift();
      if (this.packet) return;
    }
  }

  /** Stores as much of data as fits, Linux's way (see canTake first); returns the bytes stored. */
  push(data: Uint8Array): number {
    let done = 0;
    const rest = data.length % PAGE;
    const last = this.bufs[this.bufs.length - 1];
    if (rest !== 0 && last && last.canMerge && last.offset + last.len + rest <= PAGE) {
      last.page.set(data.subarray(0, rest), last.offset + last.len);
      last.len += rest;
      done = rest;
    }
    while (done < data.length && !this.full) {
      const n = Math.min(PAGE, data.length - done);
      const page = new Uint8Array(PAGE);
      page.set(data.subarray(done, done + n));
      this.bufs.push({ page, offset: 0, len: n, canMerge: !this.packet });
      done += n;
    }
    return done;
  }

  /** Would a write of n bytes store anything at all? */
  canTake(n: number): boolean {
    const last = this.bufs[this.bufs.length - 1];
    const rest = n % PAGE;
    return !this.full || (rest !== 0 && last !== undefined && last.canMerge && last.offset + last.len + rest <= PAGE);
  }
}

/** Makes a pipe and its two ends; `flags` may carry O_NONBLOCK and O_DIRECT (a packet pipe). */
export function makePipe(ino: number, flags: number, limits?: PipeLimits): [PipeEnd, PipeEnd] {
  const pipe = new Pipe(ino, (flags & O_DIRECT) !== 0, limits);
  const status = flags & (O_NONBLOCK | O_DIRECT);
  return [new PipeEnd(pipe, O_RDONLY | status), new PipeEnd(pipe, O_WRONLY | status)];
}

export class PipeEnd extends OpenFile {
  readonly seekable = false;

  /** `fifo`: the named pipe this end was opened through (its vnode is what fstat shows). */
  constructor(readonly pipe: Pipe, flags: number, readonly fifo: FifoNode | null = null) {
    super(flags);
    if (this.readable) { pipe.readers++; pipe.rCounter++; }
    if (this.writable) { pipe.writers++; pipe.wCounter++; }
  }

  read(max: number): ReadResult {
    const p = this.pipe;
    if (!p.empty) return p.peek(max);
    if (p.writers === 0) return new Uint8Array(0);
    return this.nonblocking ? -EAGAIN : "block";
  }

  consume(n: number): void { this.pipe.drop(n); }

  /**
   * pipe_poll: a read end is readable with data and hung up without writers; a write end is writable with room
   * and in error without readers. (Linux also withholds POLLHUP from a FIFO reader opened before any writer came.)
   */
  override poll(): number {
    const p = this.pipe;
    let mask = 0;
    if (this.readable) {
      if (!p.empty) mask |= POLLIN | POLLRDNORM;
      if (p.writers === 0) mask |= POLLHUP;
    }
    if (this.writable) {
      if (!p.full) mask |= POLLOUT | POLLWRNORM;
      if (p.readers === 0) mask |= POLLERR;
    }
    return mask;
  }

  write(data: Uint8Array): WriteResult {
    const p = this.pipe;
    if (data.length === 0) return 0;
    if (p.readers === 0) return -EPIPE;
    if (!p.canTake(data.length)) return this.nonblocking ? -EAGAIN : "block";
    return p.push(data);
  }

  stat(): StatInfo {
    if (this.fifo) return vnodeStat(this.fifo);
    const z = { atime: 0n, mtime: 0n, ctime: 0n };
    return { dev: PIPEFS_DEV, ino: this.pipe.ino, mode: S_IFIFO | 0o600, nlink: 1, size: 0, blksize: 4096, blocks: 0, times: z };
  }

  override release(): void {
    if (this.readable) this.pipe.readers--;
    if (this.writable) this.pipe.writers--;
    // The last close frees the pipe and whatever it still held (put_pipe_info); a FIFO makes a new one next time.
    if (this.pipe.readers === 0 && this.pipe.writers === 0) {
      this.pipe.free();
      if (this.fifo?.pipe === this.pipe) this.fifo.pipe = null;
    }
  }
}

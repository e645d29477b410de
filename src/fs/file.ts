// Open file descriptions (Linux struct file): what open() creates and every descriptor dup()ed or inherited
// from it shares — the status flags and, for files, the offset. Three kinds: a vnode (regular file or
// directory), one end of a pipe (pipe.ts), and the guest's standard streams, connected to the host through GuestIo.
//
// read() is two steps so that a copy to user memory that faults consumes nothing it did not deliver: `read`
// returns the bytes available without consuming them, `consume(n)` takes the n bytes that reached the user.

import { EFBIG, EINVAL, ENOSPC } from "../sys/errno.js";
import { fileRead, fileWrite } from "./vnode_pager.js";
import { type Times, type Vnode, MAX_FILE_SIZE, modeBits, S_IFIFO } from "./vnode.js";

/** The host side of the guest's standard streams. */
export interface GuestIo {
  /** Reads up to max bytes from the guest's stdin; an empty array means end of file. */
  read(max: number): Uint8Array;
  /** Writes guest output to fd 1 (stdout) or 2 (stderr). */
  write(fd: 1 | 2, data: Uint8Array): void;
}

export const O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000,
  O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_ASYNC = 0o20000, O_DIRECT = 0o40000, O_LARGEFILE = 0o100000,
  O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_NOATIME = 0o1000000, O_CLOEXEC = 0o2000000,
  O_SYNC = 0o4010000, O_PATH = 0o10000000, O_TMPFILE = 0o20000000 | O_DIRECTORY;
/** Status flags fcntl(F_SETFL) may change (Linux SETFL_MASK). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

/** What fstat reports about an open file (struct stat fields before layout). */
export interface StatInfo {
  dev: number;
  ino: number;
  mode: number;      // type and permission bits
  nlink: number;
  /** st_rdev of a device, else 0. */
  rdev?: number;
  /** Owner and group; absent for anonymous inodes (pipes, the standard streams), which belong to the caller. */
  uid?: number;
  gid?: number;
  size: number;
  blksize: number;
  blocks: number;
  times: Times;
}

// poll events (include/uapi/asm-generic/poll.h).
export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
  POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200;
/** What a file without a poll method reports: always ready both ways (DEFAULT_POLLMASK, fs/select.c). */
export const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/** A read's outcome: bytes (empty at end of file), a negative errno, or "block" (would wait for another task). */
export type ReadResult = Uint8Array | number | "block";
/** A write's outcome: bytes written, a negative errno, or "block" (nothing written; would wait). */
export type WriteResult = number | "block";

export abstract class OpenFile {
  refs = 1;                               // descriptors (in every task) referring to this description
  constructor(public flags: number) {}

  /** An O_PATH description neither reads nor writes (FMODE_PATH), whatever its access mode bits. */
  get readable(): boolean { const a = this.flags & O_ACCMODE; return !(this.flags & O_PATH) && (a === O_RDONLY || a === O_RDWR); }
  get writable(): boolean { const a = this.flags & O_ACCMODE; return !(this.flags & O_PATH) && (a === O_WRONLY || a === O_RDWR); }
  get nonblocking(): boolean { return (this.flags & O_NONBLOCK) !== 0; }

  /** Whether lseek, pread and pwrite apply (ESPIPE otherwise). */
  abstract readonly seekable: boolean;
  /** Up to max bytes at the file position, or at `pos` (pread); not consumed. */
  abstract read(max: number, pos: number | undefined, io: GuestIo): ReadResult;
  /** The first n bytes of the last read reached the user. */
  abstract consume(n: number, pos: number | undefined): void;
  abstract write(data: Uint8Array, pos: number | undefined, io: GuestIo): WriteResult;
  abstract stat(): StatInfo;
  /** Its readiness now, as POLL* bits (the file operation poll; regular files and devices: always ready). */
  poll(): number { return DEFAULT_POLLMASK; }
  /** The last descriptor referring to this description was closed. */
  release(): void {}
}

/** A regular file or a directory opened by path. The offset of a directory is a getdents64 cookie. */
export class VnodeFile extends OpenFile {
  offset = 0;
  readonly seekable = true;

  constructor(readonly node: Vnode, flags: number) {
    super(flags);
    if (node.type === "reg") node.hold(1);
  }

  override release(): void { if (this.node.type === "reg") this.node.hold(-1); }

  read(max: number, pos: number | undefined): ReadResult {
    if (this.node.type !== "reg") return -EINVAL;   // the caller reports EISDIR for directories
    return fileRead(this.node, pos ?? this.offset, max);
  }

  consume(n: number, pos: number | undefined): void { if (pos === undefined) this.offset += n; }

  write(data: Uint8Array, pos: number | undefined): WriteResult {
    const node = this.node;
    if (node.type !== "reg") return -EINVAL;
    // O_APPEND writes at the end even for pwrite (a documented Linux deviation from POSIX).
    const at = this.flags & O_APPEND ? node.size : pos ?? this.offset;
    if (at + data.length > MAX_FILE_SIZE) {
      if (at >= MAX_FILE_SIZE) return -EFBIG;
      data = data.subarray(0, MAX_FILE_SIZE - at);
    }
    if (data.length > 0 && !fileWrite(node, at, data)) return -ENOSPC;
    if (pos === undefined) this.offset = at + data.length;
    return data.length;
  }

  stat(): StatInfo { return vnodeStat(this.node); }
}

export function vnodeStat(n: Vnode): StatInfo {
  return {
    dev: n.dev, ino: n.ino, mode: modeBits(n), nlink: n.nlink, uid: n.uid, gid: n.gid, rdev: n.type === "chr" ? n.rdev : 0,
    size: n.generated ? 0 : n.type === "reg" ? n.size : n.type === "lnk" ? n.target.length : n.type === "dir" ? 4096 : 0,
    blksize: n.generated ? 1024 : 4096,
    blocks: n.generated ? 0 : n.type === "reg" ? n.blocks : n.type === "dir" ? 8 : 0,
    times: n.times,
  };
}

/** The guest's standard streams: the host's, presented as pipes (as qemu-user shows them with output piped). */
export class StdioFile extends OpenFile {
  readonly seekable = false;
  /** Bytes taken from the host's stdin but not delivered yet (a read whose copy-out faulted). */
  private pending: Uint8Array = new Uint8Array(0);

  constructor(readonly stream: 0 | 1 | 2) { super(stream === 0 ? O_RDONLY : O_WRONLY); }

  read(max: number, _pos: number | undefined, io: GuestIo): ReadResult {
    if (this.pending.length === 0) this.pending = io.read(Math.min(max, STDIN_CHUNK));
    return this.pending.subarray(0, max);
  }

  consume(n: number): void { this.pending = this.pending.subarray(n); }

  write(data: Uint8Array, _pos: number | undefined, io: GuestIo): WriteResult {
    if (data.length > 0) io.write(this.stream === 2 ? 2 : 1, data);
    return data.length;
  }

  stat(): StatInfo {
    const z = { atime: 0n, mtime: 0n, ctime: 0n };
    return { dev: 0xC, ino: 1000 + this.stream, mode: S_IFIFO | 0o600, nlink: 1, size: 0, blksize: 4096, blocks: 0, times: z };
  }
}

const STDIN_CHUNK = 65536;

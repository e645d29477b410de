// System calls on file descriptors (Linux fs/read_write.c, readdir.c, stat.c, pipe.c, fcntl.c, ioctl.c): reads
// and writes over open file descriptions (fs/file.ts) — regular files, directories, pipes and the standard
// streams, which stay connected to the host and present as pipes — plus seeking, sizes, listings, descriptor
// duplication and pipes. Path-name calls are in sys_namei.ts. Argument checks come in Linux's order, so hostile
// arguments get Linux's errno.

import { ERESTARTSYS, SIGPIPE, SI_USER, sendSignal } from "../kern/signal.js";
import { GUEST_UID } from "../kern/task.js";
import { addr, int, long, size, uint } from "./args.js";
import {
  EBADF, EFAULT, EFBIG, EINVAL, EISDIR, EMFILE, ENODEV, ENOSPC, ENOTDIR, ENOTTY, ENXIO, EOPNOTSUPP, EPIPE, ESPIPE,
} from "../sys/errno.js";
import { fileTruncate, fileWrite } from "../fs/vnode_pager.js";
import { release } from "./files.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";
import { NAMEI_SYSCALLS } from "./sys_namei.js";
import { STATFS_SYSCALLS } from "./sys_statfs.js";
import { XATTR_SYSCALLS } from "./sys_xattr.js";
import { UTIMES_SYSCALLS } from "./sys_utimes.js";
import { bytesOf, fdLimit, files, statBytes, touch, truncateNode } from "./file_args.js";
import { type OpenFile, O_CLOEXEC, O_DIRECT, O_NONBLOCK, O_PATH, SETFL_MASK, VnodeFile } from "../fs/file.js";
import { PipeEnd, makePipe } from "../fs/pipe.js";
import { type FileNode, MAX_FILE_SIZE, direntType } from "../fs/vnode.js";

export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030,
  F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
const FD_CLOEXEC = 1;
const FIONREAD = 0x541B;
const MAX_RW_COUNT = 0x7FFFF000;      // INT_MAX & PAGE_MASK: Linux clamps every read/write to this
const UIO_MAXIOV = 1024;
const PAGE = 4096;

// ---- helpers ----------------------------------------------------------------------------------------------

/**
 * Linux access_ok: the whole user range must lie below the top of user space (an empty range always passes here,
 * which differs from Linux only for addresses beyond the top of user space).
 */
function accessOk(ctx: SyscallContext, va: number, len: number): boolean {
  return len === 0 || va + len <= ctx.task.map.maxAddress;
}

/** Copies in up to len bytes, stopping at the first page that faults (a short write, as Linux makes). */
function copyinPartial(ctx: SyscallContext, va: number, len: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let done = 0;
  while (done < len) {
    const n = Math.min(len - done, PAGE - ((va + done) % PAGE));
    const d = ctx.task.um.copyin(va + done, n);
    if (!d) break;
    parts.push(d);
    done += n;
  }
  const out = new Uint8Array(done);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * A call that must wait for another task to act (read from an empty pipe, write to a full one): the task sleeps
 * until `ready` holds and then makes the call again (nothing was consumed or written when "block" was returned),
 * as pipe_read/pipe_write sleep on the pipe's wait queue. A signal to take first ends it with -ERESTARTSYS (EINTR,
 * or made again after the handler under SA_RESTART). When every task waits, the run ends with SIGKILL (a deadlock).
 */
export function blockedCall(ctx: SyscallContext, what: string, ready: () => boolean): number {
  if (ctx.task.signals.hasDeliverable) return -ERESTARTSYS;
  return ctx.procs.sleep(ctx.task, what, ready);
}

/** When a blocking read of f (a pipe end) could proceed: data, or no writer left. */
function readReady(f: OpenFile): () => boolean {
  return () => !(f instanceof PipeEnd) || !f.pipe.empty || f.pipe.writers === 0;
}

/** When a blocking write of n bytes to f (a pipe end) could proceed: room for them, or no reader left. */
function writeReady(f: OpenFile, n: number): () => boolean {
  return () => !(f instanceof PipeEnd) || f.pipe.readers === 0 || f.pipe.canTake(n);
}

/**
 * A write to a pipe with no reader: Linux's pipe_write sends SIGPIPE to the writer (send_sig: SI_USER from the
 * task itself) and the call fails with EPIPE. The signal is acted on when the call returns to user mode: the
 * default action ends the task, a handler runs, an ignored or blocked SIGPIPE leaves only EPIPE.
 */
export function raiseSigpipe(ctx: SyscallContext): number {
  sendSignal(ctx.task, SIGPIPE, { code: SI_USER, pid: ctx.task.pid, uid: GUEST_UID, detail: "write to a pipe with no reader" });
  return -EPIPE;
}

// ---- read and write ---------------------------------------------------------------------------------------

function readInto(ctx: SyscallContext, f: OpenFile, buf: number, count: number, pos: number | undefined): number {
  if (f instanceof VnodeFile && f.node.type === "dir") return -EISDIR;
  if (count === 0) return 0;
  const r = f.read(count, pos, ctx.io);
  if (r === "block") return blockedCall(ctx, "read from an empty pipe", readReady(f));
  if (typeof r === "number") return r;
  if (r.length === 0) return 0;
  const n = ctx.task.um.copyoutPartial(buf, r);
  f.consume(n, pos);
  return n > 0 ? n : -EFAULT;
}

function writeFrom(ctx: SyscallContext, f: OpenFile, data: Uint8Array, pos: number | undefined): number {
  const r = f.write(data, pos, ctx.io);
  if (r === "block") return blockedCall(ctx, "write to a full pipe", writeReady(f, data.length));
  if (r === -EPIPE) return raiseSigpipe(ctx);
  if (r > 0 && f instanceof VnodeFile && !f.node.readOnly) f.node.times.mtime = f.node.times.ctime = files(ctx).fs.now;
  return r;
}

function readableFile(ctx: SyscallContext, fd: number): OpenFile | number {
  const f = files(ctx).get(fd);
  return f && f.readable ? f : -EBADF;
}

function writableFile(ctx: SyscallContext, fd: number): OpenFile | number {
  const f = files(ctx).get(fd);
  return f && f.writable ? f : -EBADF;
}

function sysRead(ctx: SyscallContext, a: readonly bigint[]): number {
  const buf = addr(a[1]!), count = size(a[2]!);
  const f = readableFile(ctx, int(a[0]!));
  if (typeof f === "number") return f;
  if (!accessOk(ctx, buf, count)) return -EFAULT;
  return readInto(ctx, f, buf, Math.min(count, MAX_RW_COUNT), undefined);
}

function doWrite(ctx: SyscallContext, f: OpenFile, buf: number, count: number, pos: number | undefined): number {
  if (!accessOk(ctx, buf, count)) return -EFAULT;
  count = Math.min(count, MAX_RW_COUNT);
  if (count === 0) return 0;
  if (f instanceof PipeEnd && f.pipe.readers === 0) return raiseSigpipe(ctx);
  touch(ctx);
  let data = copyinPartial(ctx, buf, count);
  // A regular file takes every byte copied before the fault; a pipe drops the pipe page the fault hit.
  if (data.length < count && !(f instanceof VnodeFile)) data = data.subarray(0, data.length - (data.length % PAGE));
  if (data.length === 0) return -EFAULT;
  return writeFrom(ctx, f, data, pos);
}

function sysWrite(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = writableFile(ctx, int(a[0]!));
  if (typeof f === "number") return f;
  return doWrite(ctx, f, addr(a[1]!), size(a[2]!), undefined);
}

/** pread64/pwrite64: a negative offset is EINVAL before the descriptor is even looked at. */
function positioned(ctx: SyscallContext, fd: number, pos: number): OpenFile | number {
  if (pos < 0) return -EINVAL;
  const f = files(ctx).get(fd);
  if (!f) return -EBADF;
  if (!f.seekable) return -ESPIPE;
  return f;
}

function sysPread64(ctx: SyscallContext, a: readonly bigint[]): number {
  const buf = addr(a[1]!), count = size(a[2]!), pos = long(a[3]!);
  const f = positioned(ctx, int(a[0]!), pos);
  if (typeof f === "number") return f;
  if (!f.readable) return -EBADF;
  if (!accessOk(ctx, buf, count)) return -EFAULT;
  return readInto(ctx, f, buf, Math.min(count, MAX_RW_COUNT), pos);
}

function sysPwrite64(ctx: SyscallContext, a: readonly bigint[]): number {
  const pos = long(a[3]!);
  const f = positioned(ctx, int(a[0]!), pos);
  if (typeof f === "number") return f;
  if (!f.writable) return -EBADF;
  return doWrite(ctx, f, addr(a[1]!), size(a[2]!), pos);
}

/** Reads an iovec array: [base, len] pairs, lengths clamped so the total stays within MAX_RW_COUNT. */
function readIovecs(ctx: SyscallContext, iov: number, cnt: number): [number, number][] | number {
  if (cnt < 0 || cnt > UIO_MAXIOV) return -EINVAL;
  if (cnt === 0) return [];
  const raw = ctx.task.um.copyin(iov, 16 * cnt);
  if (!raw) return -EFAULT;
  const dv = new DataView(raw.buffer);
  const out: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const len = dv.getBigInt64(16 * i + 8, true);
    if (len < 0n) return -EINVAL;
    const base = addr(dv.getBigUint64(16 * i, true));
    const want = len > BigInt(MAX_RW_COUNT) ? MAX_RW_COUNT : Number(len);
    if (!accessOk(ctx, base, want)) return -EFAULT;
    const n = Math.min(want, MAX_RW_COUNT - total);
    out.push([base, n]);
    total += n;
  }
  return out;
}

function sysWritev(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = writableFile(ctx, int(a[0]!));
  if (typeof f === "number") return f;
  const iovs = readIovecs(ctx, addr(a[1]!), int(a[2]!));
  if (typeof iovs === "number") return iovs;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [base, len] of iovs) {
    if (len === 0) continue;
    const d = copyinPartial(ctx, base, len);
    parts.push(d);
    total += d.length;
    if (d.length < len) { if (total === 0) return -EFAULT; break; }
  }
  if (total === 0) return 0;
  if (f instanceof PipeEnd && f.pipe.readers === 0) return raiseSigpipe(ctx);
  touch(ctx);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return writeFrom(ctx, f, all, undefined);
}

function sysReadv(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = readableFile(ctx, int(a[0]!));
  if (typeof f === "number") return f;
  const iovs = readIovecs(ctx, addr(a[1]!), int(a[2]!));
  if (typeof iovs === "number") return iovs;
  if (f instanceof VnodeFile && f.node.type === "dir") return -EISDIR;
  const want = iovs.reduce((s, [, n]) => s + n, 0);
  if (want === 0) return 0;
  const r = f.read(want, undefined, ctx.io);
  if (r === "block") return blockedCall(ctx, "read from an empty pipe", readReady(f));
  if (typeof r === "number") return r;
  let at = 0;
  for (const [base, len] of iovs) {
    if (at >= r.length) break;
    const n = Math.min(len, r.length - at);
    const w = ctx.task.um.copyoutPartial(base, r.subarray(at, at + n));
    at += w;
    if (w < n) break;
  }
  f.consume(at, undefined);
  return at > 0 || r.length === 0 ? at : -EFAULT;
}

// ---- descriptors ------------------------------------------------------------------------------------------

function sysClose(ctx: SyscallContext, a: readonly bigint[]): number {
  return files(ctx).close(int(a[0]!)) ? 0 : -EBADF;
}

function sysDup(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).getRaw(int(a[0]!));
  if (!f) return -EBADF;
  const fd = files(ctx).install(f, false, fdLimit(ctx));
  if (fd === undefined) return -EMFILE;
  f.refs++;
  return fd;
}

function sysDup3(ctx: SyscallContext, a: readonly bigint[]): number {
  const oldfd = int(a[0]!), newfd = uint(a[1]!), flags = int(a[2]!);
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  if (newfd >= fdLimit(ctx)) return -EBADF;
  const f = files(ctx).getRaw(oldfd);
  if (!f) return -EBADF;
  f.refs++;
  files(ctx).installAt(newfd, f, (flags & O_CLOEXEC) !== 0);
  return newfd;
}

function sysFcntl(ctx: SyscallContext, a: readonly bigint[]): number {
  const fd = int(a[0]!), cmd = int(a[1]!), arg = a[2]!;
  const t = files(ctx);
  const f = t.getRaw(fd);
  if (!f) return -EBADF;
  // check_fcntl_cmd: an O_PATH descriptor allows only these.
  if ((f.flags & O_PATH) && ![F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL].includes(cmd)) return -EBADF;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = addr(arg), limit = fdLimit(ctx);
      if (min >= limit) return -EINVAL;
      const nfd = t.install(f, cmd === F_DUPFD_CLOEXEC, limit, min);
      if (nfd === undefined) return -EMFILE;
      f.refs++;
      return nfd;
    }
    case F_GETFD: return t.cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: t.setCloexec(fd, (int(arg) & FD_CLOEXEC) !== 0); return 0;
    case F_GETFL: return f.flags;
    case F_SETFL: f.flags = (f.flags & ~SETFL_MASK) | (int(arg) & SETFL_MASK); return 0;
    case F_SETPIPE_SZ: return f instanceof PipeEnd ? f.pipe.setSize(uint(arg)) : -EBADF;
    case F_GETPIPE_SZ: return f instanceof PipeEnd ? f.pipe.capacity : -EBADF;
    default: return -EINVAL;
  }
}

function sysPipe2(ctx: SyscallContext, a: readonly bigint[]): number {
  const fdsp = addr(a[0]!), flags = int(a[1]!);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const t = files(ctx), limit = fdLimit(ctx);
  const [r, w] = makePipe(t.fs.allocIno(), flags, t.fs.pipeLimits);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = t.install(r, cloexec, limit);
  const wfd = rfd === undefined ? undefined : t.install(w, cloexec, limit);
  if (rfd === undefined || wfd === undefined) {
    if (rfd !== undefined) t.close(rfd); else release(r);
    release(w);
    return -EMFILE;
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setInt32(0, rfd, true);
  new DataView(out.buffer).setInt32(4, wfd, true);
  if (!ctx.task.um.copyout(fdsp, out)) {
    t.close(rfd);
    t.close(wfd);
    return -EFAULT;
  }
  return 0;
}

function sysIoctl(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (uint(a[1]!) === FIONREAD && f instanceof PipeEnd) {
    return ctx.task.um.writeU32(addr(a[2]!), f.pipe.length) ? 0 : -EFAULT;
  }
  return -ENOTTY;   // no terminals: every terminal ioctl (TCGETS, TIOCGWINSZ, …) answers ENOTTY
}

// ---- positions, sizes, listings -----------------------------------------------------------------------------

/** A 64-bit offset or length argument; undefined when it lies beyond what this file system represents exactly. */
function offsetArg(a: bigint): number | undefined {
  const v = BigInt.asIntN(64, a);
  return v > BigInt(MAX_FILE_SIZE) || v < -BigInt(MAX_FILE_SIZE) ? undefined : Number(v);
}

/**
 * SEEK_DATA and SEEK_HOLE as tmpfs answers them (mm/shmem.c shmem_file_llseek): a page that holds data is data,
 * a page never written is a hole, and the end of the file is a hole. Pages only in a mapping's cache that were
 * never written back count by their file page.
 */
function seekHoleData(node: FileNode, off: number, hole: boolean): number {
  const size = node.size;
  if (!node.dataPages) return hole ? size : off;
  const pages = node.dataPages();
  let idx = Math.floor(off / PAGE);
  if (hole) {
    let i = pages.findIndex((p) => p >= idx);
    while (i >= 0 && i < pages.length && pages[i] === idx) { idx++; i++; }
    return Math.min(size, Math.max(off, idx * PAGE));
  }
  const next = pages.find((p) => p >= idx);
  if (next === undefined) return -ENXIO;
  const pos = Math.max(off, next * PAGE);
  return pos >= size ? -ENXIO : pos;
}

function sysLseek(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile)) return -ESPIPE;
  const off = offsetArg(a[1]!), whence = int(a[2]!);
  if (whence < SEEK_SET || whence > SEEK_HOLE) return -EINVAL;
  if (off === undefined) return -EINVAL;   // Linux allows up to 2^63 − 1; our files end at 2^53 − 1
  const node = f.node;
  let pos: number;
  if (node.type === "reg") {
    const sz = node.size;
    switch (whence) {
      case SEEK_SET: pos = off; break;
      case SEEK_CUR: pos = f.offset + off; break;
      case SEEK_END: pos = sz + off; break;
      default: {
        if (off < 0 || off >= sz) return -ENXIO;
        pos = seekHoleData(node, off, whence === SEEK_HOLE);
        if (pos < 0) return pos;
      }
    }
  } else if (node.type === "chr") {
    f.offset = 0;   // the memory devices' llseek (null_lseek, zero_lseek, full_lseek) leaves the position at 0
    return 0;
  } else {
    if (whence !== SEEK_SET && whence !== SEEK_CUR) return -EINVAL;
    pos = whence === SEEK_SET ? off : f.offset + off;
  }
  if (pos < 0 || pos > MAX_FILE_SIZE) return -EINVAL;
  f.offset = pos;
  return pos;
}

function sysFtruncate(ctx: SyscallContext, a: readonly bigint[]): number {
  const length = BigInt.asIntN(64, a[1]!) > BigInt(MAX_FILE_SIZE) ? MAX_FILE_SIZE + 1 : long(a[1]!);
  if (length < 0) return -EINVAL;
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile) || f.node.type !== "reg" || !f.writable) return -EINVAL;
  return truncateNode(ctx, f.node, length);
}

const FALLOC_FL_KEEP_SIZE = 0x01, FALLOC_FL_PUNCH_HOLE = 0x02, FALLOC_FL_COLLAPSE_RANGE = 0x08,
  FALLOC_FL_ZERO_RANGE = 0x10, FALLOC_FL_INSERT_RANGE = 0x20, FALLOC_FL_UNSHARE_RANGE = 0x40;
const FALLOC_FL_SUPPORTED_MASK = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
  FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;

/**
 * fallocate (fs/open.c vfs_fallocate, in its order), on tmpfs (mm/shmem.c shmem_fallocate): mode 0 allocates and
 * grows the file, FALLOC_FL_KEEP_SIZE allocates only, FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE) zeroes the range and
 * frees its whole pages; tmpfs supports nothing else (EOPNOTSUPP).
 */
function sysFallocate(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  const mode = int(a[1]!), off = BigInt.asIntN(64, a[2]!), len = BigInt.asIntN(64, a[3]!);
  if (off < 0n || len <= 0n) return -EINVAL;
  if (mode & ~FALLOC_FL_SUPPORTED_MASK) return -EOPNOTSUPP;
  if ((mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) === (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) return -EOPNOTSUPP;
  if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE)) return -EOPNOTSUPP;
  if ((mode & FALLOC_FL_COLLAPSE_RANGE) && (mode & ~FALLOC_FL_COLLAPSE_RANGE)) return -EINVAL;
  if ((mode & FALLOC_FL_INSERT_RANGE) && (mode & ~FALLOC_FL_INSERT_RANGE)) return -EINVAL;
  if ((mode & FALLOC_FL_UNSHARE_RANGE) && (mode & ~(FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE))) return -EINVAL;
  if (!f.writable) return -EBADF;
  if (f instanceof PipeEnd) return -ESPIPE;
  if (!(f instanceof VnodeFile)) return -ESPIPE;   // the standard streams present as pipes
  const node = f.node;
  if (node.type === "fifo") return -ESPIPE;
  if (node.type === "dir") return -EISDIR;
  if (node.type !== "reg") return -ENODEV;
  if (off + len > BigInt(MAX_FILE_SIZE)) return -EFBIG;
  if (!node.allocate || !node.freePages || (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))) return -EOPNOTSUPP;
  const at = Number(off), n = Number(len);
  touch(ctx);
  if (mode & FALLOC_FL_PUNCH_HOLE) {
    punchHole(node, at, n);
  } else {
    if (!node.allocate(at, n)) return -ENOSPC;
    if (!(mode & FALLOC_FL_KEEP_SIZE) && at + n > node.size) fileTruncate(node, at + n);
  }
  node.times.mtime = node.times.ctime = files(ctx).fs.now;
  return 0;
}

/**
 * Zeroes [at, at + n) within the file. A mapped file is zeroed through its page cache, so every mapping sees it at
 * once; otherwise the whole pages are freed and only the partial pages at either end that hold data are zeroed,
 * so punching needs no space.
 */
function punchHole(node: FileNode, at: number, n: number): void {
  const end = Math.min(at + n, node.size);
  if (end <= at) return;
  if (node.cache) { fileWrite(node, at, new Uint8Array(end - at)); return; }
  node.freePages!(at, n);
  const data = new Set(node.dataPages?.() ?? []);
  const firstWhole = Math.ceil(at / PAGE) * PAGE, lastWhole = Math.floor((at + n) / PAGE) * PAGE;
  const parts: [number, number][] = firstWhole <= lastWhole ? [[at, Math.min(end, firstWhole)], [Math.max(at, lastWhole), end]] : [[at, end]];
  for (const [from, to] of parts) if (to > from && data.has(Math.floor(from / PAGE))) node.write(from, new Uint8Array(to - from));
}

/** sync and syncfs: memory is the storage, there is nothing to write back (syncfs still wants a descriptor). */
function sysSyncfs(ctx: SyscallContext, a: readonly bigint[]): number { return files(ctx).get(int(a[0]!)) ? 0 : -EBADF; }

function sysFsync(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  return f instanceof VnodeFile ? 0 : -EINVAL;   // memory is the storage: nothing to wait for
}

const DIRENT_HEADER = 19;   // d_ino 8, d_off 8, d_reclen 2, d_type 1

function sysGetdents64(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile) || f.node.type !== "dir") return -ENOTDIR;
  const dir = f.node, count = uint(a[2]!);
  // Positions: 0 ".", 1 "..", then each entry's cookie; a record's d_off is the position after it.
  const all: { pos: number; name: string; ino: number; type: number }[] = [
    { pos: 0, name: ".", ino: dir.ino, type: direntType(dir) },
    { pos: 1, name: "..", ino: dir.parent.ino, type: direntType(dir.parent) },
    ...(dir.removed ? [] : dir.list().map((e) => ({ pos: e.cookie, name: e.name, ino: e.node.ino, type: direntType(e.node) }))),
  ];
  const out: Uint8Array[] = [];
  let used = 0, next = f.offset;
  for (const e of all) {
    if (e.pos < f.offset) continue;
    const reclen = (DIRENT_HEADER + e.name.length + 1 + 7) & ~7;
    if (used + reclen > count) {
      if (out.length === 0) return -EINVAL;
      break;
    }
    const rec = new Uint8Array(reclen);
    const dv = new DataView(rec.buffer);
    dv.setBigUint64(0, BigInt(e.ino), true);
    dv.setBigInt64(8, BigInt(e.pos + 1), true);
    dv.setUint16(16, reclen, true);
    rec[18] = e.type;
    rec.set(bytesOf(e.name), DIRENT_HEADER);
    out.push(rec);
    used += reclen;
    next = e.pos + 1;
  }
  const bytes = new Uint8Array(used);
  let at = 0;
  for (const r of out) { bytes.set(r, at); at += r.length; }
  if (used > 0 && !ctx.task.um.copyout(addr(a[1]!), bytes)) return -EFAULT;
  f.offset = next;
  return used;
}

function sysFstat(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).getRaw(int(a[0]!));
  if (!f) return -EBADF;
  return ctx.task.um.copyout(addr(a[1]!), statBytes(f.stat())) ? 0 : -EFAULT;
}

export const FILE_SYSCALLS: Record<number, SyscallDef> = {
  ...NAMEI_SYSCALLS,
  ...STATFS_SYSCALLS,
  ...XATTR_SYSCALLS,
  ...UTIMES_SYSCALLS,
  23: { name: "dup", args: ["i"], fn: sysDup },
  24: { name: "dup3", args: ["i", "i", "x"], fn: sysDup3 },
  25: { name: "fcntl", args: ["i", "i", "x"], fn: sysFcntl },
  29: { name: "ioctl", args: ["i", "x", "x"], fn: sysIoctl },
  46: { name: "ftruncate", args: ["i", "l"], fn: sysFtruncate },
  47: { name: "fallocate", args: ["i", "x", "l", "l"], fn: sysFallocate },
  81: { name: "sync", args: [], fn: () => 0 },
  267: { name: "syncfs", args: ["i"], fn: sysSyncfs },
  57: { name: "close", args: ["i"], fn: sysClose },
  59: { name: "pipe2", args: ["x", "o"], fn: sysPipe2 },
  61: { name: "getdents64", args: ["i", "x", "u"], fn: sysGetdents64 },
  62: { name: "lseek", args: ["i", "l", "i"], fn: sysLseek },
  63: { name: "read", args: ["i", "b", "u"], readsResult: true, fn: sysRead },
  64: { name: "write", args: ["i", "b", "u"], fn: sysWrite },
  65: { name: "readv", args: ["i", "x", "i"], fn: sysReadv },
  66: { name: "writev", args: ["i", "x", "i"], fn: sysWritev },
  67: { name: "pread64", args: ["i", "b", "u", "l"], readsResult: true, fn: sysPread64 },
  68: { name: "pwrite64", args: ["i", "b", "u", "l"], fn: sysPwrite64 },
  80: { name: "fstat", args: ["i", "x"], fn: sysFstat },
  82: { name: "fsync", args: ["i"], fn: sysFsync },
  83: { name: "fdatasync", args: ["i"], fn: sysFsync },
};

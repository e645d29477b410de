// File system calls (Linux fs/open.c, read_write.c, namei.c, readdir.c, stat.c, pipe.c, fcntl.c): descriptors
// over open file descriptions (fs/file.ts), paths resolved by fs/namei.ts in the machine's file system (an
// in-memory tmpfs, host directories mounted read-only). Argument checks come in Linux's order, so hostile
// arguments get Linux's errno. The standard streams stay connected to the host and present as pipes.

import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { SIGPIPE, SIGKILL, TaskTerminated } from "../kern/signal.js";
import { addr, int, long, size, uint } from "./args.js";
import {
  EBADF, EBUSY, EEXIST, EFAULT, EFBIG, EINVAL, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY,
  ENOTTY, ENXIO, EOPNOTSUPP, EPERM, EPIPE, ERANGE, EROFS, ESPIPE, EACCES, EXDEV,
} from "./errno.js";
import { release } from "./files.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";
import { CLOCK_REALTIME, clockNs } from "./sys_time.js";
import { defaultRlimit, RLIMIT_NOFILE } from "./sys_proc.js";
import {
  type OpenFile, type StatInfo, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECT, O_DIRECTORY, O_EXCL, O_NOCTTY,
  O_LARGEFILE, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_TMPFILE, O_TRUNC, SETFL_MASK, VnodeFile, vnodeStat,
} from "../fs/file.js";
import { MemDir, MemFile, MemLink } from "../fs/memfs.js";
import { existing, pathOf, walk, type Walked } from "../fs/namei.js";
import { PipeEnd, makePipe } from "../fs/pipe.js";
import { fileTruncate } from "../fs/vnode_pager.js";
import { type DirNode, type Vnode, MAX_FILE_SIZE, direntType, isWritableDir, S_IFIFO } from "../fs/vnode.js";

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export { S_IFIFO };
export const STAT_SIZE = 128;
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030,
  F_GETPIPE_SZ = 1032;
const FD_CLOEXEC = 1;
const FIONREAD = 0x541B;
const PATH_MAX = 4096;
const MAX_RW_COUNT = 0x7FFFF000;      // INT_MAX & PAGE_MASK: Linux clamps every read/write to this
const UIO_MAXIOV = 1024;
const PAGE = 4096;

// ---- helpers ----------------------------------------------------------------------------------------------

/** Paths are byte strings: one character per byte. */
const latin1 = new TextDecoder("latin1");
function bytesOf(s: string): Uint8Array { return Uint8Array.from(s, (c) => c.charCodeAt(0)); }

function files(ctx: SyscallContext) { return ctx.task.files; }

/** The guest clock stamps what this call creates or changes. */
function touch(ctx: SyscallContext): void { files(ctx).fs.now = clockNs(ctx, CLOCK_REALTIME); }

function fdLimit(ctx: SyscallContext): number {
  const cur = (ctx.task.rlimits.get(RLIMIT_NOFILE) ?? defaultRlimit(RLIMIT_NOFILE)).cur;
  return cur > 1n << 20n ? 1 << 20 : Number(cur);
}

/** Reads a path argument; a negative errno on failure (an empty path is the caller's business). */
function pathArg(ctx: SyscallContext, p: bigint): string | number {
  const s = ctx.task.um.copyinString(addr(p), PATH_MAX);
  if (s === "fault") return -EFAULT;
  if (s === "toolong") return -ENAMETOOLONG;
  return latin1.decode(s);
}

/** The directory a relative path starts from: the cwd for AT_FDCWD, else the directory open as dirfd. */
function startDir(ctx: SyscallContext, dirfd: number, path: string): DirNode | number {
  if (path.startsWith("/") || dirfd === AT_FDCWD) return files(ctx).cwd;
  const f = files(ctx).get(dirfd);
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile) || f.node.type !== "dir") return -ENOTDIR;
  return f.node;
}

/** Copies in a path and resolves it relative to dirfd. */
function lookupAt(ctx: SyscallContext, dirfd: number, p: bigint, follow: boolean): Walked | number {
  const path = pathArg(ctx, p);
  if (typeof path === "number") return path;
  if (path === "") return -ENOENT;
  const start = startDir(ctx, dirfd, path);
  if (typeof start === "number") return start;
  return walk(files(ctx).fs.root, start, path, follow);
}

/** Looks up an existing file (stat, chdir, truncate...): ENOENT, or ENOTDIR for "file/". */
function existingAt(ctx: SyscallContext, dirfd: number, p: bigint, follow: boolean): Vnode | number {
  const w = lookupAt(ctx, dirfd, p, follow);
  return typeof w === "number" ? w : existing(w);
}

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
 * A call that would wait for another task to act (read from an empty pipe, write to a full one). This kernel has
 * one task, so nobody else can ever act: Linux would sleep forever; we end the guest with SIGKILL and say why, as a
 * watchdog would. The scheduler replaces this hook: sleep the task on the pipe and restart the call (nothing was
 * consumed or written when "block" is returned).
 */
export function blockedCall(_ctx: SyscallContext, what: string): never {
  throw new TaskTerminated(128 + SIGKILL, SIGKILL,
    `guest killed by SIGKILL: deadlock: ${what} would wait forever (no other task exists to end the wait)`);
}

/**
 * A write to a pipe with no reader: Linux sends SIGPIPE to the writer and the call fails with EPIPE. Delivery is
 * the signal code's: until handlers are delivered, the default action ends the task, an ignored or blocked
 * SIGPIPE leaves only EPIPE, and a handler is not run (the call still returns EPIPE).
 */
export function raiseSigpipe(ctx: SyscallContext): number {
  const act = ctx.task.sigactions.get(SIGPIPE);
  const handler = act ? new DataView(act.buffer, act.byteOffset).getBigUint64(0, true) : 0n;
  const blocked = (ctx.task.sigmask & (1n << BigInt(SIGPIPE - 1))) !== 0n;
  if (handler === 0n && !blocked) throw TaskTerminated.bySignal(SIGPIPE, "write to a pipe with no reader");
  return -EPIPE;
}

// ---- read and write ---------------------------------------------------------------------------------------

function readInto(ctx: SyscallContext, f: OpenFile, buf: number, count: number, pos: number | undefined): number {
  if (f instanceof VnodeFile && f.node.type === "dir") return -EISDIR;
  if (count === 0) return 0;
  const r = f.read(count, pos, ctx.io);
  if (r === "block") blockedCall(ctx, "read from an empty pipe");
  if (typeof r === "number") return r;
  if (r.length === 0) return 0;
  const n = ctx.task.um.copyoutPartial(buf, r);
  f.consume(n, pos);
  return n > 0 ? n : -EFAULT;
}

function writeFrom(ctx: SyscallContext, f: OpenFile, data: Uint8Array, pos: number | undefined): number {
  const r = f.write(data, pos, ctx.io);
  if (r === "block") blockedCall(ctx, "write to a full pipe");
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
  if (r === "block") blockedCall(ctx, "read from an empty pipe");
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
  const f = files(ctx).get(int(a[0]!));
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
  const f = files(ctx).get(oldfd);
  if (!f) return -EBADF;
  f.refs++;
  files(ctx).installAt(newfd, f, (flags & O_CLOEXEC) !== 0);
  return newfd;
}

function sysFcntl(ctx: SyscallContext, a: readonly bigint[]): number {
  const fd = int(a[0]!), cmd = int(a[1]!), arg = a[2]!;
  const t = files(ctx);
  const f = t.get(fd);
  if (!f) return -EBADF;
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
    case F_GETPIPE_SZ: return f instanceof PipeEnd ? 65536 : -EBADF;
    default: return -EINVAL;
  }
}

function sysPipe2(ctx: SyscallContext, a: readonly bigint[]): number {
  const fdsp = addr(a[0]!), flags = int(a[1]!);
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const t = files(ctx), limit = fdLimit(ctx);
  const [r, w] = makePipe(t.fs.allocIno(), flags);
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

// ---- opening and the name space ---------------------------------------------------------------------------

function sysOpenat(ctx: SyscallContext, a: readonly bigint[]): number {
  const dirfd = int(a[0]!);
  let flags = int(a[2]!);
  const mode = uint(a[3]!);
  if ((flags & O_TMPFILE) === O_TMPFILE) return -EOPNOTSUPP;
  if ((flags & (O_CREAT | O_DIRECTORY)) === (O_CREAT | O_DIRECTORY)) return -EINVAL;
  const t = files(ctx);
  touch(ctx);
  const excl = (flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL);
  const w = lookupAt(ctx, dirfd, a[1]!, !(flags & O_NOFOLLOW) && !excl);
  if (typeof w === "number") return w;
  const acc = flags & O_ACCMODE;
  const wantsWrite = !(flags & O_PATH) && (acc === 1 || acc === 2 || (flags & O_TRUNC) !== 0);
  if ((flags & O_CREAT) && w.trailingSlash) return -EISDIR;   // before anything is looked at (open_last_lookups)
  let node = w.node;
  if (node !== undefined && w.trailingSlash && node.type !== "dir") return -ENOTDIR;
  if (node === undefined) {
    if (!(flags & O_CREAT)) return -ENOENT;
    if (w.parent.removed) return -ENOENT;
    if (!isWritableDir(w.parent)) return -EROFS;
    const file = new MemFile(t.fs, t.fs.allocIno(), mode & 0o7777 & ~t.umask);
    w.parent.link(w.name, file);
    node = file;
  } else {
    if (excl) return -EEXIST;
    if (node.type === "lnk") return -ELOOP;   // only reached with O_NOFOLLOW (or O_EXCL) on a link
    if (node.type === "dir" && (flags & O_CREAT)) return -EISDIR;
    if (node.type !== "dir" && (flags & O_DIRECTORY)) return -ENOTDIR;
    if (node.type === "dir" && wantsWrite) return -EISDIR;
    if (node.readOnly && wantsWrite) return -EROFS;
    if (node.type === "reg" && (flags & O_TRUNC) && !(flags & O_PATH)) {
      fileTruncate(node, 0);
      node.times.mtime = node.times.ctime = t.fs.now;
    }
  }
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);   // not kept in f_flags: F_GETFL never shows them
  if (flags & O_PATH) flags = O_PATH | 3;   // neither readable nor writable
  const file = new VnodeFile(node, flags | O_LARGEFILE);
  const fd = t.install(file, (int(a[2]!) & O_CLOEXEC) !== 0, fdLimit(ctx));
  if (fd === undefined) { release(file); return -EMFILE; }
  return fd;
}

function sysMkdirat(ctx: SyscallContext, a: readonly bigint[]): number {
  touch(ctx);
  const w = lookupAt(ctx, int(a[0]!), a[1]!, false);
  if (typeof w === "number") return w;
  if (w.node !== undefined) return -EEXIST;
  if (w.parent.removed) return -ENOENT;
  if (!isWritableDir(w.parent)) return -EROFS;
  const t = files(ctx);
  w.parent.link(w.name, new MemDir(t.fs, t.fs.allocIno(), uint(a[2]!) & 0o1777 & ~t.umask, w.parent, w.name));
  return 0;
}

function sysUnlinkat(ctx: SyscallContext, a: readonly bigint[]): number {
  const flags = int(a[2]!);
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  touch(ctx);
  const w = lookupAt(ctx, int(a[0]!), a[1]!, false);
  if (typeof w === "number") return w;
  return flags & AT_REMOVEDIR ? rmdir(w) : unlink(w);
}

function rmdir(w: Walked): number {
  if (w.last === "dotdot") return -ENOTEMPTY;
  if (w.last === "dot") return -EINVAL;
  if (w.last === "root") return -EBUSY;
  if (w.parent.readOnly) return -EROFS;
  const node = w.node;
  if (node === undefined) return -ENOENT;
  if (node.type !== "dir") return -ENOTDIR;
  if (node.mountRoot) return -EBUSY;
  if (!(node instanceof MemDir) || !isWritableDir(w.parent)) return -EROFS;
  if (!node.empty) return -ENOTEMPTY;
  w.parent.unlink(w.name);
  node.markRemoved();
  return 0;
}

function unlink(w: Walked): number {
  if (w.last !== "norm") return -EISDIR;
  if (w.parent.readOnly) return -EROFS;
  const node = w.node;
  if (node === undefined) return -ENOENT;
  if (node.type === "dir") return -EISDIR;
  if (w.trailingSlash) return -ENOTDIR;
  if (!isWritableDir(w.parent)) return -EROFS;
  w.parent.unlink(w.name);
  node.nlink--;
  if (node instanceof MemFile) node.destroyIfUnused();
  return 0;
}

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

/** Is `dir` the directory `node` or below it (a directory cannot move into its own subtree)? */
function within(dir: DirNode, node: Vnode): boolean {
  for (let d = dir; ; d = d.parent) {
    if (d === node) return true;
    if (d.parent === d) return false;
  }
}

/** renameat2 (glibc's rename and renameat): Linux's checks in fs/namei.c do_renameat2 order. */
function sysRenameat2(ctx: SyscallContext, a: readonly bigint[]): number {
  const flags = uint(a[4] ?? 0n);
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return -EINVAL;
  if (flags & RENAME_WHITEOUT) return -EINVAL;   // overlay file systems only
  touch(ctx);
  const from = lookupAt(ctx, int(a[0]!), a[1]!, false);
  if (typeof from === "number") return from;
  const to = lookupAt(ctx, int(a[2]!), a[3]!, false);
  if (typeof to === "number") return to;
  if (from.parent.dev !== to.parent.dev) return -EXDEV;
  if (from.last !== "norm") return -EBUSY;
  if (to.last !== "norm") return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
  if (!isWritableDir(from.parent) || !isWritableDir(to.parent)) return -EROFS;
  const src = from.node, dst = to.node;
  if (src === undefined) return -ENOENT;
  if (dst !== undefined && (flags & RENAME_NOREPLACE)) return -EEXIST;
  if (flags & RENAME_EXCHANGE) {
    if (dst === undefined) return -ENOENT;
    if (dst.type !== "dir" && to.trailingSlash) return -ENOTDIR;
  }
  if (src.type !== "dir" && (from.trailingSlash || (!(flags & RENAME_EXCHANGE) && to.trailingSlash))) return -ENOTDIR;
  if (src.type === "dir" && within(to.parent, src)) return -EINVAL;
  if (dst?.type === "dir" && within(from.parent, dst)) return flags & RENAME_EXCHANGE ? -EINVAL : -ENOTEMPTY;
  if (src === dst) return 0;
  if (to.parent.removed) return -ENOENT;
  if (dst !== undefined && !(flags & RENAME_EXCHANGE)) {
    if (src.type === "dir" && dst.type !== "dir") return -ENOTDIR;
    if (src.type !== "dir" && dst.type === "dir") return -EISDIR;
    if (dst.type === "dir" && (dst.mountRoot || !(dst instanceof MemDir) || !dst.empty)) return dst.mountRoot ? -EBUSY : -ENOTEMPTY;
  }
  if ((src.type === "dir" && src.mountRoot) || (dst?.type === "dir" && dst.mountRoot)) return -EBUSY;
  from.parent.unlink(from.name);
  if (flags & RENAME_EXCHANGE) {
    to.parent.unlink(to.name);
    from.parent.link(from.name, dst!);
    if (dst instanceof MemDir) { dst.parent = from.parent; dst.name = from.name; }
  } else if (dst !== undefined) {
    to.parent.unlink(to.name);
    if (dst instanceof MemDir) dst.markRemoved();
    else if (dst.type !== "dir") { dst.nlink--; if (dst instanceof MemFile) dst.destroyIfUnused(); }
  }
  to.parent.link(to.name, src);
  if (src instanceof MemDir) { src.parent = to.parent; src.name = to.name; }
  return 0;
}

const AT_SYMLINK_FOLLOW = 0x400;

/** linkat: another name for a file (never a directory), on the same file system. */
function sysLinkat(ctx: SyscallContext, a: readonly bigint[]): number {
  const flags = int(a[4]!);
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  touch(ctx);
  let src: Vnode;
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  if (path === "" && (flags & AT_EMPTY_PATH)) {
    const f = files(ctx).get(int(a[0]!));
    if (!f) return -EBADF;
    if (!(f instanceof VnodeFile)) return -ENOENT;
    src = f.node;
  } else {
    const node = existingAt(ctx, int(a[0]!), a[1]!, (flags & AT_SYMLINK_FOLLOW) !== 0);
    if (typeof node === "number") return node;
    src = node;
  }
  const to = lookupAt(ctx, int(a[2]!), a[3]!, false);
  if (typeof to === "number") return to;
  if (to.node !== undefined) return -EEXIST;
  if (to.trailingSlash) return -ENOENT;
  if (to.parent.readOnly) return -EROFS;
  if (src.dev !== to.parent.dev || !isWritableDir(to.parent)) return -EXDEV;
  if (src.type === "dir") return -EPERM;
  if (to.parent.removed || src.nlink === 0) return -ENOENT;   // an unlinked file cannot get a name back
  to.parent.link(to.name, src);
  src.nlink++;
  src.times.ctime = files(ctx).fs.now;
  return 0;
}

function chmodNode(ctx: SyscallContext, node: Vnode, mode: number): number {
  if (node.readOnly) return -EROFS;
  node.mode = mode & 0o7777;
  node.times.ctime = files(ctx).fs.now;
  return 0;
}

function sysFchmod(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile)) return 0;   // pipes: the mode of an anonymous inode, nobody sees it
  touch(ctx);
  return chmodNode(ctx, f.node, uint(a[1]!));
}

function sysFchmodat(ctx: SyscallContext, a: readonly bigint[]): number {
  touch(ctx);
  const node = existingAt(ctx, int(a[0]!), a[1]!, true);
  if (typeof node === "number") return node;
  return chmodNode(ctx, node, uint(a[2]!));
}

function sysSymlinkat(ctx: SyscallContext, a: readonly bigint[]): number {
  const target = pathArg(ctx, a[0]!);
  if (typeof target === "number") return target;
  if (target === "") return -ENOENT;
  touch(ctx);
  const w = lookupAt(ctx, int(a[1]!), a[2]!, false);
  if (typeof w === "number") return w;
  if (w.node !== undefined) return -EEXIST;
  if (w.trailingSlash || w.parent.removed) return -ENOENT;   // only mkdir may create "name/"
  if (!isWritableDir(w.parent)) return -EROFS;
  w.parent.link(w.name, new MemLink(files(ctx).fs, files(ctx).fs.allocIno(), target));
  return 0;
}

function sysReadlinkat(ctx: SyscallContext, a: readonly bigint[]): number {
  const bufsiz = int(a[3]!);
  if (bufsiz <= 0) return -EINVAL;
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  let target: string;
  if (path === "/proc/self/exe" || path === `/proc/${ctx.task.pid}/exe`) {
    target = ctx.task.exePath;
    const bytes = new TextEncoder().encode(target);
    const n = Math.min(bytes.length, bufsiz);
    return ctx.task.um.copyout(addr(a[2]!), bytes.subarray(0, n)) ? n : -EFAULT;
  }
  const node = existingAt(ctx, int(a[0]!), a[1]!, false);
  if (typeof node === "number") return node;
  if (node.type !== "lnk") return -EINVAL;
  const bytes = bytesOf(node.target);
  const n = Math.min(bytes.length, bufsiz);
  return ctx.task.um.copyout(addr(a[2]!), bytes.subarray(0, n)) ? n : -EFAULT;
}

function sysGetcwd(ctx: SyscallContext, a: readonly bigint[]): number {
  const buf = addr(a[0]!), len = size(a[1]!);
  const path = pathOf(files(ctx).cwd);
  if (path === undefined) return -ENOENT;
  const bytes = bytesOf(path + "\0");
  if (len < bytes.length) return -ERANGE;
  return ctx.task.um.copyout(buf, bytes) ? bytes.length : -EFAULT;
}

function sysChdir(ctx: SyscallContext, a: readonly bigint[]): number {
  const node = existingAt(ctx, AT_FDCWD, a[0]!, true);
  if (typeof node === "number") return node;
  if (node.type !== "dir") return -ENOTDIR;
  files(ctx).cwd = node;
  return 0;
}

function sysFchdir(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile) || f.node.type !== "dir") return -ENOTDIR;
  files(ctx).cwd = f.node;
  return 0;
}

function sysUmask(ctx: SyscallContext, a: readonly bigint[]): number {
  const old = files(ctx).umask;
  files(ctx).umask = int(a[0]!) & 0o777;
  return old;
}

const R_OK = 4, W_OK = 2, X_OK = 1;

function sysFaccessat(ctx: SyscallContext, a: readonly bigint[]): number {
  const mode = int(a[2]!);
  if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
  const node = existingAt(ctx, int(a[0]!), a[1]!, true);
  if (typeof node === "number") return node;
  if ((mode & W_OK) && node.readOnly) return -EROFS;
  // The guest owns every file (one user): the owner's permission bits decide.
  const owner = (node.mode >> 6) & 7;
  return (mode & ~owner) === 0 ? 0 : -EACCES;
}

// ---- positions, sizes, listings -----------------------------------------------------------------------------

/** A 64-bit offset or length argument; undefined when it lies beyond what this file system represents exactly. */
function offsetArg(a: bigint): number | undefined {
  const v = BigInt.asIntN(64, a);
  return v > BigInt(MAX_FILE_SIZE) || v < -BigInt(MAX_FILE_SIZE) ? undefined : Number(v);
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
      default:
        // The whole file is data (no hole reporting): SEEK_DATA finds off, SEEK_HOLE the end.
        if (off < 0 || off >= sz) return -ENXIO;
        pos = whence === SEEK_DATA ? off : sz;
    }
  } else {
    if (whence !== SEEK_SET && whence !== SEEK_CUR) return -EINVAL;
    pos = whence === SEEK_SET ? off : f.offset + off;
  }
  if (pos < 0 || pos > MAX_FILE_SIZE) return -EINVAL;
  f.offset = pos;
  return pos;
}

function truncateNode(ctx: SyscallContext, node: Vnode, length: number): number {
  if (length > MAX_FILE_SIZE) return -EFBIG;
  if (node.type !== "reg") return -EINVAL;
  touch(ctx);
  fileTruncate(node, length);
  node.times.mtime = node.times.ctime = files(ctx).fs.now;
  return 0;
}

function sysFtruncate(ctx: SyscallContext, a: readonly bigint[]): number {
  const length = BigInt.asIntN(64, a[1]!) > BigInt(MAX_FILE_SIZE) ? MAX_FILE_SIZE + 1 : long(a[1]!);
  if (length < 0) return -EINVAL;
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile) || f.node.type !== "reg" || !f.writable) return -EINVAL;
  return truncateNode(ctx, f.node, length);
}

function sysTruncate(ctx: SyscallContext, a: readonly bigint[]): number {
  const length = BigInt.asIntN(64, a[1]!) > BigInt(MAX_FILE_SIZE) ? MAX_FILE_SIZE + 1 : long(a[1]!);
  const node = existingAt(ctx, AT_FDCWD, a[0]!, true);
  if (typeof node === "number") return node;
  if (node.type === "dir") return -EISDIR;
  if (length < 0) return -EINVAL;
  if (node.readOnly) return -EROFS;
  return truncateNode(ctx, node, length);
}

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

// ---- stat ---------------------------------------------------------------------------------------------------

/** struct stat (asm-generic, 128 bytes). */
export function statBytes(s: StatInfo): Uint8Array {
  const b = new Uint8Array(STAT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt(s.dev), true);
  dv.setBigUint64(8, BigInt(s.ino), true);
  dv.setUint32(16, s.mode, true);
  dv.setUint32(20, s.nlink, true);
  dv.setUint32(24, GUEST_UID, true);
  dv.setUint32(28, GUEST_GID, true);
  dv.setBigInt64(48, BigInt(s.size), true);
  dv.setInt32(56, s.blksize, true);
  dv.setBigInt64(64, BigInt(s.blocks), true);
  const t = [s.times.atime, s.times.mtime, s.times.ctime];
  t.forEach((ns, i) => {
    dv.setBigInt64(72 + 16 * i, ns / 1_000_000_000n, true);
    dv.setBigInt64(80 + 16 * i, ns % 1_000_000_000n, true);
  });
  return b;
}

/** struct stat for a standard stream presented as a pipe. */
export function pipeStat(fd: number): Uint8Array {
  return statBytes({ dev: 0xC, ino: 1000 + fd, mode: S_IFIFO | 0o600, nlink: 1, size: 0, blksize: 4096, blocks: 0,
    times: { atime: 0n, mtime: 0n, ctime: 0n } });
}

function sysFstat(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  return ctx.task.um.copyout(addr(a[1]!), statBytes(f.stat())) ? 0 : -EFAULT;
}

function sysNewfstatat(ctx: SyscallContext, a: readonly bigint[]): number {
  const dirfd = int(a[0]!), flags = int(a[3]!), buf = addr(a[2]!);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) return -EINVAL;
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  let info: StatInfo;
  if (path === "" && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) {
      info = vnodeStat(files(ctx).cwd);
    } else {
      const f = files(ctx).get(dirfd);
      if (!f) return -EBADF;
      info = f.stat();
    }
  } else {
    const node = existingAt(ctx, dirfd, a[1]!, !(flags & AT_SYMLINK_NOFOLLOW));
    if (typeof node === "number") return node;
    info = vnodeStat(node);
  }
  return ctx.task.um.copyout(buf, statBytes(info)) ? 0 : -EFAULT;
}

export const FILE_SYSCALLS: Record<number, SyscallDef> = {
  17: { name: "getcwd", args: ["x", "u"], fn: sysGetcwd },
  23: { name: "dup", args: ["i"], fn: sysDup },
  24: { name: "dup3", args: ["i", "i", "x"], fn: sysDup3 },
  25: { name: "fcntl", args: ["i", "i", "x"], fn: sysFcntl },
  29: { name: "ioctl", args: ["i", "x", "x"], fn: sysIoctl },
  34: { name: "mkdirat", args: ["f", "s", "o"], fn: sysMkdirat },
  35: { name: "unlinkat", args: ["f", "s", "x"], fn: sysUnlinkat },
  36: { name: "symlinkat", args: ["s", "f", "s"], fn: sysSymlinkat },
  37: { name: "linkat", args: ["f", "s", "f", "s", "x"], fn: sysLinkat },
  45: { name: "truncate", args: ["s", "l"], fn: sysTruncate },
  46: { name: "ftruncate", args: ["i", "l"], fn: sysFtruncate },
  48: { name: "faccessat", args: ["f", "s", "o"], fn: sysFaccessat },
  49: { name: "chdir", args: ["s"], fn: sysChdir },
  50: { name: "fchdir", args: ["i"], fn: sysFchdir },
  52: { name: "fchmod", args: ["i", "o"], fn: sysFchmod },
  53: { name: "fchmodat", args: ["f", "s", "o"], fn: sysFchmodat },
  56: { name: "openat", args: ["f", "s", "o", "o"], fn: sysOpenat },
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
  78: { name: "readlinkat", args: ["f", "s", "x", "i"], fn: sysReadlinkat },
  79: { name: "newfstatat", args: ["f", "s", "x", "x"], fn: sysNewfstatat },
  80: { name: "fstat", args: ["i", "x"], fn: sysFstat },
  82: { name: "fsync", args: ["i"], fn: sysFsync },
  83: { name: "fdatasync", args: ["i"], fn: sysFsync },
  166: { name: "umask", args: ["o"], fn: sysUmask },
  276: { name: "renameat2", args: ["f", "s", "f", "s", "x"], fn: sysRenameat2 },
};

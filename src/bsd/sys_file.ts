// File system calls. Only the standard streams exist: reads and writes go to the host through GuestIo; paths
// name nothing yet (openat → ENOENT) except /proc/self/exe for readlinkat. fstat describes the streams as
// pipes (S_IFIFO 0600), as qemu-user reports them when output is piped, so libc buffers output the same way.

import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { addr, int, size } from "./args.js";
import { EBADF, EFAULT, EINVAL, ENAMETOOLONG, ENOENT, ENOTTY, ESPIPE } from "./errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const S_IFIFO = 0o010000;
export const STAT_SIZE = 128;
const PATH_MAX = 4096;
const MAX_RW_COUNT = 0x7FFFF000;      // INT_MAX & PAGE_MASK: Linux clamps every read/write to this
const UIO_MAXIOV = 1024;
const READ_CHUNK = 65536;

const enc = new TextEncoder();
const dec = new TextDecoder();

function readable(ctx: SyscallContext, fd: number): boolean { return ctx.task.files.get(fd)?.kind === "stdin"; }

function writeTarget(ctx: SyscallContext, fd: number): 1 | 2 | undefined {
  const f = ctx.task.files.get(fd);
  return f?.kind === "stdout" ? 1 : f?.kind === "stderr" ? 2 : undefined;
}

function doWrite(ctx: SyscallContext, fd: number, data: Uint8Array): number {
  const target = writeTarget(ctx, fd);
  if (target === undefined) return -EBADF;
  if (data.length > 0) ctx.io.write(target, data);
  return data.length;
}

function sysWrite(ctx: SyscallContext, a: readonly bigint[]): number {
  const fd = int(a[0]!), buf = addr(a[1]!), count = Math.min(size(a[2]!), MAX_RW_COUNT);
  if (writeTarget(ctx, fd) === undefined) return -EBADF;
  if (count === 0) return 0;
  const data = ctx.task.um.copyin(buf, count);
  if (!data) return -EFAULT;
  return doWrite(ctx, fd, data);
}

function sysRead(ctx: SyscallContext, a: readonly bigint[]): number {
  const fd = int(a[0]!), buf = addr(a[1]!), count = Math.min(size(a[2]!), MAX_RW_COUNT);
  if (!readable(ctx, fd)) return -EBADF;
  if (count === 0) return 0;
  const data = readStdin(ctx, count);
  if (data.length === 0) return 0;
  const n = ctx.task.um.copyoutPartial(buf, data);
  unreadStdin(ctx, data.subarray(n));
  return n > 0 ? n : -EFAULT;
}

/** Up to max bytes of stdin: first what an earlier faulting read gave back, else from the host. */
function readStdin(ctx: SyscallContext, max: number): Uint8Array {
  const files = ctx.task.files;
  if (files.stdinPending.length > 0) {
    const r = files.stdinPending.subarray(0, max);
    files.stdinPending = files.stdinPending.subarray(r.length);
    return r;
  }
  return ctx.io.read(Math.min(max, READ_CHUNK));
}

/** Puts bytes back in front of stdin (Linux leaves data a faulting read did not copy in the pipe). */
function unreadStdin(ctx: SyscallContext, rest: Uint8Array): void {
  if (rest.length === 0) return;
  const files = ctx.task.files;
  const merged = new Uint8Array(rest.length + files.stdinPending.length);
  merged.set(rest);
  merged.set(files.stdinPending, rest.length);
  files.stdinPending = merged;
}

/** Reads an iovec array: [base, len] pairs; a string error code on failure. */
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
    const n = Math.min(Number(len > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : len), MAX_RW_COUNT - total);
    out.push([addr(dv.getBigUint64(16 * i, true)), n]);
    total += n;
  }
  return out;
}

function sysWritev(ctx: SyscallContext, a: readonly bigint[]): number {
  const fd = int(a[0]!);
  if (writeTarget(ctx, fd) === undefined) return -EBADF;
  const iovs = readIovecs(ctx, addr(a[1]!), int(a[2]!));
  if (typeof iovs === "number") return iovs;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [base, len] of iovs) {
    if (len === 0) continue;
    const d = ctx.task.um.copyin(base, len);
    if (!d) { if (total === 0) return -EFAULT; break; }
    parts.push(d);
    total += len;
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return doWrite(ctx, fd, all);
}

function sysReadv(ctx: SyscallContext, a: readonly bigint[]): number {
  const fd = int(a[0]!);
  if (!readable(ctx, fd)) return -EBADF;
  const iovs = readIovecs(ctx, addr(a[1]!), int(a[2]!));
  if (typeof iovs === "number") return iovs;
  const want = iovs.reduce((s, [, n]) => s + n, 0);
  if (want === 0) return 0;
  const data = readStdin(ctx, want);
  let at = 0;
  for (const [base, len] of iovs) {
    if (at >= data.length) break;
    const n = Math.min(len, data.length - at);
    const w = ctx.task.um.copyoutPartial(base, data.subarray(at, at + n));
    at += w;
    if (w < n) break;
  }
  unreadStdin(ctx, data.subarray(at));
  return at > 0 || data.length === 0 ? at : -EFAULT;
}

function sysClose(ctx: SyscallContext, a: readonly bigint[]): number {
  return ctx.task.files.close(int(a[0]!)) ? 0 : -EBADF;
}

function sysLseek(ctx: SyscallContext, a: readonly bigint[]): number {
  return ctx.task.files.get(int(a[0]!)) ? -ESPIPE : -EBADF;
}

/** Reads a path argument; a negative errno on failure. */
function pathArg(ctx: SyscallContext, p: bigint): string | number {
  const s = ctx.task.um.copyinString(addr(p), PATH_MAX);
  if (s === "fault") return -EFAULT;
  if (s === "toolong") return -ENAMETOOLONG;
  return dec.decode(s);
}

function sysOpenat(ctx: SyscallContext, a: readonly bigint[]): number {
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  return -ENOENT;   // no file system yet
}

function sysIoctl(ctx: SyscallContext, a: readonly bigint[]): number {
  if (!ctx.task.files.get(int(a[0]!))) return -EBADF;
  return -ENOTTY;   // pipes answer every terminal ioctl (TCGETS, TIOCGWINSZ, …) with ENOTTY
}

/** struct stat (asm-generic, 128 bytes) for a standard stream presented as a pipe. */
export function pipeStat(fd: number): Uint8Array {
  const b = new Uint8Array(STAT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, 0xCn, true);                 // st_dev: pipefs
  dv.setBigUint64(8, BigInt(1000 + fd), true);    // st_ino
  dv.setUint32(16, S_IFIFO | 0o600, true);        // st_mode
  dv.setUint32(20, 1, true);                      // st_nlink
  dv.setUint32(24, GUEST_UID, true);              // st_uid
  dv.setUint32(28, GUEST_GID, true);              // st_gid
  dv.setInt32(56, 4096, true);                    // st_blksize
  return b;
}

function statFd(ctx: SyscallContext, fd: number, buf: number): number {
  if (!ctx.task.files.get(fd)) return -EBADF;
  return ctx.task.um.copyout(buf, pipeStat(fd)) ? 0 : -EFAULT;
}

function sysFstat(ctx: SyscallContext, a: readonly bigint[]): number {
  return statFd(ctx, int(a[0]!), addr(a[1]!));
}

function sysNewfstatat(ctx: SyscallContext, a: readonly bigint[]): number {
  const dirfd = int(a[0]!), flags = int(a[3]!);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) return -EINVAL;
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  if (path === "" && flags & AT_EMPTY_PATH) return dirfd === AT_FDCWD ? -ENOENT : statFd(ctx, dirfd, addr(a[2]!));
  return -ENOENT;
}

function sysReadlinkat(ctx: SyscallContext, a: readonly bigint[]): number {
  const bufsiz = int(a[3]!);
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  if (bufsiz <= 0) return -EINVAL;
  if (path !== "/proc/self/exe" && path !== `/proc/${ctx.task.pid}/exe`) return -ENOENT;
  const target = enc.encode(ctx.task.exePath);
  const n = Math.min(target.length, bufsiz);
  return ctx.task.um.copyout(addr(a[2]!), target.subarray(0, n)) ? n : -EFAULT;
}

export const FILE_SYSCALLS: Record<number, SyscallDef> = {
  29: { name: "ioctl", args: ["i", "x", "x"], fn: sysIoctl },
  56: { name: "openat", args: ["f", "s", "o", "o"], fn: sysOpenat },
  57: { name: "close", args: ["i"], fn: sysClose },
  62: { name: "lseek", args: ["i", "l", "i"], fn: sysLseek },
  63: { name: "read", args: ["i", "b", "u"], readsResult: true, fn: sysRead },
  64: { name: "write", args: ["i", "b", "u"], fn: sysWrite },
  65: { name: "readv", args: ["i", "x", "i"], fn: sysReadv },
  66: { name: "writev", args: ["i", "x", "i"], fn: sysWritev },
  78: { name: "readlinkat", args: ["f", "s", "x", "i"], fn: sysReadlinkat },
  79: { name: "newfstatat", args: ["f", "s", "x", "x"], fn: sysNewfstatat },
  80: { name: "fstat", args: ["i", "x"], fn: sysFstat },
};

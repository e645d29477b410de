// What the file system calls share: decoding path arguments (byte strings, PATH_MAX, AT_FDCWD and directory
// descriptors), looking paths up in the task's file system, the guest clock for file times, the descriptor
// limit, and struct stat as riscv64 lays it out (asm-generic, 128 bytes).

import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { addr } from "./args.js";
import { type FileTable, fileTable } from "./files.js";
import { EBADF, EFAULT, EFBIG, EINVAL, ENAMETOOLONG, ENOENT, ENOTDIR } from "../sys/errno.js";
import type { SyscallContext } from "./syscall.js";
import { CLOCK_REALTIME, clockNs } from "./sys_time.js";
import { defaultRlimit, RLIMIT_NOFILE } from "./sys_proc.js";
import { type StatInfo, VnodeFile } from "../fs/file.js";
import { existing, walk, type Walked } from "../fs/namei.js";
import { fileTruncate } from "../fs/vnode_pager.js";
import { type DirNode, type Vnode, MAX_FILE_SIZE, S_IFIFO } from "../fs/vnode.js";

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const STAT_SIZE = 128;
const PATH_MAX = 4096;

/** Paths are byte strings: one character per byte. */
const latin1 = new TextDecoder("latin1");
export function bytesOf(s: string): Uint8Array { return Uint8Array.from(s, (c) => c.charCodeAt(0)); }

export function files(ctx: SyscallContext): FileTable { return fileTable(ctx.task); }

/**
 * The absolute path each vnode was last opened by (what /proc/<pid>/fd and maps show). Linux finds the name from
 * the dentry, which follows later renames; this is the name at open time.
 */
export const openedAs = new WeakMap<Vnode, string>();

/** The guest clock stamps what this call creates or changes. */
export function touch(ctx: SyscallContext): void {
  const fs = files(ctx).fs;
  fs.now = clockNs(ctx, CLOCK_REALTIME);
  fs.uid = GUEST_UID;
  fs.gid = GUEST_GID;
}

export function fdLimit(ctx: SyscallContext): number {
  const cur = (ctx.task.rlimits.get(RLIMIT_NOFILE) ?? defaultRlimit(RLIMIT_NOFILE)).cur;
  return cur > 1n << 20n ? 1 << 20 : Number(cur);
}

/** Reads a path argument; a negative errno on failure (an empty path is the caller's business). */
export function pathArg(ctx: SyscallContext, p: bigint): string | number {
  const s = ctx.task.um.copyinString(addr(p), PATH_MAX);
  if (s === "fault") return -EFAULT;
  if (s === "toolong") return -ENAMETOOLONG;
  return latin1.decode(s);
}

/** The directory a relative path starts from: the cwd for AT_FDCWD, else the directory open as dirfd. */
export function startDir(ctx: SyscallContext, dirfd: number, path: string): DirNode | number {
  if (path.startsWith("/") || dirfd === AT_FDCWD) return files(ctx).cwd;
  const f = files(ctx).getRaw(dirfd);
  if (!f) return -EBADF;
  if (!(f instanceof VnodeFile) || f.node.type !== "dir") return -ENOTDIR;
  return f.node;
}

/** Copies in a path and resolves it relative to dirfd. */
export function lookupAt(ctx: SyscallContext, dirfd: number, p: bigint, follow: boolean): Walked | number {
  const path = pathArg(ctx, p);
  if (typeof path === "number") return path;
  if (path === "") return -ENOENT;
  const start = startDir(ctx, dirfd, path);
  if (typeof start === "number") return start;
  return walk(files(ctx).fs.root, start, path, follow);
}

/** Looks up an existing file (stat, chdir, truncate...): ENOENT, or ENOTDIR for "file/". */
export function existingAt(ctx: SyscallContext, dirfd: number, p: bigint, follow: boolean): Vnode | number {
  const w = lookupAt(ctx, dirfd, p, follow);
  return typeof w === "number" ? w : existing(w);
}

export function truncateNode(ctx: SyscallContext, node: Vnode, length: number): number {
  if (length > MAX_FILE_SIZE) return -EFBIG;
  if (node.type !== "reg") return -EINVAL;
  touch(ctx);
  fileTruncate(node, length);
  node.times.mtime = node.times.ctime = files(ctx).fs.now;
  return 0;
}

/** struct stat (asm-generic, 128 bytes). */
export function statBytes(s: StatInfo): Uint8Array {
  const b = new Uint8Array(STAT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt(s.dev), true);
  dv.setBigUint64(8, BigInt(s.ino), true);
  dv.setUint32(16, s.mode, true);
  dv.setUint32(20, s.nlink, true);
  dv.setUint32(24, s.uid ?? GUEST_UID, true);
  dv.setUint32(28, s.gid ?? GUEST_GID, true);
  dv.setBigUint64(32, BigInt(s.rdev ?? 0), true);
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

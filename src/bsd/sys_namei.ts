// Path-name system calls (Linux fs/open.c, namei.c, stat.c): open, create and remove names, links, renames,
// modes, the working directory and stat by path, in the task's file system (fs/namei.ts resolves the paths).
// Checks come in Linux's order (do_sys_openat2, do_mkdirat, do_rmdir, do_unlinkat, do_renameat2, do_linkat),
// which the fsfuzz guest compares with the real kernel step by step.

import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { addr, int, long, size, uint } from "./args.js";
import {
  EACCES, EBADF, EBUSY, EEXIST, EFAULT, EINVAL, EISDIR, ELOOP, EMFILE, ENOENT, ENOTDIR, ENOTEMPTY, EOPNOTSUPP, EPERM,
  ERANGE, EROFS, EXDEV,
} from "../sys/errno.js";
import { release } from "./files.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, bytesOf,
  existingAt, fdLimit, files, lookupAt, openedAs, pathArg, statBytes, touch, truncateNode,
} from "./file_args.js";
import {
  type OpenFile, type StatInfo, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOCTTY, O_NOFOLLOW, O_PATH,
  O_TMPFILE, O_TRUNC, VnodeFile, vnodeStat,
} from "../fs/file.js";
import { MemDir, MemFifo, MemFile, MemLink } from "../fs/memfs.js";
import { fifoOpen } from "./fifo_open.js";
import { pathOf, type Walked } from "../fs/namei.js";
import { fileTruncate } from "../fs/vnode_pager.js";
import { type DirNode, type Vnode, MAX_FILE_SIZE, isWritableDir } from "../fs/vnode.js";

const S_ISUID = 0o4000, S_ISGID = 0o2000, S_IXGRP = 0o010;

const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;
const R_OK = 4, W_OK = 2, X_OK = 1;

function sysOpenat(ctx: SyscallContext, a: readonly bigint[]): number {
  const dirfd = int(a[0]!);
  let flags = int(a[2]!);
  const mode = uint(a[3]!);
  if (flags & __O_TMPFILE) return tmpfile(ctx, dirfd, a[1]!, flags, mode);
  if ((flags & (O_CREAT | O_DIRECTORY)) === (O_CREAT | O_DIRECTORY)) return -EINVAL;
  // build_open_flags: with O_PATH nothing but these counts (no creating, truncating, access mode or O_LARGEFILE).
  if (flags & O_PATH) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
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
    // Only reached with O_NOFOLLOW (or O_EXCL) on a link; O_PATH|O_NOFOLLOW opens the link itself.
    if (node.type === "lnk" && !(flags & O_PATH)) return -ELOOP;
    if (node.type === "dir" && (flags & O_CREAT)) return -EISDIR;
    if (node.type !== "dir" && (flags & O_DIRECTORY)) return -ENOTDIR;
    if (node.type === "dir" && wantsWrite) return -EISDIR;
    if (node.generated && wantsWrite && !(node.mode & 0o200 && node.uid === GUEST_UID)) return -EACCES;   // /proc
    if (node.readOnly && wantsWrite) return -EROFS;
    if (node.type === "reg" && (flags & O_TRUNC) && !(flags & O_PATH)) {   // a FIFO ignores O_TRUNC
      fileTruncate(node, 0);
      node.times.mtime = node.times.ctime = t.fs.now;
    }
  }
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);   // not kept in f_flags: F_GETFL never shows them
  const dir = pathOf(w.parent);
  if (dir !== undefined) openedAs.set(node, node.type === "dir" ? pathOf(node) ?? dir : w.last === "norm" ? (dir === "/" ? "" : dir) + "/" + w.name : dir);
  let file: OpenFile;
  if (node.type === "chr" && !(flags & O_PATH)) {
    file = node.open(flags | O_LARGEFILE);
  } else if (node.type === "fifo" && !(flags & O_PATH)) {
    const end = fifoOpen(ctx, node, flags | O_LARGEFILE);
    if (typeof end === "number") return end;
    file = end;
  } else {
    file = new VnodeFile(node, flags & O_PATH ? flags : flags | O_LARGEFILE);
  }
  const fd = t.install(file, (int(a[2]!) & O_CLOEXEC) !== 0, fdLimit(ctx));
  if (fd === undefined) { release(file); return -EMFILE; }
  return fd;
}

const __O_TMPFILE = 0o20000000;

/**
 * O_TMPFILE (do_tmpfile, shmem_tmpfile): an unnamed regular file in the directory the path names, for writing;
 * gone at its last close unless linkat gives it a name first, which O_EXCL forbids.
 */
function tmpfile(ctx: SyscallContext, dirfd: number, p: bigint, flags: number, mode: number): number {
  if ((flags & (O_TMPFILE | O_CREAT)) !== O_TMPFILE) return -EINVAL;   // O_TMPFILE_MASK: O_DIRECTORY, no O_CREAT
  const acc = flags & O_ACCMODE;
  if (acc !== 1 && acc !== 2) return -EINVAL;
  touch(ctx);
  const dir = existingAt(ctx, dirfd, p, true);
  if (typeof dir === "number") return dir;
  if (dir.type !== "dir") return -ENOTDIR;
  if (dir.removed) return -ENOENT;
  if (!isWritableDir(dir)) return dir.readOnly ? -EROFS : -EOPNOTSUPP;
  const t = files(ctx);
  const file = new MemFile(t.fs, t.fs.allocIno(), mode & 0o7777 & ~t.umask);
  file.nlink = 0;
  file.linkable = !(flags & O_EXCL);
  const where = pathOf(dir);
  if (where !== undefined) openedAs.set(file, `${where === "/" ? "" : where}/#${file.ino}`);
  const open = new VnodeFile(file, (flags & ~(O_TMPFILE | O_EXCL | O_CLOEXEC)) | O_LARGEFILE);
  const fd = t.install(open, (flags & O_CLOEXEC) !== 0, fdLimit(ctx));
  if (fd === undefined) { release(open); return -EMFILE; }
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

const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFREG = 0o100000, S_IFBLK = 0o060000, S_IFDIR = 0o040000,
  S_IFCHR = 0o020000, S_IFIFO = 0o010000;

/**
 * mknodat (fs/namei.c do_mknodat): regular files and FIFOs. The type is checked first (may_mknod: a directory is
 * EPERM, an unknown type EINVAL), then the name is made (EEXIST, ENOENT...), then a device needs CAP_MKNOD, which
 * the guest lacks (EPERM; Linux lets anyone make the 0:0 character device of an overlay whiteout, not done here).
 * There are no sockets here: S_IFSOCK is EPERM too.
 */
function sysMknodat(ctx: SyscallContext, a: readonly bigint[]): number {
  const mode = uint(a[2]!);
  switch (mode & S_IFMT) {
    case 0: case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK: break;
    case S_IFDIR: return -EPERM;
    default: return -EINVAL;
  }
  touch(ctx);
  const w = lookupAt(ctx, int(a[0]!), a[1]!, false);
  if (typeof w === "number") return w;
  if (w.node !== undefined) return -EEXIST;
  if (w.trailingSlash || w.parent.removed) return -ENOENT;
  if (!isWritableDir(w.parent)) return -EROFS;
  const type = mode & S_IFMT;
  if (type === S_IFCHR || type === S_IFBLK || type === S_IFSOCK) return -EPERM;
  const t = files(ctx), perm = mode & 0o7777 & ~t.umask;
  w.parent.link(w.name, type === S_IFIFO ? new MemFifo(t.fs, t.fs.allocIno(), perm) : new MemFile(t.fs, t.fs.allocIno(), perm));
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

/** linkat: another name for a file (never a directory), on the same file system. */
function sysLinkat(ctx: SyscallContext, a: readonly bigint[]): number {
  const flags = int(a[4]!);
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  touch(ctx);
  let src: Vnode;
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  if (path === "" && (flags & AT_EMPTY_PATH)) {
    const f = files(ctx).getRaw(int(a[0]!));
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
  // An unlinked file cannot get a name back, but for an O_TMPFILE one without O_EXCL (I_LINKABLE, cleared here).
  const linkable = src instanceof MemFile && src.linkable;
  if (to.parent.removed || (src.nlink === 0 && !linkable)) return -ENOENT;
  if (src instanceof MemFile) src.linkable = false;
  if (src.nlink === 0) { const d = pathOf(to.parent); if (d !== undefined) openedAs.set(src, `${d === "/" ? "" : d}/${to.name}`); }
  to.parent.link(to.name, src);
  src.nlink++;
  src.times.ctime = files(ctx).fs.now;
  return 0;
}

function chmodNode(ctx: SyscallContext, node: Vnode, mode: number): number {
  if (node.readOnly) return -EROFS;
  if (node.uid !== GUEST_UID) return -EPERM;   // only the owner may (setattr_prepare: inode_owner_or_capable)
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

/**
 * chown_common (fs/open.c) for an unprivileged caller (the guest has no CAP_CHOWN): the owner may "change" the
 * owner only to itself (chown_ok) and the group only to its own group or the file's (chgrp_ok); anyone else gets
 * EPERM. -1 leaves an id alone. Changing a non-directory drops set-user-ID, and set-group-ID when group-executable
 * (setattr_should_drop_suidgid), which needs ownership too. ctime changes even when nothing else does.
 */
function chownNode(ctx: SyscallContext, node: Vnode, uid: number, gid: number): number {
  if (node.readOnly) return -EROFS;
  const owner = node.uid === GUEST_UID;
  if (uid !== -1 && !(owner && uid === node.uid)) return -EPERM;
  if (gid !== -1 && !(owner && (gid === node.gid || gid === GUEST_GID))) return -EPERM;
  let mode = node.mode;
  if (node.type !== "dir") {
    if (mode & S_ISUID) mode &= ~S_ISUID;
    if ((mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP)) mode &= ~S_ISGID;
  }
  if (mode !== node.mode && !owner) return -EPERM;
  node.mode = mode;
  if (uid !== -1) node.uid = uid;
  if (gid !== -1) node.gid = gid;
  node.times.ctime = files(ctx).fs.now;
  return 0;
}

/** fchownat (glibc's chown, lchown and fchownat). */
function sysFchownat(ctx: SyscallContext, a: readonly bigint[]): number {
  const dirfd = int(a[0]!), uid = int(a[2]!), gid = int(a[3]!), flags = int(a[4]!);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  touch(ctx);
  const path = pathArg(ctx, a[1]!);
  if (typeof path === "number") return path;
  if (path === "" && (flags & AT_EMPTY_PATH)) {
    if (dirfd === AT_FDCWD) return chownNode(ctx, files(ctx).cwd, uid, gid);
    const f = files(ctx).getRaw(dirfd);
    if (!f) return -EBADF;
    return f instanceof VnodeFile ? chownNode(ctx, f.node, uid, gid) : chownAnonymous(uid, gid);
  }
  const node = existingAt(ctx, dirfd, a[1]!, !(flags & AT_SYMLINK_NOFOLLOW));
  if (typeof node === "number") return node;
  return chownNode(ctx, node, uid, gid);
}

/** A pipe or standard stream: an anonymous inode the caller owns, with nothing to record. */
function chownAnonymous(uid: number, gid: number): number {
  return (uid === -1 || uid === GUEST_UID) && (gid === -1 || gid === GUEST_GID) ? 0 : -EPERM;
}

function sysFchown(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).get(int(a[0]!));
  if (!f) return -EBADF;
  const uid = int(a[1]!), gid = int(a[2]!);
  touch(ctx);
  return f instanceof VnodeFile ? chownNode(ctx, f.node, uid, gid) : chownAnonymous(uid, gid);
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
  const f = files(ctx).getRaw(int(a[0]!));
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

function sysTruncate(ctx: SyscallContext, a: readonly bigint[]): number {
  const length = BigInt.asIntN(64, a[1]!) > BigInt(MAX_FILE_SIZE) ? MAX_FILE_SIZE + 1 : long(a[1]!);
  const node = existingAt(ctx, AT_FDCWD, a[0]!, true);
  if (typeof node === "number") return node;
  if (node.type === "dir") return -EISDIR;
  if (length < 0) return -EINVAL;
  if (node.readOnly) return -EROFS;
  return truncateNode(ctx, node, length);
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
      const f = files(ctx).getRaw(dirfd);
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

export const NAMEI_SYSCALLS: Record<number, SyscallDef> = {
  17: { name: "getcwd", args: ["x", "u"], fn: sysGetcwd },
  33: { name: "mknodat", args: ["f", "s", "o", "x"], fn: sysMknodat },
  34: { name: "mkdirat", args: ["f", "s", "o"], fn: sysMkdirat },
  35: { name: "unlinkat", args: ["f", "s", "x"], fn: sysUnlinkat },
  36: { name: "symlinkat", args: ["s", "f", "s"], fn: sysSymlinkat },
  37: { name: "linkat", args: ["f", "s", "f", "s", "x"], fn: sysLinkat },
  45: { name: "truncate", args: ["s", "l"], fn: sysTruncate },
  48: { name: "faccessat", args: ["f", "s", "o"], fn: sysFaccessat },
  49: { name: "chdir", args: ["s"], fn: sysChdir },
  50: { name: "fchdir", args: ["i"], fn: sysFchdir },
  52: { name: "fchmod", args: ["i", "o"], fn: sysFchmod },
  53: { name: "fchmodat", args: ["f", "s", "o"], fn: sysFchmodat },
  54: { name: "fchownat", args: ["f", "s", "i", "i", "x"], fn: sysFchownat },
  55: { name: "fchown", args: ["i", "i", "i"], fn: sysFchown },
  56: { name: "openat", args: ["f", "s", "o", "o"], fn: sysOpenat },
  78: { name: "readlinkat", args: ["f", "s", "x", "i"], fn: sysReadlinkat },
  79: { name: "newfstatat", args: ["f", "s", "x", "x"], fn: sysNewfstatat },
  166: { name: "umask", args: ["o"], fn: sysUmask },
  276: { name: "renameat2", args: ["f", "s", "f", "s", "x"], fn: sysRenameat2 },
};

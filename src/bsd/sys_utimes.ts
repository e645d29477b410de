// utimensat (Linux fs/utimes.c): setting a file's access and modification times, glibc's utimensat, futimens,
// utimes and utime. The checks come in Linux's order: the times are copied in (EFAULT) and two UTIME_OMITs end
// the call before the path is even looked at, then nanoseconds are checked (EINVAL), then the flags, then the file.
// Setting explicit times needs ownership (EPERM); setting them to now needs ownership or write permission (EACCES).

import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { addr, int } from "./args.js";
import { EACCES, EBADF, EFAULT, EINVAL, EPERM, EROFS } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, existingAt, files, pathArg, touch } from "./file_args.js";
import { VnodeFile } from "../fs/file.js";
import type { Vnode } from "../fs/vnode.js";

export const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
const NSEC_PER_SEC = 1_000_000_000n;

/** One struct timespec as given: seconds and nanoseconds. */
interface Spec { sec: bigint; nsec: number }

/** Does the caller (uid 1000, gid 1000, no capabilities) have write permission by the mode bits? */
export function mayWrite(node: Vnode): boolean {
  const bits = node.uid === GUEST_UID ? node.mode >> 6 : node.gid === GUEST_GID ? node.mode >> 3 : node.mode;
  return (bits & 2) !== 0;
}

function nsecValid(n: number): boolean { return n === UTIME_NOW || n === UTIME_OMIT || (n >= 0 && n < 1e9); }

/** vfs_utimes: times undefined means both now. */
function setTimes(ctx: SyscallContext, node: Vnode, times: [Spec, Spec] | undefined): number {
  if (node.readOnly) return -EROFS;
  const owner = node.uid === GUEST_UID;
  const explicit = times !== undefined && times.some((t) => t.nsec !== UTIME_NOW && t.nsec !== UTIME_OMIT);
  if (explicit && !owner) return -EPERM;
  if (!explicit && !owner && !mayWrite(node)) return -EACCES;
  const now = files(ctx).fs.now;
  const value = (t: Spec | undefined): bigint | undefined =>
    t === undefined || t.nsec === UTIME_NOW ? now : t.nsec === UTIME_OMIT ? undefined : t.sec * NSEC_PER_SEC + BigInt(t.nsec);
  const at = value(times?.[0]), mt = value(times?.[1]);
  if (at !== undefined) node.times.atime = at;
  if (mt !== undefined) node.times.mtime = mt;
  node.times.ctime = now;
  return 0;
}

function sysUtimensat(ctx: SyscallContext, a: readonly bigint[]): number {
  const dirfd = int(a[0]!), pathp = a[1]!, tp = addr(a[2]!), flags = int(a[3]!);
  let times: [Spec, Spec] | undefined;
  if (tp !== 0) {
    const raw = ctx.task.um.copyin(tp, 32);
    if (!raw) return -EFAULT;
    const dv = new DataView(raw.buffer);
    // tv_nsec is a long; a value that does not fit an int is simply invalid.
    const spec = (i: number): Spec => {
      const n = dv.getBigInt64(16 * i + 8, true);
      return { sec: dv.getBigInt64(16 * i, true), nsec: n >= 0n && n < 1n << 31n ? Number(n) : -1 };
    };
    times = [spec(0), spec(1)];
    if (times[0].nsec === UTIME_OMIT && times[1].nsec === UTIME_OMIT) return 0;
    if (!nsecValid(times[0].nsec) || !nsecValid(times[1].nsec)) return -EINVAL;
    if (times[0].nsec === UTIME_NOW && times[1].nsec === UTIME_NOW) times = undefined;
  }
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  touch(ctx);
  if (pathp === 0n && dirfd !== AT_FDCWD) {
    // futimens: the descriptor itself (fdget: not an O_PATH one).
    if (flags) return -EINVAL;
    const f = files(ctx).get(dirfd);
    if (!f) return -EBADF;
    return f instanceof VnodeFile ? setTimes(ctx, f.node, times) : 0;   // a pipe's anonymous inode: nobody sees it
  }
  if (pathp === 0n) return -EFAULT;
  const path = pathArg(ctx, pathp);
  if (typeof path === "number") return path;
  let node: Vnode | number;
  if (path === "" && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) {
      node = files(ctx).cwd;
    } else {
      const f = files(ctx).getRaw(dirfd);
      if (!f) return -EBADF;
      if (!(f instanceof VnodeFile)) return 0;   // a pipe's anonymous inode, as above
      node = f.node;
    }
  } else {
    node = existingAt(ctx, dirfd, pathp, !(flags & AT_SYMLINK_NOFOLLOW));
  }
  if (typeof node === "number") return node;
  return setTimes(ctx, node, times);
}

export const UTIMES_SYSCALLS: Record<number, SyscallDef> = {
  88: { name: "utimensat", args: ["f", "s", "x", "x"], fn: sysUtimensat },
};

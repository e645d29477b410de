// statfs and fstatfs (Linux fs/statfs.c): what the file system holding a file says about itself, as struct statfs
// of riscv64 (asm-generic/statfs.h: every field a 64-bit word but f_fsid, two ints; 120 bytes). The in-memory file
// system reports itself as tmpfs, a host mount the host's figures (read-only), /proc procfs; pipes and the
// standard streams live in pipefs.

import { addr, int } from "./args.js";
import { EBADF, EFAULT } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";
import { existingAt, files, AT_FDCWD } from "./file_args.js";
import { VnodeFile } from "../fs/file.js";
import { type StatFs, NAME_MAX, ST_VALID } from "../fs/vnode.js";

export const STATFS_SIZE = 120;
/** include/uapi/linux/magic.h */
export const PIPEFS_MAGIC = 0x50495045;

/** struct statfs (asm-generic): f_frsize equals f_bsize, as every file system here reports it. */
export function statfsBytes(s: StatFs): Uint8Array {
  const b = new Uint8Array(STATFS_SIZE);
  const dv = new DataView(b.buffer);
  const words = [s.type, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree];
  words.forEach((w, i) => dv.setBigInt64(8 * i, BigInt(w), true));
  dv.setInt32(56, s.fsid, true);      // f_fsid.val[0]; val[1] stays 0
  dv.setBigInt64(64, BigInt(s.namelen), true);
  dv.setBigInt64(72, BigInt(s.bsize), true);
  dv.setBigInt64(80, BigInt(s.flags), true);
  return b;
}

/** pipefs (simple_statfs): only the block size and the name length are known. */
const PIPEFS: StatFs = { type: PIPEFS_MAGIC, bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, fsid: 0,
  namelen: NAME_MAX, flags: ST_VALID };

function sysStatfs(ctx: SyscallContext, a: readonly bigint[]): number {
  const node = existingAt(ctx, AT_FDCWD, a[0]!, true);
  if (typeof node === "number") return node;
  return ctx.task.um.copyout(addr(a[1]!), statfsBytes(files(ctx).fs.statfs(node.dev))) ? 0 : -EFAULT;
}

/** fstatfs takes any descriptor, O_PATH ones too (fdget_raw). */
function sysFstatfs(ctx: SyscallContext, a: readonly bigint[]): number {
  const f = files(ctx).getRaw(int(a[0]!));
  if (!f) return -EBADF;
  const s = f instanceof VnodeFile ? files(ctx).fs.statfs(f.node.dev) : PIPEFS;
  return ctx.task.um.copyout(addr(a[1]!), statfsBytes(s)) ? 0 : -EFAULT;
}

export const STATFS_SYSCALLS: Record<number, SyscallDef> = {
  43: { name: "statfs", args: ["s", "x"], fn: sysStatfs },
  44: { name: "fstatfs", args: ["i", "x"], fn: sysFstatfs },
};

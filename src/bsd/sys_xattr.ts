// Extended attributes (Linux fs/xattr.c), reading side: no file here carries any, so a get of a name in a known
// namespace finds nothing (ENODATA) and a list is empty, as on a tmpfs without security labels. Names are checked
// as Linux checks them (ERANGE for empty or longer than XATTR_NAME_MAX; EOPNOTSUPP outside the namespaces).

import { addr, int } from "./args.js";
import { EBADF, EFAULT, ENODATA, EOPNOTSUPP, ERANGE } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";
import { AT_FDCWD, existingAt, files } from "./file_args.js";

const XATTR_NAME_MAX = 255;
const NAMESPACES = ["security.", "system.", "trusted.", "user."];

/** The attribute name argument: ERANGE when empty or too long, EFAULT when unreadable. */
function nameArg(ctx: SyscallContext, p: bigint): string | number {
  const s = ctx.task.um.copyinString(addr(p), XATTR_NAME_MAX + 1);
  if (s === "fault") return -EFAULT;
  if (s === "toolong" || s.length === 0) return -ERANGE;
  return String.fromCharCode(...s);
}

function getNamed(name: string): number {
  return NAMESPACES.some((ns) => name.startsWith(ns) && name.length > ns.length) ? -ENODATA : -EOPNOTSUPP;
}

function byPath(follow: boolean) {
  return (ctx: SyscallContext, a: readonly bigint[]): number => {
    const node = existingAt(ctx, AT_FDCWD, a[0]!, follow);
    if (typeof node === "number") return node;
    const name = nameArg(ctx, a[1]!);
    return typeof name === "number" ? name : getNamed(name);
  };
}

function sysFgetxattr(ctx: SyscallContext, a: readonly bigint[]): number {
  if (!files(ctx).get(int(a[0]!))) return -EBADF;
  const name = nameArg(ctx, a[1]!);
  return typeof name === "number" ? name : getNamed(name);
}

function listByPath(follow: boolean) {
  return (ctx: SyscallContext, a: readonly bigint[]): number => {
    const node = existingAt(ctx, AT_FDCWD, a[0]!, follow);
    return typeof node === "number" ? node : 0;
  };
}

function sysFlistxattr(ctx: SyscallContext, a: readonly bigint[]): number {
  return files(ctx).get(int(a[0]!)) ? 0 : -EBADF;
}

export const XATTR_SYSCALLS: Record<number, SyscallDef> = {
  8: { name: "getxattr", args: ["s", "s", "x", "u"], fn: byPath(true) },
  9: { name: "lgetxattr", args: ["s", "s", "x", "u"], fn: byPath(false) },
  10: { name: "fgetxattr", args: ["i", "s", "x", "u"], fn: sysFgetxattr },
  11: { name: "listxattr", args: ["s", "x", "u"], fn: listByPath(true) },
  12: { name: "llistxattr", args: ["s", "x", "u"], fn: listByPath(false) },
  13: { name: "flistxattr", args: ["i", "x", "u"], fn: sysFlistxattr },
};

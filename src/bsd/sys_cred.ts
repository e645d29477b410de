// Credentials (kernel/sys.c, kernel/groups.c): the user and group ids of an unprivileged user. Every task runs as
// GUEST_UID/GUEST_GID with real, effective, saved and file-system ids equal, and has no capability: the set*id
// calls may only "change" an id to one of the ids it already has (so nothing ever changes), anything else is
// EPERM; -1 (uid_t)-1 means "leave it" where Linux accepts it and is an invalid id (EINVAL) where it does not.

import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { addr, int, uint } from "./args.js";
import { EFAULT, EINVAL, EPERM } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

const NO_CHANGE = 0xFFFF_FFFF;   // (uid_t)-1, also make_kuid's invalid id

/** The supplementary groups of the user (a login's primary group). */
const GROUPS = [GUEST_GID];

/** setuid/setgid: an invalid id is EINVAL; without CAP_SETUID the id must be the real or saved one. */
function setId(id: number, own: number): number {
  if (id === NO_CHANGE) return -EINVAL;
  return id === own ? 0 : -EPERM;
}

/** setreuid/setresuid and the gid forms: each id is -1 or one the task has (they are all `own`). */
function setIds(ids: readonly number[], own: number): number {
  for (const id of ids) if (id !== NO_CHANGE && id !== own) return -EPERM;
  return 0;
}

/** getresuid/getresgid: three ids to three pointers (put_user each, EFAULT at the first that fails). */
function getRes(ctx: SyscallContext, a: readonly bigint[], own: number): number {
  for (let i = 0; i < 3; i++) if (!ctx.task.um.writeU32(addr(a[i]!), own)) return -EFAULT;
  return 0;
}


function sysGetgroups(ctx: SyscallContext, a: readonly bigint[]): number {
  const n = int(a[0]!), list = addr(a[1]!);
  if (n < 0) return -EINVAL;
  if (n === 0) return GROUPS.length;
  if (n < GROUPS.length) return -EINVAL;
  const b = new Uint8Array(4 * GROUPS.length);
  GROUPS.forEach((g, i) => new DataView(b.buffer).setUint32(4 * i, g, true));
  return ctx.task.um.copyout(list, b) ? GROUPS.length : -EFAULT;
}


const u = (a: readonly bigint[], i: number) => uint(a[i]!);

export const CRED_SYSCALLS: Record<number, SyscallDef> = {
  143: { name: "setregid", args: ["i", "i"], fn: (_c, a) => setIds([u(a, 0), u(a, 1)], GUEST_GID) },
  144: { name: "setgid", args: ["i"], fn: (_c, a) => setId(u(a, 0), GUEST_GID) },
  145: { name: "setreuid", args: ["i", "i"], fn: (_c, a) => setIds([u(a, 0), u(a, 1)], GUEST_UID) },
  146: { name: "setuid", args: ["i"], fn: (_c, a) => setId(u(a, 0), GUEST_UID) },
  147: { name: "setresuid", args: ["i", "i", "i"], fn: (_c, a) => setIds([u(a, 0), u(a, 1), u(a, 2)], GUEST_UID) },
  148: { name: "getresuid", args: ["x", "x", "x"], fn: (c, a) => getRes(c, a, GUEST_UID) },
  149: { name: "setresgid", args: ["i", "i", "i"], fn: (_c, a) => setIds([u(a, 0), u(a, 1), u(a, 2)], GUEST_GID) },
  150: { name: "getresgid", args: ["x", "x", "x"], fn: (c, a) => getRes(c, a, GUEST_GID) },
  // setfsuid/setfsgid return the old id whatever happens; the new one could only be the same.
  151: { name: "setfsuid", args: ["i"], fn: () => GUEST_UID },
  152: { name: "setfsgid", args: ["i"], fn: () => GUEST_GID },
  158: { name: "getgroups", args: ["i", "x"], fn: sysGetgroups },
  159: { name: "setgroups", args: ["i", "x"], fn: () => -EPERM },   // needs CAP_SETGID, checked first
  174: { name: "getuid", args: [], fn: () => GUEST_UID },
  175: { name: "geteuid", args: [], fn: () => GUEST_UID },
  176: { name: "getgid", args: [], fn: () => GUEST_GID },
  177: { name: "getegid", args: [], fn: () => GUEST_GID },
};

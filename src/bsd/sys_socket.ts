// socket(2) (198): the checks of net/socket.c __sys_socket and the families' create functions (inet_create,
// inet6_create, unix_create), for an unprivileged user, and a descriptor for the new, unconnected socket
// (fs/socket.ts says what it answers). Only AF_UNIX, AF_INET and AF_INET6 exist: another family is EAFNOSUPPORT, as
// on a kernel built without it. Connecting sockets (bind, connect, listen, accept, socketpair, send/recv with
// addresses) is not modelled: those calls stay ENOSYS.

import { EAFNOSUPPORT, EINVAL, EMFILE, EPERM, EPROTONOSUPPORT, ESOCKTNOSUPPORT } from "../sys/errno.js";
import { O_CLOEXEC, O_NONBLOCK } from "../fs/file.js";
import { AF_INET, AF_INET6, AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM, SocketFile } from "../fs/socket.js";
import { fdLimit, files } from "./file_args.js";
import { int } from "./args.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

const SOCK_TYPE_MASK = 0xF;
const IPPROTO_TCP = 6, IPPROTO_UDP = 17;

/** The socket's type and protocol as its family's create function settles them, or a negative errno. */
function settle(family: number, type: number, protocol: number): { type: number; protocol: number } | number {
  if (family === AF_UNIX) {
    // unix_create: a protocol other than 0 (or PF_UNIX) is EPROTONOSUPPORT; SOCK_RAW is taken as SOCK_DGRAM.
    if (protocol !== 0 && protocol !== AF_UNIX) return -EPROTONOSUPPORT;
    if (type === SOCK_RAW) return { type: SOCK_DGRAM, protocol: 0 };
    if (type === SOCK_STREAM || type === SOCK_DGRAM || type === SOCK_SEQPACKET) return { type, protocol: 0 };
    return -ESOCKTNOSUPPORT;
  }
  // inet_create/inet6_create: the protocol must match the type's (0 picks it); raw sockets need CAP_NET_RAW.
  if (type === SOCK_STREAM) return protocol === 0 || protocol === IPPROTO_TCP ? { type, protocol: IPPROTO_TCP } : -EPROTONOSUPPORT;
  if (type === SOCK_DGRAM) return protocol === 0 || protocol === IPPROTO_UDP ? { type, protocol: IPPROTO_UDP } : -EPROTONOSUPPORT;
  if (type === SOCK_RAW) return -EPERM;
  return -ESOCKTNOSUPPORT;
}

function sysSocket(ctx: SyscallContext, a: readonly bigint[]): number {
  const family = int(a[0]!), raw = int(a[1]!), protocol = int(a[2]!);
  const flags = raw & ~SOCK_TYPE_MASK;
  // __sys_socket: flags other than SOCK_CLOEXEC and SOCK_NONBLOCK, or a type out of range, are EINVAL.
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  const type = raw & SOCK_TYPE_MASK;
  if (type < SOCK_STREAM || type > 10) return -EINVAL;   // SOCK_MAX (include/linux/net.h)
  if (family < 0 || family >= 46) return -EAFNOSUPPORT;  // NPROTO
  if (family !== AF_UNIX && family !== AF_INET && family !== AF_INET6) return -EAFNOSUPPORT;
  if (protocol < 0) return -EINVAL;
  const s = settle(family, type, protocol);
  if (typeof s === "number") return s;
  const t = files(ctx);
  const file = new SocketFile(family, s.type, s.protocol, t.fs.allocIno(), flags & O_NONBLOCK);
  const fd = t.install(file, (flags & O_CLOEXEC) !== 0, fdLimit(ctx));
  if (fd === undefined) { file.release(); return -EMFILE; }
  return fd;
}

export const SOCKET_SYSCALLS: Record<number, SyscallDef> = {
  198: { name: "socket", args: ["i", "x", "i"], fn: sysSocket },
};

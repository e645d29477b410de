// Sockets as open file descriptions: socket(2) makes one, and it can be closed, dup'ed, stat'ed (S_IFSOCK), polled
// and passed to read/write — but nothing can connect it yet (bind, connect, listen, accept, socketpair are not
// modelled: those calls are ENOSYS and --strace names them). What an unconnected socket answers is Linux's:
//   read:  TCP ENOTCONN (tcp_recvmsg on TCP_CLOSE), a UNIX stream EINVAL (unix_stream_read_generic), a datagram
//          socket waits for a datagram that cannot come (EAGAIN when non-blocking);
//   write: TCP EPIPE, which raises SIGPIPE (sk_stream_wait_connect), a UNIX stream or datagram ENOTCONN, a UDP
//          datagram without an address EDESTADDRREQ (udp_sendmsg);
//   poll:  a stream socket not connected is writable and hung up (tcp_poll, unix_poll on TCP_CLOSE); a datagram
//          socket is writable.

import { EAGAIN, EDESTADDRREQ, EINVAL, ENOTCONN, EPIPE } from "../sys/errno.js";
import { type ReadResult, type StatInfo, type WriteResult, OpenFile, O_RDWR, POLLHUP, POLLOUT, POLLWRNORM } from "./file.js";

export const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_SEQPACKET = 5;
export const S_IFSOCK = 0o140000;
/** st_dev of sockets (sockfs: an anonymous device). */
const SOCKFS_DEV = 0x8;

export class SocketFile extends OpenFile {
  readonly seekable = false;

  constructor(readonly family: number, readonly type: number, readonly protocol: number, private readonly ino: number,
              flags: number) {
    super(O_RDWR | flags);
  }

  private get stream(): boolean { return this.type === SOCK_STREAM || this.type === SOCK_SEQPACKET; }

  read(): ReadResult {
    if (this.stream) return this.family === AF_UNIX ? -EINVAL : -ENOTCONN;
    return this.nonblocking ? -EAGAIN : "block";
  }

  consume(): void {}

  write(): WriteResult {
    if (this.family === AF_UNIX) return -ENOTCONN;
    return this.stream ? -EPIPE : -EDESTADDRREQ;
  }

  override poll(): number { return POLLOUT | POLLWRNORM | (this.stream ? POLLHUP : 0); }

  stat(): StatInfo {
    const z = { atime: 0n, mtime: 0n, ctime: 0n };
    return { dev: SOCKFS_DEV, ino: this.ino, mode: S_IFSOCK | 0o777, nlink: 1, size: 0, blksize: 4096, blocks: 0, times: z };
  }
}

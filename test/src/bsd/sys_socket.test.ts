// socket(2): Linux's checks (net/socket.c, inet_create, unix_create) for an unprivileged user, and what an
// unconnected socket answers to read, write, poll and fstat. Checked against qemu-riscv64 on the host kernel for
// every case here except two where qemu departs: it drops unknown type flags (Linux: EINVAL) and the reference ran
// as root (SOCK_RAW: EPERM for the guest's uid 1000).

import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import {
  EAFNOSUPPORT, EAGAIN, EDESTADDRREQ, EINVAL, ENOTCONN, EPERM, EPIPE, EPROTONOSUPPORT, ESOCKTNOSUPPORT,
} from "../../../src/sys/errno.js";
import { fileTable } from "../../../src/bsd/files.js";
import { SIGPIPE } from "../../../src/kern/signal.js";
import { POLLHUP, POLLOUT, POLLWRNORM } from "../../../src/fs/file.js";
import { S_IFSOCK } from "../../../src/fs/socket.js";

const NR = { read: 63, write: 64, close: 57, socket: 198 };
const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_SEQPACKET = 5;
const SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
const BUF = 0x10000;

describe("socket", () => {
  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });

  it("makes descriptors for the families and types Linux has, with SOCK_CLOEXEC and SOCK_NONBLOCK", () => {
    for (const [f, t] of [[AF_INET, SOCK_STREAM], [AF_INET, SOCK_DGRAM], [AF_INET6, SOCK_STREAM], [AF_UNIX, SOCK_STREAM],
      [AF_UNIX, SOCK_DGRAM], [AF_UNIX, SOCK_SEQPACKET], [AF_UNIX, SOCK_RAW]]) {
      const fd = sys(NR.socket, f!, t!, 0);
      expect(fd, `${f}/${t}`).toBeGreaterThan(2);
      expect(fileTable(m.task).get(fd)!.stat().mode & 0o170000).toBe(S_IFSOCK);
      expect(sys(NR.close, fd)).toBe(0);
    }
    const fd = sys(NR.socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 6);
    expect(fileTable(m.task).cloexec(fd)).toBe(true);
    expect(fileTable(m.task).get(fd)!.nonblocking).toBe(true);
  });

  it("refuses what Linux refuses, with Linux's errno", () => {
    expect(sys(NR.socket, 99, SOCK_STREAM, 0)).toBe(-EAFNOSUPPORT);
    expect(sys(NR.socket, 17 /* AF_PACKET: not built */, SOCK_RAW, 0)).toBe(-EAFNOSUPPORT);
    expect(sys(NR.socket, AF_INET, 11, 0)).toBe(-EINVAL);
    expect(sys(NR.socket, AF_INET, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.socket, AF_INET, SOCK_STREAM | 0x10000, 0)).toBe(-EINVAL);
    expect(sys(NR.socket, AF_INET, SOCK_RAW, 1)).toBe(-EPERM);
    expect(sys(NR.socket, AF_INET, SOCK_STREAM, 17)).toBe(-EPROTONOSUPPORT);
    expect(sys(NR.socket, AF_INET, SOCK_DGRAM, 6)).toBe(-EPROTONOSUPPORT);
    expect(sys(NR.socket, AF_INET, SOCK_SEQPACKET, 0)).toBe(-ESOCKTNOSUPPORT);
    expect(sys(NR.socket, AF_UNIX, SOCK_STREAM, 5)).toBe(-EPROTONOSUPPORT);
  });

  it("an unconnected socket: read, write and poll answer as Linux's", () => {
    const tcp = sys(NR.socket, AF_INET, SOCK_STREAM, 0), udp = sys(NR.socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    const us = sys(NR.socket, AF_UNIX, SOCK_STREAM, 0), ud = sys(NR.socket, AF_UNIX, SOCK_DGRAM, 0);
    expect(sys(NR.read, tcp, BUF, 4)).toBe(-ENOTCONN);
    expect(sys(NR.read, udp, BUF, 4)).toBe(-EAGAIN);
    expect(sys(NR.read, us, BUF, 4)).toBe(-EINVAL);
    expect(sys(NR.write, udp, BUF, 4)).toBe(-EDESTADDRREQ);
    expect(sys(NR.write, us, BUF, 4)).toBe(-ENOTCONN);
    expect(sys(NR.write, ud, BUF, 4)).toBe(-ENOTCONN);
    expect(fileTable(m.task).get(tcp)!.poll()).toBe(POLLOUT | POLLWRNORM | POLLHUP);
    expect(fileTable(m.task).get(udp)!.poll()).toBe(POLLOUT | POLLWRNORM);
    expect(m.task.signals.pendingMask & (1n << BigInt(SIGPIPE - 1))).toBe(0n);
    // A write on an unconnected TCP socket is EPIPE and raises SIGPIPE, as a pipe without a reader does.
    let status: number | undefined;
    try { expect(sys(NR.write, tcp, BUF, 4)).toBe(-EPIPE); } catch (e) { status = (e as { status: number }).status; }
    expect(status).toBe(128 + SIGPIPE);
  });
});

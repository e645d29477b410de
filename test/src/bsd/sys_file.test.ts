// Descriptor calls added for LTP (more in file_syscalls.test.ts): what an O_PATH descriptor allows, pipe
// capacity (F_SETPIPE_SZ, F_GETPIPE_SZ) and the reading side of extended attributes.

import { beforeEach, describe, expect, it } from "vitest";
import { AT_FDCWD, SysHarness } from "../helpers/syscalls.js";
import { EBADF, EBUSY, EFBIG, EINVAL, ENODATA, ENODEV, EOPNOTSUPP, EPERM, ERANGE, ESPIPE } from "../../../src/sys/errno.js";

const NR = { dup: 23, dup3: 24, fcntl: 25, ioctl: 29, fchdir: 50, fchmod: 52, fchown: 55, close: 57, pipe2: 59,
  getdents64: 61, lseek: 62, read: 63, write: 64, fstat: 80, fsync: 82, fstatfs: 44, mmap: 222, newfstatat: 79,
  ftruncate: 46, fgetxattr: 10, getxattr: 8, flistxattr: 13, openat: 56 };
const O_CREAT = 0o100, O_RDWR = 2, O_PATH = 0o10000000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
const O_LARGEFILE = 0o100000, AT_EMPTY_PATH = 0x1000;
const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

let h: SysHarness;
beforeEach(() => { h = new SysHarness(); });

describe("O_PATH", () => {
  it("allows fstat, dup, close and the fcntl calls Linux allows; F_GETFL shows O_PATH without an access mode", () => {
    h.sys(NR.close, h.open("/tmp/f", O_CREAT | O_RDWR));
    const p = h.open("/tmp/f", O_PATH | O_RDWR | O_CREAT | 0o1000);
    expect(p).toBeGreaterThan(2);
    expect(h.sys(NR.fcntl, p, F_GETFL)).toBe(O_PATH);
    expect(h.sys(NR.fstat, p, h.out)).toBe(0);
    expect(h.sys(NR.fstatfs, p, h.out)).toBe(0);
    const d = h.sys(NR.dup, p);
    expect(d).toBeGreaterThan(p);
    expect(h.sys(NR.fcntl, p, F_DUPFD, 10)).toBe(10);
    expect(h.sys(NR.fcntl, p, F_SETFD, 1)).toBe(0);
    expect(h.sys(NR.fcntl, p, F_GETFD)).toBe(1);
    expect(h.sys(NR.fcntl, p, F_SETFL, 0)).toBe(-EBADF);
    expect(h.sys(NR.newfstatat, p, h.str(""), h.out, AT_EMPTY_PATH)).toBe(0);
    expect(h.sys(NR.close, d)).toBe(0);
  });

  it("refuses reading, writing, mapping and changing the file with EBADF", () => {
    const p = h.open("/tmp/f", O_CREAT | O_PATH);
    expect(p).toBe(-2);   // O_CREAT does not count with O_PATH: ENOENT
    h.sys(NR.close, h.open("/tmp/f", O_CREAT | O_RDWR));
    const fd = h.open("/tmp/f", O_PATH);
    for (const [nr, ...args] of [[NR.read, fd, h.out, 1], [NR.write, fd, h.out, 1], [NR.fchmod, fd, 0o600],
      [NR.fchown, fd, 1000, 1000], [NR.ioctl, fd, 2, h.out], [NR.lseek, fd, 0, 0], [NR.fsync, fd],
      [NR.ftruncate, fd, 0], [NR.fgetxattr, fd, h.str("user.x"), h.out, 10]] as number[][]) {
      expect(h.sys(nr!, ...args), `call ${nr}`).toBe(-EBADF);
    }
    expect(h.sys(NR.mmap, 0, 4096, 1, 2, fd, 0)).toBe(-EBADF);
  });

  it("serves as a dirfd and for fchdir; O_NOFOLLOW opens a link itself", () => {
    expect(h.sys(34, AT_FDCWD, h.str("/tmp/d"), 0o755)).toBe(0);
    h.sys(NR.close, h.open("/tmp/d/x", O_CREAT | O_RDWR));
    const d = h.open("/tmp/d", O_PATH | O_DIRECTORY);
    expect(h.sys(NR.getdents64, d, h.out, 4096)).toBe(-EBADF);
    const x = h.sys(NR.openat, d, h.str("x"), 0, 0);
    expect(x).toBeGreaterThan(0);
    expect(h.sys(NR.fchdir, d)).toBe(0);
    expect(h.sys(36, h.str("/tmp/d/x"), AT_FDCWD, h.str("/tmp/l"))).toBe(0);
    const l = h.open("/tmp/l", O_PATH | O_NOFOLLOW);
    expect(h.sys(NR.fstat, l, h.out)).toBe(0);
    expect(h.m.task.um.readU32(h.out + 16)! & 0o170000).toBe(0o120000);
    expect(h.open("/tmp/l", O_NOFOLLOW)).toBe(-40);   // ELOOP without O_PATH
    expect(h.sys(NR.fcntl, h.open("/tmp/f2", O_CREAT | O_RDWR), F_GETFL)).toBe(O_RDWR | O_LARGEFILE);
  });
});

describe("pipe capacity", () => {
  function pipe(): [number, number] {
    expect(h.sys(NR.pipe2, h.out + 2048, 0)).toBe(0);
    return [h.m.task.um.readU32(h.out + 2048)!, h.m.task.um.readU32(h.out + 2052)!];
  }

  it("rounds up to a power of two pages; F_GETPIPE_SZ reports it; writes fill exactly that", () => {
    const [r, w] = pipe();
    expect(h.sys(NR.fcntl, w, F_GETPIPE_SZ)).toBe(65536);
    expect(h.sys(NR.fcntl, r, F_SETPIPE_SZ, 0)).toBe(4096);
    expect(h.sys(NR.fcntl, r, F_SETPIPE_SZ, 4097)).toBe(8192);
    expect(h.sys(NR.fcntl, w, F_SETPIPE_SZ, 3 * 65536)).toBe(262144);
    expect(h.sys(NR.fcntl, w, F_SETPIPE_SZ, 4096)).toBe(4096);
    expect(h.sys(NR.fcntl, w, F_SETFL, 0o4000)).toBe(0);
    expect(h.sys(NR.write, w, h.buf, 8192)).toBe(4096);
    expect(h.sys(NR.fcntl, w, F_SETPIPE_SZ, 0)).toBe(4096);   // not below what it holds
  });

  it("EPERM above pipe-max-size, EBUSY below the contents, EBADF on a file", () => {
    const [r, w] = pipe();
    expect(h.sys(NR.fcntl, w, F_SETPIPE_SZ, 1048576)).toBe(1048576);
    expect(h.sys(NR.fcntl, w, F_SETPIPE_SZ, 1048577)).toBe(-EPERM);
    expect(h.sys(NR.fcntl, w, F_SETPIPE_SZ, 0x80000001)).toBe(-EINVAL);
    expect(h.sys(NR.write, w, h.buf, 3 * 4096)).toBe(3 * 4096);
    expect(h.sys(NR.fcntl, r, F_SETPIPE_SZ, 8192)).toBe(-EBUSY);
    expect(h.sys(NR.fcntl, h.open("/tmp/f", O_CREAT | O_RDWR), F_GETPIPE_SZ)).toBe(-EBADF);
  });

  it("past pipe-user-pages-soft new pipes get two pages", () => {
    const lim = new Uint8Array(16), dv = new DataView(lim.buffer);
    dv.setBigUint64(0, 4096n, true); dv.setBigUint64(8, 4096n, true);
    h.put(h.out + 3072, lim);
    expect(h.sys(261, 0, 7, h.out + 3072, 0)).toBe(0);           // RLIMIT_NOFILE 4096: room for 1025 pipes
    for (let i = 0; i < 1024; i++) pipe();                       // 1024 × 16 pages: at the soft limit
    expect(h.sys(NR.fcntl, pipe()[0], F_GETPIPE_SZ)).toBe(8192);   // over it
  });
});

describe("extended attributes", () => {
  it("finds none: ENODATA in a namespace, EOPNOTSUPP outside, ERANGE for bad names, empty lists", () => {
    const fd = h.open("/tmp/f", O_CREAT | O_RDWR);
    expect(h.sys(NR.fgetxattr, fd, h.str("user.x"), h.out, 10)).toBe(-ENODATA);
    expect(h.sys(NR.getxattr, h.str("/tmp/f"), h.str("trusted.x"), h.out, 10)).toBe(-ENODATA);
    expect(h.sys(NR.getxattr, h.str("/tmp/f"), h.str("other.x"), h.out, 10)).toBe(-EOPNOTSUPP);
    expect(h.sys(NR.getxattr, h.str("/tmp/f"), h.str(""), h.out, 10)).toBe(-ERANGE);
    expect(h.sys(NR.flistxattr, fd, h.out, 10)).toBe(0);
    expect(h.sys(NR.fgetxattr, 99, h.str("user.x"), h.out, 10)).toBe(-EBADF);
  });
});

describe("fallocate", () => {
  const NR_fallocate = 47, KEEP = 1, PUNCH = 2, ZERO_RANGE = 0x10, COLLAPSE = 8;
  const fstat = (fd: number): [number, number] => {
    expect(h.sys(NR.fstat, fd, h.out)).toBe(0);
    const dv = new DataView(h.bytes(h.out, 128).buffer);
    return [Number(dv.getBigInt64(48, true)), Number(dv.getBigInt64(64, true))];   // size, 512-byte blocks
  };

  it("mode 0 allocates and grows; KEEP_SIZE allocates only", () => {
    const fd = h.open("/tmp/f", O_CREAT | O_RDWR);
    expect(h.sys(NR_fallocate, fd, 0, 0, 10000)).toBe(0);
    expect(fstat(fd)).toEqual([10000, 24]);
    expect(h.sys(NR_fallocate, fd, KEEP, 20480, 4096)).toBe(0);
    expect(fstat(fd)).toEqual([10000, 32]);
    expect(h.sys(NR_fallocate, fd, 0, 0, 100)).toBe(0);
    expect(fstat(fd)[0]).toBe(10000);   // never shrinks
  });

  it("PUNCH_HOLE|KEEP_SIZE zeroes the range and frees its whole pages", () => {
    const fd = h.open("/tmp/f", O_CREAT | O_RDWR);
    h.put(h.buf, new Uint8Array(3 * 4096).fill(0x61));
    expect(h.sys(NR.write, fd, h.buf, 3 * 4096)).toBe(3 * 4096);
    expect(h.sys(NR_fallocate, fd, PUNCH | KEEP, 100, 2 * 4096)).toBe(0);
    expect(fstat(fd)).toEqual([3 * 4096, 16]);   // page 1 freed; pages 0 and 2 keep data around the hole
    expect(h.sys(67, fd, h.out, 3 * 4096, 0)).toBe(3 * 4096);
    const b = h.bytes(h.out, 3 * 4096);
    expect([b[99], b[100], b[4096], b[100 + 2 * 4096 - 1], b[100 + 2 * 4096]]).toEqual([0x61, 0, 0, 0, 0x61]);
    expect(h.sys(62, fd, 0, 4)).toBe(4096);      // SEEK_HOLE finds the freed page
  });

  it("gives Linux's errno in vfs_fallocate's order", () => {
    const fd = h.open("/tmp/f", O_CREAT | O_RDWR);
    expect(h.sys(NR_fallocate, 99, 0, 0, 1)).toBe(-EBADF);
    expect(h.sys(NR_fallocate, fd, 0, -1, 1)).toBe(-EINVAL);
    expect(h.sys(NR_fallocate, fd, 0, 0, 0)).toBe(-EINVAL);
    expect(h.sys(NR_fallocate, fd, 0x100, 0, 1)).toBe(-EOPNOTSUPP);
    expect(h.sys(NR_fallocate, fd, PUNCH, 0, 1)).toBe(-EOPNOTSUPP);        // a hole needs KEEP_SIZE
    expect(h.sys(NR_fallocate, fd, COLLAPSE | KEEP, 0, 4096)).toBe(-EINVAL);
    expect(h.sys(NR_fallocate, fd, ZERO_RANGE, 0, 4096)).toBe(-EOPNOTSUPP); // not on tmpfs
    expect(h.sys(NR_fallocate, h.open("/tmp/f"), 0, 0, 1)).toBe(-EBADF);   // read-only
    expect(h.sys(NR.pipe2, h.out + 2048, 0)).toBe(0);
    expect(h.sys(NR_fallocate, h.m.task.um.readU32(h.out + 2052)!, 0, 0, 1)).toBe(-ESPIPE);
    expect(h.sys(NR_fallocate, fd, 0, 2n ** 62n, 2n ** 62n)).toBe(-EFBIG);
    expect(h.sys(NR_fallocate, h.open("/dev/null", O_RDWR), 0, 0, 1)).toBe(-ENODEV);
  });
});

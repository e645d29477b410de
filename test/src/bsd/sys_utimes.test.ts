// utimensat: UTIME_NOW and UTIME_OMIT, explicit times, futimens (NULL path), AT_SYMLINK_NOFOLLOW, errno order.

import { beforeEach, describe, expect, it } from "vitest";
import { AT_FDCWD, SysHarness } from "../helpers/syscalls.js";
import { EACCES, EBADF, EFAULT, EINVAL, ENOENT, EPERM } from "../../../src/sys/errno.js";

const NR_utimensat = 88, NR_newfstatat = 79;
const UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
const AT_SYMLINK_NOFOLLOW = 0x100, O_CREAT = 0o100, O_PATH = 0o10000000;

let h: SysHarness;
beforeEach(() => { h = new SysHarness(); h.open("/tmp/f", O_CREAT); });

/** Two timespecs at buf + 0x100. */
function times(a: [number, number], m: [number, number]): number {
  const b = new Uint8Array(32), dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(a[0]), true); dv.setBigInt64(8, BigInt(a[1]), true);
  dv.setBigInt64(16, BigInt(m[0]), true); dv.setBigInt64(24, BigInt(m[1]), true);
  h.put(h.buf + 0x100, b);
  return h.buf + 0x100;
}

/** [atime sec, atime nsec, mtime sec, mtime nsec]. */
function stamps(path: string, flags = 0): number[] {
  expect(h.sys(NR_newfstatat, AT_FDCWD, h.str(path), h.out, flags)).toBe(0);
  const dv = new DataView(h.bytes(h.out, 128).buffer);
  return [72, 80, 88, 96].map((o) => Number(dv.getBigInt64(o, true)));
}

describe("utimensat", () => {
  it("sets explicit times, keeps an UTIME_OMIT one", () => {
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([100, 5], [200, 6]), 0)).toBe(0);
    expect(stamps("/tmp/f")).toEqual([100, 5, 200, 6]);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([300, 0], [0, UTIME_OMIT]), 0)).toBe(0);
    expect(stamps("/tmp/f")).toEqual([300, 0, 200, 6]);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([-1, 0], [0, UTIME_OMIT]), 0)).toBe(0);
    expect(stamps("/tmp/f")[0]).toBe(-1);   // times before the epoch are allowed
  });

  it("NULL times and UTIME_NOW set the guest clock's now; futimens takes a descriptor", () => {
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([1, 0], [1, 0]), 0)).toBe(0);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), 0, 0)).toBe(0);
    const now = stamps("/tmp/f");
    expect(now[0]).toBeGreaterThan(1_000_000);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([1, 0], [1, 0]), 0)).toBe(0);
    const fd = h.open("/tmp/f");
    expect(h.sys(NR_utimensat, fd, 0, times([0, UTIME_NOW], [0, UTIME_OMIT]), 0)).toBe(0);
    expect(stamps("/tmp/f")[0]).toBeGreaterThan(1_000_000);
    expect(stamps("/tmp/f")[2]).toBe(1);
  });

  it("follows links unless AT_SYMLINK_NOFOLLOW", () => {
    expect(h.sys(36, h.str("/tmp/f"), AT_FDCWD, h.str("/tmp/l"))).toBe(0);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/l"), times([7, 0], [7, 0]), AT_SYMLINK_NOFOLLOW)).toBe(0);
    expect(stamps("/tmp/l", AT_SYMLINK_NOFOLLOW)[0]).toBe(7);
    expect(stamps("/tmp/f")[0]).not.toBe(7);
  });

  it("gives Linux's errno in Linux's order", () => {
    // Two UTIME_OMITs return before anything else is looked at.
    expect(h.sys(NR_utimensat, 99, h.str("/nonexistent"), times([0, UTIME_OMIT], [0, UTIME_OMIT]), 0x7777)).toBe(0);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), 0xdead0000, 0)).toBe(-EFAULT);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([0, 1e9], [0, 0]), 0)).toBe(-EINVAL);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), times([0, -1], [0, 0]), 0)).toBe(-EINVAL);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp/f"), 0, 0x1)).toBe(-EINVAL);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/nonexistent"), 0, 0)).toBe(-ENOENT);
    expect(h.sys(NR_utimensat, AT_FDCWD, 0, 0, 0)).toBe(-EFAULT);
    expect(h.sys(NR_utimensat, 55, 0, 0, 0)).toBe(-EBADF);
    const fd = h.open("/tmp/f");
    expect(h.sys(NR_utimensat, fd, 0, 0, AT_SYMLINK_NOFOLLOW)).toBe(-EINVAL);
    expect(h.sys(NR_utimensat, h.open("/tmp/f", O_PATH), 0, 0, 0)).toBe(-EBADF);
    // root's directory: explicit times need ownership, "now" needs write permission.
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/"), times([1, 0], [1, 0]), 0)).toBe(-EPERM);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/"), 0, 0)).toBe(-EACCES);
    expect(h.sys(NR_utimensat, AT_FDCWD, h.str("/tmp"), 0, 0)).toBe(0);   // 1777: anyone may write
  });
});

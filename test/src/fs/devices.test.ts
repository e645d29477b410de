// /dev: the memory devices as Linux's drivers/char/mem.c answers, /dev/shm, /dev/fd.

import { beforeEach, describe, expect, it } from "vitest";
import { AT_FDCWD, SysHarness } from "../helpers/syscalls.js";
import { EINVAL, ENOSPC, EPERM } from "../../../src/sys/errno.js";

const NR = { read: 63, write: 64, lseek: 62, fstat: 80, newfstatat: 79, readlinkat: 78, mmap: 222, ftruncate: 46,
  fchmodat: 53, getrandom: 278 };
const O_RDWR = 2, O_CREAT = 0o100;

let h: SysHarness;
beforeEach(() => { h = new SysHarness(); });

describe("/dev", () => {
  it("null reads end of file and takes every write; zero reads zeros; full refuses writes with ENOSPC", () => {
    const nul = h.open("/dev/null", O_RDWR), zero = h.open("/dev/zero", O_RDWR), full = h.open("/dev/full", O_RDWR);
    h.put(h.buf, new Uint8Array(100).fill(9));
    expect(h.sys(NR.read, nul, h.out, 100)).toBe(0);
    expect(h.sys(NR.write, nul, h.buf, 100)).toBe(100);
    expect(h.sys(NR.read, zero, h.buf, 100)).toBe(100);
    expect([...h.bytes(h.buf, 100)].every((b) => b === 0)).toBe(true);
    expect(h.sys(NR.write, zero, h.buf, 100)).toBe(100);
    expect(h.sys(NR.write, full, h.buf, 100)).toBe(-ENOSPC);
    expect(h.sys(NR.read, full, h.out, 10)).toBe(10);
    expect(h.sys(NR.lseek, nul, 1234, 0)).toBe(0);
    expect(h.sys(NR.ftruncate, nul, 0)).toBe(-EINVAL);
  });

  it("stat shows character devices 1:3, 1:5, 1:7, 1:8, 1:9 owned by root, mode 0666", () => {
    const rdev = (p: string): [number, number, number] => {
      expect(h.sys(NR.newfstatat, AT_FDCWD, h.str(p), h.out, 0)).toBe(0);
      const dv = new DataView(h.bytes(h.out, 128).buffer);
      return [dv.getUint32(16, true), Number(dv.getBigUint64(32, true)), dv.getUint32(24, true)];
    };
    expect(rdev("/dev/null")).toEqual([0o020666, 0x103, 0]);
    expect(rdev("/dev/zero")[1]).toBe(0x105);
    expect(rdev("/dev/full")[1]).toBe(0x107);
    expect(rdev("/dev/random")[1]).toBe(0x108);
    expect(rdev("/dev/urandom")[1]).toBe(0x109);
    expect(rdev("/dev/shm")[0]).toBe(0o041777);
    expect(h.sys(NR.fchmodat, AT_FDCWD, h.str("/dev/null"), 0o600)).toBe(-EPERM);
  });

  it("urandom reads the machine's seeded generator: two machines with one seed read the same bytes", () => {
    const read = (x: SysHarness): number[] => {
      const fd = x.open("/dev/urandom");
      expect(x.sys(NR.read, fd, x.out, 32)).toBe(32);
      return [...x.bytes(x.out, 32)];
    };
    const a = read(h), b = read(new SysHarness());
    expect(a).toEqual(b);
    expect(a.some((x) => x !== 0)).toBe(true);
    expect(read(h)).not.toEqual(a);
  });

  it("mmap of /dev/zero is anonymous memory, private or shared", () => {
    const fd = h.open("/dev/zero", O_RDWR);
    const va = h.sys(NR.mmap, 0, 8192, 3, 2, fd, 0);
    expect(va).toBeGreaterThan(0);
    h.put(va + 4096, new Uint8Array([5]));
    expect(h.bytes(va, 1)[0]).toBe(0);
    expect(h.bytes(va + 4096, 1)[0]).toBe(5);
    expect(h.sys(NR.mmap, 0, 4096, 3, 1, fd, 0)).toBeGreaterThan(0);
    expect(h.sys(NR.mmap, 0, 4096, 1, 2, h.open("/dev/null"), 0)).toBe(-19);   // ENODEV
  });

  it("/dev/fd is /proc/self/fd; /dev/shm takes files", () => {
    const n = h.sys(NR.readlinkat, AT_FDCWD, h.str("/dev/fd"), h.out, 64);
    expect(String.fromCharCode(...h.bytes(h.out, n))).toBe("/proc/self/fd");
    const fd = h.open("/tmp/x", O_CREAT | O_RDWR);
    expect(h.sys(NR.newfstatat, AT_FDCWD, h.str(`/dev/fd/${fd}`), h.out, 0)).toBe(0);
    expect(h.open("/dev/shm/seg", O_CREAT | O_RDWR)).toBeGreaterThan(2);
  });
});

describe("/dev/zero mappings", () => {
  it("a shared mapping of a read-only descriptor can never be made writable (EACCES), a private one can", () => {
    const fd = h.open("/dev/zero");
    const shared = h.sys(NR.mmap, 0, 4096, 1, 1, fd, 0);
    expect(h.sys(226, shared, 4096, 3)).toBe(-13);
    const priv = h.sys(NR.mmap, 0, 4096, 1, 2, fd, 0);
    expect(h.sys(226, priv, 4096, 3)).toBe(0);
  });
});

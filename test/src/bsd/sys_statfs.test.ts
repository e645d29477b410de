// statfs and fstatfs: struct statfs of riscv64 for the in-memory tmpfs, a host mount, /proc and pipes.

import { beforeEach, describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { SysHarness } from "../helpers/syscalls.js";
import { EBADF, EFAULT, ENOENT, ENOTDIR } from "../../../src/sys/errno.js";
import { applyMounts } from "../../../src/fs/mount.js";

const NR_statfs = 43, NR_fstatfs = 44, NR_pipe2 = 59;
const TMPFS_MAGIC = 0x01021994, PROC_SUPER_MAGIC = 0x9fa0, PIPEFS_MAGIC = 0x50495045;
const ST_RDONLY = 1, ST_VALID = 0x20;

let h: SysHarness;
beforeEach(() => { h = new SysHarness(); });

/** The struct statfs words at out: f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, fsid, f_namelen, f_frsize, f_flags. */
function words(): bigint[] {
  const dv = new DataView(h.bytes(h.out, 120).buffer);
  return Array.from({ length: 11 }, (_, i) => dv.getBigInt64(8 * i, true));
}

describe("statfs", () => {
  it("reports the in-memory file system as tmpfs with its size limit and usage", () => {
    expect(h.sys(NR_statfs, h.str("/tmp"), h.out)).toBe(0);
    const [type, bsize, blocks, bfree, bavail, , , , namelen, frsize, flags] = words();
    expect(type).toBe(BigInt(TMPFS_MAGIC));
    expect(bsize).toBe(4096n);
    expect(frsize).toBe(4096n);
    expect(blocks).toBe(BigInt(256 * 1024 * 1024 / 4096));
    expect(bfree).toBe(blocks);
    expect(bavail).toBe(bfree);
    expect(namelen).toBe(255n);
    expect(Number(flags) & ST_VALID).toBe(ST_VALID);
    expect(Number(flags) & ST_RDONLY).toBe(0);
    const fd = h.open("/tmp/f", 0o102);
    h.put(h.buf, new Uint8Array(5000));
    expect(h.sys(64, fd, h.buf, 5000)).toBe(5000);
    expect(h.sys(NR_fstatfs, fd, h.out)).toBe(0);
    expect(words()[3]).toBe(blocks - 2n);     // two pages now in use
  });

  it("reports /proc as procfs and a pipe as pipefs", () => {
    expect(h.sys(NR_statfs, h.str("/proc/self"), h.out)).toBe(0);
    expect(words()[0]).toBe(BigInt(PROC_SUPER_MAGIC));
    expect(h.sys(NR_pipe2, h.out, 0)).toBe(0);
    const rfd = h.m.task.um.readU32(h.out)!;
    expect(h.sys(NR_fstatfs, rfd, h.out)).toBe(0);
    expect(words()[0]).toBe(BigInt(PIPEFS_MAGIC));
  });

  it("reports a host mount read-only", () => {
    applyMounts(h.m.fs, [`${tmpdir()}:/host`]);
    expect(h.sys(NR_statfs, h.str("/host"), h.out)).toBe(0);
    expect(Number(words()[10]) & (ST_VALID | ST_RDONLY)).toBe(ST_VALID | ST_RDONLY);
  });

  it("gives Linux's errno for bad paths, descriptors and buffers", () => {
    expect(h.sys(NR_statfs, h.str("/nonexistent"), h.out)).toBe(-ENOENT);
    h.open("/tmp/file", 0o100);
    expect(h.sys(NR_statfs, h.str("/tmp/file/x"), h.out)).toBe(-ENOTDIR);
    expect(h.sys(NR_statfs, 0xdead0000, h.out)).toBe(-EFAULT);
    expect(h.sys(NR_statfs, h.str("/tmp"), 0xdead0000)).toBe(-EFAULT);
    expect(h.sys(NR_fstatfs, 99, h.out)).toBe(-EBADF);
    expect(h.sys(NR_fstatfs, 0, 0)).toBe(-EFAULT);
  });
});

// Path-name calls added for LTP (more are in file_syscalls.test.ts): fchownat and fchown as Linux answers an
// unprivileged user (uid 1000, gid 1000, no CAP_CHOWN).

import { beforeEach, describe, expect, it } from "vitest";
import { AT_FDCWD, SysHarness } from "../helpers/syscalls.js";
import { EAGAIN, EBADF, EEXIST, EINVAL, ENOENT, ENOTDIR, ENXIO, EPERM, EROFS, ESPIPE } from "../../../src/sys/errno.js";
import { applyMounts } from "../../../src/fs/mount.js";
import { tmpdir } from "node:os";

const NR_fchownat = 54, NR_fchown = 55, NR_newfstatat = 79, NR_fchmodat = 53;
const AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000, O_CREAT = 0o100, O_PATH = 0o10000000;
const NONE = 0xffffffff;   // (uid_t)-1

let h: SysHarness;
beforeEach(() => { h = new SysHarness(); });

/** [uid, gid, mode] from stat. */
function owner(path: string): number[] {
  expect(h.sys(NR_newfstatat, AT_FDCWD, h.str(path), h.out, AT_SYMLINK_NOFOLLOW)).toBe(0);
  const dv = new DataView(h.bytes(h.out, 128).buffer);
  return [dv.getUint32(24, true), dv.getUint32(28, true), dv.getUint32(16, true) & 0o7777];
}

describe("fchownat and fchown", () => {
  it("stat shows the creator as owner; what the system holds at boot belongs to root", () => {
    h.open("/tmp/f", O_CREAT);
    expect(owner("/tmp/f").slice(0, 2)).toEqual([1000, 1000]);
    expect(owner("/").slice(0, 2)).toEqual([0, 0]);
    expect(owner("/tmp").slice(0, 2)).toEqual([0, 0]);
  });

  it("lets the owner keep its ids and refuses giving the file away", () => {
    h.open("/tmp/f", O_CREAT);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), NONE, 1000, 0)).toBe(0);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), 1000, NONE, 0)).toBe(0);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), NONE, NONE, 0)).toBe(0);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), 0, NONE, 0)).toBe(-EPERM);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), NONE, 0, 0)).toBe(-EPERM);
    expect(owner("/tmp/f").slice(0, 2)).toEqual([1000, 1000]);
  });

  it("refuses changing what root owns, but chown(-1, -1) passes", () => {
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp"), 1000, NONE, 0)).toBe(-EPERM);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp"), NONE, 1000, 0)).toBe(-EPERM);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp"), NONE, NONE, 0)).toBe(0);
  });

  it("drops set-user-ID, and set-group-ID with group execute, from a file", () => {
    h.open("/tmp/f", O_CREAT);
    expect(h.sys(NR_fchmodat, AT_FDCWD, h.str("/tmp/f"), 0o6755)).toBe(0);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), NONE, 1000, 0)).toBe(0);
    expect(owner("/tmp/f")[2]).toBe(0o755);
    expect(h.sys(NR_fchmodat, AT_FDCWD, h.str("/tmp/f"), 0o2644)).toBe(0);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/f"), NONE, 1000, 0)).toBe(0);
    expect(owner("/tmp/f")[2]).toBe(0o2644);   // no group execute: a mandatory-locking mark, kept
  });

  it("follows links unless AT_SYMLINK_NOFOLLOW; AT_EMPTY_PATH takes the descriptor", () => {
    expect(h.sys(36, h.str("/tmp/missing"), AT_FDCWD, h.str("/tmp/l"))).toBe(0);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/l"), NONE, 1000, 0)).toBe(-ENOENT);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp/l"), NONE, 1000, AT_SYMLINK_NOFOLLOW)).toBe(0);
    const fd = h.open("/tmp/g", O_CREAT);
    expect(h.sys(NR_fchownat, fd, h.str(""), NONE, 1000, AT_EMPTY_PATH)).toBe(0);
    expect(h.sys(NR_fchownat, fd, h.str(""), 0, NONE, AT_EMPTY_PATH)).toBe(-EPERM);
    expect(h.sys(NR_fchownat, fd, h.str(""), NONE, 1000, 0)).toBe(-ENOENT);
  });

  it("gives EINVAL for unknown flags, EBADF for bad and O_PATH descriptors, EROFS on a read-only mount", () => {
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/tmp"), NONE, NONE, 0x1)).toBe(-EINVAL);
    expect(h.sys(NR_fchown, 77, NONE, NONE)).toBe(-EBADF);
    const p = h.open("/tmp", O_PATH);
    expect(h.sys(NR_fchown, p, NONE, NONE)).toBe(-EBADF);
    const fd = h.open("/tmp/f", O_CREAT);
    expect(h.sys(NR_fchown, fd, 1000, 1000)).toBe(0);
    expect(h.sys(NR_fchown, fd, 0, 1000)).toBe(-EPERM);
    applyMounts(h.m.fs, [`${tmpdir()}:/host`]);
    expect(h.sys(NR_fchownat, AT_FDCWD, h.str("/host"), NONE, NONE, 0)).toBe(-EROFS);
  });
});

describe("mknodat", () => {
  const NR_mknodat = 33, S_IFIFO = 0o010000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFDIR = 0o040000;
  const S_IFSOCK = 0o140000;
  const mknod = (path: string, mode: number, dev = 0): number => h.sys(NR_mknodat, AT_FDCWD, h.str(path), mode, dev);
  const typeOf = (path: string): number => {
    expect(h.sys(NR_newfstatat, AT_FDCWD, h.str(path), h.out, AT_SYMLINK_NOFOLLOW)).toBe(0);
    return h.m.task.um.readU32(h.out + 16)!;
  };

  it("makes FIFOs and regular files with the umask applied", () => {
    expect(mknod("/tmp/fifo", S_IFIFO | 0o777)).toBe(0);
    expect(typeOf("/tmp/fifo")).toBe(S_IFIFO | 0o755);
    expect(mknod("/tmp/reg", 0o666)).toBe(0);
    expect(typeOf("/tmp/reg")).toBe(0o100644);
    expect(mknod("/tmp/reg2", 0o100600)).toBe(0);
    expect(typeOf("/tmp/reg2")).toBe(0o100600);
  });

  it("checks the type first, then the name, then the privilege for devices", () => {
    expect(mknod("/tmp/d", S_IFDIR | 0o755)).toBe(-EPERM);
    expect(mknod("/tmp/x", 0o170000 | 0o644)).toBe(-EINVAL);
    expect(mknod("/tmp", 0o070000)).toBe(-EINVAL);   // an unknown type before EEXIST
    expect(mknod("/tmp", S_IFIFO)).toBe(-EEXIST);
    expect(mknod("/tmp", S_IFCHR)).toBe(-EEXIST);    // EEXIST before EPERM
    expect(mknod("/nonexistent/x", S_IFIFO)).toBe(-ENOENT);
    expect(mknod("/tmp/c", S_IFCHR | 0o600, 0x103)).toBe(-EPERM);
    expect(mknod("/tmp/b", S_IFBLK | 0o600, 0x801)).toBe(-EPERM);
    expect(mknod("/tmp/s", S_IFSOCK | 0o600)).toBe(-EPERM);
    expect(mknod("/tmp/f/", S_IFIFO)).toBe(-ENOENT);
  });
});

describe("FIFOs", () => {
  const NR_mknodat = 33, NR_read = 63, NR_write = 64, NR_close = 57, NR_fstat = 80, NR_lseek = 62;
  const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0o4000;
  beforeEach(() => { expect(h.sys(NR_mknodat, AT_FDCWD, h.str("/tmp/fifo"), 0o010644, 0)).toBe(0); });

  it("O_WRONLY|O_NONBLOCK without a reader is ENXIO; with one it opens and data flows", () => {
    expect(h.open("/tmp/fifo", O_WRONLY | O_NONBLOCK)).toBe(-ENXIO);
    const r = h.open("/tmp/fifo", O_RDONLY | O_NONBLOCK);
    expect(r).toBeGreaterThan(2);
    expect(h.sys(NR_read, r, h.out, 10)).toBe(0);         // no writer: end of file (pipe_read)
    const w = h.open("/tmp/fifo", O_WRONLY | O_NONBLOCK);
    expect(h.sys(NR_read, r, h.out, 10)).toBe(-EAGAIN);   // a writer, nothing written
    h.put(h.buf, new TextEncoder().encode("hello"));
    expect(h.sys(NR_write, w, h.buf, 5)).toBe(5);
    expect(h.sys(NR_read, r, h.out, 10)).toBe(5);
    expect(h.sys(NR_lseek, r, 0, 0)).toBe(-ESPIPE);
    expect(h.sys(NR_close, w)).toBe(0);
    expect(h.sys(NR_read, r, h.out, 10)).toBe(0);         // every writer gone: end of file
  });

  it("O_RDWR opens at once; the last close discards what was left", () => {
    const fd = h.open("/tmp/fifo", O_RDWR);
    h.put(h.buf, new TextEncoder().encode("left"));
    expect(h.sys(NR_write, fd, h.buf, 4)).toBe(4);
    expect(h.sys(NR_close, fd)).toBe(0);
    const fd2 = h.open("/tmp/fifo", O_RDWR | O_NONBLOCK);
    expect(h.sys(NR_read, fd2, h.out, 10)).toBe(-EAGAIN);
  });

  it("fstat of an open FIFO shows the FIFO's own inode", () => {
    const fd = h.open("/tmp/fifo", O_RDWR);
    expect(h.sys(NR_fstat, fd, h.out)).toBe(0);
    const ino = h.m.task.um.readU64(h.out + 8);
    expect(h.m.task.um.readU32(h.out + 16)).toBe(0o010644);
    expect(h.sys(NR_newfstatat, AT_FDCWD, h.str("/tmp/fifo"), h.out, 0)).toBe(0);
    expect(h.m.task.um.readU64(h.out + 8)).toBe(ino);
  });
});

describe("O_TMPFILE and /proc/self/fd magic links", () => {
  const O_TMPFILE = 0o20200000, O_RDWR = 2, O_RDONLY = 0, O_EXCL = 0o200, AT_SYMLINK_FOLLOW = 0x400;
  const NR_linkat = 37, NR_write = 64, NR_close = 57, NR_getdents64 = 61, NR_renameat2 = 276;
  const link = (fd: number, to: string): number =>
    h.sys(NR_linkat, AT_FDCWD, h.str(`/proc/self/fd/${fd}`), AT_FDCWD, h.str(to), AT_SYMLINK_FOLLOW);

  it("makes an unnamed file that linkat through /proc/self/fd can name", () => {
    const fd = h.open("/tmp", O_TMPFILE | O_RDWR, 0o600);
    expect(fd).toBeGreaterThan(2);
    h.put(h.buf, new TextEncoder().encode("data"));
    expect(h.sys(NR_write, fd, h.buf, 4)).toBe(4);
    const d = h.open("/tmp", 0o200000);
    expect(h.sys(NR_getdents64, d, h.out, 4096)).toBe(48);   // only "." and ".."
    expect(link(fd, "/tmp/named")).toBe(0);
    expect(h.readFile("/tmp/named")).toBe("data");
    expect(owner("/tmp/named")).toEqual([1000, 1000, 0o600]);
  });

  it("O_EXCL makes it unlinkable; wrong flags and non-directories are refused", () => {
    const fd = h.open("/tmp", O_TMPFILE | O_RDWR | O_EXCL);
    expect(link(fd, "/tmp/named")).toBe(-ENOENT);
    expect(h.open("/tmp", O_TMPFILE | O_RDONLY)).toBe(-EINVAL);
    expect(h.open("/tmp", O_TMPFILE | O_RDWR | O_CREAT)).toBe(-EINVAL);
    expect(h.open("/tmp", 0o20000000 | O_RDWR)).toBe(-EINVAL);   // __O_TMPFILE without O_DIRECTORY
    h.open("/tmp/f", O_CREAT);
    expect(h.open("/tmp/f", O_TMPFILE | O_RDWR)).toBe(-ENOTDIR);
    expect(h.open("/nonexistent", O_TMPFILE | O_RDWR)).toBe(-ENOENT);
    expect(h.open("/proc", O_TMPFILE | O_RDWR)).toBe(-EROFS);
  });

  it("a descriptor's link reaches the open file after a rename", () => {
    const fd = h.open("/tmp/a", O_CREAT | 2);
    h.put(h.buf, new TextEncoder().encode("x"));
    expect(h.sys(NR_write, fd, h.buf, 1)).toBe(1);
    expect(h.sys(NR_renameat2, AT_FDCWD, h.str("/tmp/a"), AT_FDCWD, h.str("/tmp/b"), 0)).toBe(0);
    expect(h.readFile(`/proc/self/fd/${fd}`)).toBe("x");
    expect(h.sys(NR_close, fd)).toBe(0);
  });
});

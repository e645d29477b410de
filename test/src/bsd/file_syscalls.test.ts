// File-system, descriptor, pipe and file-mapping system calls with hostile arguments: each must return the errno
// Linux returns (fs/open.c, namei.c, read_write.c, readdir.c, pipe.c, fcntl.c, mm/mmap.c, mm/msync.c) and leave
// the kernel usable.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { program } from "../helpers/rv.js";
import { BufferIo, loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import {
  EACCES, EAGAIN, EBADF, EBUSY, EPERM, EEXIST, EFAULT, EFBIG, EINVAL, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENODEV, ENOENT,
  ENOMEM, ENOTDIR, ENOTEMPTY, EOVERFLOW, EPIPE, ERANGE, EROFS, ESPIPE, EXDEV,
} from "../../../src/sys/errno.js";
import { TaskTerminated } from "../../../src/kern/signal.js";
import { applyMounts } from "../../../src/fs/mount.js";

const NR = {
  getcwd: 17, dup: 23, dup3: 24, fcntl: 25, ioctl: 29, mkdirat: 34, unlinkat: 35, symlinkat: 36, truncate: 45,
  ftruncate: 46, faccessat: 48, chdir: 49, fchdir: 50, openat: 56, close: 57, pipe2: 59, getdents64: 61, lseek: 62,
  linkat: 37, fchmod: 52, fchmodat: 53, read: 63, write: 64, readv: 65, writev: 66, pread64: 67, pwrite64: 68, readlinkat: 78, newfstatat: 79, fstat: 80,
  rt_sigaction: 134, rt_sigprocmask: 135, umask: 166, renameat2: 276, prlimit64: 261, munmap: 215, mmap: 222, mprotect: 226,
  msync: 227, madvise: 233,
};
const AT_FDCWD = -100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100;
const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000,
  O_NONBLOCK = 0o4000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000, O_CLOEXEC = 0o2000000;
const WILD = 0xdead0000;
const KERNEL = 0xffff_ffff_8000_0000n;
const PROT_R = 1, PROT_RW = 3, MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANON = 0x20, MAP_FIXED = 0x10;
const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
const PG = 4096;

let m: Machine;
let io: BufferIo;
let buf: number;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

function scratch(len = PG): number { return sys(NR.mmap, 0, len, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0); }
function put(va: number, bytes: Uint8Array): void { expect(m.task.um.copyout(va, bytes)).toBe(true); }
/** A C string in a fresh scratch slot (each call gets its own 256 bytes in the path area). */
let pathSlot = 0;
function s(str: string): number {
  const va = buf + 0x2000 + (pathSlot++ % 16) * 256;
  put(va, enc(str + "\0"));
  return va;
}
function open(path: string, flags: number, mode = 0o644): number { return sys(NR.openat, AT_FDCWD, s(path), flags, mode); }
function writeStr(fd: number, str: string): number { put(buf, enc(str)); return sys(NR.write, fd, buf, str.length); }
function readStr(fd: number, n: number): string {
  const r = sys(NR.read, fd, buf + 0x1000, n);
  return r < 0 ? `error ${r}` : dec(m.task.um.copyin(buf + 0x1000, r));
}
function statSize(path: string): number {
  expect(sys(NR.newfstatat, AT_FDCWD, s(path), buf + 0x3000, 0)).toBe(0);
  return Number(m.task.um.readU64(buf + 0x3000 + 48));
}
function mode(path: string): number {
  expect(sys(NR.newfstatat, AT_FDCWD, s(path), buf + 0x3000, AT_SYMLINK_NOFOLLOW)).toBe(0);
  return m.task.um.readU32(buf + 0x3000 + 16)!;
}
/** getdents64 until the end: the names, in the order returned. */
function listDir(fd: number, count = 4096): string[] {
  const names: string[] = [];
  for (;;) {
    const n = sys(NR.getdents64, fd, buf + 0x4000, count);
    expect(n).toBeGreaterThanOrEqual(0);
    if (n === 0) return names;
    const raw = m.task.um.copyin(buf + 0x4000, n)!;
    const dv = new DataView(raw.buffer);
    for (let at = 0; at < n;) {
      const reclen = dv.getUint16(at + 16, true);
      expect(reclen % 8).toBe(0);
      const name = raw.subarray(at + 19, at + reclen);
      names.push(dec(name.subarray(0, name.indexOf(0))));
      at += reclen;
    }
  }
}

beforeEach(() => {
  io = new BufferIo(enc(""));
  ({ m } = loadedMachine(program((a) => a.exit(0)), { io }));
  buf = scratch(8 * PG);
  pathSlot = 0;
});

describe("paths and open", () => {
  it("openat: wild paths, long names, bad dirfds", () => {
    expect(sys(NR.openat, AT_FDCWD, WILD, O_RDONLY, 0)).toBe(-EFAULT);
    expect(sys(NR.openat, AT_FDCWD, KERNEL, O_RDONLY, 0)).toBe(-EFAULT);
    expect(open("", O_RDONLY)).toBe(-ENOENT);
    expect(open("x".repeat(256), O_CREAT | O_WRONLY)).toBe(-ENAMETOOLONG);
    put(buf + 0x6000, new Uint8Array(5000).fill(0x61));   // no NUL within PATH_MAX
    expect(sys(NR.openat, AT_FDCWD, buf + 0x6000, O_RDONLY, 0)).toBe(-ENAMETOOLONG);
    expect(sys(NR.openat, 77, s("rel"), O_RDONLY, 0)).toBe(-EBADF);
    expect(sys(NR.openat, 1, s("rel"), O_RDONLY, 0)).toBe(-ENOTDIR);
    expect(sys(NR.openat, 77, s("/tmp"), O_RDONLY, 0)).toBeGreaterThanOrEqual(0);   // absolute: dirfd unused
  });

  it("openat: creation, exclusivity, directories, trailing slashes", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR, 0o600);
    expect(fd).toBe(3);
    expect(mode("/tmp/f")).toBe(0o100600);
    expect(open("/tmp/f", O_CREAT | O_EXCL | O_WRONLY)).toBe(-EEXIST);
    expect(open("/tmp/f/", O_RDONLY)).toBe(-ENOTDIR);
    expect(open("/tmp/f/x", O_RDONLY)).toBe(-ENOTDIR);
    expect(open("/tmp/new/", O_CREAT | O_WRONLY)).toBe(-EISDIR);
    expect(open("/tmp", O_WRONLY)).toBe(-EISDIR);
    expect(open("/tmp", O_RDONLY | O_TRUNC)).toBe(-EISDIR);
    expect(open("/tmp", O_CREAT | O_RDONLY)).toBe(-EISDIR);
    expect(open("/tmp/f", O_DIRECTORY)).toBe(-ENOTDIR);
    expect(open("/tmp/d", O_CREAT | O_DIRECTORY)).toBe(-EINVAL);
    expect(open("/missing/f", O_CREAT | O_WRONLY)).toBe(-ENOENT);
    expect(open("/tmp/../tmp/./f", O_RDONLY)).toBeGreaterThan(fd);
    expect(open("/../../tmp/f", O_RDONLY)).toBeGreaterThan(fd);   // ".." of the root is the root
    const cl = open("/tmp/f", O_RDWR | O_APPEND | O_CLOEXEC | 0o400 /* O_NOCTTY */);
    expect(sys(NR.fcntl, cl, 3, 0)).toBe(0o102002);                      // F_GETFL: O_LARGEFILE forced, O_CLOEXEC not kept
    expect(sys(NR.fcntl, cl, 1, 0)).toBe(1);
    expect(sys(NR.umask, 0o077)).toBe(0o022);
    expect(open("/tmp/g", O_CREAT | O_WRONLY, 0o666)).toBeGreaterThan(0);
    expect(mode("/tmp/g")).toBe(0o100600);
  });

  it("linkat, fchmod, fchmodat", () => {
    const link = (a: string, b: string, flags = 0): number => sys(NR.linkat, AT_FDCWD, s(a), AT_FDCWD, s(b), flags);
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    expect(writeStr(fd, "one")).toBe(3);
    expect(link("/tmp/f", "/tmp/g")).toBe(0);
    expect(sys(NR.newfstatat, AT_FDCWD, s("/tmp/g"), buf + 0x3000, 0)).toBe(0);
    expect(m.task.um.readU32(buf + 0x3000 + 20)).toBe(2);              // st_nlink
    expect(link("/tmp/f", "/tmp/g")).toBe(-EEXIST);
    expect(link("/tmp", "/tmp/d")).toBe(-EPERM);
    expect(link("/tmp/none", "/tmp/h")).toBe(-ENOENT);
    expect(link("/tmp/f", "/tmp/h", 0x1)).toBe(-EINVAL);
    expect(link("/tmp/f", "/tmp/none/h")).toBe(-ENOENT);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/f"), 0)).toBe(0);
    expect(statSize("/tmp/g")).toBe(3);                                 // the other name keeps the file
    expect(sys(NR.linkat, fd, s(""), AT_FDCWD, s("/tmp/back"), AT_EMPTY_PATH)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/g"), 0)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/back"), 0)).toBe(0);
    expect(sys(NR.linkat, fd, s(""), AT_FDCWD, s("/tmp/again"), AT_EMPTY_PATH)).toBe(-ENOENT);   // no links left
    expect(sys(NR.fchmod, fd, 0o4711)).toBe(0);
    expect(sys(NR.fstat, fd, buf + 0x3000)).toBe(0);
    expect(m.task.um.readU32(buf + 0x3000 + 16)).toBe(0o104711);
    expect(sys(NR.fchmod, 99, 0o600)).toBe(-EBADF);
    expect(sys(NR.fchmodat, AT_FDCWD, s("/tmp"), 0o700)).toBe(-EPERM);   // root's: only the owner may
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/mine"), 0o755)).toBe(0);
    expect(sys(NR.fchmodat, AT_FDCWD, s("/tmp/mine"), 0o700)).toBe(0);
    expect(mode("/tmp/mine")).toBe(0o040700);
    expect(sys(NR.fchmodat, AT_FDCWD, s("/tmp/none"), 0o700)).toBe(-ENOENT);
    expect(sys(NR.fchmodat, AT_FDCWD, WILD, 0o700)).toBe(-EFAULT);
  });

  it("a trailing slash on a file: each call answers as Linux does", () => {
    expect(open("/tmp/f", O_CREAT | O_WRONLY)).toBeGreaterThan(0);
    expect(open("/tmp/f/", O_CREAT | O_WRONLY)).toBe(-EISDIR);           // O_CREAT: before the lookup
    expect(open("/tmp/f/", O_CREAT | O_EXCL | O_WRONLY)).toBe(-EISDIR);
    expect(open("/tmp/f/", O_RDONLY)).toBe(-ENOTDIR);
    expect(open("/tmp/none/", O_RDONLY)).toBe(-ENOENT);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/f/"), 0o755)).toBe(-EEXIST);
    expect(sys(NR.symlinkat, s("t"), AT_FDCWD, s("/tmp/f/"))).toBe(-EEXIST);
    expect(sys(NR.symlinkat, s("t"), AT_FDCWD, s("/tmp/l/"))).toBe(-ENOENT);
    expect(sys(NR.newfstatat, AT_FDCWD, s("/tmp/f/"), buf, 0)).toBe(-ENOTDIR);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/f/"), 0)).toBe(-ENOTDIR);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/none/"), 0)).toBe(-ENOENT);
    expect(sys(NR.renameat2, AT_FDCWD, s("/tmp/f/"), AT_FDCWD, s("/tmp/g"), 0)).toBe(-ENOTDIR);
    expect(sys(NR.renameat2, AT_FDCWD, s("/tmp/f"), AT_FDCWD, s("/tmp/g/"), 0)).toBe(-ENOTDIR);
    expect(sys(NR.renameat2, AT_FDCWD, s("/tmp/none/"), AT_FDCWD, s("/x/y"), 0)).toBe(-ENOENT);   // new's parent first
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d/"), 0o755)).toBe(0);
    expect(sys(NR.renameat2, AT_FDCWD, s("/tmp/d/"), AT_FDCWD, s("/tmp/e/"), 0)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/e/"), 0)).toBe(-EISDIR);
  });

  it("symbolic links: followed, not followed, loops, readlinkat", () => {
    expect(sys(NR.symlinkat, s("/tmp/target"), AT_FDCWD, s("/tmp/link"))).toBe(0);
    expect(sys(NR.symlinkat, s(""), AT_FDCWD, s("/tmp/l2"))).toBe(-ENOENT);
    expect(sys(NR.symlinkat, s("x"), AT_FDCWD, s("/tmp/link"))).toBe(-EEXIST);
    expect(sys(NR.symlinkat, WILD, AT_FDCWD, s("/tmp/l3"))).toBe(-EFAULT);
    expect(open("/tmp/link", O_RDONLY)).toBe(-ENOENT);                  // dangling
    const fd = open("/tmp/link", O_CREAT | O_WRONLY);                  // O_CREAT creates the target
    expect(fd).toBeGreaterThan(0);
    expect(writeStr(fd, "via link")).toBe(8);
    expect(statSize("/tmp/target")).toBe(8);
    expect(mode("/tmp/link")).toBe(0o120777);
    expect(open("/tmp/link", O_RDONLY | O_NOFOLLOW)).toBe(-ELOOP);
    expect(open("/tmp/link", O_CREAT | O_EXCL | O_WRONLY)).toBe(-EEXIST);
    expect(sys(NR.readlinkat, AT_FDCWD, s("/tmp/link"), buf, 100)).toBe(11);
    expect(dec(m.task.um.copyin(buf, 11))).toBe("/tmp/target");
    expect(sys(NR.readlinkat, AT_FDCWD, s("/tmp/link"), buf, 4)).toBe(4);
    expect(sys(NR.readlinkat, AT_FDCWD, s("/tmp/target"), buf, 100)).toBe(-EINVAL);
    expect(sys(NR.readlinkat, AT_FDCWD, s("/tmp/link"), buf, 0)).toBe(-EINVAL);
    expect(sys(NR.readlinkat, AT_FDCWD, s("/tmp/link"), WILD, 100)).toBe(-EFAULT);
    expect(sys(NR.symlinkat, s("loop"), AT_FDCWD, s("/tmp/loop"))).toBe(0);
    expect(open("/tmp/loop", O_RDONLY)).toBe(-ELOOP);
    expect(sys(NR.symlinkat, s("/tmp"), AT_FDCWD, s("/tmp/dirlink"))).toBe(0);
    expect(open("/tmp/dirlink/target", O_RDONLY)).toBeGreaterThan(0);
  });

  it("mkdirat, unlinkat, rmdir: Linux's errors for each misuse", () => {
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d"), 0o755)).toBe(0);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d"), 0o755)).toBe(-EEXIST);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d/"), 0o755)).toBe(-EEXIST);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/x/y"), 0o755)).toBe(-ENOENT);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/"), 0o755)).toBe(-EEXIST);
    expect(sys(NR.mkdirat, AT_FDCWD, WILD, 0o755)).toBe(-EFAULT);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d/e/"), 0o700)).toBe(0);
    expect(mode("/tmp/d/e")).toBe(0o040700);
    expect(open("/tmp/d/f", O_CREAT | O_WRONLY)).toBeGreaterThan(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d"), 0x4)).toBe(-EINVAL);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d"), 0)).toBe(-EISDIR);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d"), AT_REMOVEDIR)).toBe(-ENOTEMPTY);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/f"), AT_REMOVEDIR)).toBe(-ENOTDIR);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/f/"), 0)).toBe(-ENOTDIR);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/."), AT_REMOVEDIR)).toBe(-EINVAL);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/e/.."), AT_REMOVEDIR)).toBe(-ENOTEMPTY);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/"), AT_REMOVEDIR)).toBe(-EBUSY);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/."), 0)).toBe(-EISDIR);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/nothing"), 0)).toBe(-ENOENT);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/f"), 0)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/e"), AT_REMOVEDIR)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d"), AT_REMOVEDIR)).toBe(0);
    expect(open("/tmp/d", O_RDONLY)).toBe(-ENOENT);
  });

  it("renameat2: moves, replaces, exchanges; Linux's errors", () => {
    const ren = (a: string, b: string, flags = 0): number => sys(NR.renameat2, AT_FDCWD, s(a), AT_FDCWD, s(b), flags);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d"), 0o755)).toBe(0);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d/e"), 0o755)).toBe(0);
    const fd = open("/tmp/f", O_CREAT | O_WRONLY);
    expect(writeStr(fd, "data")).toBe(4);
    expect(ren("/tmp/f", "/tmp/d/g")).toBe(0);
    expect(statSize("/tmp/d/g")).toBe(4);
    expect(open("/tmp/f", O_RDONLY)).toBe(-ENOENT);
    expect(writeStr(fd, "more")).toBe(4);                               // the open file moved with its name
    expect(statSize("/tmp/d/g")).toBe(8);
    expect(ren("/tmp/d", "/tmp/d/e/x")).toBe(-EINVAL);
    expect(ren("/tmp/d/e", "/tmp/d/g")).toBe(-ENOTDIR);
    expect(ren("/tmp/d/g", "/tmp/d/e")).toBe(-EISDIR);
    expect(ren("/tmp/d/g/", "/tmp/h")).toBe(-ENOTDIR);
    expect(ren("/tmp/d/nope", "/tmp/h")).toBe(-ENOENT);
    expect(ren("/tmp/d/g", "/tmp/nodir/h")).toBe(-ENOENT);
    expect(ren("/tmp/d/.", "/tmp/h")).toBe(-EBUSY);
    expect(ren("/tmp/d/g", "/tmp/d/..", 1)).toBe(-EEXIST);
    expect(ren("/tmp/d/g", "/tmp/d/e", 3)).toBe(-EINVAL);
    expect(ren("/tmp/d/g", "/tmp/x", 8)).toBe(-EINVAL);
    expect(ren("/tmp/d/g", "/tmp/x", 2)).toBe(-ENOENT);                // exchange needs both
    expect(ren("/tmp/d/g", "/tmp/d/e", 2)).toBe(0);                    // exchange a file and a directory
    expect(mode("/tmp/d/g") & 0o170000).toBe(0o040000);
    expect(sys(NR.chdir, s("/tmp/d/g"))).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe("/tmp/d/g".length + 1);        // the moved directory knows its name
    expect(ren("/tmp/d", "/tmp/d2")).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe("/tmp/d2/g".length + 1);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/full"), 0o755)).toBe(0);
    expect(open("/tmp/full/x", O_CREAT | O_WRONLY)).toBeGreaterThan(0);
    expect(ren("/tmp/d2", "/tmp/full")).toBe(-ENOTEMPTY);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/empty"), 0o755)).toBe(0);
    expect(ren("/tmp/d2", "/tmp/empty")).toBe(0);
    expect(ren("/tmp/empty/e", "/tmp/empty/e")).toBe(0);
    expect(sys(NR.renameat2, AT_FDCWD, WILD, AT_FDCWD, s("/tmp/x"), 0)).toBe(-EFAULT);
  });

  it("getcwd, chdir, fchdir and relative paths; a removed cwd", () => {
    expect(sys(NR.getcwd, buf, 100)).toBe(2);
    expect(dec(m.task.um.copyin(buf, 1))).toBe("/");
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/w"), 0o755)).toBe(0);
    expect(sys(NR.chdir, s("/tmp/w"))).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe(7);
    expect(dec(m.task.um.copyin(buf, 6))).toBe("/tmp/w");
    expect(sys(NR.getcwd, buf, 6)).toBe(-ERANGE);
    expect(sys(NR.getcwd, WILD, 100)).toBe(-EFAULT);
    expect(open("rel", O_CREAT | O_WRONLY)).toBeGreaterThan(0);
    expect(statSize("/tmp/w/rel")).toBe(0);
    expect(sys(NR.chdir, s("rel"))).toBe(-ENOTDIR);
    expect(sys(NR.chdir, s("nope"))).toBe(-ENOENT);
    expect(sys(NR.chdir, WILD)).toBe(-EFAULT);
    const root = open("/", O_RDONLY | O_DIRECTORY);
    expect(sys(NR.fchdir, root)).toBe(0);
    expect(sys(NR.fchdir, 99)).toBe(-EBADF);
    expect(sys(NR.fchdir, 1)).toBe(-ENOTDIR);
    expect(sys(NR.chdir, s("/tmp/w"))).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("rel"), 0)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/w"), AT_REMOVEDIR)).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe(-ENOENT);
    expect(open("x", O_CREAT | O_WRONLY)).toBe(-ENOENT);          // nothing can be created in a removed directory
    expect(sys(NR.chdir, s(".."))).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe(5);
  });

  it("newfstatat and fstat: flags, empty paths, wild buffers", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    expect(writeStr(fd, "12345")).toBe(5);
    expect(sys(NR.fstat, fd, buf + 0x3000)).toBe(0);
    expect(Number(m.task.um.readU64(buf + 0x3000 + 48))).toBe(5);
    expect(sys(NR.fstat, fd, WILD)).toBe(-EFAULT);
    expect(sys(NR.fstat, -1, buf)).toBe(-EBADF);
    expect(sys(NR.newfstatat, fd, s(""), buf + 0x3000, AT_EMPTY_PATH)).toBe(0);
    expect(sys(NR.newfstatat, fd, s(""), buf + 0x3000, 0)).toBe(-ENOENT);
    expect(sys(NR.newfstatat, AT_FDCWD, s(""), buf + 0x3000, AT_EMPTY_PATH)).toBe(0);   // the cwd
    expect(m.task.um.readU32(buf + 0x3000 + 16)! & 0o170000).toBe(0o040000);
    expect(sys(NR.newfstatat, AT_FDCWD, s("/tmp/f"), buf, 0x8000)).toBe(-EINVAL);
    expect(sys(NR.newfstatat, AT_FDCWD, s("/tmp/f"), WILD, 0)).toBe(-EFAULT);
    expect(sys(NR.newfstatat, AT_FDCWD, WILD, buf, 0)).toBe(-EFAULT);
  });

  it("faccessat: existence, modes, bad mode bits", () => {
    expect(open("/tmp/f", O_CREAT | O_WRONLY, 0o400)).toBeGreaterThan(0);
    expect(sys(NR.faccessat, AT_FDCWD, s("/tmp/f"), 4)).toBe(0);
    expect(sys(NR.faccessat, AT_FDCWD, s("/tmp/f"), 2)).toBe(-EACCES);
    expect(sys(NR.faccessat, AT_FDCWD, s("/tmp/nope"), 0)).toBe(-ENOENT);
    expect(sys(NR.faccessat, AT_FDCWD, s("/tmp/f"), 8)).toBe(-EINVAL);
  });
});

describe("reading, writing, seeking", () => {
  it("read/write/pread/pwrite: bad descriptors, modes, wild and huge buffers", () => {
    const fd = open("/tmp/f", O_CREAT | O_WRONLY);
    expect(writeStr(fd, "hello")).toBe(5);
    expect(sys(NR.read, fd, buf, 5)).toBe(-EBADF);
    expect(sys(NR.write, fd, WILD, 5)).toBe(-EFAULT);
    expect(sys(NR.write, fd, buf, 1n << 62n)).toBe(-EFAULT);          // beyond the top of user space
    expect(sys(NR.write, fd, buf + 8 * PG - 3, 10)).toBe(3);          // short write up to the unmapped page
    const r = open("/tmp/f", O_RDONLY);
    expect(sys(NR.write, r, buf, 1)).toBe(-EBADF);
    expect(sys(NR.read, r, WILD, 5)).toBe(-EFAULT);
    expect(sys(NR.read, r, buf, 1n << 62n)).toBe(-EFAULT);
    expect(sys(NR.read, r, buf, 1 << 24)).toBe(8);                     // larger than the buffer, within user space
    expect(sys(NR.read, r, buf, 1)).toBe(0);
    expect(sys(NR.pread64, r, buf, 5, -1)).toBe(-EINVAL);
    expect(sys(NR.pread64, 99, buf, 5, -1)).toBe(-EINVAL);             // the offset is checked first
    expect(sys(NR.pread64, 99, buf, 5, 0)).toBe(-EBADF);
    expect(sys(NR.pread64, fd, buf, 5, 0)).toBe(-EBADF);
    expect(sys(NR.pread64, r, buf, 5, 1)).toBe(5);
    expect(dec(m.task.um.copyin(buf, 5))).toBe("ello\0".slice(0, 4) + dec(m.task.um.copyin(buf + 4, 1)));
    expect(sys(NR.pwrite64, r, buf, 1, 0)).toBe(-EBADF);
    expect(sys(NR.pwrite64, fd, buf, 1, -5)).toBe(-EINVAL);
    expect(sys(NR.read, 0, buf, 1)).toBe(0);                           // stdin at EOF
    expect(sys(NR.pread64, 0, buf, 1, 0)).toBe(-ESPIPE);
  });

  it("a read whose copy-out faults consumes nothing", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    expect(writeStr(fd, "abcdef")).toBe(6);
    expect(sys(NR.lseek, fd, 0, 0)).toBe(0);
    const ro = sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE | MAP_ANON, -1, 0);
    expect(sys(NR.read, fd, ro, 6)).toBe(-EFAULT);
    expect(sys(NR.lseek, fd, 0, 1)).toBe(0);
    expect(sys(NR.read, fd, buf + 2 * PG - 2, 6)).toBe(6);
  });

  it("lseek: every whence, negative results, beyond EOF, directories and pipes", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    expect(writeStr(fd, "0123456789")).toBe(10);
    expect(sys(NR.lseek, fd, -3, 2)).toBe(7);
    expect(sys(NR.lseek, fd, 2, 1)).toBe(9);
    expect(sys(NR.lseek, fd, -1, 0)).toBe(-EINVAL);
    expect(sys(NR.lseek, fd, -100, 1)).toBe(-EINVAL);
    expect(sys(NR.lseek, fd, 0, 5)).toBe(-EINVAL);
    expect(sys(NR.lseek, fd, 0, -1)).toBe(-EINVAL);
    expect(sys(NR.lseek, fd, 1n << 62n, 0)).toBe(-EINVAL);             // beyond our largest file (2^53 − 1)
    expect(sys(NR.lseek, fd, -(1n << 62n), 2)).toBe(-EINVAL);
    expect(sys(NR.lseek, fd, 3, 3)).toBe(3);                           // SEEK_DATA
    expect(sys(NR.lseek, fd, 3, 4)).toBe(10);                          // SEEK_HOLE: the end
    expect(sys(NR.lseek, fd, 10, 3)).toBe(-6);                         // ENXIO at the end
    expect(sys(NR.lseek, fd, 1_000_000, 0)).toBe(1_000_000);
    expect(writeStr(fd, "x")).toBe(1);
    expect(statSize("/tmp/f")).toBe(1_000_001);
    expect(sys(NR.pread64, fd, buf, 4, 500_000)).toBe(4);
    expect(Array.from(m.task.um.copyin(buf, 4)!)).toEqual([0, 0, 0, 0]);
    expect(m.task.files.fs.usedBytes).toBe(2 * PG);                    // the hole costs nothing
    const d = open("/tmp", O_RDONLY);
    expect(sys(NR.lseek, d, 0, 2)).toBe(-EINVAL);
    expect(sys(NR.lseek, d, 0, 0)).toBe(0);
    expect(sys(NR.lseek, 1, 0, 0)).toBe(-ESPIPE);
    expect(sys(NR.lseek, 99, 0, 0)).toBe(-EBADF);
  });

  it("O_APPEND writes at the end, also for pwrite; offsets are shared by dup", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR | O_APPEND);
    expect(writeStr(fd, "abc")).toBe(3);
    expect(sys(NR.lseek, fd, 0, 0)).toBe(0);
    expect(writeStr(fd, "de")).toBe(2);
    expect(sys(NR.lseek, fd, 0, 1)).toBe(5);
    put(buf, enc("Z"));
    expect(sys(NR.pwrite64, fd, buf, 1, 0)).toBe(1);
    expect(statSize("/tmp/f")).toBe(6);
    const d = sys(NR.dup, fd);
    expect(sys(NR.lseek, d, 2, 0)).toBe(2);
    expect(readStr(fd, 2)).toBe("cd");
    expect(sys(NR.lseek, d, 0, 1)).toBe(4);
  });

  it("ftruncate and truncate: Linux's checks in Linux's order", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    expect(writeStr(fd, "0123456789")).toBe(10);
    expect(sys(NR.ftruncate, 99, -1)).toBe(-EINVAL);                   // negative length before the fd
    expect(sys(NR.ftruncate, 99, 0)).toBe(-EBADF);
    expect(sys(NR.ftruncate, open("/tmp/f", O_RDONLY), 0)).toBe(-EINVAL);
    expect(sys(NR.ftruncate, open("/tmp", O_RDONLY), 0)).toBe(-EINVAL);
    expect(sys(NR.ftruncate, 1, 0)).toBe(-EINVAL);
    expect(sys(NR.ftruncate, fd, 1n << 60n)).toBe(-EFBIG);
    expect(sys(NR.ftruncate, fd, 4)).toBe(0);
    expect(statSize("/tmp/f")).toBe(4);
    expect(sys(NR.ftruncate, fd, 8)).toBe(0);
    expect(sys(NR.pread64, fd, buf, 8, 0)).toBe(8);
    expect(dec(m.task.um.copyin(buf, 8))).toBe("0123\0\0\0\0");
    expect(sys(NR.truncate, s("/tmp/f"), 2)).toBe(0);
    expect(statSize("/tmp/f")).toBe(2);
    expect(sys(NR.truncate, s("/tmp"), 2)).toBe(-EISDIR);
    expect(sys(NR.truncate, s("/tmp/none"), 2)).toBe(-ENOENT);
    expect(sys(NR.truncate, s("/tmp/f"), -2)).toBe(-EINVAL);
  });

  it("readv and writev on files", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    put(buf + 100, enc("abcdef"));
    const iov = new DataView(new ArrayBuffer(32));
    iov.setBigUint64(0, BigInt(buf + 100), true); iov.setBigUint64(8, 2n, true);
    iov.setBigUint64(16, BigInt(buf + 104), true); iov.setBigUint64(24, 2n, true);
    put(buf, new Uint8Array(iov.buffer));
    expect(sys(NR.writev, fd, buf, 2)).toBe(4);
    expect(sys(NR.lseek, fd, 0, 0)).toBe(0);
    put(buf + 100, new Uint8Array(6));
    expect(sys(NR.readv, fd, buf, 2)).toBe(4);
    expect(dec(m.task.um.copyin(buf + 100, 6))).toBe("ab\0\0ef");
    expect(sys(NR.readv, fd, buf, 1025)).toBe(-EINVAL);
    expect(sys(NR.readv, fd, WILD, 1)).toBe(-EFAULT);
    expect(sys(NR.readv, open("/tmp", O_RDONLY), buf, 2)).toBe(-EISDIR);
  });

  it("getdents64: records, offsets, small buffers, wrong descriptors", () => {
    expect(sys(NR.mkdirat, AT_FDCWD, s("/tmp/d"), 0o755)).toBe(0);
    for (const n of ["b", "a", "c".repeat(40)]) expect(open(`/tmp/d/${n}`, O_CREAT | O_WRONLY)).toBeGreaterThan(0);
    const d = open("/tmp/d", O_RDONLY | O_DIRECTORY);
    expect(listDir(d).sort()).toEqual([".", "..", "a", "b", "c".repeat(40)]);
    expect(sys(NR.lseek, d, 0, 0)).toBe(0);
    for (let i = 0; i < 4; i++) expect(sys(NR.getdents64, d, buf, 24)).toBe(24);   // one 24-byte record each
    expect(sys(NR.getdents64, d, buf, 24)).toBe(-EINVAL);              // the long name needs 64
    expect(sys(NR.getdents64, d, buf, 64)).toBe(64);
    expect(sys(NR.getdents64, d, buf, 64)).toBe(0);
    expect(sys(NR.lseek, d, 0, 0)).toBe(0);
    expect(sys(NR.getdents64, d, buf, 10)).toBe(-EINVAL);              // no room for one record
    expect(sys(NR.getdents64, d, WILD, 4096)).toBe(-EFAULT);
    expect(sys(NR.getdents64, open("/tmp/d/a", O_RDONLY), buf, 4096)).toBe(-ENOTDIR);
    expect(sys(NR.getdents64, 99, buf, 4096)).toBe(-EBADF);
    // entries removed and added between calls: the offset (cookie) stays valid
    expect(sys(NR.lseek, d, 0, 0)).toBe(0);
    expect(sys(NR.getdents64, d, buf + 0x4000, 24 * 3)).toBe(72);      // ".", "..", "b"
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/d/b"), 0)).toBe(0);
    expect(open("/tmp/d/z", O_CREAT | O_WRONLY)).toBeGreaterThan(0);
    expect(listDir(d)).toEqual(["a", "c".repeat(40), "z"]);
  });
});

describe("descriptors and pipes", () => {
  it("dup, dup3, fcntl: bad descriptors, flags and limits", () => {
    expect(sys(NR.dup, 99)).toBe(-EBADF);
    expect(sys(NR.dup, -1)).toBe(-EBADF);
    expect(sys(NR.dup3, 1, 1, 0)).toBe(-EINVAL);
    expect(sys(NR.dup3, 1, 5, 1)).toBe(-EINVAL);
    expect(sys(NR.dup3, 99, 5, 0)).toBe(-EBADF);
    expect(sys(NR.dup3, 1, -1, 0)).toBe(-EBADF);
    expect(sys(NR.dup3, 1, 5000, 0)).toBe(-EBADF);                     // beyond RLIMIT_NOFILE
    expect(sys(NR.dup3, 1, 9, O_CLOEXEC)).toBe(9);
    expect(sys(NR.fcntl, 9, 1, 0)).toBe(1);
    expect(sys(NR.fcntl, 9, 2, 0)).toBe(0);
    expect(sys(NR.fcntl, 9, 1, 0)).toBe(0);
    expect(sys(NR.fcntl, 9, 0, 5000)).toBe(-EINVAL);
    expect(sys(NR.fcntl, 9, 0, 20)).toBe(20);
    expect(sys(NR.fcntl, 9, 1030, 20)).toBe(21);
    expect(sys(NR.fcntl, 21, 1, 0)).toBe(1);
    expect(sys(NR.fcntl, 9, 3, 0)).toBe(O_WRONLY);
    expect(sys(NR.fcntl, 9, 0x7777, 0)).toBe(-EINVAL);
    expect(sys(NR.fcntl, 99, 1, 0)).toBe(-EBADF);
    put(buf + 0x3000, enc("x"));
    expect(sys(NR.write, 20, buf + 0x3000, 1)).toBe(1);
    expect(io.out).toBe("x");
    expect(sys(NR.close, 9)).toBe(0);
    expect(sys(NR.write, 20, buf + 0x3000, 1)).toBe(1);                // the description outlives one descriptor
  });

  it("EMFILE when RLIMIT_NOFILE is reached", () => {
    const lim = new DataView(new ArrayBuffer(16));
    lim.setBigUint64(0, 8n, true); lim.setBigUint64(8, 8n, true);
    put(buf + 0x3000, new Uint8Array(lim.buffer));
    expect(sys(NR.prlimit64, 0, 7, buf + 0x3000, 0)).toBe(0);
    for (let fd = 3; fd < 8; fd++) expect(sys(NR.dup, 1)).toBe(fd);
    expect(sys(NR.dup, 1)).toBe(-EMFILE);
    expect(open("/tmp/f", O_CREAT | O_WRONLY)).toBe(-EMFILE);
    expect(sys(NR.pipe2, buf, 0)).toBe(-EMFILE);
    expect(sys(NR.close, 7)).toBe(0);
    expect(sys(NR.pipe2, buf, 0)).toBe(-EMFILE);                       // needs two
    expect(m.task.files.count).toBe(7);
  });

  it("pipe2: flags, wild pointers (no descriptors leak), EOF, EAGAIN, EPIPE", () => {
    expect(sys(NR.pipe2, buf, 0x4)).toBe(-EINVAL);
    const before = m.task.files.count;
    expect(sys(NR.pipe2, WILD, 0)).toBe(-EFAULT);
    expect(m.task.files.count).toBe(before);
    expect(sys(NR.pipe2, buf, O_NONBLOCK | O_CLOEXEC)).toBe(0);
    const r = m.task.um.readU32(buf)!, w = m.task.um.readU32(buf + 4)!;
    expect([r, w]).toEqual([3, 4]);
    expect(sys(NR.fcntl, r, 1, 0)).toBe(1);
    expect(sys(NR.read, r, buf + 0x3000, 10)).toBe(-EAGAIN);
    expect(writeStr(w, "ping")).toBe(4);
    expect(sys(NR.ioctl, r, 0x541B, buf + 0x3100)).toBe(0);           // FIONREAD
    expect(m.task.um.readU32(buf + 0x3100)).toBe(4);
    expect(readStr(r, 10)).toBe("ping");
    expect(sys(NR.fstat, r, buf + 0x3000)).toBe(0);
    expect(m.task.um.readU32(buf + 0x3000 + 16)).toBe(0o010600);
    expect(sys(NR.lseek, r, 0, 0)).toBe(-ESPIPE);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, r, 0)).toBe(-ENODEV);
    // the last writer gone: EOF
    expect(sys(NR.close, w)).toBe(0);
    expect(sys(NR.read, r, buf, 10)).toBe(0);
    // the last reader gone: EPIPE, with SIGPIPE ignored; by default SIGPIPE ends the task
    expect(sys(NR.pipe2, buf, 0)).toBe(0);
    const r2 = m.task.um.readU32(buf)!, w2 = m.task.um.readU32(buf + 4)!;
    expect(sys(NR.close, r2)).toBe(0);
    expect(() => writeStr(w2, "x")).toThrow(TaskTerminated);
    const act = new DataView(new ArrayBuffer(24));
    act.setBigUint64(0, 1n, true);                                     // SIG_IGN
    put(buf + 0x3000, new Uint8Array(act.buffer));
    expect(sys(NR.rt_sigaction, 13, buf + 0x3000, 0, 8)).toBe(0);
    expect(writeStr(w2, "x")).toBe(-EPIPE);
    expect(sys(NR.write, w2, buf, 0)).toBe(0);                         // an empty write checks nothing
  });

  it("pipes hold 16 pages; small writes are atomic; large ones partial", () => {
    expect(sys(NR.pipe2, buf, O_NONBLOCK)).toBe(0);
    const r = m.task.um.readU32(buf)!, w = m.task.um.readU32(buf + 4)!;
    const big = scratch(80 * 1024);
    expect(sys(NR.write, w, big, 62 * 1024)).toBe(62 * 1024);          // 15 pages and a half
    expect(sys(NR.write, w, big, 4096)).toBe(-EAGAIN);                 // 4 KiB ≤ PIPE_BUF: all or nothing
    expect(sys(NR.write, w, big, 8192)).toBe(-EAGAIN);                 // whole pages: no buffer free
    expect(sys(NR.write, w, big, 2049)).toBe(-EAGAIN);                 // does not fit in the last half page
    expect(sys(NR.write, w, big, 2048)).toBe(2048);                    // fits there
    expect(sys(NR.write, w, big, 1)).toBe(-EAGAIN);
    expect(sys(NR.read, r, big, 80 * 1024)).toBe(64 * 1024);
    expect(sys(NR.write, w, big, 70 * 1024)).toBe(64 * 1024);          // larger than the pipe: what fits
  });

  it("a blocking read of an empty pipe whose writer is this task is a reported deadlock, not a hang", () => {
    expect(sys(NR.pipe2, buf, 0)).toBe(0);
    const r = m.task.um.readU32(buf)!;
    let caught: unknown;
    try { sys(NR.read, r, buf, 1); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(TaskTerminated);
    expect((caught as TaskTerminated).message).toMatch(/deadlock: read from an empty pipe/);
    expect((caught as TaskTerminated).signal).toBe(9);
  });

  it("a blocking write that cannot fit with the only reader in this task is a reported deadlock", () => {
    expect(sys(NR.pipe2, buf, 0)).toBe(0);
    const w = m.task.um.readU32(buf + 4)!;
    const big = scratch(80 * 1024);
    expect(sys(NR.write, w, big, 80 * 1024)).toBe(64 * 1024);          // what fits: a short count (Linux would wait)
    expect(() => sys(NR.write, w, big, 1)).toThrow(/deadlock: write to a full pipe/);
  });

  it("FileTable.fork shares descriptions: offsets move together, close in one leaves the other", () => {
    const fd = open("/tmp/f", O_CREAT | O_RDWR);
    expect(writeStr(fd, "abcdef")).toBe(6);
    const child = m.task.files.fork();
    const shared = child.get(fd)!;
    expect(shared).toBe(m.task.files.get(fd));
    expect(sys(NR.lseek, fd, 2, 0)).toBe(2);
    expect((shared as unknown as { offset: number }).offset).toBe(2);
    expect(child.close(fd)).toBe(true);
    expect(readStr(fd, 2)).toBe("cd");
    expect(child.cwd).toBe(m.task.files.cwd);
  });
});

describe("file mappings", () => {
  function mkfile(path: string, bytes: number, fill = 0x61): number {
    const fd = open(path, O_CREAT | O_RDWR);
    const src = scratch(bytes + PG);
    put(src, new Uint8Array(bytes).fill(fill));
    expect(sys(NR.write, fd, src, bytes)).toBe(bytes);
    return fd;
  }

  it("mmap of files: Linux's errors for descriptor kinds, modes and offsets", () => {
    const fd = mkfile("/tmp/f", 2 * PG);
    const ro = open("/tmp/f", O_RDONLY), wo = open("/tmp/f", O_WRONLY);
    expect(sys(NR.mmap, 0, PG, PROT_RW, MAP_SHARED, ro, 0)).toBe(-EACCES);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_SHARED, wo, 0)).toBe(-EACCES);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, wo, 0)).toBe(-EACCES);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, open("/tmp", O_RDONLY), 0)).toBe(-ENODEV);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, 99, 0)).toBe(-EBADF);
    expect(sys(NR.mmap, 0, 0, PROT_R, MAP_PRIVATE, 99, 0)).toBe(-EBADF);   // the descriptor is checked first
    expect(sys(NR.mmap, 0, 0, PROT_R, MAP_PRIVATE, fd, 0)).toBe(-EINVAL);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, fd, 100)).toBe(-EINVAL);
    expect(sys(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, fd, 1n << 62n)).toBe(-EOVERFLOW);
    expect(sys(NR.mmap, 0, PG, PROT_R, 0, fd, 0)).toBe(-EINVAL);
    const p = sys(NR.mmap, 0, PG, PROT_RW, MAP_PRIVATE, ro, 0);       // private copies are always writable
    expect(p).toBeGreaterThan(0);
    const q = sys(NR.mmap, 0, PG, PROT_R, MAP_SHARED, ro, 0);
    expect(sys(NR.mprotect, q, PG, PROT_RW)).toBe(-EACCES);           // maximum protection has no write
    expect(sys(NR.mprotect, p, PG, PROT_R)).toBe(0);
  });

  it("MAP_SHARED: stores visible to read() at once, write() visible in the mapping, written back on munmap", () => {
    const fd = mkfile("/tmp/f", 2 * PG);
    const p = sys(NR.mmap, 0, 2 * PG, PROT_RW, MAP_SHARED, fd, 0);
    expect(dec(m.task.um.copyin(p + PG - 2, 4))).toBe("aaaa");
    put(p + 10, enc("STORE"));
    expect(sys(NR.pread64, fd, buf, 5, 10)).toBe(5);
    expect(dec(m.task.um.copyin(buf, 5))).toBe("STORE");
    put(buf, enc("WRITE"));
    expect(sys(NR.pwrite64, fd, buf, 5, PG + 1)).toBe(5);
    expect(dec(m.task.um.copyin(p + PG + 1, 5))).toBe("WRITE");
    const stats = m.task.files.fs.pagerStats;
    expect(sys(NR.msync, p, 2 * PG, MS_SYNC)).toBe(0);
    expect(stats.pagesWritten).toBe(1);                                // only the page the mapping changed
    expect(sys(NR.msync, p, 2 * PG, MS_SYNC)).toBe(0);
    expect(stats.pagesWritten).toBe(1);                                // clean now
    expect(m.counters()["file_pages_written"]).toBe(1);
    expect(m.counters()["file_pages_read"]).toBe(2);
    put(p + 20, enc("again"));
    const reads = stats.pagesRead;
    expect(sys(NR.msync, p, PG, MS_INVALIDATE)).toBe(0);
    expect(stats.pagesWritten).toBe(2);
    expect(dec(m.task.um.copyin(p + 20, 5))).toBe("again");            // refetched from the file
    expect(stats.pagesRead).toBe(reads + 1);
    put(p + 30, enc("unmap"));
    expect(sys(NR.munmap, p, 2 * PG)).toBe(0);
    expect(m.task.files.fs.root.lookup("tmp")!.type).toBe("dir");
    expect(sys(NR.pread64, fd, buf, 5, 30)).toBe(5);
    expect(dec(m.task.um.copyin(buf, 5))).toBe("unmap");
  });

  it("MAP_PRIVATE: reads share the file's pages, the first write copies, the file never changes", () => {
    const fd = mkfile("/tmp/f", PG);
    const shared = sys(NR.mmap, 0, PG, PROT_RW, MAP_SHARED, fd, 0);
    const priv = sys(NR.mmap, 0, PG, PROT_RW, MAP_PRIVATE, fd, 0);
    expect(dec(m.task.um.copyin(priv, 2))).toBe("aa");
    expect(m.pmap.extract(priv)!.prot & 2).toBe(0);                   // mapped read-only before the first write
    put(shared, enc("S"));
    expect(dec(m.task.um.copyin(priv, 1))).toBe("S");                  // same page until copied
    expect(m.pmap.extract(shared)!.pa).toBe(m.pmap.extract(priv)!.pa);
    put(priv + 1, enc("P"));
    expect(m.pmap.extract(priv)!.pa).not.toBe(m.pmap.extract(shared)!.pa);
    expect(dec(m.task.um.copyin(priv, 2))).toBe("SP");
    expect(dec(m.task.um.copyin(shared, 2))).toBe("Sa");
    expect(sys(NR.msync, priv, PG, MS_SYNC)).toBe(0);
    expect(sys(NR.munmap, priv, PG)).toBe(0);
    expect(sys(NR.pread64, fd, buf, 2, 0)).toBe(2);
    expect(dec(m.task.um.copyin(buf, 2))).toBe("Sa");
    // MADV_DONTNEED on a private mapping drops the private copy: the file's bytes come back
    const again = sys(NR.mmap, 0, PG, PROT_RW, MAP_PRIVATE, fd, 0);
    put(again, enc("Q"));
    expect(sys(NR.madvise, again, PG, 4)).toBe(0);
    expect(dec(m.task.um.copyin(again, 1))).toBe("S");
  });

  it("mprotect to writable on a private file mapping still copies on write", () => {
    const fd = mkfile("/tmp/f", 2 * PG);
    const p = sys(NR.mmap, 0, 2 * PG, PROT_R, MAP_PRIVATE, fd, 0);
    expect(dec(m.task.um.copyin(p, 1))).toBe("a");                     // file page mapped read-only
    expect(sys(NR.mprotect, p, 2 * PG, PROT_RW)).toBe(0);
    expect(m.pmap.extract(p)!.prot & 2).toBe(0);                       // write not raised over the file's page
    put(p, enc("P"));
    expect(dec(m.task.um.copyin(p + PG, 1))).toBe("a");                // second page: still the file's, read-only
    expect(sys(NR.mprotect, p, 2 * PG, PROT_R)).toBe(0);
    expect(sys(NR.mprotect, p, 2 * PG, PROT_RW)).toBe(0);              // now with a shadow object
    put(p + PG, enc("Q"));
    expect(sys(NR.pread64, fd, buf, 1, 0)).toBe(1);
    expect(dec(m.task.um.copyin(buf, 1))).toBe("a");
    expect(sys(NR.pread64, fd, buf, 1, PG)).toBe(1);
    expect(dec(m.task.um.copyin(buf, 1))).toBe("a");
    expect(dec(m.task.um.copyin(p, 1))).toBe("P");
  });

  it("without translation (--arch bare), as on NOMMU Linux: private file mappings are copies, shared ones ENODEV", () => {
    const { m: bare } = loadedMachine(program((a) => a.exit(0)), { arch: "bare" });
    const call = (nr: number, ...v: (number | bigint)[]): number => Number(bare.syscall(nr, ...v));
    const b = call(NR.mmap, 0, 2 * PG, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0);
    expect(bare.task.um.copyout(b, enc("/tmp/f\0file data"))).toBe(true);
    const fd = call(NR.openat, AT_FDCWD, b, O_CREAT | O_RDWR, 0o644);
    expect(fd).toBe(3);
    expect(call(NR.write, fd, b + 7, 9)).toBe(9);
    expect(call(NR.mmap, 0, PG, PROT_R, MAP_SHARED, fd, 0)).toBe(-ENODEV);
    const p = call(NR.mmap, 0, 2 * PG, PROT_RW, MAP_PRIVATE, fd, 0);
    const q = call(NR.mmap, 0, PG, PROT_R, MAP_PRIVATE, fd, 0);
    expect(dec(bare.phys.view(p).subarray(0, 9))).toBe("file data");   // in the frame at once: nothing would fault
    expect(dec(bare.task.um.copyin(p, 9))).toBe("file data");
    expect(bare.task.um.copyout(p, enc("FILE"))).toBe(true);
    expect(dec(bare.task.um.copyin(q, 9))).toBe("file data");          // each mapping has its own copy
    expect(Array.from(bare.task.um.copyin(p + PG, 2)!)).toEqual([0, 0]); // past the end: zeros, no SIGBUS
    expect(call(NR.pread64, fd, b + 100, 4, 0)).toBe(4);
    expect(dec(bare.task.um.copyin(b + 100, 4))).toBe("file");
    expect(call(NR.munmap, p, 2 * PG)).toBe(0);
    expect(call(NR.munmap, q, PG)).toBe(0);
  });

  it("beyond the end of the file: the kernel's own access is EFAULT, ftruncate shrinks and grows mappings", () => {
    const fd = mkfile("/tmp/f", 100);
    const p = sys(NR.mmap, 0, 3 * PG, PROT_RW, MAP_SHARED, fd, 0);
    expect(Array.from(m.task.um.copyin(p + 98, 4)!)).toEqual([0x61, 0x61, 0, 0]);
    expect(sys(NR.write, 1, p + PG, 1)).toBe(-EFAULT);                 // no data there: SIGBUS for the guest
    expect(m.task.files.fs.pagerStats.beyondEof).toBeGreaterThan(0);
    put(p + 200, enc("Z"));                                            // past EOF in the last page: never file data
    expect(sys(NR.msync, p, PG, MS_SYNC)).toBe(0);
    expect(statSize("/tmp/f")).toBe(100);
    expect(sys(NR.ftruncate, fd, 2 * PG)).toBe(0);
    expect(Array.from(m.task.um.copyin(p + 200, 1)!)).toEqual([0]);
    expect(sys(NR.write, 1, p + PG, 1)).toBe(1);
    expect(sys(NR.ftruncate, fd, 10)).toBe(0);
    expect(sys(NR.write, 1, p + PG, 1)).toBe(-EFAULT);
    expect(Array.from(m.task.um.copyin(p + 9, 2)!)).toEqual([0x61, 0]);
  });

  it("ftruncate takes private copies beyond the new end away too; growing again shows the file's bytes", () => {
    const fd = mkfile("/tmp/f", 3 * PG);
    const p = sys(NR.mmap, 0, 3 * PG, PROT_RW, MAP_PRIVATE, fd, 0);
    put(p + 2 * PG, enc("private copy"));
    put(p, enc("kept"));
    expect(sys(NR.ftruncate, fd, PG + 10)).toBe(0);
    expect(sys(NR.write, 1, p + 2 * PG, 1)).toBe(-EFAULT);            // gone: beyond the end (SIGBUS for the guest)
    expect(sys(NR.ftruncate, fd, 3 * PG)).toBe(0);
    expect(Array.from(m.task.um.copyin(p + 2 * PG, 4)!)).toEqual([0, 0, 0, 0]);
    expect(dec(m.task.um.copyin(p, 4))).toBe("kept");                 // below the end: still private
  });

  it("ftruncate reaches private copies made after a fork too (shadows of the mapping's shadow), in every task", () => {
    const fd = mkfile("/tmp/f", 3 * PG);
    const p = sys(NR.mmap, 0, 3 * PG, PROT_RW, MAP_PRIVATE, fd, 0);
    put(p + 2 * PG, enc("before fork"));
    put(p, enc("kept"));
    const pid = sys(220, 17, 0, 0, 0, 0);                              // clone(SIGCHLD): fork
    const child = m.procs.byPid.get(pid)!;
    put(p + 2 * PG, enc("parent copy"));                               // copies in new shadows on both sides
    expect(child.um.copyout(p + 2 * PG, enc("child copy"))).toBe(true);
    expect(sys(NR.ftruncate, fd, PG + 10)).toBe(0);
    expect(m.task.um.copyin(p + 2 * PG, 4)).toBeUndefined();           // beyond the end in the parent
    expect(child.um.copyin(p + 2 * PG, 4)).toBeUndefined();            // and in the child
    expect(dec(child.um.copyin(p, 4))).toBe("kept");                   // below the end: still private
    expect(sys(NR.ftruncate, fd, 3 * PG)).toBe(0);
    expect(Array.from(child.um.copyin(p + 2 * PG, 4)!)).toEqual([0, 0, 0, 0]);
  });

  it("a pmap collection loses the modified bits, not the stores: write-back compares bytes", () => {
    const fd = mkfile("/tmp/f", 2 * PG);
    const p = sys(NR.mmap, 0, 2 * PG, PROT_RW, MAP_SHARED, fd, 0);
    const q = sys(NR.mmap, 0, PG, PROT_RW, MAP_PRIVATE, fd, PG);
    put(p + 5, enc("shared"));
    put(q + 5, enc("private"));
    m.pmap.collect();                                                  // every translation (and D bit) thrown away
    expect(m.pmap.extract(p)).toBeUndefined();
    expect(sys(NR.msync, p, 2 * PG, MS_SYNC)).toBe(0);
    expect(m.task.files.fs.pagerStats.pagesWritten).toBe(1);
    expect(dec(m.task.um.copyin(q + 5, 7))).toBe("private");           // refaulted from the shadow object
    expect(sys(NR.munmap, p, 2 * PG)).toBe(0);
    expect(sys(NR.munmap, q, PG)).toBe(0);
    expect(sys(NR.pread64, fd, buf, 6, 5)).toBe(6);
    expect(dec(m.task.um.copyin(buf, 6))).toBe("shared");
    expect(sys(NR.pread64, fd, buf, 7, PG + 5)).toBe(7);
    expect(dec(m.task.um.copyin(buf, 7))).toBe("aaaaaaa");
  });

  it("msync: flags, alignment, holes", () => {
    const fd = mkfile("/tmp/f", 3 * PG);
    const p = sys(NR.mmap, 0, 3 * PG, PROT_RW, MAP_SHARED, fd, 0);
    expect(sys(NR.msync, p + 1, PG, MS_SYNC)).toBe(-EINVAL);
    expect(sys(NR.msync, p, PG, MS_SYNC | MS_ASYNC)).toBe(-EINVAL);
    expect(sys(NR.msync, p, PG, 8)).toBe(-EINVAL);
    expect(sys(NR.msync, p, 0, MS_SYNC)).toBe(0);
    expect(sys(NR.munmap, p + PG, PG)).toBe(0);
    expect(sys(NR.msync, p, 3 * PG, MS_SYNC)).toBe(-ENOMEM);
    expect(sys(NR.msync, WILD, PG, MS_ASYNC)).toBe(-ENOMEM);
    expect(sys(NR.msync, p, PG, MS_ASYNC | MS_INVALIDATE)).toBe(0);
  });

  it("the file object lives while mapped: unlinking and closing keep the data; the last munmap frees its frames", () => {
    const fd = mkfile("/tmp/f", 2 * PG);
    const p = sys(NR.mmap, 0, 2 * PG, PROT_RW, MAP_SHARED, fd, 0);
    put(p, enc("kept"));
    put(p + PG, enc("also"));
    expect(sys(NR.close, fd)).toBe(0);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/tmp/f"), 0)).toBe(0);
    expect(dec(m.task.um.copyin(p, 4))).toBe("kept");
    const frames = m.phys.userFrames;
    expect(sys(NR.munmap, p, 2 * PG)).toBe(0);
    expect(m.phys.userFrames).toBe(frames - 2);
    expect(m.task.files.fs.usedBytes).toBe(0);                        // unlinked, closed, unmapped: storage freed
  });

  it("MAP_FIXED over a shared file mapping writes it back first", () => {
    const fd = mkfile("/tmp/f", PG);
    const p = sys(NR.mmap, 0, PG, PROT_RW, MAP_SHARED, fd, 0);
    put(p, enc("fixed"));
    expect(sys(NR.mmap, p, PG, PROT_RW, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0)).toBe(p);
    expect(sys(NR.pread64, fd, buf, 5, 0)).toBe(5);
    expect(dec(m.task.um.copyin(buf, 5))).toBe("fixed");
  });
});

describe("--mount: a host directory, read-only", () => {
  let host: string;
  afterEach(() => rmSync(host, { recursive: true, force: true }));
  beforeEach(() => {
    host = mkdtempSync(join(tmpdir(), "mmulab-mount-"));
    mkdirSync(join(host, "data", "sub"), { recursive: true });
    writeFileSync(join(host, "data", "hello.txt"), "hello from the host\n");
    writeFileSync(join(host, "data", "sub", "deep"), "x".repeat(10000));
    writeFileSync(join(host, "secret"), "outside");
    symlinkSync("../secret", join(host, "data", "up"));
    symlinkSync(join(host, "secret"), join(host, "data", "abs"));
    symlinkSync("sub/deep", join(host, "data", "rel"));
    applyMounts(m.task.files.fs, [`${join(host, "data")}:/mnt/host`]);
  });

  it("reads files, lists directories, follows links inside the guest's namespace only", () => {
    const fd = open("/mnt/host/hello.txt", O_RDONLY);
    expect(readStr(fd, 100)).toBe("hello from the host\n");
    expect(statSize("/mnt/host/sub/deep")).toBe(10000);
    expect(statSize("/mnt/host/rel")).toBe(10000);
    const d = open("/mnt/host", O_RDONLY | O_DIRECTORY);
    expect(listDir(d)).toEqual([".", "..", "abs", "hello.txt", "rel", "sub", "up"]);
    expect(open("/mnt/host/up", O_RDONLY)).toBe(-ENOENT);              // ../secret is /mnt/secret in the guest
    expect(open("/mnt/host/abs", O_RDONLY)).toBe(-ENOENT);             // the host's absolute path means nothing here
    expect(open("/mnt/host/../host/../../secret", O_RDONLY)).toBe(-ENOENT);
    expect(sys(NR.chdir, s("/mnt/host/sub"))).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe("/mnt/host/sub".length + 1);
    expect(sys(NR.chdir, s("../../.."))).toBe(0);
    expect(sys(NR.getcwd, buf, 100)).toBe(2);                          // the guest's root, not the host's
    const p = sys(NR.mmap, 0, PG, PROT_RW, MAP_PRIVATE, fd, 0);
    expect(dec(m.task.um.copyin(p, 5))).toBe("hello");
    put(p, enc("HELLO"));
    expect(sys(NR.pread64, fd, buf, 5, 0)).toBe(5);
    expect(dec(m.task.um.copyin(buf, 5))).toBe("hello");
  });

  it("every change is EROFS; the mount point itself is busy", () => {
    expect(open("/mnt/host/hello.txt", O_WRONLY)).toBe(-EROFS);
    expect(open("/mnt/host/hello.txt", O_RDONLY | O_TRUNC)).toBe(-EROFS);
    expect(open("/mnt/host/new", O_CREAT | O_WRONLY)).toBe(-EROFS);
    expect(open("/mnt/host/hello.txt", O_CREAT | O_EXCL | O_WRONLY)).toBe(-EEXIST);
    expect(sys(NR.mkdirat, AT_FDCWD, s("/mnt/host/d"), 0o755)).toBe(-EROFS);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/mnt/host/hello.txt"), 0)).toBe(-EROFS);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/mnt/host/sub"), AT_REMOVEDIR)).toBe(-EROFS);
    expect(sys(NR.symlinkat, s("x"), AT_FDCWD, s("/mnt/host/l"))).toBe(-EROFS);
    expect(sys(NR.truncate, s("/mnt/host/hello.txt"), 0)).toBe(-EROFS);
    expect(sys(NR.faccessat, AT_FDCWD, s("/mnt/host/hello.txt"), 2)).toBe(-EROFS);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/mnt/host"), AT_REMOVEDIR)).toBe(-EBUSY);
    expect(sys(NR.linkat, AT_FDCWD, s("/mnt/host/hello.txt"), AT_FDCWD, s("/tmp/h"), 0)).toBe(-EXDEV);
    expect(sys(NR.linkat, AT_FDCWD, s("/mnt/host/hello.txt"), AT_FDCWD, s("/mnt/host/h"), 0)).toBe(-EROFS);
    expect(sys(NR.fchmodat, AT_FDCWD, s("/mnt/host/hello.txt"), 0o600)).toBe(-EROFS);
    expect(sys(NR.renameat2, AT_FDCWD, s("/mnt/host/hello.txt"), AT_FDCWD, s("/tmp/h"), 0)).toBe(-EXDEV);
    expect(sys(NR.renameat2, AT_FDCWD, s("/mnt/host/hello.txt"), AT_FDCWD, s("/mnt/host/h"), 0)).toBe(-EROFS);
    expect(sys(NR.renameat2, AT_FDCWD, s("/mnt/host"), AT_FDCWD, s("/mnt/h"), 0)).toBe(-EBUSY);
    expect(sys(NR.unlinkat, AT_FDCWD, s("/mnt"), AT_REMOVEDIR)).toBe(-ENOTEMPTY);
    const fd = open("/mnt/host/hello.txt", O_RDONLY);
    expect(sys(NR.mmap, 0, PG, PROT_RW, MAP_SHARED, fd, 0)).toBe(-EACCES);
    expect(sys(NR.ftruncate, fd, 0)).toBe(-EINVAL);
    expect(statSize("/mnt/host/hello.txt")).toBe(20);
  });

  it("bad --mount specifications are one-line configuration errors", () => {
    const fs = m.task.files.fs;
    expect(() => applyMounts(fs, ["nocolon"])).toThrow(/HOSTDIR:GUESTPATH/);
    expect(() => applyMounts(fs, [`${host}:relative`])).toThrow(/absolute/);
    expect(() => applyMounts(fs, [`${host}/missing:/x`])).toThrow(/no such directory/);
    expect(() => applyMounts(fs, [`${host}/secret:/x`])).toThrow(/not a directory/);
    expect(() => applyMounts(fs, [`${host}:/`])).toThrow(/root/);
    expect(() => applyMounts(fs, [`${host}:/mnt/host`])).toThrow(/in use/);
  });
});

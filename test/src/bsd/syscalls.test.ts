import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { BufferIo, loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import {
  EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOENT, ENOMEM, ENOSYS, ENOTTY, EOPNOTSUPP, ESPIPE,
} from "../../../src/sys/errno.js";
import { TaskTerminated } from "../../../src/kern/signal.js";

const NR = {
  ioctl: 29, openat: 56, close: 57, lseek: 62, read: 63, write: 64, writev: 66, readlinkat: 78, newfstatat: 79,
  fstat: 80, exit_group: 94, set_robust_list: 99, clock_gettime: 113, tgkill: 131, rt_sigaction: 134,
  rt_sigprocmask: 135, uname: 160, getpid: 172, brk: 214, munmap: 215, mmap: 222, mprotect: 226, madvise: 233,
  prlimit64: 261, getrandom: 278,
};
const WILD = 0xdead0000;
const KERNEL = 0xffff_ffff_8000_0000n;
const PROT_RW = 3, MAP_PRIVATE = 2, MAP_ANON = 0x20, MAP_FIXED = 0x10;

let m: Machine;
let io: BufferIo;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Anonymous read-write scratch memory in the guest. */
function scratch(len = 4096): number { return sys(NR.mmap, 0, len, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0); }
function put(va: number, bytes: Uint8Array): void { expect(m.task.um.copyout(va, bytes)).toBe(true); }
function cstr(va: number, s: string): number { put(va, enc(s + "\0")); return va; }

describe.each(["riscv-sv39", "bare"] as const)("system calls with hostile arguments (%s)", (arch) => {
  beforeEach(() => {
    io = new BufferIo(enc("input data"));
    ({ m } = loadedMachine(program((a) => a.exit(0)), { io, arch }));
  });

  it("write: -EFAULT for wild and kernel pointers, -EBADF for bad descriptors", () => {
    expect(sys(NR.write, 1, WILD, 5)).toBe(-EFAULT);
    expect(sys(NR.write, 1, KERNEL, 5)).toBe(-EFAULT);
    expect(sys(NR.write, 1, -1n, 5)).toBe(-EFAULT);
    expect(sys(NR.write, 1, WILD, 0)).toBe(0);
    expect(sys(NR.write, 99, WILD, 5)).toBe(-EBADF);
    expect(sys(NR.write, 0, WILD, 5)).toBe(-EBADF);
    const buf = scratch();
    put(buf, enc("hi\n"));
    expect(sys(NR.write, 1, buf, 3)).toBe(3);
    expect(sys(NR.write, 2, buf, 2)).toBe(2);
    expect(io.out).toBe("hi\n");
    expect(io.err).toBe("hi");
  });

  it("a buffer straddling into an unmapped page is -EFAULT", () => {
    const buf = scratch(8192);
    expect(sys(NR.munmap, buf + 4096, 4096)).toBe(0);
    expect(sys(NR.write, 1, buf + 4090, 6)).toBe(6);
    expect(sys(NR.write, 1, buf + 4090, 7)).toBe(-EFAULT);
  });

  it("touching a mapped but never-used page faults it in", () => {
    const buf = scratch(3 * 4096);
    const before = m.counters()["page_faults_kernel"]!;
    expect(sys(NR.write, 1, buf + 4096, 4096 + 10)).toBe(4096 + 10);
    expect(m.counters()["page_faults_kernel"]! - before).toBe(2);
    expect(io.out).toBe("\0".repeat(4106));
  });

  it("read: into read-only or wild memory is -EFAULT; into fresh memory works", () => {
    const ro = sys(NR.mmap, 0, 4096, 1, MAP_PRIVATE | MAP_ANON, -1, 0);
    expect(sys(NR.read, 0, ro, 4)).toBe(-EFAULT);
    expect(sys(NR.read, 0, WILD, 4)).toBe(-EFAULT);
    const buf = scratch();
    // Failed reads consume nothing (Linux leaves the data in the pipe); short reads are fine.
    let got = "";
    for (let n; (n = sys(NR.read, 0, buf, 100)) > 0;) got += new TextDecoder().decode(m.task.um.copyin(buf, n));
    expect(got).toBe("input data");
    expect(sys(NR.read, 1, buf, 1)).toBe(-EBADF);
    // The program's text is mapped read-execute: the kernel must not write it either.
    expect(sys(NR.read, 0, 0x10200, 1)).toBe(0);
  });

  it("writev: bad iovec arrays and counts", () => {
    const buf = scratch();
    put(buf + 100, enc("abcdef"));
    const iov = new DataView(new ArrayBuffer(32));
    iov.setBigUint64(0, BigInt(buf + 100), true); iov.setBigUint64(8, 3n, true);
    iov.setBigUint64(16, BigInt(buf + 103), true); iov.setBigUint64(24, 3n, true);
    put(buf, new Uint8Array(iov.buffer));
    expect(sys(NR.writev, 1, buf, 2)).toBe(6);
    expect(io.out).toBe("abcdef");
    expect(sys(NR.writev, 1, WILD, 2)).toBe(-EFAULT);
    expect(sys(NR.writev, 1, buf, -1)).toBe(-EINVAL);
    expect(sys(NR.writev, 1, buf, 5000)).toBe(-EINVAL);
    iov.setBigInt64(8, -1n, true);
    put(buf, new Uint8Array(iov.buffer));
    expect(sys(NR.writev, 1, buf, 2)).toBe(-EINVAL);
  });

  it("mmap: -EINVAL for bad flags, lengths and offsets; other errors as Linux", () => {
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_ANON, -1, 0)).toBe(-EINVAL);            // neither shared nor private
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_ANON | 0xF, -1, 0)).toBe(-EINVAL);
    expect(sys(NR.mmap, 0, 0, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0)).toBe(-EINVAL);
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 100)).toBe(-EINVAL);
    expect(sys(NR.mmap, 0x10001000 + 1, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0)).toBe(-EINVAL);
    expect(sys(NR.mmap, 0, 4096, PROT_RW, 3 | MAP_ANON | 0x400000, -1, 0)).toBe(-EOPNOTSUPP);
    expect(sys(NR.mmap, 0, 1n << 45n, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0)).toBe(-ENOMEM);
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE, 0, 0)).toBe(-ENODEV);           // stdin: a pipe
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE, 1, 0)).toBe(-EACCES);           // stdout: not readable
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE, 77, 0)).toBe(-EBADF);
    const a = scratch();
    expect(sys(NR.mmap, a, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON | 0x100000, -1, 0)).toBe(-EEXIST);
  });

  it("mmap: hints, MAP_FIXED replacement and zero fill", () => {
    const hint = Math.floor(m.task.layout.mmapBase / 2 / 4096) * 4096;
    expect(sys(NR.mmap, hint, 8192, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0)).toBe(hint);
    put(hint, enc("old"));
    expect(sys(NR.mmap, hint, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0)).toBe(hint);
    expect(Array.from(m.task.um.copyin(hint, 3)!)).toEqual([0, 0, 0]);
    const top = sys(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0);
    expect(top).toBe(m.task.layout.mmapBase - 4096);
    expect(sys(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0)).toBe(top - 4096);
  });

  it("munmap and mprotect reject unaligned or bad arguments", () => {
    const a = scratch(8192);
    expect(sys(NR.munmap, a + 1, 4096)).toBe(-EINVAL);
    expect(sys(NR.munmap, a, 0)).toBe(-EINVAL);
    expect(sys(NR.munmap, -4096n, 8192)).toBe(-EINVAL);
    expect(sys(NR.mprotect, a + 1, 4096, 1)).toBe(-EINVAL);
    expect(sys(NR.mprotect, a, 4096, 0x40)).toBe(-EINVAL);
    expect(sys(NR.mprotect, a, 4096 * 4, 1)).toBe(-ENOMEM);     // runs past the mapping
    expect(sys(NR.mprotect, a, 4096, 1)).toBe(0);
    expect(sys(NR.write, 1, a, 1)).toBe(1);                     // still readable
    expect(sys(NR.read, 0, a, 1)).toBe(-EFAULT);                // no longer writable
    expect(sys(NR.mprotect, a, 4096, 0)).toBe(0);
    expect(sys(NR.write, 1, a, 1)).toBe(-EFAULT);
    expect(sys(NR.munmap, a, 8192)).toBe(0);
    expect(sys(NR.write, 1, a, 1)).toBe(-EFAULT);
  });

  it("madvise(MADV_DONTNEED) gives back zero-filled pages", () => {
    const a = scratch();
    put(a, enc("xyz"));
    expect(sys(NR.madvise, a, 4096, 4)).toBe(0);
    expect(Array.from(m.task.um.copyin(a, 3)!)).toEqual([0, 0, 0]);
    expect(sys(NR.madvise, a, 4096, 999)).toBe(-EINVAL);
    expect(sys(NR.madvise, a + 1, 4096, 0)).toBe(-EINVAL);
  });

  it("brk follows Linux: returns the old break on failure", () => {
    const start = sys(NR.brk, 0);
    expect(start).toBe(m.task.brkStart);
    expect(sys(NR.brk, start - 4096)).toBe(start);
    expect(sys(NR.brk, start + 10000)).toBe(start + 10000);
    put(start + 9999, enc("z"));
    expect(sys(NR.brk, 0x3f_0000_0000)).toBe(start + 10000);   // would run into the mmap/stack area
    expect(sys(NR.brk, start + 100)).toBe(start + 100);
    expect(sys(NR.write, 1, start + 9999, 1)).toBe(-EFAULT);
  });

  it("paths: -EFAULT for wild pointers, -ENOENT for everything but /proc/self/exe", () => {
    const buf = scratch();
    expect(sys(NR.openat, -100, WILD, 0, 0)).toBe(-EFAULT);
    expect(sys(NR.openat, -100, cstr(buf, "/etc/passwd"), 0, 0)).toBe(-ENOENT);
    const exe = cstr(buf, "/proc/self/exe");
    expect(sys(NR.readlinkat, -100, exe, buf + 100, 4096)).toBe("/test/prog".length);
    expect(new TextDecoder().decode(m.task.um.copyin(buf + 100, 10))).toBe("/test/prog");
    expect(sys(NR.readlinkat, -100, exe, buf + 200, 4)).toBe(4);
    expect(sys(NR.readlinkat, -100, exe, buf + 200, 0)).toBe(-EINVAL);
    expect(sys(NR.readlinkat, -100, exe, WILD, 100)).toBe(-EFAULT);
  });

  it("fstat and ioctl: the standard streams are pipes, not terminals", () => {
    const buf = scratch();
    expect(sys(NR.fstat, 1, buf)).toBe(0);
    expect(m.task.um.readU32(buf + 16)).toBe(0o010600);
    expect(sys(NR.fstat, 1, WILD)).toBe(-EFAULT);
    expect(sys(NR.fstat, 7, buf)).toBe(-EBADF);
    expect(sys(NR.newfstatat, 1, cstr(buf + 512, ""), buf, 0x1000)).toBe(0);
    expect(sys(NR.newfstatat, 1, cstr(buf + 512, ""), buf, 0x4)).toBe(-EINVAL);
    expect(sys(NR.newfstatat, -100, cstr(buf + 512, "/x"), buf, 0)).toBe(-ENOENT);
    expect(sys(NR.ioctl, 1, 0x5401, buf)).toBe(-ENOTTY);
    expect(sys(NR.ioctl, 1, 0x5413, buf)).toBe(-ENOTTY);
    expect(sys(NR.ioctl, 9, 0x5401, buf)).toBe(-EBADF);
    expect(sys(NR.lseek, 1, 0, 0)).toBe(-ESPIPE);
    expect(sys(NR.close, 1)).toBe(0);
    expect(sys(NR.close, 1)).toBe(-EBADF);
    expect(sys(NR.write, 1, buf, 1)).toBe(-EBADF);
  });

  it("signals: sizes, numbers and unblockable signals are checked", () => {
    const buf = scratch();
    expect(sys(NR.rt_sigaction, 11, 0, buf, 4)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, 0, 0, buf, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, 65, 0, buf, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, 9, buf, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigaction, 11, WILD, 0, 8)).toBe(-EFAULT);
    expect(sys(NR.rt_sigaction, 11, 0, WILD, 8)).toBe(-EFAULT);
    m.task.um.writeU64(buf, 0x1234n);
    expect(sys(NR.rt_sigaction, 11, buf, 0, 8)).toBe(0);
    expect(sys(NR.rt_sigaction, 11, 0, buf + 64, 8)).toBe(0);
    expect(m.task.um.readU64(buf + 64)).toBe(0x1234n);
    expect(sys(NR.rt_sigprocmask, 5, buf, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.rt_sigprocmask, 0, buf, 0, 16)).toBe(-EINVAL);
    m.task.um.writeU64(buf, -1n);
    expect(sys(NR.rt_sigprocmask, 2, buf, buf + 8, 8)).toBe(0);
    expect(m.task.signals.blocked & (1n << 8n)).toBe(0n);   // SIGKILL stays unblocked
  });

  it("a fatal signal to itself ends the task", () => {
    expect(() => sys(NR.tgkill, m.task.pid, m.task.tid, 6)).toThrow(TaskTerminated);
    expect(sys(NR.tgkill, m.task.pid, m.task.tid, 17)).toBe(0);   // SIGCHLD is ignored by default
    expect(sys(NR.tgkill, 0, 1, 6)).toBe(-EINVAL);
  });

  it("misc: uname, limits, robust list, random bytes, clocks, unknown calls", () => {
    const buf = scratch();
    expect(sys(NR.uname, WILD)).toBe(-EFAULT);
    expect(sys(NR.uname, buf)).toBe(0);
    const field = (i: number): string => new TextDecoder().decode(m.task.um.copyin(buf + 65 * i, 65)).replace(/\0.*$/s, "");
    expect(field(0)).toBe("Linux");
    expect(field(4)).toBe("riscv64");
    expect(sys(NR.prlimit64, 0, 99, 0, buf)).toBe(-EINVAL);
    expect(sys(NR.prlimit64, 0, 3, 0, buf)).toBe(0);
    expect(m.task.um.readU64(buf)).toBe(8n << 20n);
    expect(sys(NR.prlimit64, 0, 7, 0, WILD)).toBe(-EFAULT);
    expect(sys(NR.set_robust_list, buf, 23)).toBe(-EINVAL);
    expect(sys(NR.getrandom, buf, 16, 0x100)).toBe(-EINVAL);
    expect(sys(NR.getrandom, WILD, 16, 0)).toBe(-EFAULT);
    expect(sys(NR.getrandom, buf, 16, 0)).toBe(16);
    expect(sys(NR.clock_gettime, 99, buf)).toBe(-EINVAL);
    expect(sys(NR.clock_gettime, 1, WILD)).toBe(-EFAULT);
    expect(sys(NR.clock_gettime, 0, buf)).toBe(0);
    expect(Number(m.task.um.readU64(buf))).toBeGreaterThanOrEqual(1_704_067_200);
    expect(sys(9999)).toBe(-ENOSYS);
    expect(sys(NR.getpid)).toBe(m.task.pid);
  });

  it("getrandom is deterministic for a seed", () => {
    const bytesFor = (seed: bigint): number[] => {
      const { m: mm } = loadedMachine(program((a) => a.exit(0)), { config: { seed } });
      const b = Number(mm.syscall(NR.mmap, 0, 4096, PROT_RW, MAP_PRIVATE | MAP_ANON, -1, 0));
      mm.syscall(NR.getrandom, b, 32, 0);
      return Array.from(mm.task.um.copyin(b, 32)!);
    };
    expect(bytesFor(7n)).toEqual(bytesFor(7n));
    expect(bytesFor(7n)).not.toEqual(bytesFor(8n));
  });
});

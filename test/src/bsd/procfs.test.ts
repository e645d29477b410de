// /proc: generated files in Linux's formats with the emulated machine's figures.

import { beforeEach, describe, expect, it } from "vitest";
import { AT_FDCWD, SysHarness } from "../helpers/syscalls.js";
import { EACCES, EROFS } from "../../../src/sys/errno.js";

const NR_readlinkat = 78, NR_newfstatat = 79, NR_mkdirat = 34;
const O_WRONLY = 1;

let h: SysHarness;
beforeEach(() => { h = new SysHarness({ ramBytes: 32 * 1024 * 1024 }); });

function readlink(path: string): string {
  const n = h.sys(NR_readlinkat, AT_FDCWD, h.str(path), h.out, 256);
  return n < 0 ? `error ${n}` : String.fromCharCode(...h.bytes(h.out, n));
}

describe("/proc/meminfo", () => {
  it("has Linux's layout and the machine's memory: MemTotal is --mem, MemFree its free frames", () => {
    h.put(h.out, new Uint8Array(4096));   // the page the reads land in is resident before the file is generated
    const text = h.readFile("/proc/meminfo");
    const lines = text.split("\n");
    expect(lines[0]).toBe("MemTotal:          32768 kB");
    for (const l of lines.filter((x) => x !== "" && !x.startsWith("HugePages_"))) expect(l).toMatch(/^[A-Za-z_()]+:\s+\d+ kB$/);
    const field = (n: string): number => Number(new RegExp(`^${n}:\\s+(\\d+)`, "m").exec(text)![1]);
    const free = h.m.phys.freeFrames * 4;
    expect(field("MemFree")).toBe(free);
    expect(field("MemAvailable")).toBe(free);
    expect(field("SwapFree")).toBe(0);
    expect(field("HugePages_Total")).toBe(0);
  });

  it("is generated when opened: a fresh open sees memory used since", () => {
    const before = Number(/MemFree:\s+(\d+)/.exec(h.readFile("/proc/meminfo"))![1]);
    for (let i = 0; i < 8; i++) h.put(h.buf + 4096 * i, new Uint8Array([1]));   // touch pages: frames get used
    h.sys(222, 0, 64 * 4096, 3, 0x22 | 0x8000, -1, 0);                         // MAP_POPULATE
    const after = Number(/MemFree:\s+(\d+)/.exec(h.readFile("/proc/meminfo"))![1]);
    expect(after).toBeLessThan(before);
  });

  it("stat shows size 0, mode 0444, owner root; writing is EACCES, creating is EROFS", () => {
    expect(h.sys(NR_newfstatat, AT_FDCWD, h.str("/proc/meminfo"), h.out, 0)).toBe(0);
    const dv = new DataView(h.bytes(h.out, 128).buffer);
    expect(dv.getUint32(16, true)).toBe(0o100444);
    expect(dv.getUint32(24, true)).toBe(0);
    expect(dv.getBigInt64(48, true)).toBe(0n);
    expect(h.open("/proc/meminfo", O_WRONLY)).toBe(-EACCES);
    expect(h.sys(NR_mkdirat, AT_FDCWD, h.str("/proc/x"), 0o755)).toBe(-EROFS);
  });
});

describe("/proc/self", () => {
  it("is a link to the caller's pid directory", () => {
    expect(readlink("/proc/self")).toBe(String(h.m.task.pid));
    expect(readlink("/proc/self/exe")).toBe("/test/prog");
  });
});

describe("/proc/<pid>", () => {
  it("maps: Linux's columns, names padded to column 73, [stack] and [heap]", () => {
    h.sys(214, 0);                                   // brk: the heap exists once asked for
    h.sys(214, h.sys(214, 0) + 4096);
    const lines = h.readFile("/proc/self/maps").trimEnd().split("\n");
    for (const l of lines) expect(l).toMatch(/^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ /);
    const stack = lines.find((l) => l.endsWith("[stack]"))!;
    expect(stack.indexOf("[stack]")).toBe(73);
    expect(stack).toContain(" rw-p ");
    expect(lines.some((l) => l.endsWith("[heap]"))).toBe(true);
    expect(lines.some((l) => l.endsWith("/test/prog") && l.includes(" r-xp "))).toBe(true);
  });

  it("maps names a mapped file with its device and inode", () => {
    const fd = h.open("/tmp/mapped", 0o102);
    h.put(h.buf, new Uint8Array(10));
    h.sys(64, fd, h.buf, 10);
    const va = h.sys(222, 0, 4096, 1, 1, fd, 0);
    const hex = va.toString(16).padStart(8, "0");
    const line = h.readFile("/proc/self/maps").split("\n").find((l) => l.startsWith(hex))!;
    expect(h.sys(80, fd, h.out)).toBe(0);
    const ino = Number(h.m.task.um.readU64(h.out + 8));
    expect(line).toMatch(new RegExp(` r--s 00000000 00:1a ${ino} +/tmp/mapped$`));
  });

  it("status and stat: the task's ids, state and memory", () => {
    const st = h.readFile("/proc/self/status");
    expect(st).toMatch(/^Name:\tprog\n/);
    expect(st).toContain(`\nPid:\t${h.m.task.pid}\n`);
    expect(st).toContain(`\nPPid:\t${h.m.task.ppid}\n`);
    expect(st).toContain("\nState:\tR (running)\n");
    expect(st).toContain("\nUid:\t1000\t1000\t1000\t1000\n");
    expect(st).toMatch(/\nVmSize:\t +\d+ kB\n/);
    expect(st).toMatch(/\nVmRSS:\t +\d+ kB\n/);
    expect(st).toContain("\nVmSwap:\t       0 kB\n");
    const fields = h.readFile("/proc/self/stat").trimEnd().split(" ");
    expect(fields.length).toBe(52);
    expect(fields.slice(0, 4)).toEqual([String(h.m.task.pid), "(prog)", "R", String(h.m.task.ppid)]);
    const vsize = Number(fields[22]);
    expect(vsize).toBe(Number(/VmSize:\s+(\d+)/.exec(st)![1]) * 1024);
  });

  it("fd: a link per descriptor, listed in order, the directory's own descriptor included", () => {
    const fd = h.open("/tmp/named", 0o102);
    expect(h.sys(59, h.out + 512, 0)).toBe(0);
    const rfd = h.m.task.um.readU32(h.out + 512)!;
    expect(readlink(`/proc/self/fd/${fd}`)).toBe("/tmp/named");
    expect(readlink(`/proc/self/fd/${rfd}`)).toMatch(/^pipe:\[\d+\]$/);
    expect(h.sys(35, AT_FDCWD, h.str("/tmp/named"), 0)).toBe(0);
    expect(readlink(`/proc/self/fd/${fd}`)).toBe("/tmp/named (deleted)");
    const dfd = h.open("/proc/self/fd", 0o200000);
    const n = h.sys(61, dfd, h.out, 4096);
    const names: string[] = [];
    const raw = h.bytes(h.out, n), dv = new DataView(raw.buffer);
    for (let at = 0; at < n; at += dv.getUint16(at + 16, true)) {
      const nm = raw.subarray(at + 19);
      names.push(String.fromCharCode(...nm.subarray(0, nm.indexOf(0))));
    }
    expect(names).toEqual([".", "..", "0", "1", "2", String(fd), String(rfd), String(rfd + 1), String(dfd)]);
  });

  it("pagemap: present bit and the emulated frame number of a touched page, nothing for an untouched one", () => {
    const va = h.sys(222, 0, 2 * 4096, 3, 0x22, -1, 0);
    h.put(va, new Uint8Array([7]));
    const fd = h.open("/proc/self/pagemap");
    expect(h.sys(67, fd, h.out, 16, (va / 4096) * 8)).toBe(16);
    const dv = new DataView(h.bytes(h.out, 16).buffer);
    const e0 = dv.getBigUint64(0, true), e1 = dv.getBigUint64(8, true);
    expect(e0 >> 63n).toBe(1n);
    const pa = h.m.task.pmap.extract(va)!.pa;
    expect(Number(e0 & ((1n << 55n) - 1n))).toBe(Math.floor(pa / 4096));
    expect(e1).toBe(0n);
  });

  it("smaps: each entry's maps line, then Rss from the pmap and Locked for a locked mapping", () => {
    const va = h.sys(222, 0, 4 * 4096, 3, 0x22, -1, 0);
    h.put(va, new Uint8Array([7]));                          // one page of four touched
    const locked = h.sys(222, 0, 2 * 4096, 3, 0x2022 /* MAP_LOCKED */, -1, 0);
    const text = h.readFile("/proc/self/smaps");
    const block = (at: number): Record<string, string> => {
      const lines = text.split("\n");
      const i = lines.findIndex((l) => l.startsWith(at.toString(16).padStart(8, "0") + "-"));
      expect(i).toBeGreaterThanOrEqual(0);
      const out: Record<string, string> = {};
      for (const l of lines.slice(i + 1)) { const m = /^(\w+):\s+(.*)$/.exec(l); if (!m) break; out[m[1]!] = m[2]!; }
      return out;
    };
    const a = block(va), b = block(locked);
    expect(a.Size).toBe("16 kB");
    expect(a.Rss).toBe("4 kB");
    expect(a.Locked).toBe("0 kB");
    expect(a.VmFlags).toMatch(/^rd wr mr mw me ac $/);
    expect(b.Rss).toBe("8 kB");                               // MAP_LOCKED faulted both pages in
    expect(b.Locked).toBe("8 kB");
    expect(b.VmFlags).toContain(" lo ");
    // the same entries, in the same order, as maps lists
    const heads = text.split("\n").filter((l) => /^[0-9a-f]{8,}-/.test(l));
    expect(heads.join("\n") + "\n").toBe(h.readFile("/proc/self/maps"));
  });
});

describe("/proc/sys and /proc/cpuinfo", () => {
  it("shows the pipe limits, pid_max and tainted", () => {
    expect(h.readFile("/proc/sys/fs/pipe-max-size")).toBe("1048576\n");
    expect(h.readFile("/proc/sys/fs/pipe-user-pages-soft")).toBe("16384\n");
    expect(h.readFile("/proc/sys/fs/pipe-user-pages-hard")).toBe("0\n");
    expect(h.readFile("/proc/sys/kernel/pid_max")).toBe("32768\n");
    expect(h.readFile("/proc/sys/kernel/tainted")).toBe("0\n");
    expect(h.open("/proc/sys/kernel/pid_max", 1)).toBe(-EACCES);   // root's, 0644
  });

  it("cpuinfo has the riscv layout", () => {
    expect(h.readFile("/proc/cpuinfo")).toMatch(/^processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc/);
  });
});

describe("/proc/<pid>/task", () => {
  it("lists the process's threads by tid; thread-self leads to the calling thread's directory", () => {
    const CLONE_THREAD_FLAGS = 0x100 | 0x400 | 0x800 | 0x10000;   // CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
    const pid = h.m.task.pid;
    const tid = h.sys(220, CLONE_THREAD_FLAGS, 0, 0, 0, 0);
    expect(tid).toBe(pid + 1);
    expect(h.readFile(`/proc/${pid}/status`)).toMatch(/\nThreads:\t2\n/);
    expect(h.readFile(`/proc/${pid}/task/${pid}/status`)).toMatch(new RegExp(`\\nTgid:\\t${pid}\\nNgid:\\t0\\nPid:\\t${pid}\\n`));
    expect(h.readFile(`/proc/${pid}/task/${tid}/status`)).toMatch(new RegExp(`\\nTgid:\\t${pid}\\nNgid:\\t0\\nPid:\\t${tid}\\n`));
    expect(h.readFile(`/proc/${pid}/task/${tid}/stat`)).toMatch(new RegExp(`^${tid} \\(`));
    expect(readlink("/proc/thread-self")).toBe(`${pid}/task/${pid}`);
    h.m.sched.current = h.m.procs.byTid.get(tid)!;
    expect(readlink("/proc/thread-self")).toBe(`${pid}/task/${tid}`);
  });
});

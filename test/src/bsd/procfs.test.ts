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

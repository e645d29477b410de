// mremap made directly as a system call: shrinking, growing in place, moving (MREMAP_MAYMOVE, MREMAP_FIXED,
// MREMAP_DONTUNMAP) with the mapping's pages, and every errno rule of mm/mremap.c. qemu-user implements mremap
// itself and departs from Linux on some of these (a zero new length is ENOMEM there, a zero old length of a shared
// mapping is refused): the expectations here are Linux's.

import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { EFAULT, EINVAL, ENOMEM } from "../../../src/sys/errno.js";

const NR = { munmap: 215, mremap: 216, mmap: 222, mprotect: 226, mincore: 232 };
const PG = 4096, PROT_R = 1, PROT_RW = 3, MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANON = 0x20;
const MAYMOVE = 1, FIXED = 2, DONTUNMAP = 4;

describe.each(["riscv-sv39", "x86-64", "mips-r4000"] as const)("mremap (%s)", (arch) => {
  let m: Machine;
  const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
  const anon = (len: number, flags = MAP_PRIVATE, at = 0): number => sys(NR.mmap, at, len, PROT_RW, flags | MAP_ANON | (at ? MAP_FIXED : 0), -1, 0);
  const poke = (va: number, v: number): void => { expect(m.task.um.copyout(va, new Uint8Array([v]))).toBe(true); };
  const peek = (va: number): number | undefined => m.task.um.copyin(va, 1)?.[0];
  const mapped = (va: number): boolean => m.task.map.lookup(va) !== undefined;

  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)), { arch })); });

  it("rejects bad flags, alignment and lengths with Linux's errno", () => {
    const a = anon(2 * PG);
    expect(sys(NR.mremap, a, PG, PG, 8)).toBe(-EINVAL);
    expect(sys(NR.mremap, a, PG, PG, FIXED, a + 8 * PG)).toBe(-EINVAL);           // FIXED needs MAYMOVE
    expect(sys(NR.mremap, a, PG, 2 * PG, DONTUNMAP | MAYMOVE)).toBe(-EINVAL);     // DONTUNMAP cannot resize
    expect(sys(NR.mremap, a, PG, PG, DONTUNMAP)).toBe(-EINVAL);                    // nor go without MAYMOVE
    expect(sys(NR.mremap, a + 1, PG, PG, 0)).toBe(-EINVAL);
    expect(sys(NR.mremap, a, PG, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.mremap, a, PG, -1n, MAYMOVE)).toBe(-EINVAL);                     // PAGE_ALIGN wraps to 0
    expect(sys(NR.mremap, 0xdead0000, PG, 2 * PG, MAYMOVE)).toBe(-EFAULT);         // nothing mapped there
    expect(sys(NR.mremap, a, 3 * PG, 4 * PG, MAYMOVE)).toBe(-EFAULT);             // beyond its mapping
    expect(sys(NR.mremap, a, PG, PG, FIXED | MAYMOVE, a + 1)).toBe(-EINVAL);
    expect(sys(NR.mremap, a, 2 * PG, 2 * PG, FIXED | MAYMOVE, a + PG)).toBe(-EINVAL); // overlapping ranges
    expect(sys(NR.mremap, a, 0, PG, MAYMOVE)).toBe(-EINVAL);                       // duplicating private memory
    if (m.task.map.vm.identity) return;
    expect(sys(NR.mremap, a, PG, PG, FIXED | MAYMOVE, 2n ** 62n)).toBe(-EINVAL);  // beyond user space
  });

  it("shrinks and grows in place, or moves with MAYMOVE when the next pages are taken", () => {
    const a = anon(4 * PG);
    for (let i = 0; i < 4; i++) poke(a + i * PG, 10 + i);
    expect(sys(NR.mremap, a, 4 * PG, 2 * PG, 0)).toBe(a);
    expect(mapped(a + 2 * PG)).toBe(false);
    expect(sys(NR.mremap, a, 2 * PG, 3 * PG, 0)).toBe(a);
    expect(peek(a + 2 * PG)).toBe(0);                                               // new pages are zero
    expect(peek(a + PG)).toBe(11);
    const blocker = sys(NR.mmap, a + 3 * PG, PG, PROT_R, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0);
    expect(blocker).toBe(a + 3 * PG);
    expect(sys(NR.mremap, a, 3 * PG, 5 * PG, 0)).toBe(-ENOMEM);
    const b = sys(NR.mremap, a, 3 * PG, 5 * PG, MAYMOVE);
    expect(b).not.toBe(a);
    expect(mapped(a)).toBe(false);
    expect([peek(b), peek(b + PG), peek(b + 2 * PG), peek(b + 4 * PG)]).toEqual([10, 11, 0, 0]);
  });

  it("MREMAP_FIXED replaces what is at the target; DONTUNMAP leaves the old range mapped and empty", () => {
    const a = anon(2 * PG), t = anon(2 * PG);
    poke(a, 1); poke(a + PG, 2); poke(t, 99);
    expect(sys(NR.mremap, a, 2 * PG, 2 * PG, FIXED | MAYMOVE, t)).toBe(t);
    expect([peek(t), peek(t + PG)]).toEqual([1, 2]);
    expect(mapped(a)).toBe(false);
    const d = sys(NR.mremap, t, 2 * PG, 2 * PG, DONTUNMAP | MAYMOVE, 0);
    expect(d).toBeGreaterThan(0);
    expect([peek(d), peek(d + PG)]).toEqual([1, 2]);
    expect(peek(t)).toBe(0);
    const s = anon(PG, MAP_SHARED);
    expect(sys(NR.mremap, s, PG, PG, DONTUNMAP | MAYMOVE, 0)).toBe(-EINVAL);     // anonymous private only
  });

  it("a zero old length duplicates a shared mapping: both addresses show one memory", () => {
    if (m.task.map.vm.identity) return;
    const s = anon(2 * PG, MAP_SHARED);
    poke(s, 5);
    const dup = sys(NR.mremap, s, 0, PG, MAYMOVE);
    expect(dup).toBeGreaterThan(0);
    expect(mapped(s)).toBe(true);
    expect(peek(dup)).toBe(5);
    poke(dup + 1, 6);
    expect(peek(s + 1)).toBe(6);
  });
});

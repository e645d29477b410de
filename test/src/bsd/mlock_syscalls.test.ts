// mlock, mlock2, munlock, mlockall, munlockall and what locking changes in the other memory calls (MAP_LOCKED,
// msync's EBUSY, madvise's EINVAL, brk under MCL_FUTURE), made directly as system calls; the rules are mm/mlock.c's
// for an unprivileged user (RLIMIT_MEMLOCK applies).

import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { EAGAIN, EBUSY, EINVAL, ENOMEM, EPERM } from "../../../src/sys/errno.js";

const NR = { brk: 214, munmap: 215, mremap: 216, mmap: 222, mprotect: 226, msync: 227, mlock: 228, munlock: 229,
  mlockall: 230, munlockall: 231, mincore: 232, madvise: 233, prlimit64: 261, mlock2: 284 };
const PG = 4096, PROT_RW = 3, PROT_NONE = 0, MAP_PRIVATE = 2, MAP_ANON = 0x20, MAP_LOCKED = 0x2000;
const MS_SYNC = 4, MS_INVALIDATE = 2, MADV_DONTNEED = 4, MLOCK_ONFAULT = 1;
const MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4, RLIMIT_MEMLOCK = 8;

describe.each(["riscv-sv39", "x86-64", "mips-r4000"] as const)("locking memory (%s)", (arch) => {
  let m: Machine;
  const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
  const anon = (len: number, flags = 0, prot = PROT_RW): number => sys(NR.mmap, 0, len, prot, MAP_PRIVATE | MAP_ANON | flags, -1, 0);
  const lockedKb = (): number => m.task.map.lockedBytes / 1024;
  const resident = (va: number, pages: number): number[] => {
    const vec = anon(PG);
    expect(sys(NR.mincore, va, pages * PG, vec)).toBe(0);
    const out = [...m.task.um.copyin(vec, pages)!];
    sys(NR.munmap, vec, PG);
    return out;
  };
  /** Sets RLIMIT_MEMLOCK (soft and hard) to `bytes`. */
  const setLimit = (bytes: number): void => {
    const buf = anon(PG);
    const b = new Uint8Array(16), dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(bytes), true);
    dv.setBigUint64(8, BigInt(bytes), true);
    expect(m.task.um.copyout(buf, b)).toBe(true);
    expect(sys(NR.prlimit64, 0, RLIMIT_MEMLOCK, buf, 0)).toBe(0);
    sys(NR.munmap, buf, PG);
  };

  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)), { arch })); });

  it("mlock faults every page in, wires it, and counts it; munlock undoes all three", () => {
    const a = anon(4 * PG);
    expect(resident(a, 4)).toEqual([0, 0, 0, 0]);
    expect(sys(NR.mlock, a + 100, 2 * PG)).toBe(0);                    // rounded out to pages 0..2
    expect(resident(a, 4)).toEqual([1, 1, 1, 0]);
    expect(lockedKb()).toBe(12);
    const e = m.task.map.lookup(a)!;
    expect(e.wiring?.pages.every((p) => p !== undefined && p.wireCount === 1)).toBe(true);
    expect(sys(NR.mlock, a, 3 * PG)).toBe(0);                          // locking again is not counted twice
    expect(lockedKb()).toBe(12);
    const pages = e.wiring!.pages.slice();
    expect(sys(NR.munlock, a, 4 * PG)).toBe(0);
    expect(lockedKb()).toBe(0);
    expect(pages.every((p) => p!.wireCount === 0)).toBe(true);
    expect(resident(a, 4)).toEqual([1, 1, 1, 0]);                      // unlocking does not evict
  });

  it("holes are ENOMEM, after the part before the hole; mlock2 rejects unknown flags", () => {
    const a = anon(3 * PG);
    expect(sys(NR.munmap, a + PG, PG)).toBe(0);
    expect(sys(NR.mlock, a, 3 * PG)).toBe(-ENOMEM);
    expect(lockedKb()).toBe(4);
    expect(sys(NR.munlock, a, 3 * PG)).toBe(-ENOMEM);
    expect(lockedKb()).toBe(0);
    expect(sys(NR.mlock2, a, PG, 2)).toBe(-EINVAL);
    expect(sys(NR.mlock, a, 0)).toBe(0);
  });

  it("MLOCK_ONFAULT locks without faulting in; the pages touched later are wired", () => {
    const a = anon(2 * PG);
    expect(sys(NR.mlock2, a, 2 * PG, MLOCK_ONFAULT)).toBe(0);
    expect(lockedKb()).toBe(8);
    expect(resident(a, 2)).toEqual([0, 0]);
    expect(m.task.um.copyout(a + PG, new Uint8Array([7]))).toBe(true);
    const e = m.task.map.lookup(a)!;
    expect(e.wiring!.pages[0]).toBeUndefined();
    expect(e.wiring!.pages[1]!.wireCount).toBe(1);
  });

  it("RLIMIT_MEMLOCK: ENOMEM beyond it, EPERM when it is zero; MAP_LOCKED beyond it is EAGAIN", () => {
    setLimit(2 * PG);
    const a = anon(3 * PG);
    expect(sys(NR.mlock, a, 3 * PG)).toBe(-ENOMEM);
    expect(sys(NR.mlock, a, 2 * PG)).toBe(0);
    expect(anon(PG, MAP_LOCKED)).toBe(-EAGAIN);
    expect(sys(NR.mlockall, MCL_CURRENT)).toBe(-ENOMEM);              // the whole address space is above it
    setLimit(0);
    expect(sys(NR.mlock, a, PG)).toBe(-EPERM);
    expect(anon(PG, MAP_LOCKED)).toBe(-EPERM);
    expect(sys(NR.mlockall, MCL_FUTURE)).toBe(-EPERM);
    expect(sys(NR.munlock, a, 3 * PG)).toBe(0);                       // unlocking needs no right
  });

  it("MAP_LOCKED maps locked and populated; msync(MS_INVALIDATE) on it is EBUSY, madvise(DONTNEED) EINVAL", () => {
    const a = anon(2 * PG, MAP_LOCKED);
    expect(resident(a, 2)).toEqual([1, 1]);
    expect(lockedKb()).toBe(8);
    expect(sys(NR.msync, a, 2 * PG, MS_SYNC)).toBe(0);
    expect(sys(NR.msync, a, 2 * PG, MS_INVALIDATE)).toBe(-EBUSY);
    expect(sys(NR.madvise, a, PG, MADV_DONTNEED)).toBe(-EINVAL);
    expect(sys(NR.munlock, a, 2 * PG)).toBe(0);
    expect(sys(NR.msync, a, 2 * PG, MS_INVALIDATE)).toBe(0);
    expect(sys(NR.madvise, a, PG, MADV_DONTNEED)).toBe(0);
  });

  it("mlockall: EINVAL for bad flags; MCL_CURRENT locks what is mapped, MCL_FUTURE what comes; munlockall ends both", () => {
    expect(sys(NR.mlockall, 0)).toBe(-EINVAL);
    expect(sys(NR.mlockall, MCL_ONFAULT)).toBe(-EINVAL);
    expect(sys(NR.mlockall, 8)).toBe(-EINVAL);
    const a = anon(PG);
    // Linux compares the whole address space with the limit; the initial stack alone is 8 MiB here.
    expect(sys(NR.mlockall, MCL_CURRENT)).toBe(m.task.map.size > 8 << 20 ? -ENOMEM : 0);
    expect(sys(NR.mlockall, MCL_FUTURE)).toBe(0);
    expect(sys(NR.mlock, a, PG)).toBe(0);
    const b = anon(2 * PG);
    expect(m.task.map.lookup(b)!.wiring).not.toBeNull();
    expect(resident(b, 2)).toEqual([1, 1]);
    const brk = sys(NR.brk, 0);
    expect(sys(NR.brk, brk + PG)).toBe(brk + PG);
    expect(m.task.map.lookup(brk)?.wiring).not.toBeNull();
    expect(sys(NR.munlockall)).toBe(0);
    expect(lockedKb()).toBe(0);
    expect(m.task.map.lookup(anon(PG))!.wiring).toBeNull();
  });

  it("a copy-on-write fault in a locked mapping moves the wiring to the copy; PROT_NONE is locked but not faulted", () => {
    const a = anon(PG, 0, 1);                                         // read-only: mlock maps without copying
    const n = anon(PG, 0, PROT_NONE);
    expect(sys(NR.mlock, n, PG)).toBe(0);
    expect(resident(n, 1)).toEqual([0]);
    expect(sys(NR.mprotect, a, PG, PROT_RW)).toBe(0);
    expect(sys(NR.mlock, a, PG)).toBe(0);
    const w = m.task.map.lookup(a)!.wiring!;
    const before = w.pages[0]!;
    expect(before.wireCount).toBe(1);
    if (m.task.map.pmap.identity) return;
    expect(sys(NR.mprotect, a, PG, 1)).toBe(0);
    expect(sys(NR.mprotect, a, PG, PROT_RW)).toBe(0);
    expect(m.task.um.copyout(a, new Uint8Array([1]))).toBe(true);
    expect(w.pages[0]).toBe(before);                                   // its own page already: no copy
  });

  it("a locked private mapping made writable gets its own wired pages at once (mprotect_fixup's populate)", () => {
    if (m.task.map.pmap.identity) return;
    const a = anon(2 * PG, 0, 1);
    expect(sys(NR.mlock, a, 2 * PG)).toBe(0);
    const w = m.task.map.lookup(a)!.wiring!;
    expect(w.pages.filter((p) => p !== undefined).length).toBe(0);    // read-only: the zero page, not counted
    expect(sys(NR.mprotect, a, 2 * PG, PROT_RW)).toBe(0);
    const now = m.task.map.lookup(a)!.wiring!;
    expect(now.pages.length).toBe(2);
    expect(now.pages.every((p) => p !== undefined && p.wireCount === 1)).toBe(true);
  });

  it("mremap keeps a locked mapping locked, mapped and counted where it moves and grows", () => {
    const a = anon(2 * PG, MAP_LOCKED);
    expect(m.task.um.copyout(a, new Uint8Array([42]))).toBe(true);
    anon(PG);                                                          // something right after it, maybe
    const b = sys(NR.mremap, a, 2 * PG, 4 * PG, 1);
    expect(b).toBeGreaterThan(0);
    expect(lockedKb()).toBe(16);
    expect(resident(b, 4)).toEqual([1, 1, 1, 1]);
    expect([...m.task.um.copyin(b, 1)!]).toEqual([42]);
    for (let va = b; va < b + 4 * PG; va += PG) expect(m.task.map.pmap.extract(va)).toBeDefined();
    setLimit(4 * PG);
    expect(sys(NR.mremap, b, 4 * PG, 5 * PG, 1)).toBe(-EAGAIN);
  });
});

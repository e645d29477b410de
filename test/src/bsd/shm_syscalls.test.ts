// System V shared memory (shmget, shmat, shmdt, shmctl) made directly as system calls, with ipc/shm.c's errors.

import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { EACCES, EEXIST, EINVAL, ENOENT, ENOMEM } from "../../../src/sys/errno.js";

const NR = { shmget: 194, shmctl: 195, shmat: 196, shmdt: 197, mremap: 216, mmap: 222, mprotect: 226 };
const PG = 4096, IPC_PRIVATE = 0, IPC_CREAT = 0o1000, IPC_EXCL = 0o2000, IPC_RMID = 0, IPC_STAT = 2;
const SHM_RDONLY = 0o10000, SHM_RND = 0o20000;

describe("System V shared memory", () => {
  let m: Machine;
  const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
  const poke = (va: number, v: number): boolean => m.task.um.copyout(va, new Uint8Array([v]));
  const peek = (va: number): number | undefined => m.task.um.copyin(va, 1)?.[0];

  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });

  it("shmget: creation, lookup by key and its errors", () => {
    expect(sys(NR.shmget, 0x1234, PG, 0o600)).toBe(-ENOENT);
    const id = sys(NR.shmget, 0x1234, PG, IPC_CREAT | 0o600);
    expect(id).toBeGreaterThanOrEqual(0);
    expect(sys(NR.shmget, 0x1234, 100, 0)).toBe(id);
    expect(sys(NR.shmget, 0x1234, PG, IPC_CREAT | IPC_EXCL | 0o600)).toBe(-EEXIST);
    expect(sys(NR.shmget, 0x1234, 2 * PG, 0)).toBe(-EINVAL);           // larger than the segment
    expect(sys(NR.shmget, IPC_PRIVATE, 0, IPC_CREAT)).toBe(-EINVAL);
    const ro = sys(NR.shmget, 0x99, PG, IPC_CREAT | 0o400);
    expect(sys(NR.shmget, 0x99, PG, 0o600)).toBe(-EACCES);
    expect(sys(NR.shmat, ro, 0, 0)).toBe(-EACCES);                     // read-write attach of a read-only segment
    expect(sys(NR.shmat, ro, 0, SHM_RDONLY)).toBeGreaterThan(0);
  });

  it("two attachments show one memory; shmdt and IPC_RMID as Linux orders them", () => {
    const id = sys(NR.shmget, IPC_PRIVATE, 2 * PG, IPC_CREAT | 0o600);
    const a = sys(NR.shmat, id, 0, 0), b = sys(NR.shmat, id, 0, SHM_RDONLY);
    expect(poke(a + PG, 7)).toBe(true);
    expect(peek(b + PG)).toBe(7);
    expect(poke(b, 1)).toBe(false);                                      // read-only attachment
    expect(sys(NR.mprotect, b, PG, 3)).toBe(-EACCES);
    expect(sys(NR.mremap, a, PG, 2 * PG, 0)).toBe(-ENOMEM);             // not at the end of its mapping
    expect(sys(NR.shmat, id, a + 1, 0)).toBe(-EINVAL);                  // unaligned without SHM_RND
    expect(sys(NR.shmat, id, a + 1, SHM_RND)).toBe(-EINVAL);            // rounded onto a mapped range
    expect(sys(NR.shmdt, a + 1)).toBe(-EINVAL);
    expect(sys(NR.shmdt, a)).toBe(0);
    expect(sys(NR.shmdt, a)).toBe(-EINVAL);
    expect(m.task.map.lookup(a)).toBeUndefined();
    const stat = sys(NR.mmap, 0, PG, 3, 0x22, -1, 0);
    expect(sys(NR.shmctl, id, IPC_RMID, 0)).toBe(0);
    expect(sys(NR.shmctl, id, IPC_STAT, stat)).toBe(0);                 // still attached at b: the id works
    expect(peek(b + PG)).toBe(7);
    expect(sys(NR.shmdt, b)).toBe(0);
    expect(sys(NR.shmctl, id, IPC_STAT, stat)).toBe(-EINVAL);           // gone with the last detach
    expect(sys(NR.shmat, 12345, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.shmctl, -1, IPC_STAT, stat)).toBe(-EINVAL);
  });
});

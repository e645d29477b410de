// The credential calls of an unprivileged user (kernel/sys.c): every id is the user's, the set*id calls accept
// only ids the task already has, -1 where Linux reads it as "unchanged", and the errno Linux gives otherwise.

import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { EFAULT, EINVAL, EPERM } from "../../../src/sys/errno.js";
import { GUEST_GID, GUEST_UID } from "../../../src/kern/task.js";

const NR = {
  setregid: 143, setgid: 144, setreuid: 145, setuid: 146, setresuid: 147, getresuid: 148, setresgid: 149,
  getresgid: 150, setfsuid: 151, setfsgid: 152, getgroups: 158, setgroups: 159, mmap: 222,
};
const NONE = 0xFFFF_FFFF;

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));

describe("credentials of an unprivileged user", () => {
  let buf: number;
  beforeEach(() => {
    ({ m } = loadedMachine(program((a) => a.exit(0))));
    buf = sys(NR.mmap, 0, 4096, 3, 0x22, -1, 0);
  });

  it("getresuid/getresgid: three ids; EFAULT for a bad pointer", () => {
    expect(sys(NR.getresuid, buf, buf + 4, buf + 8)).toBe(0);
    expect([0, 4, 8].map((o) => m.task.um.readU32(buf + o))).toEqual([GUEST_UID, GUEST_UID, GUEST_UID]);
    expect(sys(NR.getresgid, buf, buf + 4, buf + 8)).toBe(0);
    expect(m.task.um.readU32(buf + 8)).toBe(GUEST_GID);
    expect(sys(NR.getresuid, buf, 0xdead0000, buf)).toBe(-EFAULT);
  });

  it("set*id: the task's own id is accepted, another is EPERM, -1 is EINVAL for setuid and 'unchanged' elsewhere", () => {
    expect(sys(NR.setuid, GUEST_UID)).toBe(0);
    expect(sys(NR.setuid, 0)).toBe(-EPERM);
    expect(sys(NR.setuid, NONE)).toBe(-EINVAL);
    expect(sys(NR.setgid, GUEST_GID)).toBe(0);
    expect(sys(NR.setgid, 0)).toBe(-EPERM);
    expect(sys(NR.setreuid, NONE, GUEST_UID)).toBe(0);
    expect(sys(NR.setreuid, 0, NONE)).toBe(-EPERM);
    expect(sys(NR.setregid, GUEST_GID, 5)).toBe(-EPERM);
    expect(sys(NR.setresuid, NONE, NONE, NONE)).toBe(0);
    expect(sys(NR.setresuid, GUEST_UID, GUEST_UID, 0)).toBe(-EPERM);
    expect(sys(NR.setresgid, NONE, GUEST_GID, NONE)).toBe(0);
    expect(sys(NR.setfsuid, 0)).toBe(GUEST_UID);             // the old id, whatever happens
    expect(sys(NR.setfsgid, NONE)).toBe(GUEST_GID);
  });

  it("getgroups: the count for size 0, EINVAL when too small or negative; setgroups needs CAP_SETGID", () => {
    expect(sys(NR.getgroups, 0, 0)).toBe(1);
    expect(sys(NR.getgroups, -1, buf)).toBe(-EINVAL);
    expect(sys(NR.getgroups, 4, buf)).toBe(1);
    expect(m.task.um.readU32(buf)).toBe(GUEST_GID);
    expect(sys(NR.getgroups, 4, 0xdead0000)).toBe(-EFAULT);
    expect(sys(NR.setgroups, 1, buf)).toBe(-EPERM);
  });
});

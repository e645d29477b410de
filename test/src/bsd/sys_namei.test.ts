// Path-name calls added for LTP (more are in file_syscalls.test.ts): fchownat and fchown as Linux answers an
// unprivileged user (uid 1000, gid 1000, no CAP_CHOWN).

import { beforeEach, describe, expect, it } from "vitest";
import { AT_FDCWD, SysHarness } from "../helpers/syscalls.js";
import { EBADF, EINVAL, ENOENT, EPERM, EROFS } from "../../../src/sys/errno.js";
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

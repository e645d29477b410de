// Sleeping, timers, poll and futexes: the errno of every bad argument (Linux's checks and their order), through
// Machine.syscall, and the behaviours that need several tasks and time passing, through the timers guest
// (guest/src/timers.c; the same output as qemu-riscv64 in test/diff/qemu.test.ts).

import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { runGuest } from "../../../src/index.js";
import type { Machine } from "../../../src/boot/machine.js";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import { EAGAIN, EBADF, EFAULT, EINTR, EINVAL, ENOSYS, EOPNOTSUPP, ETIMEDOUT } from "../../../src/sys/errno.js";
import { POLLIN, POLLNVAL, POLLOUT } from "../../../src/fs/file.js";

const NR = {
  pipe2: 59, pselect6: 72, ppoll: 73, futex: 98, nanosleep: 101, getitimer: 102, setitimer: 103,
  clock_nanosleep: 115, restart_syscall: 128, mmap: 222, mprotect: 226,
};
const WILD = 0xdead0000;
const PROT_RW = 3, MAP_PRIVATE = 2, MAP_SHARED = 1, MAP_ANON = 0x20;
const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_CMP_REQUEUE = 4, FUTEX_LOCK_PI = 6, FUTEX_WAKE_OP = 5, FUTEX_WAIT_BITSET = 9,
  FUTEX_CLOCK_REALTIME = 256;

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
function scratch(flags = MAP_PRIVATE): number { return sys(NR.mmap, 0, 4096, PROT_RW, flags | MAP_ANON, -1, 0); }
function put64(va: number, ...v: bigint[]): void {
  v.forEach((x, i) => expect(m.task.um.writeU64(va + 8 * i, BigInt.asUintN(64, x))).toBe(true));
}
const get64 = (va: number): bigint => BigInt.asIntN(64, m.task.um.readU64(va)!);

describe("sleeping, timers, poll and futex with bad arguments", () => {
  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });

  it("nanosleep and clock_nanosleep: EFAULT, EINVAL, EOPNOTSUPP; a zero or past sleep returns at once", () => {
    const ts = scratch();
    expect(sys(NR.nanosleep, WILD, 0)).toBe(-EFAULT);
    put64(ts, -1n, 0n);
    expect(sys(NR.nanosleep, ts, 0)).toBe(-EINVAL);
    put64(ts, 0n, 1_000_000_000n);
    expect(sys(NR.nanosleep, ts, 0)).toBe(-EINVAL);
    put64(ts, 0n, 0n);
    expect(sys(NR.nanosleep, ts, 0)).toBe(0);
    expect(sys(NR.clock_nanosleep, 99, 0, ts, 0)).toBe(-EINVAL);
    expect(sys(NR.clock_nanosleep, 3, 0, ts, 0)).toBe(-EOPNOTSUPP);    // CLOCK_THREAD_CPUTIME_ID (glibc: EINVAL)
    expect(sys(NR.clock_nanosleep, 4, 0, ts, 0)).toBe(-EOPNOTSUPP);    // CLOCK_MONOTONIC_RAW: no nsleep
    expect(sys(NR.clock_nanosleep, 1, 0, WILD, 0)).toBe(-EFAULT);
    expect(sys(NR.clock_nanosleep, 0, 1, ts, 0)).toBe(0);              // TIMER_ABSTIME at the epoch: long past
    expect(sys(NR.restart_syscall)).toBe(-EINTR);                      // nothing to restart
  });

  it("setitimer checks the new value before `which`; getitimer reads back the time left", () => {
    const it = scratch(), old = it + 64;
    expect(sys(NR.setitimer, 0, WILD, 0)).toBe(-EFAULT);
    put64(it, 0n, 0n, 0n, 1_000_000n);                                 // tv_usec out of range
    expect(sys(NR.setitimer, 5, it, 0)).toBe(-EINVAL);
    put64(it, 0n, 0n, 2n, 500n);
    expect(sys(NR.setitimer, 5, it, 0)).toBe(-EINVAL);
    expect(sys(NR.getitimer, 3, old)).toBe(-EINVAL);
    expect(sys(NR.setitimer, 0, it, 0)).toBe(0);
    expect(sys(NR.setitimer, 0, it, WILD)).toBe(-EFAULT);               // armed anyway, then the copy fails
    expect(sys(NR.getitimer, 0, old)).toBe(0);
    expect(get64(old + 16)).toBe(2n);                                  // no time passed outside the run loop
    expect(sys(NR.getitimer, 0, WILD)).toBe(-EFAULT);
    expect(sys(NR.setitimer, 0, 0, old)).toBe(0);                      // NULL disarms, old value stored
    expect([get64(old + 16), get64(old + 24)]).toEqual([2n, 500n]);
    expect(sys(NR.getitimer, 0, old)).toBe(0);
    expect([get64(old + 16), get64(old + 24)]).toEqual([0n, 0n]);
  });

  it("ppoll: EINVAL for too many descriptors, a bad timeout or sigset size; POLLNVAL; timeout 0 returns 0", () => {
    const buf = scratch(), fds = buf, ts = buf + 256, mask = buf + 512;
    expect(sys(NR.pipe2, buf + 1024, 0)).toBe(0);
    const rd = m.task.um.readU32(buf + 1024)!, wr = m.task.um.readU32(buf + 1028)!;
    expect(sys(NR.ppoll, fds, 1 << 20, 0, 0, 8)).toBe(-EINVAL);
    expect(sys(NR.ppoll, fds, 1, WILD, 0, 8)).toBe(-EFAULT);
    put64(ts, 0n, -1n);
    expect(sys(NR.ppoll, fds, 1, ts, 0, 8)).toBe(-EINVAL);
    put64(ts, 0n, 0n);
    expect(sys(NR.ppoll, fds, 1, ts, mask, 4)).toBe(-EINVAL);
    expect(sys(NR.ppoll, WILD, 1, ts, 0, 8)).toBe(-EFAULT);
    // { rd, POLLIN }, { wr, POLLOUT }, { 77, POLLIN }, { -1, POLLIN }
    const entry = (fd: number, ev: number): bigint => BigInt(fd >>> 0) | (BigInt(ev) << 32n);
    put64(fds, entry(rd, POLLIN), entry(wr, POLLOUT), entry(77, POLLIN), entry(-1, POLLIN));
    expect(sys(NR.ppoll, fds, 4, ts, 0, 8)).toBe(2);
    const revents = [0, 1, 2, 3].map((i) => m.task.um.readU32(fds + 8 * i + 4)! >>> 16);
    expect(revents).toEqual([0, POLLOUT, POLLNVAL, 0]);
  });

  it("pselect6: EINVAL for a negative count, EBADF for a closed descriptor in a set", () => {
    const buf = scratch(), set = buf, ts = buf + 256;
    put64(ts, 0n, 0n);
    expect(sys(NR.pselect6, -1, 0, 0, 0, ts, 0)).toBe(-EINVAL);
    put64(set, 1n << 40n);
    expect(sys(NR.pselect6, 41, set, 0, 0, ts, 0)).toBe(-EBADF);
    put64(set, 1n << 1n);                                              // stdout: always writable
    expect(sys(NR.pselect6, 2, 0, set, 0, ts, 0)).toBe(1);
    expect(sys(NR.pselect6, 2, 0, set, 0, ts, WILD)).toBe(-EFAULT);
  });

  it("futex: EAGAIN, EINVAL, EFAULT, ENOSYS and ETIMEDOUT, in Linux's order", () => {
    const w = scratch(MAP_SHARED), ts = scratch();
    m.task.um.writeU32(w, 5);
    expect(sys(NR.futex, w, FUTEX_WAIT, 4, 0, 0, 0)).toBe(-EAGAIN);
    expect(sys(NR.futex, w + 2, FUTEX_WAIT, 5, 0, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.futex, WILD, FUTEX_WAIT, 5, 0, 0, 0)).toBe(-EFAULT);
    expect(sys(NR.futex, w, FUTEX_WAIT, 5, WILD, 0, 0)).toBe(-EFAULT);
    put64(ts, 0n, 2_000_000_000n);
    expect(sys(NR.futex, w, FUTEX_WAIT, 5, ts, 0, 0)).toBe(-EINVAL);
    expect(sys(NR.futex, w, FUTEX_WAIT_BITSET, 5, 0, 0, 0)).toBe(-EINVAL);        // bitset 0
    expect(sys(NR.futex, w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0)).toBe(-ENOSYS);
    expect(sys(NR.futex, w, FUTEX_WAKE_OP, 1, 0, 0, 0)).toBe(-EFAULT);             // uaddr2 NULL
    expect(sys(NR.futex, w, FUTEX_WAKE_OP, 1, 0, w + 4, 0x7000_0000)).toBe(-ENOSYS);  // op 7 unknown
    expect(sys(NR.futex, w, FUTEX_LOCK_PI, 1, 0, 0, 0)).toBe(-ENOSYS);
    expect(sys(NR.futex, w, FUTEX_WAKE, 1, 0, 0, 0)).toBe(0);
    expect(sys(NR.futex, WILD, FUTEX_WAKE, 1, 0, 0, 0)).toBe(-EFAULT);            // shared: needs the page
    expect(sys(NR.futex, WILD, FUTEX_WAKE | 128, 1, 0, 0, 0)).toBe(0);            // private: only access_ok
    expect(sys(NR.mprotect, w, 4096, 0)).toBe(0);
    expect(sys(NR.futex, w, FUTEX_WAKE, 1, 0, 0, 0)).toBe(-EFAULT);               // PROT_NONE
    expect(sys(NR.mprotect, w, 4096, PROT_RW)).toBe(0);
    expect(sys(NR.futex, w, FUTEX_CMP_REQUEUE, 1, 1, w + 4, 4)).toBe(-EAGAIN);
    expect(sys(NR.futex, w, FUTEX_CMP_REQUEUE, -1, 1, w + 4, 5)).toBe(-EINVAL);
    put64(ts, 0n, 0n);                                                // a zero timeout has expired already
    expect(sys(NR.futex, w, FUTEX_WAIT, 5, ts, 0, 0)).toBe(-ETIMEDOUT);
    expect(sys(NR.futex, w, FUTEX_WAIT_BITSET, 5, ts, 0, 0xFFFF_FFFF)).toBe(-ETIMEDOUT);  // absolute: long past
  });

  it("futex FUTEX_WAKE_OP: changes the second word, wakes the first's waiters, the second's if the old value passed", () => {
    const w = scratch(), q = m.procs.futexes, t = m.task;
    const key = (a: number) => ({ object: t.map, offset: a });
    // FUTEX_OP(op, oparg, cmp, cmparg) = op << 28 | cmp << 24 | oparg << 12 | cmparg
    const encode = (op: number, oparg: number, cmp: number, cmparg: number) =>
      ((op << 28) | (cmp << 24) | ((oparg & 0xFFF) << 12) | (cmparg & 0xFFF)) >>> 0;
    const PRIVATE = 128, OP_ADD = 1, OP_OR = 2, OPARG_SHIFT = 8, CMP_EQ = 0, CMP_GT = 4;
    t.um.writeU32(w + 4, 10);
    const a = q.enqueue(t, key(w), 0xFFFF_FFFF);
    expect(sys(NR.futex, w, FUTEX_WAKE_OP | PRIVATE, 1, 1, w + 4, encode(OP_ADD, -3, CMP_EQ, 9))).toBe(1);
    expect(a.woken).toBe(true);
    expect(t.um.readU32(w + 4)).toBe(7);                                         // 10 + (-3)
    q.finish(t);
    const b = q.enqueue(t, key(w + 4), 0xFFFF_FFFF);
    // old value 7 > 6: the second futex's waiter is woken too (none waits on the first)
    expect(sys(NR.futex, w, FUTEX_WAKE_OP | PRIVATE, 1, 1, w + 4, encode(OP_OR | OPARG_SHIFT, 4, CMP_GT, 6))).toBe(1);
    expect(b.woken).toBe(true);
    expect(t.um.readU32(w + 4)).toBe(7 | 16);                                    // oparg 4 shifted: 1 << 4
    q.finish(t);
    expect(sys(NR.futex, w, FUTEX_WAKE_OP | PRIVATE, 1, 1, w + 4, encode(OP_ADD, 1, 9, 0))).toBe(-ENOSYS);  // cmp 9
    expect(t.um.readU32(w + 4)).toBe(24);                                        // changed before the comparison
  });
});

const bin = new URL("../../../guest/bin/timers", import.meta.url).pathname;
const run = (args: string[], o: Record<string, unknown> = {}) =>
  runGuest({ path: bin, elf: readFileSync(bin), args, mem: "64M", ...o });

describe("time passing while tasks sleep (the timers guest)", () => {
  it("an alarm fires while the only task sleeps in pause: the CPU idles to it, outside the cycle count", () => {
    const r = run(["alarm"]);
    expect(r.stdout).toMatch(/^alarm: pause returned -1 errno EINTR after about 1 s, alarms 1\n/);
    expect(r.counters["idle_cycles"]).toBeGreaterThan(900_000_000);
    expect(r.counters["cycles"]).toBeLessThan(100_000_000);
  });

  it("a sleep interrupted by a signal returns EINTR with the time left", () => {
    const r = run(["eintr"]);
    expect(r.stdout).toBe("child: nanosleep(10 s) returned -1 errno EINTR, 9-10 s left, usr1 1\nparent: child exited 0\n");
  });

  it("a futex in a MAP_SHARED page is shared by a parent and its forked child", () => {
    const r = run(["futex"]);
    expect(r.stdout).toMatch(/parent: woke 1\nchild: futex wait returned 0, word 7\nparent: child exited 0\n/);
    expect(r.exitCode).toBe(0);
  });

  it("interval timers, poll and select give qemu-riscv64's output", () => {
    expect(run(["itimer"]).stdout).toMatch(/3 SIGALRMs[^]*ITIMER_VIRTUAL fired once after spinning \(many iterations\)\n$/);
    expect(run(["poll"]).stdout).toMatch(/revents 0 0x4 0x20\n[^]*waited\n[^]*revents 0x1\n[^]*revents 0x11\n[^]*revents 0x10\n/);
  });

  it("a spinning guest is killed by its own SIGALRM (LTP's watchdog)", () => {
    const r = run(["watchdog"]);
    expect(r.exitCode).toBe(128 + 14);
    expect(r.message).toMatch(/SIGALRM/);
  });

  it("gives the same output on every kind of machine (its instruction count follows each machine's speed)", () => {
    const outs = ["riscv-sv39", "x86-64", "mips-r4000"].map((arch) => run(["all"], { arch }).stdout);
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
  });

  it("is deterministic: the same run twice gives the same cycles, idle cycles and counters", () => {
    const a = run(["all"]), b = run(["all"]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.counters).toEqual(b.counters);
  });
});

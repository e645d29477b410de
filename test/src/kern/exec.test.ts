// execve and execveat below the guest: the address space replaced (a vfork parent's kept), close-on-exec
// descriptors closed, caught handlers reset while ignored ones, the mask and pending signals stay, the new stack
// (argv, envp, AT_EXECFN, AT_RANDOM), "#!" scripts and their nesting limit, and Linux's errors, after which the
// caller's program is untouched. The guests' own view (fork, vfork, pipes, scripts against qemu-riscv64) is in
// test/diff/qemu.test.ts (forkexec).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { A0, A1, A2, A7, program } from "../helpers/rv.js";
import { BufferIo, loadedMachine, testConfig } from "../helpers/machine.js";
import { MemFile, MemLink, type MemDir } from "../../../src/fs/memfs.js";
import { AT_EXECFN, AT_RANDOM } from "../../../src/loader/stack.js";
import { fileTable } from "../../../src/bsd/files.js";
import { parseInterpreterLine } from "../../../src/bsd/sys_exec.js";
import { SIGHUP, SIGTERM, SIGUSR1, SIGUSR2, SIG_DFL, SIG_IGN, SS_DISABLE, TaskTerminated, sendSignal, sigbit } from "../../../src/kern/signal.js";
import { Machine } from "../../../src/boot/machine.js";
import { parseElf } from "../../../src/loader/elf.js";
import type { Task } from "../../../src/kern/task.js";
import { runGuest } from "../../../src/index.js";

const E2BIG = 7, EACCES = 13, EFAULT = 14, ENOENT = 2, ENOEXEC = 8, ELOOP = 40, ENAMETOOLONG = 36, ENOTDIR = 20,
  EINVAL = 22, EBADF = 9;
const SYS_OPENAT = 56, SYS_CLONE = 220, SYS_EXECVE = 221, SYS_EXECVEAT = 281;
const AT_FDCWD = -100, O_CLOEXEC = 0o2000000, AT_EMPTY_PATH = 0x1000;
const enc = new TextEncoder();

/** A program that writes `text` to stdout and exits with `status`. */
function writer(text: string, status: number): Uint8Array {
  const at = 0x20000;
  return program((a) => {
    a.pcrel(A1, at).li(A0, 1).li(A2, text.length).li(A7, 64).ecall().exit(status);
  }, { vaddr: at, bytes: enc.encode(text) });
}

const caller = program((a) => { a.exit(0); });

function addFile(m: Machine, name: string, data: Uint8Array | string, mode = 0o755): MemFile {
  const f = new MemFile(m.fs, m.fs.allocIno(), mode);
  f.write(0, typeof data === "string" ? enc.encode(data) : data);
  (m.fs.root as MemDir).link(name, f);
  return f;
}

/** Guest memory for strings and pointer arrays: far below the caller's initial stack pointer. */
class Scratch {
  private at: number;
  constructor(private readonly t: () => Task, sp: number) { this.at = sp - 0x100000; }
  str(s: string | Uint8Array): number {
    const b = typeof s === "string" ? enc.encode(s) : s;
    const va = this.at;
    expect(this.t().um.copyout(va, Uint8Array.from([...b, 0]))).toBe(true);
    this.at += (b.length + 16) & ~7;
    return va;
  }
  ptrs(list: number[]): number {
    const va = this.at;
    const b = new Uint8Array(8 * (list.length + 1));
    const dv = new DataView(b.buffer);
    list.forEach((p, i) => dv.setBigUint64(8 * i, BigInt(p), true));
    expect(this.t().um.copyout(va, b)).toBe(true);
    this.at += b.length + 8;
    return va;
  }
  strings(list: string[]): number { return this.ptrs(list.map((s) => this.str(s))); }
}

function setup(elf = caller) {
  const r = loadedMachine(elf);
  const mem = new Scratch(() => r.m.current, r.exec.sp);
  return { ...r, mem };
}

/** argv, envp and the auxiliary vector at the new stack pointer. */
function startImage(t: Task, sp: number) {
  const um = t.um;
  const str = (va: number) => new TextDecoder().decode(um.peekString(va, 4096)!.bytes);
  const argc = Number(um.readU64(sp)!);
  const argv = Array.from({ length: argc }, (_, i) => str(Number(um.readU64(sp + 8 + 8 * i)!)));
  let at = sp + 8 * (argc + 2);
  const envp: string[] = [];
  for (; um.readU64(at) !== 0n; at += 8) envp.push(str(Number(um.readU64(at)!)));
  at += 8;
  const aux = new Map<number, number>();
  for (; um.readU64(at) !== 0n; at += 16) aux.set(Number(um.readU64(at)!), Number(um.readU64(at + 8)!));
  return { argv, envp, aux, execfn: str(aux.get(AT_EXECFN)!), random: um.peek(aux.get(AT_RANDOM)!, 16)! };
}

describe("execve replaces the program", () => {
  it("a fresh map and pmap, the old one released; argv, envp, AT_EXECFN and the new program runs", () => {
    const { m, io, mem } = setup();
    addFile(m, "prog", writer("new program\n", 3));
    const old = m.task.map;
    const faultsBefore = m.counters()["page_faults_kernel"]!;
    const r = m.syscall(SYS_EXECVE, mem.str("/prog"), mem.strings(["argv0", "one", ""]), mem.strings(["A=1", "B="]));
    expect(r).toBe(0n);
    expect(m.task.map).not.toBe(old);
    expect(old.refCount).toBe(0);
    expect(m.task.exePath).toBe("/prog");
    expect(m.task.brk).toBe(m.task.brkStart);
    const sp = Number(m.wasm.getX(2));
    const img = startImage(m.task, sp);
    expect(img.argv).toEqual(["argv0", "one", ""]);
    expect(img.envp).toEqual(["A=1", "B="]);
    expect(img.execfn).toBe("/prog");
    for (let i = 1; i < 32; i++) if (i !== 2) expect(m.wasm.getX(i)).toBe(0n);
    // building the new stack faulted its pages in, counted as the kernel's faults
    expect(m.counters()["page_faults_kernel"]!).toBeGreaterThan(faultsBefore);
    const res = m.run();
    expect(io.out).toBe("new program\n");
    expect(res.exitCode).toBe(3);
  });

  it("passes argument bytes unchanged and gives an empty argv an empty argv[0]; AT_RANDOM comes from the seed", () => {
    const { m, mem } = setup();
    addFile(m, "prog", writer("", 0));
    const bytes = Uint8Array.from([0xFF, 0xC3, 0x28]);   // not UTF-8
    m.syscall(SYS_EXECVE, mem.str("prog"), 0, mem.ptrs([mem.str(bytes)]));
    const sp = Number(m.wasm.getX(2));
    const argc = Number(m.task.um.readU64(sp)!);
    expect(argc).toBe(1);
    expect(m.task.um.peekString(Number(m.task.um.readU64(sp + 8)!), 16)!.bytes).toEqual(new Uint8Array(0));
    const env0 = Number(m.task.um.readU64(sp + 24)!);
    expect(m.task.um.peekString(env0, 16)!.bytes).toEqual(bytes);
    const again = setup();
    addFile(again.m, "prog", writer("", 0));
    again.m.syscall(SYS_EXECVE, again.mem.str("prog"), 0, 0);
    const r1 = startImage(m.task, sp).random, r2 = startImage(again.m.task, Number(again.m.wasm.getX(2))).random;
    expect(r1).toEqual(r2);
  });

  it("closes close-on-exec descriptors and keeps the others", () => {
    const { m, mem } = setup();
    addFile(m, "prog", writer("", 0));
    addFile(m, "data", "x", 0o644);
    const keep = Number(m.syscall(SYS_OPENAT, AT_FDCWD, mem.str("/data"), 0));
    const drop = Number(m.syscall(SYS_OPENAT, AT_FDCWD, mem.str("/data"), O_CLOEXEC));
    expect(keep).toBeGreaterThan(2);
    expect(drop).toBeGreaterThan(keep);
    expect(m.syscall(SYS_EXECVE, mem.str("/prog"), 0, 0)).toBe(0n);
    expect(fileTable(m.task).get(keep)).toBeDefined();
    expect(fileTable(m.task).get(drop)).toBeUndefined();
  });

  it("resets caught handlers, keeps ignored ones, the mask and pending signals; clears the alternate stack", () => {
    const { m, mem } = setup();
    addFile(m, "prog", writer("", 0));
    const s = m.task.signals;
    s.actions[SIGUSR1] = { handler: 0x10400n, flags: 0x10000000, mask: sigbit(SIGTERM) };
    s.actions[SIGUSR2] = { handler: SIG_IGN, flags: 0x10000000, mask: 0n };
    s.setBlocked(sigbit(SIGHUP));
    sendSignal(m.task, SIGHUP, { code: 0, detail: "test" });
    s.altstack = { sp: 0x30000n, size: 8192n, flags: 0 };
    expect(m.syscall(SYS_EXECVE, mem.str("/prog"), 0, 0)).toBe(0n);
    const after = m.task.signals;
    expect(after.actions[SIGUSR1]).toEqual({ handler: SIG_DFL, flags: 0, mask: 0n });
    expect(after.actions[SIGUSR2]).toEqual({ handler: SIG_IGN, flags: 0, mask: 0n });
    expect(after.blocked).toBe(sigbit(SIGHUP));
    expect(after.pendingMask & sigbit(SIGHUP)).not.toBe(0n);
    expect(after.altstack.flags).toBe(SS_DISABLE);
  });

  it("a vfork child's exec leaves the parent its map and resumes it", () => {
    const { m, mem } = setup();
    addFile(m, "prog", writer("", 0));
    const parent = m.task, shared = parent.map;
    const entries = shared.entries.length;
    const pid = Number(m.syscall(SYS_CLONE, 0x4000 | 0x100 | 17, 0, 0, 0, 0));
    const child = m.procs.byPid.get(pid)!;
    expect(child.map).toBe(shared);
    expect(shared.refCount).toBe(2);
    expect(parent.state).toBe("vfork");
    const ctx = { task: child, io: { read: () => new Uint8Array(0), write: () => {} }, random: m.random, regs: m.wasm,
      cycles: () => 0n, procs: m.procs, newMap: (p: number) => m.newMap(p) };
    expect(m.syscalls.dispatch(ctx, SYS_EXECVE, [BigInt(mem.str("/prog")), 0n, 0n, 0n, 0n, 0n])).toBe(0n);
    expect(child.map).not.toBe(shared);
    expect(parent.map).toBe(shared);
    expect(shared.refCount).toBe(1);
    expect(shared.entries.length).toBe(entries);
    expect(parent.state).toBe("run");
    expect(child.vforkParent).toBeNull();
    expect(child.execed).toBe(true);
    expect(m.syscall(154, pid, pid)).toBe(-13n);   // setpgid on a child that has execed: EACCES (kernel/sys.c)
  });

  it("--strace shows the path the caller passed, read before its memory is replaced", () => {
    const lines: string[] = [];
    const m = new Machine(testConfig(), { io: new BufferIo(), strace: (l) => lines.push(l) });
    const exec = m.load(parseElf(caller), { argv: ["/c"], envp: [], execfn: "/c", exePath: "/c" });
    addFile(m, "prog", writer("", 0));
    const mem = new Scratch(() => m.current, exec.sp);
    expect(m.syscall(SYS_EXECVE, mem.str("/prog"), 0, 0)).toBe(0n);
    expect(lines).toEqual(['execve("/prog", NULL, NULL) = 0']);
  });

  it("without translation: a task execs in place; a vfork child cannot (its parent's memory is where it would go)", () => {
    const { m, io, exec } = loadedMachine(writer("old\n", 1), { arch: "bare", config: { ramBytes: 256 << 20 } });
    const mem = new Scratch(() => m.current, exec.sp);
    addFile(m, "prog", writer("new\n", 3));
    const path = mem.str("/prog");
    const pid = Number(m.syscall(SYS_CLONE, 0x4000 | 0x100 | 17, 0, 0, 0, 0));
    const child = m.procs.byPid.get(pid)!;
    const ctx = { task: child, io, random: m.random, regs: m.wasm, cycles: () => 0n, procs: m.procs,
      newMap: (p: number) => m.newMap(p) };
    expect(m.syscalls.dispatch(ctx, SYS_EXECVE, [BigInt(path), 0n, 0n, 0n, 0n, 0n])).toBe(-12n);   // ENOMEM
    expect(child.map).toBe(m.task.map);
    expect(m.checkInvariants()).toEqual([]);
    m.procs.exit(child, TaskTerminated.byExit(0));
    expect(m.syscall(SYS_EXECVE, path, 0, 0)).toBe(0n);
    expect(m.checkInvariants()).toEqual([]);
    const r = m.run();
    expect(io.out).toBe("new\n");
    expect(r.exitCode).toBe(3);
  });

  it("a program that cannot be placed once the old one is gone kills the task with SIGSEGV", () => {
    const { m, mem } = setup();
    const bad = program((a) => { a.exit(0); }, { vaddr: 2 ** 40, bytes: enc.encode("far") });
    addFile(m, "far", bad);
    let caught: unknown;
    try { m.syscall(SYS_EXECVE, mem.str("/far"), 0, 0); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(TaskTerminated);
    expect((caught as TaskTerminated).signal).toBe(11);
  });
});

describe("execve errors leave the caller as it was", () => {
  const cases: [string, (m: Machine, mem: Scratch) => bigint, number][] = [
    ["missing file", (m, mem) => m.syscall(SYS_EXECVE, mem.str("/nope"), 0, 0), ENOENT],
    ["empty path", (m, mem) => m.syscall(SYS_EXECVE, mem.str(""), 0, 0), ENOENT],
    ["directory", (m, mem) => m.syscall(SYS_EXECVE, mem.str("/tmp"), 0, 0), EACCES],
    ["no execute permission", (m, mem) => { addFile(m, "rw", writer("", 0), 0o644); return m.syscall(SYS_EXECVE, mem.str("/rw"), 0, 0); }, EACCES],
    ["not an executable", (m, mem) => { addFile(m, "txt", "hello\n"); return m.syscall(SYS_EXECVE, mem.str("/txt"), 0, 0); }, ENOEXEC],
    ["empty file", (m, mem) => { addFile(m, "zero", ""); return m.syscall(SYS_EXECVE, mem.str("/zero"), 0, 0); }, ENOEXEC],
    ["another machine's ELF", (m, mem) => {
      const elf = writer("", 0).slice();
      elf[18] = 62;   // e_machine EM_X86_64
      addFile(m, "x86", elf);
      return m.syscall(SYS_EXECVE, mem.str("/x86"), 0, 0);
    }, ENOEXEC],
    ["trailing slash on a file", (m, mem) => { addFile(m, "p", writer("", 0)); return m.syscall(SYS_EXECVE, mem.str("/p/"), 0, 0); }, ENOTDIR],
    ["symbolic link loop", (m, mem) => {
      (m.fs.root as MemDir).link("l1", new MemLink(m.fs, m.fs.allocIno(), "/l2"));
      (m.fs.root as MemDir).link("l2", new MemLink(m.fs, m.fs.allocIno(), "/l1"));
      return m.syscall(SYS_EXECVE, mem.str("/l1"), 0, 0);
    }, ELOOP],
    ["bad path pointer", (m) => m.syscall(SYS_EXECVE, 16, 0, 0), EFAULT],
    ["bad argv pointer", (m, mem) => { addFile(m, "p", writer("", 0)); return m.syscall(SYS_EXECVE, mem.str("/p"), 16, 0); }, EFAULT],
    ["bad string in envp", (m, mem) => { addFile(m, "p", writer("", 0)); return m.syscall(SYS_EXECVE, mem.str("/p"), 0, mem.ptrs([16])); }, EFAULT],
    ["argument longer than MAX_ARG_STRLEN", (m, mem) => {
      addFile(m, "p", writer("", 0));
      return m.syscall(SYS_EXECVE, mem.str("/p"), mem.ptrs([mem.str("a".repeat(131072))]), 0);
    }, E2BIG],
    ["arguments beyond a quarter of RLIMIT_STACK", (m, mem) => {
      addFile(m, "p", writer("", 0));
      const s = mem.str("b".repeat(131071));
      return m.syscall(SYS_EXECVE, mem.str("/p"), mem.ptrs(Array(17).fill(s)), 0);
    }, E2BIG],
    ["name longer than NAME_MAX", (m, mem) => m.syscall(SYS_EXECVE, mem.str("/" + "n".repeat(256)), 0, 0), ENAMETOOLONG],
    ["execveat: unknown flags", (m, mem) => m.syscall(SYS_EXECVEAT, AT_FDCWD, mem.str("/p"), 0, 0, 0x4), EINVAL],
    ["execveat: bad dirfd", (m, mem) => m.syscall(SYS_EXECVEAT, 77, mem.str("p"), 0, 0, 0), EBADF],
    ["execveat: AT_EMPTY_PATH on a directory", (m, mem) => {
      const fd = Number(m.syscall(SYS_OPENAT, AT_FDCWD, mem.str("/tmp"), 0o200000));
      return m.syscall(SYS_EXECVEAT, fd, mem.str(""), 0, 0, AT_EMPTY_PATH);
    }, EACCES],
    ["execveat: AT_SYMLINK_NOFOLLOW on a link", (m, mem) => {
      addFile(m, "p", writer("", 0));
      (m.fs.root as MemDir).link("lp", new MemLink(m.fs, m.fs.allocIno(), "/p"));
      return m.syscall(SYS_EXECVEAT, AT_FDCWD, mem.str("/lp"), 0, 0, 0x100);
    }, ELOOP],
  ];
  for (const [what, call, errno] of cases) {
    it(what, () => {
      const { m, mem } = setup(writer("still here\n", 9));
      const map = m.task.map;
      expect(call(m, mem)).toBe(BigInt(-errno));
      expect(m.task.map).toBe(map);
      const r = m.run();
      expect(r.exitCode).toBe(9);
    });
  }
});

describe("#! scripts", () => {
  it("the interpreter gets its argument and the script's name in place of argv[0]; AT_EXECFN stays the script", () => {
    const { m, mem } = setup();
    addFile(m, "interp", writer("", 0));
    addFile(m, "script", "#!  /interp  -x  y \t\nbody\n");
    expect(m.syscall(SYS_EXECVE, mem.str("/script"), mem.strings(["s0", "a1"]), 0)).toBe(0n);
    const img = startImage(m.task, Number(m.wasm.getX(2)));
    expect(img.argv).toEqual(["/interp", "-x  y", "/script", "a1"]);
    expect(img.execfn).toBe("/script");
    expect(m.task.exePath).toBe("/interp");
  });

  it("five nested scripts run, a sixth is ELOOP (Linux 6.x exec_binprm)", () => {
    const { m, mem } = setup(writer("", 4));
    addFile(m, "interp", writer("", 0));
    addFile(m, "s0", "#!/interp\n");
    for (let i = 1; i <= 5; i++) addFile(m, `s${i}`, `#!/s${i - 1}\n`);
    const map = m.task.map;
    expect(m.syscall(SYS_EXECVE, mem.str("/s5"), 0, 0)).toBe(BigInt(-ELOOP));
    expect(m.task.map).toBe(map);
    expect(m.syscall(SYS_EXECVE, mem.str("/s4"), mem.strings(["x"]), 0)).toBe(0n);
    const img = startImage(m.task, Number(m.wasm.getX(2)));
    expect(img.argv).toEqual(["/interp", "/s0", "/s1", "/s2", "/s3", "/s4"]);
  });

  it("parses the #! line as binfmt_script does", () => {
    const buf = (s: string) => { const b = new Uint8Array(256); b.set(enc.encode(s)); return b; };
    const dec = (r: ReturnType<typeof parseInterpreterLine>) =>
      typeof r === "object" ? [new TextDecoder().decode(r.name), r.arg && new TextDecoder().decode(r.arg)] : r;
    expect(dec(parseInterpreterLine(buf("#!/bin/sh\n")))).toEqual(["/bin/sh", undefined]);
    expect(dec(parseInterpreterLine(buf("#! /bin/sh -e -x \n")))).toEqual(["/bin/sh", "-e -x"]);
    expect(dec(parseInterpreterLine(buf("#!/bin/sh")))).toEqual(["/bin/sh", undefined]);
    expect(parseInterpreterLine(buf("#!\n"))).toBe(-ENOEXEC);
    expect(parseInterpreterLine(buf("#!   \t\n"))).toBe(-ENOEXEC);
    expect(parseInterpreterLine(buf("\x7fELF"))).toBeUndefined();
    // no newline in the buffer and the name runs to its end: it may be truncated
    expect(parseInterpreterLine(enc.encode("#!/" + "a".repeat(253)))).toBe(-ENOEXEC);
    // no newline, but the name ends: the argument may be cut, that is fine
    expect(dec(parseInterpreterLine(enc.encode("#!/i " + "b".repeat(251))))).toEqual(["/i", "b".repeat(250)]);
  });
});

describe("execve from a guest", () => {
  it("the forkexec guest: fork, vfork, scripts, errors and a pipeline, on every kind of machine", () => {
    const bin = new URL("../../../guest/bin/", import.meta.url).pathname;
    const outs = ["riscv-sv39", "x86-64", "mips-r4000"].map((arch) => runGuest({
      path: `${bin}forkexec`, elf: readFileSync(`${bin}forkexec`), args: ["/guestbin/forkexec"], mounts: [`${bin}:/guestbin`],
      arch, mem: "64M",
    }));
    for (const r of outs) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe(outs[0]!.stdout);
    }
    const r = outs[0]!;
    expect(r.stdout).toMatch(/vfork\+exec: the exec'd child read what the resumed parent wrote, exited 0\n/);
    expect(r.stdout).toMatch(/100\n99\n98\npipeline statuses: 0 0 0\nforkexec done\n$/);
    expect(r.counters["task_exits"]).toBe(r.counters["forks"]! + 1);
  });
});

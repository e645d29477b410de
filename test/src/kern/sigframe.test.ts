// The riscv64 signal frame field by field (offsets from the uapi headers, shared reference linux_riscv64_abi.md
// §3–4), the registers a handler starts with, rt_sigreturn's restore and validation, the trampoline page, and a
// handler run end to end by the interpreter.

import { beforeEach, describe, expect, it } from "vitest";
import { A0, A1, A2, A7, program, RA, S2, SP, T0, TEXT_BASE, HEADER_ROOM } from "../helpers/rv.js";
import { BufferIo, loadedMachine, testConfig } from "../helpers/machine.js";
import { Machine } from "../../../src/boot/machine.js";
import { parseElf } from "../../../src/loader/elf.js";
import { deliverSignals, FRAME, SIGRETURN_CODE } from "../../../src/kern/sigframe.js";
import {
  ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, SA_ONSTACK, SA_RESTART, SA_SIGINFO, SI_KERNEL,
  SI_TKILL, TaskTerminated,
} from "../../../src/kern/signal.js";
import { VM_PROT_EXECUTE, VM_PROT_READ } from "../../../src/vm/vm_prot.js";

const NR = { sigaltstack: 132, rt_sigaction: 134, rt_sigreturn: 139, tgkill: 131, mmap: 222 };
const SIGUSR1 = 10, SIGSEGV = 11;
const HANDLER = 0x12340n;

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): bigint => m.syscall(nr, ...a);
const scratch = (len = 4096): number => Number(sys(NR.mmap, 0, len, 3, 0x22, -1, 0));
const u64 = (va: number): bigint => m.task.um.readU64(va)!;
const u32 = (va: number): number => m.task.um.readU32(va)!;
const i32 = (va: number): number => u32(va) | 0;
const align16 = (v: number): number => Math.floor(v / 16) * 16;

/** Installs `handler` for sig through rt_sigaction, as glibc would. */
function sigaction(sig: number, handler: bigint, flags = SA_SIGINFO, mask = 0n): void {
  const act = scratch();
  m.task.um.writeU64(act, handler);
  m.task.um.writeU64(act + 8, BigInt(flags));
  m.task.um.writeU64(act + 16, mask);
  expect(sys(NR.rt_sigaction, sig, act, 0, 8)).toBe(0n);
}

/** Distinct, recognisable values in every register. */
function fillRegisters(sp: bigint): void {
  const w = m.wasm;
  for (let r = 1; r < 32; r++) w.setX(r, 0x1000_0000_0000n * BigInt(r) + BigInt(r));
  w.setX(SP, sp);
  for (let r = 0; r < 32; r++) w.setF(r, 0x4000_0000_0000_0000n + BigInt(r));
  w.fcsr = 0b011_10101;   // frm = RUP, some flags
  w.pc = 0x10abcn;
}

describe("rt_sigframe layout", () => {
  let stack: number;
  beforeEach(() => {
    ({ m } = loadedMachine(program((a) => a.exit(0))));
    stack = scratch(16 * 4096) + 16 * 4096 - 0x28;   // not 16-byte aligned on purpose
  });

  it("uses the offsets of the uapi headers", () => {
    expect(FRAME.UC).toBe(128);
    expect(FRAME.UC_SIGMASK).toBe(128 + 40);
    expect(FRAME.MCONTEXT).toBe(304);
    expect(FRAME.SC_REGS + 8 * 10).toBe(384);        // a0
    expect(FRAME.SC_FPREGS).toBe(304 + 256);
    expect(FRAME.SC_FCSR).toBe(304 + 512);
    expect(FRAME.SC_RESERVED).toBe(304 + 256 + 516);
    expect(FRAME.SIZE).toBe(128 + 960);
    expect(FRAME.SIZE % 16).toBe(0);
  });

  it("writes every field and points the registers at the handler", () => {
    sigaction(SIGUSR1, HANDLER, SA_SIGINFO, 1n << 11n);
    m.task.signals.blocked = 1n << 1n;                 // SIGINT blocked before: the frame's uc_sigmask
    fillRegisters(BigInt(stack));
    expect(sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1)).toBe(0n);
    const w = m.wasm;
    const f = Number(w.getX(SP));
    expect(f).toBe(align16(stack - FRAME.SIZE));
    expect(w.pc).toBe(HANDLER);
    expect(w.getX(A0)).toBe(BigInt(SIGUSR1));
    expect(w.getX(A1)).toBe(BigInt(f));
    expect(w.getX(A2)).toBe(BigInt(f + 128));
    expect(w.getX(RA)).toBe(BigInt(m.task.signals.sigpage));
    expect(w.getX(T0)).toBe(0x1000_0000_0000n * 5n + 5n);   // other registers keep their values
    // siginfo: signo, errno, code, si_pid, si_uid
    expect(i32(f + 0)).toBe(SIGUSR1);
    expect(i32(f + 4)).toBe(0);
    expect(i32(f + 8)).toBe(SI_TKILL);
    expect(i32(f + 16)).toBe(m.task.pid);
    expect(u32(f + 20)).toBe(1000);
    // ucontext: flags, link, stack (disabled), sigmask
    expect(u64(f + 128)).toBe(0n);
    expect(u64(f + 136)).toBe(0n);
    expect(u64(f + 144)).toBe(0n);
    expect(i32(f + 152)).toBe(2);                       // SS_DISABLE
    expect(u64(f + 160)).toBe(0n);
    expect(u64(f + 168)).toBe(1n << 1n);
    // sigcontext: pc, x1..x31, f0..f31, fcsr, reserved, END header
    expect(u64(f + 304)).toBe(0x10abcn);
    for (let r = 1; r < 32; r++) {
      const want = r === SP ? BigInt(stack) : 0x1000_0000_0000n * BigInt(r) + BigInt(r);
      expect(u64(f + 304 + 8 * r), `x${r}`).toBe(want);
    }
    for (let r = 0; r < 32; r++) expect(u64(f + 560 + 8 * r), `f${r}`).toBe(0x4000_0000_0000_0000n + BigInt(r));
    expect(u32(f + 816)).toBe(0b011_10101);
    expect(u32(f + 1076)).toBe(0);
    expect(u32(f + 1080)).toBe(0);
    expect(u32(f + 1084)).toBe(0);
    // The handler runs with its mask and itself blocked on top of the old mask.
    expect(m.task.signals.blocked).toBe((1n << 1n) | (1n << 11n) | (1n << 9n));
  });

  it("rt_sigreturn restores every register, the mask, and returns the saved a0", () => {
    sigaction(SIGUSR1, HANDLER);
    fillRegisters(BigInt(stack));
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
    const w = m.wasm, f = w.getX(SP);
    // The handler scribbles over registers and edits the saved pc and a0.
    for (let r = 1; r < 32; r++) if (r !== SP) w.setX(r, 0xdeadn);
    for (let r = 0; r < 32; r++) w.setF(r, 0xbeefn);
    w.fcsr = 0;
    m.task.um.writeU64(Number(f) + 304, 0x20001n);      // odd pc: sepc bit 0 reads as zero
    m.task.um.writeU64(Number(f) + 384, 0x77n);
    expect(sys(NR.rt_sigreturn)).toBe(0x77n);
    expect(w.pc).toBe(0x20000n);
    for (let r = 1; r < 32; r++) {
      const want = r === SP ? BigInt(stack) : r === A0 ? 0x77n : 0x1000_0000_0000n * BigInt(r) + BigInt(r);
      expect(w.getX(r), `x${r}`).toBe(want);
    }
    for (let r = 0; r < 32; r++) expect(w.getF(r), `f${r}`).toBe(0x4000_0000_0000_0000n + BigInt(r));
    expect(w.fcsr).toBe(0b011_10101);
    expect(m.task.signals.blocked).toBe(0n);
  });

  it.each([
    ["a non-zero reserved word", 1076, 1],
    ["an unknown extension header", 1080, 0x53465457],
    ["an END header with a size", 1084, 8],
  ])("rt_sigreturn rejects %s with SIGSEGV (SI_KERNEL)", (_what, off, value) => {
    sigaction(SIGUSR1, HANDLER);
    sigaction(SIGSEGV, HANDLER + 0x100n);
    fillRegisters(BigInt(stack));
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
    const f = Number(m.wasm.getX(SP));
    m.task.um.writeU32(f + off, value);
    expect(sys(NR.rt_sigreturn)).toBe(0n);
    // The forced SIGSEGV has a handler: it runs, with si_code SI_KERNEL.
    expect(m.wasm.pc).toBe(HANDLER + 0x100n);
    const g = Number(m.wasm.getX(SP));
    expect(i32(g)).toBe(SIGSEGV);
    expect(i32(g + 8)).toBe(SI_KERNEL);
  });

  it("rt_sigreturn with a wild stack pointer kills with SIGSEGV", () => {
    m.wasm.setX(SP, 0xdead_0000n);
    expect(() => sys(NR.rt_sigreturn)).toThrow(/SIGSEGV \(rt_sigreturn: bad frame/);
    m.wasm.setX(SP, (1n << 63n));
    try { sys(NR.rt_sigreturn); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(TaskTerminated);
      expect((e as TaskTerminated).status).toBe(128 + SIGSEGV);
    }
  });

  it.each([[8192, "nests a second frame below the first"], [2048, "kills with SIGSEGV when a nested frame would overflow it"]])(
    "puts the frame at the top of a %i-byte alternate stack with SA_ONSTACK, and %s", (size, _what) => {
      const alt = scratch(8192);
      const ss = scratch();
      m.task.um.writeU64(ss, BigInt(alt));
      m.task.um.writeU64(ss + 8, 0n);
      m.task.um.writeU64(ss + 16, BigInt(size));
      m.wasm.setX(SP, BigInt(stack));
      expect(sys(NR.sigaltstack, ss, 0)).toBe(0n);
      sigaction(SIGUSR1, HANDLER, SA_SIGINFO | SA_ONSTACK);
      sigaction(SIGUSR1 + 2, HANDLER + 0x40n, SA_SIGINFO | SA_ONSTACK);
      fillRegisters(BigInt(stack));
      sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
      const f = Number(m.wasm.getX(SP));
      expect(f).toBe(align16(alt + size - FRAME.SIZE));
      expect(u64(f + 144)).toBe(BigInt(alt));            // uc_stack: the raw sas_ss_* values
      expect(i32(f + 152)).toBe(0);
      expect(u64(f + 160)).toBe(BigInt(size));
      // A second signal while running on the alternate stack goes below the first frame, if it fits.
      if (size === 8192) {
        sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1 + 2);
        expect(Number(m.wasm.getX(SP))).toBe(align16(f - FRAME.SIZE));
        expect(m.wasm.pc).toBe(HANDLER + 0x40n);
      } else {
        expect(() => sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1 + 2))
          .toThrow(/^guest killed by SIGSEGV \(cannot write the signal frame for SIGUSR2/);
      }
    });

  it("maps the trampoline once, read+execute, holding li a7, 139; ecall", () => {
    expect(m.task.signals.sigpage).toBe(0);
    sigaction(SIGUSR1, HANDLER);
    fillRegisters(BigInt(stack));
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
    const page = m.task.signals.sigpage;
    expect(page).toBe(m.task.layout.stackTop);           // the free page above the stack
    const e = m.task.map.lookup(page)!;
    expect(e.protection).toBe(VM_PROT_READ | VM_PROT_EXECUTE);
    expect(e.maxProtection).toBe(VM_PROT_READ | VM_PROT_EXECUTE);
    expect(u32(page)).toBe(SIGRETURN_CODE[0]);
    expect(u32(page + 4)).toBe(SIGRETURN_CODE[1]);
    expect(m.task.um.copyout(page, new Uint8Array(4))).toBe(false);   // not writable
    m.wasm.setX(SP, BigInt(stack));
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);
    expect(m.task.signals.sigpage).toBe(page);
  });
});

describe("a handler run by the interpreter", () => {
  for (const arch of ["riscv-sv39", "bare", "x86-64"] as const) {
    it(`returns through the trampoline and resumes after the system call (${arch})`, () => {
      const DATA = 0x30000;
      // data: struct sigaction at DATA, result word at DATA + 64
      const prog = program((a) => {
        a.j("main");
        a.label("handler");                               // at entry + 4
        a.li(T0, DATA + 64).sd(A0, T0, 0);                // store the signal number
        a.li(S2, 0).li(A0, 99);                           // clobber: sigreturn restores them
        a.jalr(0, RA, 0);
        a.label("main");
        a.li(S2, 100);
        a.syscall(NR.rt_sigaction, SIGUSR1, DATA, 0, 8);
        a.syscall(172);                                   // getpid
        a.addi(A1, A0, 0).addi(A2, 0, SIGUSR1).li(A7, NR.tgkill).ecall();
        // After the handler: a0 is tgkill's 0 again and s2 survived; exit(result + s2 + a0)
        a.li(T0, DATA + 64).ld(A1, T0, 0).add(A0, A0, A1).add(A0, A0, S2).li(A7, 94).ecall();
      }, { vaddr: DATA, bytes: new Uint8Array(128) });
      const { m: mm } = loadedMachine(prog, { arch });
      mm.task.um.writeU64(DATA, BigInt(TEXT_BASE + HEADER_ROOM + 4));
      mm.task.um.writeU64(DATA + 8, BigInt(SA_SIGINFO));
      const r = mm.run();
      expect(r).toMatchObject({ reason: "exit", exitCode: SIGUSR1 + 100 });
    });
  }
});

describe("system-call restart on the way back to user mode", () => {
  const ECALL_PC = 0x10300n;
  const cases: [string, number, number, "restart" | "eintr"][] = [
    ["ERESTARTSYS with SA_RESTART restarts", ERESTARTSYS, SA_RESTART, "restart"],
    ["ERESTARTSYS without SA_RESTART is EINTR", ERESTARTSYS, 0, "eintr"],
    ["ERESTARTNOINTR always restarts", ERESTARTNOINTR, 0, "restart"],
    ["ERESTARTNOHAND is EINTR when a handler runs", ERESTARTNOHAND, SA_RESTART, "eintr"],
    ["ERESTART_RESTARTBLOCK is EINTR when a handler runs", ERESTART_RESTARTBLOCK, SA_RESTART, "eintr"],
  ];
  it.each(cases)("%s", (_what, code, flags, outcome) => {
    ({ m } = loadedMachine(program((a) => a.exit(0))));
    const stack = scratch(4 * 4096) + 4 * 4096;
    sigaction(SIGUSR1, HANDLER, SA_SIGINFO | flags);
    m.task.signals.blocked = 1n << 9n;
    sys(NR.tgkill, m.task.pid, m.task.tid, SIGUSR1);                // pending: blocked
    const w = m.wasm;
    w.setX(SP, BigInt(stack));
    w.pc = ECALL_PC + 4n;                                           // as after the ecall
    w.setX(A0, BigInt(-code));
    m.task.signals.blocked = 0n;
    deliverSignals(m.task, w, { syscall: true, origA0: 0x55n });
    expect(w.pc).toBe(HANDLER);
    const f = Number(w.getX(SP));
    if (outcome === "restart") {
      expect(u64(f + 304)).toBe(ECALL_PC);                          // the saved pc re-executes the ecall
      expect(u64(f + 384)).toBe(0x55n);                             // with the original a0
    } else {
      expect(u64(f + 304)).toBe(ECALL_PC + 4n);
      expect(u64(f + 384)).toBe(BigInt.asUintN(64, -4n));           // -EINTR
    }
  });

  it("with nothing delivered, every restart code restarts; RESTARTBLOCK through restart_syscall", () => {
    ({ m } = loadedMachine(program((a) => a.exit(0))));
    const w = m.wasm;
    for (const code of [ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK]) {
      w.pc = ECALL_PC + 4n;
      w.setX(A0, BigInt(-code));
      w.setX(A7, 999n);
      deliverSignals(m.task, w, { syscall: true, origA0: 0x55n });
      expect(w.pc).toBe(ECALL_PC);
      expect(w.getX(A0)).toBe(0x55n);
      expect(w.getX(A7)).toBe(code === ERESTART_RESTARTBLOCK ? 128n : 999n);
    }
  });
});

describe("--strace", () => {
  it("shows each signal acted on, as strace does, and rt_sigreturn", () => {
    const DATA = 0x30000;
    const prog = program((a) => {
      a.j("main");
      a.label("handler");                                 // entry + 4: returns at once
      a.jalr(0, RA, 0);
      a.label("main");
      a.syscall(NR.rt_sigaction, SIGUSR1, DATA, 0, 8);
      a.syscall(172);
      a.addi(A1, A0, 0).addi(A2, 0, SIGUSR1).li(A7, NR.tgkill).ecall();
      a.li(T0, 0xdead0000).sd(0, T0, 0);                  // then a fatal fault
    }, { vaddr: DATA, bytes: new Uint8Array(64) });
    const lines: string[] = [];
    const mm = new Machine(testConfig(), { io: new BufferIo(), strace: (l) => lines.push(l) });
    mm.load(parseElf(prog), { argv: ["/p"], envp: [], execfn: "/p", exePath: "/p" });
    mm.task.um.writeU64(DATA, BigInt(TEXT_BASE + HEADER_ROOM + 4));
    const r = mm.run();
    expect(r).toMatchObject({ reason: "signal", signal: SIGSEGV });
    expect(lines.slice(-5)).toEqual([
      "getpid() = 1000",
      "tgkill(1000, 1000, 10) = 0",
      "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1000, si_uid=1000} ---",
      "rt_sigreturn() = 0",
      "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xdead0000} ---",
    ]);
  });
});

describe("the siginfo of a fault, as a handler sees it", () => {
  const DATA = 0x30000;
  /** A program whose handler for `sig` stores si_signo, si_code and si_addr at DATA and exits; then `fault`. */
  function run(arch: "riscv-sv39" | "bare", sig: number, fault: (a: Parameters<Parameters<typeof program>[0]>[0]) => void) {
    const prog = program((a) => {
      a.j("main");
      a.label("handler");
      a.li(T0, DATA).ld(A0, A1, 0).sd(A0, T0, 0).ld(A0, A1, 8).sd(A0, T0, 8).ld(A0, A1, 16).sd(A0, T0, 16);
      a.ld(A0, A2, 176).sd(A0, T0, 24);                   // uc_mcontext.sc_regs.pc
      a.exit(0);
      a.label("main");
      a.syscall(NR.rt_sigaction, sig, DATA + 64, 0, 8);
      a.label("fault");
      fault(a);
      a.exit(1);
    }, { vaddr: DATA, bytes: new Uint8Array(128) });
    const { m: mm } = loadedMachine(prog, { arch });
    mm.task.um.writeU64(DATA + 64, BigInt(TEXT_BASE + HEADER_ROOM + 4));
    mm.task.um.writeU64(DATA + 72, BigInt(SA_SIGINFO));
    expect(mm.run()).toMatchObject({ reason: "exit", exitCode: 0 });
    return { signo: Number(mm.task.um.readU64(DATA)), code: Number(BigInt.asIntN(32, mm.task.um.readU64(DATA + 8)!)),
      addr: mm.task.um.readU64(DATA + 16)!, pc: mm.task.um.readU64(DATA + 24)! };
  }

  it("an unmapped store: SEGV_MAPERR at the address", () => {
    const r = run("riscv-sv39", SIGSEGV, (a) => { a.li(T0, 0xdead0008).sd(0, T0, 0); });
    expect(r).toMatchObject({ signo: SIGSEGV, code: 1, addr: 0xdead0008n });
    expect(r.pc).toBeGreaterThan(BigInt(TEXT_BASE + HEADER_ROOM));
  });

  it("a store to text: SEGV_ACCERR at the address", () => {
    const r = run("riscv-sv39", SIGSEGV, (a) => { a.li(T0, TEXT_BASE + HEADER_ROOM).sd(0, T0, 0); });
    expect(r).toMatchObject({ signo: SIGSEGV, code: 2, addr: BigInt(TEXT_BASE + HEADER_ROOM) });
  });

  it("an access beyond RAM without translation: SEGV_ACCERR at the pc (riscv traps.c)", () => {
    const r = run("bare", SIGSEGV, (a) => { a.li(T0, 0x4000_0000).ld(T0, T0, 0); });
    expect(r.signo).toBe(SIGSEGV);
    expect(r.code).toBe(2);
    expect(r.addr).toBe(r.pc);
  });

  it("an illegal instruction: ILL_ILLOPC at the pc; ebreak: TRAP_BRKPT at the pc", () => {
    const ill = run("riscv-sv39", 4, (a) => { a.illegal(); });
    expect(ill).toMatchObject({ signo: 4, code: 1 });
    const brk = run("riscv-sv39", 5, (a) => { a.ebreak(); });
    expect(brk).toMatchObject({ signo: 5, code: 1 });
    expect(ill.addr).toBe(ill.pc);
    expect(brk.addr).toBe(brk.pc);
    expect(brk.addr).toBe(ill.addr);                    // the same place in the same program layout
  });
});

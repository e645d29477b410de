import { describe, expect, it } from "vitest";
import { A0, A1, program, T0, T1 } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";

const hello = program((a) => {
  a.syscall(64, 1, 0x20000, 6);
  a.exit(7);
}, { vaddr: 0x20000, bytes: new TextEncoder().encode("hello\n") });

describe("Machine run loop", () => {
  for (const arch of ["riscv-sv39", "riscv-sv48", "bare"] as const) {
    it(`runs a freestanding program that writes and exits (${arch})`, () => {
      const { m, io } = loadedMachine(hello, { arch });
      const r = m.run();
      expect(r).toEqual({ exitCode: 7, reason: "exit", signal: 0, message: undefined });
      expect(io.out).toBe("hello\n");
      const c = m.counters();
      expect(c["traps_ecall"]).toBe(2);
      expect(c["traps"]).toBe(c["traps_ecall"]! + c["traps_page_fault"]! + c["traps_other"]!);
      if (arch === "bare") {
        expect(c["walks"]).toBe(0);
        expect(c["pt_frames"]).toBe(0);
      } else {
        expect(c["walks"]).toBeGreaterThan(0);
        expect(c["pt_frames"]).toBe(arch === "riscv-sv39" ? 5 : 7);   // root + a path to the text/data and one to the stack
        expect(c["page_faults"]).toBe(c["traps_page_fault"]! + c["page_faults_kernel"]!);
      }
    });
  }

  it("kills a store to an unmapped address with SIGSEGV and a one-line message", () => {
    const { m } = loadedMachine(program((a) => { a.li(T0, 0xdead0000).sd(0, T0, 0); }));
    const r = m.run();
    expect(r.exitCode).toBe(128 + 11);
    expect(r.signal).toBe(11);
    expect(r.message).toMatch(/^guest killed by SIGSEGV \(invalid write at 0xdead0000, pc 0x10[0-9a-f]+\)$/);
  });

  it("distinguishes a protection violation (write to text)", () => {
    const { m } = loadedMachine(program((a) => { a.li(T0, 0x10200).sd(0, T0, 0); }));
    expect(m.run().message).toMatch(/SIGSEGV \(write not permitted at 0x10200/);
  });

  it("SIGILL, SIGTRAP", () => {
    expect(loadedMachine(program((a) => a.illegal())).m.run()).toMatchObject({ exitCode: 132, signal: 4 });
    const t = loadedMachine(program((a) => a.ebreak())).m.run();
    expect(t).toMatchObject({ exitCode: 133, signal: 5 });
    expect(t.message).toMatch(/breakpoint at pc 0x10200/);
  });

  it("bare mode: an access beyond RAM is SIGSEGV", () => {
    const { m } = loadedMachine(program((a) => { a.li(T0, 0x4000_0000).ld(T1, T0, 0); }), { arch: "bare" });
    const r = m.run();
    expect(r.signal).toBe(11);
    expect(r.message).toMatch(/read access fault at 0x40000000/);
  });

  it("stops at --max-insns with status 124", () => {
    const { m } = loadedMachine(program((a) => { a.label("l").j("l"); }));
    const r = m.run(100_000n);
    expect(r).toMatchObject({ exitCode: 124, reason: "limit" });
    expect(m.wasm.instret).toBe(100_000n);
  });

  it("kills the guest like the OOM killer when frames run out", () => {
    const prog = program((a) => {
      for (let i = 0; i < 2; i++) {
        a.syscall(222, 0, 768 * 1024, 3, 0x22, -1, 0);
        a.addi(A1, A0, 0).li(T1, 768 * 1024).add(T1, T1, A1);
        a.label(`touch${i}`).sd(0, A1, 0).addi(A1, A1, 2047).addi(A1, A1, 2047).addi(A1, A1, 2).bltu(A1, T1, `touch${i}`);
      }
      a.exit(0);
    });
    const { m } = loadedMachine(prog, { config: { ramBytes: 1024 * 1024 }, paging: { swapBytes: 0 } });
    const r = m.run();
    expect(r).toMatchObject({ exitCode: 137, signal: 9, reason: "signal" });
    expect(r.message).toBe("guest killed by SIGKILL: out of guest memory (--mem 1M)");
    // With swap the same program pages and finishes; with too little swap it is killed once both are full.
    const paged = loadedMachine(prog, { config: { ramBytes: 1024 * 1024 } }).m;
    expect(paged.run()).toMatchObject({ exitCode: 0, reason: "exit" });
    expect(paged.counters()["pageouts"]).toBeGreaterThan(0);
    const small = loadedMachine(prog, { config: { ramBytes: 1024 * 1024 }, paging: { swapBytes: 64 * 1024 } }).m;
    const k = small.run();
    expect(k).toMatchObject({ exitCode: 137, signal: 9, reason: "signal" });
    expect(k.message).toBe("guest killed by SIGKILL: out of guest memory and swap (--mem 1M, --swap 64K)");
  });

  it("is deterministic: same program and seed, same counters", () => {
    const run = () => { const { m } = loadedMachine(hello, { config: { seed: 5n } }); m.run(); return m.counters(); };
    expect(run()).toEqual(run());
  });

  it("charges trap cycles and counts them", () => {
    const { m } = loadedMachine(hello);
    m.run();
    const c = m.counters();
    expect(c["trap_cycles"]).toBe(100 * c["traps"]!);
    expect(c["cycles"]).toBe(c["instret"]! + c["xcycles"]!);
    expect(c["xcycles"]).toBeGreaterThanOrEqual(c["xlate_cycles"]! + c["trap_cycles"]!);
  });
});

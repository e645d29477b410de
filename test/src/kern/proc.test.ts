// Processes: fork, vfork, wait4, exit and zombies, getppid, scheduling and context switches, through the
// library API on the fork guests. The qemu-riscv64 comparisons are in test/diff; here are the behaviours qemu-user
// does not reproduce (vfork suspends the parent and shares memory; MADV_DONTFORK) and the kernel's counters.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runGuest } from "../../../src/index.js";

const bin = (g: string) => new URL(`../../../guest/bin/${g}`, import.meta.url).pathname;
const run = (g: string, args: string[] = [], o: Record<string, unknown> = {}) =>
  runGuest({ path: bin(g), elf: readFileSync(bin(g)), args, mem: "64M", ...o });

describe("fork and wait", () => {
  it("vfork: the parent is suspended until the child exits and sees its stores (Linux, not qemu-user)", () => {
    const r = run("fork_cow", ["vfork"]);
    expect(r.stdout).toBe("parent: after vfork the child's store is visible: 42\nparent: vfork child exited 3\n");
    expect(r.exitCode).toBe(0);
    expect(r.counters["forks"]).toBe(1);
  });

  it("MADV_DONTFORK leaves a region out of the child; MADV_DOFORK brings it back", () => {
    const r = run("shmem", ["dontfork"]);
    expect(r.stdout).toBe("child: reading the DONTFORK page...\nDONTFORK child: killed by signal 11\nDOFORK child: exited 5\n");
  });

  it("fork copies no page until written; COW copies are counted; every child is reaped", () => {
    const r = run("fork_cow", ["256"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/memory unchanged by the child: yes/);
    // The child wrote every heap page and the data/bss/stack arrays: at least 256 copies, and not all memory.
    expect(r.counters["cow_copies"]).toBeGreaterThanOrEqual(256);
    expect(r.counters["forks"]).toBe(2);
    expect(r.counters["task_exits"]).toBe(3);
    expect(r.counters["context_switches"]).toBeGreaterThan(0);
    expect(r.counters["context_switch_cycles"]).toBe(r.counters["context_switches"]! * 1500);
  });

  it("a process tree runs the same on every machine, with the same output", () => {
    const outs = ["riscv-sv39", "riscv-sv48", "x86-64"].map((arch) => run("forktree", ["3", "3"], { arch }));
    for (const r of outs) {
      expect(r.stdout).toBe(outs[0]!.stdout);
      expect(r.counters["forks"]).toBe(39);
    }
  });

  it("is deterministic: same run, same cycles and counters", () => {
    const a = run("forktree", ["2", "3"]), b = run("forktree", ["2", "3"]);
    expect(a.counters).toEqual(b.counters);
  });

  it("a shorter quantum means more context switches, and the same output", () => {
    const long = run("forktree", ["3", "3"]);
    const short = run("forktree", ["3", "3"], { quantum: 2_000 });
    expect(short.stdout).toBe(long.stdout);
    expect(short.counters["context_switches"]).toBeGreaterThan(long.counters["context_switches"]!);
  });

  it("fork is refused without an MMU (Linux nommu: EINVAL)", () => {
    const r = run("fork_cow", [], { arch: "bare", mem: "256M" });
    expect(r.stdout).toMatch(/^parent: data/);
    expect(r.stderr).toMatch(/fork: Invalid argument/);
    expect(r.exitCode).toBe(1);
  });
});

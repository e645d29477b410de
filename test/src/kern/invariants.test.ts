// The VM's invariants (src/vm/vm_check.ts) hold in the middle of real runs with several tasks — the run is
// stopped every 4,000 instructions and checked — and at the end, when every task but the first has exited:
// then no frame of theirs may be left allocated.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Machine } from "../../../src/boot/machine.js";
import type { Arch } from "../../../src/arch/registry.js";
import { defaultConfig } from "../../../src/machine/config.js";
import { parseElf } from "../../../src/loader/elf.js";

const io = { read: () => new Uint8Array(0), write: () => {} };

describe("VM invariants during and after runs with fork", () => {
  for (const [g, args, arch, collect] of [
    ["fork_cow", ["16"], "riscv-sv39", 0], ["forktree", ["2", "3"], "x86-64", 0], ["shmem", [], "riscv-sv48", 7],
    ["mach_vm", ["inherit"], "riscv-sv39", 0], ["mach_vm", ["basic"], "x86-64-la57", 3], ["shmem", ["dontfork"], "riscv-sv39", 0],
  ] as const) {
    it(`${g} ${args.join(" ")} on ${arch}${collect ? ` collecting every ${collect} traps` : ""}`, () => {
      const m = new Machine({ ...defaultConfig(arch as Arch), ramBytes: 64 << 20 }, { io, pmapCollectEvery: collect });
      const path = new URL(`../../../guest/bin/${g}`, import.meta.url).pathname;
      m.load(parseElf(readFileSync(path)), { argv: [g, ...args], envp: [], execfn: g, exePath: path });
      let limit = 0n, stops = 0;
      for (;;) {
        limit += 4_000n;
        const r = m.run(limit);
        expect(m.checkInvariants(), `after ${limit} instructions`).toEqual([]);
        if (r.reason !== "limit") { expect(r.exitCode).toBe(0); break; }
        stops++;
      }
      expect(stops).toBeGreaterThan(0);
      expect(m.sched.queue.length).toBe(0);
    });
  }
});

describe("VM invariants while paging", () => {
  // Memory far below the working set: pages go to swap and come back (the task sleeping on its page-ins) between
  // the checks; the swap slots and the page queues must agree with the objects at every stop.
  for (const [g, args, arch] of [["forkbig", ["2"], "riscv-sv39"], ["wsweep", ["3", "1"], "x86-64"], ["forkbig", ["2"], "sparc"]] as const) {
    it(`${g} ${args.join(" ")} on ${arch} in 1M with swap`, () => {
      const m = new Machine({ ...defaultConfig(arch as Arch), ramBytes: 1 << 20 }, { io, paging: { swapBytes: 16 << 20 } });
      const path = new URL(`../../../guest/bin/${g}`, import.meta.url).pathname;
      m.load(parseElf(readFileSync(path)), { argv: [g, ...args], envp: [], execfn: g, exePath: path });
      let limit = 0n;
      for (;;) {
        limit += 200_000n;
        const r = m.run(limit);
        expect(m.checkInvariants(), `after ${limit} instructions`).toEqual([]);
        if (r.reason !== "limit") { expect(r.exitCode).toBe(0); break; }
      }
      expect(m.counters()["pageins"]).toBeGreaterThan(100);
    });
  }
});

describe("VM invariants across execve", () => {
  // Each exec drops an address space (a vfork child's only a reference to its parent's) for a fresh one.
  it("forkexec (fork, vfork, scripts and a pipeline of execs) on riscv-sv39", () => {
    const m = new Machine({ ...defaultConfig("riscv-sv39"), ramBytes: 64 << 20 }, { io });
    const bin = new URL("../../../guest/bin/", import.meta.url).pathname;
    m.fs.mount(bin, "/guestbin");
    m.load(parseElf(readFileSync(`${bin}forkexec`)), { argv: ["forkexec", "/guestbin/forkexec"], envp: [], execfn: "forkexec", exePath: `${bin}forkexec` });
    let limit = 0n;
    for (;;) {
      limit += 100_000n;
      const r = m.run(limit);
      expect(m.checkInvariants(), `after ${limit} instructions`).toEqual([]);
      if (r.reason !== "limit") { expect(r.exitCode).toBe(0); break; }
    }
    expect(m.procs.forks).toBeGreaterThan(10);
  });
});

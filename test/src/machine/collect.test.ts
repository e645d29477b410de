// --pmap-collect-every N: every pmap's translations are thrown away every N traps, and the guests still run
// correctly by refaulting. A collection costs refaults (soft faults: the page is resident, only the translation
// is entered again) and nothing else: same output and status, the same pages made, copied and filled.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, runGuest } from "../../../src/index.js";

const bin = (g: string) => new URL(`../../../guest/bin/${g}`, import.meta.url).pathname;
const run = (g: string, args: string[], o: Record<string, unknown> = {}) =>
  runGuest({ path: bin(g), elf: readFileSync(bin(g)), args, mem: "64M", ...o });

/** Counters a collection must not change: the VM's real work. */
const WORK = ["zero_fills", "pager_fills", "cow_copies", "user_frames_peak", "forks", "task_exits", "syscalls"];

describe("pmap collect", () => {
  for (const [g, args, arch] of [
    ["qsort", ["3000"], "riscv-sv39"], ["fork_cow", ["32"], "riscv-sv39"], ["forktree", ["2", "3"], "x86-64"],
    ["shmem", [], "riscv-sv48"], ["malloc", ["500"], "x86-64"],
  ] as const) {
    it(`${g} ${args.join(" ")} on ${arch}: same output and work, more soft faults`, () => {
      const plain = run(g, [...args], { arch });
      const collected = run(g, [...args], { arch, pmapCollectEvery: 5 });
      expect(collected.stdout).toBe(plain.stdout);
      expect(collected.exitCode).toBe(plain.exitCode);
      expect(collected.counters["pmap_collections"]).toBeGreaterThan(0);
      expect(plain.counters["pmap_collections"]).toBe(0);
      for (const k of WORK) expect(collected.counters[k], k).toBe(plain.counters[k]);
      expect(collected.counters["soft_faults"]).toBeGreaterThan(plain.counters["soft_faults"]!);
      // Every extra fault is a soft one: refaults, nothing new resolved another way.
      expect(collected.counters["page_faults"]! - collected.counters["soft_faults"]!)
        .toBe(plain.counters["page_faults"]! - plain.counters["soft_faults"]!);
    });
  }

  it("collecting at every trap still completes (an instruction touching two pages is not starved)", () => {
    const r = run("hello", [], { pmapCollectEvery: 1 });
    expect(r.stdout).toMatch(/^Hello, world!/);
    expect(r.counters["pmap_collections"]).toBeGreaterThan(10);
  });

  it("rejects a bad value with a one-line ConfigError", () => {
    expect(() => run("hello", [], { pmapCollectEvery: -1 })).toThrow(ConfigError);
    expect(() => run("hello", [], { quantum: 0 })).toThrow(ConfigError);
  });
});

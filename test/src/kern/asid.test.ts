// Address-space identifiers: one allocator per machine hands out ASIDs (RISC-V) that no live address space
// holds, and counts a rollover each time the counter wraps; a released ASID (flushed when its pmap is destroyed)
// may be reused.

import { describe, expect, it } from "vitest";
import { AsidAllocator } from "../../../src/arch/riscv/mmu.js";

describe("AsidAllocator", () => {
  it("never hands out a live ASID, rolls over, and fails only when all are live", () => {
    const a = new AsidAllocator(4);
    const first = [a.allocate(), a.allocate(), a.allocate()];
    expect(first).toEqual([1, 2, 3]);
    a.release(2);
    expect(a.allocate()).toBe(4);
    expect(a.rollovers).toBe(1);
    expect(a.allocate()).toBe(2);          // 1 and 3 are live: skipped
    expect(() => a.allocate()).toThrow(/in use/);
    a.release(3);
    expect(a.allocate()).toBe(3);
  });

  it("distinct ASIDs for every task of a machine across many forks and exits", async () => {
    const { runGuest } = await import("../../../src/index.js");
    const { readFileSync } = await import("node:fs");
    const path = new URL("../../../guest/bin/forktree", import.meta.url).pathname;
    const r = runGuest({ path, elf: readFileSync(path), args: ["2", "4"], arch: "riscv-sv48", mem: "64M" });
    expect(r.exitCode).toBe(0);
    expect(r.counters["forks"]).toBe(20);
    expect(r.counters["asid_rollovers"]).toBe(0);
  });
});

// --machine FILE.json: a machine's defaults overridden in the data files' format; options given alongside override
// the file; every mistake is one line naming the file and the key.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, machineConfig, runGuest } from "../../../src/index.js";
import { defaultConfig } from "../../../src/machine/config.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-machine-"));
let n = 0;
function file(doc: unknown): string {
  const p = join(dir, `m${n++}.json`);
  writeFileSync(p, typeof doc === "string" ? doc : JSON.stringify(doc));
  return p;
}

describe("--machine files", () => {
  const bigStlb = file({
    arch: "x86-64", description: "Skylake with a bigger STLB", mem: "64M",
    tlb: { l2: { entries: 2048, ways: 16, policy: "srrip", source: "a what-if" } },
    costs: { walkRef: { cycles: 30, source: "a slower L2" }, trap: 250 }, psc: { pde: 0 },
  });

  it("overrides the named parts of its machine's defaults and keeps the rest", () => {
    const c = machineConfig({ machine: bigStlb }), d = defaultConfig("x86-64");
    expect(c.arch).toBe("x86-64");
    expect(c.ramBytes).toBe(64 << 20);
    expect(c.tlb.l2).toEqual({ entries: 2048, ways: 16, policy: "srrip" });
    expect(c.tlb.l1d).toEqual(d.tlb.l1d);
    expect(c.costs).toEqual({ ...d.costs, walkRef: 30, trap: 250 });
    expect(c.psc).toEqual({ ...d.psc, pde: 0 });
  });

  it("options given with it override the file", () => {
    const c = machineConfig({ machine: bigStlb, mem: "128M", tlb: "l2=1024:8" });
    expect(c.ramBytes).toBe(128 << 20);
    expect(c.tlb.l2).toEqual({ entries: 1024, ways: 8, policy: "lru" });   // --tlb: the policy defaults to lru
  });

  it("changes what a run measures: a bigger walk reference cost shows in translation cycles", () => {
    const hello = join(import.meta.dirname, "../../../guest/bin/hello");
    const base = runGuest({ path: hello, arch: "x86-64" });
    const slow = runGuest({ path: hello, machine: file({ arch: "x86-64", costs: { walkRef: 120 } }) });
    expect(slow.stdout).toBe(base.stdout);
    expect(slow.counters.walk_refs).toBe(base.counters.walk_refs);
    expect(slow.counters.xlate_cycles! - base.counters.xlate_cycles!).toBe(108 * base.counters.walk_refs!);
  });

  it("refuses every mistake in one line naming the file", () => {
    const cases: [unknown, RegExp][] = [
      ["{ not json", /not JSON/],
      [[1, 2], /expected a JSON object/],
      [{ arch: "pdp11" }, /unknown architecture 'pdp11'/],
      [{ arch: "x86-64", tlbs: {} }, /unknown key 'tlbs'/],
      [{ arch: "x86-64", tlb: { l3: { entries: 4 } } }, /unknown key 'tlb\.l3'/],
      [{ arch: "x86-64", tlb: { l2: { entries: 48, ways: 5 } } }, /tlb l2: 48 entries are not divisible by 5 ways/],
      [{ arch: "x86-64", tlb: { l2: { entries: 64, way: 4 } } }, /unknown key 'tlb\.l2\.way'/],
      [{ arch: "x86-64", costs: { walkref: 3 } }, /unknown key 'costs\.walkref'/],
      [{ arch: "x86-64", costs: { trap: -1 } }, /costs\.trap must be a non-negative integer/],
      [{ arch: "riscv-sv39", psc: { pde: 4 } }, /riscv-sv39 has no paging-structure caches/],
      [{ arch: "x86-64", mem: "lots" }, /bad memory size in --machine .*: 'lots'|bad memory size/],
    ];
    for (const [doc, msg] of cases) {
      const p = file(doc);
      let err: unknown;
      try { machineConfig({ machine: p }); } catch (e) { err = e; }
      expect(err, JSON.stringify(doc)).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain("\n");
    }
    expect(() => machineConfig({ machine: join(dir, "absent.json") })).toThrow(/--machine .*absent\.json: no such file/);
    expect(() => machineConfig({ machine: bigStlb, arch: "power" })).toThrow(/describes x86-64, but --arch is power/);
  });
});

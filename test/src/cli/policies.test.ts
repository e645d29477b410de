// Replacement policies end to end: `mmulab run --tlb …:<policy>` with every policy runs a real guest to the same
// output while the TLB statistics differ, and the --tlb parser rejects unknown policies and a tree-PLRU over a
// way count that is not a power of two.

import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../src/cli/main.js";
import { POLICIES } from "../../../src/machine/config.js";
import { BufferIo } from "../helpers/machine.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const qsort = join(root, "guest/bin/qsort");
const dir = mkdtempSync(join(tmpdir(), "mmulab-policies-"));

function cli(...argv: string[]): { status: number; out: string; err: string } {
  const io = new BufferIo();
  const status = main(argv, io);
  return { status, out: io.out, err: io.err };
}

describe("--tlb policies", () => {
  it("names every policy; rejects unknown ones and plru over a non-power-of-two way count", () => {
    expect([...POLICIES].sort()).toEqual(["brrip", "fifo", "lfu", "lru", "mips-random", "mru", "nru", "plru", "random", "srrip"]);
    const bad = cli("run", "--tlb", "l1d=32:8:belady", qsort);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/tlb l1d: unknown policy 'belady' \(choose lru, plru, fifo, random, nru, lfu, srrip, brrip, mru, mips-random\)/);
    const plru = cli("run", "--tlb", "l2=12:3:plru", qsort);
    expect(plru.status).toBe(2);
    expect(plru.err).toMatch(/tlb l2: plru needs a power-of-two way count .* got 3/);
    expect(cli("run", "--tlb", "l2=12:3:lru", "--max-insns", "1000", qsort).status).toBe(124);
  });

  it.skipIf(!existsSync(qsort))("runs qsort under each policy: same output, different TLB statistics", () => {
    const runs = POLICIES.map((p) => {
      const json = join(dir, `${p}.json`);
      const r = cli("run", "--json", json, "--tlb", `l1i=8:4:${p},l1d=16:4:${p},l2=64:4:${p}`, qsort, "20000");
      expect(r.status, p).toBe(0);
      const doc = JSON.parse(readFileSync(json, "utf8"));
      expect(doc.config.tlb.l1d, p).toEqual({ entries: 16, ways: 4, policy: p });
      return { p, out: r.out, c: doc.counters as Record<string, number> };
    });
    const [lru] = runs;
    expect(lru!.out).toMatch(/\S/);
    for (const r of runs) {
      expect(r.out, r.p).toBe(lru!.out);
      expect(r.c.instret, r.p).toBe(lru!.c.instret);
      expect(r.c.dtlb_access, r.p).toBe(lru!.c.dtlb_access);
      expect(r.c.itlb_access, r.p).toBe(r.c.instret! + r.c.traps!);
    }
    const key = (r: (typeof runs)[number]) => `${r.c.dtlb_miss}/${r.c.l2_miss}/${r.c.itlb_miss}`;
    expect(new Set(runs.map(key)).size).toBeGreaterThan(4);
  });
});

// The wasm single-TLB replay and Belady's MIN against the independent reference simulation (reference.ts), on
// every generator and several geometries; the known pathologies of replacement_policies.md §5.

import { describe, expect, it } from "vitest";
import { genPages, parseGenSpec } from "../../src/trace/gen.js";
import { minMisses } from "../../src/trace/belady.js";
import { POLICIES } from "../../src/machine/config.js";
import { refMisses } from "./reference.js";
import { replayMisses } from "./helpers.js";

const GENS = ["seq", "stride:16", "stride:8:96", "loop:17", "loop:65", "uniform:200:1", "uniform:40:9", "zipf:500:1.0:3", "zipf:3000:0.8:5"];
const GEOMETRIES: [number, number][] = [[1, 1], [1, 4], [4, 1], [8, 2], [16, 4], [4, 8], [1, 16], [1, 64], [2, 9], [4, 12], [1, 11]];   // [sets, ways]
const REFS = 3000;

describe("generators", () => {
  it("are deterministic per seed and have the documented shapes", () => {
    expect(genPages(parseGenSpec("seq"), 5)).toEqual([0, 1, 2, 3, 4]);
    expect(genPages(parseGenSpec("stride:16"), 4)).toEqual([0, 16, 32, 48]);
    expect(genPages(parseGenSpec("stride:5:12"), 5)).toEqual([0, 5, 10, 3, 8]);
    expect(genPages(parseGenSpec("loop:3"), 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    const u = genPages(parseGenSpec("uniform:100:42"), 10000);
    expect(u).toEqual(genPages(parseGenSpec("uniform:100:42"), 10000));
    expect(u).not.toEqual(genPages(parseGenSpec("uniform:100:43"), 10000));
    expect(Math.min(...u)).toBe(0);
    expect(Math.max(...u)).toBe(99);
    const z = genPages(parseGenSpec("zipf:1000:1.2:1"), 20000);
    expect(z).toEqual(genPages(parseGenSpec("zipf:1000:1.2:1"), 20000));
    const count = (k: number) => z.filter((p) => p === k).length;
    expect(count(0)).toBeGreaterThan(count(1));
    expect(count(1)).toBeGreaterThan(count(9));
    expect(count(0) / z.length).toBeGreaterThan(0.2);   // 1/zeta-ish share of the hottest page
  });

  it("reject malformed specifications", () => {
    for (const s of ["zipf:10:x:1", "uniform:10", "loop", "loop:0", "bogus:1", "stride:a", "seq:3"]) {
      expect(() => parseGenSpec(s), s).toThrow(/--gen/);
    }
  });
});

describe("wasm replay and MIN equal the reference simulation", () => {
  for (const spec of GENS) {
    it(spec, async () => {
      const pages = genPages(parseGenSpec(spec), REFS);
      for (const [sets, ways] of GEOMETRIES) {
        const where = `${spec} ${sets}x${ways}`;
        const lru = await replayMisses(pages, sets, ways, "lru");
        const fifo = await replayMisses(pages, sets, ways, "fifo");
        const random = await replayMisses(pages, sets, ways, "random", 7n);
        const min = await replayMisses(pages, sets, ways, "min");
        expect(lru, `${where} lru`).toBe(refMisses(pages, sets, ways, "lru"));
        expect(fifo, `${where} fifo`).toBe(refMisses(pages, sets, ways, "fifo"));
        expect(min, `${where} min`).toBe(refMisses(pages, sets, ways, "min"));
        expect(min).toBeLessThanOrEqual(Math.min(lru, fifo, random));
      }
    });
  }
});

describe("MIN is a lower bound", () => {
  it("for every replacement policy the model has, on several generators and geometries", async () => {
    for (const spec of ["zipf:800:0.9:2", "uniform:300:5", "loop:33", "stride:4:200"]) {
      const pages = genPages(parseGenSpec(spec), 4000);
      for (const [sets, ways] of [[1, 32], [8, 4], [4, 16]] as const) {
        const min = await replayMisses(pages, sets, ways, "min");
        for (const p of POLICIES) expect(min, `${spec} ${sets}x${ways} ${p}`).toBeLessThanOrEqual(await replayMisses(pages, sets, ways, p));
      }
    }
  });
});

describe("known pathologies", () => {
  it("LRU misses on every access of an n+1-page loop; random does much better; MIN about once per n", async () => {
    const n = 64;
    const pages = genPages(parseGenSpec(`loop:${n + 1}`), 100 * (n + 1));
    const lru = await replayMisses(pages, 1, n, "lru");
    const fifo = await replayMisses(pages, 1, n, "fifo");
    const random = await replayMisses(pages, 1, n, "random", 1n);
    const min = await replayMisses(pages, 1, n, "min");
    expect(lru).toBe(pages.length);
    expect(fifo).toBe(pages.length);
    expect(random).toBeLessThan(pages.length / 4);
    expect(min).toBeLessThan(n + 1 + pages.length / (n - 1));
    expect(min).toBeLessThanOrEqual(random);
  });

  it("FIFO shows Belady's anomaly on 1 2 3 4 1 2 5 1 2 3 4 5; LRU and MIN do not", async () => {
    const s = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
    expect(await replayMisses(s, 1, 3, "fifo")).toBe(9);
    expect(await replayMisses(s, 1, 4, "fifo")).toBe(10);
    expect(await replayMisses(s, 1, 3, "lru")).toBe(10);
    expect(await replayMisses(s, 1, 4, "lru")).toBe(8);
    expect(await replayMisses(s, 1, 3, "min")).toBe(7);
    expect(await replayMisses(s, 1, 4, "min")).toBe(6);
  });

  it("MIN keeps the page used soonest (hand-checked: 3 frames, 0 1 2 3 0 1 2 3 → 0 evicted last)", () => {
    const ids = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
    // misses: 0 1 2 3(evict 2, used last) 0 hit 1 hit 2(evict 0 or 1: never used again) 3 hit → 5
    expect(minMisses(ids, 4, new Int32Array(4), 3)).toBe(5);
  });
});

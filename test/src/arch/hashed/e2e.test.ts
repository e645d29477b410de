// End to end on the clustered-page-table machine: the differential suite's guests print exactly what they print
// under riscv-sv39 (same TLBs; the misses differ only where the pmaps invalidate differently), with the same exit status and
// instruction count; walks make 2 + k references per hit at chain position k, so references are bounded by the
// nodes compared; the subblock factor changes the table's size and chains, never the output.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, runGuest } from "../../../../src/index.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;

const CASES = E2E_CASES;

/**
 * References: the head, each node compared, the word of each walk that found its block's node, each REF/MOD store.
 * Walks that found the node are those that translated, hit a hole, or lacked a right; the last kind is not counted
 * on its own, so the words read lie between (translated + holes) and that plus the other faults.
 */
function expectCptCounts(c: Record<string, number>): void {
  const found = c["walks"]! - c["walk_faults"]! + c["cpt_holes"]!;
  const base = c["walks"]! + c["cpt_nodes"]! + c["ad_updates"]!;
  expect(c["walk_refs"]).toBeGreaterThanOrEqual(base + found);
  expect(c["walk_refs"]).toBeLessThanOrEqual(base + found + (c["walk_faults"]! - c["cpt_holes"]!));
  expect(c["cpt_nodes"]).toBeGreaterThanOrEqual(found);
}

describe.skipIf(!existsSync(bin("hello")))("the clustered-page-table machine runs the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const ref = runGuest({ path: bin(g), args, env: ENV, arch: "riscv-sv39", mem: "64M" });
      const r = runGuest({ path: bin(g), args, env: ENV, arch: "hashed", mem: "64M" });
      expect(r.stdout).toBe(ref.stdout);
      expect(r.stderr).toBe(ref.stderr);
      expect(r.exitCode).toBe(ref.exitCode);
      expect(r.counters["instret"]).toBe(ref.counters["instret"]);
      expectCptCounts(r.counters);
    });
  }

  it("exact references: head + nodes compared + the word of every walk that found its node + REF/MOD stores", () => {
    // matmul takes no rights faults (no copy-on-write, no protection changes), so every walk that found its
    // block's node either translated or hit a hole; the others found no node and read no word.
    const c = runGuest({ path: bin("matmul"), args: ["32"], arch: "hashed", mem: "64M" }).counters;
    const ok = c["walks"]! - c["walk_faults"]!;
    // ok walks and holes read a word; walks whose block had no node read none.
    expect(c["walk_refs"]).toBe(c["walks"]! + c["cpt_nodes"]! + ok + c["cpt_holes"]! + c["ad_updates"]!);
  });

  it("the subblock factor changes the table, not the output: 1 (a plain hashed table) to 64", () => {
    const out = new Set<string>();
    const nodes: number[] = [];
    for (const subblock of [1, 4, 16, 64]) {
      const r = runGuest({ path: bin("stride"), args: ["8", "1"], arch: "hashed", mem: "64M", subblock });
      out.add(r.stdout + r.exitCode);
      nodes.push(r.counters["cpt_nodes_live"]!);
    }
    expect(out.size).toBe(1);
    // Bigger blocks, fewer nodes (the guest's 8 MiB buffer alone is 2048 pages).
    for (let i = 1; i < nodes.length; i++) expect(nodes[i]).toBeLessThan(nodes[i - 1]!);
  });

  it("is deterministic: same run, same cycles and counters", () => {
    const run = () => runGuest({ path: bin("qsort"), args: ["20000"], arch: "hashed", mem: "64M", subblock: 4 }).counters;
    expect(run()).toEqual(run());
  });

  it("rejects a bad subblock factor, or one for another machine, before the guest starts", () => {
    expect(() => runGuest({ path: bin("hello"), arch: "hashed", subblock: 3 })).toThrow(ConfigError);
    expect(() => runGuest({ path: bin("hello"), arch: "hashed", subblock: 128 })).toThrow(/power of two from 1 to 64/);
    expect(() => runGuest({ path: bin("hello"), arch: "power", subblock: 16 })).toThrow(/no clustered page table/);
  });
});

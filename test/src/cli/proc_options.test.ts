// The CLI options of the process layer: --quantum and --pmap-collect-every (values, counters in --json, bad
// values as one line and status 2).

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";

const forktree = new URL("../../../guest/bin/forktree", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "mmulab-proc-"));

function cli(...argv: string[]): { status: number; out: string; err: string } {
  const io = new BufferIo();
  const status = main(argv, io);
  return { status, out: io.out, err: io.err };
}

describe("mmulab run: process options", () => {
  it("--quantum and --pmap-collect-every change the counters, not the output", () => {
    const plain = cli("run", forktree, "2", "3", "--json", join(dir, "a.json"));
    const other = cli("run", forktree, "2", "3", "--quantum", "3000", "--pmap-collect-every", "4", "--json", join(dir, "b.json"));
    expect(plain.status).toBe(0);
    expect(other.status).toBe(0);
    expect(other.out).toBe(plain.out);
    const a = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")), b = JSON.parse(readFileSync(join(dir, "b.json"), "utf8"));
    const counters = (d: Record<string, unknown>) => (d["counters"] ?? d) as Record<string, number>;
    expect(counters(a)["pmap_collections"]).toBe(0);
    expect(counters(b)["pmap_collections"]).toBeGreaterThan(0);
    expect(counters(b)["context_switches"]).toBeGreaterThan(counters(a)["context_switches"]!);
  });

  it("rejects bad values with one line and status 2", () => {
    for (const bad of [["--quantum", "0"], ["--quantum", "abc"], ["--pmap-collect-every", "-3"], ["--pmap-collect-every", "x"]]) {
      const r = cli("run", forktree, ...bad);
      expect(r.status, bad.join(" ")).toBe(2);
      expect(r.err.trimEnd().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(/^mmulab: /);
    }
  });
});

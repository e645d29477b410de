// A real lackey trace, captured here from a small C program run under valgrind: the wasm replay's LRU and FIFO
// and belady.ts's MIN against the reference simulation. Needs valgrind and a C compiler; under CI (process.env.CI)
// a missing valgrind is a failure, elsewhere the suite is skipped.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTrace, runStudy } from "../../src/trace/study.js";
import { TlbReplayer } from "../../src/trace/replay.js";
import { refMisses } from "./reference.js";
import { MachineReplayer, replayFileOnMachine } from "../../src/trace/machine.js";
import { machineConfig } from "../../src/index.js";
import { replayMisses } from "./helpers.js";

const hasValgrind = spawnSync("valgrind", ["--version"]).status === 0;
const hasCc = spawnSync("cc", ["--version"]).status === 0;

// Touches 96 pages in a loop and a strided walk over 4 MiB: enough reuse and conflict to separate the policies.
const PROGRAM = `
#include <stdlib.h>
int main(void) {
  volatile char *a = malloc(4u << 20);
  unsigned s = 0;
  for (int r = 0; r < 20; r++)
    for (int p = 0; p < 96; p++) { a[p * 4096 + r] += 1; s += a[(p * 7 % 96) * 4096]; }
  for (int i = 0; i < (4 << 20); i += 4096 * 3) s += a[i];
  return (int)(s & 1);
}
`;

function capture(): string {
  const dir = mkdtempSync(join(tmpdir(), "mmulab-lackey-"));
  let prog = "/bin/true";
  if (hasCc) {
    writeFileSync(join(dir, "touch.c"), PROGRAM);
    const cc = spawnSync("cc", ["-O1", "-o", join(dir, "touch"), join(dir, "touch.c")], { encoding: "utf8" });
    if (cc.status === 0) prog = join(dir, "touch");
  }
  const log = join(dir, "trace.lackey");
  const r = spawnSync("valgrind", ["--tool=lackey", "--trace-mem=yes", `--log-file=${log}`, prog], { encoding: "utf8" });
  if (!existsSync(log)) throw new Error(`valgrind failed: ${r.stderr}`);
  return log;
}

describe("a real lackey trace", () => {
  it("valgrind is present under CI", () => {
    if (process.env.CI) expect(hasValgrind, "valgrind is needed to capture the lackey trace (add it to .ci/run)").toBe(true);
  });

  it.skipIf(!hasValgrind)("LRU, FIFO and MIN equal the reference simulation; MIN ≤ every policy", async () => {
    const log = capture();
    for (const ifetch of [true, false]) {
      const pages: number[] = [];
      const r = new TlbReplayer({ entries: 16, ways: 16, policy: "lru" }, 12);
      for await (const b of readTrace(log, "lackey", { ifetch })) r.feed(b, (lo, hi) => pages.push(hi * 4294967296 + lo));
      expect(pages.length).toBeGreaterThan(10000);
      expect(r.misses).toBe(refMisses(pages, 1, 16, "lru"));
      for (const [sets, ways] of [[16, 4], [8, 8], [1, 32], [64, 1]] as const) {
        const where = `ifetch=${ifetch} ${sets}x${ways}`;
        const lru = await replayMisses(pages, sets, ways, "lru");
        const fifo = await replayMisses(pages, sets, ways, "fifo");
        const random = await replayMisses(pages, sets, ways, "random", 3n);
        expect(lru, where).toBe(refMisses(pages, sets, ways, "lru"));
        expect(fifo, where).toBe(refMisses(pages, sets, ways, "fifo"));
        const min = await replayMisses(pages, sets, ways, "min");
        expect(min).toBeLessThanOrEqual(Math.min(lru, fifo, random));
        // Brute-force MIN is quadratic in the worst case: check it on a prefix.
        const prefix = pages.slice(0, 40000);
        expect(await replayMisses(prefix, sets, ways, "min"), where).toBe(refMisses(prefix, sets, ways, "min"));
      }
    }
    const s = await runStudy(readTrace(log, "auto"), { geometry: { entries: 64, ways: 4, policy: "lru" }, pageSize: 4096, opt: true });
    expect(s.opt!.misses).toBeLessThanOrEqual(s.misses);
    expect(s.accesses).toBeGreaterThan(10000);
  });

  it.skipIf(!hasValgrind)("replays through a whole x86-64 machine: each page demand-mapped once, every reference one TLB access", async () => {
    const log = capture();
    const pages = new Set<number>();
    let refs = 0;
    for await (const b of readTrace(log, "lackey")) {
      for (let i = 0; i < b.count; i++) { pages.add(Math.floor((b.words[2 * i + 1]! * 4294967296 + ((b.words[2 * i]! & ~3) >>> 0)) / 4096)); refs++; }
    }
    const r = new MachineReplayer(machineConfig({ arch: "x86-64", mem: "512M" }));
    await replayFileOnMachine(r, log, "lackey", {}, { lines: 0, skipped: 0, records: 0 });
    const c = r.counters();
    expect(c.trace_references).toBe(refs);
    expect(c.page_faults).toBe(pages.size);
    expect(c.walk_faults).toBe(pages.size);
    expect(c.trace_retries).toBe(pages.size);
    expect(c.itlb_access + c.dtlb_access).toBe(refs + pages.size);
  });
});

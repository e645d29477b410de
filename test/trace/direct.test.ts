// Direct replay of a plain binary trace file (readTrace's replayInto: chunks read straight into the wasm trace
// buffer and decoded there) against replay of the same file batch by batch through TlbReplayer.feed, for every
// policy, with control records, instruction fetches kept or dropped, several page sizes and truncated files.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ReadStats, type TraceSource } from "../../src/trace/batch.js";
import { BinaryTraceWriter, FLAG_IFETCH, HEADER_SIZE } from "../../src/trace/binary.js";
import { generateSync, parseGenSpec } from "../../src/trace/gen.js";
import { readTrace, runStudy } from "../../src/trace/study.js";
import { POLICIES } from "../../src/machine/config.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-direct-"));
const path = join(dir, "t.bin");
{
  const w = new BinaryTraceWriter(path, { flags: FLAG_IFETCH, pageShift: 12 });
  let k = 0;
  for (const b of generateSync(parseGenSpec("zipf:3000:1.1:1"), 150_000, 12)) {
    for (let i = 0; i < b.count; i += 7) b.words[2 * i] = ((b.words[2 * i]! & ~3) | (k++ % 2 ? 3 : 2)) >>> 0;
    w.write(b);
  }
  w.close();
}

/** The same trace without replayInto, so runStudy iterates its batches. */
function batchesOnly(t: TraceSource): TraceSource {
  return { [Symbol.asyncIterator]: () => t[Symbol.asyncIterator]() };
}

describe("direct binary replay", () => {
  it("counts what batch replay counts, for every policy", async () => {
    for (const policy of POLICIES) {
      for (const [entries, ways, pageSize, ifetch] of [[64, 4, 4096, true], [256, 16, 16, false], [8, 8, 2 << 20, true]] as const) {
        const geometry = { entries, ways, policy, seed: 7n };
        const s1: ReadStats = { lines: 0, skipped: 0, records: 0 }, s2: ReadStats = { ...s1 };
        const direct = await runStudy(readTrace(path, "auto", { ifetch }, s1), { geometry, pageSize });
        const batched = await runStudy(batchesOnly(readTrace(path, "bin", { ifetch }, s2)), { geometry, pageSize });
        expect(direct, `${policy} ${entries}/${ways} ${pageSize} ${ifetch}`).toEqual(batched);
        expect(s1.records).toBe(s2.records);
        expect(direct.accesses).toBeGreaterThan(0);
      }
    }
  });

  it("reports truncation after replaying the whole records", async () => {
    const all = readFileSync(path);
    const cut = (n: number) => { const p = join(dir, `cut${n}.bin`); writeFileSync(p, all.subarray(0, n)); return p; };
    const study = (p: string) => runStudy(readTrace(p, "auto"), { geometry: { entries: 64, ways: 4, policy: "lru" }, pageSize: 4096 });
    await expect(study(cut(20))).rejects.toThrow(/truncated binary trace \(header is 20 of 32 bytes\)/);
    await expect(study(cut(HEADER_SIZE + 8 * 70_000 + 5))).rejects.toThrow(/ends 5 bytes into record 70000\)/);
    await expect(study(cut(HEADER_SIZE + 8 * 70_000))).rejects.toThrow(/header says 150000 records, found 70000/);
  });
});

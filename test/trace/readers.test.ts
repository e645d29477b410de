// Trace input: the lackey reader (banner lines, kinds, M as one or two accesses, ifetch filter, chunk boundaries,
// malformed lines with their numbers, --lenient), the binary format (round trip, truncation), gzip and the layout
// of the wasm trace buffer.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type ReadOptions, type ReadStats, type TraceSource, TraceBatch, KIND_LOAD, KIND_STORE, KIND_IFETCH } from "../../src/trace/batch.js";
import { readLackey } from "../../src/trace/lackey.js";
import { BinaryTraceWriter, HEADER_SIZE, decodeHeader, FLAG_IFETCH } from "../../src/trace/binary.js";
import { readTrace } from "../../src/trace/study.js";
import { generateSync, parseGenSpec } from "../../src/trace/gen.js";
import { wasmModule } from "../../src/machine/wasm.js";
import { bytesOf } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-trace-"));

type Rec = [string, bigint];
async function records(t: TraceSource): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const b of t) {
    for (let i = 0; i < b.count; i++) {
      const lo = b.words[2 * i]!, hi = b.words[2 * i + 1]!;
      out.push(["LSIC"[lo & 3]!, (BigInt(hi) << 32n) | BigInt((lo & ~3) >>> 0)]);
    }
  }
  return out;
}

async function lackey(text: string, o: ReadOptions = {}, chunk = 1 << 20, stats?: ReadStats): Promise<Rec[]> {
  return records(readLackey(await bytesOf(new TextEncoder().encode(text), chunk), "t.lackey", o, stats));
}

const SAMPLE = [
  "==4242== Lackey, an example Valgrind tool",
  "==4242== Command: /bin/true",
  "I  04001100,3",
  " L 1ffefff8a8,8",
  " S 04030d98,8",
  " M 0403efe8,4",
  "I  ffffffffff600000,4",
  "==4242== ",
  "==4242== Exit code:       0",
].join("\n") + "\n";

describe("lackey reader", () => {
  it("reads every kind, skips banner lines; M counts as a load and a store, or as one store", async () => {
    expect(await lackey(SAMPLE)).toEqual([
      ["I", 0x04001100n], ["L", 0x1ffefff8a8n], ["S", 0x04030d98n], ["L", 0x0403efe8n], ["S", 0x0403efe8n],
      ["I", 0xffffffffff600000n],
    ]);
    expect((await lackey(SAMPLE, { modifyAs: 1 })).map((r) => r[0]).join("")).toBe("ILSSI");
    expect((await lackey(SAMPLE, { ifetch: false })).map((r) => r[0]).join("")).toBe("LSLS");
  });

  it("gives the same records whatever the chunk size and batch size; CRLF and a missing last newline are fine", async () => {
    const text = SAMPLE.repeat(50);
    const want = await lackey(text);
    for (const chunk of [1, 3, 7, 64, 1000]) expect(await lackey(text, {}, chunk)).toEqual(want);
    expect(await records(readLackey(await bytesOf(new TextEncoder().encode(text), 5), "t", { batchRecords: 3 }))).toEqual(want);
    expect(await lackey(text.replace(/\n/g, "\r\n"), {}, 4)).toEqual(want);
    expect(await lackey(" L 1000,4")).toEqual([["L", 0x1000n]]);
    expect(await lackey("")).toEqual([]);
  });

  it("stops at a malformed line with its line number; --lenient skips and counts bad lines", async () => {
    const bad = SAMPLE + " X 1234,4\n L 2000,8\n L zz,8\n L 3000\nI  4000,\n L 5000,8 extra\n L 12345678901234567,8\n";
    await expect(lackey(bad)).rejects.toThrow("t.lackey: line 10: malformed lackey line ' X 1234,4'");
    await expect(lackey(bad, {}, 2)).rejects.toThrow(/line 10:/);
    await expect(lackey(SAMPLE + " L 2000,8\n L zz,8\n")).rejects.toThrow(/line 11: malformed lackey line ' L zz,8'/);
    const stats: ReadStats = { lines: 0, skipped: 0, records: 0 };
    const recs = await lackey(bad, { lenient: true }, 5, stats);
    expect(recs.slice(-1)).toEqual([["L", 0x2000n]]);
    expect(stats).toEqual({ lines: 16, skipped: 6, records: 7 });
  });
});

describe("binary trace format", () => {
  function write(path: string, pages: number, refs: number): bigint {
    const w = new BinaryTraceWriter(path, { flags: FLAG_IFETCH, pageShift: 12 });
    for (const b of generateSync(parseGenSpec(`uniform:${pages}:3`), refs, 12, 1000)) w.write(b);
    return w.close();
  }

  it("round-trips records through a file (and gzip), header fields included", async () => {
    const path = join(dir, "u.bin");
    expect(write(path, 5000, 12345)).toBe(12345n);
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(HEADER_SIZE + 8 * 12345);
    expect(decodeHeader(bytes, "u.bin")).toEqual({ version: 3, flags: FLAG_IFETCH, recordSize: 8, pageShift: 12, count: 12345n });
    const want: [string, bigint][] = [];
    for (const b of generateSync(parseGenSpec("uniform:5000:3"), 12345, 12)) {
      for (let i = 0; i < b.count; i++) want.push(["L", BigInt(b.words[2 * i]!) | (BigInt(b.words[2 * i + 1]!) << 32n)]);
    }
    expect(await records(readTrace(path, "auto"))).toEqual(want);
    writeFileSync(join(dir, "u.bin.gz"), gzipSync(bytes));
    expect(await records(readTrace(join(dir, "u.bin.gz"), "auto"))).toEqual(want);
    // version 1 (no sizes flag) reads the same; an unknown version is refused
    const v1 = Uint8Array.from(bytes); v1[8] = 1;
    writeFileSync(join(dir, "v1.bin"), v1);
    expect(await records(readTrace(join(dir, "v1.bin"), "auto"))).toEqual(want);
    const v9 = Uint8Array.from(bytes); v9[8] = 9;
    writeFileSync(join(dir, "v9.bin"), v9);
    await expect(records(readTrace(join(dir, "v9.bin"), "auto"))).rejects.toThrow(/version 9 is not supported \(expected 1 to 3\)/);
  });

  it("detects truncation: inside the header, inside a record, and records missing at a record boundary", async () => {
    const path = join(dir, "t.bin");
    write(path, 100, 1000);
    const bytes = readFileSync(path);
    const cut = (n: number) => { const p = join(dir, `cut${n}.bin`); writeFileSync(p, bytes.subarray(0, n)); return p; };
    await expect(records(readTrace(cut(20), "bin"))).rejects.toThrow(/truncated binary trace \(header is 20 of 32 bytes\)/);
    await expect(records(readTrace(cut(HEADER_SIZE + 8 * 500 + 3), "auto"))).rejects.toThrow(/truncated binary trace \(ends 3 bytes into record 500\)/);
    await expect(records(readTrace(cut(HEADER_SIZE + 8 * 999), "auto"))).rejects.toThrow(/header says 1000 records, found 999/);
    await expect(records(readTrace(cut(0), "bin"))).rejects.toThrow(/truncated binary trace/);
  });

  it("drops instruction fetches on request and keeps kinds", async () => {
    const path = join(dir, "k.bin");
    const w = new BinaryTraceWriter(path, { flags: FLAG_IFETCH, pageShift: 12 });
    const b = new TraceBatch(8);
    b.push(KIND_IFETCH, 0x1000, 0); b.push(KIND_LOAD, 0x2004, 0); b.push(KIND_STORE, 0x3008, 1);
    w.write(b); w.close();
    expect(await records(readTrace(path, "auto"))).toEqual([["I", 0x1000n], ["L", 0x2004n], ["S", 0x1_0000_3008n]]);
    expect(await records(readTrace(path, "auto", { ifetch: false }))).toEqual([["L", 0x2004n], ["S", 0x1_0000_3008n]]);
  });
});

describe("wasm trace buffer", () => {
  it("lies between the TLB and host-cache areas and guest RAM", () => {
    const ex = new WebAssembly.Instance(wasmModule(), { env: { abort() { throw new Error("abort"); } } }).exports as Record<string, WebAssembly.Global>;
    const n = (k: string) => Number(ex[k]!.value);
    expect(n("TRACE_CAPACITY")).toBeGreaterThanOrEqual(65536);
    expect(n("TRACE_BASE")).toBeGreaterThanOrEqual(n("TLB_BASE") + 3 * n("TLB_STRIDE") + 0x10000);
    expect(n("TRACE_BASE") + 8 * n("TRACE_CAPACITY")).toBeLessThanOrEqual(n("RAM_BASE"));
  });
});

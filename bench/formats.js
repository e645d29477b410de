// Trace reading throughput per format: references per second of a whole single-TLB study (64 entries, 4-way, LRU)
// from the same synthetic references written as an mmulab binary trace (plain, gzip, zstd), a lackey log, a ChampSim
// trace (plain, and xz when the xz program is there) and a drmemtrace file (plain, zstd), best of 3 by wall time.
// Run with `node bench/formats.js [MREFS]` (after `npm run build`); bench/README.md records the latest figures.

import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BinaryTraceWriter, FLAG_IFETCH } from "../dist/trace/binary.js";
import { champsimRecord } from "../dist/trace/champsim.js";
import { generateSync, parseGenSpec } from "../dist/trace/gen.js";
import { lackeyLine } from "../dist/trace/lackey.js";
import { readTrace, runStudy } from "../dist/trace/study.js";
import { zstdFrame } from "../dist/trace/zstd.js";

const MREFS = Number(process.argv[2] ?? 5);
const SPEC = "zipf:5000:1.3:1";
const dir = mkdtempSync(join(tmpdir(), "mmulab-bench-formats-"));
const f = (n) => join(dir, n);

// Each generated reference becomes an instruction at a code address followed by a load of it: 2 references.
const w = new BinaryTraceWriter(f("t.bin"), { flags: FLAG_IFETCH, pageShift: 12 });
const lk = openSync(f("t.lackey"), "w"), cs = openSync(f("t.champsim"), "w"), dr = openSync(f("t.trace"), "w");
const head = Buffer.alloc(12);
head.writeUInt16LE(25, 0); head.writeBigUInt64LE(7n, 4);
writeSync(dr, head);
let n = 0;
for (const b of generateSync(parseGenSpec(SPEC), MREFS * 1e6 / 2, 12)) {
  const out = { bin: [], lk: "", cs: Buffer.alloc(64 * b.count), dr: Buffer.alloc(24 * b.count) };
  const batch = { bytes: new Uint8Array(16 * b.count), count: 2 * b.count };
  const dv = new DataView(batch.bytes.buffer);
  for (let i = 0; i < b.count; i++, n++) {
    const lo = b.words[2 * i] & ~3, hi = b.words[2 * i + 1];
    const ip = 0x400000 + (n % 50000) * 4;
    dv.setUint32(16 * i, ip | 2, true); dv.setUint32(16 * i + 8, lo, true); dv.setUint32(16 * i + 12, hi, true);
    out.lk += lackeyLine(2, ip, 0) + "\n" + lackeyLine(0, lo, hi) + "\n";
    out.cs.set(champsimRecord(BigInt(ip), [(BigInt(hi) << 32n) | BigInt(lo >>> 0)]), 64 * i);
    out.dr.writeUInt16LE(10, 24 * i); out.dr.writeUInt16LE(4, 24 * i + 2); out.dr.writeUInt32LE(ip, 24 * i + 4);
    out.dr.writeUInt16LE(0, 24 * i + 12); out.dr.writeUInt16LE(8, 24 * i + 14); out.dr.writeUInt32LE(lo >>> 0, 24 * i + 16); out.dr.writeUInt32LE(hi, 24 * i + 20);
  }
  w.writeRecords(batch.bytes);
  writeSync(lk, out.lk); writeSync(cs, out.cs); writeSync(dr, out.dr);
}
w.close(); closeSync(lk); closeSync(cs); closeSync(dr);
const compress = (src, dst, fn) => {   // whole file at once: fine for a benchmark's few hundred MiB
  const data = readFileSync(f(src));
  const parts = [];
  for (let at = 0; at < data.length; at += 8 << 20) parts.push(fn(data.subarray(at, at + (8 << 20))));
  writeFileSync(f(dst), Buffer.concat(parts));
};
compress("t.bin", "t.bin.gz", gzipSync);
compress("t.bin", "t.bin.zst", zstdFrame);
compress("t.trace", "t.trace.zst", zstdFrame);
const haveXz = spawnSync("xz", ["-k", "-T1", "-3", f("t.champsim")]).status === 0;

const cases = [["bin", "t.bin"], ["bin", "t.bin.gz"], ["bin", "t.bin.zst"], ["lackey", "t.lackey"], ["champsim", "t.champsim"],
  ...(haveXz ? [["champsim", "t.champsim.xz"]] : []), ["drmemtrace", "t.trace"], ["drmemtrace", "t.trace.zst"]];
console.log(`${MREFS}M references (${SPEC}, each an instruction and a load), 64-entry 4-way LRU, best of 3\n`);
console.log("| format | file | MiB | M references/s |");
console.log("|---|---|---|---|");
for (const [format, file] of cases) {
  let best = Infinity, accesses = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const r = await runStudy(readTrace(f(file), format), { geometry: { entries: 64, ways: 4, policy: "lru", seed: 0n }, pageSize: 4096 });
    best = Math.min(best, performance.now() - t0);
    accesses = r.accesses;
  }
  console.log(`| ${format} | ${file} | ${(statSync(f(file)).size / 2 ** 20).toFixed(1)} | ${(accesses / best / 1e3).toFixed(1)} |`);
}
rmSync(dir, { recursive: true, force: true });

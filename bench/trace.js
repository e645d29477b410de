// Trace replay throughput: references per second through a 64-entry 4-way LRU TLB and a 1536-entry 12-way LRU
// STLB, from an mmulab binary trace and from a lackey text trace of the same synthetic references, and the same
// binary trace through a plain C simulation (bench/trace_sim.c, built with clang -O2 here) for scale.
// Run with `npm run bench:trace` (after `npm run build`); `npm run bench:trace -- 10` uses 10M references.
// Each figure is given twice: from wall-clock time and from CPU time (this process's for the replay, the C
// program's own for the C simulation), the latter being the fair one on a machine shared with other work.
// bench/README.md records the latest figures and how they were taken.

import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BinaryTraceWriter, FLAG_IFETCH } from "../dist/trace/binary.js";
import { generateSync, parseGenSpec } from "../dist/trace/gen.js";
import { lackeyLine } from "../dist/trace/lackey.js";
import { readTrace, runStudy } from "../dist/trace/study.js";

const here = dirname(fileURLToPath(import.meta.url));
const MREFS = Number(process.argv[2] ?? 50);
const REFS = MREFS * 1e6;
const SPEC = "zipf:5000:1.3:1";        // a skewed footprint of 5000 pages: mostly hits, some misses at both sizes
const GEOMETRIES = [[64, 4], [1536, 12]];
const RUNS = 3;

const dir = mkdtempSync(join(tmpdir(), "mmulab-bench-trace-"));
const bin = join(dir, "t.bin"), txt = join(dir, "t.lackey");

// Write both formats from one pass over the generator.
let t = performance.now();
const w = new BinaryTraceWriter(bin, { flags: FLAG_IFETCH, pageShift: 12 });
const fd = openSync(txt, "w");
for (const b of generateSync(parseGenSpec(SPEC), REFS, 12)) {
  w.write(b);
  let text = "";
  for (let i = 0; i < b.count; i++) text += lackeyLine(b.words[2 * i] & 3, b.words[2 * i] & ~3, b.words[2 * i + 1]) + "\n";
  writeSync(fd, text);
}
w.close();
closeSync(fd);
console.error(`wrote ${MREFS}M references (${SPEC}) in ${((performance.now() - t) / 1000).toFixed(1)} s: ` +
  `binary ${(statSync(bin).size / 2 ** 20).toFixed(0)} MiB, lackey ${(statSync(txt).size / 2 ** 20).toFixed(0)} MiB`);

// The C reference simulation.
const sim = join(dir, "trace_sim");
const cc = spawnSync("clang", ["-O2", "-o", sim, join(here, "trace_sim.c")], { encoding: "utf8" });
const haveC = cc.status === 0;
if (!haveC) console.error(`bench: clang failed, no C comparison: ${cc.stderr ?? cc.error}`);

async function best(fn) {
  let min = Infinity, cpu = Infinity, out;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now(), u0 = process.cpuUsage();
    out = await fn();
    const u = process.cpuUsage(u0);
    min = Math.min(min, performance.now() - t0);
    // A child process (the C simulation) reports its own CPU time; ours counts for the replay in this process.
    cpu = Math.min(cpu, out?.cpu !== undefined ? out.cpu * 1000 : (u.user + u.system) / 1000);
  }
  return { ms: min, cpuMs: cpu, out };
}

const rows = [];
for (const [entries, ways] of GEOMETRIES) {
  const geometry = { entries, ways, policy: "lru" };
  const study = (path, format) => () => runStudy(readTrace(path, format), { geometry, pageSize: 4096 });
  const b = await best(study(bin, "bin"));
  const l = await best(study(txt, "lackey"));
  let c;
  if (haveC) {
    c = await best(() => {
      const r = spawnSync(sim, [bin, String(entries), String(ways), "12"], { encoding: "utf8" });
      const [acc, miss, sec, cpu] = r.stdout.trim().split(" ").map(Number);
      return { accesses: acc, misses: miss, sec, cpu };
    });
    if (c.out.misses !== b.out.misses) throw new Error(`C and wasm disagree: ${c.out.misses} vs ${b.out.misses} misses`);
  }
  const mrps = (ms) => REFS / ms / 1e3;
  rows.push({
    tlb: `${entries}-entry ${ways}-way LRU`, missRate: b.out.missRate,
    bin: mrps(b.ms), lackey: mrps(l.ms), c: c ? mrps(c.ms) : undefined, cInner: c ? REFS / c.out.sec / 1e6 : undefined,
    binCpu: mrps(b.cpuMs), lackeyCpu: mrps(l.cpuMs), cCpu: c ? mrps(c.cpuMs) : undefined,
  });
}
rmSync(dir, { recursive: true, force: true });

console.log(`${MREFS}M references, ${SPEC}, 4 KiB pages; best of ${RUNS}; M refs/s = million references per second, file to counts`);
console.log("| TLB | miss rate | binary M refs/s | lackey M refs/s | C M refs/s | C ÷ binary | binary (CPU) | lackey (CPU) | C (CPU) | C ÷ binary (CPU) |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
const f = (x) => (x === undefined ? "-" : x.toFixed(1));
for (const r of rows) {
  console.log(`| ${r.tlb} | ${(100 * r.missRate).toFixed(2)}% | ${f(r.bin)} | ${f(r.lackey)} | ${f(r.c)} | ${r.c ? (r.c / r.bin).toFixed(2) : "-"} | ` +
    `${f(r.binCpu)} | ${f(r.lackeyCpu)} | ${f(r.cCpu)} | ${r.cCpu ? (r.cCpu / r.binCpu).toFixed(2) : "-"} |`);
}

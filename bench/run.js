// Guest-instruction throughput of the emulator, with translation on (riscv-sv39) and off (bare), and the same
// guests' wall time under qemu-riscv64 for scale. Run with `npm run bench` (after `npm install`); pass guest
// names to restrict, e.g. `npm run bench -- integer stride`. Results are printed as a table and written to
// bench/results.json; bench/README.md records the latest figures and how they were taken.

import { Bench } from "tinybench";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { runGuest } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const GUESTS = {
  integer: [],
  qsort: [],
  stride: [],
  hashtable: [],
  fp: [],
};
const ARCHS = ["riscv-sv39", "bare"];
const only = process.argv.slice(2);
const names = Object.keys(GUESTS).filter((g) => only.length === 0 || only.includes(g));
const haveQemu = spawnSync("qemu-riscv64", ["--version"]).status === 0;

const rows = [];
const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0 });
const insns = new Map();
for (const g of names) {
  const path = join(root, "guest", "bin", g);
  if (!existsSync(path)) { console.error(`bench: guest/bin/${g} is missing (npm run guests)`); process.exitCode = 1; continue; }
  for (const arch of ARCHS) {
    const id = `${g} ${arch}`;
    bench.add(id, () => {
      const r = runGuest({ path, args: GUESTS[g], arch, mem: "256M" });
      if (r.exitCode !== 0) throw new Error(`${id}: exit ${r.exitCode} ${r.message ?? ""}`);
      insns.set(id, r.counters.instret);
    });
  }
  if (haveQemu) {
    bench.add(`${g} qemu-riscv64`, () => {
      const r = spawnSync("qemu-riscv64", [path, ...GUESTS[g]], { stdio: ["ignore", "ignore", "inherit"] });
      if (r.status !== 0) throw new Error(`${g} under qemu: status ${r.status}`);
    });
  }
}
await bench.run();
for (const t of bench.tasks) {
  if (t.result?.error) { console.error(t.name, t.result.error.message); process.exitCode = 1; continue; }
  const ms = t.result.latency.mean;
  const n = insns.get(t.name);
  rows.push({
    task: t.name,
    "mean ms": Number(ms.toFixed(1)),
    "±%": Number(t.result.latency.rme.toFixed(1)),
    "guest insns": n ?? "",
    "MIPS": n ? Number((n / ms / 1e3).toFixed(1)) : "",
  });
}
console.table(rows);
writeFileSync(join(root, "bench", "results.json"), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + "\n");

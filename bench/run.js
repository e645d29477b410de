// Guest-instruction throughput of the emulator, with translation on (every machine but bare: modelled TLBs, walker or
// software refill model, paging-structure caches on x86-64, the SLB and HTAB on power, the TB's system half on the
// VAX, statistics) and off (bare: VA = PA, no TLB model), and the same guests' wall
// time under qemu-riscv64 for scale.
// Run with `npm run bench` (after `npm install`); pass guest names to restrict, e.g. `npm run bench -- integer`.
// Prints a table and writes bench/results.json; bench/README.md records the latest figures and how they were taken.

import { Bench } from "tinybench";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { runGuest } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Guests and the arguments they are measured with (their defaults unless noted). */
const GUESTS = { integer: [], qsort: [], stride: [], hashtable: [], fp: [] };
/** Every guest runs on these: the reference machine, x86-64, and translation off. */
const ARCHS = ["riscv-sv39", "x86-64", "bare"];
/** The other machines run the guests the translation-hardware issue measures them on (strided and hash-table), and
 *  integer for the 2x speed bar against riscv-sv39. */
const OTHER_ARCHS = ["mips-r3000", "mips-r4000", "sparc", "power", "hashed", "vax", "guarded"];
const OTHER_GUESTS = ["integer", "stride", "hashtable"];
const only = process.argv.slice(2);
const names = Object.keys(GUESTS).filter((g) => only.length === 0 || only.includes(g));
const haveQemu = spawnSync("qemu-riscv64", ["--version"]).status === 0;

const bench = new Bench({ iterations: 3, warmupIterations: 1, time: 0, warmupTime: 0 });
const insns = new Map();
for (const g of names) {
  const path = join(root, "guest", "bin", g);
  if (!existsSync(path)) { console.error(`bench: guest/bin/${g} is missing`); process.exitCode = 1; continue; }
  for (const arch of [...ARCHS, ...(OTHER_GUESTS.includes(g) ? OTHER_ARCHS : [])]) {
    bench.add(`${g} ${arch}`, () => {
      const r = runGuest({ path, args: GUESTS[g], arch, mem: "256M" });
      if (r.exitCode !== 0) throw new Error(`${g} on ${arch}: exit ${r.exitCode} ${r.message ?? ""}`);
      insns.set(g, r.counters.instret);
    });
  }
  if (haveQemu) {
    bench.add(`${g} qemu-riscv64`, () => {
      const r = spawnSync("qemu-riscv64", [path, ...GUESTS[g]], { stdio: ["ignore", "ignore", "inherit"] });
      if (r.status !== 0) throw new Error(`${g} under qemu-riscv64: status ${r.status}`);
    });
  }
}
await bench.run();

const ms = (name) => {
  const t = bench.tasks.find((x) => x.name === name);
  if (!t?.result || t.result.error) { if (t?.result?.error) { console.error(name, t.result.error.message); process.exitCode = 1; } return undefined; }
  return t.result.latency.mean;
};
const mips = (n, t) => (n && t ? Number((n / t / 1e3).toFixed(1)) : undefined);
const rows = names.map((g) => {
  const n = insns.get(g), on = ms(`${g} riscv-sv39`), x86 = ms(`${g} x86-64`), off = ms(`${g} bare`);
  const ratio = (t) => (t && on ? Number((t / on).toFixed(2)) : undefined);
  const q = ms(`${g} qemu-riscv64`);
  return {
    guest: g,
    "guest insns (M)": n ? Number((n / 1e6).toFixed(1)) : undefined,
    "sv39 ms": on && Math.round(on), "sv39 MIPS": mips(n, on),
    "x86-64 ÷ sv39": ratio(x86),
    ...Object.fromEntries(OTHER_ARCHS.map((a) => [`${a} ÷ sv39`, ratio(ms(`${g} ${a}`))])),
    "bare ms": off && Math.round(off), "bare MIPS": mips(n, off),
    "translation cost": on && off ? `${(100 * (on / off - 1)).toFixed(1)}%` : undefined,
    "qemu ms": q && Math.round(q), "qemu MIPS": mips(n, q),
  };
});
console.table(rows);
writeFileSync(join(root, "bench", "results.json"), JSON.stringify({
  date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, rows,
}, null, 2) + "\n");

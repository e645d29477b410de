// Per-machine guest speed by CPU time: each guest of the translation-hardware issue (integer, strided, hash table)
// on every machine `mmulab archs` lists, one warm-up run then the best of 3, timed with process.cpuUsage (less
// sensitive than wall time to other load on a shared host). Prints a Markdown table of guest MIPS and the ratio of
// each machine's time to riscv-sv39's (the issue's bar: at most 2x on integer).
// Run with `npm run bench:machines` (after `npm install`); pass guest names to restrict, e.g. `-- integer`.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { runGuest } from "../dist/index.js";
import { ARCHS } from "../dist/arch/registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const GUESTS = ["integer", "stride", "hashtable"];
const only = process.argv.slice(2);
const guests = GUESTS.filter((g) => only.length === 0 || only.includes(g));

function cpuMs(path, arch) {
  let best = Infinity, insns = 0;
  for (let i = 0; i < 4; i++) {
    const t0 = process.cpuUsage();
    const r = runGuest({ path, arch, mem: "256M" });
    const t = process.cpuUsage(t0);
    if (r.exitCode !== 0) throw new Error(`${path} on ${arch}: exit ${r.exitCode} ${r.message ?? ""}`);
    if (i > 0) best = Math.min(best, (t.user + t.system) / 1000);
    insns = r.counters.instret;
  }
  return { ms: best, insns };
}

const results = new Map();
for (const g of guests) {
  const path = join(root, "guest", "bin", g);
  if (!existsSync(path)) { console.error(`bench: guest/bin/${g} is missing`); process.exitCode = 1; continue; }
  for (const arch of ARCHS) {
    results.set(`${g} ${arch}`, cpuMs(path, arch));
    process.stderr.write(".");
  }
}
process.stderr.write("\n");
const head = ["machine", ...guests.flatMap((g) => [`${g} MIPS`, `${g} ÷ sv39`])];
console.log(`| ${head.join(" | ")} |`);
console.log(`|${head.map(() => "---").join("|")}|`);
for (const arch of ARCHS) {
  const cells = guests.flatMap((g) => {
    const r = results.get(`${g} ${arch}`), ref = results.get(`${g} riscv-sv39`);
    if (!r || !ref) return ["-", "-"];
    return [(r.insns / r.ms / 1e3).toFixed(1), (r.ms / ref.ms).toFixed(2)];
  });
  console.log(`| ${arch} | ${cells.join(" | ")} |`);
}

// Superpages: stride (64 MiB, 4 passes) with the kernel mapping user memory with 4 KiB pages and with 2 MiB ones
// (--page-size 2M) on every machine whose kernel promotes, one warm-up run then the best of 3 by CPU time. Prints
// a Markdown table of D-TLB misses, walks, emulated cycles and host CPU time per page size.
// Run with `npm run bench:superpages` (after `npm install`); pass machine names to restrict, e.g. `-- x86-64`.

import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { runGuest } from "../dist/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MACHINES = ["riscv-sv39", "riscv-sv48", "x86-64", "x86-64-la57"];
const only = process.argv.slice(2);
const path = join(root, "guest/bin/stride");

function measure(arch, pageSize) {
  let best = Infinity, c = {};
  for (let i = 0; i < 4; i++) {
    const t0 = process.cpuUsage();
    const r = runGuest({ path, arch, pageSize, mem: "256M" });
    const t = process.cpuUsage(t0);
    if (r.exitCode !== 0) throw new Error(`stride on ${arch} --page-size ${pageSize}: exit ${r.exitCode} ${r.message ?? ""}`);
    if (i > 0) best = Math.min(best, (t.user + t.system) / 1000);
    c = r.counters;
  }
  return { ms: best, c };
}

const n = (v) => v.toLocaleString("en-US");
console.log("| machine | page size | dtlb misses | walks | cycles | promotions | CPU ms |");
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const arch of MACHINES.filter((m) => only.length === 0 || only.includes(m))) {
  for (const ps of ["4K", "2M"]) {
    const { ms, c } = measure(arch, ps);
    console.log(`| ${arch} | ${ps} | ${n(c.dtlb_miss)} | ${n(c.walks)} | ${n(c.cycles)} | ${n(c.superpage_promotions ?? 0)} | ${ms.toFixed(0)} |`);
  }
}

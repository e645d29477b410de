// Paging (issue 10): page faults served per second of host CPU with and without page-out. The wsweep guest sweeps
// MiB of anonymous memory PASSES times; with --mem 256M every fault is a first touch (zero fill, no page-out), with
// --mem 2M and swap every pass pages the whole region out and back in (page daemon, swap device, sleeping
// faults). Per machine and policy: faults, page-ins, page-outs, host CPU time (best of 2 after a warm-up) and faults
// per CPU second. Run with `npm run bench:paging [-- --mib N]` after `npm run build`.

import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let mib = 8;
for (let k = 0; k < args.length; k++) if (args[k] === "--mib") mib = Number(args[++k]);
const PASSES = 2;
const { runGuest } = await import(pathToFileURL(join(root, "dist/index.js")).href);
const path = join(root, "guest/bin/wsweep");

function measure(o, rounds = 3) {
  let best = Infinity, c = {};
  for (let i = 0; i < rounds; i++) {
    const t0 = process.cpuUsage();
    const r = runGuest({ path, args: [String(mib), String(PASSES)], ...o });
    const t = process.cpuUsage(t0);
    if (r.exitCode !== 0) throw new Error(`wsweep ${JSON.stringify(o)}: exit ${r.exitCode} ${r.message ?? ""}`);
    if (i > 0) best = Math.min(best, (t.user + t.system) / 1000);
    c = r.counters;
  }
  return { ms: best, c };
}

const n = (v) => v.toLocaleString("en-US");
const ROWS = [
  ["riscv-sv39", "no page-out (256M)", { mem: "256M" }],
  ["riscv-sv39", "freebsd, 2M + swap", { mem: "2M", swap: "64M" }],
  ["riscv-sv39", "clock, 2M + swap", { mem: "2M", swap: "64M", pageout: "clock" }],
  ["riscv-sv39", "lru, 2M + swap", { mem: "2M", swap: "64M", pageout: "lru" }],
  ["x86-64", "no page-out (256M)", { mem: "256M" }],
  ["x86-64", "freebsd, 2M + swap", { mem: "2M", swap: "64M" }],
  ["vax", "freebsd, 2M + swap", { mem: "2M", swap: "64M" }],
];
console.log(`wsweep ${mib} MiB, ${PASSES} passes`);
console.log("| machine | paging | page faults | page-ins | page-outs | CPU ms | faults per CPU s |");
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const [arch, what, o] of ROWS) {
  const { ms, c } = measure({ arch, ...o });
  console.log(`| ${arch} | ${what} | ${n(c.page_faults)} | ${n(c.pageins)} | ${n(c.pageouts)} | ${ms.toFixed(0)} | ${n(Math.round(c.page_faults / (ms / 1000)))} |`);
}

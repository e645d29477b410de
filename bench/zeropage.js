// Read faults over untouched memory (issue 17): the zeropage guest maps MiB of anonymous memory and reads one byte
// per page, so every page is a read fault mapping the one shared zero frame, whose pv list grows to a quarter of a
// million entries for 1 GiB. Per machine: faults, emulated cycles and host CPU time (best of 2 after a warm-up).
// With another checkout's path as argument, also the same guest on that checkout's build (its dist/), for a
// before/after ratio; pass `--mib N` to change the size (default 1024; the old quadratic pv lists need minutes).
// Run with `npm run bench:zeropage [-- [--mib N] [OTHER_CHECKOUT]]` after `npm run build`.

import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join, resolve } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let mib = 1024, other;
for (let k = 0; k < args.length; k++) {
  if (args[k] === "--mib") mib = Number(args[++k]);
  else other = resolve(args[k]);
}
// bare has no translation (the mapping needs RAM), the VAX's P0/P1 regions hold 1 GiB in all.
const MACHINES = ["riscv-sv39", "riscv-sv48", "x86-64", "x86-64-la57", "mips-r3000", "mips-r4000", "sparc", "power",
  "hashed", "guarded"];
const path = join(root, "guest/bin/zeropage");

async function measure(dir, arch, rounds) {
  const { runGuest } = await import(pathToFileURL(join(dir, "dist/index.js")).href);
  let best = Infinity, c = {};
  for (let i = 0; i < rounds; i++) {
    const t0 = process.cpuUsage();
    const r = runGuest({ path, args: ["read", String(mib)], arch, mem: "256M" });
    const t = process.cpuUsage(t0);
    if (r.exitCode !== 0) throw new Error(`zeropage on ${arch}: exit ${r.exitCode} ${r.message ?? ""}`);
    if (i > 0 || rounds === 1) best = Math.min(best, (t.user + t.system) / 1000);
    c = r.counters;
  }
  return { ms: best, c };
}

const n = (v) => v.toLocaleString("en-US");
console.log(`| machine | read faults over ${mib} MiB | cycles | CPU ms${other ? " | other build CPU ms | ratio" : ""} |`);
console.log(`|---|---:|---:|---:${other ? "|---:|---:" : ""}|`);
for (const arch of MACHINES) {
  const { ms, c } = await measure(root, arch, 3);
  let tail = "";
  if (other) {
    const o = await measure(other, arch, 1);
    tail = ` | ${o.ms.toFixed(0)} | ${(o.ms / ms).toFixed(1)}×`;
  }
  console.log(`| ${arch} | ${n(c.page_faults)} | ${n(c.cycles)} | ${ms.toFixed(0)}${tail} |`);
}

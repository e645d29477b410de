// A/B speed of two builds side by side: `node bench/ab.js OTHER_CHECKOUT [guest…]` loads this checkout's build
// (dist/, build/) and another checkout's (built there with `npm run build`, e.g. a worktree of the previous
// commit) into one process and runs each guest on every machine with both, alternating A and B run by run, so
// that the shared host's drift falls on both alike. Each figure is the best CPU time (process.cpuUsage) of the
// rounds after one warm-up run each. Both builds must give the same counters (the structure of the code may
// change, the model may not): a difference is reported and the exit status is 1. Prints a Markdown table of
// this ÷ other per guest and machine, and the geometric mean.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runGuest as runThis } from "../dist/index.js";
import { ARCHS } from "../dist/arch/registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [otherArg, ...only] = process.argv.slice(2);
if (!otherArg || !existsSync(join(otherArg, "dist", "index.js"))) {
  console.error("usage: node bench/ab.js OTHER_CHECKOUT [guest...]   (OTHER_CHECKOUT built with npm run build)");
  process.exit(2);
}
const { runGuest: runOther } = await import(pathToFileURL(join(resolve(otherArg), "dist", "index.js")).href);
const GUESTS = ["integer", "stride", "hashtable"];
const guests = GUESTS.filter((g) => only.length === 0 || only.includes(g));
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);

function timed(run, path, arch) {
  const t0 = process.cpuUsage();
  const r = run({ path, arch, mem: "256M" });
  const t = process.cpuUsage(t0);
  return { ms: (t.user + t.system) / 1000, counters: r.counters, stdout: r.stdout };
}

let differ = 0;
const rows = [];
for (const g of guests) {
  const path = join(root, "guest", "bin", g);
  for (const arch of ARCHS) {
    const a = timed(runThis, path, arch), b = timed(runOther, path, arch);   // warm-up, and the counters
    // Every counter the other build has must be the same here; a counter only this build has is new, not a change.
    const changed = Object.keys(b.counters).filter((k) => a.counters[k] !== b.counters[k]);
    if (changed.length > 0 || a.stdout !== b.stdout) {
      differ++;
      console.error(`${g} on ${arch}: the two builds give different ${a.stdout !== b.stdout ? "output" : `counters (${changed.join(", ")})`}`);
    }
    let bestA = Infinity, bestB = Infinity;
    for (let i = 0; i < ROUNDS; i++) {
      bestA = Math.min(bestA, timed(runThis, path, arch).ms);
      bestB = Math.min(bestB, timed(runOther, path, arch).ms);
    }
    rows.push({ g, arch, a: bestA, b: bestB });
    process.stderr.write(".");
  }
}
process.stderr.write("\n");
console.log("| guest | machine | other ms | this ms | this ÷ other |");
console.log("|---|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.g} | ${r.arch} | ${r.b.toFixed(0)} | ${r.a.toFixed(0)} | ${(r.a / r.b).toFixed(3)} |`);
const geo = Math.exp(rows.reduce((s, r) => s + Math.log(r.a / r.b), 0) / rows.length);
console.log(`\ngeometric mean of this ÷ other over ${rows.length} runs: ${geo.toFixed(3)}; counters ${differ ? `differ in ${differ}` : "identical in every run"}`);
process.exitCode = differ ? 1 : 0;

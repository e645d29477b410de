#!/usr/bin/env node
// The fuzz driver (issue 17): nothing a guest, a trace or a command line does may crash or hang the host.
//
//   npm run fuzz -- [--family elf|insn|syscall|trace|cli|all] [--seconds N | --count N] [--seed S] [--jobs J]
//                   [--budget-ms MS] [--mem-bound-mb MB] [--out DIR] [--fresh] [--no-minimise] [--quiet]
//
// Input i of family F under seed S is generated from its own generator seeded with (F, S, i), so any input can be
// made again from the three numbers (`--family F --seed S --only I`). Each input runs in a child process and is
// classified (classify.js): by default on a long-lived worker process (pool.js; killed and replaced on a hang or
// past the memory bound), every failure then run again in a fresh process of its own (runner.js) to confirm it;
// with --fresh every input gets a fresh process. A host failure is saved under --out with its seed, the input, a
// minimised input and the command that reproduces it. With `all` the families take turns. The last line sums up;
// the exit status is 1 when a host failure was found.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { classify } from "./classify.js";
import { FAMILIES } from "./families.js";
import { minimise } from "./minimise.js";
import { Rng } from "./rng.js";
import { WorkerPool } from "./pool.js";
import { runInput } from "./runner.js";

const FAMILY_SALT = { elf: 1n, insn: 2n, syscall: 3n, trace: 4n, cli: 5n };

/** The generator of input `index` of `family` under `seed`. */
export function inputRng(family, seed, index) {
  return new Rng((FAMILY_SALT[family] << 56n) ^ (BigInt(seed) << 24n) ^ BigInt(index));
}

function parseArgs(argv) {
  const o = { family: "all", seconds: undefined, count: undefined, seed: 1, jobs: 1, budgetMs: 60_000, memBoundMb: 3072,
    out: "fuzz-results", minimise: true, quiet: false, only: undefined, fresh: false };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k], v = () => { if (k + 1 >= argv.length) usage(`${a} needs a value`); return argv[++k]; };
    switch (a) {
      case "--family": o.family = v(); break;
      case "--seconds": o.seconds = Number(v()); break;
      case "--count": o.count = Number(v()); break;
      case "--seed": o.seed = Number(v()); break;
      case "--jobs": o.jobs = Number(v()); break;
      case "--budget-ms": o.budgetMs = Number(v()); break;
      case "--mem-bound-mb": o.memBoundMb = Number(v()); break;
      case "--out": o.out = v(); break;
      case "--only": o.only = Number(v()); break;
      case "--no-minimise": o.minimise = false; break;
      case "--fresh": o.fresh = true; break;
      case "--quiet": o.quiet = true; break;
      default: usage(`unknown option ${a}`);
    }
  }
  const fams = o.family === "all" ? Object.keys(FAMILIES) : o.family.split(",");
  for (const f of fams) if (!FAMILIES[f]) usage(`unknown family ${f} (elf, insn, syscall, trace, cli, all)`);
  for (const [k, x] of [["--seed", o.seed], ["--jobs", o.jobs], ["--budget-ms", o.budgetMs], ["--mem-bound-mb", o.memBoundMb]]) {
    if (!Number.isSafeInteger(x) || x < (k === "--seed" ? 0 : 1)) usage(`${k} must be a ${k === "--seed" ? "non-negative" : "positive"} integer`);
  }
  if (o.seconds === undefined && o.count === undefined && o.only === undefined) o.seconds = 60;
  return { ...o, families: fams };
}

function usage(msg) {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- [--family elf|insn|syscall|trace|cli|all] [--seconds N | --count N] [--seed S] [--jobs J] [--budget-ms MS] [--mem-bound-mb MB] [--out DIR] [--only I] [--fresh] [--no-minimise] [--quiet]\n`);
  process.exit(2);
}

/** Saves a host failure: the input, its minimised form, the verdict and the command that reproduces it. */
function save(o, family, index, input, result, verdict, small) {
  const dir = resolve(o.out, `${family}-seed${o.seed}-input${index}-${verdict.kind}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of Object.entries(input.files)) writeFileSync(join(dir, name), data);
  if (small) for (const [name, data] of Object.entries(small.files)) writeFileSync(join(dir, `min.${name}`), data);
  writeFileSync(join(dir, "verdict.json"), JSON.stringify({
    family, seed: o.seed, index, kind: verdict.kind, why: verdict.why, argv: input.argv, minimisedArgv: small?.argv,
    status: result.status, signal: result.signal, ms: result.ms, rssKB: result.rssKB,
    stderr: result.stderr.slice(0, 4000), rerun: `npm run fuzz -- --family ${family} --seed ${o.seed} --only ${index}`,
  }, null, 2) + "\n");
  writeFileSync(join(dir, "repro.sh"), `#!/bin/sh\n# run from this directory\nnode "$MMULAB_ROOT/bin/mmulab.js" ${(small ?? input).argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")}\n`);
  return dir;
}

export async function fuzz(o, log = (s) => process.stdout.write(s + "\n")) {
  const bounds = { memBoundKB: o.memBoundMb * 1024 };
  const stats = Object.fromEntries(o.families.map((f) => [f, { inputs: 0, failures: 0, ms: 0, outcomes: {} }]));
  const failures = [], unconfirmed = [];
  const t0 = Date.now();
  const deadline = o.seconds !== undefined ? t0 + o.seconds * 1000 : Infinity;
  const next = { turn: 0, index: Object.fromEntries(o.families.map((f) => [f, o.only ?? 0])) };
  const take = () => {
    if (Date.now() >= deadline) return undefined;
    for (let tries = 0; tries < o.families.length; tries++) {
      const f = o.families[next.turn++ % o.families.length];
      const limit = o.only !== undefined ? o.only + 1 : o.count ?? Infinity;
      if (next.index[f] < limit) return { family: f, index: next.index[f]++ };
    }
    return undefined;
  };
  const worker = async () => {
    const pool = o.fresh ? undefined : new WorkerPool(o.budgetMs, bounds.memBoundKB);
    for (let job = take(); job; job = take()) {
      const { family, index } = job;
      const input = FAMILIES[family].generate(inputRng(family, o.seed, index));
      let r = pool ? await pool.run(input) : await runInput(input, { budgetMs: o.budgetMs });
      let v = classify(r, bounds);
      if (!v.clean && pool) {
        // Confirm in a process of its own: the verdict must not depend on what the worker ran before.
        const first = v;
        r = await runInput(input, { budgetMs: o.budgetMs });
        v = classify(r, bounds);
        if (v.clean) {
          unconfirmed.push({ family, index, kind: first.kind, why: first.why });
          log(`not confirmed in a fresh process: ${family} seed ${o.seed} input ${index}: ${first.kind}: ${first.why}`);
        }
      }
      const s = stats[family];
      s.inputs++;
      s.ms += r.ms;
      const outcome = r.timedOut ? "hang" : r.signal ? r.signal : String(r.status);
      s.outcomes[outcome] = (s.outcomes[outcome] ?? 0) + 1;
      if (v.clean) continue;
      s.failures++;
      const small = o.minimise ? await minimise(input, v.kind, (x) => runInput(x, { budgetMs: o.budgetMs }).then((rr) => classify(rr, bounds))) : undefined;
      const dir = save(o, family, index, input, r, v, small);
      failures.push({ family, index, kind: v.kind, why: v.why, dir });
      log(`HOST FAILURE ${family} seed ${o.seed} input ${index}: ${v.kind}: ${v.why} (saved in ${dir})`);
    }
    pool?.stop();
  };
  await Promise.all(Array.from({ length: o.jobs }, worker));
  const secs = (Date.now() - t0) / 1000;
  const total = Object.values(stats).reduce((a, s) => a + s.inputs, 0);
  if (!o.quiet) {
    for (const [f, s] of Object.entries(stats)) {
      const outs = Object.entries(s.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`).join(" ");
      log(`${f.padEnd(8)} ${String(s.inputs).padStart(7)} inputs  ${(s.inputs / secs).toFixed(2).padStart(6)}/s  ${(s.inputs ? s.ms / s.inputs : 0).toFixed(0).padStart(6)} ms each  ${s.failures} host failures  [${outs}]`);
    }
  }
  log(`fuzz: seed ${o.seed}, ${total} inputs in ${secs.toFixed(0)} s (${(total / secs).toFixed(2)}/s), ${failures.length} host failures${unconfirmed.length ? `, ${unconfirmed.length} not confirmed in a fresh process` : ""}`);
  return { stats, failures, unconfirmed, total, seconds: secs };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/fuzz.js")) {
  const o = parseArgs(process.argv.slice(2));
  const r = await fuzz(o);
  process.exit(r.failures.length > 0 ? 1 : 0);
}

// Micro-benchmark for the FPU: `node test/assembly/fpu_bench.mjs [iterations]`.
// Builds the harness into a temporary directory, then times (a) the in-module loops of fpu_harness.ts, which
// call the unit the way the CPU core does (wasm to wasm), and (b) a JS loop calling the exported f64_add, which
// adds the JS <-> wasm call and BigInt conversion overhead.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const n = Number(process.argv[2] ?? 20_000_000);
const dir = mkdtempSync(join(tmpdir(), "mmulab-fpu-bench-"));
writeFileSync(join(dir, "asconfig.json"), JSON.stringify({ options: {} }));
execFileSync("npx", ["asc", "assembly/test/fpu_harness.ts", "--config", join(dir, "asconfig.json"), "-O3",
  "--runtime", "stub", "--outFile", join(dir, "fpu.wasm")], { cwd: root, stdio: "inherit" });
const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, "fpu.wasm")), { env: { abort() {} } });
const ex = instance.exports;

function time(fn) {
  fn(); // warm up
  let best = Infinity;
  for (let k = 0; k < 3; k++) { const t0 = process.hrtime.bigint(); fn(); best = Math.min(best, Number(process.hrtime.bigint() - t0)); }
  return best / 1e9;
}
const fmt = (ops, sec) => `${(ops / sec / 1e6).toFixed(1).padStart(7)} Mops/s  ${(sec * 1e9 / ops).toFixed(2).padStart(6)} ns/op`;
const base = time(() => ex.bench_native_f64_add(n));
console.log(`${"native f64 add loop (reference)".padEnd(28)} ${fmt(n, base)}`);
const names = ["RNE", "RTZ", "RDN", "RUP", "RMM"];
for (const op of ["f64_add", "f64_mul", "f64_div", "f64_sqrt", "f64_fma", "f32_add", "f32_mul", "f32_div", "f32_sqrt",
  "f32_fma", "f64_to_i64", "f64_to_i32", "i64_to_f64", "f64_to_f32"]) {
  for (const rm of op.includes("to") ? [0, 1, 4] : [0, 1, 4]) {
    const t = time(() => ex[`bench_${op}`](n, rm));
    console.log(`${(op + " " + names[rm]).padEnd(28)} ${fmt(n, t)}`);
  }
}
const m = Math.min(n, 5_000_000);
const a = 0x3ff0000000000001n, b = 0x3fe0000000000003n;
const tj = time(() => { let acc = 0n; for (let i = 0; i < m; i++) acc ^= ex.f64_add(a, b, 0); return acc; });
console.log(`${"f64_add RNE called from JS".padEnd(28)} ${fmt(m, tj)}  (includes BigInt call overhead)`);

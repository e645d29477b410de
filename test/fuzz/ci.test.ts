// The fuzzers' fixed-seed run (issue 17): a few inputs of every family, each in a child process, must give zero host
// failures. The longer CI run is `npm run fuzz -- --family all --count 200 --seed 1` (FUZZING.md). Needs the build
// (`npm run build`): the inputs run the real command line, bin/mmulab.js and dist/.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript driver without declarations
import { fuzz } from "./fuzz.js";
// @ts-expect-error plain JavaScript
import { classify } from "./classify.js";

const built = existsSync(fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url)));
const bounds = { memBoundKB: 3 << 20 };
const base = { status: 0, signal: null, stderr: "", timedOut: false, rssKB: 100_000, json: undefined };

describe("the verdict on one run (classify.js)", () => {
  it.each([
    ["guest exit", { status: 3, json: { reason: "exit" } }, true],
    ["signal death with its line", { status: 139, stderr: "mmulab: guest killed by SIGSEGV (x)\n", json: { reason: "signal", signal: 11 } }, true],
    ["death for want of guest memory with its line", { status: 137, stderr: "mmulab: guest killed by SIGKILL: out of guest memory (--mem 256M)\n", json: { reason: "signal", signal: 9 } }, true],
    ["instruction limit after the guest's stderr, on the same line", { status: 124, stderr: "\0\0\0mmulab: instruction limit reached (--max-insns 5)\n", json: { reason: "limit" } }, true],
    ["signal death without its line", { status: 139, json: { reason: "signal", signal: 11 } }, false],
    ["instruction limit with its line", { status: 124, stderr: "mmulab: instruction limit reached (--max-insns 5)\n", json: { reason: "limit" } }, true],
    ["bad input with one line", { status: 1, stderr: "mmulab: not an ELF file (bad magic number)\n" }, true],
    ["bad input with nothing said", { status: 2 }, false],
    ["internal error", { status: 70, stderr: "mmulab: internal error: x is not a function\n" }, false],
    ["exit 70", { status: 70, stderr: "mmulab: something\n" }, false],
    ["stack trace", { status: 1, stderr: "mmulab: x\n    at f (file:///a/b.js:1:2)\n" }, false],
    ["escaped wasm trap", { status: 1, stderr: "RuntimeError: unreachable\n" }, false],
    ["host killed by a signal", { status: null, signal: "SIGSEGV" }, false],
    ["hang", { status: null, timedOut: true }, false],
    ["host memory past the bound", { rssKB: 4 << 20 }, false],
  ])("%s", (_what, r, clean) => {
    expect(classify({ ...base, ...r }, bounds).clean).toBe(clean);
  });
});

describe.skipIf(!built)("fixed-seed fuzz run", () => {
  it("every family, 40 inputs each: no host failure", async () => {
    const lines: string[] = [];
    const r = await fuzz({ families: ["elf", "insn", "syscall", "trace", "cli"], count: 40, seed: 1, jobs: 1,
      budgetMs: 120_000, memBoundMb: 3072, out: fileURLToPath(new URL("../../fuzz-results", import.meta.url)),
      minimise: false, quiet: false, fresh: false }, (s: string) => lines.push(s));
    expect(r.total).toBe(200);
    expect(r.failures, lines.join("\n")).toEqual([]);
  }, 900_000);
});

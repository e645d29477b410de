// `sweep --emit slurm|k8s`, `--slice` and `sweep merge`: the emitted scripts are run as the cluster would run them
// (one shell per array index, the index in the scheduler's variable), and the merged slices equal the same sweep
// run at once, file by file.

import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";

const ROOT = join(import.meta.dirname, "../../..");
const dir = mkdtempSync(join(tmpdir(), "mmulab-slices-"));
const lackey = join(dir, "z.lackey");
writeFileSync(lackey, Array.from({ length: 3000 }, (_, i) => ` L ${(0x10000 + ((i * 7919) % 211) * 4096).toString(16)},8`).join("\n") + "\n");
const PLAN = [lackey, "--guest", `${join(ROOT, "guest/bin/matmul")} 12`, "--policies", "lru,fifo,random", "--entries", "16,64",
  "--ways", "4,full", "--archs", "riscv-sv39,x86-64,mips-r4000"];

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await runCli(argv, io);
  return { status, out: io.out, err: io.err };
}

const OUTPUTS = ["sweep.md", "sweep.csv", "machines.csv", "missrate.svg", "cycles.svg"];

/** The whole sweep, run once, for comparison. */
let whole: Promise<string> | undefined;
function wholeSweep(): Promise<string> {
  whole ??= (async () => {
    const out = join(dir, "whole");
    const r = await cli("sweep", ...PLAN, "--jobs", "2", "--out", out);
    expect(r.status, r.err).toBe(0);
    return out;
  })();
  return whole;
}

async function expectSameAsWhole(merged: string): Promise<void> {
  const w = await wholeSweep();
  for (const f of OUTPUTS) expect(readFileSync(join(merged, f), "utf8"), f).toBe(readFileSync(join(w, f), "utf8"));
  const a = JSON.parse(readFileSync(join(merged, "sweep.json"), "utf8")), b = JSON.parse(readFileSync(join(w, "sweep.json"), "utf8"));
  expect(a.command).toBe(`mmulab sweep ${PLAN.join(" ").replace(`${ROOT}/guest/bin/matmul 12`, `'${ROOT}/guest/bin/matmul 12'`)}`);
  expect({ ...a, command: "" }).toEqual({ ...b, command: "" });
}

describe("a sweep in slices", () => {
  it("--emit slurm: every array task run by sh, then merged, equals the sweep run at once", async () => {
    const em = join(dir, "slurm");
    const r = await cli("sweep", ...PLAN, "--emit", "slurm", "--slices", "5", "--out", em);
    expect(r.status, r.err).toBe(0);
    const script = readFileSync(join(em, "sweep.slurm"), "utf8");
    expect(script).toMatch(/^#SBATCH --array=0-4$/m);
    const jobs = readFileSync(join(em, "jobs.txt"), "utf8").trim().split("\n");
    expect(jobs).toHaveLength(2 * 2 * 2 * 4 + 2 * 3);            // inputs × entries × ways × (3 policies + MIN) + machine runs
    expect(jobs[0]).toMatch(/^0\tslice 0\ttlb /);
    for (let i = 0; i < 5; i++) {
      execFileSync("sh", [join(em, "sweep.slurm")], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) }, stdio: "pipe" });
    }
    expect(readdirSync(join(em, "slices")).sort()).toEqual(["0", "1", "2", "3", "4"]);
    const m = await cli("sweep", "merge", ...[0, 1, 2, 3, 4].map((i) => join(em, "slices", String(i))), "--out", join(em, "merged"));
    expect(m.status, m.err).toBe(0);
    expect(m.out).toBe(readFileSync(join(await wholeSweep(), "sweep.md"), "utf8"));
    await expectSameAsWhole(join(em, "merged"));
  }, 240_000);

  it("--emit k8s: an Indexed Job whose command, run per completion index, merges to the same sweep", async () => {
    const em = join(dir, "k8s");
    const r = await cli("sweep", ...PLAN, "--emit", "k8s", "--slices", "3", "--image", "registry.example/mmulab:1", "--out", em);
    expect(r.status, r.err).toBe(0);
    const yaml = readFileSync(join(em, "sweep-job.yaml"), "utf8");
    for (const l of ["kind: Job", "completionMode: Indexed", "completions: 3", 'image: "registry.example/mmulab:1"']) expect(yaml).toContain(l);
    const command = JSON.parse(/^\s*command: (\[.*\])$/m.exec(yaml)![1]!) as string[];
    const cwd = JSON.parse(/^\s*workingDir: (".*")$/m.exec(yaml)![1]!) as string;
    expect(command.slice(0, 2)).toEqual(["sh", "-c"]);
    // The pod's image has `mmulab` on its PATH: here, a shim for this checkout.
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "mmulab"), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin/mmulab.js")}" "$@"\n`);
    chmodSync(join(bin, "mmulab"), 0o755);
    for (let i = 0; i < 3; i++) {
      execFileSync(command[0]!, command.slice(1), { cwd, stdio: "pipe",
        env: { ...process.env, JOB_COMPLETION_INDEX: String(i), PATH: `${bin}:${process.env.PATH}` } });
    }
    // Slices as a shell glob gives them (any order), and as slice.json files.
    const slices = readdirSync(join(em, "slices")).reverse().map((s) => join(em, "slices", s, "slice.json"));
    const m = await cli("sweep", "merge", ...slices, "--out", join(em, "merged"));
    expect(m.status, m.err).toBe(0);
    await expectSameAsWhole(join(em, "merged"));
  }, 240_000);

  it("bad slicing and merging: one line and status 2, before any work", async () => {
    const out = join(dir, "bad");
    const slice0 = join(dir, "one-slice");
    const ok = await cli("sweep", lackey, "--entries", "16", "--policies", "lru", "--slice", "0/2", "--out", slice0);
    expect(ok.status, ok.err).toBe(0);
    expect(existsSync(join(slice0, "slice.json"))).toBe(true);
    for (const argv of [
      ["sweep", lackey, "--slice", "2/2", "--out", out], ["sweep", lackey, "--slice", "x", "--out", out],
      ["sweep", lackey, "--slice", "0/2"], ["sweep", lackey, "--slices", "2"], ["sweep", lackey, "--emit", "slurm"],
      ["sweep", lackey, "--emit", "pbs", "--out", out], ["sweep", lackey, "--entries", "16", "--policies", "lru", "--no-opt",
        "--emit", "slurm", "--slices", "2", "--out", out],
      ["sweep", lackey, "--emit", "k8s", "--slice", "0/2", "--out", out],
      ["sweep", "merge"], ["sweep", "merge", join(dir, "nothing-here")], ["sweep", "merge", lackey], ["sweep", "merge", slice0],
    ]) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.err, argv.join(" ")).toMatch(/^mmulab: [^\n]+\n$/);
    }
    expect((await cli("sweep", "merge", slice0)).err).toMatch(/1 of 2 slices missing \(1\)/);
  });
});

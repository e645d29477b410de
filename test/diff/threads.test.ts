// Differential suite of the threaded guests (static glibc, -pthread): each runs under qemu-riscv64 (the oracle)
// and under mmulab on every machine of the registry; stdout and the exit status must be identical. The guests'
// output does not depend on how their threads interleave, so qemu's host threads and mmulab's deterministic
// round-robin must agree. Skipped without qemu-riscv64 or a built CLI locally, failures under CI (as qemu.test.ts).

import { describe, expect, test } from "vitest";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ARCHS } from "../../src/arch/registry.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CI = Boolean(process.env.CI);
const SPAWN_TIMEOUT_MS = 50_000;
const ENV = { MMULAB_SUITE: "diff" };

const qemuPath = (() => {
  const r = spawnSync("/bin/sh", ["-c", "command -v qemu-riscv64"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : undefined;
})();
const mmulabJs = join(root, "bin", "mmulab.js");
const built = existsSync(mmulabJs) && existsSync(join(root, "dist", "cli", "main.js"));

interface Outcome { status: number; stdout: string; stderr: string }

function outcome(r: SpawnSyncReturns<string>, what: string): Outcome {
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  const status = r.status ?? 128 + constants.signals[r.signal!];
  return { status, stdout: r.stdout, stderr: r.stderr };
}

interface Case { guest: string; args: string[]; status: number; stdoutMatch: RegExp }

const CASES: Case[] = [
  { guest: "pthread_sum", args: ["20000", "4"], status: 0, stdoutMatch: /total=\d+ expect=\d+ ok\n(thread \d: saw total ok, tls \d+\n){4}main tls 100 0\n$/ },
  { guest: "pthread_pc", args: ["3000", "3", "2", "300"], status: 0, stdoutMatch: /sum=4501500 expect=4501500 ok\ncounter=1500 expect=1500 ok\n$/ },
  { guest: "pthread_join", args: [], status: 0, stdoutMatch: /SIGUSR1 handled by thread 3, SIGUSR2 by thread 2\n[^]*last thread: main has exited, pid still the same\n$/ },
  { guest: "pthread_exit", args: [], status: 7, stdoutMatch: /^quitter: exit\(7\) while the others run\n$/ },
];

const qemuRuns = new Map<string, Outcome>();

function runQemu(c: Case): Outcome {
  const key = [c.guest, ...c.args].join(" ");
  let o = qemuRuns.get(key);
  if (!o) {
    const r = spawnSync(qemuPath!, [join("guest", "bin", c.guest), ...c.args],
      { cwd: root, env: ENV, encoding: "utf8", timeout: SPAWN_TIMEOUT_MS, killSignal: "SIGKILL" });
    o = outcome(r, `qemu-riscv64 ${c.guest}`);
    qemuRuns.set(key, o);
  }
  return o;
}

function runMmulab(c: Case, options: string[]): Outcome {
  const r = spawnSync(process.execPath,
    [mmulabJs, "run", join("guest", "bin", c.guest), ...options, "--env-clear", "--env", "MMULAB_SUITE=diff", "--", ...c.args],
    { cwd: root, env: ENV, encoding: "utf8", timeout: SPAWN_TIMEOUT_MS, killSignal: "SIGKILL" });
  return outcome(r, `mmulab ${c.guest}`);
}

describe("differential: threaded guests on every machine", () => {
  test("qemu-riscv64 and the CLI are available (required under CI)", () => {
    if (CI && (!qemuPath || !built)) throw new Error("qemu-riscv64 or the built CLI missing");
  });
  for (const arch of ARCHS) {
    for (const c of CASES) {
      test.skipIf(!qemuPath || !built)(`${c.guest} ${c.args.join(" ")} --arch ${arch}`, { timeout: 60_000 }, () => {
        const q = runQemu(c);
        expect(q.status, q.stderr).toBe(c.status);
        expect(q.stdout).toMatch(c.stdoutMatch);
        const m = runMmulab(c, ["--arch", arch]);
        expect(m.stdout).toBe(q.stdout);
        expect(m.status, m.stderr).toBe(q.status);
      });
    }
  }
});

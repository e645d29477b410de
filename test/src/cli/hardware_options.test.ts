// --ad and --psc: per-machine hardware options whose legal values come from the machine's data file.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";

const bin = (name: string): string => fileURLToPath(new URL(`../../../guest/bin/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mmulab-hwopt-"));

function run(...argv: string[]): { status: number; out: string; err: string; counters: Record<string, number> } {
  const file = join(dir, `r${Math.random().toString(36).slice(2)}.json`);
  const io = new BufferIo();
  const status = main(["run", bin("malloc"), "--json", file, ...argv], io);
  const counters = status === 0 ? (JSON.parse(readFileSync(file, "utf8")) as { counters: Record<string, number> }).counters : {};
  return { status, out: io.out, err: io.err, counters };
}

function rejected(r: { status: number; err: string }, pattern: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  expect(r.err).toMatch(pattern);
}

describe("--ad: who sets accessed and dirty bits", () => {
  it("svade makes the kernel set A/D on faults instead of the walker, with the same guest output", () => {
    const svadu = run("--arch", "riscv-sv39", "--ad", "svadu");
    const svade = run("--arch", "riscv-sv39", "--ad", "svade");
    expect(svadu.status).toBe(0);
    expect(svade.status).toBe(0);
    expect(svade.out).toBe(svadu.out);
    expect(svadu.counters["ad_updates"]).toBeGreaterThan(0);
    expect(svade.counters["ad_updates"]).toBe(0);
    // Pages the kernel maps at fault time carry A (and D for a write) already; only later first reads/writes of
    // pages entered without them fault again, so Svade never takes fewer page faults.
    expect(svade.counters["traps_page_fault"]).toBeGreaterThanOrEqual(svadu.counters["traps_page_fault"]!);
    expect(svade.counters["walk_faults"]).toBeGreaterThanOrEqual(svadu.counters["walk_faults"]!);
  });

  it("svadu is the RISC-V default", () => {
    const dflt = run("--arch", "riscv-sv48");
    const svadu = run("--arch", "riscv-sv48", "--ad", "svadu");
    expect(dflt.counters["ad_updates"]).toBe(svadu.counters["ad_updates"]);
    expect(dflt.counters["cycles"]).toBe(svadu.counters["cycles"]);
  });

  it("is rejected where the machine offers no such choice, or for an unknown mode", () => {
    rejected(run("--arch", "x86-64", "--ad", "svade"), /x86-64 has no choice of accessed\/dirty-bit maintenance/);
    rejected(run("--arch", "riscv-sv39", "--ad", "lazy"), /--ad 'lazy' is not offered by riscv-sv39 \(choose svadu or svade\)/);
  });
});

describe("--psc: paging-structure cache sizes", () => {
  it("with every cache off, each walk reads one entry per level (a faulting walk stops early)", () => {
    const r = run("--arch", "x86-64", "--psc", "pde=0,pdpte=0,pml4e=0");
    expect(r.status).toBe(0);
    const reads = r.counters["walk_refs"]! - r.counters["ad_updates"]!;
    expect(reads).toBeLessThanOrEqual(4 * r.counters["walks"]!);
    expect(reads).toBeGreaterThanOrEqual(4 * r.counters["walks"]! - 3 * r.counters["walk_faults"]!);
    expect(reads).toBeGreaterThan(4 * (r.counters["walks"]! - r.counters["walk_faults"]!));
    expect(r.counters["psc_pde_hit"]).toBe(0);
  });

  it("the data file's sizes are the default, and a larger PDE cache saves walk references", () => {
    const dflt = run("--arch", "x86-64");
    const same = run("--arch", "x86-64", "--psc", "pde=32,pdpte=4,pml4e=2");
    const off = run("--arch", "x86-64", "--psc", "pde=0,pdpte=0,pml4e=0");
    expect(same.counters["cycles"]).toBe(dflt.counters["cycles"]);
    expect(dflt.counters["psc_pde_hit"]).toBeGreaterThan(0);
    expect(dflt.counters["walk_refs"]).toBeLessThan(off.counters["walk_refs"]!);
    expect(dflt.out).toBe(off.out);
  });

  it("rejects machines without the caches, unknown caches and impossible sizes", () => {
    rejected(run("--arch", "riscv-sv39", "--psc", "pde=8"), /riscv-sv39 has no paging-structure caches/);
    rejected(run("--arch", "x86-64", "--psc", "pte=8"), /bad --psc item 'pte=8'/);
    rejected(run("--arch", "x86-64", "--psc", "pde=65"), /at most 64 entries per cache/);
  });
});

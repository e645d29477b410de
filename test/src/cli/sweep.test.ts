// `mmulab sweep`: results equal the reference simulation, the same output whatever the worker timing (2 threads or
// inline), CSV / JSON / Markdown / SVG written, machines compared, and bad input refused before anything runs.

import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../src/cli/main.js";
import { genPages, parseGenSpec } from "../../../src/trace/gen.js";
import { refMisses } from "../../trace/reference.js";
import { BufferIo } from "../helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-sweep-"));
const GUEST = (g: string) => join(import.meta.dirname, "../../../guest/bin", g);
// A lackey trace of 6000 loads over 300 pages (Zipf), at page-aligned addresses from 0x10000.
const pages = genPages(parseGenSpec("zipf:300:0.8:7"), 6000);
const lackey = join(dir, "z.lackey");
writeFileSync(lackey, pages.map((p) => ` L ${(0x10000 + p * 4096).toString(16)},8`).join("\n") + "\n");

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await runCli(argv, io);
  return { status, out: io.out, err: io.err };
}

describe("mmulab sweep", () => {
  it("LRU, FIFO and the optimum equal the reference simulation for every geometry; output is deterministic", async () => {
    const out2 = join(dir, "two"), out1 = join(dir, "one");
    const argv = [lackey, "--policies", "lru,fifo", "--entries", "8,32,128", "--ways", "2,full"];
    const r = await cli("sweep", ...argv, "--jobs", "2", "--out", out2);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toBe("");                                // no progress bar when stderr is not a terminal
    const doc = JSON.parse(readFileSync(join(out2, "sweep.json"), "utf8"));
    expect(doc.tlb).toHaveLength(3 * 2 * 3);
    for (const row of doc.tlb) {
      const rel = pages.map((p: number) => p + 16);          // page numbers of the lackey addresses
      const want = refMisses(rel, row.sets, row.ways, row.policy === "opt" ? "min" : row.policy);
      expect(row.misses, `${row.policy} ${row.entries}/${row.ways}`).toBe(want);
      expect(row.accesses).toBe(6000);
    }
    const r1 = await cli("sweep", ...argv, "--jobs", "1", "--out", out1);
    expect(r1.out).toBe(r.out);
    for (const f of ["sweep.csv", "sweep.md", "missrate.svg"]) expect(readFileSync(join(out1, f), "utf8")).toBe(readFileSync(join(out2, f), "utf8"));
    const d1 = JSON.parse(readFileSync(join(out1, "sweep.json"), "utf8"));
    expect(d1.tlb).toEqual(doc.tlb);
    expect(doc.command).toBe(`mmulab sweep ${argv.join(" ")} --jobs 2 --out ${out2}`);
  }, 60_000);

  it("writes CSV, Markdown and SVG plots with every policy and the optimum; compares machines", async () => {
    const out = join(dir, "full");
    const r = await cli("sweep", lackey, "--guest", `${GUEST("matmul")} 12`, "--policies", "lru,random", "--entries", "16,64",
      "--ways", "4", "--page-sizes", "4K,8K", "--archs", "riscv-sv39,x86-64", "--out", out);
    expect(r.status, r.err).toBe(0);
    const csv = readFileSync(join(out, "sweep.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("input,pageSize,entries,ways,sets,policy,accesses,misses,missRate");
    expect(csv).toHaveLength(1 + 2 * 2 * 2 * 3);             // inputs × page sizes × entries × (policies + MIN)
    expect(csv.filter((l) => l.startsWith("matmul 12,8192,64,4,16,opt,"))).toHaveLength(1);
    const md = readFileSync(join(out, "sweep.md"), "utf8");
    expect(md).toContain("| input | page | entries | ways | accesses | lru | random | MIN (optimum) |");
    expect(md).toContain("### Translation cost per machine");
    const svg = readFileSync(join(out, "missrate.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    for (const t of ["lru", "random", "MIN (optimum)", "TLB entries", "miss rate", "matmul 12 · 8K pages · 4-way"]) expect(svg).toContain(t);
    const cyc = readFileSync(join(out, "cycles.svg"), "utf8");
    for (const t of ["riscv-sv39", "x86-64", "translation cycles per TLB access"]) expect(cyc).toContain(t);
    const m = readFileSync(join(out, "machines.csv"), "utf8").trim().split("\n");
    expect(m).toHaveLength(1 + 2 * 2);
    const doc = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    const live = doc.machines.find((x: { input: string; arch: string }) => x.input === "matmul 12" && x.arch === "x86-64");
    expect(live.cyclesPerAccess).toBeCloseTo(live.xlateCycles / live.accesses, 10);
    expect(live.instructions).toBeGreaterThan(0);          // a guest runs live on each machine
  }, 120_000);

  it("an impossible geometry is named before anything runs (status 2, no output)", async () => {
    const out = join(dir, "never");
    const r = await cli("sweep", lackey, "--entries", "48,64", "--ways", "4,128", "--out", out);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^mmulab: impossible TLB geometry in the sweep \(nothing was run\): 48 entries × 4 ways: 12 sets .* not a power of two; 48 entries × 128 ways: [^;]+; 64 entries × 128 ways: 64 entries are not divisible by 128 ways\n$/);
    expect(r.out).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  it("bad input: one line, status 2 for usage and 1 for a malformed trace", async () => {
    const bad = join(dir, "bad.lackey");
    writeFileSync(bad, " L 10000,8\n L 11000,8\n Q zz\n");
    for (const argv of [["sweep"], ["sweep", lackey, "--policies", "lru,belady"], ["sweep", lackey, "--bogus"],
      ["sweep", join(dir, "missing.bin")], ["sweep", lackey, "--entries", "0"], ["sweep", lackey, "--archs", "bare"],
      ["sweep", lackey, "--ways", "two"], ["sweep", lackey, "--page-sizes", "3K"], ["sweep", "--guest", "nosuch/prog"],
      ["sweep", "--guest", lackey], ["sweep", lackey, "--out", lackey], ["sweep", "--guest", GUEST("spin"), "--max-insns", "0"]]) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(/^mmulab: [^\n]+\n$/);
    }
    const r = await cli("sweep", bad, "--entries", "16", "--jobs", "2");
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^mmulab: .*bad\.lackey: line 3: malformed lackey line ' Q zz'\n$/);
  });

  it("--max-insns bounds a guest that never ends; an input a machine cannot replay is marked, the rest kept", async () => {
    // spin loops forever: its recording and its machine runs stop after 100,000 instructions.
    const out = join(dir, "spin");
    const r = await cli("sweep", "--guest", GUEST("spin"), "--max-insns", "100000", "--entries", "16", "--policies", "lru",
      "--archs", "x86-64,mips-r3000", "--out", out);
    expect(r.status, r.err).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    expect(doc.machines.map((m: { instructions: number }) => m.instructions)).toEqual([100000, 100000]);
    // A lackey trace at addresses the MIPS R3000's 2 GiB user space cannot hold: n/a there, measured on x86-64.
    const high = join(dir, "high.lackey");
    writeFileSync(high, " L 3fffffe000,8\n L 3fffffd000,8\n");
    const h = await cli("sweep", high, "--entries", "16", "--policies", "lru", "--archs", "x86-64,mips-r3000", "--out", join(dir, "high"));
    expect(h.status, h.err).toBe(0);
    const hd = JSON.parse(readFileSync(join(dir, "high", "sweep.json"), "utf8"));
    const byArch = Object.fromEntries(hd.machines.map((m: { arch: string }) => [m.arch, m]));
    expect(byArch["x86-64"].unavailable).toBeUndefined();
    expect(byArch["x86-64"].pageFaults).toBe(2);
    expect(byArch["mips-r3000"].unavailable).toMatch(/outside mips-r3000's user address space/);
    expect(h.out).toMatch(/Not available on some machines\n\n- \S*high\.lackey on mips-r3000: /);
    expect(readFileSync(join(dir, "high", "machines.csv"), "utf8")).not.toContain("mips-r3000");
  });
});

// Regions of interest: the guest's mmulab_reset_stats / mmulab_dump_stats (guest/include/mmulab.h), --warmup-insns
// and --stats-every. A region's dump does not depend on what ran before it (beyond what the TLBs hold); a warm-up
// removes exactly its instructions and cycles; periodic dumps are a time series that adds up to the run.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { ARCHS } from "../../../src/arch/registry.js";
import { translates } from "../../../src/machine/costs.js";
import { BufferIo } from "../helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-roi-"));
const GUEST = (g: string) => join(import.meta.dirname, "../../../guest/bin", g);
type Doc = { counters: Record<string, number>; dumps?: { tag: number; instret: number; counters: Record<string, number> }[]; statsResets?: number };

function run(name: string, ...argv: string[]): Doc {
  const json = join(dir, `${name}.json`);
  const io = new BufferIo();
  const status = main(["run", ...argv, "--json", json], io);
  expect(status, io.err).toBe(0);
  return JSON.parse(readFileSync(json, "utf8")) as Doc;
}

// Counters of the region that do not depend on what the TLBs held when it began.
const INDEPENDENT = ["instret", "itlb_access", "dtlb_access", "syscalls", "page_faults", "zero_fills", "traps_ecall"];

describe.each(ARCHS)("regions of interest on %s", (arch) => {
  it("the guest's region dump is the same after a warm-up as without one", () => {
    const warm = run(`${arch}-warm`, GUEST("roi"), "warm", "48", "--arch", arch);
    const cold = run(`${arch}-cold`, GUEST("roi"), "cold", "48", "--arch", arch);
    expect(warm.statsResets).toBe(1);
    const w = warm.dumps![0]!, c = cold.dumps![0]!;
    expect(w.tag).toBe(1);
    for (const k of INDEPENDENT) expect(w.counters[k], k).toBe(c.counters[k]);
    // The region touched 48 fresh pages: each one faulted (zero fill), whatever ran before — where memory is
    // demand-paged (bare maps it all at the start).
    if (translates(arch)) expect(w.counters.zero_fills).toBeGreaterThanOrEqual(47);
    // The run's report counts from the reset too: less than the whole run.
    expect(warm.counters.instret).toBeLessThan(warm.dumps![0]!.instret);
  });
});

describe("--warmup-insns and --stats-every", () => {
  it("a warm-up of N instructions removes exactly N instructions and the cycles they took", () => {
    const whole = run("whole", GUEST("qsort"));
    const series = run("series", GUEST("qsort"), "--stats-every", "20000");
    const warm = run("warm", GUEST("qsort"), "--warmup-insns", "20000");
    expect(warm.statsResets).toBe(1);
    expect(warm.counters.instret).toBe(whole.counters.instret! - 20000);
    const first = series.dumps![0]!;
    expect(first.instret).toBe(20000);
    expect(warm.counters.cycles).toBe(whole.counters.cycles! - first.counters.cycles!);
    // levels are not taken relative to the reset
    expect(warm.counters.ram_frames).toBe(whole.counters.ram_frames);
  });

  it("periodic dumps are cumulative, tagged in order, every N instructions", () => {
    const whole = run("whole2", GUEST("qsort"));
    const s = run("series2", GUEST("qsort"), "--stats-every", "15000");
    const d = s.dumps!;
    expect(d.length).toBe(Math.floor(whole.counters.instret! / 15000));
    d.forEach((x, i) => { expect(x.tag).toBe(i); expect(x.instret).toBe(15000 * (i + 1)); });
    for (let i = 1; i < d.length; i++) expect(d[i]!.counters.cycles).toBeGreaterThan(d[i - 1]!.counters.cycles!);
    expect(s.counters.cycles).toBe(whole.counters.cycles);   // dumping changes nothing
  });

  it("bad values are one line, before the run", () => {
    for (const [opt, v] of [["--warmup-insns", "0"], ["--stats-every", "x"]]) {
      const io = new BufferIo();
      expect(main(["run", GUEST("hello"), opt!, v!], io)).toBe(2);
      expect(io.out).toBe("");
      expect(io.err).toMatch(/^mmulab: --(warmup-insns|stats-every) must be a positive integer/);
    }
  });
});

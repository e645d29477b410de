// --stats, --stats-file and --json on every machine: every counter a machine produces is described, the
// machine's own hardware counters are shown for it and for no other machine, the cycle breakdown sums to the
// total, and the stats file holds exactly --json's counters that apply.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { ARCHS, machineDef } from "../../../src/arch/registry.js";
import { COUNTERS } from "../../../src/report/counters.js";
import { BufferIo } from "../helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-stats-"));
const FORKTREE = join(import.meta.dirname, "../../../guest/bin/forktree");
const MACHINE_GROUPS = ["psc", "mips", "power", "hashed", "sparc", "vax", "guarded"];

describe.each(ARCHS)("statistics on %s", (arch) => {
  const json = join(dir, `${arch}.json`), file = join(dir, `${arch}.txt`);
  const io = new BufferIo();
  const status = main(["run", FORKTREE, "2", "2", "--arch", arch, "--stats", "--json", json, "--stats-file", file], io);
  const doc = JSON.parse(readFileSync(json, "utf8")) as { counters: Record<string, number>; counterInfo: Record<string, { unit: string }> };
  const stats = io.err;

  it("runs, and every counter it produces has a description and a unit", () => {
    expect(status).toBe(0);
    const undocumented = Object.keys(doc.counters).filter((k) => !COUNTERS[k]);
    expect(undocumented).toEqual([]);
  });

  it("shows its own hardware's counters and no other machine's", () => {
    const own = machineDef(arch).counterGroups ?? [];
    for (const [name, info] of Object.entries(COUNTERS)) {
      if (!MACHINE_GROUPS.includes(info.group) || !(name in doc.counters)) continue;
      const shown = new RegExp(`^  ${name} `, "m").test(stats);
      expect(shown, `${name} (${info.group}) on ${arch}`).toBe(own.includes(info.group));
    }
  });

  it("breaks cycles down into parts that sum to the total", () => {
    const total = Number(/^ {2}cycles +([\d,]+)$/m.exec(stats)![1]!.replace(/,/g, ""));
    expect(total).toBe(doc.counters.cycles);
    const block = stats.slice(stats.indexOf("\n  cycles"), stats.indexOf("\n  CPI"));
    const parts = [...block.matchAll(/^ {4}\S.*? {2,}(-?[\d,]+) \(/gm)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("the stats file lists exactly the counters --json describes, with the same values", () => {
    const lines = readFileSync(file, "utf8").split("\n").filter((l) => /^[a-z]/.test(l));
    const inFile = Object.fromEntries(lines.map((l) => { const [k, v] = l.split(/\s+/); return [k!, Number(v)]; }));
    expect(Object.keys(inFile).sort()).toEqual(Object.keys(doc.counterInfo).sort());
    for (const [k, v] of Object.entries(inFile)) expect(v, k).toBe(doc.counters[k]);
    for (const l of lines) expect(l).toMatch(/ # .+ \([a-zA-Z ]+\)$/);
  });
});

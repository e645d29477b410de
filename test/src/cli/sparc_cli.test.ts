// The sparc machine on the command line: `mmulab archs` shows its hardware, the base-page deviation and each
// refill-handler figure with its source; bad sparc configurations are one line and status 2 before a guest runs;
// an incomplete refill section in a data file is caught.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../src/cli/main.js";
import { checkMachineData, machineDataUrl } from "../../../src/machine/costs.js";
import { BufferIo } from "../helpers/machine.js";

const bin = (name: string): string => fileURLToPath(new URL(`../../../guest/bin/${name}`, import.meta.url));

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await main(argv, io);
  return { status, out: io.out, err: io.err };
}

describe("sparc on the command line", () => {
  it("mmulab archs: 64-entry fully associative NRU TLBs, no L2, 4 KiB TTEs (a stated deviation), every handler figure sourced", async () => {
    const r = await cli("archs");
    expect(r.status).toBe(0);
    const row = r.out.split("\n").find((l) => l.startsWith("sparc "))!;
    expect(row).toMatch(/^sparc\s+4\s+4K\s+64:64:nru\s+64:64:nru\s+off\s/);
    expect(r.out).toMatch(/sparc: UltraSPARC-I\/II \(sun4u.*DEVIATION: TTEs map the guest kernel's 4 KiB base page/);
    for (const k of ["probe", "loadD", "loadI", "miss", "fill", "tailD", "tailI", "prot"]) {
      expect(r.out).toMatch(new RegExp(`\\n  ${k}\\s+\\d+\\s+Linux \\S+\\.S`));
    }
  });

  it("bad sparc configurations: one line, status 2, no guest output", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "--arch", "sparc64", bin("hello")], /unknown architecture 'sparc64' \(choose .*sparc/],
      [["run", "--arch", "sparc", "--tlb", "l1d=64:48", bin("hello")], /tlb l1d: 64 entries are not divisible by 48 ways/],
      [["run", "--arch", "sparc", "--tlb", "l1i=8192:8192", bin("hello")], /tlb l1i: 8192 entries exceed the maximum/],
      [["compare", bin("hello"), "--archs", "sparc,sun4v"], /unknown machine 'sun4v' in --archs/],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.out).toBe("");
      expect(r.err.trimEnd().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });

  it("a refill figure without a source or configuration word is rejected", async () => {
    const doc = JSON.parse(readFileSync(machineDataUrl("sparc"), "utf8"));
    expect(() => checkMachineData("sparc", doc)).not.toThrow();
    const noSource = structuredClone(doc);
    delete noSource.refill.probe.source;
    expect(() => checkMachineData("sparc", noSource)).toThrow(/refill\.probe: missing its source/);
    const noWord = structuredClone(doc);
    noWord.refill.fill.config = "C_TSB_FILLS";
    expect(() => checkMachineData("sparc", noWord)).toThrow(/refill\.fill\.config must name a K_\* word/);
  });

  it("runs a guest with --stats and names the refill counters in --json", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mmulab-sparc-")), "stats.json");
    const r = await cli("run", "--arch", "sparc", "--stats", "--json", file, bin("hello"));
    expect(r.status).toBe(0);
    expect(r.out).toContain("Hello, world!");
    expect(r.err).toMatch(/^mmulab statistics: sparc$/m);
    expect(r.err).toMatch(/^SPARC TSB and software refill$/m);
    for (const k of ["mmu_miss_traps", "tsb_hits", "tsb_misses", "tsb_fills", "prot_traps", "handler_insns"]) {
      expect(r.err).toMatch(new RegExp(`^  ${k} +[\\d,]+  \\S`, "m"));
    }
    const text = readFileSync(file, "utf8");
    for (const k of ["mmu_miss_traps", "tsb_hits", "tsb_misses", "tsb_fills", "prot_traps", "handler_insns", "demap_pages",
      "demap_contexts"]) expect(text).toMatch(new RegExp(`"${k}": \\d+`));
  });
});

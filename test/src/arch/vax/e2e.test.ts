// End to end on the VAX: the differential suite's guests run under --arch vax (512-byte pages, P0/P1 tables in
// system space, the pmap writing 8 PTEs per kernel page) and must print exactly what they print under riscv-sv39,
// with the same exit status and instruction count. Translation is transparent; the counters must add up.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runGuest } from "../../../../src/index.js";
import { main } from "../../../../src/cli/main.js";
import { BufferIo } from "../../helpers/machine.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;

const CASES = E2E_CASES;

describe.skipIf(!existsSync(bin("hello")))("the VAX runs the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const run = (arch: string) => runGuest({ path: bin(g), args, env: ENV, arch, mem: "64M" });
      const ref = run("riscv-sv39");
      const r = run("vax");
      expect(r.stdout, "stdout").toBe(ref.stdout);
      expect(r.exitCode, "exit status").toBe(ref.exitCode);
      expect(r.counters["instret"], "instructions").toBe(ref.counters["instret"]);
      expect(r.counters["pt_frames_peak"]).toBeGreaterThan(0);
    });
  }

  it("counters add up: references = successful walks + system-half misses + M writes, less what faults skipped", () => {
    const r = runGuest({ path: bin("qsort"), args: ["20000"], arch: "vax", mem: "64M" });
    const c = r.counters;
    expect(c["walks"]).toBeGreaterThan(100);
    // Each walk reads one PTE, plus one system PTE when the system half misses, plus one write to set M.
    const full = c["walks"]! + c["vax_stb_miss"]! + c["ad_updates"]!;
    expect(c["walk_refs"]).toBeLessThanOrEqual(full);
    // A faulting walk stops early: at the length check (no reference) or at the system PTE (one).
    expect(c["walk_refs"]).toBeGreaterThanOrEqual(full - 2 * c["walk_faults"]!);
    // Every walk of a P0/P1 address past its length check consults the system half once.
    expect(c["vax_stb_hit"]! + c["vax_stb_miss"]!).toBeLessThanOrEqual(c["walks"]!);
    expect(c["vax_stb_hit"]! + c["vax_stb_miss"]!).toBeGreaterThanOrEqual(c["walks"]! - c["vax_length_faults"]!);
    expect(c["vax_stb_hit"]).toBeGreaterThan(c["vax_stb_miss"]!);
    // Demand paging through growing regions: the length registers grow with the mappings (length faults).
    expect(c["vax_length_faults"]).toBeGreaterThan(0);
  });

  it("512-byte pages: a 4 KiB-strided guest misses per 512-byte page, more TB misses than Sv39's 4 KiB entries", () => {
    const v = runGuest({ path: bin("stride"), args: ["8", "2"], arch: "vax", mem: "64M" }).counters;
    const s = runGuest({ path: bin("stride"), args: ["8", "2"], arch: "riscv-sv39", mem: "64M" }).counters;
    expect(v["dtlb_access"]).toBe(s["dtlb_access"]);
    expect(v["dtlb_miss"]).toBeGreaterThan(s["dtlb_miss"]!);
  });
});

describe.skipIf(!existsSync(bin("hello")))("bad configuration of the VAX and guarded machines", () => {
  it("is one line and status 2 before any guest runs", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "--arch", "vax11", bin("hello")], /unknown architecture 'vax11' \(choose .*vax, guarded/],
      [["run", "--arch", "vax", "--tlb", "l1d=96:32", bin("hello")], /tlb l1d: 3 sets .* not a power of two/],
      [["run", "--arch", "vax", "--tlb", "l1i=8192:2", bin("hello")], /tlb l1i: .*4096/],
      [["run", "--arch", "guarded", "--tlb", "l2=1536:5", bin("hello")], /tlb l2: 1536 entries are not divisible by 5 ways/],
      [["compare", bin("hello"), "--archs", "vax,gpt"], /unknown machine 'gpt' in --archs/],
    ];
    for (const [argv, msg] of cases) {
      const io = new BufferIo();
      const status = await main(argv, io);
      expect(status, argv.join(" ")).toBe(2);
      expect(io.out, argv.join(" ")).toBe("");
      expect(io.err.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(io.err).toMatch(msg);
    }
  });
});

// End to end on the guarded-page-table machine: the differential suite's guests run under --arch guarded (the pmap
// building a compressed radix tree with guards, splitting and merging nodes) and must print exactly what they print
// under riscv-sv39, with the same exit status and instruction count. The counters must add up.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runGuest } from "../../../../src/index.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;

const CASES = E2E_CASES;

describe.skipIf(!existsSync(bin("hello")))("guarded page tables run the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const run = (arch: string) => runGuest({ path: bin(g), args, env: ENV, arch, mem: "64M" });
      const ref = run("riscv-sv39");
      const r = run("guarded");
      expect(r.stdout, "stdout").toBe(ref.stdout);
      expect(r.exitCode, "exit status").toBe(ref.exitCode);
      expect(r.counters["instret"], "instructions").toBe(ref.counters["instret"]);
      expect(r.counters["pt_frames_peak"]).toBeGreaterThan(0);
    });
  }

  it("counters add up: same TLBs as sv39, so the same TLB misses and walks; 1 to 9 references per walk, less table memory", () => {
    const g = runGuest({ path: bin("qsort"), args: ["20000"], arch: "guarded", mem: "64M" }).counters;
    const s = runGuest({ path: bin("qsort"), args: ["20000"], arch: "riscv-sv39", mem: "64M" }).counters;
    for (const k of ["itlb_access", "itlb_miss", "dtlb_access", "dtlb_miss", "l2_access", "l2_miss", "walks"]) expect(g[k], k).toBe(s[k]);
    // Every walk reads at least one entry and at most one per node level (9), plus the A/D writes.
    expect(g["walk_refs"]).toBeGreaterThanOrEqual(g["walks"]! + g["ad_updates"]!);
    expect(g["walk_refs"]).toBeLessThanOrEqual(9 * g["walks"]! + g["ad_updates"]!);
    expect(g["pt_bytes_peak"]).toBeLessThan(s["pt_bytes_peak"]!);
    // Guards matched bits on the successful walks: each consumed 36 VPN bits, some of them by guards.
    expect(g["gpt_guard_bits"]).toBeGreaterThan(0);
    expect(g["gpt_guard_bits"]).toBeLessThan(36 * (g["walks"]! - g["walk_faults"]!));
  });
});

// End to end on the x86-64 machines: guests from the differential suite (test/diff/qemu.test.ts) run under
// --arch x86-64 and --arch x86-64-la57 and must print exactly what they print under riscv-sv39, with the same exit
// status. Translation is transparent to the guest whatever hardware walks the tables; the counters must add up.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runGuest } from "../../../../src/index.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;

const CASES = E2E_CASES;

describe.skipIf(!existsSync(bin("hello")))("x86-64 machines run the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const run = (arch: string) => runGuest({ path: bin(g), args, env: ENV, arch, mem: "64M" });
      const ref = run("riscv-sv39");
      for (const arch of ["x86-64", "x86-64-la57"]) {
        const r = run(arch);
        expect(r.stdout, `${arch} stdout`).toBe(ref.stdout);
        expect(r.exitCode, `${arch} exit status`).toBe(ref.exitCode);
        expect(r.counters["instret"], `${arch} instructions`).toBe(ref.counters["instret"]);
        expect(r.counters["pt_frames_peak"]).toBeGreaterThan(0);
      }
    });
  }

  it("with the paging-structure caches off, every walk reads all levels unless it faults early", () => {
    const none = { pde: 0, pdpte: 0, pml4e: 0, pml5e: 0 };
    for (const [arch, levels] of [["x86-64", 4], ["x86-64-la57", 5]] as const) {
      const r = runGuest({ path: bin("qsort"), args: ["20000"], arch, mem: "64M", psc: none });
      const c = r.counters;
      expect(c["walks"]).toBeGreaterThan(100);
      // Exact for walks that reach a leaf (test/assembly/x86_64_walker.test.ts); a demand-paging fault stops at
      // the first non-present entry, so here each faulting walk may make fewer references.
      const full = levels * c["walks"]! + c["ad_updates"]!;
      expect(c["walk_refs"]).toBeLessThanOrEqual(full);
      expect(c["walk_refs"]).toBeGreaterThanOrEqual(full - (levels - 1) * c["walk_faults"]!);
      expect(c["psc_pde_hit"]! + c["psc_pde_miss"]!).toBe(0);
    }
  });

  it("with them on (the default), hits skip references: fewer than levels × walks", () => {
    const r = runGuest({ path: bin("qsort"), args: ["20000"], arch: "x86-64", mem: "64M" });
    const c = r.counters;
    expect(c["psc_pde_hit"]).toBeGreaterThan(0);
    expect(c["walk_refs"]).toBeLessThan(4 * c["walks"]! + c["ad_updates"]!);
    // Every walk consults the PDE cache first; each miss there goes on to the PDPTE cache, and so on.
    expect(c["psc_pde_hit"]! + c["psc_pde_miss"]!).toBe(c["walks"]);
    expect(c["psc_pdpte_hit"]! + c["psc_pdpte_miss"]!).toBe(c["psc_pde_miss"]);
    expect(c["psc_pml4e_hit"]! + c["psc_pml4e_miss"]!).toBe(c["psc_pdpte_miss"]);
  });
});

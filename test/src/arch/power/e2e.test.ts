// End to end on the POWER hash-MMU machine: the differential suite's guests print exactly what they print under
// riscv-sv39, with the same exit status and instruction count; the HTAB counters add up (every walk searched one
// or two PTEGs, each a counted reference, plus R/C stores); with the smallest HTAB the architecture allows (the
// platform's ibm,pft-size = 18) a 64 MiB buffer overflows PTEGs, HPTEs are evicted and refilled by hash faults, and
// the guest still cannot tell.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, runGuest } from "../../../../src/index.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;

const CASES = E2E_CASES;

/** The HTAB walk accounting: one PTEG read per primary hit, two otherwise, plus each R/C byte store. */
function expectHtabCounts(c: Record<string, number>): void {
  expect(c["htab_primary"]! + c["htab_secondary"]! + c["htab_miss"]!).toBe(c["walks"]);
  expect(c["walk_refs"]).toBe(c["htab_primary"]! + 2 * (c["htab_secondary"]! + c["htab_miss"]!) + c["ad_updates"]!);
  expect(c["walk_faults"]).toBeGreaterThanOrEqual(c["htab_miss"]!);
}

describe.skipIf(!existsSync(bin("hello")))("the POWER machine runs the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const ref = runGuest({ path: bin(g), args, env: ENV, arch: "riscv-sv39", mem: "64M" });
      const r = runGuest({ path: bin(g), args, env: ENV, arch: "power", mem: "64M" });
      expect(r.stdout).toBe(ref.stdout);
      expect(r.stderr).toBe(ref.stderr);
      expect(r.exitCode).toBe(ref.exitCode);
      expect(r.counters["instret"]).toBe(ref.counters["instret"]);
      expect(r.counters["pt_frames_peak"]).toBe(2 ** 20 / 4096);   // the 1 MiB HTAB for 64 MiB
      expect(r.counters["slb_miss"]).toBeGreaterThan(0);
      expectHtabCounts(r.counters);
    });
  }

  it("a small HTAB: evictions, secondary groups and hash refills, same output; counters still add up", () => {
    const args = ["64", "1"];
    const ref = runGuest({ path: bin("stride"), args, arch: "riscv-sv39", mem: "128M" });
    const r = runGuest({ path: bin("stride"), args, arch: "power", mem: "128M", pftSize: 18 });
    expect(r.stdout).toBe(ref.stdout);
    expect(r.exitCode).toBe(0);
    const c = r.counters;
    expect(c["pt_frames_peak"]).toBe(64);
    expect(c["htab_evictions"]).toBeGreaterThan(100);
    expect(c["htab_secondary_inserts"]).toBeGreaterThan(100);
    expect(c["htab_secondary"]).toBeGreaterThan(0);
    expect(c["hash_refills"]).toBeGreaterThan(100);
    // Every hash refill is a page-fault trap that the VM never saw (the VM also counts faults taken by the kernel
    // itself while copying to or from user memory, which are no traps).
    expect(c["traps_page_fault"]).toBe(c["page_faults"]! - c["page_faults_kernel"]! + c["hash_refills"]!);
    // Each eviction tlbies its victim.
    expect(c["tlbie"]).toBeGreaterThanOrEqual(c["htab_evictions"]!);
    expectHtabCounts(c);
    const d = runGuest({ path: bin("stride"), args, arch: "power", mem: "128M" });
    expect(d.counters["htab_evictions"]).toBe(0);
  });

  it("is deterministic: same run, same cycles and counters", () => {
    const run = () => runGuest({ path: bin("qsort"), args: ["20000"], arch: "power", mem: "64M", pftSize: 18 }).counters;
    expect(run()).toEqual(run());
  });

  it("rejects a bad HTAB size, or one for another machine, before the guest starts", () => {
    expect(() => runGuest({ path: bin("hello"), arch: "power", mem: "64M", pftSize: 17 })).toThrow(ConfigError);
    expect(() => runGuest({ path: bin("hello"), arch: "power", mem: "64M", pftSize: 26 })).toThrow(/half of memory/);
    expect(() => runGuest({ path: bin("hello"), arch: "riscv-sv39", pftSize: 20 })).toThrow(/no hashed page table/);
    expect(() => runGuest({ path: bin("hello"), arch: "power", tlb: "l1d=48:5:lru" })).toThrow(ConfigError);
  });
});

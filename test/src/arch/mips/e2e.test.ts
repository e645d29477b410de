// End to end on the MIPS machines: the differential suite's guests under --arch mips-r3000 and mips-r4000 print
// exactly what they print under riscv-sv39, with the same exit status and instruction count. Translation is
// transparent whichever OS handler refills the TLB; the refill model's counters must add up.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runGuest } from "../../../../src/index.js";
import { ConfigError } from "../../../../src/machine/config.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;
const MIPS = ["mips-r3000", "mips-r4000"] as const;

const CASES = E2E_CASES;

/**
 * The refill model's bookkeeping, which holds for any run: every guest TLB miss takes one refill, plus one retake
 * per nested miss that found its linear-table page; a walk is a refill or a modified exception.
 */
function checkCounters(arch: string, c: Record<string, number>): void {
  const misses = c["itlb_miss"]! + c["dtlb_miss"]!;
  expect(c["walks"], `${arch} walks`).toBe(misses + c["mips_modified"]!);
  expect(c["mips_refills"], `${arch} refills`).toBeGreaterThanOrEqual(misses);
  expect(c["mips_refills"], `${arch} refills`).toBeLessThanOrEqual(misses + c["mips_nested"]!);
  expect(c["walk_refs"], `${arch} references`).toBe(c["mips_handler_refs"]);
  // Page faults to the kernel: invalid exceptions, refills that found no linear-table page, refused modifies.
  expect(c["traps_page_fault"], `${arch} page faults`).toBe(c["mips_invalid"]! + c["walk_faults"]!);
  expect(c["walk_faults"]).toBe(misses + c["mips_nested"]! - c["mips_refills"]! + c["mips_mod_faults"]!);
  expect(c["pt_frames_peak"]).toBeGreaterThan(0);
}

describe.skipIf(!existsSync(bin("hello")))("MIPS machines run the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const run = (arch: string) => runGuest({ path: bin(g), args, env: ENV, arch, mem: "64M" });
      const ref = run("riscv-sv39");
      for (const arch of MIPS) {
        const r = run(arch);
        expect(r.stdout, `${arch} stdout`).toBe(ref.stdout);
        expect(r.exitCode, `${arch} exit status`).toBe(ref.exitCode);
        expect(r.counters["instret"], `${arch} instructions`).toBe(ref.counters["instret"]);
        checkCounters(arch, r.counters);
      }
    });
  }

  it("the same run twice gives the same cycles and counters (Random is deterministic)", () => {
    for (const arch of MIPS) {
      const a = runGuest({ path: bin("hashtable"), args: ["16"], arch, mem: "64M" });
      const b = runGuest({ path: bin("hashtable"), args: ["16"], arch, mem: "64M" });
      expect(b.counters).toEqual(a.counters);
    }
  });

  it("a strided walk over more pages than the TLB holds refills, and the R4000's pairs halve the misses", () => {
    const r3 = runGuest({ path: bin("stride"), args: ["8", "4"], arch: "mips-r3000", mem: "64M" }).counters;
    const r4 = runGuest({ path: bin("stride"), args: ["8", "4"], arch: "mips-r4000", mem: "64M" }).counters;
    expect(r3["mips_refills"]).toBeGreaterThan(1000);
    expect(r4["dtlb_miss"]).toBeLessThan(r3["dtlb_miss"]!);
    // The classic refill makes one reference (R3000) or two (the pair, R4000) per successful refill; nested
    // misses read the root table (1) or the segment table and a kernel pair (3).
    for (const [c, per, nestedRefs] of [[r3, 1, 1], [r4, 2, 3]] as const) {
      const okRefills = c["mips_refills"]! - c["mips_nested"]!;
      const modRefs = c["mips_handler_refs"]! - per * okRefills - nestedRefs * c["mips_nested"]!;
      expect(modRefs).toBeGreaterThanOrEqual(0);
      expect(modRefs).toBeLessThanOrEqual(5 * c["mips_modified"]!);
    }
  });

  it("rejects a TLB the machine cannot have, before the guest starts", () => {
    const run = (arch: string, tlb: string) => runGuest({ path: bin("hello"), arch, mem: "64M", tlb });
    expect(() => run("mips-r3000", "l1d=64:4")).toThrow(ConfigError);
    expect(() => run("mips-r3000", "l1d=64:4")).toThrow(/fully associative/);
    expect(() => run("mips-r4000", "l2=512:4")).toThrow(/no second-level TLB/);
    expect(() => run("mips-r4000", "l1i=2:2")).toThrow(/l1i must be off/);
    expect(() => run("mips-r3000", "l1d=8:8")).toThrow(/wired/);
    expect(() => run("mips-r4000", "l1d=128:128")).toThrow(/at most 64/);
    expect(run("mips-r4000", "l1d=32:32:mips-random").stdout).toContain("Hello");
  });
});

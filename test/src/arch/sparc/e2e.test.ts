// End to end on the sparc machine: guests from the differential suite (test/diff/qemu.test.ts) run under
// --arch sparc and must print exactly what they print under riscv-sv39, with the same exit status. Translation is
// transparent whatever refills the TLB; the refill model's counters must add up.

import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runGuest } from "../../../../src/index.js";
import { defaultCosts } from "../../../../src/machine/costs.js";
import { E2E_CASES, GUEST_ENV } from "../../helpers/guest_cases.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../../guest/bin/${g}`, import.meta.url));
const ENV = GUEST_ENV;

const CASES = E2E_CASES;

describe.skipIf(!existsSync(bin("hello")))("the sparc machine runs the differential suite's guests like riscv-sv39", () => {
  for (const [g, args] of CASES) {
    it(`${g} ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const ref = runGuest({ path: bin(g), args, env: ENV, arch: "riscv-sv39", mem: "64M" });
      const r = runGuest({ path: bin(g), args, env: ENV, arch: "sparc", mem: "64M" });
      expect(r.stdout, "stdout").toBe(ref.stdout);
      expect(r.stderr, "stderr").toBe(ref.stderr);
      expect(r.exitCode, "exit status").toBe(ref.exitCode);
      expect(r.message, "message").toBe(ref.message);
      // Instructions may differ only by LR/SC retries: a store-conditional to a clean page takes a protection trap
      // here (Linux's dirty tracking), the trap drops the reservation, so the SC fails once and its loop runs again
      // (lr, bne, sc, bnez). Nothing else may change what the guest executes.
      const extra = r.counters["instret"]! - ref.counters["instret"]!;
      expect(extra, "instructions").toBeGreaterThanOrEqual(0);
      expect(extra % 4, "whole LR/SC loop iterations").toBe(0);
      expect(extra, "at most one retry per protection trap").toBeLessThanOrEqual(4 * r.counters["prot_traps"]!);
      expect(r.counters["pt_frames_peak"]).toBeGreaterThan(0);
    });
  }

  it("the counters add up: every L1 miss is one MMU trap and one TSB probe; cycles are the sum of their parts", () => {
    const r = runGuest({ path: bin("qsort"), args: ["50000"], arch: "sparc", mem: "64M" });
    const c = r.counters, g = (k: string) => c[k] ?? 0;
    expect(r.exitCode).toBe(0);
    expect(g("l2_access")).toBe(0);
    expect(g("mmu_miss_traps")).toBe(g("itlb_miss") + g("dtlb_miss"));
    expect(g("walks")).toBe(g("mmu_miss_traps"));
    expect(g("tsb_hits") + g("tsb_misses")).toBe(g("mmu_miss_traps"));
    expect(g("tsb_fills") + g("walk_faults")).toBe(g("tsb_misses"));   // no TSB hit faults here (no EXEC misses)
    // Every page-fault trap the kernel saw came from the refill handler (an invalid PTE) or a protection trap (a
    // store to a clean page: Linux's dirty tracking sets hardware W only on a write fault).
    expect(g("traps_page_fault")).toBe(g("walk_faults") + g("prot_traps"));
    expect(g("prot_traps")).toBeGreaterThan(0);
    expect(g("tsb_hits")).toBeGreaterThan(0);
    expect(g("tsb_fills")).toBeGreaterThan(0);
    // Fast misses make 1 reference, slow misses 10 with a fill, faults 3 to 6.
    expect(g("walk_refs")).toBeGreaterThanOrEqual(g("tsb_hits") + 10 * g("tsb_fills") + 3 * g("walk_faults"));
    expect(g("walk_refs")).toBeLessThanOrEqual(g("tsb_hits") + 10 * g("tsb_fills") + 6 * g("walk_faults"));
    const k = defaultCosts("sparc");
    expect(g("xlate_cycles")).toBe(k.walkBase * (g("walks") + g("prot_traps")) + k.walkRef * g("walk_refs")
      + g("handler_insns") + k.flush * g("flushes"));
    expect(g("demap_pages") + g("demap_contexts")).toBe(g("flushes"));
    expect(g("cycles")).toBe(g("instret") + g("xcycles"));
  });

  it("a 1-entry D-TLB makes every change of data page a miss, each handled from the TSB or the tables", () => {
    const big = runGuest({ path: bin("stride"), args: ["8", "2"], arch: "sparc", mem: "64M" });
    const one = runGuest({ path: bin("stride"), args: ["8", "2"], arch: "sparc", mem: "64M", tlb: "l1d=1:1:nru" });
    expect(one.stdout).toBe(big.stdout);
    expect(one.counters["dtlb_miss"]!).toBeGreaterThan(big.counters["dtlb_miss"]!);
    expect(one.counters["mmu_miss_traps"]).toBe(one.counters["itlb_miss"]! + one.counters["dtlb_miss"]!);
    // The page faults (and so the fills from the kernel's fixes) do not depend on the TLB size.
    expect(one.counters["page_faults"]).toBe(big.counters["page_faults"]);
  });
});

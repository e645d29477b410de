// The cost model's charges: cycles the model adds for translation work (C_XLATE_CYCLES, a subset of C_XCYCLES)
// — TLB hits, walks, software refill handlers — defined once and shared by the CPU loop (cpu/cpu.ts), the MMU's
// slow path (mmu/mmu.ts), the machines' control and refill code (arch/) and the whole-machine trace replay
// (trace/machine.ts), so a run and its replay charge alike. Walkers and handlers only report what they did
// (references, instructions); the cycles are decided here from the configuration words (shared STYLE.md point 8).

import {
  C_XCYCLES, C_XLATE_CYCLES, C_ITLB_ACCESS, C_DTLB_ACCESS, C_L2_ACCESS, C_ITLB_MISS, C_DTLB_MISS,
  K_COST_L1_HIT, K_COST_WALK_BASE, K_COST_WALK_REF,
} from "../layout";
import { bump, cfg, counter } from "./counters";

/** Charges `cycles` to translation. */
@inline export function chargeXlate(cycles: u64): void {
  bump(C_XLATE_CYCLES, cycles);
  bump(C_XCYCLES, cycles);
}

/** One hardware walk (or refill exception) that made `refs` memory references: its fixed cost plus each reference. */
@inline export function chargeWalk(refs: u32): void {
  chargeXlate(cfg(K_COST_WALK_BASE) + <u64>refs * cfg(K_COST_WALK_REF));
}

/**
 * A software handler's run (a refill, miss or protection handler): `insns` instructions, counted in counter
 * `insnCounter` and charged `cyclesPerInsn` each, plus `entryCycles` for the exception's entry and return.
 */
@inline export function chargeHandler(insnCounter: u32, insns: u64, entryCycles: u64, cyclesPerInsn: u64): void {
  bump(insnCounter, insns);
  chargeXlate(entryCycles + insns * cyclesPerInsn);
}

/**
 * The TLB accesses of a stretch of execution or replay, counted from the TLB clocks: iAccess L1 I-TLB lookups,
 * dAccess L1 D-TLB lookups and l2Access L2 lookups; and the L1 hits among them (accesses − the misses counted since
 * the counters stood at missI0 / missD0) charged K_COST_L1_HIT each, in bulk, which keeps the per-access fast path
 * free of it.
 */
export function chargeL1Hits(iAccess: u64, dAccess: u64, l2Access: u64, missI0: u64, missD0: u64): void {
  bump(C_ITLB_ACCESS, iAccess);
  bump(C_DTLB_ACCESS, dAccess);
  bump(C_L2_ACCESS, l2Access);
  const hitCost = cfg(K_COST_L1_HIT);
  if (hitCost != 0) {
    const hits = iAccess - (counter(C_ITLB_MISS) - missI0) + dAccess - (counter(C_DTLB_MISS) - missD0);
    chargeXlate(hits * hitCost);
  }
}

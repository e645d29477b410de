// Default cycle costs written into the CONFIG words K_COST_* (assembly/layout.ts describes each word).
//
// PLACEHOLDERS: these numbers are round figures, not yet backed by measurements or vendor documents. They are
// roughly "L2 TLB hit ≈ 7 cycles, one page-table reference ≈ an L2 data-cache hit (20 cycles)". A later issue
// replaces them with per-machine cycle-model data files, each number with its source.

export interface CycleCosts {
  l1Hit: number;      // extra cycles per L1 TLB hit (overlapped with the access on most cores)
  l2Hit: number;      // extra cycles for an L2 TLB hit after an L1 miss
  walkBase: number;   // fixed cycles to start a hardware walk
  walkRef: number;    // cycles per walker memory reference (PTE read or A/D write)
  trap: number;       // cycles for a trap into the kernel and back (ecall, page fault)
  flush: number;      // cycles per sfence.vma
}

export const RISCV_SV39_COSTS: Readonly<CycleCosts> = {
  l1Hit: 0,
  l2Hit: 7,
  walkBase: 0,
  walkRef: 20,
  trap: 100,
  flush: 10,
};

/** Cycles per tick of the time CSR: a 10 MHz timebase on a nominal 1 GHz core. */
export const TIMEBASE_DIV = 100;

/** Nominal core clock used to turn cycles into guest time (clock_gettime). */
export const NOMINAL_HZ = 1_000_000_000;

/** Default costs for an architecture name (Sv48 and bare share the Sv39 numbers until data files exist). */
export function defaultCosts(_arch: string): CycleCosts {
  return { ...RISCV_SV39_COSTS };
}

// Trace-driven replay through one modelled TLB. The host fills the trace buffer (TRACE_BASE) with page numbers,
// already shifted by the study's page size, and calls replayPages(n); each page number p is looked up as the 4 KiB
// page va = p << 12 at level 0, so any power-of-two page size maps onto the same TLB arrays. The machine is
// configured by the host as a single TLB: TLB 1 (L1D) with the study's sets, ways and policy.
//
// Replacement state follows the MMU's convention (mmu.ts): a hit goes through tlbTouch with the lookup time from
// tlbTick (the stamp at +16, plus the hit count for policies that count hits); a miss calls tlbInsert with that
// time, which lets the policy choose and record the fill. Every entry here is a level-0 page of ASID 0, so the
// lookup is tlbFind's level-0 probe done inline: one set, one tag compare per way.

import { TRACE_BASE, TRACE_CAPACITY, TLB_L1D, TLBE_SIZE, COUNTERS, C_DTLB_ACCESS, C_DTLB_MISS, PERM_R, PERM_W, PERM_U } from "../layout";
import { tlbBase, tlbInsert, tlbSets, tlbTag, tlbTick, tlbTouch, tlbWays } from "../tlb/tlb";

const META: u32 = PERM_R | PERM_W | PERM_U;   // ASID 0: a trace study has one address space

@inline function bump(i: u32, by: u64): void {
  store<u64>(COUNTERS + (i << 3), load<u64>(COUNTERS + (i << 3)) + by);
}

/**
 * Replays the first n page numbers of the trace buffer (at most TRACE_CAPACITY) through TLB 1. Adds to the
 * C_DTLB_ACCESS and C_DTLB_MISS counters; returns the number of misses in this batch.
 */
export function replayPages(n: u32): u32 {
  if (n > TRACE_CAPACITY) n = TRACE_CAPACITY;
  let misses: u32 = 0;
  const ways = tlbWays(TLB_L1D);
  if (ways == 0) return 0;
  const mask = <u64>(tlbSets(TLB_L1D) - 1);
  const base = tlbBase(TLB_L1D);
  const setBytes = <usize>ways * TLBE_SIZE;
  const end = TRACE_BASE + (<usize>n << 3);
  for (let p = TRACE_BASE; p < end; p += 8) {
    const page = load<u64>(p);
    const va = page << 12;
    const tag = tlbTag(va, 12, 0);
    const now = tlbTick(TLB_L1D);
    let e = base + <usize>(page & mask) * setBytes;
    const last = e + setBytes;
    while (e < last && load<u64>(e) != tag) e += TLBE_SIZE;
    if (e < last) {
      tlbTouch(TLB_L1D, e, now);
    } else {
      tlbInsert(TLB_L1D, va, 0, 0, META, now);
      misses++;
    }
  }
  bump(C_DTLB_ACCESS, n);
  bump(C_DTLB_MISS, misses);
  return misses;
}

// Trace-driven replay through a whole machine (`mmulab trace --arch`, src/trace/machine.ts): each reference of the
// trace buffer goes through the machine's L1 TLB, L2 TLB and walker exactly as the CPU's slow paths send it
// (translateFetch for instruction fetches, translateData for loads and stores), with the same counters and cycle
// charges (cost/charge.ts); nothing is executed. Replay stops at the first reference that faults (the host's kernel
// maps the page and replays it again, as the CPU re-executes a faulting instruction) and at each control record (the
// host applies it). Access counts come from the TLB clocks, as cpu.ts counts them.

import { TRACE_BASE, TRACE_CAPACITY, C_ITLB_MISS, C_DTLB_MISS } from "../layout";
import { translateData, translateFetch, ACC_LOAD, ACC_STORE } from "../mmu/mmu";
import { clock0, clock1, clock2 } from "../tlb/tlb";
import { counter } from "../cost/counters";
import { chargeL1Hits } from "../cost/charge";

/** Why machineReplay stopped: */
export const MR_DONE: u32 = 0;      // every record replayed
export const MR_FAULT: u32 = 1;     // the reference at the returned index faulted (mmu.trapCause / trapValue)
export const MR_CONTROL: u32 = 2;   // the record at the returned index is a control record
export let mrStop: u32 = 0;

/**
 * Replays records [from, n) of the trace buffer. addrMask clears the record's non-address low bits (~3, or ~15 in
 * a trace with sizes). Instruction fetches are skipped when dropIfetch. Returns the index where it stopped (n when
 * done) and sets mrStop.
 */
export function machineReplay(from: u32, n: u32, addrMask: u64, dropIfetch: bool): u32 {
  if (n > TRACE_CAPACITY) n = TRACE_CAPACITY;
  const c0 = clock0, c1 = clock1, c2 = clock2;
  const missI0 = counter(C_ITLB_MISS), missD0 = counter(C_DTLB_MISS);
  let i = from;
  mrStop = MR_DONE;
  for (; i < n; i++) {
    const rec = load<u64>(TRACE_BASE + (<usize>i << 3));
    const kind = <u32>rec & 3;
    const va = rec & addrMask;
    if (kind == 3) { mrStop = MR_CONTROL; break; }
    if (kind == 2) {
      if (dropIfetch) continue;
      if (!translateFetch(va)) { mrStop = MR_FAULT; break; }
    } else if (translateData(va, kind == 1 ? ACC_STORE : ACC_LOAD, 1) == 0) { mrStop = MR_FAULT; break; }
  }
  chargeL1Hits(clock0 - c0, clock1 - c1, clock2 - c2, missI0, missD0);
  return i;
}

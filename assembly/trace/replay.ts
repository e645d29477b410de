// Trace-driven replay through one modelled TLB. The host fills the trace buffer (TRACE_BASE) with page numbers,
// already shifted by the study's page size, and calls replayPages(n), or copies raw binary-trace records there and
// calls replayRecords(n, shift), which decodes each record in the same pass; each page number p is looked up as the
// 4 KiB page va = p << 12 at level 0, so any power-of-two page size maps onto the same TLB arrays. The machine is
// configured by the host as a single TLB: TLB 1 (L1D) with the study's sets, ways and policy.
//
// Replacement state follows the MMU's convention (mmu/mmu.ts): a hit goes through tlbTouch with the lookup time from
// tlbTick (the stamp at +16, plus the hit count for policies that count hits); a miss calls tlbInsert with that
// time, which lets the policy choose and record the fill. Every entry here is a level-0 page of ASID 0, so the
// lookup is tlbFind's level-0 probe done inline: one set, one tag compare per way.
//
// LRU and FIFO (the hot case, benchmarked in bench/trace.js) run a loop of their own, which decodes raw records in
// the same pass: the TLB's clock is kept in a local for the batch; a hit only stores the stamp (tlbTouch's other work is for policies that count hits); a miss
// chooses the victim inline exactly as victimWay and the policy's victim hook choose it (the first invalid way,
// else the lowest way with the oldest stamp — LRU — or fill time — FIFO) in one branch-free pass, where an invalid
// way's key counts as 0, below every time (times start at 1); the fill writes what tlbInsert and onFill write (tag,
// pbase, meta, stamp; FIFO: auxt) and keeps the per-level counts. Other policies go through tlbInsert.

import {
  TRACE_BASE, TRACE_CAPACITY, TLB_L1D, TLBE_SIZE, TLBE_STAMP, TLBE_AUXT, C_DTLB_ACCESS, C_DTLB_MISS,
  PERM_R, PERM_W, PERM_U, POLICY_LRU, POLICY_FIFO,
} from "../layout";
import {
  clock1, tlbBase, tlbInsert, tlbLevelAdd, tlbPolicy, tlbSetClock, tlbSets, tlbTick, tlbTouch, tlbWays,
} from "../tlb/tlb";
import { bump } from "../cost/counters";

const META: u32 = PERM_R | PERM_W | PERM_U;   // ASID 0: a trace study has one address space
const NARROW_WAYS: u32 = 8;


// Set by replayRecords: the references it replayed and the instruction fetches it dropped.
export let replayedRefs: u32 = 0;
export let droppedIfetch: u32 = 0;

/**
 * The replay loop over records [TRACE_BASE, end): raw binary-trace records when `raw` (the page number is
 * record >> shift; control records skipped, instruction fetches too when dropIfetch), else page numbers. Adds
 * the accesses and misses to the counters, sets replayedRefs and droppedIfetch, returns the misses.
 */
@inline function replayLoop(end: usize, raw: bool, shift: u64, dropIfetch: bool): u32 {
  let misses: u32 = 0, refs: u32 = 0, dropped: u32 = 0;
  const ways = tlbWays(TLB_L1D);
  if (ways == 0) { replayedRefs = 0; droppedIfetch = 0; return 0; }
  const mask = <u64>(tlbSets(TLB_L1D) - 1);
  const base = tlbBase(TLB_L1D);
  const setBytes = <usize>ways * TLBE_SIZE;
  const policy = tlbPolicy(TLB_L1D);
  const fifo = policy == POLICY_FIFO;
  if (policy == POLICY_LRU || fifo) {
    const keyOff: usize = fifo ? TLBE_AUXT : TLBE_STAMP;
    // A narrow set is probed without branches (no misprediction on where the page sits); a wide one two ways at a
    // time, stopping at the pair that holds the page, which saves more loads than the mispredictions cost
    // (measured with bench/trace.js, CPU time: 4 ways 55 → 103, 12 ways 80 → 102 M refs/s).
    const narrow = ways <= NARROW_WAYS;
    let clk = clock1;
    for (let p = TRACE_BASE; p < end; p += 8) {
      let page = load<u64>(p);
      if (raw) {
        const kind = <u32>page & 3;
        if (kind == 3) continue;
        if (kind == 2 && dropIfetch) { dropped++; continue; }
        page >>= shift;
      }
      refs++;
      const tag = (page << 12) | 1;
      clk++;
      const first = base + <usize>(page & mask) * setBytes;
      const last = first + setBytes;
      let hit: usize = 0;
      if (narrow) {
        for (let x = first; x < last; x += TLBE_SIZE) hit = select<usize>(x, hit, load<u64>(x) == tag);
      } else {
        // two ways per step: half the exits to mispredict, few loads more than stopping at the page
        let x = first;
        const lastPair = first + <usize>(ways & ~1) * TLBE_SIZE;
        for (; x < lastPair; x += 2 * TLBE_SIZE) {
          const h0 = load<u64>(x) == tag, h1 = load<u64>(x, TLBE_SIZE) == tag;
          if (h0 | h1) { hit = select<usize>(x, x + TLBE_SIZE, h0); break; }
        }
        if (hit == 0 && x < last && load<u64>(x) == tag) hit = x;
      }
      if (hit != 0) { store<u64>(hit, clk, TLBE_STAMP); continue; }
      misses++;
      let v = first;
      let best = u64.MAX_VALUE;
      for (let x = first; x < last; x += TLBE_SIZE) {
        const k = select<u64>(load<u64>(x + keyOff), 0, (load<u64>(x) & 1) != 0);
        const older = k < best;
        v = select<usize>(x, v, older);
        best = select<u64>(k, best, older);
      }
      const old = load<u64>(v);
      if ((old & 1) == 0) tlbLevelAdd(TLB_L1D, 0, 1);
      else if ((old & 0xE) != 0) { tlbLevelAdd(TLB_L1D, <u32>(old >> 1) & 7, -1); tlbLevelAdd(TLB_L1D, 0, 1); }
      store<u64>(v, tag);
      store<u64>(v, 0, 8);
      store<u32>(v, META, 24);
      store<u64>(v, clk, TLBE_STAMP);
      if (fifo) store<u64>(v, clk, TLBE_AUXT);
    }
    tlbSetClock(TLB_L1D, clk);
  } else {
    for (let p = TRACE_BASE; p < end; p += 8) {
      let page = load<u64>(p);
      if (raw) {
        const kind = <u32>page & 3;
        if (kind == 3) continue;
        if (kind == 2 && dropIfetch) { dropped++; continue; }
        page >>= shift;
      }
      refs++;
      const va = page << 12;
      const tag = va | 1;
      const now = tlbTick(TLB_L1D);
      let e = base + <usize>(page & mask) * setBytes;
      const last = e + setBytes;
      while (e < last && load<u64>(e) != tag) e += TLBE_SIZE;
      if (e < last) tlbTouch(TLB_L1D, e, now);
      else { tlbInsert(TLB_L1D, va, 0, 0, META, now); misses++; }
    }
  }
  bump(C_DTLB_ACCESS, refs);
  bump(C_DTLB_MISS, misses);
  replayedRefs = refs;
  droppedIfetch = dropped;
  return misses;
}

/**
 * Replays the first n page numbers of the trace buffer (at most TRACE_CAPACITY) through TLB 1. Adds to the
 * C_DTLB_ACCESS and C_DTLB_MISS counters; returns the number of misses in this batch.
 */
export function replayPages(n: u32): u32 {
  if (n > TRACE_CAPACITY) n = TRACE_CAPACITY;
  return replayLoop(TRACE_BASE + (<usize>n << 3), false, 0, false);
}

/**
 * Replays the first n raw binary-trace records of the trace buffer (src/trace/FORMAT.md: a u64 each, the kind in
 * the low two bits, the address above them) through TLB 1, each as the page number address >> shift (shift >= 2,
 * or >= 4 in a trace with sizes). Control records are skipped, and instruction fetches too when dropIfetch. Sets
 * replayedRefs and droppedIfetch; returns the misses.
 */
export function replayRecords(n: u32, shift: u32, dropIfetch: bool): u32 {
  if (n > TRACE_CAPACITY) n = TRACE_CAPACITY;
  return replayLoop(TRACE_BASE + (<usize>n << 3), true, <u64>shift, dropIfetch);
}

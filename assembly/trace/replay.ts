// Trace-driven replay through one modelled TLB. The host fills the trace buffer (TRACE_BASE) with page numbers,
// already shifted by the study's page size, and calls replayPages(n); each page number p is looked up as the 4 KiB
// page va = p << 12 at level 0, so any power-of-two page size maps onto the same TLB arrays. The machine is
// configured by the host as a single TLB: TLB 1 (L1D) with the study's sets, ways and policy.
//
// Replacement state follows the MMU's convention (mmu.ts): a hit goes through tlbTouch with the lookup time from
// tlbTick (the stamp at +16, plus the hit count for policies that count hits); a miss calls tlbInsert with that
// time, which lets the policy choose and record the fill. Every entry here is a level-0 page of ASID 0, so the
// lookup is tlbFind's level-0 probe done inline: one set, one tag compare per way.
//
// LRU and FIFO misses skip tlbInsert and the policy hooks: the victim is chosen inline exactly as victimWay and
// the policy's victim hook choose it (the first invalid way, else the lowest way with the oldest stamp — LRU — or
// fill time — FIFO), and the fill writes what tlbInsert and onFill write (tag, pbase, meta, stamp; FIFO: auxt) and
// keeps the per-level counts. Other policies go through tlbInsert.

import {
  TRACE_BASE, TRACE_CAPACITY, TLB_L1D, TLBE_SIZE, TLBE_STAMP, TLBE_AUXT, COUNTERS, C_DTLB_ACCESS, C_DTLB_MISS,
  PERM_R, PERM_W, PERM_U, POLICY_LRU, POLICY_FIFO,
} from "../layout";
import { tlbBase, tlbInsert, tlbLevelAdd, tlbPolicy, tlbSets, tlbTag, tlbTick, tlbTouch, tlbWays } from "../tlb/tlb";

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
  const policy = tlbPolicy(TLB_L1D);
  const fifo = policy == POLICY_FIFO;
  const inline = policy == POLICY_LRU || fifo;
  const keyOff: usize = fifo ? TLBE_AUXT : TLBE_STAMP;
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
    } else if (inline) {
      let v: usize = 0;
      let best = u64.MAX_VALUE;
      let free = false;
      for (let x = last - setBytes; x < last; x += TLBE_SIZE) {
        if ((load<u64>(x) & 1) == 0) { v = x; free = true; break; }
        const k = load<u64>(x + keyOff);
        if (k < best) { best = k; v = x; }
      }
      if (free) {
        tlbLevelAdd(TLB_L1D, 0, 1);
      } else {
        const ol = <u32>(load<u64>(v) >> 1) & 7;
        if (ol != 0) { tlbLevelAdd(TLB_L1D, ol, -1); tlbLevelAdd(TLB_L1D, 0, 1); }
      }
      store<u64>(v, tag);
      store<u64>(v, 0, 8);
      store<u32>(v, META, 24);
      store<u64>(v, now, TLBE_STAMP);
      if (fifo) store<u64>(v, now, TLBE_AUXT);
      misses++;
    } else {
      tlbInsert(TLB_L1D, va, 0, 0, META, now);
      misses++;
    }
  }
  bump(C_DTLB_ACCESS, n);
  bump(C_DTLB_MISS, misses);
  return misses;
}

// Set by replayRecords: the references it replayed and the instruction fetches it dropped.
export let replayedRefs: u32 = 0;
export let droppedIfetch: u32 = 0;

/**
 * Replays the first n raw binary-trace records of the trace buffer (src/trace/FORMAT.md: a u64 each, the kind in
 * the low two bits, the address above them) through TLB 1, each as the page number address >> shift (shift >= 2).
 * Control records are skipped, and instruction fetches too when dropIfetch is set; the buffer is rewritten in place
 * with the page numbers and replayed as replayPages does. Sets replayedRefs and droppedIfetch; returns the misses.
 */
export function replayRecords(n: u32, shift: u32, dropIfetch: bool): u32 {
  if (n > TRACE_CAPACITY) n = TRACE_CAPACITY;
  const end = TRACE_BASE + (<usize>n << 3);
  const s = <u64>shift;
  let out = TRACE_BASE;
  let dropped: u32 = 0;
  for (let p = TRACE_BASE; p < end; p += 8) {
    const rec = load<u64>(p);
    const kind = <u32>rec & 3;
    if (kind == 3) continue;
    if (kind == 2 && dropIfetch) { dropped++; continue; }
    store<u64>(out, rec >> s);
    out += 8;
  }
  const refs = <u32>((out - TRACE_BASE) >> 3);
  replayedRefs = refs;
  droppedIfetch = dropped;
  return refs > 0 ? replayPages(refs) : 0;
}

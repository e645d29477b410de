// Modelled set-associative TLBs. Each TLB is an array of TLBE_SIZE-byte entries at tlbBase(t); an entry holds one
// translation of any page size the walker produced (a shared array, probed once per page size present, as
// shared-array STLBs do). Replacement state lives in the entry (stamp, aux words) and is driven by tlb/policy.ts.
//
// Page geometry is per machine (tlbGeometry): the page shift of level l is pageShiftBase + pageShiftStep × l
// (radix machines: 12 + 9l; MIPS PageMask sizes: 12 + 2l). With pair entries (MIPS EntryLo0/EntryLo1) one entry
// maps an even/odd pair of pages: the tag covers both (shift + 1), the even page uses pbase (+8) and the meta word's
// permission bits (+24), the odd page uses the word at +40 (PAIR_ODD: its page base | its PERM_* bits). The ASID
// and PERM_G stay in the meta word for both halves.

import { K_SETS, K_WAYS, K_POLICY, TLB_BASE, TLB_STRIDE, TLBE_SIZE, TLB_COUNT, TLB_L1D, PERM_G, C_FLUSH_ENTRIES } from "../layout";
import { bump, cfg } from "../cost/counters";
import { victimWay, onFill, onCountedHit, policyConfigure, policyNeeds, HITS_COUNT } from "./policy";

// Per-TLB geometry, cached from CONFIG by tlbConfigure (module globals are wasm globals: cheap to read).
const MAXT: i32 = 3;
let sets0: u32 = 0; let ways0: u32 = 0;
let sets1: u32 = 0; let ways1: u32 = 0;
let sets2: u32 = 0; let ways2: u32 = 0;
// Number of valid entries per page level (0 = 4K, 1 = 2M, 2 = 1G, ...) in each TLB, so lookups probe only
// the page sizes that can be present.
const LEVELS: u32 = 7;
const levelCount = new StaticArray<u32>(MAXT * LEVELS);
// Whether an indexed write (tlbWriteAt) may have put an entry outside the set its address selects: then a flush
// by address must scan the whole TLB (only multi-set TLBs; MIPS's are fully associative).
let scattered: u32 = 0;   // bit t: TLB t

// The smallest page the machine maps (pageShiftBase, kept here as a plain global for the host caches): 12 (4 KiB)
// on most machines; a machine with smaller pages (the VAX's 512 bytes) sets it with its translation mode (mmu/mmu.ts).
export let pageShift: u32 = 12;
/** A machine with one page size below 4 KiB: radix-style levels above it (tlbGeometry). */
export function tlbSetPageShift(s: u32): void { tlbGeometry(s, 9, false); }

// One clock per TLB: incremented on every lookup, so it doubles as the access count and as the LRU time base.
export let clock0: u64 = 0;
export let clock1: u64 = 0;
export let clock2: u64 = 0;

@inline export function tlbBase(t: u32): usize { return TLB_BASE + t * TLB_STRIDE; }
@inline export function tlbSets(t: u32): u32 { return t == 0 ? sets0 : t == 1 ? sets1 : sets2; }
@inline export function tlbWays(t: u32): u32 { return t == 0 ? ways0 : t == 1 ? ways1 : ways2; }
@inline export function tlbEntries(t: u32): u32 { return tlbSets(t) * tlbWays(t); }

// Page geometry of the machine (see the header): radix by default.
let pageShiftBase: u32 = 12;
let pageShiftStep: u32 = 9;
export let pairEntries: bool = false;
export const PAIR_ODD: u32 = 40;           // entry offset of the odd page's word in pair mode
const PAIR_PERM_MASK: u64 = 0xFF;          // PERM_* bits kept in the odd page's word

/**
 * Sets the page geometry of every TLB (the machine's control code, when it selects its translation mode); the
 * caller empties the TLBs if entries of another geometry may be present.
 */
export function tlbGeometry(shiftBase: u32, shiftStep: u32, pairs: bool): void {
  pageShiftBase = shiftBase;
  pageShift = shiftBase;
  pageShiftStep = shiftStep;
  pairEntries = pairs;
}

/** Whether the page geometry is the one given (see tlbGeometry). */
export function tlbGeometryIs(shiftBase: u32, shiftStep: u32, pairs: bool): bool {
  return pageShiftBase == shiftBase && pageShiftStep == shiftStep && pairEntries == pairs;
}

/** Shift of one page at `level` (for a pair entry: one half). */
@inline export function tlbPageShift(level: u32): u32 { return pageShiftBase + pageShiftStep * level; }
/** Shift of the span an entry at `level` covers (the pair in pair mode). */
@inline export function tlbSpanShift(level: u32): u32 { return tlbPageShift(level) + (pairEntries ? 1 : 0); }
@inline function isOddHalf(va: u64, level: u32): bool {
  return pairEntries && ((va >> tlbPageShift(level)) & 1) != 0;
}

/** Physical base of the page of va that entry e maps (the right half of a pair). */
@inline export function entryPbase(e: usize, va: u64): u64 {
  const level = (<u32>load<u64>(e) >> 1) & 7;
  return isOddHalf(va, level) ? load<u64>(e, PAIR_ODD) & ~PAIR_PERM_MASK : load<u64>(e, 8);
}

/** Meta word (PERM_* | ASID << 16) for the page of va that entry e maps. */
@inline export function entryMeta(e: usize, va: u64): u32 {
  const meta = load<u32>(e, 24);
  const level = (<u32>load<u64>(e) >> 1) & 7;
  if (!isOddHalf(va, level)) return meta;
  return (meta & ~(<u32>PAIR_PERM_MASK)) | (<u32>load<u64>(e, PAIR_ODD) & <u32>PAIR_PERM_MASK) | (meta & PERM_G);
}

/** Stores the PERM_* bits of the page of va in entry e (the ASID and G stay those of the entry). */
export function entrySetMeta(e: usize, va: u64, meta: u32): void {
  const level = (<u32>load<u64>(e) >> 1) & 7;
  if (!isOddHalf(va, level)) { store<u32>(e, meta, 24); return; }
  const odd = load<u64>(e, PAIR_ODD);
  store<u64>(e, (odd & ~PAIR_PERM_MASK) | (<u64>meta & PAIR_PERM_MASK & ~(<u64>PERM_G)), PAIR_ODD);
}

/** The odd page's word of a pair entry: its page base and PERM_* bits. */
@inline export function pairWord(pbase: u64, perm: u32): u64 { return pbase | (<u64>(perm & ~PERM_G) & PAIR_PERM_MASK); }

/** Reads the geometry of TLB t from CONFIG and empties it. */
export function tlbConfigure(t: u32): void {
  const s = <u32>cfg(K_SETS + 3 * t);
  const w = <u32>cfg(K_WAYS + 3 * t);
  if (t == 0) { sets0 = s; ways0 = w; } else if (t == 1) { sets1 = s; ways1 = w; } else { sets2 = s; ways2 = w; }
  memory.fill(tlbBase(t), 0, TLB_STRIDE);
  policyConfigure(t);
  for (let l: u32 = 0; l < LEVELS; l++) unchecked(levelCount[t * LEVELS + l] = 0);
  scattered &= ~(<u32>1 << t);
}

@inline export function tlbPolicy(t: u32): u32 { return <u32>cfg(K_POLICY + 3 * t); }

/** Tag of a translation: virtual page base with the page level and the valid bit folded into the low bits. */
@inline export function tlbTag(va: u64, shift: u32, level: u32): u64 {
  return ((va >> shift) << shift) | (<u64>level << 1) | 1;
}

/** Sets TLB t's clock (trace replay counts lookups in a local through a batch and stores the time back). */
@inline export function tlbSetClock(t: u32, v: u64): void {
  if (t == 0) clock0 = v; else if (t == 1) clock1 = v; else clock2 = v;
}

/** Bumps TLB t's clock and returns the new time: call once per lookup. */
@inline export function tlbTick(t: u32): u64 {
  if (t == 0) return ++clock0;
  if (t == 1) return ++clock1;
  return ++clock2;
}

/**
 * Looks up va in TLB t for address space asid. Spans per level: tlbSpanShift (12 + 9 × level on radix machines).
 * Returns the entry's address, or 0 on a miss. Does not touch replacement state.
 */
export function tlbFind(t: u32, va: u64, asid: u32): usize {
  const ways = tlbWays(t);
  if (ways == 0) return 0;
  const sets = tlbSets(t);
  const base = tlbBase(t);
  for (let level: u32 = 0; level < LEVELS; level++) {
    if (unchecked(levelCount[t * LEVELS + level]) == 0) continue;
    const shift = tlbSpanShift(level);
    const tag = tlbTag(va, shift, level);
    const set = <u32>(va >> shift) & (sets - 1);
    let e = base + <usize>(set * ways) * TLBE_SIZE;
    for (let w: u32 = 0; w < ways; w++, e += TLBE_SIZE) {
      if (load<u64>(e) == tag) {
        const meta = load<u32>(e, 24);
        if ((meta >> 16) == asid || (meta & PERM_G) != 0) return e;
      }
    }
  }
  return 0;
}

/**
 * Records a hit found by a slow-path lookup at time now: stores the stamp (as the fast paths do) and, for a
 * policy that counts hits, counts it.
 */
@inline export function tlbTouch(t: u32, e: usize, now: u64): void {
  store<u64>(e, now, 16);
  if (policyNeeds(t) == HITS_COUNT) onCountedHit(t, e, now);
}

/** Adjusts TLB t's count of valid entries of a page level, for a caller that fills entries itself (trace replay). */
@inline export function tlbLevelAdd(t: u32, level: u32, by: i32): void {
  unchecked(levelCount[t * LEVELS + level] += by);
}

// The entry that the last tlbInsert evicted (0 if it used a free way), so callers can drop host-cache copies.
export let evictedEntry: usize = 0;
export let evictedTag: u64 = 0;

/**
 * Inserts a translation into TLB t, evicting per the TLB's policy. Returns the entry used. In pair mode pbase and
 * meta describe the even page and `pair` the odd one (pairWord).
 */
export function tlbInsert(t: u32, va: u64, level: u32, pbase: u64, meta: u32, now: u64, pair: u64 = 0): usize {
  const ways = tlbWays(t);
  evictedEntry = 0;
  if (ways == 0) return 0;
  const sets = tlbSets(t);
  const shift = tlbSpanShift(level);
  const set = <u32>(va >> shift) & (sets - 1);
  const first = tlbBase(t) + <usize>(set * ways) * TLBE_SIZE;
  const w = victimWay(t, first, ways, now);
  const e = first + <usize>w * TLBE_SIZE;
  const old = load<u64>(e);
  if (old & 1) {
    evictedEntry = e;
    evictedTag = old;
    const ol = <u32>(old >> 1) & 7;
    unchecked(levelCount[t * LEVELS + ol] -= 1);
  }
  store<u64>(e, tlbTag(va, shift, level));
  store<u64>(e, pbase, 8);
  store<u32>(e, meta, 24);
  if (pairEntries) store<u64>(e, pair, PAIR_ODD);
  onFill(t, e, now);
  unchecked(levelCount[t * LEVELS + level] += 1);
  return e;
}

/**
 * Writes a translation into entry `index` (set-major: set × ways + way) of TLB t, whatever it held — an indexed
 * TLB write such as MIPS TLBWI. Returns the entry, or 0 when index is out of range; evictedEntry as tlbInsert.
 */
export function tlbWriteAt(t: u32, index: u32, va: u64, level: u32, pbase: u64, meta: u32, now: u64, pair: u64 = 0): usize {
  evictedEntry = 0;
  if (index >= tlbEntries(t)) return 0;
  if (tlbSets(t) > 1) scattered |= <u32>1 << t;
  const e = tlbBase(t) + <usize>index * TLBE_SIZE;
  const old = load<u64>(e);
  if (old & 1) {
    evictedEntry = e;
    evictedTag = old;
    unchecked(levelCount[t * LEVELS + ((<u32>(old >> 1)) & 7)] -= 1);
  }
  store<u64>(e, tlbTag(va, tlbSpanShift(level), level));
  store<u64>(e, pbase, 8);
  store<u32>(e, meta, 24);
  if (pairEntries) store<u64>(e, pair, PAIR_ODD);
  onFill(t, e, now);
  unchecked(levelCount[t * LEVELS + level] += 1);
  return e;
}

@inline function countFlushed(): void { bump(C_FLUSH_ENTRIES, 1); }

// The L1 D-TLB entries invalidated since flushLogReset (entry address and old tag), so the host data cache, whose
// slots point at L1 D-TLB entries, can drop just those slots; past FLUSH_LOG_MAX it must be emptied instead.
export const FLUSH_LOG_MAX: u32 = 8;
export let flushLogCount: u32 = 0;
// Static data (array literals), not allocated at start-up.
const flushLogEntry: StaticArray<usize> = [0, 0, 0, 0, 0, 0, 0, 0];
const flushLogTag: StaticArray<u64> = [0, 0, 0, 0, 0, 0, 0, 0];
export function flushLogReset(): void { flushLogCount = 0; }
@inline export function flushLogEntryAt(i: u32): usize { return unchecked(flushLogEntry[i]); }
@inline export function flushLogTagAt(i: u32): u64 { return unchecked(flushLogTag[i]); }

/** Invalidates one entry (caller has decided it matches). */
export function tlbInvalidateEntry(t: u32, e: usize): void {
  const old = load<u64>(e);
  if ((old & 1) == 0) return;
  unchecked(levelCount[t * LEVELS + ((<u32>(old >> 1)) & 7)] -= 1);
  store<u64>(e, 0);
  countFlushed();
  if (t == TLB_L1D) {
    if (flushLogCount < FLUSH_LOG_MAX) {
      unchecked(flushLogEntry[flushLogCount] = e);
      unchecked(flushLogTag[flushLogCount] = old);
    }
    flushLogCount++;
  }
}

// Selectors of tlbFlushWhere: which valid entries an invalidation removes.
export const FL_BY_VA: u32 = 1;        // only entries mapping va (any page size)
export const FL_BY_ASID: u32 = 2;      // only entries tagged with asid ...
export const FL_GLOBAL_ANY: u32 = 4;   // ... or global (INVLPG: global entries for the page, whatever their tag)
export const FL_KEEP_GLOBAL: u32 = 8;  // never global entries

/**
 * Invalidates the entries of TLB t that the FL_* selectors pick (an empty selector empties the TLB). The
 * invalidations of every architecture are combinations of these: sfence.vma, INVLPG, INVPCID, MOV to CR3.
 */
export function tlbFlushWhere(t: u32, va: u64, asid: u32, sel: u32): void {
  const ways = tlbWays(t);
  if ((sel & FL_BY_VA) != 0 && (scattered & (<u32>1 << t)) == 0) {
    // An entry of page level l mapping va can only sit in set (va >> span(l)) of its TLB (tlbInsert places it
    // there): probe those sets instead of the whole array. A flush per new translation (Linux riscv's
    // update_mmu_cache) then costs a few ways, not every entry of a 1536-entry STLB.
    const sets = tlbSets(t);
    for (let level: u32 = 0; level < LEVELS; level++) {
      if (unchecked(levelCount[t * LEVELS + level]) == 0) continue;
      const set = <u32>(va >> tlbSpanShift(level)) & (sets - 1);
      flushRange(t, tlbBase(t) + <usize>(set * ways) * TLBE_SIZE, ways, va, asid, sel);
    }
    return;
  }
  flushRange(t, tlbBase(t), tlbEntries(t), va, asid, sel);
}

function flushRange(t: u32, first: usize, n: u32, va: u64, asid: u32, sel: u32): void {
  let e = first;
  for (let i: u32 = 0; i < n; i++, e += TLBE_SIZE) {
    const tag = load<u64>(e);
    if ((tag & 1) == 0) continue;
    const meta = load<u32>(e, 24);
    const global = (meta & PERM_G) != 0;
    if (global && (sel & FL_KEEP_GLOBAL) != 0) continue;
    if ((sel & FL_BY_ASID) != 0 && (meta >> 16) != asid && !(global && (sel & FL_GLOBAL_ANY) != 0)) continue;
    if (sel & FL_BY_VA) {
      const level = (<u32>tag >> 1) & 7;
      const shift = tlbSpanShift(level);
      if (((va >> shift) << shift) != (tag & ~((<u64>1 << pageShift) - 1))) continue;
    }
    tlbInvalidateEntry(t, e);
  }
}

/**
 * sfence.vma semantics (privileged spec §sfence.vma): by address and/or ASID. With an address, every leaf entry
 * mapping it goes (any page size); with an ASID, global entries survive.
 */
export function tlbFlush(t: u32, va: u64, asid: u32, byVa: bool, byAsid: bool): void {
  tlbFlushWhere(t, va, asid, (byVa ? FL_BY_VA : 0) | (byAsid ? FL_BY_ASID | FL_KEEP_GLOBAL : 0));
}

export function tlbResetAll(): void {
  for (let t: u32 = 0; t < TLB_COUNT; t++) tlbConfigure(t);
  clock0 = 0; clock1 = 0; clock2 = 0;
}

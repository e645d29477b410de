// What every replacement policy module shares: the entry words it may read or write, the seeded generator, and
// the kinds of hit information a policy needs. A policy never sees hits one by one unless it asks for them
// (HITS_COUNT): a hit stores its lookup time in the entry's stamp and nothing else, so a policy derives its state
// from stamps when a set is full and must give up a way.

import { TLBE_SIZE, TLBE_STAMP, TLBE_AUX, TLBE_AUXT, K_SEED } from "../../layout";
import { cfg } from "../../cost/counters";

export { TLBE_SIZE };

/**
 * A policy module exports OPS = [victim, fill, hit, needs], each of this one type (see tlb/policy.ts):
 *   victim(first, ways, now, param) → the way to replace in the full set at entry address `first`
 *   fill(e, 0, now, param)          entry e was just filled at time now (its stamp already holds now)
 *   hit(e, 0, now, param)           a counted hit (called only for HITS_COUNT policies)
 *   needs(0, 0, 0, 0)               → HITS_*: what the policy needs from hits
 */
export type Hook = (x: usize, ways: u32, now: u64, param: u32) => u32;
export const HOOK_VICTIM: u32 = 0;
export const HOOK_FILL: u32 = 1;
export const HOOK_HIT: u32 = 2;
export const HOOK_NEEDS: u32 = 3;
/** A hook with nothing to do. */
export function nothing(x: usize, ways: u32, now: u64, param: u32): u32 { return 0; }
export function needsOrder(x: usize, ways: u32, now: u64, param: u32): u32 { return HITS_ORDER; }
export function needsFirst(x: usize, ways: u32, now: u64, param: u32): u32 { return HITS_FIRST; }
export function needsCount(x: usize, ways: u32, now: u64, param: u32): u32 { return HITS_COUNT; }

/** What a policy needs from hits. */
export const HITS_ORDER: u32 = 0; // only which way was used last (the stamp): every fast path is exact
export const HITS_FIRST: u32 = 1; // whether a way was hit since its state was written (stamp > auxt)
export const HITS_COUNT: u32 = 2; // every hit, counted: the host caches send hits through the slow path
/** Flag a needs() result may carry: the policy picks its victim even while the set has invalid ways (a hardware
 *  index register such as MIPS Random, which TLBWR follows whatever the entries hold). */
export const VICTIM_ALWAYS: u32 = 0x10;

@inline export function stampOf(e: usize): u64 { return load<u64>(e, TLBE_STAMP); }
@inline export function auxOf(e: usize): u32 { return load<u32>(e, TLBE_AUX); }
@inline export function setAux(e: usize, v: u32): void { store<u32>(e, v, TLBE_AUX); }
@inline export function auxtOf(e: usize): u64 { return load<u64>(e, TLBE_AUXT); }
@inline export function setAuxt(e: usize, v: u64): void { store<u64>(e, v, TLBE_AUXT); }
@inline export function way(first: usize, w: u32): usize { return first + <usize>w * TLBE_SIZE; }

// Seeded xorshift64* generator shared by the policies that draw (random, BRRIP): the same seed and the same
// sequence of fills give the same victims (DESIGN.md, Determinism).
let rng: u64 = 0x9E3779B97F4A7C15;

export function seedRandom(): void {
  rng = cfg(K_SEED) ^ 0x9E3779B97F4A7C15;
  if (rng == 0) rng = 1;
}

/** The next 32 random bits. */
export function nextRandom32(): u32 {
  let x = rng;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  rng = x;
  return <u32>((x * 0x2545F4914F6CDD1D) >> 32);
}

// Replacement policies for the modelled TLBs: one module each under policy/, behind one interface (the hooks
// victim, fill, hit and needs; policy/common.ts), registered below with one line at the index of its code.
// `param` is the TLB's K_POLICY_PARAM word (RRIP: RRPV bits; a later MIPS Random policy: the wired count).
// An invalid way is used first, as most hardware does, and victim() sees only full sets — unless the policy's
// needs() carries VICTIM_ALWAYS (MIPS Random: TLBWR writes the entry Random names, valid or not).
//
// Hits: the fast paths store the lookup time in the entry's stamp and nothing else (mmu/access.ts), and the fetch
// fast path does not even do that while pc stays on one page. Each policy derives its state from stamps at fill
// time, which is exact for HITS_ORDER (the order of last uses) and, with one slow fetch after each I-TLB fill, for
// HITS_FIRST (whether a way was hit since its state was written); HITS_COUNT bypasses the host caches (mmu/mmu.ts).

import { K_POLICY, K_POLICY_PARAM, TLBE_STAMP, NPOLICIES, POLICY_LRU } from "../layout";
import {
  Hook, HOOK_VICTIM, HOOK_FILL, HOOK_HIT, HOOK_NEEDS, TLBE_SIZE, HITS_ORDER, HITS_COUNT, HITS_FIRST, VICTIM_ALWAYS,
  seedRandom,
} from "./policy/common";
import * as lru from "./policy/lru";
import * as fifo from "./policy/fifo";
import * as random from "./policy/random";
import * as plru from "./policy/plru";
import * as nru from "./policy/nru";
import * as lfu from "./policy/lfu";
import * as srrip from "./policy/srrip";
import * as brrip from "./policy/brrip";
import * as mru from "./policy/mru";
import * as mipsRandom from "./policy/mips_random";
import { cfg } from "../cost/counters";

export { HITS_ORDER, HITS_FIRST, HITS_COUNT };

// The registry, indexed by policy code (layout.ts POLICY_*): a static table (no allocation at start-up).
const REGISTRY: StaticArray<StaticArray<Hook>> = [
  lru.OPS,      // POLICY_LRU    0
  fifo.OPS,     // POLICY_FIFO   1
  random.OPS,   // POLICY_RANDOM 2
  plru.OPS,     // POLICY_PLRU   3
  nru.OPS,      // POLICY_NRU    4
  lfu.OPS,      // POLICY_LFU    5
  srrip.OPS,    // POLICY_SRRIP  6
  brrip.OPS,    // POLICY_BRRIP  7
  mru.OPS,      // POLICY_MRU    8
  mipsRandom.OPS, // POLICY_MIPS_RANDOM 9
];

// Per TLB, cached by policyConfigure: policy code (unknown codes fall back to LRU), parameter, hit needs.
// Static literals, one word per TLB (TLB_COUNT), so nothing is allocated at start-up.
const code: StaticArray<u32> = [0, 0, 0];
const param: StaticArray<u32> = [0, 0, 0];
const need: StaticArray<u32> = [0, 0, 0];
const always: StaticArray<bool> = [false, false, false];

@inline function hook(t: u32, h: u32): Hook { return unchecked(unchecked(REGISTRY[unchecked(code[t])])[h]); }

/** Reads TLB t's policy and parameter from CONFIG (called by tlbConfigure). */
export function policyConfigure(t: u32): void {
  let c = <u32>cfg(K_POLICY + 3 * t);
  if (c >= <u32>REGISTRY.length) c = POLICY_LRU;
  unchecked(code[t] = c);
  unchecked(param[t] = <u32>cfg(K_POLICY_PARAM + t));
  const n = hook(t, HOOK_NEEDS)(0, 0, 0, 0);
  unchecked(need[t] = n & ~VICTIM_ALWAYS);
  unchecked(always[t] = (n & VICTIM_ALWAYS) != 0);
}

/** What TLB t's policy needs from hits (HITS_*). */
@inline export function policyNeeds(t: u32): u32 { return unchecked(need[t]); }

/** Re-seeds the generator from K_SEED (machine reset). */
export function policyReset(): void { seedRandom(); }

/** Chooses the way of TLB t to replace in the set starting at entry address `first`, at time now. */
export function victimWay(t: u32, first: usize, ways: u32, now: u64): u32 {
  let e = first;
  if (!unchecked(always[t])) for (let w: u32 = 0; w < ways; w++, e += TLBE_SIZE) if ((load<u64>(e) & 1) == 0) return w;
  return hook(t, HOOK_VICTIM)(first, ways, now, unchecked(param[t]));
}

/** Records a fill of entry e of TLB t at time now. */
export function onFill(t: u32, e: usize, now: u64): void {
  store<u64>(e, now, TLBE_STAMP);
  hook(t, HOOK_FILL)(e, 0, now, unchecked(param[t]));
}

/** Records a counted hit (HITS_COUNT policies only; the caller has stored the stamp). */
export function onCountedHit(t: u32, e: usize, now: u64): void {
  hook(t, HOOK_HIT)(e, 0, now, unchecked(param[t]));
}

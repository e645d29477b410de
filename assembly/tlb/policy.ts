// Replacement policies for the modelled TLBs. Every policy sees the same two events: a hit (the fast path has
// already stored the lookup time in the entry's stamp word, which is all LRU needs) and a fill. Policies that
// must ignore hits keep their own state in the aux word (+28).
//   LRU    — evict the way with the oldest stamp (last use).
//   FIFO   — evict the way filled longest ago (aux = fill sequence number).
//   RANDOM — evict a uniformly chosen way from a seeded xorshift64* generator (deterministic per seed).
// An invalid way is always used first, as hardware does.

import { TLBE_SIZE, POLICY_LRU, POLICY_FIFO, CONFIG, K_SEED } from "../layout";

let fillSeq: u32 = 0;
let rng: u64 = 0x9E3779B97F4A7C15;

export function policyReset(): void {
  fillSeq = 0;
  const seed = load<u64>(CONFIG + (K_SEED << 3));
  rng = seed ^ 0x9E3779B97F4A7C15;
  if (rng == 0) rng = 1;
}

@inline function nextRandom(): u64 {
  let x = rng;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  rng = x;
  return x * 0x2545F4914F6CDD1D;
}

/** Chooses the way to replace in the set starting at entry address `first`. */
export function victimWay(policy: u32, first: usize, ways: u32): u32 {
  let e = first;
  for (let w: u32 = 0; w < ways; w++, e += TLBE_SIZE) if ((load<u64>(e) & 1) == 0) return w;
  if (policy == POLICY_LRU) {
    let best: u32 = 0;
    let bestStamp = load<u64>(first, 16);
    e = first + TLBE_SIZE;
    for (let w: u32 = 1; w < ways; w++, e += TLBE_SIZE) {
      const s = load<u64>(e, 16);
      if (s < bestStamp) { bestStamp = s; best = w; }
    }
    return best;
  }
  if (policy == POLICY_FIFO) {
    let best: u32 = 0;
    let bestSeq = load<u32>(first, 28);
    e = first + TLBE_SIZE;
    for (let w: u32 = 1; w < ways; w++, e += TLBE_SIZE) {
      const s = load<u32>(e, 28);
      if (<i32>(s - bestSeq) < 0) { bestSeq = s; best = w; }
    }
    return best;
  }
  return <u32>((nextRandom() >> 32) % <u64>ways);
}

/** Records a fill at time `now`. */
@inline export function onFill(policy: u32, e: usize, now: u64): void {
  store<u64>(e, now, 16);
  store<u32>(e, ++fillSeq, 28);
}

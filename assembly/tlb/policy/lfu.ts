// LFU: evict the way with the fewest hits since it was filled (aux, saturating); ties go to the least recently
// used (oldest stamp). No aging, so formerly hot entries stay (reference/replacement_policies.md). A count needs
// every hit, which a stamp cannot give: HITS_COUNT makes the host caches send every L1 hit of this TLB through
// the slow path (tlbTouch), which costs speed only on machines configured with LFU.
import { Hook, needsCount, nothing, auxOf, setAux, stampOf, way } from "./common";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  let best: u32 = 0;
  let bestN = auxOf(first);
  let bestStamp = stampOf(first);
  for (let w: u32 = 1; w < ways; w++) {
    const e = way(first, w);
    const n = auxOf(e), s = stampOf(e);
    if (n < bestN || (n == bestN && s < bestStamp)) { bestN = n; bestStamp = s; best = w; }
  }
  return best;
}

function fill(e: usize, ways: u32, now: u64, param: u32): u32 { setAux(e, 0); return 0; }
function hit(e: usize, ways: u32, now: u64, param: u32): u32 {
  const n = auxOf(e);
  if (n != u32.MAX_VALUE) setAux(e, n + 1);
  return 0;
}

export const OPS: StaticArray<Hook> = [victim, fill, hit, needsCount];

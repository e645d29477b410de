// LRU: evict the way whose last use (stamp) is oldest. The stamp is all the state: hits store it.
import { Hook, needsOrder, nothing, stampOf, way } from "./common";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  let best: u32 = 0;
  let bestStamp = stampOf(first);
  for (let w: u32 = 1; w < ways; w++) {
    const s = stampOf(way(first, w));
    if (s < bestStamp) { bestStamp = s; best = w; }
  }
  return best;
}

export const OPS: StaticArray<Hook> = [victim, nothing, nothing, needsOrder];

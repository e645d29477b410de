// Random: evict a uniformly drawn way from the seeded generator; no state in the entries.
import { Hook, needsOrder, nothing, nextRandom32 } from "./common";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  return nextRandom32() % ways;
}

export const OPS: StaticArray<Hook> = [victim, nothing, nothing, needsOrder];

// BRRIP (Jaleel et al., ISCA 2010): insert at RRPV 2^M − 1 ("distant"), except with probability ε = 1/32 at
// 2^M − 2 ("long"), drawn from the seeded generator; hit → 0. M = the TLB's parameter (2).
import { Hook, needsFirst, nothing, nextRandom32 } from "./common";
import { rripVictim, rripFill, rrpvBits } from "./rrip";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  return rripVictim(first, ways, now, rrpvBits(param));
}
function fill(e: usize, ways: u32, now: u64, param: u32): u32 {
  const distant: u32 = (1 << rrpvBits(param)) - 1;
  rripFill(e, now, (nextRandom32() & 31) == 0 ? distant - 1 : distant);
  return 0;
}

export const OPS: StaticArray<Hook> = [victim, fill, nothing, needsFirst];

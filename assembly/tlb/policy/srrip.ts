// SRRIP-HP (Jaleel et al., ISCA 2010): insert at RRPV 2^M − 2 ("long"), hit → 0. M = the TLB's parameter (2).
import { Hook, needsFirst, nothing } from "./common";
import { rripVictim, rripFill, rrpvBits } from "./rrip";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  return rripVictim(first, ways, now, rrpvBits(param));
}
function fill(e: usize, ways: u32, now: u64, param: u32): u32 { rripFill(e, now, (1 << rrpvBits(param)) - 2); return 0; }

export const OPS: StaticArray<Hook> = [victim, fill, nothing, needsFirst];

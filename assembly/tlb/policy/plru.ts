// Tree pseudo-LRU over 2^n ways (n tree levels, 2^n − 1 bits in hardware). A touch (hit or fill) of way w sets
// every node on w's path to point away from w; the victim is found by following the bits from the root. So each
// node's bit names the child subtree that does NOT hold the node's most recent touch — which the stamps give
// directly: at each node go to the child whose newest stamp is older. This is the hardware's exact state without
// a single bit written on hits. Invalidation leaves the bits (the stamps) alone, as hardware does; invalid ways are
// filled first by the caller. Ways beyond a non-power-of-two count (the host rejects those) are never chosen.
import { Hook, needsOrder, nothing, stampOf, way } from "./common";

/** Newest stamp among ways [lo, lo + n) that exist; u64 max for an empty range (never chosen). */
function newest(first: usize, ways: u32, lo: u32, n: u32): u64 {
  if (lo >= ways) return u64.MAX_VALUE;
  let m: u64 = 0;
  const hi = min(lo + n, ways);
  for (let w = lo; w < hi; w++) { const s = stampOf(way(first, w)); if (s > m) m = s; }
  return m;
}

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  let lo: u32 = 0;
  let n: u32 = 1;
  while (n < ways) n <<= 1;
  while (n > 1) {
    const half = n >> 1;
    // Equal newest stamps happen only for never-touched subtrees: the reset bit (0) points left.
    if (newest(first, ways, lo + half, half) < newest(first, ways, lo, half)) lo += half;
    n = half;
  }
  return lo;
}

export const OPS: StaticArray<Hook> = [victim, nothing, nothing, needsOrder];

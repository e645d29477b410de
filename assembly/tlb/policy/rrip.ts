// Re-reference interval prediction (Jaleel, Theobald, Steely, Emer, ISCA 2010), shared by SRRIP, BRRIP and NRU.
// Each way has an M-bit RRPV (aux) and the time it was written (auxt). Hit priority: a hit sets RRPV to 0 — here
// implied, because a hit stores a stamp newer than auxt, so the way's effective RRPV is 0 until the next write.
// Victim: the leftmost (lowest) way whose RRPV is 2^M − 1; if none, every RRPV in the set is incremented until
// one is (done in one step, adding the same amount to all, which is what repeated increments give). The set's
// effective RRPVs are written back with the current time only when they change.
import { auxOf, auxtOf, setAux, setAuxt, stampOf, way } from "./common";

/** RRPV bits for a TLB's parameter word: 0 means the paper's default M = 2. */
@inline export function rrpvBits(param: u32): u32 { return param == 0 ? 2 : min(param, 8); }

/** The way's RRPV as the hardware holds it now: 0 if it was hit since aux was written. */
@inline function effective(e: usize): u32 { return stampOf(e) > auxtOf(e) ? 0 : auxOf(e); }

export function rripVictim(first: usize, ways: u32, now: u64, m: u32): u32 {
  const distant: u32 = (1 << m) - 1;
  let top: u32 = 0;
  for (let w: u32 = 0; w < ways; w++) top = max(top, effective(way(first, w)));
  const age = distant - top;
  if (age != 0) {
    for (let w: u32 = 0; w < ways; w++) {
      const e = way(first, w);
      setAux(e, effective(e) + age);
      setAuxt(e, now);
    }
  }
  for (let w: u32 = 0; w < ways; w++) if (effective(way(first, w)) == distant) return w;
  return 0; // not reached: aging made some way distant
}

/** A fill at time now with insertion RRPV `rrpv` (the caller's stamp store equals now, so no hit is implied). */
export function rripFill(e: usize, now: u64, rrpv: u32): void {
  setAux(e, rrpv);
  setAuxt(e, now);
}

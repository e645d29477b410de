// FIFO: evict the way filled longest ago; hits change nothing. auxt = fill time (the TLB's clock, unique per fill).
import { Hook, needsOrder, nothing, auxtOf, setAuxt, way } from "./common";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  let best: u32 = 0;
  let bestT = auxtOf(first);
  for (let w: u32 = 1; w < ways; w++) {
    const t = auxtOf(way(first, w));
    if (t < bestT) { bestT = t; best = w; }
  }
  return best;
}

function fill(e: usize, ways: u32, now: u64, param: u32): u32 { setAuxt(e, now); return 0; }

export const OPS: StaticArray<Hook> = [victim, fill, nothing, needsOrder];

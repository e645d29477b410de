// NRU / clock with one reference bit (Jaleel et al. describe it as RRIP with M = 1; gem5's NRURP is the same):
// a fill or hit clears the way's "not recently used" bit (RRPV 0); the victim is the leftmost way with the bit
// set; if there is none, every bit is set first. The parameter word is ignored.
import { Hook, needsFirst, nothing } from "./common";
import { rripVictim, rripFill } from "./rrip";

function victim(first: usize, ways: u32, now: u64, param: u32): u32 { return rripVictim(first, ways, now, 1); }
function fill(e: usize, ways: u32, now: u64, param: u32): u32 { rripFill(e, now, 0); return 0; }

export const OPS: StaticArray<Hook> = [victim, fill, nothing, needsFirst];

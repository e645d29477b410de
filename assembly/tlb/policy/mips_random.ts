// MIPS Random: TLBWR writes the entry the CP0 Random register names, valid or not. Random is a free-running counter
// that counts down from the last entry to Wired and wraps (R3000: 63 → 8, MIPS1_TLB_FIRST_RAND_ENTRY; R4000:
// 47 → Wired, reset to 47 by a write to Wired; R4000 User's Manual §4.x "Random register"). The hardware ticks
// it every cycle; the model ticks it with the data TLB's clock (every data access, fast-path hits included; a
// unified TLB's fetch fills are timed on that clock too, mmu/mmu.ts translateFetch) and with every extra cycle charged
// (C_XCYCLES: refill-handler instructions, exception entry and return, the kernel's traps and TLB operations) and
// the cycle of every TLB write instruction itself (C_MIPS_TLB_WRITES), so two writes in one miss (a nested fill,
// then the user entry) or two kernel TLBWRs in a row see different values, as on the hardware. Free-running,
// deterministic, never below Wired. param = Wired.
import { Hook, needsOrder, nothing, VICTIM_ALWAYS } from "./common";
import { C_XCYCLES, C_MIPS_TLB_WRITES } from "../../layout";
import { counter } from "../../cost/counters";

// The time at which Random last held the last entry (reset, or a write to Wired).
let base: u64 = 0;

/** Random's time base at TLB clock value now: the clock, the extra cycles charged and the TLB writes so far. */
@inline function ticks(now: u64): u64 {
  return now + counter(C_XCYCLES) + counter(C_MIPS_TLB_WRITES);
}

/** Random reloads the last entry at TLB clock value now (a write to Wired; machine reset). */
export function mipsRandomReload(now: u64): void { base = ticks(now); }

/** The value of Random at TLB clock value now, for a TLB of `ways` entries with `wired` wired ones. */
export function mipsRandomAt(now: u64, ways: u32, wired: u32): u32 {
  const lo = wired < ways ? wired : ways - 1;
  const n = <u64>(ways - lo);
  const t = ticks(now);
  return ways - 1 - <u32>((t >= base ? t - base : 0) % n);
}

function victim(first: usize, ways: u32, now: u64, param: u32): u32 {
  return mipsRandomAt(now, ways, param);
}

function needs(x: usize, ways: u32, now: u64, param: u32): u32 { return needsOrder(x, ways, now, param) | VICTIM_ALWAYS; }

export const OPS: StaticArray<Hook> = [victim, nothing, nothing, needs];

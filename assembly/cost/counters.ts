// Access to the counters (C_*) and configuration words (K_*) in the state area (layout.ts COUNTERS, CONFIG): every
// u64 the model counts or reads its costs from. Defined once here and inlined where used, so a counter update stays
// one load and one store on the hot path.

import { COUNTERS, CONFIG } from "../layout";

/** Address of counter i. */
@inline export function ctr(i: u32): usize { return COUNTERS + (<usize>i << 3); }

/** Counter i's value. */
@inline export function counter(i: u32): u64 { return load<u64>(ctr(i)); }

/** Adds `by` to counter i. */
@inline export function bump(i: u32, by: u64): void { store<u64>(ctr(i), load<u64>(ctr(i)) + by); }

/** Configuration word i. */
@inline export function cfg(i: u32): u64 { return load<u64>(CONFIG + (<usize>i << 3)); }

/** Sets configuration word i (the host writes most of them; a few are machine registers, e.g. MIPS Wired). */
@inline export function setCfg(i: u32, v: u64): void { store<u64>(CONFIG + (<usize>i << 3), v); }

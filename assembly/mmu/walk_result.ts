// The walker contract's shared record (mmu.ts "The walker contract"): the kinds of access a walk is made for, and
// the one set of results every machine's walker or refill model (arch/<machine>/) writes directly and the MMU's
// slow path reads. Machine-specific findings (a fault vector, a hash group, a TSB hit) stay in the machine's own
// module.

// Access kinds (the `acc` argument of every walk and fault hook).
export const ACC_FETCH: u32 = 0;
export const ACC_LOAD: u32 = 1;
export const ACC_STORE: u32 = 2;

// Results of the last walk, whichever walker made it. On failure only wRefs, wAdWrites and wAccessFault count;
// on success the walker also sets wPbase, wLevel and wPerm (and wPair on pair-entry machines).
export let wPbase: u64 = 0;            // physical base of the mapped page
export let wLevel: u32 = 0;            // 0 = the smallest page (4 KiB; 512 bytes on the VAX), 1 = 2 MiB, 2 = 1 GiB, ...
export let wPerm: u32 = 0;             // PERM_* bits for the TLB entry
export let wRefs: u32 = 0;             // memory references made (entry reads and A/D writes, handler references)
export let wAdWrites: u32 = 0;         // A/D (R/C, M) updates written
export let wAccessFault: bool = false; // the walk failed on an address outside physical memory
export let wPair: u64 = 0;             // pair-entry machines (tlb.ts pairEntries): the odd page (pairWord); then
                                       // wPbase/wPerm describe the even page

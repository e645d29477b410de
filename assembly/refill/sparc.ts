// Software TLB refill on sun4u (UltraSPARC-I/II "Spitfire" MMU) under Linux sparc64: the hardware half (the
// pointer and tag registers the MMU precomputes on a miss, UltraSPARC User's Manual §6.3.1, §6.9.6–6.9.7) and a
// model of the OS's trap handlers, which run as wasm and report the instructions they execute and the memory
// references they make (shared reference sparc_tsb.md §4–§6):
//   fast path (arch/sparc/kernel/dtlb_miss.S, itlb_miss.S): read the 8K TSB pointer and the tag target, strip the
//     context (Linux's per-mm TSBs carry none), one 16-byte quad load of {tag, TTE}, compare, stxa into
//     ASI_{D,I}TLB_DATA_IN, retry; the I side also requires the _PAGE_EXEC soft bit;
//   slow path on a TSB miss (tsb.S tsb_miss_page_table_walk, tsb.h USER_PGTABLE_WALK_TL1): the trap block gives
//     the page tables' physical base (pgd_paddr), a 4-level walk PGD → PUD → PMD → PTE with physical loads
//     (a zero upper entry or a PTE without _PAGE_VALID ends it), then TSB_LOCK_TAG (load + CAS of the tag),
//     TSB_WRITE (TTE, then tag) and the TLB load;
//   an invalid translation goes to tsb_do_fault → etrap → do_sparc64_fault: here a page fault to the kernel.
// A kernel built without huge pages (CONFIG_HUGETLB_PAGE and CONFIG_TRANSPARENT_HUGEPAGE off) is modelled, so the
// huge-page TSB probe and the huge PUD/PMD checks are the two-instruction forms of tsb.h.
//
// Base page (a documented deviation, costs/sparc.json): the guest kernel's page is 4 KiB (Linux riscv64's ABI)
// and UltraSPARC's smallest is 8 KiB, so here a TTE of size code 00 maps 4 KiB, and every position the manual
// derives from the 8 KiB page shift (13) is one bit lower: the 8K pointer indexes the TSB with VA[20+N:12], the
// tag target and Linux's TSB tag hold VA[63:21] (VA >> 21), the PA field holds the 4 KiB frame number at bit 13
// (bits 42:13, so the soft bits 12:7 keep their Linux positions), and the page tables are 512-entry 4 KiB tables
// indexed by VA[47:39], [38:30], [29:21], [20:12]. TSB sizes (512 << N entries, 8 KiB << N bytes) are unchanged.
// Large TTEs (64K/512K/4M) are not modelled: a TTE with a non-zero size field is not loaded (page fault).
// The TSB is read at its physical address, as Linux does on UltraSPARC-III+ (tlb_type cheetah_plus); on
// Spitfire Linux maps it through a locked D-TLB entry, which is not modelled.

import {
  RAM_BASE, CONFIG, PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  K_SPARC_PROBE, K_SPARC_LOAD_D, K_SPARC_LOAD_I, K_SPARC_MISS, K_SPARC_FILL, K_SPARC_TAIL_D, K_SPARC_TAIL_I,
} from "../layout";

// TTE data, sun4u (UltraSPARC User's Manual §6.2.1; Linux pgtable_64.h _PAGE_*_4U).
export const TTE_V: u64 = 1 << 63;
export const TTE_SIZE: u64 = 3 << 61;      // 00 = base page (4 KiB here), 01 64K, 10 512K, 11 4M
export const TTE_PA: u64 = 0x0000_0FFF_FFFF_E000; // bits 43:13: the 4 KiB frame number (see above)
export const TTE_EXEC: u64 = 0x1000;       // Linux soft bits
export const TTE_MODIFIED: u64 = 0x800;
export const TTE_ACCESSED: u64 = 0x400;
export const TTE_READ: u64 = 0x200;
export const TTE_WRITE: u64 = 0x100;
export const TTE_PRESENT: u64 = 0x80;
export const TTE_L: u64 = 0x40;            // hardware bits
export const TTE_CP: u64 = 0x20;
export const TTE_CV: u64 = 0x10;
export const TTE_E: u64 = 0x08;
export const TTE_P: u64 = 0x04;
export const TTE_W: u64 = 0x02;
export const TTE_G: u64 = 0x01;

// TSB register (UltraSPARC User's Manual §6.9.6): TSB_Base 63:13, Split 12, TSB_Size 2:0.
const TSB_SPLIT: u64 = 1 << 12;
// Linux's TSB tag (tsb.h): bit 47 lock, bit 46 invalid.
export const TSB_TAG_LOCK: u64 = 1 << 47;
export const TSB_TAG_INVALID: u64 = 1 << 46;

// Page tables: 4 levels of 512 eight-byte entries (Linux sparc64 pgd/pud/pmd/pte at a 4 KiB page).
const PT_LEVELS: i32 = 4;
// USER_PGTABLE_WALK_TL1 (tsb.h, huge pages off): instructions executed up to and including the test of the entry
// at each level with its delay slot: PTE (a full walk) 25, PMD 18, PUD 11, PGD 6.
const WALK_INSNS: StaticArray<u32> = [25, 18, 11, 6];

// UltraSPARC-I/II implement 44-bit virtual addresses: VA[63:43] must equal VA[43] (User's Manual §6.3.4, the VA
// "hole"); an address in the hole raises an access exception before any TLB lookup. The user's page tables cover
// VA < 2^43 (Linux VA_EXCLUDE_START), and the 4-level 4 KiB tables index VA[47:12] only, so every address from 2^43
// up is refused here rather than walked (it would alias a low address).
export const VA_USER_END: u64 = <u64>1 << 43;

// Results of the last refill.
export let srPbase: u64 = 0;
export let srPerm: u32 = 0;
export let srRefs: u32 = 0;        // memory references: TSB quad load, trap block, table entries, TSB lock and write
export let srInsns: u32 = 0;       // handler instructions executed
export let srAccessFault: bool = false;
export let srTsbHit: bool = false; // the TSB probe matched
export let srFilled: bool = false; // the slow path wrote the TSB
export let srPointer: u64 = 0;     // the 8K TSB pointer register of the last miss
export let srTagTarget: u64 = 0;   // the tag target register of the last miss

@inline function cfg(i: u32): u32 { return <u32>load<u64>(CONFIG + (i << 3)); }

/** The 8K TSB pointer for va (§6.3.1): TSB_Base[63:13+N] | VA[20+N:12] | 0000, with Split's half selection. */
@inline export function tsbPointer(tsbReg: u64, va: u64): u64 {
  const n = tsbReg & 7;
  const mask: u64 = (<u64>0x2000 << n) - 1;                 // the TSB's 8 KiB << N bytes
  const split: u64 = (tsbReg & TSB_SPLIT) != 0 ? <u64>0x2000 << n : 0; // 8K pointer: first half
  return ((tsbReg & ~<u64>0x1FFF) & ~(mask | split)) | (((va >> 12) << 4) & mask);
}

/** The tag target register (§6.9.4): context in bits 60:48, VA[63:21] below (one bit lower, see above). */
@inline export function tagTarget(ctx: u32, va: u64): u64 { return (<u64>(ctx & 0x1FFF) << 48) | (va >> 21); }

/** Physical base of the page a TTE maps. */
@inline export function ttePa(tte: u64): u64 { return ((tte & TTE_PA) >> 13) << 12; }

/** The TLB entry's permission bits for a loaded TTE (no hardware R or X: Linux keeps EXEC in software). */
function ttePerm(tte: u64): u32 {
  let p: u32 = PERM_R | PERM_A;
  if (tte & TTE_W) p |= PERM_W | PERM_D;
  if (tte & TTE_EXEC) p |= PERM_X;
  if ((tte & TTE_P) == 0) p |= PERM_U;
  if (tte & TTE_G) p |= PERM_G;
  return p;
}

/** Whether the handler may load the TTE into the TLB (valid, a base-size page; EXEC for the I side). */
@inline function loadable(tte: u64, fetch: bool): bool {
  return (tte & TTE_V) != 0 && (tte & TTE_SIZE) == 0 && (!fetch || (tte & TTE_EXEC) != 0);
}

/**
 * One MMU miss trap for va in context ctx (I side when fetch), with the TSB register tsbReg and the page tables at
 * pgd (trap_block pgd_paddr). Returns true with srPbase/srPerm set (the TLB is to be loaded), or false for a page
 * fault (srAccessFault: a reference fell outside RAM). srInsns and srRefs count the work on every path.
 */
export function sparcRefill(va: u64, fetch: bool, ctx: u32, tsbReg: u64, pgd: u64, ramSize: u64): bool {
  srRefs = 1;
  srInsns = cfg(K_SPARC_PROBE);
  srAccessFault = false;
  srTsbHit = false;
  srFilled = false;
  const ptr = tsbPointer(tsbReg, va);
  srPointer = ptr;
  srTagTarget = tagTarget(ctx, va);
  // Context 0 would branch to kvmap_{d,i}tlb (kernel translations), which is not modelled: the user path runs.
  const tag = (srTagTarget << 22) >> 22;
  if (ptr + 16 > ramSize) { srAccessFault = true; return false; }
  const tsbTag = load<u64>(RAM_BASE + <usize>ptr);
  const tsbTte = load<u64>(RAM_BASE + <usize>ptr, 8);
  const tail = cfg(fetch ? K_SPARC_TAIL_I : K_SPARC_TAIL_D);
  if (tsbTag == tag) {
    srTsbHit = true;
    if (!loadable(tsbTte, fetch)) {
      // I side without _PAGE_EXEC: sethi, andcc, be (taken), delay slot, then tsb_do_fault. A D-side TSB hit on
      // an invalid or large TTE cannot come from Linux; it is treated the same way rather than loaded.
      srInsns += (fetch ? cfg(K_SPARC_LOAD_I) - 2 : 0) + tail;
      return false;
    }
    srInsns += cfg(fetch ? K_SPARC_LOAD_I : K_SPARC_LOAD_D);
    srPbase = ttePa(tsbTte);
    srPerm = ttePerm(tsbTte);
    return true;
  }
  // TSB miss: tsb_miss_{d,i}tlb, the trap block, ldx pgd_paddr (one reference), the page-table walk.
  srInsns += cfg(K_SPARC_MISS);
  srRefs += 1;
  let table = pgd;
  let pte: u64 = 0;
  for (let level = PT_LEVELS - 1; level >= 0; level--) {
    const a = table + (((va >> (12 + 9 * <u64>level)) & 0x1FF) << 3);
    if (a + 8 > ramSize) { srAccessFault = true; srInsns += unchecked(WALK_INSNS[level]); return false; }
    const e = load<u64>(RAM_BASE + <usize>a);
    srRefs++;
    // brz on an upper entry (it holds the next table's physical address), brgez on the PTE (_PAGE_VALID is bit 63).
    if (level > 0 ? e == 0 : (e & TTE_V) == 0) { srInsns += unchecked(WALK_INSNS[level]) + tail; return false; }
    if (level == 0) pte = e; else table = e;
  }
  srInsns += unchecked(WALK_INSNS[0]);
  // tsb_reload: TSB_LOCK_TAG (lduwa and casa of the tag's high word), TSB_WRITE (TTE, then tag): 4 references.
  srInsns += cfg(K_SPARC_FILL);
  srRefs += 4;
  store<u64>(RAM_BASE + <usize>ptr, pte, 8);
  store<u64>(RAM_BASE + <usize>ptr, tag);
  srFilled = true;
  if (!loadable(pte, fetch)) { srInsns += (fetch ? cfg(K_SPARC_LOAD_I) - 2 : 0) + tail; return false; }
  srInsns += cfg(fetch ? K_SPARC_LOAD_I : K_SPARC_LOAD_D);
  srPbase = ttePa(pte);
  srPerm = ttePerm(pte);
  return true;
}

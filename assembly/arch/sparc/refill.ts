// The sparc machine's software TLB refill: sun4u (UltraSPARC-I/II "Spitfire" MMU) under Linux sparc64: the hardware
// half (the pointer and tag registers the MMU precomputes on a miss, UltraSPARC User's Manual §6.3.1, §6.9.6–6.9.7) and
// a model of the OS's trap handlers, which run as wasm and report the instructions they execute and the memory
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
  RAM_BASE, PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  K_SPARC_PROBE, K_SPARC_LOAD_D, K_SPARC_LOAD_I, K_SPARC_MISS, K_SPARC_FILL, K_SPARC_TAIL_D, K_SPARC_TAIL_I,
} from "../../layout";
import { wPbase, wPerm, wRefs, wAccessFault } from "../../mmu/walk_result";
import { cfg } from "../../cost/counters";
import {
  TTE_V, TTE_SIZE, TTE_PA, TTE_PA_SHIFT, TTE_EXEC, TTE_P, TTE_W, TTE_G, TSB_SPLIT, SPARC_PT_LEVELS,
  TSB_TAG_SHIFT,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WT_TSB, WF_TTE, WF_NONE, WL_TSB } from "../../mmu/walk_trace";

// USER_PGTABLE_WALK_TL1 (tsb.h, huge pages off): instructions executed up to and including the test of the entry
// at each level with its delay slot: PTE (a full walk) 25, PMD 18, PUD 11, PGD 6.
const WALK_INSNS: StaticArray<u32> = [25, 18, 11, 6];

// A refill reports in the walker contract's record (mmu/walk_result.ts): wRefs counts its memory references (TSB
// quad load, trap block, table entries, TSB lock and write). Besides:
export let srInsns: u32 = 0;       // handler instructions executed
export let srTsbHit: bool = false; // the TSB probe matched
export let srFilled: bool = false; // the slow path wrote the TSB
export let srPointer: u64 = 0;     // the 8K TSB pointer register of the last miss
export let srTagTarget: u64 = 0;   // the tag target register of the last miss

/** A handler piece's instruction count (configuration word k, K_SPARC_*). */
@inline function insns(k: u32): u32 { return <u32>cfg(k); }

/** The 8K TSB pointer for va (§6.3.1): TSB_Base[63:13+N] | VA[20+N:12] | 0000, with Split's half selection. */
@inline export function tsbPointer(tsbReg: u64, va: u64): u64 {
  const n = tsbReg & 7;
  const mask: u64 = (<u64>0x2000 << n) - 1;                 // the TSB's 8 KiB << N bytes
  const split: u64 = (tsbReg & TSB_SPLIT) != 0 ? <u64>0x2000 << n : 0; // 8K pointer: first half
  return ((tsbReg & ~<u64>0x1FFF) & ~(mask | split)) | (((va >> 12) << 4) & mask);
}

/** The tag target register (§6.9.4): context in bits 60:48, VA[63:21] below (one bit lower, see above). */
@inline export function tagTarget(ctx: u32, va: u64): u64 {
  return (<u64>(ctx & 0x1FFF) << 48) | (va >> TSB_TAG_SHIFT);
}

/** Physical base of the page a TTE maps. */
@inline export function ttePa(tte: u64): u64 { return ((tte & TTE_PA) >> TTE_PA_SHIFT) << 12; }

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
 * pgd (trap_block pgd_paddr). Returns true with wPbase/wPerm set (the TLB is to be loaded), or false for a page
 * fault (wAccessFault: a reference fell outside RAM). srInsns and wRefs count the work on every path.
 */
export function sparcRefill(va: u64, fetch: bool, ctx: u32, tsbReg: u64, pgd: u64, ramSize: u64): bool {
  wRefs = 1;
  srInsns = insns(K_SPARC_PROBE);
  wAccessFault = false;
  srTsbHit = false;
  srFilled = false;
  const ptr = tsbPointer(tsbReg, va);
  srPointer = ptr;
  srTagTarget = tagTarget(ctx, va);
  // Context 0 would branch to kvmap_{d,i}tlb (kernel translations), which is not modelled: the user path runs.
  const tag = (srTagTarget << 22) >> 22;
  if (ptr + 16 > ramSize) { wAccessFault = true; return false; }
  const tsbTag = load<u64>(RAM_BASE + <usize>ptr);
  const tsbTte = load<u64>(RAM_BASE + <usize>ptr, 8);
  const tail = insns(fetch ? K_SPARC_TAIL_I : K_SPARC_TAIL_D);
  if (walkTracing) {
    wtRecord(WT_TSB, WF_NONE, tsbTag == tag ? 1 : 0, <u32>tag, ptr, tsbTag);
    wtRecord(WT_ENTRY, WF_TTE, WL_TSB, 0, ptr + 8, tsbTte);
  }
  if (tsbTag == tag) {
    srTsbHit = true;
    if (!loadable(tsbTte, fetch)) {
      // I side without _PAGE_EXEC: sethi, andcc, be (taken), delay slot, then tsb_do_fault. A D-side TSB hit on
      // an invalid or large TTE cannot come from Linux; it is treated the same way rather than loaded.
      srInsns += (fetch ? insns(K_SPARC_LOAD_I) - 2 : 0) + tail;
      return false;
    }
    srInsns += insns(fetch ? K_SPARC_LOAD_I : K_SPARC_LOAD_D);
    wPbase = ttePa(tsbTte);
    wPerm = ttePerm(tsbTte);
    return true;
  }
  // TSB miss: tsb_miss_{d,i}tlb, the trap block, ldx pgd_paddr (one reference), the page-table walk.
  srInsns += insns(K_SPARC_MISS);
  wRefs += 1;
  let table = pgd;
  let pte: u64 = 0;
  for (let level = <i32>SPARC_PT_LEVELS - 1; level >= 0; level--) {
    const a = table + (((va >> (12 + 9 * <u64>level)) & 0x1FF) << 3);
    if (a + 8 > ramSize) { wAccessFault = true; srInsns += unchecked(WALK_INSNS[level]); return false; }
    const e = load<u64>(RAM_BASE + <usize>a);
    wRefs++;
    if (walkTracing) wtRecord(WT_ENTRY, level > 0 ? WF_NONE : WF_TTE, <u32>level, 0, a, e);
    // brz on an upper entry (it holds the next table's physical address), brgez on the PTE (_PAGE_VALID is bit 63).
    if (level > 0 ? e == 0 : (e & TTE_V) == 0) { srInsns += unchecked(WALK_INSNS[level]) + tail; return false; }
    if (level == 0) pte = e; else table = e;
  }
  srInsns += unchecked(WALK_INSNS[0]);
  // tsb_reload: TSB_LOCK_TAG (lduwa and casa of the tag's high word), TSB_WRITE (TTE, then tag): 4 references.
  srInsns += insns(K_SPARC_FILL);
  wRefs += 4;
  store<u64>(RAM_BASE + <usize>ptr, pte, 8);
  store<u64>(RAM_BASE + <usize>ptr, tag);
  srFilled = true;
  if (walkTracing) wtRecord(WT_WRITE, WF_TTE, WL_TSB, 0, ptr + 8, pte);
  if (!loadable(pte, fetch)) { srInsns += (fetch ? insns(K_SPARC_LOAD_I) - 2 : 0) + tail; return false; }
  srInsns += insns(fetch ? K_SPARC_LOAD_I : K_SPARC_LOAD_D);
  wPbase = ttePa(pte);
  wPerm = ttePerm(pte);
  return true;
}

// The mips machines' software TLB refill, as a model of the OS's handlers (shared reference mips.md §2–§4): the
// hardware only raises exceptions; the kernel's handlers fill the TLB from the kernel's own tables. Modelled here:
//
//  - the user TLB refill (R3000 UTLB vector 0x8000_0000, R4000 XTLB refill 0x8000_0080): loads the PTE (R3000) or
//    the even/odd PTE pair (R4000) from the process's linear page table at Context / XContext, a virtual address in
//    mapped kernel space (kseg2 / xkseg), copies it to EntryLo(0/1) and executes TLBWR. The PTE load is itself a
//    translation through the TLB;
//  - the nested miss: when that load misses, the general exception vector refills the mapping of the linear
//    table's page from the kernel's root table in unmapped kseg0 (R3000: one EntryLo per linear-table page; R4000: a
//    segment table of kseg0 pointers to pages of EntryLo images), then returns to the user instruction, which takes
//    the refill again (R4000 with EXL = 1 does not update EPC; the R3000 handler returns to the user EPC). A
//    linear-table page that does not exist means the user page is unmapped: a page fault to the kernel;
//  - the TLB invalid exception (V = 0): the OS's page-fault path, escalated to the TypeScript kernel (mmu/mmu.ts
//    fault);
//  - the TLB modified exception (store, D = 0): the OS keeps writability in a software bit (NetBSD PG_RO): the
//    handler finds the PTE through the root table, and if writable sets D in the PTE and in the TLB entry
//    (TLBP + TLBWI), else it is a store page fault for the kernel (NetBSD trap.c T_TLB_MOD).
//
// The handlers' instructions, memory references and exception entry/return are counted and charged (K_MIPS_*,
// K_COST_WALK_REF). The JTLB is the modelled L1 D-TLB, looked up by fetches as well (mmu/mmu.ts useUnifiedTlb);
// replacement is the Random register (tlb/policy/mips_random.ts), which TLBWR follows.
//
// A refill reports in the walker contract's record (mmu/walk_result.ts): wRefs counts the handlers' memory
// references during the miss; the page (the even page and, R4000, the odd one in wPair) is decoded there.

import {
  RAM_BASE, TLB_L1D, PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  C_MIPS_REFILLS, C_MIPS_NESTED, C_MIPS_INVALID, C_MIPS_MODIFIED, C_MIPS_MOD_FAULTS, C_MIPS_HANDLER_INSNS,
  C_MIPS_HANDLER_REFS, C_MIPS_TLB_WRITES,
  K_MIPS_EXC_CYCLES, K_MIPS_REFILL_INSNS, K_MIPS_NESTED_INSNS, K_MIPS_MOD_INSNS, K_MIPS_INSN_CYCLES,
  XMODE_MIPS_R4000,
} from "../../layout";
import {
  tlbFind, tlbInsert, tlbTouch, entryPbase, entryMeta, pairWord, evictedEntry, evictedTag, clock1,
} from "../../tlb/tlb";
import { wPbase, wPerm, wPair, wRefs, wAccessFault } from "../../mmu/walk_result";
import { bump, cfg } from "../../cost/counters";
import { chargeHandler } from "../../cost/charge";
import {
  MIPS_R3000_ENTRYLO_G as M1_G, MIPS_R3000_ENTRYLO_V as M1_V, MIPS_R3000_ENTRYLO_D as M1_D,
  MIPS_R3000_ENTRYLO_RO as M1_RO, MIPS_R3000_ENTRYLO_PFN as M1_FRAME,
  MIPS_R4000_ENTRYLO_G as M3_G, MIPS_R4000_ENTRYLO_V as M3_V, MIPS_R4000_ENTRYLO_D as M3_D,
  MIPS_R4000_ENTRYLO_RO as M3_RO, MIPS_R4000_ENTRYLO_PFN_SHIFT, MIPS_R4000_ENTRYLO_PFN_MASK,
  MIPS_R3000_USER_TOP as R3000_USER_TOP, MIPS_R3000_PTEBASE as R3000_PTEBASE,
  MIPS_R4000_USER_TOP as R4000_USER_TOP, MIPS_R4000_PTEBASE as R4000_PTEBASE, MIPS_KSEG0 as KSEG0,
  MIPS_R3000_PTE_BYTES as M1_PTE, MIPS_R4000_PTE_BYTES as M3_PTE,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WT_REFILL, WT_NESTED, WT_MODIFIED, WF_MIPS1, WF_MIPS3, WF_NONE, WL_LINEAR, WL_ROOT, WL_KPT } from "../../mmu/walk_trace";

// Current machine state: which CPU, the root table of the current address space (pgd_current), RAM size.
let r4000: bool = false;
let rootPa: u64 = 0;
let asid: u32 = 0;
let ramSize: u64 = 0;

/** Selects the CPU and the current address space's ASID and root table (activate / context switch). */
export function refillSelect(mode: u32, root: u64, curAsid: u32, ram: u64): void {
  r4000 = mode == XMODE_MIPS_R4000;
  rootPa = root;
  asid = curAsid;
  ramSize = ram;
}

export function userTop(): u64 { return r4000 ? R4000_USER_TOP : R3000_USER_TOP; }

/** One handler run: exception entry and return plus `insns` instructions. */
function handlerRun(insns: u64): void {
  chargeHandler(C_MIPS_HANDLER_INSNS, insns, cfg(K_MIPS_EXC_CYCLES), cfg(K_MIPS_INSN_CYCLES));
}

/** PERM_* bits of an EntryLo image for a page at va (user mode may use only kuseg / xuseg). */
export function loPerm(lo: u64, va: u64): u32 {
  const v = r4000 ? (lo & M3_V) != 0 : (lo & M1_V) != 0;
  if (!v) return 0;
  const d = r4000 ? (lo & M3_D) != 0 : (lo & M1_D) != 0;
  return PERM_R | PERM_W | PERM_X | PERM_A | (d ? PERM_D : 0) | (va < userTop() ? PERM_U : 0);
}

/** Physical page base of an EntryLo image. */
export function loPbase(lo: u64): u64 {
  return r4000 ? ((lo >> MIPS_R4000_ENTRYLO_PFN_SHIFT) & MIPS_R4000_ENTRYLO_PFN_MASK) << 12 : lo & M1_FRAME;
}

export function loGlobal(lo0: u64, lo1: u64): bool {
  return r4000 ? (lo0 & lo1 & M3_G) != 0 : (lo0 & M1_G) != 0;
}

/**
 * Decodes EntryLo0/1 into the page fields of the walk record (wPbase, wPerm, wPair: the pair's even and odd page,
 * or the single R3000 page), as a TLB write takes them: a refill's TLBWR, and the kernel's TLBWI / TLBWR.
 */
export function decodeLo(va: u64, lo0: u64, lo1: u64): void {
  wPbase = loPbase(lo0);
  wPerm = loPerm(lo0, va) | (loGlobal(lo0, lo1) ? PERM_G : 0);
  wPair = r4000 ? pairWord(loPbase(lo1), loPerm(lo1, va)) : 0;
}

/** Reads guest physical memory for a handler (counted); false when outside RAM. */
@inline function physOk(pa: u64, n: u64): bool { return pa + n <= ramSize; }

/** Context (R3000) or XContext (R4000) for a user va: the virtual address of its PTE (pair). */
export function contextOf(va: u64): u64 {
  return r4000 ? R4000_PTEBASE | ((va >> 13) * (2 * <u64>M3_PTE)) : R3000_PTEBASE | ((va >> 12) * <u64>M1_PTE);
}

/**
 * The user TLB refill for va (which missed in the TLB). On success the results hold the PTE (pair) for the
 * caller to write with TLBWR; on failure the access is a page fault (or an access fault if wAccessFault).
 */
export function refill(va: u64): bool {
  wRefs = 0;
  wAccessFault = false;
  const ctx = contextOf(va);
  // At most twice: a nested miss fills the linear-table mapping and the user access takes the refill again.
  for (let attempt = 0; attempt < 2; attempt++) {
    bump(C_MIPS_REFILLS, 1);
    handlerRun(cfg(K_MIPS_REFILL_INSNS));
    if (walkTracing) wtRecord(WT_REFILL, 0, attempt, 0, ctx, 0);
    const e = tlbFind(TLB_L1D, ctx, asid);
    if (e == 0) {
      if (!nested(ctx)) return false;
      continue;
    }
    tlbTouch(TLB_L1D, e, clock1);
    // The PTE load hit the invalid half of a linear-table pair: a TLB invalid exception inside the refill, taken
    // at the general vector like a nested miss; that linear-table page does not exist, so the user page is unmapped.
    if ((entryMeta(e, ctx) & PERM_R) == 0) {
      bump(C_MIPS_NESTED, 1);
      handlerRun(cfg(K_MIPS_NESTED_INSNS));
      return false;
    }
    const pa = entryPbase(e, ctx) + (ctx & 0xFFF);
    if (r4000) {
      if (!physOk(pa, 16)) { wAccessFault = true; return false; }
      const lo0 = load<u64>(RAM_BASE + <usize>pa);
      const lo1 = load<u64>(RAM_BASE + <usize>pa, 8);
      refs(2);
      if (walkTracing) { wtRecord(WT_ENTRY, WF_MIPS3, WL_LINEAR, 0, pa, lo0); wtRecord(WT_ENTRY, WF_MIPS3, WL_LINEAR, 0, pa + 8, lo1); }
      decodeLo(va, lo0, lo1);
    } else {
      if (!physOk(pa, 4)) { wAccessFault = true; return false; }
      const lo = <u64>load<u32>(RAM_BASE + <usize>pa);
      refs(1);
      if (walkTracing) wtRecord(WT_ENTRY, WF_MIPS1, WL_LINEAR, 0, pa, lo);
      decodeLo(va, lo, 0);
    }
    bump(C_MIPS_TLB_WRITES, 1);   // the TLBWR that the caller performs (mmu/mmu.ts inserts into the JTLB)
    return true;
  }
  return false;
}

@inline function refs(n: u32): void { wRefs += n; bump(C_MIPS_HANDLER_REFS, n); }

/**
 * The nested miss on the linear table at ctx: the general exception path reads the root table (kseg0, unmapped)
 * and TLBWRs the mapping of the linear table's page (R4000: the even/odd pair of pages). False when that page
 * does not exist.
 */
function nested(ctx: u64): bool {
  bump(C_MIPS_NESTED, 1);
  handlerRun(cfg(K_MIPS_NESTED_INSNS));
  if (walkTracing) wtRecord(WT_NESTED, 0, 0, 0, ctx, 0);
  let lo0: u64, lo1: u64 = 0;
  if (r4000) {
    const off = ctx - R4000_PTEBASE;
    const segPa = rootPa + ((off >> 21) << 2);
    if (!physOk(segPa, 4)) { wAccessFault = true; return false; }
    const kpt = <u64>load<u32>(RAM_BASE + <usize>segPa);
    refs(1);
    if (walkTracing) wtRecord(WT_ENTRY, WF_NONE, WL_ROOT, 0, segPa, kpt);
    if (kpt < KSEG0) return false;                       // no kernel page for this part of the linear table
    const evenPa = (kpt - KSEG0) + ((((off >> 12) & 511) & ~(<u64>1)) * <u64>M3_PTE);
    if (!physOk(evenPa, 16)) { wAccessFault = true; return false; }
    lo0 = load<u64>(RAM_BASE + <usize>evenPa);
    lo1 = load<u64>(RAM_BASE + <usize>evenPa, 8);
    refs(2);
    if (walkTracing) { wtRecord(WT_ENTRY, WF_MIPS3, WL_KPT, 0, evenPa, lo0); wtRecord(WT_ENTRY, WF_MIPS3, WL_KPT, 0, evenPa + 8, lo1); }
    if (((((off >> 12) & 1) == 0 ? lo0 : lo1) & M3_V) == 0) return false;
  } else {
    const a = rootPa + (((ctx - R3000_PTEBASE) >> 12) * <u64>M1_PTE);
    if (!physOk(a, 4)) { wAccessFault = true; return false; }
    lo0 = <u64>load<u32>(RAM_BASE + <usize>a);
    refs(1);
    if (walkTracing) wtRecord(WT_ENTRY, WF_MIPS1, WL_ROOT, 0, a, lo0);
    if ((lo0 & M1_V) == 0) return false;
  }
  decodeLo(ctx, lo0, lo1);
  tlbWriteRandom(ctx, 0, wPbase, wPerm | (asid << 16), wPair);
  return true;
}

// Set by the control code (control.ts): drops host-cache copies of an entry a TLB write replaced.
let onEvict: (e: usize, tag: u64) => void = noEvict;
function noEvict(e: usize, tag: u64): void {}
export function refillOnEvict(f: (e: usize, tag: u64) => void): void { onEvict = f; }

/** TLBWR of a translation (the kernel's handlers and __update_tlb's fallback); counted. */
export function tlbWriteRandom(va: u64, level: u32, pbase: u64, meta: u32, pair: u64): usize {
  const e = tlbInsert(TLB_L1D, va, level, pbase, meta, clock1, pair);   // at Random's value before this write
  bump(C_MIPS_TLB_WRITES, 1);
  if (evictedEntry != 0) onEvict(evictedEntry, evictedTag);
  return e;
}

/**
 * The TLB modified exception for a store to va, whose valid entry e has D = 0. The handler finds the PTE through
 * the root table (unmapped), and sets D in it when the software RO bit allows; the caller then sets D in the TLB
 * entry (TLBP + TLBWI). False: a store page fault for the kernel.
 */
export function modified(va: u64): bool {
  wRefs = 0;
  wAccessFault = false;
  bump(C_MIPS_MODIFIED, 1);
  handlerRun(cfg(K_MIPS_MOD_INSNS));
  if (walkTracing) wtRecord(WT_MODIFIED, 0, 0, 0, va, 0);
  let ptePa: u64;
  const off = contextOf(va) - (r4000 ? R4000_PTEBASE : R3000_PTEBASE);
  if (r4000) {
    const segPa = rootPa + ((off >> 21) << 2);
    if (!physOk(segPa, 4)) { wAccessFault = true; return false; }
    const kpt = <u64>load<u32>(RAM_BASE + <usize>segPa);
    refs(1);
    if (walkTracing) wtRecord(WT_ENTRY, WF_NONE, WL_ROOT, 0, segPa, kpt);
    if (kpt < KSEG0) return modFault();
    const loPa = (kpt - KSEG0) + (((off >> 12) & 511) * <u64>M3_PTE);
    if (!physOk(loPa, 8)) { wAccessFault = true; return false; }
    const lo = load<u64>(RAM_BASE + <usize>loPa);
    refs(1);
    if (walkTracing) wtRecord(WT_ENTRY, WF_MIPS3, WL_KPT, 0, loPa, lo);
    if ((lo & M3_V) == 0) return modFault();
    ptePa = loPbase(lo) + (off & 0xFFF) + (((va >> 12) & 1) * <u64>M3_PTE);
  } else {
    const a = rootPa + ((off >> 12) * <u64>M1_PTE);
    if (!physOk(a, 4)) { wAccessFault = true; return false; }
    const lo = <u64>load<u32>(RAM_BASE + <usize>a);
    refs(1);
    if (walkTracing) wtRecord(WT_ENTRY, WF_MIPS1, WL_ROOT, 0, a, lo);
    if ((lo & M1_V) == 0) return modFault();
    ptePa = loPbase(lo) + (off & 0xFFF);
  }
  const size: u64 = r4000 ? 8 : 4;
  if (!physOk(ptePa, size)) { wAccessFault = true; return false; }
  const pte = r4000 ? load<u64>(RAM_BASE + <usize>ptePa) : <u64>load<u32>(RAM_BASE + <usize>ptePa);
  refs(1);
  if (walkTracing) wtRecord(WT_ENTRY, r4000 ? WF_MIPS3 : WF_MIPS1, WL_LINEAR, 0, ptePa, pte);
  const valid = (pte & (r4000 ? M3_V : M1_V)) != 0;
  if (!valid || (pte & (r4000 ? M3_RO : M1_RO)) != 0) return modFault();
  if (r4000) store<u64>(RAM_BASE + <usize>ptePa, pte | M3_D);
  else store<u32>(RAM_BASE + <usize>ptePa, <u32>(pte | M1_D));
  refs(1);
  if (walkTracing) wtRecord(WT_WRITE, r4000 ? WF_MIPS3 : WF_MIPS1, WL_LINEAR, 0, ptePa, pte | (r4000 ? M3_D : M1_D));
  bump(C_MIPS_TLB_WRITES, 1);   // TLBWI of the entry with D set (the caller updates the modelled entry)
  return true;
}

function modFault(): bool { bump(C_MIPS_MOD_FAULTS, 1); return false; }

/** A TLB invalid exception (V = 0) for a user address: counted; the kernel's page-fault path handles it. */
export function invalidException(va: u64): void {
  if (va < userTop()) bump(C_MIPS_INVALID, 1);
}

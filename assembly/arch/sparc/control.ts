// The sparc machine's control code: the sun4u control operations a kernel uses on the translation hardware (UltraSPARC
// User's Manual §6.9, §6.10), as Linux sparc64 issues them: the context switch (tsb_context_switch writes the TSB
// register of both MMUs and the trap block's pgd_paddr, then the primary context register is loaded), demap page and
// demap context (each a store to ASI_DMMU_DEMAP and one to ASI_IMMU_DEMAP), and the flush of every unlocked entry that
// a context wrap needs. They run in kernel mode, so the host kernel calls them. Also the refill model's operations
// (refill.ts) behind the walker contract (mmu/mmu.ts), which the context switch selects.

import {
  XMODE_SPARC_TSB, C_MMU_MISS_TRAPS, C_TSB_HITS, C_TSB_MISSES, C_TSB_FILLS, C_PROT_TRAPS,
  C_HANDLER_INSNS, C_DEMAP_PAGES, C_DEMAP_CONTEXTS, K_COST_WALK_BASE, K_SPARC_PROT,
} from "../../layout";
import { FL_BY_VA, FL_BY_ASID, FL_GLOBAL_ANY, FL_KEEP_GLOBAL } from "../../tlb/tlb";
import { sparcRefill, srInsns, srTsbHit, srFilled } from "./refill";
import { SPARC_VA_USER_END, SPARC_CTX_BITS } from "./format";
import { setTranslation, useWalker, invalidate, xlateTag, rootPa, ramSize } from "../../mmu/mmu";
import { wLevel, wRefs, wAdWrites, wAccessFault, ACC_FETCH } from "../../mmu/walk_result";
import { bump, cfg } from "../../cost/counters";
import { chargeHandler, chargeXlate } from "../../cost/charge";
import { walkTracing, wtRecord, WT_HANDLER } from "../../mmu/walk_trace";

const CTX_MASK: u32 = (1 << SPARC_CTX_BITS) - 1;

let tsbReg: u64 = 0;

/** Handler work in cycles: one per instruction (the core's base rate), counted as translation time. */
@inline function chargeInsns(n: u64): void { chargeHandler(C_HANDLER_INSNS, n, 0, 1); }

/**
 * Linux switch_mm on sun4u: TSB register (both MMUs, VA 0x28), pgd_paddr into the trap block, then the primary
 * context register (13 bits). Selects the refill model. Flushes nothing: contexts tag the TLB entries.
 */
export function sparcSwitch(tsb: u64, pgdPa: u64, ctx: u32): void {
  tsbReg = tsb;
  useWalker(sparcOpWalk, sparcOnWalkFault, sparcOnPermissionFault);
  setTranslation(XMODE_SPARC_TSB, pgdPa, ctx & CTX_MASK);
}

export function sparcTsbReg(): u64 { return tsbReg; }

/**
 * Demap page (§6.10): removes the entries for va's page that are in context ctx or global. Demap context:
 * removes every non-global entry of ctx. Both TLBs; one counted flush for the pair of demap stores.
 */
export function sparcDemap(va: u64, ctx: u32, page: bool): void {
  if (page) {
    bump(C_DEMAP_PAGES, 1);
    invalidate(va, ctx & CTX_MASK, FL_BY_VA | FL_BY_ASID | FL_GLOBAL_ANY);
  } else {
    bump(C_DEMAP_CONTEXTS, 1);
    invalidate(0, ctx & CTX_MASK, FL_BY_ASID | FL_KEEP_GLOBAL);
  }
}

/** Every entry of both TLBs, global or not (Linux __flush_tlb_all; no entry here is locked). */
export function sparcFlushAll(): void {
  bump(C_DEMAP_CONTEXTS, 1);
  invalidate(0, 0, 0);
}

/** Walker contract, walk: one MMU miss trap, handled by the refill model; its instructions are charged here. */
function sparcOpWalk(va: u64, acc: u32): bool {
  if (va >= SPARC_VA_USER_END) {
    // The VA hole (or the kernel's upper half): an access exception, not an MMU miss; no handler runs.
    wRefs = 0; wAdWrites = 0; wAccessFault = false;
    return false;
  }
  bump(C_MMU_MISS_TRAPS, 1);
  const ok = sparcRefill(va, acc == ACC_FETCH, xlateTag, tsbReg, rootPa, ramSize);
  bump(srTsbHit ? C_TSB_HITS : C_TSB_MISSES, 1);
  if (srFilled) bump(C_TSB_FILLS, 1);
  chargeInsns(srInsns);
  if (walkTracing) wtRecord(WT_HANDLER, 0, 0, srInsns, 0, 0);
  wAdWrites = 0; wLevel = 0;
  return ok;
}

/** Walker contract, onWalkFault: the handler has reached etrap; the kernel's fault path is the host's. */
function sparcOnWalkFault(va: u64, acc: u32): void {}

/**
 * Walker contract, onPermissionFault: a store to a TLB entry without W (fast_data_access_protection) or a user
 * access to a privileged page: the trap and dtlb_prot.S up to etrap, charged as translation time.
 */
function sparcOnPermissionFault(va: u64, acc: u32): void {
  bump(C_PROT_TRAPS, 1);
  chargeInsns(cfg(K_SPARC_PROT));
  chargeXlate(cfg(K_COST_WALK_BASE));
}

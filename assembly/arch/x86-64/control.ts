// The x86-64 machines' control code: the control operations a kernel uses on the translation hardware (SDM vol. 3A
// §4.10.1, §4.10.4.1):
// MOV to CR4 (LA57, PCIDE), MOV to CR3 (root, PCID, no-flush bit 63), INVLPG and INVPCID types 0–3. They run in
// kernel mode, so they are called by the host kernel, like setSatp and sfenceVma; each invalidating one is counted
// and charged as a flush (mmu/mmu.ts invalidate). Also the x86-64 walker's operations (walker.ts) behind the
// walker contract (mmu/mmu.ts), which a CR3 write selects.

import { XMODE_X86_4L, XMODE_X86_5L, TLB_COUNT } from "../../layout";
import { FL_BY_VA, FL_BY_ASID, FL_GLOBAL_ANY, FL_KEEP_GLOBAL, tlbFlushWhere, tlbResetAll } from "../../tlb/tlb";
import { pscReset, pscFlush, canonical, x86Walk, xwVector, xwError } from "./walker";
import {
  X86_PF_P, X86_PF_W, X86_PF_U, X86_PF_I, X86_VEC_PF, X86_CR4_LA57, X86_CR4_PCIDE, X86_CR3_NOFLUSH, X86_CR3_BASE,
  X86_CR3_PCID, X86_LEVELS, X86_LA57_LEVELS,
} from "./format";
import {
  setTranslation, useWalker, invalidate, hostCacheClear, xlateTag, xlateMode, rootPa, ramSize, trapVector, trapError,
} from "../../mmu/mmu";
import { ACC_FETCH, ACC_STORE } from "../../mmu/walk_result";

let cr4: u64 = 0;
let cr3: u64 = 0;

@inline function pcide(): bool { return (cr4 & X86_CR4_PCIDE) != 0; }
@inline function la57(): bool { return (cr4 & X86_CR4_LA57) != 0; }

/**
 * MOV to CR4 (only LA57 and PCIDE are modelled; PGE is taken as set). Any change flushes every TLB entry, global
 * or not, and every paging-structure cache (a superset of what the SDM requires), and re-reads the cache sizes.
 * The new paging mode takes effect with the next CR3 write.
 */
export function x86SetCr4(v: u64): void {
  const nv = v & (X86_CR4_LA57 | X86_CR4_PCIDE);
  if (nv == cr4) return;
  cr4 = nv;
  tlbResetAll();
  pscReset();
  hostCacheClear();
}

/**
 * MOV to CR3. Without PCIDE: PCID 0, and every non-global TLB entry and every paging-structure-cache entry goes.
 * With PCIDE: bits 11:0 are the new PCID; unless bit 63 is set, the non-global TLB entries and the cache entries
 * of that PCID go.
 */
export function x86WriteCr3(v: u64): void {
  const pcid: u32 = pcide() ? <u32>(v & X86_CR3_PCID) : 0;
  cr3 = v & ~X86_CR3_NOFLUSH;
  useWalker(x86OpWalk, x86OnWalkFault, x86OnPermissionFault);
  setTranslation(la57() ? XMODE_X86_5L : XMODE_X86_4L, v & X86_CR3_BASE, pcid);
  if (pcide() && (v & X86_CR3_NOFLUSH) != 0) return;
  invalidate(0, pcid, FL_BY_ASID | FL_KEEP_GLOBAL);
  pscFlush(pcid, !pcide(), 0, false);
}

export function x86Cr3(): u64 { return cr3; }

/**
 * INVLPG va: the TLB entries for va's page tagged with the current PCID, global entries for that page whatever
 * their PCID, and every paging-structure-cache entry of the current PCID. A non-canonical va is a no-op.
 */
export function x86Invlpg(va: u64): void {
  if (!canonical(va, la57() ? 57 : 48)) return;
  invalidate(va, xlateTag, FL_BY_VA | FL_BY_ASID | FL_GLOBAL_ANY);
  pscFlush(xlateTag, false, 0, false);
}

/**
 * INVPCID type, {pcid, va}: 0 individual address (non-global entries of pcid for va), 1 single context (non-global
 * entries of pcid), 2 all contexts with globals, 3 all contexts except globals. Types 0 and 1 also drop the
 * paging-structure-cache entries of pcid, 2 and 3 all of them. Returns 0, or −1 where the instruction raises
 * #GP(0) (type > 3, a PCID > 0xFFF, a non-canonical address for type 0, PCID ≠ 0 for types 0/1 without PCIDE).
 */
export function x86Invpcid(type: u32, pcid: u32, va: u64): i32 {
  if (type > 3 || pcid > 0xFFF) return -1;
  if (type <= 1 && !pcide() && pcid != 0) return -1;
  if (type == 0) {
    if (!canonical(va, la57() ? 57 : 48)) return -1;
    invalidate(va, pcid, FL_BY_VA | FL_BY_ASID | FL_KEEP_GLOBAL);
    pscFlush(pcid, false, 0, false);
  } else if (type == 1) {
    invalidate(0, pcid, FL_BY_ASID | FL_KEEP_GLOBAL);
    pscFlush(pcid, false, 0, false);
  } else {
    invalidate(0, 0, type == 2 ? 0 : FL_KEEP_GLOBAL);
    pscFlush(0, true, 0, false);
  }
  return 0;
}

/** Walker contract, walk: 5 levels under CR4.LA57 (XMODE_X86_5L), else 4; the current PCID tags the caches. */
function x86OpWalk(va: u64, acc: u32): bool {
  return x86Walk(rootPa, xlateMode == XMODE_X86_5L ? X86_LA57_LEVELS : X86_LEVELS, va, acc, xlateTag, ramSize);
}

/** Walker contract, onWalkFault: the walker's vector (#PF or #GP) and error code. */
function x86OnWalkFault(va: u64, acc: u32): void { x86Fault(va, xwVector, xwError); }

/** Walker contract, onPermissionFault: a #PF for a protection violation on a present translation. */
function x86OnPermissionFault(va: u64, acc: u32): void {
  x86Fault(va, X86_VEC_PF, X86_PF_P | X86_PF_U | (acc == ACC_STORE ? X86_PF_W : 0) | (acc == ACC_FETCH ? X86_PF_I : 0));
}

/**
 * A page fault invalidates the TLB and paging-structure-cache entries that would translate va (SDM §4.10.4.1), so
 * the retried access walks memory again; records the vector and error code for the host.
 */
function x86Fault(va: u64, vector: u32, error: u32): void {
  trapVector = vector;
  trapError = error;
  if (vector != X86_VEC_PF) return;
  for (let t: u32 = 0; t < TLB_COUNT; t++) tlbFlushWhere(t, va, xlateTag, FL_BY_VA | FL_BY_ASID | FL_GLOBAL_ANY);
  pscFlush(xlateTag, false, va, true);
  hostCacheClear();
}

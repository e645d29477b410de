// The vax machine's control code: the VAX control operations a kernel uses on the translation hardware (shared
// reference vax.md §2, §6): MTPR to the memory-management registers (P0BR, P0LR, P1BR, P1LR, SBR, SLR, MAPEN), to TBIA
// and TBIS, MFPR, and the part of LDPCTX that loads a process's P0BR/P0LR/P1BR/P1LR from its PCB and drops the process
// half of the translation buffer. They run in kernel mode, so the host kernel calls them; each invalidation is counted
// and charged as a flush (mmu/mmu.ts invalidate). Also the VAX walker's operations behind the walker contract
// (mmu/mmu.ts), which MTPR #1, #MAPEN selects. The process half of the TB is the MMU's TLB hierarchy; the system half
// is walker.ts's.

import { XMODE_BARE, XMODE_VAX, C_FLUSH_ENTRIES, K_VAX_STB_SETS, K_VAX_STB_WAYS, VAX_STB_MAX } from "../../layout";
import { FL_BY_VA, FL_KEEP_GLOBAL } from "../../tlb/tlb";
import {
  vaxWalk, vaxSetRegs, vaxSetSystem, stbFlush, stbReset, p0br, p0lr, p1br, p1lr, sbr, slr, vwVector, vwParam,
} from "./walker";
import {
  VAX_SCB_ACV, VAX_MM_WRITE, VAX_MODE_USER, VAX_PAGE_SHIFT, VAX_PFN_MASK, VAX_PR_P0BR, VAX_PR_P0LR, VAX_PR_P1BR,
  VAX_PR_P1LR, VAX_PR_SBR, VAX_PR_SLR, VAX_PR_MAPEN, VAX_PR_TBIA, VAX_PR_TBIS, VAX_LR_MASK,
} from "./format";
import { setTranslation, useWalker, invalidate, ramSize, trapVector, trapError } from "../../mmu/mmu";
import { wLevel, ACC_STORE } from "../../mmu/walk_result";
import { bump, setCfg } from "../../cost/counters";

let mapen: u32 = 0;

@inline function countFlushed(n: u32): void { bump(C_FLUSH_ENTRIES, n); }

/**
 * MTPR v, #ipr. Loading a base or length register invalidates nothing (software follows it with TBIA/TBIS as
 * needed). Returns 0, or −1 for a register this model does not have (a reserved operand).
 */
export function vaxMtpr(ipr: u32, v: u32): i32 {
  switch (ipr) {
    case VAX_PR_P0BR: vaxSetRegs(v, p0lr, p1br, p1lr); break;
    case VAX_PR_P0LR: vaxSetRegs(p0br, v & VAX_LR_MASK, p1br, p1lr); break;
    case VAX_PR_P1BR: vaxSetRegs(p0br, p0lr, v, p1lr); break;
    case VAX_PR_P1LR: vaxSetRegs(p0br, p0lr, p1br, v & VAX_LR_MASK); break;
    case VAX_PR_SBR: vaxSetSystem(v & ~3, slr); break;
    case VAX_PR_SLR: vaxSetSystem(sbr, v & VAX_LR_MASK); break;
    case VAX_PR_MAPEN:
      mapen = v & 1;
      useWalker(vaxOpWalk, vaxOnWalkFault, vaxOnPermissionFault);
      setTranslation(mapen ? XMODE_VAX : XMODE_BARE, sbr, 0, VAX_PAGE_SHIFT);
      break;
    case VAX_PR_TBIA:
      invalidate(0, 0, 0);
      countFlushed(stbFlush(true, 0));
      break;
    case VAX_PR_TBIS: {
      // Every translation of v's page, process or system; a system page also leaves the system half.
      invalidate(<u64>v, 0, FL_BY_VA);
      if ((v >> 30) == 2) countFlushed(stbFlush(false, (v >> VAX_PAGE_SHIFT) & VAX_PFN_MASK));
      break;
    }
    default: return -1;
  }
  return 0;
}

/** MFPR #ipr (the memory-management registers and MAPEN); 0xFFFFFFFF for any other register. */
export function vaxMfpr(ipr: u32): u32 {
  switch (ipr) {
    case VAX_PR_P0BR: return p0br;
    case VAX_PR_P0LR: return p0lr;
    case VAX_PR_P1BR: return p1br;
    case VAX_PR_P1LR: return p1lr;
    case VAX_PR_SBR: return sbr;
    case VAX_PR_SLR: return slr;
    case VAX_PR_MAPEN: return mapen;
  }
  return 0xFFFF_FFFF;
}

/**
 * LDPCTX's memory-management part: the new process's P0BR, P0LR, P1BR, P1LR from its PCB, and the process half of
 * the TB invalidated (the system half and every S0 translation survive), counted as one flush.
 */
export function vaxLdpctx(np0br: u32, np0lr: u32, np1br: u32, np1lr: u32): void {
  vaxSetRegs(np0br, np0lr & VAX_LR_MASK, np1br, np1lr & VAX_LR_MASK);
  invalidate(0, 0, FL_KEEP_GLOBAL);
}

/**
 * Sets the geometry of the TB's system half (sets a power of two, sets × ways ≤ VAX_STB_MAX; 0 ways disables it)
 * and empties it. Returns 0, or −1 for an impossible geometry.
 */
export function vaxSystemTb(sets: u32, ways: u32): i32 {
  if (ways != 0 && (sets == 0 || (sets & (sets - 1)) != 0)) return -1;
  if (<u64>sets * ways > VAX_STB_MAX) return -1;
  setCfg(K_VAX_STB_SETS, sets);
  setCfg(K_VAX_STB_WAYS, ways);
  stbReset();
  return 0;
}

/** Walker contract, walk: a user-mode access (the guest runs in user mode). */
function vaxOpWalk(va: u64, acc: u32): bool {
  const ok = vaxWalk(va, acc, VAX_MODE_USER, ramSize);
  wLevel = 0;
  return ok;
}

/** Walker contract, onWalkFault: the SCB vector (ACV or TNV) and the fault parameter. */
function vaxOnWalkFault(va: u64, acc: u32): void { trapVector = vwVector; trapError = vwParam; }

/** Walker contract, onPermissionFault: a TB entry that does not allow the access is an ACV. */
function vaxOnPermissionFault(va: u64, acc: u32): void {
  trapVector = VAX_SCB_ACV;
  trapError = acc == ACC_STORE ? VAX_MM_WRITE : 0;
}

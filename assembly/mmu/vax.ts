// The VAX control operations a kernel uses on the translation hardware (shared reference vax.md §2, §6): MTPR to the
// memory-management registers (P0BR, P0LR, P1BR, P1LR, SBR, SLR, MAPEN), to TBIA and TBIS, MFPR, and the part of
// LDPCTX that loads a process's P0BR/P0LR/P1BR/P1LR from its PCB and drops the process half of the translation
// buffer. They run in kernel mode, so the host kernel calls them; each invalidation is counted and charged as a
// flush (mmu.ts invalidate). Also the VAX walker's operations behind the walker contract (mmu.ts), which MTPR #1,
// #MAPEN selects. The process half of the TB is the MMU's TLB hierarchy; the system half is walk/vax.ts's.

import {
  XMODE_BARE, XMODE_VAX, COUNTERS, CONFIG, C_FLUSH_ENTRIES, K_VAX_STB_SETS, K_VAX_STB_WAYS, VAX_STB_MAX,
} from "../layout";
import { FL_BY_VA, FL_KEEP_GLOBAL } from "../tlb/tlb";
import {
  vaxWalk, vaxSetRegs, vaxSetSystem, stbFlush, stbReset, p0br, p0lr, p1br, p1lr, sbr, slr,
  vwPbase, vwPerm, vwRefs, vwMWrites, vwAccessFault, vwVector, vwParam, SCB_ACV, MM_WRITE, MODE_USER, VAX_PAGE_SHIFT,
  VAX_PFN_MASK,
} from "../walk/vax";
import {
  setTranslation, useWalker, invalidate, ramSize, trapVector, trapError,
  wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault, ACC_STORE,
} from "./mmu";

// Internal processor register numbers (vax.md §2).
export const PR_P0BR: u32 = 8;
export const PR_P0LR: u32 = 9;
export const PR_P1BR: u32 = 10;
export const PR_P1LR: u32 = 11;
export const PR_SBR: u32 = 12;
export const PR_SLR: u32 = 13;
export const PR_MAPEN: u32 = 56;
export const PR_TBIA: u32 = 57;
export const PR_TBIS: u32 = 58;

const LR_MASK: u32 = 0x3F_FFFF;   // length registers are 22-bit fields

let mapen: u32 = 0;

@inline function countFlushed(n: u32): void {
  store<u64>(COUNTERS + (C_FLUSH_ENTRIES << 3), load<u64>(COUNTERS + (C_FLUSH_ENTRIES << 3)) + n);
}

/**
 * MTPR v, #ipr. Loading a base or length register invalidates nothing (software follows it with TBIA/TBIS as
 * needed). Returns 0, or −1 for a register this model does not have (a reserved operand).
 */
export function vaxMtpr(ipr: u32, v: u32): i32 {
  switch (ipr) {
    case PR_P0BR: vaxSetRegs(v, p0lr, p1br, p1lr); break;
    case PR_P0LR: vaxSetRegs(p0br, v & LR_MASK, p1br, p1lr); break;
    case PR_P1BR: vaxSetRegs(p0br, p0lr, v, p1lr); break;
    case PR_P1LR: vaxSetRegs(p0br, p0lr, p1br, v & LR_MASK); break;
    case PR_SBR: vaxSetSystem(v & ~3, slr); break;
    case PR_SLR: vaxSetSystem(sbr, v & LR_MASK); break;
    case PR_MAPEN:
      mapen = v & 1;
      useWalker(vaxOpWalk, vaxOnWalkFault, vaxOnPermissionFault);
      setTranslation(mapen ? XMODE_VAX : XMODE_BARE, sbr, 0, VAX_PAGE_SHIFT);
      break;
    case PR_TBIA:
      invalidate(0, 0, 0);
      countFlushed(stbFlush(true, 0));
      break;
    case PR_TBIS: {
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
    case PR_P0BR: return p0br;
    case PR_P0LR: return p0lr;
    case PR_P1BR: return p1br;
    case PR_P1LR: return p1lr;
    case PR_SBR: return sbr;
    case PR_SLR: return slr;
    case PR_MAPEN: return mapen;
  }
  return 0xFFFF_FFFF;
}

/**
 * LDPCTX's memory-management part: the new process's P0BR, P0LR, P1BR, P1LR from its PCB, and the process half of
 * the TB invalidated (the system half and every S0 translation survive), counted as one flush.
 */
export function vaxLdpctx(np0br: u32, np0lr: u32, np1br: u32, np1lr: u32): void {
  vaxSetRegs(np0br, np0lr & LR_MASK, np1br, np1lr & LR_MASK);
  invalidate(0, 0, FL_KEEP_GLOBAL);
}

/**
 * Sets the geometry of the TB's system half (sets a power of two, sets × ways ≤ VAX_STB_MAX; 0 ways disables it)
 * and empties it. Returns 0, or −1 for an impossible geometry.
 */
export function vaxSystemTb(sets: u32, ways: u32): i32 {
  if (ways != 0 && (sets == 0 || (sets & (sets - 1)) != 0)) return -1;
  if (<u64>sets * ways > VAX_STB_MAX) return -1;
  store<u64>(CONFIG + (K_VAX_STB_SETS << 3), sets);
  store<u64>(CONFIG + (K_VAX_STB_WAYS << 3), ways);
  stbReset();
  return 0;
}

/** Walker contract, walk: a user-mode access (the guest runs in user mode). */
function vaxOpWalk(va: u64, acc: u32): bool {
  const ok = vaxWalk(va, acc, MODE_USER, ramSize);
  wRefs = vwRefs; wAdWrites = vwMWrites; wAccessFault = vwAccessFault;
  wPbase = vwPbase; wLevel = 0; wPerm = vwPerm;
  return ok;
}

/** Walker contract, onWalkFault: the SCB vector (ACV or TNV) and the fault parameter. */
function vaxOnWalkFault(va: u64, acc: u32): void { trapVector = vwVector; trapError = vwParam; }

/** Walker contract, onPermissionFault: a TB entry that does not allow the access is an ACV. */
function vaxOnPermissionFault(va: u64, acc: u32): void {
  trapVector = SCB_ACV;
  trapError = acc == ACC_STORE ? MM_WRITE : 0;
}

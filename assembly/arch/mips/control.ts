// The mips machines' control code: the control operations a kernel uses on the TLB (shared reference mips.md §3, §5):
// the EntryHi ASID and the root of the current address space (context switch), Wired, and TLBP / TLBWI / TLBWR as
// Linux's tlb-r3k.c and tlb-r4k.c use them (local_flush_tlb_page, local_flush_tlb_all, __update_tlb). They run in
// kernel mode, so the host kernel calls them. Also the refill model's operations behind the walker contract
// (mmu/mmu.ts), which selecting a MIPS mode installs: a "walk" is the refill exception (or the TLB modified exception
// for a store to a clean entry), modelled in refill.ts.

import {
  TLB_L1D, TLBE_SIZE, K_POLICY_PARAM, K_MIPS_WIRED, K_COST_FLUSH, XMODE_MIPS_R3000,
  XMODE_MIPS_R4000, C_FLUSHES, PERM_D, C_MIPS_TLB_WRITES,
} from "../../layout";
import {
  tlbFind, tlbGeometry, tlbGeometryIs, tlbResetAll, tlbWriteAt, tlbEntries, tlbBase, tlbInvalidateEntry, clock1,
  entryMeta, entryPbase,
} from "../../tlb/tlb";
import { policyConfigure } from "../../tlb/policy";
import { mipsRandomReload, mipsRandomAt } from "../../tlb/policy/mips_random";
import {
  setTranslation, useWalker, useUnifiedTlb, hostCacheClear, hostCacheDrop, xlateMode, xlateTag, ramSize,
} from "../../mmu/mmu";
import {
  wPbase, wLevel, wPerm, wPair, wRefs, wAdWrites, wAccessFault, ACC_STORE,
} from "../../mmu/walk_result";
import {
  refillSelect, refill, modified, invalidException, userTop, decodeLo, tlbWriteRandom, refillOnEvict,
} from "./refill";
import { MIPS_R3000_ASIDS, MIPS_R4000_ASIDS } from "./format";
import { bump, cfg, setCfg } from "../../cost/counters";
import { chargeXlate } from "../../cost/charge";

/**
 * Selects a MIPS translation mode (XMODE_MIPS_R3000 / R4000) with the current address space's ASID (EntryHi) and
 * root table. The first selection sets the TLB geometry (R4000: paired entries, PageMask sizes 4K..16M), empties
 * the TLB and loads Wired from K_MIPS_WIRED; later ones are context switches (no flush: entries are ASID-tagged).
 * Returns −1 for an unknown mode or an ASID wider than the CPU's (6 bits R3000, 8 bits R4000).
 */
export function mipsSetContext(mode: u32, asid: u32, root: u64): i32 {
  if (mode != XMODE_MIPS_R3000 && mode != XMODE_MIPS_R4000) return -1;
  if (asid >= (mode == XMODE_MIPS_R4000 ? MIPS_R4000_ASIDS : MIPS_R3000_ASIDS)) return -1;
  useWalker(mipsOpWalk, mipsOnWalkFault, mipsOnPermissionFault);
  const pairs = mode == XMODE_MIPS_R4000;
  if (xlateMode != mode || !tlbGeometryIs(12, 2, pairs)) {
    tlbGeometry(12, 2, pairs);
    tlbResetAll();
    useUnifiedTlb(true);
    refillOnEvict(hostCacheDrop);
    writeWired(<u32>cfg(K_MIPS_WIRED));
  }
  refillSelect(mode, root, asid, ramSize);
  setTranslation(mode, root, asid);
  return 0;
}

function writeWired(n: u32): void {
  setCfg(K_POLICY_PARAM + TLB_L1D, n);
  policyConfigure(TLB_L1D);
  mipsRandomReload(clock1);
}

/** MTC0 Wired (R4000): entries below n are never chosen by TLBWR; Random reloads the last entry. −1 if n ≥ size. */
export function mipsSetWired(n: u32): i32 {
  if (n >= tlbEntries(TLB_L1D)) return -1;
  writeWired(n);
  return 0;
}

/** The Random register now (MFC0 Random). */
export function mipsRandom(): u32 {
  return mipsRandomAt(clock1, tlbEntries(TLB_L1D), <u32>cfg(K_POLICY_PARAM + TLB_L1D));
}

/** TLBP: the index of the entry matching (va, asid) — VPN(2) equal and G or ASID equal — or −1 (Index.P). */
export function mipsTlbProbe(va: u64, asid: u32): i32 {
  const e = tlbFind(TLB_L1D, va, asid);
  return e == 0 ? -1 : <i32>((e - tlbBase(TLB_L1D)) / TLBE_SIZE);
}

/** Meta word of a new entry for va from EntryLo0/1 under asid (decoded by the refill model's rules into wPbase/wPair). */
function entryFrom(va: u64, asid: u32, lo0: u64, lo1: u64): u32 {
  decodeLo(va, lo0, lo1);
  return wPerm | (asid << 16);
}

/** TLBWI: writes entry `index` from EntryHi (va, asid), EntryLo0/1 and PageMask (`level`: 0 = 4K .. 6 = 16M). */
export function mipsTlbWriteIndexed(index: u32, va: u64, asid: u32, lo0: u64, lo1: u64, level: u32): i32 {
  if (level > (xlateMode == XMODE_MIPS_R4000 ? <u32>6 : <u32>0)) return -1;
  const meta = entryFrom(va, asid, lo0, lo1);
  bump(C_MIPS_TLB_WRITES, 1);
  if (tlbWriteAt(TLB_L1D, index, va, level, wPbase, meta, clock1, wPair) == 0) return -1;
  hostCacheClear();
  return 0;
}

/** TLBWR: writes the entry Random names. Returns its index. */
export function mipsTlbWriteRandom(va: u64, asid: u32, lo0: u64, lo1: u64, level: u32): i32 {
  if (level > (xlateMode == XMODE_MIPS_R4000 ? <u32>6 : <u32>0)) return -1;
  const meta = entryFrom(va, asid, lo0, lo1);
  const e = tlbWriteRandom(va, level, wPbase, meta, wPair);
  hostCacheClear();
  return <i32>((e - tlbBase(TLB_L1D)) / TLBE_SIZE);
}

/**
 * Charges a kernel TLB operation (TLBP plus `writes` TLBWIs, K_COST_FLUSH each); an invalidation is also counted
 * as a flush.
 */
function kernelTlbOp(writes: u32, invalidation: bool): void {
  if (invalidation) bump(C_FLUSHES, 1);
  chargeXlate(cfg(K_COST_FLUSH) * <u64>(writes > 0 ? writes : 1));
}

/**
 * Linux local_flush_tlb_page: TLBP for (va, asid); if found, TLBWI of an entry that matches nothing there. Returns
 * whether an entry was invalidated.
 */
export function mipsFlushPage(va: u64, asid: u32): bool {
  const i = mipsTlbProbe(va, asid);
  kernelTlbOp(1, true);
  if (i < 0) return false;
  bump(C_MIPS_TLB_WRITES, 1);
  tlbInvalidateEntry(TLB_L1D, tlbBase(TLB_L1D) + <usize>i * TLBE_SIZE);
  hostCacheClear();
  return true;
}

/** Linux local_flush_tlb_all: every entry from Wired up is rewritten invalid; wired entries stay. */
export function mipsFlushAll(): void {
  const n = tlbEntries(TLB_L1D);
  const wired = <u32>cfg(K_POLICY_PARAM + TLB_L1D);
  kernelTlbOp(n - wired, true);
  bump(C_MIPS_TLB_WRITES, n - wired);
  for (let i = wired; i < n; i++) tlbInvalidateEntry(TLB_L1D, tlbBase(TLB_L1D) + <usize>i * TLBE_SIZE);
  hostCacheClear();
}

/**
 * Linux __update_tlb (update_mmu_cache after a fault): TLBP for (va, asid); TLBWI over the entry found, else
 * TLBWR, with the new EntryLo0/1 (4K pages). Returns the index written.
 */
export function mipsUpdateTlb(va: u64, asid: u32, lo0: u64, lo1: u64): i32 {
  const i = mipsTlbProbe(va, asid);
  kernelTlbOp(1, false);
  if (i >= 0) return mipsTlbWriteIndexed(<u32>i, va, asid, lo0, lo1, 0) == 0 ? i : -1;
  return mipsTlbWriteRandom(va, asid, lo0, lo1, 0);
}

/** Walker contract, walk: a store to a valid clean entry is the TLB modified exception; otherwise a refill. */
function mipsOpWalk(va: u64, acc: u32): bool {
  wAdWrites = 0;
  if (va >= userTop()) { wRefs = 0; wAccessFault = false; return false; }   // address error (AdEL/AdES)
  const e = acc == ACC_STORE ? tlbFind(TLB_L1D, va, xlateTag) : 0;
  if (e != 0 && (entryMeta(e, va) & PERM_D) == 0) {
    const ok = modified(va);
    if (ok) { wPbase = entryPbase(e, va); wPerm = entryMeta(e, va) | PERM_D; wLevel = 0; wPair = 0; }
    return ok;
  }
  const ok = refill(va);
  if (ok) wLevel = 0;
  return ok;
}

/** Walker contract, onWalkFault: nothing beyond the cause (the kernel's fault path runs in TypeScript). */
function mipsOnWalkFault(va: u64, acc: u32): void {}

/** Walker contract, onPermissionFault: a matching entry with V = 0 is the TLB invalid exception. */
function mipsOnPermissionFault(va: u64, acc: u32): void { invalidException(va); }

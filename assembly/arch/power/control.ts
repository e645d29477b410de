// The power machine's control code: the POWER (Book III-S, 64-bit hash MMU) control operations a kernel uses, and the
// walker (walker.ts) behind the contract in mmu/mmu.ts: SDR1 (HTAB origin and size), the SLB with Linux's software
// SLB-miss handling, slbia on a context switch, tlbie. Power ISA v2.07 Book III-S §5.7.6 (segments, SLB), §5.7.7
// (HTAB), §5.9.3 (slbia, tlbie); Linux arch/powerpc/mm/book3s64/slb.c and include/asm/book3s/64/mmu-hash.h for what the
// OS does.
//
// How the modelled TLB hierarchy maps onto the core: L1 I/D are the I-ERAT and D-ERAT (effective-address tagged,
// emptied by slbia), L2 is the TLB (tagged by virtual address: here by effective page and context id, which name
// the same VA because Linux derives the VSID from the two; it survives context switches).
//
// The SLB is consulted on every ERAT (L1) miss, before the TLB (mmu/mmu.ts useSegments), and again by the walk.
// An SLB miss is a segment interrupt (0x380 data, 0x480 instruction) whose Linux handler (do_slb_fault →
// slb_allocate_user) computes the VSID from the context id and ESID (get_vsid: vsid_scramble of the proto-VSID)
// and writes an SLB entry with slbmte, in the first unused slot, else round-robin from SLB_NUM_BOLTED
// (alloc_slb_index). It runs here as a model of that handler: counted (C_SLB_MISS) and charged K_SLB_MISS_COST.
// An address beyond the user range (Linux's 4 KiB-page hash MMU: 2^46 = 64 TiB) has no VSID: a segment fault the
// kernel turns into SIGSEGV.

import {
  SLB_BASE, SLB_MAX, TLB_L1I, TLB_L1D, XMODE_POWER_HASH,
  C_HTAB_PRIMARY, C_HTAB_SECONDARY, C_HTAB_MISS, C_SLB_MISS, C_TLBIE, C_SLBIA, C_FLUSHES,
  K_SLB_ENTRIES, K_SLB_MISS_COST, K_COST_FLUSH,
} from "../../layout";
import { FL_BY_VA, FL_BY_ASID, tlbFlushWhere } from "../../tlb/tlb";
import { htabSearch, hwGroup, hwDsisr } from "./walker";
import {
  DSISR_PROTFAULT, DSISR_ISSTORE, POWER_VEC_DSI, POWER_VEC_DSEG, POWER_VEC_ISI, POWER_VEC_ISEG, SLB_ESID_V,
  SLB_VSID_SHIFT, SLB_VSID_KP, SLB_VSID_N, SLB_NUM_BOLTED, POWER_SID_SHIFT, POWER_VSID_MULTIPLIER_256M,
  POWER_VSID_BITS_256M, POWER_ESID_BITS, POWER_USER_EA_LIMIT, HTAB_MIN_SHIFT,
} from "./format";
import {
  setTranslation, useWalker, useSegments, invalidate, hostCacheClear, xlateTag, rootPa, ramSize, trapVector, trapError,
} from "../../mmu/mmu";
import { wLevel, wRefs, wAdWrites, wAccessFault, ACC_FETCH, ACC_STORE } from "../../mmu/walk_result";
import { bump, cfg } from "../../cost/counters";
import { chargeXlate } from "../../cost/charge";
import { walkTracing, wtRecord, WT_SLB, WF_NONE } from "../../mmu/walk_trace";

// SLB entries in the state region (layout.ts SLB_BASE): +0 the ESID word, +8 the VSID word.
const SLB_ESID_ENTRY: u32 = 0;
const SLB_VSID_ENTRY: u32 = 8;
const SLBE_SIZE: u32 = 16;

let hashMask: u64 = 0;      // PTEG index mask from SDR1.HTABSIZE
let slbSize: u32 = 32;
let stabRr: u32 = SLB_NUM_BOLTED - 1;   // Linux paca->stab_rr
let segFault: bool = false; // the last walk failed for want of a segment

@inline function slbEntry(i: u32): usize { return SLB_BASE + <usize>(i * SLBE_SIZE); }

/** Linux vsid_scramble: a multiplicative hash of the proto-VSID modulo 2^VSID_BITS − 1. */
export function vsidScramble(protovsid: u64): u64 {
  const modulus: u64 = (<u64>1 << POWER_VSID_BITS_256M) - 1;
  let vsid = protovsid * POWER_VSID_MULTIPLIER_256M;
  vsid = (vsid >> POWER_VSID_BITS_256M) + (vsid & modulus);
  return (vsid + ((vsid + 1) >> POWER_VSID_BITS_256M)) & modulus;
}

/** Linux get_vsid(context, ea, MMU_SEGSIZE_256M) for a user address. */
export function powerVsid(context: u32, ea: u64): u64 {
  return vsidScramble((<u64>context << POWER_ESID_BITS) | ((ea >> POWER_SID_SHIFT) & ((<u64>1 << POWER_ESID_BITS) - 1)));
}

/**
 * Writes SDR1: HTABORG (bits 63:18, aligned to the table size) and HTABSIZE (bits 4:0, table = 2^(18+HTABSIZE)
 * bytes, at most 28). Returns 0, or −1 for a size the architecture rejects or an origin not aligned to it.
 */
export function powerSetSdr1(v: u64): i32 {
  const size = <u32>(v & 0x1F);
  if (size > 28) return -1;
  const org = v & ~((<u64>1 << HTAB_MIN_SHIFT) - 1);
  if ((org & ((<u64>1 << (<u64>HTAB_MIN_SHIFT + size)) - 1)) != 0) return -1;
  hashMask = (<u64>1 << (11 + size)) - 1;
  const n = cfg(K_SLB_ENTRIES);
  slbSize = n == 0 ? 32 : <u32>min(max(n, <u64>SLB_NUM_BOLTED + 1), <u64>SLB_MAX);
  useWalker(powerOpWalk, powerOnWalkFault, powerOnPermissionFault);
  useSegments(powerOpSegment);
  setTranslation(XMODE_POWER_HASH, org, xlateTag);
  return 0;
}

/**
 * slbia: invalidates every SLB entry but the bolted ones, and every ERAT entry (Book III-S §5.9.3.2). Counted and
 * charged as one flush. The TLB (L2) is tagged by virtual address and keeps its entries.
 */
export function powerSlbia(): void {
  bump(C_SLBIA, 1);
  bump(C_FLUSHES, 1);
  chargeXlate(cfg(K_COST_FLUSH));
  for (let i: u32 = SLB_NUM_BOLTED; i < SLB_MAX; i++) store<u64>(slbEntry(i) + SLB_ESID_ENTRY, 0);
  tlbFlushWhere(TLB_L1I, 0, 0, 0);
  tlbFlushWhere(TLB_L1D, 0, 0, 0);
  hostCacheClear();
}

/**
 * The kernel's switch_slb for a new address space: the context id becomes the translation tag (the VSIDs that the
 * SLB-miss handler will compute), then slbia. The HTAB stays (one per machine).
 */
export function powerSwitchContext(context: u32): void {
  useWalker(powerOpWalk, powerOnWalkFault, powerOnPermissionFault);
  useSegments(powerOpSegment);
  setTranslation(XMODE_POWER_HASH, rootPa, context);
  powerSlbia();
}

/**
 * tlbie for the 4 KiB page of ea in address space `context` (the VA the two name): removes it from the TLB and the
 * ERATs, whichever context is current. Counted (C_TLBIE, and as a flush) and charged K_COST_FLUSH.
 */
export function powerTlbie(ea: u64, context: u32): void {
  bump(C_TLBIE, 1);
  invalidate(ea, context, FL_BY_VA | FL_BY_ASID);
}

/** The SLB entry for ea's segment (its index), or −1. */
function slbFind(esidWord: u64): i32 {
  for (let i: u32 = 0; i < slbSize; i++) if (load<u64>(slbEntry(i) + SLB_ESID_ENTRY) == esidWord) return <i32>i;
  return -1;
}

/** Linux alloc_slb_index for a user entry: the first free slot, else round-robin from SLB_NUM_BOLTED. */
function slbAllocIndex(): u32 {
  for (let i: u32 = SLB_NUM_BOLTED; i < slbSize; i++) {
    if ((load<u64>(slbEntry(i) + SLB_ESID_ENTRY) & SLB_ESID_V) == 0) return i;
  }
  stabRr = stabRr < slbSize - 1 ? stabRr + 1 : SLB_NUM_BOLTED;
  return stabRr;
}

/** The SLB-miss handler (model of Linux do_slb_fault for a user address). Returns the new entry's index or −1. */
function slbMiss(ea: u64): i32 {
  if (ea >= POWER_USER_EA_LIMIT) return -1;
  bump(C_SLB_MISS, 1);
  chargeXlate(cfg(K_SLB_MISS_COST));
  const i = slbAllocIndex();
  store<u64>(slbEntry(i) + SLB_VSID_ENTRY, (powerVsid(xlateTag, ea) << SLB_VSID_SHIFT) | SLB_VSID_KP);
  store<u64>(slbEntry(i) + SLB_ESID_ENTRY, ((ea >> POWER_SID_SHIFT) << POWER_SID_SHIFT) | SLB_ESID_V);
  return <i32>i;
}

/** The SLB entry for va's segment, loading it on a miss (the handler); −1 for a segment fault. */
function slbLookup(va: u64): i32 {
  segFault = false;
  let i = slbFind(((va >> POWER_SID_SHIFT) << POWER_SID_SHIFT) | SLB_ESID_V);
  const missed = i < 0;
  if (i < 0) i = slbMiss(va);
  if (i < 0) segFault = true;
  if (walkTracing) {
    if (i < 0) wtRecord(WT_SLB, WF_NONE, 0, 2, va, 0);
    else wtRecord(WT_SLB, WF_NONE, <u32>i, missed ? 1 : 0, load<u64>(slbEntry(<u32>i) + SLB_ESID_ENTRY),
      load<u64>(slbEntry(<u32>i) + SLB_VSID_ENTRY));
  }
  return i;
}

/** Walker contract, segment lookup on every ERAT miss: the TLB is tagged by VA, which needs the SLB's VSID. */
function powerOpSegment(va: u64, acc: u32): bool { return slbLookup(va) >= 0; }

/** Walker contract, walk: the segment's VSID (the SLB, again with the miss handler), then the HTAB search. */
function powerOpWalk(va: u64, acc: u32): bool {
  wRefs = 0; wAdWrites = 0; wAccessFault = false;
  const i = slbLookup(va);
  if (i < 0) return false;
  const vsidWord = load<u64>(slbEntry(<u32>i) + SLB_VSID_ENTRY);
  const ok = htabSearch(rootPa, hashMask, vsidWord >> SLB_VSID_SHIFT, va, acc, (vsidWord & SLB_VSID_N) != 0, ramSize);
  if (hwGroup == 1) bump(C_HTAB_PRIMARY, 1);
  else if (hwGroup == 2) bump(C_HTAB_SECONDARY, 1);
  else if (!wAccessFault) bump(C_HTAB_MISS, 1);
  wLevel = 0;
  return ok;
}

/** Walker contract, onWalkFault: DSI / ISI with the search's status bits, or a segment interrupt. */
function powerOnWalkFault(va: u64, acc: u32): void {
  if (segFault) { trapVector = acc == ACC_FETCH ? POWER_VEC_ISEG : POWER_VEC_DSEG; trapError = 0; return; }
  trapVector = acc == ACC_FETCH ? POWER_VEC_ISI : POWER_VEC_DSI;
  trapError = hwDsisr;
}

/** Walker contract, onPermissionFault: a protection DSI / ISI on a cached translation. */
function powerOnPermissionFault(va: u64, acc: u32): void {
  trapVector = acc == ACC_FETCH ? POWER_VEC_ISI : POWER_VEC_DSI;
  trapError = DSISR_PROTFAULT | (acc == ACC_STORE ? DSISR_ISSTORE : 0);
}

/** For tests and the kernel: the SLB entry's words (which 0 = ESID, 1 = VSID). */
export function powerSlbWord(i: u32, which: u32): u64 { return i < SLB_MAX ? load<u64>(slbEntry(i) + (which == 0 ? 0 : 8)) : 0; }

// The MMU: translation of every fetch, load and store through the modelled TLB hierarchy and the walker.
//   L1 I-TLB / L1 D-TLB → unified L2 TLB → hardware walker (radix Sv39/Sv48, x86-64 4/5-level) → page fault to
//   the kernel. The translation mode (satpMode) selects the walker in walk(), the one place that does.
// The fast paths (access.ts) use a host speed cache that is always a subset of the modelled L1 D-TLB and stamps
// the modelled entry on every hit, so the model's hit/miss counts and LRU state are exact (STYLE.md point 1).
// Everything here is the cold slow path.

import {
  RAM_BASE, COUNTERS, CONFIG, HOSTCACHE_BASE, HC_SLOTS, HC_SIZE, POISON_PAGE, TLB_L1I, TLB_L1D, TLB_L2, TLB_COUNT,
  PERM_R, PERM_W, PERM_X, PERM_U, PERM_D,
  C_ITLB_MISS, C_DTLB_MISS, C_L2_MISS, C_WALKS, C_WALK_REFS, C_WALK_FAULTS, C_AD_UPDATES, C_XLATE_CYCLES,
  C_XCYCLES, C_FLUSHES, C_FETCH_SLOW, C_DATA_SLOW,
  K_COST_L2_HIT, K_COST_WALK_REF, K_COST_WALK_BASE, K_COST_FLUSH, K_AD_MODE,
  CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT,
  CAUSE_FETCH_ACCESS, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS, XMODE_X86_4L, XMODE_X86_5L,
} from "../layout";
import {
  tlbFind, tlbInsert, tlbTick, tlbTouch, tlbFlushWhere, tlbWays, evictedEntry, evictedTag, tlbResetAll,
  FL_BY_VA, FL_BY_ASID, FL_GLOBAL_ANY, FL_KEEP_GLOBAL,
} from "../tlb/tlb";
import { policyReset, policyNeeds, HITS_FIRST, HITS_COUNT } from "../tlb/policy";
import { radixWalk, walkPbase, walkLevel, walkPerm, walkRefs, walkAdWrites, walkAccessFault, ACC_FETCH, ACC_LOAD, ACC_STORE } from "../walk/radix";
import {
  x86Walk, xwPbase, xwLevel, xwPerm, xwRefs, xwAdWrites, xwAccessFault, xwVector, xwError, pscReset, pscFlush,
  PF_P, PF_W, PF_U, PF_I, VEC_PF,
} from "../walk/x86_64";

export { ACC_FETCH, ACC_LOAD, ACC_STORE };

// Translation state, as satp holds it (satp.MODE 0 = Bare, 8 = Sv39, 9 = Sv48), or CR3 and CR4.LA57 on x86-64
// (XMODE_X86_4L / 5L, satpAsid = the current PCID, 0 while CR4.PCIDE = 0).
export let satpMode: u32 = 0;
export let satpAsid: u32 = 0;
export let rootPa: u64 = 0;
export let ramSize: u64 = 0;
export function setRamSize(v: u64): void { ramSize = v; }

// Pending trap from a memory access (read by the CPU loop when a slow path returns failure).
export let trapCause: u32 = 0;
export let trapValue: u64 = 0;
// The modelled machine's own view of a translation fault (x86-64: vector 14 with its #PF error code, or 13 for a
// non-canonical address); 0 on machines whose walker reports only the RISC-V cause.
export let trapVector: u32 = 0;
export let trapError: u32 = 0;

// Current fetch page, for the fetch fast path: host address = pc + fetchAddend while (pc − fetchPage) < 0xFFE.
// When no code page is valid the window is FETCH_POISON_VA's page, mapped onto POISON_PAGE: that address is
// non-canonical (and beyond any RAM), so no real fetch can succeed there, and its zeros decode as an illegal
// parcel whose cold path redoes the fetch properly (cpu.ts). This keeps the fast path to one compare.
export const FETCH_POISON_VA: u64 = 0x8000_0000_0000_0000;
export let fetchPage: u64 = FETCH_POISON_VA;
export let fetchAddend: u64 = <u64>POISON_PAGE - FETCH_POISON_VA;
// Host address of the page translateFetch translated last (valid even when the fast path is disabled).
export let fetchHostAddend: u64 = 0;

@inline function fetchInvalidate(): void {
  fetchPage = FETCH_POISON_VA;
  fetchAddend = <u64>POISON_PAGE - FETCH_POISON_VA;
}

export const INVALID_TAG: u64 = 0xFFF; // never equals a masked virtual address (bits 3..11 are always clear there)

// A scratch entry the host cache points at when translation is off, so the fast path's stamp store is harmless.
const SCRATCH_ENTRY: usize = HOSTCACHE_BASE + HC_SLOTS * HC_SIZE;

@inline function ctr(i: u32): usize { return COUNTERS + (i << 3); }
@inline function bump(i: u32, by: u64): void { store<u64>(ctr(i), load<u64>(ctr(i)) + by); }
@inline function cfg(i: u32): u64 { return load<u64>(CONFIG + (i << 3)); }

function charge(cycles: u64): void {
  bump(C_XLATE_CYCLES, cycles);
  bump(C_XCYCLES, cycles);
}

export function mmuReset(): void {
  tlbResetAll();
  pscReset();
  policyReset();
  hostCacheClear();
  fetchInvalidate();
}

/** Empties the host speed caches (data slots and the current fetch page); the model is untouched. */
export function hostCacheClear(): void {
  fetchInvalidate();
  let s = HOSTCACHE_BASE;
  for (let i: u32 = 0; i < HC_SLOTS; i++, s += HC_SIZE) {
    store<u64>(s, INVALID_TAG);
    store<u64>(s, INVALID_TAG, 8);
    store<u32>(s, <u32>SCRATCH_ENTRY, 24);
  }
}

/** Drops every host-cache slot that points at modelled entry e (after e is evicted from the L1 D-TLB). */
function hostCacheDrop(e: usize, tag: u64): void {
  const level = (<u32>tag >> 1) & 7;
  if (level == 0) {
    const s = HOSTCACHE_BASE + ((<u32>(tag >> 12) & (HC_SLOTS - 1)) * HC_SIZE);
    if (load<u32>(s, 24) == <u32>e) { store<u64>(s, INVALID_TAG); store<u64>(s, INVALID_TAG, 8); }
    return;
  }
  let s = HOSTCACHE_BASE;
  for (let i: u32 = 0; i < HC_SLOTS; i++, s += HC_SIZE) {
    if (load<u32>(s, 24) == <u32>e) { store<u64>(s, INVALID_TAG); store<u64>(s, INVALID_TAG, 8); }
  }
}

export function setSatp(v: u64): void {
  const mode = <u32>(v >> 60);
  // Writing an unsupported MODE makes the whole satp write have no effect (privileged spec, satp, RV64).
  if (mode != 0 && mode != 8 && mode != 9) return;
  satpMode = mode;
  satpAsid = <u32>(v >> 44) & 0xFFFF;
  rootPa = (v & 0xFFF_FFFF_FFFF) << 12;
  // Writing satp flushes nothing in the modelled TLB (the kernel issues sfence.vma as needed); the host speed
  // caches are not tagged by ASID, so they are simply emptied.
  hostCacheClear();
  fetchInvalidate();
}

/** Sets the translation mode, root table and address-space tag (x86-64 CR3 writes); empties the host caches. */
export function setTranslation(mode: u32, root: u64, asid: u32): void {
  satpMode = mode;
  rootPa = root;
  satpAsid = asid;
  hostCacheClear();
}

/**
 * One invalidation instruction the kernel executed (sfence.vma, INVLPG, INVPCID, a flushing MOV to CR3): counted
 * and charged as one flush; removes the TLB entries the FL_* selector picks (tlb.ts tlbFlushWhere).
 */
export function invalidate(va: u64, asid: u32, sel: u32): void {
  bump(C_FLUSHES, 1);
  charge(cfg(K_COST_FLUSH));
  for (let t: u32 = 0; t < TLB_COUNT; t++) tlbFlushWhere(t, va, asid, sel);
  hostCacheClear();
}

/** sfence.vma: the kernel's invalidation request, with the privileged spec's rs1/rs2 semantics. */
export function sfenceVma(va: u64, asid: u32, byVa: bool, byAsid: bool): void {
  invalidate(va, asid, (byVa ? FL_BY_VA : 0) | (byAsid ? FL_BY_ASID | FL_KEEP_GLOBAL : 0));
}

// Result of translateModel: the modelled entry and the page it maps.
let xEntry: usize = 0;
let xPbase: u64 = 0;
let xShift: u32 = 12;
let xMeta: u32 = 0;
let xL1Hit: bool = false;  // the L1 lookup hit (false after a fill)

export function setTrap(cause: u32, va: u64): void { trapCause = cause; trapValue = va; }

function fault(acc: u32, va: u64, accessFault: bool): void {
  trapValue = va;
  trapVector = 0;
  trapError = 0;
  if (accessFault) trapCause = acc == ACC_FETCH ? CAUSE_FETCH_ACCESS : acc == ACC_LOAD ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS;
  else trapCause = acc == ACC_FETCH ? CAUSE_FETCH_PAGE_FAULT : acc == ACC_LOAD ? CAUSE_LOAD_PAGE_FAULT : CAUSE_STORE_PAGE_FAULT;
}

@inline function isX86(): bool { return satpMode >= XMODE_X86_4L; }

/**
 * x86-64: a page fault invalidates the TLB and paging-structure-cache entries that would translate va (SDM
 * §4.10.4.1), so the retried access walks memory again; records the vector and error code for the host.
 */
function x86Fault(va: u64, vector: u32, error: u32): void {
  trapVector = vector;
  trapError = error;
  if (vector != VEC_PF) return;
  for (let t: u32 = 0; t < TLB_COUNT; t++) tlbFlushWhere(t, va, satpAsid, FL_BY_VA | FL_BY_ASID | FL_GLOBAL_ANY);
  pscFlush(satpAsid, false, va, true);
  hostCacheClear();
}

// Result of the last successful walk, whichever walker made it.
let wPbase: u64 = 0;
let wLevel: u32 = 0;
let wPerm: u32 = 0;

/** Runs the walker of the current translation mode for va, charging its references; on success sets wPbase/wLevel/wPerm. */
function walk(va: u64, acc: u32): bool {
  bump(C_WALKS, 1);
  let ok: bool, refs: u32, adWrites: u32, accessFault: bool;
  if (isX86()) {
    ok = x86Walk(rootPa, satpMode == XMODE_X86_5L ? 5 : 4, va, acc, satpAsid, ramSize);
    refs = xwRefs; adWrites = xwAdWrites; accessFault = xwAccessFault;
    wPbase = xwPbase; wLevel = xwLevel; wPerm = xwPerm;
  } else {
    ok = radixWalk(rootPa, satpMode == 9 ? 4 : 3, va, acc, ramSize, cfg(K_AD_MODE) == 0);
    refs = walkRefs; adWrites = walkAdWrites; accessFault = walkAccessFault;
    wPbase = walkPbase; wLevel = walkLevel; wPerm = walkPerm;
  }
  bump(C_WALK_REFS, refs);
  bump(C_AD_UPDATES, adWrites);
  charge(cfg(K_COST_WALK_BASE) + <u64>refs * cfg(K_COST_WALK_REF));
  if (!ok) {
    bump(C_WALK_FAULTS, 1);
    fault(acc, va, accessFault);
    if (isX86() && !accessFault) x86Fault(va, xwVector, xwError);
  }
  return ok;
}

@inline function permits(meta: u32, acc: u32): bool {
  if ((meta & PERM_U) == 0) return false;
  if (acc == ACC_FETCH) return (meta & PERM_X) != 0;
  if (acc == ACC_LOAD) return (meta & PERM_R) != 0;
  return (meta & PERM_W) != 0;
}

/**
 * Looks va up in L1 TLB l1 (already ticked at time now), then the L2, then walks; fills what missed.
 * On success sets xEntry/xPbase/xShift/xMeta; on failure sets the trap and returns false.
 */
function translateModel(l1: u32, va: u64, acc: u32, now: u64): bool {
  if (satpMode == 0) {
    if (va >= ramSize) { fault(acc, va, true); return false; }
    xEntry = SCRATCH_ENTRY; xPbase = va & ~(<u64>0xFFF); xShift = 12; xMeta = 0xFF;
    return true;
  }
  let e = tlbFind(l1, va, satpAsid);
  xL1Hit = e != 0;
  if (e != 0) {
    tlbTouch(l1, e, now);
  } else {
    bump(l1 == TLB_L1I ? C_ITLB_MISS : C_DTLB_MISS, 1);
    let level: u32, pbase: u64, meta: u32;
    // A machine without an L2 TLB goes straight from the L1 miss to the walker: no L2 access is counted.
    const hasL2 = tlbWays(TLB_L2) != 0;
    const now2 = hasL2 ? tlbTick(TLB_L2) : 0;
    const e2 = hasL2 ? tlbFind(TLB_L2, va, satpAsid) : 0;
    if (e2 != 0) {
      tlbTouch(TLB_L2, e2, now2);
      charge(cfg(K_COST_L2_HIT));
      level = (<u32>load<u64>(e2) >> 1) & 7; pbase = load<u64>(e2, 8); meta = load<u32>(e2, 24);
    } else {
      if (hasL2) bump(C_L2_MISS, 1);
      if (!walk(va, acc)) return false;
      level = wLevel; pbase = wPbase; meta = wPerm | (satpAsid << 16);
      tlbInsert(TLB_L2, va, level, pbase, meta, now2);
    }
    e = tlbInsert(l1, va, level, pbase, meta, now);
    if (evictedEntry != 0 && l1 == TLB_L1D) hostCacheDrop(evictedEntry, evictedTag);
    if (e == 0) { // this machine has no L1 of that kind: use the scratch entry
      xEntry = SCRATCH_ENTRY; xPbase = pbase; xShift = 12 + 9 * level; xMeta = meta;
      return checkAccess(va, acc);
    }
  }
  xEntry = e;
  xShift = 12 + 9 * ((<u32>load<u64>(e) >> 1) & 7);
  xPbase = load<u64>(e, 8);
  xMeta = load<u32>(e, 24);
  return checkAccess(va, acc);
}

/** Permission check on a cached translation; a store to a clean page re-walks so the walker sets D. */
function checkAccess(va: u64, acc: u32): bool {
  if (!permits(xMeta, acc)) {
    fault(acc, va, false);
    if (isX86()) x86Fault(va, VEC_PF, PF_P | PF_U | (acc == ACC_STORE ? PF_W : 0) | (acc == ACC_FETCH ? PF_I : 0));
    return false;
  }
  if (acc == ACC_STORE && (xMeta & PERM_D) == 0) {
    if (!walk(va, acc)) return false;
    xMeta |= PERM_D;
    if (xEntry != SCRATCH_ENTRY) store<u32>(xEntry, xMeta, 24);
    const e2 = tlbFind(TLB_L2, va, satpAsid);
    if (e2 != 0) store<u32>(e2, load<u32>(e2, 24) | PERM_D, 24);
  }
  return true;
}

/** Physical address of va within the last translation. */
@inline function xPa(va: u64): u64 { return xPbase + (va & ((<u64>1 << xShift) - 1)); }

/**
 * Slow data translation of one access of `size` bytes that does not cross a page: one D-TLB lookup. Fills the
 * host cache slot for the 4 KiB page. Returns the host address, or 0 with a pending trap.
 */
export function translateData(va: u64, acc: u32): usize {
  bump(C_DATA_SLOW, 1);
  const now = tlbTick(TLB_L1D);
  if (!translateModel(TLB_L1D, va, acc, now)) return 0;
  const pa = xPa(va);
  if (pa >= ramSize) { fault(acc, va, true); return 0; }
  // Without a modelled L1 D-TLB every access must reach the L2 model, so nothing may be cached on the host; the
  // same holds when the D-TLB's policy counts every hit (LFU).
  if (satpMode != 0 && (xEntry == SCRATCH_ENTRY || policyNeeds(TLB_L1D) == HITS_COUNT)) return RAM_BASE + <usize>pa;
  const page = va & ~(<u64>0xFFF);
  const s = HOSTCACHE_BASE + ((<u32>(va >> 12) & (HC_SLOTS - 1)) * HC_SIZE);
  store<u64>(s, (xMeta & (PERM_R | PERM_U)) == (PERM_R | PERM_U) ? page : INVALID_TAG);
  store<u64>(s, (xMeta & (PERM_W | PERM_D | PERM_U)) == (PERM_W | PERM_D | PERM_U) ? page : INVALID_TAG, 8);
  store<u64>(s, <u64>RAM_BASE + (pa & ~(<u64>0xFFF)) - page, 16);
  store<u32>(s, <u32>xEntry, 24);
  return RAM_BASE + <usize>pa;
}

/**
 * Slow fetch translation: one I-TLB lookup for the page of pc. Sets fetchPage/fetchAddend.
 * Returns false with a pending trap.
 */
export function translateFetch(va: u64): bool {
  bump(C_FETCH_SLOW, 1);
  const now = tlbTick(TLB_L1I);
  if (!translateModel(TLB_L1I, va, ACC_FETCH, now)) { fetchInvalidate(); return false; }
  const pa = xPa(va);
  if (pa + 2 > ramSize) { fault(ACC_FETCH, va, true); fetchInvalidate(); return false; }
  const page = va & ~(<u64>0xFFF);
  fetchHostAddend = <u64>RAM_BASE + (pa & ~(<u64>0xFFF)) - page;
  // The fetch fast path stands for I-TLB hits on this entry; without a modelled L1 I-TLB every fetch is slow, and
  // so is every fetch when the I-TLB's policy counts hits (LFU). A policy that needs to know whether an entry was
  // hit since its fill (RRIP, NRU) gets one slow fetch after each fill: if pc stays on the page, that fetch is a
  // modelled hit which stamps the entry; further hits cannot change its state until the set next changes, and
  // that only happens in a slow fetch.
  const needs = policyNeeds(TLB_L1I);
  if (satpMode != 0 && (xEntry == SCRATCH_ENTRY || needs == HITS_COUNT || (needs == HITS_FIRST && !xL1Hit))) {
    fetchInvalidate();
  }
  else { fetchPage = page; fetchAddend = fetchHostAddend; }
  return true;
}

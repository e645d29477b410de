// The MMU: translation of every fetch, load and store through the modelled TLB hierarchy and the walker.
//   L1 I-TLB / L1 D-TLB → unified L2 TLB → the machine's walker or refill model → page fault to the kernel. What
//   differs between machines on this path sits behind the walker contract below, whose operations the machine's
//   own control code (arch/<machine>/control.ts) selects when it sets the translation mode (e.g. arch/riscv
//   setSatp, arch/x86-64 x86WriteCr3); nothing here asks which machine it is.
// The fast paths (access.ts) use a host speed cache that is always a subset of the modelled L1 D-TLB and stamps
// the modelled entry on every hit, so the model's hit/miss counts and LRU state are exact (STYLE.md point 1).
// Everything here is the cold slow path.

import {
  RAM_BASE, HOSTCACHE_BASE, HC_SLOTS, HC_SIZE, POISON_PAGE, TLB_L1I, TLB_L1D, TLB_L2, TLB_COUNT,
  PERM_R, PERM_W, PERM_X, PERM_U, PERM_D, PERM_G,
  C_ITLB_MISS, C_DTLB_MISS, C_L2_MISS, C_WALKS, C_WALK_REFS, C_WALK_FAULTS, C_AD_UPDATES,
  C_FLUSHES, C_FETCH_SLOW, C_DATA_SLOW, C_XLATE_CYCLES,
  K_COST_L2_HIT, K_COST_FLUSH,
  CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT,
  CAUSE_FETCH_ACCESS, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS,
} from "../layout";
import {
  tlbFind, tlbInsert, tlbTick, tlbTouch, tlbFlushWhere, clock1, tlbWays, evictedEntry, evictedTag, tlbResetAll, tlbGeometry,
  tlbPageShift, tlbSpanShift, entryPbase, entryMeta, entrySetMeta, pairEntries, PAIR_ODD,
  tlbConfigure, tlbSetPageShift, pageShift, FL_BY_VA, FL_BY_ASID, FL_KEEP_GLOBAL,
  flushLogReset, flushLogCount, flushLogEntryAt, flushLogTagAt, FLUSH_LOG_MAX,
} from "../tlb/tlb";
import { policyReset, policyNeeds, HITS_FIRST, HITS_COUNT } from "../tlb/policy";
import {
  ACC_FETCH, ACC_LOAD, ACC_STORE, wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault, wPair,
} from "./walk_result";
import { recording, recordRef, REC_LOAD, REC_STORE } from "./record";
import { walkTracing, wtRecord, WT_BEGIN, WT_END, WT_PAIR } from "./walk_trace";
import { bump, cfg, counter } from "../cost/counters";
import { chargeXlate, chargeWalk } from "../cost/charge";

export { ACC_FETCH, ACC_LOAD, ACC_STORE };

// Translation state: the mode (layout.ts XMODE_*: RISC-V's satp.MODE 0 = Bare, 8 = Sv39, 9 = Sv48, x86-64's
// 4/5-level paging, MIPS, POWER, ...), the root of the current tables and the tag of the current address space
// (satp.ASID, x86-64's PCID — 0 while CR4.PCIDE = 0 —, the MIPS ASID, SPARC context, POWER context id, ...), as
// the machine's control code sets them (setTranslation).
export let xlateMode: u32 = 0;
export let xlateTag: u32 = 0;
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

// Current fetch page, for the fetch fast path: host address = pc + fetchAddend while (pc − fetchPage) < page size − 2.
// When no code page is valid the window is FETCH_POISON_VA's page, mapped onto POISON_PAGE: that address is
// non-canonical (and beyond any RAM), so no real fetch can succeed there, and its zeros decode as an illegal
// parcel whose cold path redoes the fetch properly (cpu.ts). This keeps the fast path to one compare.
export const FETCH_POISON_VA: u64 = 0x8000_0000_0000_0000;
export let fetchPage: u64 = FETCH_POISON_VA;
export let fetchAddend: u64 = <u64>POISON_PAGE - FETCH_POISON_VA;
// Host address of the page translateFetch translated last (valid even when the fast path is disabled).
export let fetchHostAddend: u64 = 0;

// The modelled TLB that fetches look up: the L1 I-TLB, or on a machine whose one TLB serves fetches and data alike
// (MIPS R3000 and R4000 JTLB) the L1 D-TLB. Fetch lookups are counted as I-TLB accesses and misses either way.
let fetchTlb: u32 = TLB_L1I;

/** Makes fetches look up the L1 D-TLB (a unified TLB) or the L1 I-TLB (the default); empties the host caches. */
export function useUnifiedTlb(unified: bool): void {
  fetchTlb = unified ? TLB_L1D : TLB_L1I;
  hostCacheClear();
}

// Set when an eviction from a unified TLB removed the entry of the current code page (hostCacheDrop); cleared
// whenever the code page changes.
let fetchEvicted: bool = false;

@inline function fetchInvalidate(): void {
  fetchEvicted = false;
  fetchPage = FETCH_POISON_VA;
  fetchAddend = <u64>POISON_PAGE - FETCH_POISON_VA;
}

export const INVALID_TAG: u64 = 0xFFF; // never equals a masked virtual address (bits 3..8 are always clear there)

// The host caches work in pages of 2^pageShift bytes (tlb.ts): the machine's smallest page, so that one host-cache
// slot or fetch window never spans two modelled entries. The fast paths take it as a compile-time parameter (the
// CPU loop is instantiated once per supported size, access.ts); the slow paths here read it at run time.
export { pageShift };
@inline function pageMask(): u64 { return (<u64>1 << pageShift) - 1; }
@inline function hostSlot(va: u64): usize {
  return HOSTCACHE_BASE + ((<u32>(va >> pageShift) & (HC_SLOTS - 1)) * HC_SIZE);
}

// A scratch entry the host cache points at when translation is off, so the fast path's stamp store is harmless.
const SCRATCH_ENTRY: usize = HOSTCACHE_BASE + HC_SLOTS * HC_SIZE;

/**
 * Empties the TLBs and the host caches and re-reads their geometry and seeds. The translation structures of single
 * machines (x86-64's paging-structure caches, the VAX TB's system half) are reset beside it (index.ts
 * resetTranslation), so nothing here names a machine.
 */
export function mmuReset(): void {
  tlbGeometry(12, 9, false);
  fetchTlb = TLB_L1I;
  tlbResetAll();
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

/**
 * Drops every host-cache slot that points at modelled entry e (after e is evicted from the L1 D-TLB), and notes
 * when fetches use that TLB and e covered the current code page (refetchCodePage).
 */
export function hostCacheDrop(e: usize, tag: u64): void {
  const span = tlbSpanShift((<u32>tag >> 1) & 7);
  if (fetchTlb == TLB_L1D && (fetchPage >> span) == (tag >> span)) fetchEvicted = true;
  dropSlots(e, tag);
}

/** Drops every host-cache slot that points at modelled entry e (whose tag was `tag`). */
function dropSlots(e: usize, tag: u64): void {
  const level = (<u32>tag >> 1) & 7;
  const span = tlbSpanShift(level);
  // An entry spanning up to 16 host-cache pages (2^pageShift bytes each) has at most that many slots.
  if (span - pageShift <= 4) {
    const pages: u32 = 1 << (span - pageShift);
    for (let i: u32 = 0; i < pages; i++) {
      const s = HOSTCACHE_BASE + (((<u32>(tag >> pageShift) + i) & (HC_SLOTS - 1)) * HC_SIZE);
      if (load<u32>(s, 24) == <u32>e) { store<u64>(s, INVALID_TAG); store<u64>(s, INVALID_TAG, 8); }
    }
    return;
  }
  let s = HOSTCACHE_BASE;
  for (let i: u32 = 0; i < HC_SLOTS; i++, s += HC_SIZE) {
    if (load<u32>(s, 24) == <u32>e) { store<u64>(s, INVALID_TAG); store<u64>(s, INVALID_TAG, 8); }
  }
}

/**
 * Sets the translation mode, root table and address-space tag (the machines' control code: satp writes, CR3
 * writes, context switches); empties the host caches. The caller has selected the mode's walker operations (useWalker).
 */
export function setTranslation(mode: u32, root: u64, asid: u32, shift: u32 = 12): void {
  if (shift != pageShift) {
    // Entries tagged under another page size would be misread: the new mode starts with empty TLBs.
    tlbSetPageShift(shift);
    for (let t: u32 = 0; t < TLB_COUNT; t++) tlbConfigure(t);
  }
  xlateMode = mode;
  rootPa = root;
  xlateTag = asid;
  hostCacheClear();
}

/**
 * One invalidation instruction the kernel executed (sfence.vma, INVLPG, INVPCID, a flushing MOV to CR3): counted
 * and charged as one flush; removes the TLB entries the FL_* selector picks (tlb.ts tlbFlushWhere).
 */
export function invalidate(va: u64, asid: u32, sel: u32): void {
  bump(C_FLUSHES, 1);
  chargeXlate(cfg(K_COST_FLUSH));
  flushLogReset();
  for (let t: u32 = 0; t < TLB_COUNT; t++) tlbFlushWhere(t, va, asid, sel);
  // A flush of one address drops only the host-cache slots of the L1 D-TLB entries it removed (every valid slot
  // points at a valid L1 D-TLB entry mapping its page); a broader one empties the host cache.
  if ((sel & FL_BY_VA) != 0 && xlateMode != 0 && flushLogCount <= FLUSH_LOG_MAX) {
    fetchInvalidate();
    for (let i: u32 = 0; i < flushLogCount; i++) dropSlots(flushLogEntryAt(i), flushLogTagAt(i));
  } else {
    hostCacheClear();
  }
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

// The walker contract: the machine-dependent part of this cold path, one set of operations per translation mode
// (arch/<machine>/control.ts), selected with useWalker when the mode is set.
//   walk(va, acc) → ok: runs the mode's walker for va (root, levels and tag from xlateMode/rootPa/xlateTag) and
//     reports in the one result record (walk_result.ts w*); on failure only wRefs, wAdWrites and wAccessFault count.
//   onWalkFault(va, acc): the machine's own effects of a walk that ended in a page fault, after fault() has
//     recorded the RISC-V cause (e.g. x86-64's vector, error code and invalidation of va).
//   onPermissionFault(va, acc): the same for a cached translation that does not permit acc.
export type WalkOp = (va: u64, acc: u32) => bool;
export type FaultOp = (va: u64, acc: u32) => void;

// Until a mode is set there is no walker (Bare translates before any TLB lookup, so these are never called).
function noWalk(va: u64, acc: u32): bool { wRefs = 0; wAdWrites = 0; wAccessFault = true; return false; }
function noFault(va: u64, acc: u32): void {}

let opWalk: WalkOp = noWalk;
let opWalkFault: FaultOp = noFault;
let opPermissionFault: FaultOp = noFault;

/** Selects the walker operations of the translation mode being set (the contract above). */
export function useWalker(walk: WalkOp, onWalkFault: FaultOp, onPermissionFault: FaultOp): void {
  opWalk = walk;
  opWalkFault = onWalkFault;
  opPermissionFault = onPermissionFault;
  hasSegments = false;
}

// Optional part of the contract, for machines that translate an effective address through a segment table before
// the L2 TLB (POWER's SLB: the TLB is tagged by virtual address, so every L1 miss needs the segment): called on
// each L1 miss, it returns false for a segment fault, whose effects onWalkFault records (no walk is counted).
let opSegment: WalkOp = noWalk;
let hasSegments = false;

/** Adds a segment lookup on every L1 miss to the walker operations just selected with useWalker. */
export function useSegments(segment: WalkOp): void {
  opSegment = segment;
  hasSegments = true;
}

/** Runs the walker of the current translation mode for va, charging its references; on success sets wPbase/wLevel/wPerm. */
function walk(va: u64, acc: u32): bool {
  bump(C_WALKS, 1);
  const tracing = walkTracing;
  const cycles0 = tracing ? counter(C_XLATE_CYCLES) : 0;
  if (tracing) wtRecord(WT_BEGIN, 0, acc, xlateTag, va, xlateMode);
  const ok = opWalk(va, acc);
  bump(C_WALK_REFS, wRefs);
  bump(C_AD_UPDATES, wAdWrites);
  chargeWalk(wRefs);
  if (!ok) {
    bump(C_WALK_FAULTS, 1);
    fault(acc, va, wAccessFault);
    if (!wAccessFault) opWalkFault(va, acc);
  }
  if (tracing) walkTraceEnd(ok, counter(C_XLATE_CYCLES) - cycles0);
  return ok;
}

/** The end record of a traced walk: the result the walker reported and the cycles the walk cost. */
function walkTraceEnd(ok: bool, cycles: u64): void {
  if (ok && wPair != 0) wtRecord(WT_PAIR, 0, 0, 0, wPair, 0);
  const aux: u32 = (ok ? 1 : 0) | (wAccessFault ? 2 : 0) | ((ok ? wLevel & 15 : 0) << 4);
  wtRecord(WT_END, 0, aux, (ok ? wPerm & 0xFF : 0) | (min(wRefs, 0xFFFFFF) << 8), ok ? wPbase : 0, cycles);
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
  if (xlateMode == 0) {
    if (va >= ramSize) { fault(acc, va, true); return false; }
    xEntry = SCRATCH_ENTRY; xPbase = va & ~pageMask(); xShift = pageShift; xMeta = 0xFF;
    return true;
  }
  let e = tlbFind(l1, va, xlateTag);
  xL1Hit = e != 0;
  if (e != 0) {
    tlbTouch(l1, e, now);
  } else {
    bump(acc == ACC_FETCH ? C_ITLB_MISS : C_DTLB_MISS, 1);
    if (hasSegments && !opSegment(va, acc)) { fault(acc, va, false); opWalkFault(va, acc); return false; }
    let level: u32, pbase: u64, meta: u32, pair: u64 = 0;
    // A machine without an L2 TLB goes straight from the L1 miss to the walker: no L2 access is counted.
    const hasL2 = tlbWays(TLB_L2) != 0;
    const now2 = hasL2 ? tlbTick(TLB_L2) : 0;
    const e2 = hasL2 ? tlbFind(TLB_L2, va, xlateTag) : 0;
    if (e2 != 0) {
      tlbTouch(TLB_L2, e2, now2);
      chargeXlate(cfg(K_COST_L2_HIT));
      level = (<u32>load<u64>(e2) >> 1) & 7; pbase = load<u64>(e2, 8); meta = load<u32>(e2, 24);
      if (pairEntries) pair = load<u64>(e2, PAIR_ODD);
    } else {
      if (hasL2) bump(C_L2_MISS, 1);
      if (!walk(va, acc)) return false;
      level = wLevel; pbase = wPbase; meta = wPerm | (xlateTag << 16); pair = wPair;
      tlbInsert(TLB_L2, va, level, pbase, meta, now2, pair);
    }
    e = tlbInsert(l1, va, level, pbase, meta, now, pair);
    if (evictedEntry != 0 && l1 == TLB_L1D) hostCacheDrop(evictedEntry, evictedTag);
    if (e == 0) { // this machine has no L1 of that kind: use the scratch entry
      xEntry = SCRATCH_ENTRY; xShift = tlbPageShift(level);
      const odd = pairEntries && ((va >> xShift) & 1) != 0;
      xPbase = odd ? pair & ~(<u64>0xFFF) : pbase;
      xMeta = odd ? (meta & ~(<u32>0xFF)) | (<u32>pair & 0xFF) | (meta & PERM_G) : meta;
      return checkAccess(va, acc);
    }
  }
  xEntry = e;
  xShift = tlbPageShift((<u32>load<u64>(e) >> 1) & 7);
  xPbase = entryPbase(e, va);
  xMeta = entryMeta(e, va);
  return checkAccess(va, acc);
}

/** Permission check on a cached translation; a store to a clean page re-walks so the walker sets D. */
function checkAccess(va: u64, acc: u32): bool {
  if (!permits(xMeta, acc)) {
    fault(acc, va, false);
    opPermissionFault(va, acc);
    return false;
  }
  if (acc == ACC_STORE && (xMeta & PERM_D) == 0) {
    if (!walk(va, acc)) return false;
    xMeta |= PERM_D;
    if (xEntry != SCRATCH_ENTRY) entrySetMeta(xEntry, va, xMeta);
    const e2 = tlbFind(TLB_L2, va, xlateTag);
    if (e2 != 0) entrySetMeta(e2, va, entryMeta(e2, va) | PERM_D);
  }
  return true;
}

/** Physical address of va within the last translation. */
@inline function xPa(va: u64): u64 { return xPbase + (va & ((<u64>1 << xShift) - 1)); }

/**
 * Slow data translation of one access of `size` bytes that does not cross a page (or one part of an access that
 * does): one D-TLB lookup. Fills the host cache slot for the page (2^pageShift bytes; records the access instead
 * while recording). Returns the host address, or 0 with a pending trap.
 */
export function translateData(va: u64, acc: u32, size: u32): usize {
  const h = translateDataModel(va, acc, size);
  if (fetchEvicted) refetchCodePage(h != 0);
  return h;
}

/**
 * A data access on a unified TLB evicted the entry of the current code page. The fetch fast path, whose page the
 * CPU loop keeps in locals for the rest of the run, stands for hits on that entry; so the miss and refill the next
 * fetch takes on the hardware are taken now, on the same clock (nothing else touches the TLB in between). The
 * fetch itself is still counted once, as a fast fetch. After a failed access the run ends instead, and the next
 * run's first fetch takes the slow path.
 */
function refetchCodePage(accessOk: bool): void {
  fetchEvicted = false;
  if (!accessOk) { fetchInvalidate(); return; }
  const va = fetchPage;
  if (tlbFind(fetchTlb, va, xlateTag) != 0) return;
  bump(C_ITLB_MISS, 1);
  // The access succeeded: a refill that fails here must not leave a trap pending.
  const cause = trapCause, value = trapValue, vector = trapVector, error = trapError;
  const ok = walk(va, ACC_FETCH);
  trapCause = cause; trapValue = value; trapVector = vector; trapError = error;
  if (!ok) { fetchEvicted = false; fetchInvalidate(); return; }
  tlbInsert(fetchTlb, va, wLevel, wPbase, wPerm | (xlateTag << 16), clock1, wPair);
  if (evictedEntry != 0) hostCacheDrop(evictedEntry, evictedTag);
  if (fetchEvicted) { fetchEvicted = false; fetchInvalidate(); }
}

function translateDataModel(va: u64, acc: u32, size: u32): usize {
  bump(C_DATA_SLOW, 1);
  const now = tlbTick(TLB_L1D);
  if (!translateModel(TLB_L1D, va, acc, now)) return 0;
  const pa = xPa(va);
  if (pa >= ramSize) { fault(acc, va, true); return 0; }
  // Recording: every access must come back here to be recorded, so nothing is cached on the host.
  if (recording()) { recordRef(acc == ACC_STORE ? REC_STORE : REC_LOAD, va, size); return RAM_BASE + <usize>pa; }
  // Without a modelled L1 D-TLB every access must reach the L2 model, so nothing may be cached on the host; the
  // same holds when the D-TLB's policy counts every hit (LFU).
  if (xlateMode != 0 && (xEntry == SCRATCH_ENTRY || policyNeeds(TLB_L1D) == HITS_COUNT)) return RAM_BASE + <usize>pa;
  const page = va & ~pageMask();
  const s = hostSlot(va);
  store<u64>(s, (xMeta & (PERM_R | PERM_U)) == (PERM_R | PERM_U) ? page : INVALID_TAG);
  store<u64>(s, (xMeta & (PERM_W | PERM_D | PERM_U)) == (PERM_W | PERM_D | PERM_U) ? page : INVALID_TAG, 8);
  store<u64>(s, <u64>RAM_BASE + (pa & ~pageMask()) - page, 16);
  store<u32>(s, <u32>xEntry, 24);
  return RAM_BASE + <usize>pa;
}

/**
 * Slow fetch translation: one I-TLB lookup for the page of pc. Sets fetchPage/fetchAddend.
 * Returns false with a pending trap.
 */
export function translateFetch(va: u64): bool {
  bump(C_FETCH_SLOW, 1);
  // The I-TLB clock counts the lookup; a unified TLB's entries are stamped on its own (data) clock.
  const now = tlbTick(TLB_L1I);
  fetchEvicted = false;
  if (!translateModel(fetchTlb, va, ACC_FETCH, fetchTlb == TLB_L1I ? now : clock1)) { fetchInvalidate(); return false; }
  const pa = xPa(va);
  if (pa + 2 > ramSize) { fault(ACC_FETCH, va, true); fetchInvalidate(); return false; }
  const page = va & ~pageMask();
  fetchHostAddend = <u64>RAM_BASE + (pa & ~pageMask()) - page;
  // The fetch fast path stands for I-TLB hits on this entry; without a modelled L1 I-TLB every fetch is slow, and
  // so is every fetch when the I-TLB's policy counts hits (LFU). A policy that needs to know whether an entry was
  // hit since its fill (RRIP, NRU) gets one slow fetch after each fill: if pc stays on the page, that fetch is a
  // modelled hit which stamps the entry; further hits cannot change its state until the set next changes, and
  // that only happens in a slow fetch.
  // While recording every fetch comes here (cpu.ts fetchSlow records it).
  const needs = policyNeeds(fetchTlb);
  if (recording() || (xlateMode != 0 && (xEntry == SCRATCH_ENTRY || needs == HITS_COUNT || (needs == HITS_FIRST && !xL1Hit)))) {
    fetchInvalidate();
  }
  else { fetchPage = page; fetchAddend = fetchHostAddend; }
  fetchEvicted = false;   // any eviction noted during this fetch concerned the previous code page
  return true;
}

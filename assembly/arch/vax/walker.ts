// The vax machine's walker: the VAX-11/780 translation algorithm as the CPU microcode runs it on a TB miss (shared
// reference vax.md §4, after SIMH VAX/vax_mmu.c): 512-byte pages; VA<31:30> picks P0, P1, S0 or the reserved region;
// P0/P1 page tables live in system virtual space, so fetching a process PTE is itself a translation through the system
// page table (physical, at SBR), which the system half of the translation buffer caches; length registers bound each
// table; protection is checked before validity (a PTE's PROT is meaningful even when V = 0); the first write through a
// PTE sets its M bit in memory. The guest's 64-bit addresses above 2^32 name no VAX address: they are length
// violations, like the reserved region.
//
// The process half of the TB is the MMU's modelled TLB hierarchy (mmu/mmu.ts); the system half is here, a small
// set-associative LRU array of system PTEs that survives context switches (LDPCTX drops only the process half).
// The walker reports its memory references (SPTE reads, PTE reads, M writes); the cost model charges the cycles.

import { RAM_BASE, PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  C_VAX_STB_HIT, C_VAX_STB_MISS, C_VAX_LENGTH_FAULTS, C_VAX_PTE_FAULTS, K_VAX_STB_SETS, K_VAX_STB_WAYS,
  VAX_STB_BASE, VAX_STB_MAX } from "../../layout";
import { ACC_STORE, wPbase, wPerm, wRefs, wAdWrites, wAccessFault } from "../../mmu/walk_result";
import { bump, cfg } from "../../cost/counters";
import {
  VAX_PTE_V, VAX_PTE_PROT_SHIFT, VAX_PTE_M, VAX_PFN_MASK, VAX_PAGE_SHIFT, VAX_MODE_KERNEL, VAX_SCB_ACV, VAX_SCB_TNV,
  VAX_MM_LENGTH, VAX_MM_PTEREF, VAX_MM_WRITE, VAX_PTE_PROT_MASK,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WT_STB, WF_VAX, WL_SYSTEM } from "../../mmu/walk_trace";

// Protection codes (vax.md §3 table): for each code, the least privileged mode (0 K .. 3 U) that may read or write,
// one nibble per code, F = no mode. Code 1 is reserved (unpredictable): no access here.
const READ_MAX: u64 = 0x3333_2222_1113_00FF;    // nibble i = code i, from the low end
const WRITE_MAX: u64 = 0xF012_F012_F013_F0FF;

/** Whether protection code `code` lets access mode `mode` read, or write when `write` (the PROBER/PROBEW test). */
export function vaxProtAllows(code: u32, mode: u32, write: bool): bool {
  const n = <u32>(((write ? WRITE_MAX : READ_MAX) >> (<u64>(code & VAX_PTE_PROT_MASK) << 2)) & 15);
  return n != 15 && mode <= n;
}

// Memory-management registers (vax.md §2).
export let p0br: u32 = 0;
export let p0lr: u32 = 0;
export let p1br: u32 = 0;
export let p1lr: u32 = 0;
export let sbr: u32 = 0;
export let slr: u32 = 0;
export function vaxSetRegs(np0br: u32, np0lr: u32, np1br: u32, np1lr: u32): void {
  p0br = np0br; p0lr = np0lr; p1br = np1br; p1lr = np1lr;
}
export function vaxSetSystem(nsbr: u32, nslr: u32): void { sbr = nsbr; slr = nslr; }

// A walk reports in the walker contract's record (mmu/walk_result.ts): wRefs = SPTE reads, PTE reads and M writes,
// wAdWrites = the M writes. Besides:
export let vwGlobal: bool = false;    // an S0 translation (system half)
export let vwVector: u32 = 0;         // VAX_SCB_ACV or VAX_SCB_TNV when the walk failed
export let vwParam: u32 = 0;          // the fault parameter

// ---------------------------------------------------------------------------------------------------------------
// System half of the TB: stbSets × stbWays entries of 16 bytes: +0 tag u32 (system VPN << 1 | 1), +4 system PTE u32,
// +8 stamp u64 (LRU). Indexed by the low bits of the system VPN.

let stbSets: u32 = 0;
let stbWays: u32 = 0;
let stbClock: u64 = 0;
@inline function stbEntry(i: u32): usize { return VAX_STB_BASE + <usize>(i << 4); }

/** Reads the system half's geometry (K_VAX_STB_SETS × K_VAX_STB_WAYS, 0 ways disables it) and empties it. */
export function stbReset(): void {
  const sets = <u32>cfg(K_VAX_STB_SETS), ways = <u32>cfg(K_VAX_STB_WAYS);
  const ok = ways != 0 && sets != 0 && (sets & (sets - 1)) == 0 && <u64>sets * ways <= VAX_STB_MAX;
  stbSets = ok ? sets : 0;
  stbWays = ok ? ways : 0;
  memory.fill(VAX_STB_BASE, 0, VAX_STB_MAX << 4);
  stbClock = 0;
}

/** Invalidates the system half (all of it, or only the entry for system VPN svpn). Returns entries dropped. */
export function stbFlush(all: bool, svpn: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < stbSets * stbWays; i++) {
    const e = stbEntry(i);
    const tag = load<u32>(e);
    if ((tag & 1) == 0 || (!all && tag != ((svpn << 1) | 1))) continue;
    store<u32>(e, 0);
    n++;
  }
  return n;
}

/** The system PTE for svpn from the system half, or 0 (a cached SPTE is always valid, so never 0). */
function stbFind(svpn: u32): u32 {
  if (stbWays == 0) return 0;
  const first = (svpn & (stbSets - 1)) * stbWays;
  const tag = (svpn << 1) | 1;
  for (let w: u32 = 0; w < stbWays; w++) {
    const e = stbEntry(first + w);
    if (load<u32>(e) == tag) { store<u64>(e, ++stbClock, 8); return load<u32>(e, 4); }
  }
  return 0;
}

function stbInsert(svpn: u32, spte: u32): void {
  if (stbWays == 0) return;
  const first = (svpn & (stbSets - 1)) * stbWays;
  let victim = stbEntry(first);
  let oldest: u64 = <u64>-1;
  for (let w: u32 = 0; w < stbWays; w++) {
    const e = stbEntry(first + w);
    if ((load<u32>(e) & 1) == 0) { victim = e; break; }
    const s = load<u64>(e, 8);
    if (s < oldest) { oldest = s; victim = e; }
  }
  store<u32>(victim, (svpn << 1) | 1);
  store<u32>(victim, spte, 4);
  store<u64>(victim, ++stbClock, 8);
}

// ---------------------------------------------------------------------------------------------------------------

@inline function fail(vector: u32, param: u32): bool {
  vwVector = vector;
  vwParam = param;
  if (param & VAX_MM_LENGTH) bump(C_VAX_LENGTH_FAULTS, 1);
  if (param & VAX_MM_PTEREF) bump(C_VAX_PTE_FAULTS, 1);
  return false;
}

/**
 * The system PTE for system VPN svpn (SBR + 4·svpn, physical), through the system half when `cached`. Returns it,
 * or 0 when it lies outside RAM (wAccessFault).
 */
function systemPte(svpn: u32, cached: bool, ramSize: u64): u32 {
  if (cached) {
    const hit = stbFind(svpn);
    if (hit != 0) {
      bump(C_VAX_STB_HIT, 1);
      if (walkTracing) wtRecord(WT_STB, WF_VAX, 1, 0, svpn, hit);
      return hit;
    }
    bump(C_VAX_STB_MISS, 1);
    if (walkTracing) wtRecord(WT_STB, WF_VAX, 0, 0, svpn, 0);
  }
  const a = <u64>sbr + (<u64>svpn << 2);
  if (a + 4 > ramSize) { wAccessFault = true; return 0; }
  wRefs++;
  const spte = load<u32>(RAM_BASE + <usize>a);
  if (walkTracing) wtRecord(WT_ENTRY, WF_VAX, WL_SYSTEM, 0, a, spte);
  return spte;
}

/**
 * Translates va for an access `acc` in access mode `mode`. Returns true with wPbase/wPerm set (rights for
 * that mode); on false the access raises vwVector with fault parameter vwParam (or, when wAccessFault, a table
 * lay outside physical memory).
 */
export function vaxWalk(va: u64, acc: u32, mode: u32, ramSize: u64): bool {
  wRefs = 0;
  wAdWrites = 0;
  wAccessFault = false;
  vwGlobal = false;
  const write = acc == ACC_STORE;
  const w: u32 = write ? VAX_MM_WRITE : 0;
  if ((va >> 32) != 0 || (va >> 30) == 3) return fail(VAX_SCB_ACV, w | VAX_MM_LENGTH);   // no such address
  const vpn = <u32>(va >> VAX_PAGE_SHIFT) & VAX_PFN_MASK;
  let pteAddr: u64;
  if ((va >> 31) != 0) {
    // S0: the system page table is physical.
    if (vpn >= slr) return fail(VAX_SCB_ACV, w | VAX_MM_LENGTH);
    pteAddr = <u64>sbr + (<u64>vpn << 2);
    vwGlobal = true;
  } else {
    // P0 / P1: the PTE's address is a system virtual address (P1BR is biased: the PTE of P1 VPN v is at
    // P1BR + 4·v, valid for v ≥ P1LR).
    const p1 = (va >> 30) == 1;
    if (p1 ? vpn < p1lr : vpn >= p0lr) return fail(VAX_SCB_ACV, w | VAX_MM_LENGTH);
    const ptev: u32 = (p1 ? p1br : p0br) + (vpn << 2);
    // A process page table outside S0 is an architectural error (SIMH stops); here it is a PTE-reference
    // length violation.
    if ((ptev >> 30) != 2) return fail(VAX_SCB_ACV, w | VAX_MM_PTEREF | VAX_MM_LENGTH);
    const svpn = (ptev >> VAX_PAGE_SHIFT) & VAX_PFN_MASK;
    if (svpn >= slr) return fail(VAX_SCB_ACV, w | VAX_MM_PTEREF | VAX_MM_LENGTH);
    const spte = systemPte(svpn, true, ramSize);
    if (wAccessFault) return false;
    // The microcode reads the process PTE in kernel mode: protection, then validity (vax.md §4.4).
    if (!vaxProtAllows(spte >> VAX_PTE_PROT_SHIFT, VAX_MODE_KERNEL, false)) return fail(VAX_SCB_ACV, w | VAX_MM_PTEREF);
    if ((spte & VAX_PTE_V) == 0) return fail(VAX_SCB_TNV, w | VAX_MM_PTEREF);
    stbInsert(svpn, spte);
    pteAddr = (<u64>(spte & VAX_PFN_MASK) << VAX_PAGE_SHIFT) | <u64>(ptev & 0x1FF);
  }
  if (pteAddr + 4 > ramSize) { wAccessFault = true; return false; }
  let pte = load<u32>(RAM_BASE + <usize>pteAddr);
  wRefs++;
  if (walkTracing) wtRecord(WT_ENTRY, WF_VAX, vwGlobal ? WL_SYSTEM : 0, 0, pteAddr, pte);
  // Protection first (ACV), then validity (TNV): vax.md §4.5.
  const code = pte >> VAX_PTE_PROT_SHIFT & VAX_PTE_PROT_MASK;
  if (!vaxProtAllows(code, mode, write)) return fail(VAX_SCB_ACV, w);
  if ((pte & VAX_PTE_V) == 0) return fail(VAX_SCB_TNV, w);
  if (write && (pte & VAX_PTE_M) == 0) {
    pte |= VAX_PTE_M;
    store<u32>(RAM_BASE + <usize>pteAddr, pte);
    if (walkTracing) wtRecord(WT_WRITE, WF_VAX, vwGlobal ? WL_SYSTEM : 0, 0, pteAddr, pte);
    wRefs++;
    wAdWrites++;
  }
  wPbase = <u64>(pte & VAX_PFN_MASK) << VAX_PAGE_SHIFT;
  // The VAX has no execute protection: whatever may be read may be executed.
  let perm: u32 = PERM_A;
  if (vaxProtAllows(code, mode, false)) perm |= PERM_R | PERM_X | PERM_U;
  if (vaxProtAllows(code, mode, true)) perm |= PERM_W;
  if (pte & VAX_PTE_M) perm |= PERM_D;
  if (vwGlobal) perm |= PERM_G;
  wPerm = perm;
  return true;
}

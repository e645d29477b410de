// Hardware walker of the x86-64 machines: 4-level (IA-32e, 48-bit linear addresses) and 5-level (CR4.LA57, 57-bit),
// after the Intel SDM vol. 3A §4.5 (walk), §4.6 (access rights), §4.7 (#PF error code), §4.8 (A/D) and §4.10.3
// (paging-structure caches); digest in the shared reference x86_64.md. Assumed machine state: EFER.NXE = 1, CR4.PGE =
// 1, MAXPHYADDR = 52, CR4.PKE/SMEP/SMAP = 0; only user-mode (CPL 3) accesses are modelled, so CR0.WP plays no part. The
// format is data: `levels` (4 or 5) drives one loop, as arch/riscv's walker does for Sv39/Sv48; the rules that differ
// from RISC-V (rights combined over every level, A on non-leaf entries, PS leaves, caches of paging-structure entries)
// are why this is a walker of its own (shared STYLE.md point 4).
//
// Like the hardware as Bochs models it, a walk first reads and checks every entry, then sets A in each entry it
// read whose A is clear and D in the leaf for a write (one locked write per entry). The walker reports its
// references (entry reads and A/D writes); the cost model charges the cycles (STYLE.md point 8).

import { RAM_BASE, PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  PSC_BASE, PSC_LEVELS, PSC_MAX_ENTRIES, PSCE_SIZE, C_PSC_PDE_HIT, C_PSC_PDE_MISS, K_PSC_PDE } from "../../layout";
import { ACC_FETCH, ACC_STORE, wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault } from "../../mmu/walk_result";
import { bump, cfg } from "../../cost/counters";
import {
  X86_PTE_P, X86_PTE_RW, X86_PTE_US, X86_PTE_A, X86_PTE_D, X86_PTE_PS, X86_PTE_G, X86_PTE_XD, X86_PTE_ADDR_MASK,
  X86_PF_P, X86_PF_W, X86_PF_U, X86_PF_RSVD, X86_PF_I, X86_VEC_GP, X86_VEC_PF,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WT_PSC, WF_X86, WF_NONE } from "../../mmu/walk_trace";

// Results go to the walker contract's record (mmu/walk_result.ts): wLevel 0 = 4 KiB, 1 = 2 MiB (PDE.PS), 2 = 1 GiB
// (PDPTE.PS); wPerm = PERM_* bits for the TLB: combined rights, G and D of the leaf, A. Besides, when a walk fails:
export let xwVector: u32 = 0;         // X86_VEC_PF or X86_VEC_GP
export let xwError: u32 = 0;          // #PF error code

// Entries read by the current walk, by level (0 = PTE .. 4 = PML5E): their physical addresses and values.
// Static literals, so nothing is allocated at start-up.
const entAddr: StaticArray<u64> = [0, 0, 0, 0, 0];
const entVal: StaticArray<u64> = [0, 0, 0, 0, 0];
// Combined rights down to each level: bit 0 R/W, bit 1 U/S, bit 2 XD (R/W and U/S ANDed, XD ORed).
const R_RW: u32 = 1, R_US: u32 = 2, R_XD: u32 = 4;
const entRights: StaticArray<u32> = [0, 0, 0, 0, 0];

/** Error code for a failed access: the fault kind bits plus what the access was. */
@inline function pfError(kind: u32, acc: u32): u32 {
  return kind | X86_PF_U | (acc == ACC_STORE ? X86_PF_W : 0) | (acc == ACC_FETCH ? X86_PF_I : 0);
}

/** Reserved bits of an entry at `level` that is present (SDM §4.5.4, MAXPHYADDR = 52, NXE = 1). */
@inline function reserved(e: u64, level: u32): bool {
  if ((e & X86_PTE_PS) == 0) return false;
  if (level >= 3) return true;                     // PS in a PML4E or PML5E
  if (level == 0) return false;                    // bit 7 of a PTE is PAT
  // Large-page leaf: frame address bits below the page size, except bit 12 (PAT), must be 0.
  const low: u64 = ((<u64>1 << (12 + 9 * <u64>level)) - 1) & ~(<u64>0x1FFF);
  return (e & low) != 0;
}

/** The canonical-form check for a `vaBits`-bit linear address (SDM §3.3.7.1). */
@inline export function canonical(va: u64, vaBits: u32): bool {
  return (<i64>(va << (64 - vaBits)) >> (64 - vaBits)) == <i64>va;
}

// ---------------------------------------------------------------------------------------------------------------
// Paging-structure caches (SDM §4.10.3): one fully associative LRU table per non-leaf level, tagged by PCID. An
// entry for level c (0 = PDE .. 3 = PML5E) is keyed by the linear-address bits above bit 21 + 9c and holds the
// physical base of the next table with the rights combined from the top level down to it. Entries are made only
// from present, reserved-bit-free, non-PS entries of a walk that succeeded (after their A bits were set).

let pscClock: u64 = 0;
const pscSize: StaticArray<u32> = [0, 0, 0, 0];   // PSC_LEVELS
@inline function pscEntry(c: u32, i: u32): usize { return PSC_BASE + <usize>((c * PSC_MAX_ENTRIES + i) * PSCE_SIZE); }
@inline function pscTag(va: u64, c: u32): u64 { return ((va >> (21 + 9 * <u64>c)) << 1) | 1; }

/** Reads the cache sizes from CONFIG (K_PSC_*) and empties every cache. */
export function pscReset(): void {
  for (let c: u32 = 0; c < PSC_LEVELS; c++) {
    unchecked(pscSize[c] = <u32>min(cfg(K_PSC_PDE + c), <u64>PSC_MAX_ENTRIES));
  }
  memory.fill(PSC_BASE, 0, PSC_LEVELS * PSC_MAX_ENTRIES * PSCE_SIZE);
  pscClock = 0;
}

/**
 * Invalidates paging-structure-cache entries: those tagged `pcid` (all PCIDs when allPcids), and when byVa only
 * those that would be used to translate va (the implicit invalidation of a #PF).
 */
export function pscFlush(pcid: u32, allPcids: bool, va: u64, byVa: bool): void {
  for (let c: u32 = 0; c < PSC_LEVELS; c++) {
    const n = unchecked(pscSize[c]);
    const tag = pscTag(va, c);
    for (let i: u32 = 0; i < n; i++) {
      const e = pscEntry(c, i);
      if ((load<u64>(e) & 1) == 0) continue;
      if (!allPcids && load<u32>(e, 28) != pcid) continue;
      if (byVa && load<u64>(e) != tag) continue;
      store<u64>(e, 0);
    }
  }
}

/** Looks va up in cache c; returns the entry or 0. Does not count. */
function pscFind(c: u32, va: u64, pcid: u32): usize {
  const n = unchecked(pscSize[c]);
  const tag = pscTag(va, c);
  for (let i: u32 = 0; i < n; i++) {
    const e = pscEntry(c, i);
    if (load<u64>(e) == tag && load<u32>(e, 28) == pcid) return e;
  }
  return 0;
}

/** Fills cache c for va (replacing an entry with the same tag, else an invalid one, else the least recent). */
function pscFill(c: u32, va: u64, pcid: u32, next: u64, rights: u32): void {
  const n = unchecked(pscSize[c]);
  if (n == 0) return;
  let e = pscFind(c, va, pcid);
  if (e == 0) {
    let oldest: u64 = <u64>-1;
    for (let i: u32 = 0; i < n; i++) {
      const f = pscEntry(c, i);
      if ((load<u64>(f) & 1) == 0) { e = f; break; }
      const s = load<u64>(f, 16);
      if (s < oldest) { oldest = s; e = f; }
    }
  }
  store<u64>(e, pscTag(va, c));
  store<u64>(e, next, 8);
  store<u64>(e, ++pscClock, 16);
  store<u32>(e, rights, 24);
  store<u32>(e, pcid, 28);
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Translates va for a user-mode access `acc` with the tables rooted at `root` (CR3's base) and PCID `pcid`.
 * Returns true with wPbase/wLevel/wPerm set; on false the access raises xwVector with error code xwError (or,
 * when wAccessFault, an entry lay outside physical memory). `ramSize` bounds entry addresses.
 */
export function x86Walk(root: u64, levels: u32, va: u64, acc: u32, pcid: u32, ramSize: u64): bool {
  wRefs = 0;
  wAdWrites = 0;
  wAccessFault = false;
  xwVector = X86_VEC_PF;
  if (!canonical(va, 12 + 9 * levels)) { xwVector = X86_VEC_GP; xwError = 0; return false; }
  // Paging-structure caches, lowest level first: a hit on cache c skips the entries at levels c + 1 and above.
  let i = <i32>levels - 1;
  let table = root;
  let rights: u32 = R_RW | R_US;
  for (let c: u32 = 0; c < levels - 1; c++) {
    if (unchecked(pscSize[c]) == 0) continue;
    const e = pscFind(c, va, pcid);
    if (e != 0) {
      bump(C_PSC_PDE_HIT + c, 1);
      store<u64>(e, ++pscClock, 16);
      table = load<u64>(e, 8);
      rights = load<u32>(e, 24);
      if (walkTracing) wtRecord(WT_PSC, WF_NONE, c, 1, table, rights);
      i = <i32>c;
      break;
    }
    bump(C_PSC_PDE_MISS + c, 1);
    if (walkTracing) wtRecord(WT_PSC, WF_NONE, c, 0, 0, 0);
  }
  const first = i;
  let pte: u64 = 0;
  while (true) {
    const a = table + (((va >> (12 + 9 * <u64>i)) & 0x1FF) << 3);
    if (a + 8 > ramSize) { wAccessFault = true; return false; }
    pte = load<u64>(RAM_BASE + <usize>a);
    wRefs++;
    if (walkTracing) wtRecord(WT_ENTRY, WF_X86, <u32>i, 0, a, pte);
    if ((pte & X86_PTE_P) == 0) { xwError = pfError(0, acc); return false; }
    if (reserved(pte, <u32>i)) { xwError = pfError(X86_PF_P | X86_PF_RSVD, acc); return false; }
    if ((pte & X86_PTE_RW) == 0) rights &= ~R_RW;
    if ((pte & X86_PTE_US) == 0) rights &= ~R_US;
    if ((pte & X86_PTE_XD) != 0) rights |= R_XD;
    unchecked(entAddr[i] = a);
    unchecked(entVal[i] = pte);
    unchecked(entRights[i] = rights);
    if (i == 0 || (pte & X86_PTE_PS) != 0) break;
    i--;
    table = pte & X86_PTE_ADDR_MASK;
  }
  // User-mode access rights (SDM §4.6.1): U/S = 1 at every level; writes need R/W = 1 at every level (CR0.WP only
  // matters for supervisor accesses); fetches need XD = 0 at every level.
  if ((rights & R_US) == 0 || (acc == ACC_STORE && (rights & R_RW) == 0) || (acc == ACC_FETCH && (rights & R_XD) != 0)) {
    xwError = pfError(X86_PF_P, acc);
    return false;
  }
  // A in every entry read (top down), D as well in the leaf for a write: one locked write each where needed.
  for (let j = first; j >= i; j--) {
    const old = unchecked(entVal[j]);
    const need = j == i && acc == ACC_STORE ? X86_PTE_A | X86_PTE_D : X86_PTE_A;
    if ((old & need) != need) {
      const v = old | need;
      store<u64>(RAM_BASE + <usize>unchecked(entAddr[j]), v);
      if (walkTracing) wtRecord(WT_WRITE, WF_X86, <u32>j, 0, unchecked(entAddr[j]), v);
      unchecked(entVal[j] = v);
      wRefs++;
      wAdWrites++;
    }
  }
  // Cache the non-leaf entries this walk read.
  for (let j = first; j > i; j--) {
    pscFill(<u32>(j - 1), va, pcid, unchecked(entVal[j]) & X86_PTE_ADDR_MASK, unchecked(entRights[j]));
  }
  const leaf = unchecked(entVal[i]);
  const lowMask: u64 = (<u64>1 << (12 + 9 * <u64>i)) - 1;
  wLevel = <u32>i;
  wPbase = leaf & X86_PTE_ADDR_MASK & ~lowMask;
  let perm: u32 = PERM_R | PERM_A;
  if (rights & R_RW) perm |= PERM_W;
  if ((rights & R_XD) == 0) perm |= PERM_X;
  if (rights & R_US) perm |= PERM_U;
  if (leaf & X86_PTE_G) perm |= PERM_G;
  if (leaf & X86_PTE_D) perm |= PERM_D;
  wPerm = perm;
  return true;
}

// The power machine's walker: the hardware search of the POWER hashed page table (HTAB) for one virtual page, as Power
// ISA v2.07 Book III-S §5.7.7 "Page Table Search" defines it for 4 KiB pages in 256 MiB segments (digest: shared
// reference power_htab.md §6; QEMU target/ppc/mmu-hash64.c ppc_hash64_htab_lookup and ppc_hash64_pteg_search do the
// same):
//   hash = (VSID & 0x7F_FFFF_FFFF) ^ (EA[36:63] >> 12)       primary; the secondary hash is its complement
//   PTEG = HTABORG + (hash & HTAB hash mask) × 128             eight 16-byte HPTEs, one 128-byte cache line
// An HPTE matches when V = 1, H equals the hash in use, B = 0 (256 MiB segment), L = 0 (4 KiB page) and its AVPN
// equals VA[0:56]. HPTEs are big-endian in memory whatever the processor's endianness, as the hardware reads them.
// A PTEG is one 128-byte line on POWER, so reading a group is one memory reference; setting R or C is a byte store
// each (QEMU ppc_hash64_set_r / set_c), one reference each. The walker reports; the cost model charges.

import { RAM_BASE, PERM_R, PERM_W, PERM_X, PERM_U, PERM_A, PERM_D } from "../../layout";
import { ACC_FETCH, ACC_STORE, wPbase, wPerm, wRefs, wAdWrites, wAccessFault } from "../../mmu/walk_result";
import {
  HPTE_V_VALID, HPTE_V_AVPN_SHIFT, HPTE_V_COMPARE, HPTE_R_RPN, HPTE_R_R, HPTE_R_C, HPTE_R_N, HPTE_R_PP, HPTE_SIZE,
  HPTES_PER_GROUP, PTEG_SIZE, HTAB_HASH_MASK_39, DSISR_NOHPTE, DSISR_PROTFAULT, DSISR_ISSTORE, HPTE_PP_RW,
  HPTE_AVPN_VA_SHIFT, POWER_SID_SHIFT,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WT_PTEG, WF_HPTE, WF_NONE, WL_HPTE } from "../../mmu/walk_trace";

// A search reports in the walker contract's record (mmu/walk_result.ts): wRefs = PTEG reads + R/C byte stores,
// wAdWrites = the R/C stores. Besides:
export let hwGroup: u32 = 0;          // 1 primary, 2 secondary, 0 neither
export let hwSlot: u32 = 0;           // slot of the matching HPTE within its group
export let hwDsisr: u32 = 0;          // DSISR (data) or SRR1 (fetch) status bits when the search failed

/** Primary hash of a 4 KiB page in a 256 MiB segment (Linux hpt_hash, MMU_SEGSIZE_256M). */
@inline export function htabHash(vsid: u64, ea: u64): u64 {
  return ((vsid & HTAB_HASH_MASK_39) ^ ((ea & 0x0FFF_FFFF) >> 12)) & HTAB_HASH_MASK_39;
}

/** Doubleword 0 a valid HPTE for (vsid, ea) has, without H: AVPN = VA[0:56] = (VSID << 5) | (EA[36:40]). */
@inline export function htabWantV(vsid: u64, ea: u64): u64 {
  const segOffset = ea & ((<u64>1 << POWER_SID_SHIFT) - 1);
  const avpn = (vsid << (POWER_SID_SHIFT - HPTE_AVPN_VA_SHIFT)) | (segOffset >> HPTE_AVPN_VA_SHIFT);
  return (avpn << HPTE_V_AVPN_SHIFT) | HPTE_V_VALID;
}

/** Page protection for the user key (Linux SLBs give user segments Kp = 1): PP 00 none, 01/11 read, 10 read-write. */
@inline function ppRights(pp: u32): u32 {
  return pp == 0 ? 0 : pp == HPTE_PP_RW ? (PERM_R | PERM_W) : PERM_R;
}

/**
 * Searches the primary, then the secondary PTEG for (vsid, ea) and checks access acc with the user key. `noExec`
 * is the segment's N bit. On success sets R (and C for a store) when clear and reports the translation; on failure
 * hwDsisr says why (no HPTE, or a protection violation), or wAccessFault that the HTAB lies outside memory.
 */
export function htabSearch(htab: u64, hashMask: u64, vsid: u64, ea: u64, acc: u32, noExec: bool, ramSize: u64): bool {
  wRefs = 0;
  wAdWrites = 0;
  wAccessFault = false;
  hwGroup = 0;
  hwDsisr = 0;
  const hash = htabHash(vsid, ea);
  const want = htabWantV(vsid, ea);
  let hpte: u64 = 0;
  for (let h: u32 = 0; h < 2; h++) {
    const group = htab + (((h == 0 ? hash : ~hash) & hashMask) << 7);
    if (group + PTEG_SIZE > ramSize) { wAccessFault = true; return false; }
    wRefs++;
    const w = want | (<u64>h << 1);
    for (let i: u32 = 0; i < HPTES_PER_GROUP; i++) {
      const a = group + <u64>(i * HPTE_SIZE);
      if (((bswap<u64>(load<u64>(RAM_BASE + <usize>a)) ^ w) & HPTE_V_COMPARE) == 0) {
        hwGroup = h + 1;
        hwSlot = i;
        hpte = a;
        break;
      }
    }
    if (walkTracing) wtRecord(WT_PTEG, WF_NONE, h, hwGroup != 0 ? hwSlot + 1 : 0, group, hash);
    if (hwGroup != 0) break;
  }
  const isStore = acc == ACC_STORE;
  if (hwGroup == 0) {
    hwDsisr = DSISR_NOHPTE | (isStore ? DSISR_ISSTORE : 0);
    return false;
  }
  const r = bswap<u64>(load<u64>(RAM_BASE + <usize>hpte, 8));
  if (walkTracing) wtRecord(WT_ENTRY, WF_HPTE, WL_HPTE, 0, hpte, r);
  let perm = ppRights(<u32>(r & HPTE_R_PP));
  if ((perm & PERM_R) != 0 && (r & HPTE_R_N) == 0 && !noExec) perm |= PERM_X;
  const need = acc == ACC_FETCH ? PERM_X : isStore ? PERM_W : PERM_R;
  if ((perm & need) == 0) {
    hwDsisr = DSISR_PROTFAULT | (isStore ? DSISR_ISSTORE : 0);
    return false;
  }
  // Reference and change recording (Book III-S §5.7.8): R in byte 6, C in byte 7 of the big-endian doubleword 1.
  let rc = r;
  if ((rc & HPTE_R_R) == 0) {
    store<u8>(RAM_BASE + <usize>hpte, <u8>((rc | HPTE_R_R) >> 8), 14);
    rc |= HPTE_R_R;
    wRefs++; wAdWrites++;
  }
  if (isStore && (rc & HPTE_R_C) == 0) {
    store<u8>(RAM_BASE + <usize>hpte, <u8>(rc | HPTE_R_C), 15);
    rc |= HPTE_R_C;
    wRefs++; wAdWrites++;
  }
  if (walkTracing && rc != r) wtRecord(WT_WRITE, WF_HPTE, WL_HPTE, 0, hpte, rc);
  wPbase = rc & HPTE_R_RPN;
  wPerm = perm | PERM_U | PERM_A | ((rc & HPTE_R_C) != 0 ? PERM_D : 0);
  return true;
}

// Hardware walker of the riscv machines: radix page tables (Sv39 / Sv48), following the privileged spec's walk
// algorithm (supervisor.adoc, "Virtual Address Translation Process"; digest in shared reference riscv_sv.md §4). The
// format is data: a descriptor (levels) drives one loop, as in Spike. Only U-mode accesses are modelled. The walker
// reports what it did (memory references, A/D writes); the cost model charges the cycles.

// Results go to the walker contract's record (mmu/walk_result.ts): wLevel 0 = 4 KiB, 1 = 2 MiB (megapage),
// 2 = 1 GiB (gigapage), 3 = 512 GiB; wPerm = the leaf PTE's bits 7:0 after the A/D update (the PTE's low byte has
// the PERM_* positions).

import { RAM_BASE } from "../../layout";
import {
  ACC_FETCH, ACC_LOAD, ACC_STORE, wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault,
} from "../../mmu/walk_result";
import {
  SV_PTE_V, SV_PTE_R, SV_PTE_W, SV_PTE_X, SV_PTE_U, SV_PTE_A, SV_PTE_D, SV_PTE_RESERVED, SV_PTE_PPN_SHIFT,
  SV_PTE_PPN_MASK, SV_PTE_SIZE,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WF_SV } from "../../mmu/walk_trace";

/**
 * Walks the table rooted at physical address `root` with `levels` levels for `va`. Returns true on success; on
 * false the access raises a page fault (or an access fault if wAccessFault). `ramSize` bounds PTE addresses.
 * `hardwareAD`: Svadu (set A/D in the PTE) versus Svade (fault when A, or D on a store, is clear).
 */
export function radixWalk(root: u64, levels: u32, va: u64, acc: u32, ramSize: u64, hardwareAD: bool): bool {
  wRefs = 0;
  wAdWrites = 0;
  wAccessFault = false;
  // Canonical check: bits 63..(12 + 9·levels − 1) must all equal the top VA bit.
  const vaBits = 12 + 9 * levels;
  if ((<i64>(va << (64 - vaBits)) >> (64 - vaBits)) != <i64>va) return false;
  let a = root;
  let i = <i32>levels - 1;
  let pte: u64 = 0;
  let pteAddr: u64 = 0;
  while (true) {
    pteAddr = a + (((va >> (12 + 9 * <u64>i)) & 0x1FF) * <u64>SV_PTE_SIZE);
    if (pteAddr + SV_PTE_SIZE > ramSize) { wAccessFault = true; return false; }
    pte = load<u64>(RAM_BASE + <usize>pteAddr);
    wRefs++;
    if (walkTracing) wtRecord(WT_ENTRY, WF_SV, <u32>i, 0, pteAddr, pte);
    if ((pte & SV_PTE_V) == 0 || (pte & (SV_PTE_R | SV_PTE_W)) == SV_PTE_W || (pte & SV_PTE_RESERVED) != 0) return false;
    if ((pte & (SV_PTE_R | SV_PTE_X)) != 0) break; // leaf
    // Non-leaf: D, A and U are reserved and must be zero.
    if ((pte & (SV_PTE_D | SV_PTE_A | SV_PTE_U)) != 0) return false;
    i--;
    if (i < 0) return false;
    a = ((pte >> SV_PTE_PPN_SHIFT) & SV_PTE_PPN_MASK) << 12;
  }
  const ppn = (pte >> SV_PTE_PPN_SHIFT) & SV_PTE_PPN_MASK;
  // Misaligned superpage: the low PPN fields of a leaf above level 0 must be zero.
  if (i > 0 && (ppn & ((<u64>1 << (9 * <u64>i)) - 1)) != 0) return false;
  if ((pte & SV_PTE_U) == 0) return false;
  if (acc == ACC_FETCH) { if ((pte & SV_PTE_X) == 0) return false; }
  else if (acc == ACC_LOAD) { if ((pte & SV_PTE_R) == 0) return false; }
  else if ((pte & SV_PTE_W) == 0) return false;
  const need = acc == ACC_STORE ? (SV_PTE_A | SV_PTE_D) : SV_PTE_A;
  if ((pte & need) != need) {
    if (!hardwareAD) return false;
    pte |= need;
    store<u64>(RAM_BASE + <usize>pteAddr, pte);
    if (walkTracing) wtRecord(WT_WRITE, WF_SV, <u32>i, 0, pteAddr, pte);
    wRefs++;
    wAdWrites++;
  }
  wLevel = <u32>i;
  wPbase = ppn << 12;
  wPerm = <u32>pte & 0xFF;
  return true;
}

// Hardware walker for RISC-V radix page tables (Sv39 / Sv48), following the privileged spec's walk algorithm
// (supervisor.adoc, "Virtual Address Translation Process"; digest in shared reference riscv_sv.md §4). The format
// is data: a descriptor (levels) drives one loop, as in Spike. Only U-mode accesses are modelled.
// The walker reports what it did (memory references, A/D writes); the cost model charges the cycles.

import { RAM_BASE, PERM_U, PERM_R, PERM_W, PERM_X, PERM_A, PERM_D } from "../layout";

export const ACC_FETCH: u32 = 0;
export const ACC_LOAD: u32 = 1;
export const ACC_STORE: u32 = 2;

const PTE_V: u64 = 1;
const PTE_RESERVED: u64 = 0xFFC0_0000_0000_0000; // bits 63:54 (N, PBMT, reserved): not implemented → must be 0

// Results of the last walk.
export let walkPbase: u64 = 0;   // physical base of the mapped page (page-size aligned)
export let walkLevel: u32 = 0;   // 0 = 4 KiB, 1 = 2 MiB (megapage), 2 = 1 GiB (gigapage), 3 = 512 GiB
export let walkPerm: u32 = 0;    // leaf PTE bits 7:0 after the A/D update
export let walkRefs: u32 = 0;    // memory references made (PTE reads + PTE writes)
export let walkAdWrites: u32 = 0;
export let walkAccessFault: bool = false; // a PTE address fell outside physical memory

/**
 * Walks the table rooted at physical address `root` with `levels` levels for `va`. Returns true on success; on
 * false the access raises a page fault (or an access fault if walkAccessFault). `ramSize` bounds PTE addresses.
 * `hardwareAD`: Svadu (set A/D in the PTE) versus Svade (fault when A, or D on a store, is clear).
 */
export function radixWalk(root: u64, levels: u32, va: u64, acc: u32, ramSize: u64, hardwareAD: bool): bool {
  walkRefs = 0;
  walkAdWrites = 0;
  walkAccessFault = false;
  // Canonical check: bits 63..(12 + 9·levels − 1) must all equal the top VA bit.
  const vaBits = 12 + 9 * levels;
  if ((<i64>(va << (64 - vaBits)) >> (64 - vaBits)) != <i64>va) return false;
  let a = root;
  let i = <i32>levels - 1;
  let pte: u64 = 0;
  let pteAddr: u64 = 0;
  while (true) {
    pteAddr = a + (((va >> (12 + 9 * <u64>i)) & 0x1FF) << 3);
    if (pteAddr + 8 > ramSize) { walkAccessFault = true; return false; }
    pte = load<u64>(RAM_BASE + <usize>pteAddr);
    walkRefs++;
    if ((pte & PTE_V) == 0 || (pte & (PERM_R | PERM_W)) == PERM_W || (pte & PTE_RESERVED) != 0) return false;
    if ((pte & (PERM_R | PERM_X)) != 0) break; // leaf
    // Non-leaf: D, A and U are reserved and must be zero.
    if ((pte & (PERM_D | PERM_A | PERM_U)) != 0) return false;
    i--;
    if (i < 0) return false;
    a = ((pte >> 10) & 0xFFF_FFFF_FFFF) << 12;
  }
  const ppn = (pte >> 10) & 0xFFF_FFFF_FFFF;
  // Misaligned superpage: the low PPN fields of a leaf above level 0 must be zero.
  if (i > 0 && (ppn & ((<u64>1 << (9 * <u64>i)) - 1)) != 0) return false;
  if ((pte & PERM_U) == 0) return false;
  if (acc == ACC_FETCH) { if ((pte & PERM_X) == 0) return false; }
  else if (acc == ACC_LOAD) { if ((pte & PERM_R) == 0) return false; }
  else if ((pte & PERM_W) == 0) return false;
  const need = acc == ACC_STORE ? (PERM_A | PERM_D) : PERM_A;
  if ((pte & need) != need) {
    if (!hardwareAD) return false;
    pte |= need;
    store<u64>(RAM_BASE + <usize>pteAddr, pte);
    walkRefs++;
    walkAdWrites++;
  }
  walkLevel = <u32>i;
  walkPbase = ppn << 12;
  walkPerm = <u32>pte & 0xFF;
  return true;
}

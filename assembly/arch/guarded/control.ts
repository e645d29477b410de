// The guarded machine's control code (its walker: walker.ts), a hypothetical MMU built the way a
// modern one would be around Liedtke's structure: a root register holding the root node's physical address, its
// index width and an address-space identifier (ASID-tagged TLB entries, as on RISC-V), and an invalidation
// instruction with sfence.vma's semantics (by address and/or by ASID). Writing the root selects the walker.

import { XMODE_GUARDED } from "../../layout";
import { guardedWalk } from "./walker";
import { GPT_MAX_NODE_BITS } from "./format";
import { setTranslation, useWalker, sfenceVma, rootPa, ramSize } from "../../mmu/mmu";

let rootBits: u32 = 0;

/**
 * Writes the root register: root node at physical `root` with 2^bits entries (1..12), address space `asid`.
 * Flushes nothing (ASID-tagged entries stay). Returns 0, or −1 for an impossible root.
 */
export function gptSetRoot(root: u64, bits: u32, asid: u32): i32 {
  if (bits == 0 || bits > GPT_MAX_NODE_BITS || (root & 15) != 0 || asid > 0xFFFF) return -1;
  rootBits = bits;
  useWalker(gptOpWalk, gptOnFault, gptOnFault);
  setTranslation(XMODE_GUARDED, root, asid);
  return 0;
}

/** The invalidation instruction: sfence.vma's semantics (by va and/or asid; global entries survive by-ASID). */
export function gptInvalidate(va: u64, asid: u32, byVa: bool, byAsid: bool): void { sfenceVma(va, asid, byVa, byAsid); }

/** Walker contract, walk. */
function gptOpWalk(va: u64, acc: u32): bool {
  return guardedWalk(rootPa, rootBits, va, acc, ramSize);
}

/** Walker contract, fault hooks: a guarded-table fault is a plain page fault (cause and address). */
function gptOnFault(va: u64, acc: u32): void {}

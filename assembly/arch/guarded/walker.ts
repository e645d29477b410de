// The guarded machine's walker: the hardware walker for Liedtke's guarded page tables (shared reference
// academic_tables.md §4; Liedtke, "Page Table Structures for Fine-Grain Virtual Memory", and the walk as the
// technovelty review draws it): a radix tree over the virtual page number whose nodes may have any power-of-two number
// of entries, and whose entries carry a guard — a bit string that must equal the next VPN bits, which the walk then
// skips. Chains of one-entry levels collapse into one guard (as in a Patricia trie), so a sparse address space costs
// few nodes and few references.
//
// Address: 48-bit virtual addresses, 4 KiB pages: the walk consumes the 36 VPN bits va<47:12>, most significant
// first. Entries (16 bytes, read as one reference) are laid out as format.ts says.
// Walk at a node of 2^s entries with r VPN bits left: index = the next s bits, then the entry's guard must equal
// the next g bits; a non-leaf's child must fit (s ≤ r). A leaf maps a 4 KiB page when no bit is left, or a large
// page where 9 or 18 bits are left (2 MiB, 1 GiB: the sizes the TLBs hold; Liedtke's design allows any size by
// where the leaf sits), whose frame must be aligned to its size. Anything else is a page fault. The walker
// reports its references; the cost model charges the cycles.

import { RAM_BASE, PERM_R, PERM_W, PERM_X, PERM_U, PERM_A, PERM_D, C_GPT_GUARD_BITS, C_GPT_GUARD_FAULTS } from "../../layout";
import {
  ACC_FETCH, ACC_LOAD, ACC_STORE, wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault,
} from "../../mmu/walk_result";
import { bump } from "../../cost/counters";
import {
  GPT_V, GPT_LEAF, GPT_R, GPT_W, GPT_X, GPT_A, GPT_D, GPT_VPN_BITS, GPT_ENTRY_SIZE, GPT_MAX_NODE_BITS, guardLen,
  childBits, guardValue,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WF_GPT } from "../../mmu/walk_trace";

// A walk reports in the walker contract's record (mmu/walk_result.ts; wLevel 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB).
// Besides:
export let gwGuardFault: bool = false;     // the walk ended on a guard mismatch

/** The next n bits of vpn after `left` − n (i.e. bits left−1 .. left−n of the 36-bit VPN). */
@inline function bitsAt(vpn: u64, left: u32, n: u32): u64 {
  return n == 0 ? 0 : (vpn >> <u64>(left - n)) & ((<u64>1 << <u64>n) - 1);
}

/**
 * Walks the guarded table whose root node (2^rootBits entries) is at physical `root` for a user access `acc` to
 * va. Returns true with wPbase/wPerm set; on false a page fault (or, when wAccessFault, an access fault).
 */
export function guardedWalk(root: u64, rootBits: u32, va: u64, acc: u32, ramSize: u64): bool {
  wRefs = 0;
  wAdWrites = 0;
  wAccessFault = false;
  gwGuardFault = false;
  if ((va >> 48) != 0) return false;
  const vpn = va >> 12;
  let node = root;
  let s = rootBits;
  let left = GPT_VPN_BITS;
  let guarded: u32 = 0;
  while (true) {
    if (s == 0 || s > GPT_MAX_NODE_BITS || s > left) return false;    // malformed: the node does not fit
    const a = node + (bitsAt(vpn, left, s) << 4);
    left -= s;
    if (a + GPT_ENTRY_SIZE > ramSize) { wAccessFault = true; return false; }
    const w0 = load<u64>(RAM_BASE + <usize>a);
    const w1 = load<u64>(RAM_BASE + <usize>a, 8);
    wRefs++;
    if (walkTracing) wtRecord(WT_ENTRY, WF_GPT, left + s, 0, a, w0);
    if ((w0 & GPT_V) == 0) return false;
    const g = guardLen(w0);
    if (g > left || bitsAt(vpn, left, g) != (guardValue(w0) & ((<u64>1 << <u64>g) - 1))) {
      gwGuardFault = true;
      bump(C_GPT_GUARD_FAULTS, 1);
      return false;
    }
    left -= g;
    guarded += g;
    if ((w0 & GPT_LEAF) != 0) {
      if (left % 9 != 0 || left > 18) return false;                   // 4 KiB, 2 MiB or 1 GiB only
      if ((w1 & ((<u64>1 << <u64>(12 + left)) - 1)) != 0) return false; // misaligned large page
      if (acc == ACC_FETCH ? (w0 & GPT_X) == 0 : acc == ACC_LOAD ? (w0 & GPT_R) == 0 : (w0 & GPT_W) == 0) return false;
      let e = w0;
      const need = acc == ACC_STORE ? GPT_A | GPT_D : GPT_A;
      if ((e & need) != need) {
        e |= need;
        store<u64>(RAM_BASE + <usize>a, e);
        if (walkTracing) wtRecord(WT_WRITE, WF_GPT, left, 0, a, e);
        wRefs++;
        wAdWrites++;
      }
      bump(C_GPT_GUARD_BITS, guarded);
      wPbase = w1;
      wLevel = left / 9;
      let perm: u32 = PERM_U | PERM_A;
      if (e & GPT_R) perm |= PERM_R;
      if (e & GPT_W) perm |= PERM_W;
      if (e & GPT_X) perm |= PERM_X;
      if (e & GPT_D) perm |= PERM_D;
      wPerm = perm;
      return true;
    }
    if (left == 0) return false;                                       // a non-leaf with nothing left to index
    node = w1;
    s = childBits(w0);
  }
}

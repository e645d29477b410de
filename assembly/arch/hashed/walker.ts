// The hashed machine's walker: the hardware walker for the clustered hashed page table of Talluri, Hill and
// Khalidi, "A New Page Table for 64-bit Address Spaces" (SOSP 1995; digest: shared reference academic_tables.md
// §2): a hashed page table whose nodes each cover an aligned page block of s = 2^k base pages (subblocking); the
// layout is in format.ts.
//
// bucket(VPBN) = (VPBN ^ VPBN >> b ^ VPBN >> 2b) mod 2^b, an XOR fold so that blocks far apart in the address
// space (text, heap, mmap, stack) land in different buckets (the paper leaves the hash function open).
// References (each counted): the bucket head; each node's 16-byte header (tag and next pointer, one line) whose tag
// is compared; the page's mapping word in the node that matches; one store when REF (and MOD on a write) must be
// set. A hit after n nodes costs 2 + n references; a miss costs 1 + the chain length. Superpage and partial-
// subblock mapping words (the paper's §4 extensions) are not built: every mapping word maps one base page.

import { RAM_BASE, PERM_R, PERM_W, PERM_X, PERM_U, PERM_A, PERM_D, C_CPT_NODES, C_CPT_HOLES } from "../../layout";
import {
  ACC_FETCH, ACC_LOAD, ACC_STORE, wPbase, wPerm, wRefs, wAdWrites, wAccessFault,
} from "../../mmu/walk_result";
import { bump } from "../../cost/counters";
import {
  HASHED_MAP_V as MAP_V, HASHED_MAP_R as MAP_R, HASHED_MAP_W as MAP_W, HASHED_MAP_X as MAP_X,
  HASHED_MAP_REF as MAP_REF, HASHED_MAP_MOD as MAP_MOD, HASHED_MAP_FRAME as MAP_FRAME,
  HASHED_NODE_HEADER as NODE_HEADER, hashedTag,
} from "./format";
import { walkTracing, wtRecord, WT_ENTRY, WT_WRITE, WT_NODE, WF_CPT, WF_NONE, WL_HEAD, WL_WORD } from "../../mmu/walk_trace";

/** The bucket of page block vpbn in a table of 2^bucketsLog2 heads. */
@inline export function hashedBucket(vpbn: u64, bucketsLog2: u32): u64 {
  const b = <u64>bucketsLog2;
  return (vpbn ^ (vpbn >> b) ^ (vpbn >> (b << 1))) & ((<u64>1 << b) - 1);
}

/**
 * Looks va up in the clustered table at `table` (2^bucketsLog2 buckets, 2^subLog2 pages per node) for access acc.
 * Returns true with the translation; false for a page fault (no node for the block, an empty mapping word, or a
 * right the word does not give), or an access fault (wAccessFault) for a table address outside memory.
 */
export function hashedWalk(table: u64, bucketsLog2: u32, subLog2: u32, va: u64, acc: u32, ramSize: u64): bool {
  wRefs = 0;
  wAdWrites = 0;
  wAccessFault = false;
  const vpbn = va >> (12 + <u64>subLog2);
  const head = table + (hashedBucket(vpbn, bucketsLog2) << 3);
  if (head + 8 > ramSize) { wAccessFault = true; return false; }
  let node = load<u64>(RAM_BASE + <usize>head);
  wRefs++;
  if (walkTracing) wtRecord(WT_ENTRY, WF_NONE, WL_HEAD, 0, head, node);
  const tag = hashedTag(vpbn);
  const words = <u64>1 << subLog2;
  while (node != 0) {
    if (node + NODE_HEADER + (words << 3) > ramSize) { wAccessFault = true; return false; }
    wRefs++;
    bump(C_CPT_NODES, 1);
    if (walkTracing) wtRecord(WT_NODE, WF_NONE, load<u64>(RAM_BASE + <usize>node) == tag ? 1 : 0, 0, node, load<u64>(RAM_BASE + <usize>node));
    if (load<u64>(RAM_BASE + <usize>node) == tag) break;
    node = load<u64>(RAM_BASE + <usize>node, 8);
  }
  if (node == 0) return false;
  const wordAddr = node + NODE_HEADER + (((va >> 12) & (words - 1)) << 3);
  let m = load<u64>(RAM_BASE + <usize>wordAddr);
  wRefs++;
  if (walkTracing) wtRecord(WT_ENTRY, WF_CPT, WL_WORD, 0, wordAddr, m);
  if ((m & MAP_V) == 0) { bump(C_CPT_HOLES, 1); return false; }
  if (acc == ACC_FETCH) { if ((m & MAP_X) == 0) return false; }
  else if (acc == ACC_LOAD) { if ((m & MAP_R) == 0) return false; }
  else if ((m & MAP_W) == 0) return false;
  const need = acc == ACC_STORE ? (MAP_REF | MAP_MOD) : MAP_REF;
  if ((m & need) != need) {
    m |= need;
    store<u64>(RAM_BASE + <usize>wordAddr, m);
    if (walkTracing) wtRecord(WT_WRITE, WF_CPT, WL_WORD, 0, wordAddr, m);
    wRefs++;
    wAdWrites++;
  }
  wPbase = m & MAP_FRAME;
  wPerm = PERM_U | PERM_A | ((m & MAP_R) != 0 ? PERM_R : 0) | ((m & MAP_W) != 0 ? PERM_W : 0) |
    ((m & MAP_X) != 0 ? PERM_X : 0) | ((m & MAP_MOD) != 0 ? PERM_D : 0);
  return true;
}

// Hardware walker for the clustered page table of Talluri, Hill and Khalidi, "A New Page Table for 64-bit Address
// Spaces" (SOSP 1995; digest: shared reference academic_tables.md §2): a hashed page table whose nodes each cover
// an aligned page block of s = 2^k base pages (subblocking). Layout in guest physical memory (little-endian):
//   table:  2^b bucket heads, u64 each: physical address of the first node of the chain, 0 = empty
//   node:   +0 tag u64 = VPBN << 1 | 1 (VPBN = VA >> (12 + k)), +8 next u64 (0 = end of chain),
//           +16 s mapping words u64, one per base page of the block (MAP_* bits below; 0 = not mapped)
// bucket(VPBN) = (VPBN ^ VPBN >> b ^ VPBN >> 2b) mod 2^b, an XOR fold so that blocks far apart in the address
// space (text, heap, mmap, stack) land in different buckets (the paper leaves the hash function open).
// References (each counted): the bucket head; each node's 16-byte header (tag and next pointer, one line) whose tag
// is compared; the page's mapping word in the node that matches; one store when REF (and MOD on a write) must be
// set. A hit after n nodes costs 2 + n references; a miss costs 1 + the chain length. Superpage and partial-
// subblock mapping words (the paper's §4 extensions) are not built: every mapping word maps one base page.

import { RAM_BASE, COUNTERS, PERM_R, PERM_W, PERM_X, PERM_U, PERM_A, PERM_D, C_CPT_NODES, C_CPT_HOLES } from "../layout";

const ACC_FETCH: u32 = 0;   // same codes as radix.ts
const ACC_LOAD: u32 = 1;
const ACC_STORE: u32 = 2;

// Mapping word bits: the page's rights, software-visible referenced / modified bits, the frame address.
export const MAP_V: u64 = 0x1;
export const MAP_R: u64 = 0x2;
export const MAP_W: u64 = 0x4;
export const MAP_X: u64 = 0x8;
export const MAP_REF: u64 = 0x40;
export const MAP_MOD: u64 = 0x80;
export const MAP_FRAME: u64 = 0x000F_FFFF_FFFF_F000;
export const NODE_HEADER: u32 = 16;

// Results of the last walk.
export let cwPbase: u64 = 0;
export let cwPerm: u32 = 0;
export let cwRefs: u32 = 0;
export let cwRefWrites: u32 = 0;
export let cwAccessFault: bool = false;

@inline function bump(i: u32): void { store<u64>(COUNTERS + (i << 3), load<u64>(COUNTERS + (i << 3)) + 1); }

/** The bucket of page block vpbn in a table of 2^bucketsLog2 heads. */
@inline export function cptBucket(vpbn: u64, bucketsLog2: u32): u64 {
  const b = <u64>bucketsLog2;
  return (vpbn ^ (vpbn >> b) ^ (vpbn >> (b << 1))) & ((<u64>1 << b) - 1);
}

/**
 * Looks va up in the clustered table at `table` (2^bucketsLog2 buckets, 2^subLog2 pages per node) for access acc.
 * Returns true with the translation; false for a page fault (no node for the block, an empty mapping word, or a
 * right the word does not give), or an access fault (cwAccessFault) for a table address outside memory.
 */
export function clusteredWalk(table: u64, bucketsLog2: u32, subLog2: u32, va: u64, acc: u32, ramSize: u64): bool {
  cwRefs = 0;
  cwRefWrites = 0;
  cwAccessFault = false;
  const vpbn = va >> (12 + <u64>subLog2);
  const head = table + (cptBucket(vpbn, bucketsLog2) << 3);
  if (head + 8 > ramSize) { cwAccessFault = true; return false; }
  let node = load<u64>(RAM_BASE + <usize>head);
  cwRefs++;
  const tag = (vpbn << 1) | 1;
  const words = <u64>1 << subLog2;
  while (node != 0) {
    if (node + NODE_HEADER + (words << 3) > ramSize) { cwAccessFault = true; return false; }
    cwRefs++;
    bump(C_CPT_NODES);
    if (load<u64>(RAM_BASE + <usize>node) == tag) break;
    node = load<u64>(RAM_BASE + <usize>node, 8);
  }
  if (node == 0) return false;
  const wordAddr = node + NODE_HEADER + (((va >> 12) & (words - 1)) << 3);
  let m = load<u64>(RAM_BASE + <usize>wordAddr);
  cwRefs++;
  if ((m & MAP_V) == 0) { bump(C_CPT_HOLES); return false; }
  if (acc == ACC_FETCH) { if ((m & MAP_X) == 0) return false; }
  else if (acc == ACC_LOAD) { if ((m & MAP_R) == 0) return false; }
  else if ((m & MAP_W) == 0) return false;
  const need = acc == ACC_STORE ? (MAP_REF | MAP_MOD) : MAP_REF;
  if ((m & need) != need) {
    m |= need;
    store<u64>(RAM_BASE + <usize>wordAddr, m);
    cwRefs++;
    cwRefWrites++;
  }
  cwPbase = m & MAP_FRAME;
  cwPerm = PERM_U | PERM_A | ((m & MAP_R) != 0 ? PERM_R : 0) | ((m & MAP_W) != 0 ? PERM_W : 0) |
    ((m & MAP_X) != 0 ? PERM_X : 0) | ((m & MAP_MOD) != 0 ? PERM_D : 0);
  return true;
}

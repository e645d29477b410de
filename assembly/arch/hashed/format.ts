// The hashed machine's format: the clustered hashed page table of Talluri, Hill and Khalidi (SOSP 1995; shared
// reference academic_tables.md §2), defined once: the walker (walker.ts) and the control code (control.ts) use it,
// and assembly/index.ts exports it for the kernel's pmap. Layout in guest physical memory (little-endian):
//   table:  2^b bucket heads, u64 each: physical address of the first node of the chain, 0 = empty
//   node:   +0 tag u64 = VPBN << 1 | 1 (VPBN = VA >> (12 + k)), +8 next u64 (0 = end of chain),
//           +16 s = 2^k mapping words u64, one per base page of the block (HASHED_MAP_* bits; 0 = not mapped)

// Mapping word bits: the page's rights, software-visible referenced / modified bits, the frame address.
export const HASHED_MAP_V: u64 = 0x1;
export const HASHED_MAP_R: u64 = 0x2;
export const HASHED_MAP_W: u64 = 0x4;
export const HASHED_MAP_X: u64 = 0x8;
export const HASHED_MAP_REF: u64 = 0x40;
export const HASHED_MAP_MOD: u64 = 0x80;
export const HASHED_MAP_FRAME: u64 = 0x000F_FFFF_FFFF_F000;
export const HASHED_NODE_HEADER: u32 = 16;
// A node's tag: its VPBN above a valid bit (so an all-zero word matches no block).
export const HASHED_TAG_VPBN_SHIFT: u32 = 1;
export const HASHED_TAG_VALID: u64 = 1;
@inline export function hashedTag(vpbn: u64): u64 { return (vpbn << HASHED_TAG_VPBN_SHIFT) | HASHED_TAG_VALID; }

/** Largest subblock factor (pages per node, log2) and bucket count (log2) a table may have. */
export const HASHED_MAX_SUBBLOCK_LOG2: u32 = 6;
export const HASHED_MAX_BUCKETS_LOG2: u32 = 20;

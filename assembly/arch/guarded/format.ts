// The guarded machine's format: Liedtke's guarded page table as this hypothetical MMU lays it out (walker.ts
// header; shared reference academic_tables.md §4), defined once: the walker and the control code use it, and
// assembly/index.ts exports it for the kernel's pmap. Entry (16 bytes):
//   +0 word0: bit 0 V, bit 1 LEAF, bit 2 R, bit 3 W, bit 4 X, bit 5 A, bit 6 D (set by the walker), bit 7 software
//             (wired), bits 13:8 guard length g (0..36), bits 19:16 the child node's index bits s (non-leaf, 1..12),
//             bits 63:28 the guard value (its low g bits)
//   +8 word1: physical address of the child node (non-leaf, aligned to its size 16·2^s) or of the page (leaf)

export const GPT_V: u64 = 1 << 0;
export const GPT_LEAF: u64 = 1 << 1;
export const GPT_R: u64 = 1 << 2;
export const GPT_W: u64 = 1 << 3;
export const GPT_X: u64 = 1 << 4;
export const GPT_A: u64 = 1 << 5;
export const GPT_D: u64 = 1 << 6;
export const GPT_SW_WIRED: u64 = 1 << 7;
export const GPT_GUARD_LEN_SHIFT: u32 = 8;
export const GPT_GUARD_LEN_MASK: u32 = 63;     // 6 bits, after the shift
export const GPT_CHILD_BITS_SHIFT: u32 = 16;
export const GPT_CHILD_BITS_MASK: u32 = 15;    // 4 bits, after the shift
export const GPT_GUARD_SHIFT: u32 = 28;
export const GPT_VPN_BITS: u32 = 36;           // va<47:12>
export const GPT_ENTRY_SIZE: u32 = 16;
export const GPT_MAX_NODE_BITS: u32 = 12;

@inline export function guardLen(w0: u64): u32 { return <u32>(w0 >> GPT_GUARD_LEN_SHIFT) & GPT_GUARD_LEN_MASK; }
@inline export function childBits(w0: u64): u32 { return <u32>(w0 >> GPT_CHILD_BITS_SHIFT) & GPT_CHILD_BITS_MASK; }
@inline export function guardValue(w0: u64): u64 { return w0 >> GPT_GUARD_SHIFT; }

// The sparc machine's formats (sun4u: UltraSPARC User's Manual §6; Linux sparc64 pgtable_64.h and tsb.h; shared
// reference sparc_tsb.md), defined once: the refill model (refill.ts) and the control code (control.ts) use them,
// and assembly/index.ts exports them for the kernel's pmap. Base page 4 KiB, one bit below the manual's 8 KiB
// positions (refill.ts header).

// TTE data, sun4u (User's Manual §6.2.1; Linux _PAGE_*_4U).
export const TTE_V: u64 = 1 << 63;
export const TTE_SIZE: u64 = 3 << 61;      // 00 = base page (4 KiB here), 01 64K, 10 512K, 11 4M
export const TTE_PMD_HUGE: u64 = 1 << 56;  // Linux _PAGE_PMD_HUGE (huge pages are not modelled)
export const TTE_PA: u64 = 0x0000_0FFF_FFFF_E000; // bits 43:13: the 4 KiB frame number
export const TTE_PA_SHIFT: u32 = 13;
export const TTE_EXEC: u64 = 0x1000;       // Linux soft bits
export const TTE_MODIFIED: u64 = 0x800;
export const TTE_ACCESSED: u64 = 0x400;
export const TTE_READ: u64 = 0x200;
export const TTE_WRITE: u64 = 0x100;
export const TTE_PRESENT: u64 = 0x80;
export const TTE_L: u64 = 0x40;            // hardware bits
export const TTE_CP: u64 = 0x20;
export const TTE_CV: u64 = 0x10;
export const TTE_E: u64 = 0x08;
export const TTE_P: u64 = 0x04;
export const TTE_W: u64 = 0x02;
export const TTE_G: u64 = 0x01;

// TSB register (User's Manual §6.9.6): TSB_Base 63:13, Split 12, TSB_Size 2:0 (512 << N entries, 8 KiB << N bytes).
export const TSB_SPLIT: u64 = 1 << 12;
export const TSB_MIN_BYTES: u32 = 8192;
export const TSB_MAX_BYTES: u32 = 8192 << 7;
export const TSB_ENTRY_BYTES: u32 = 16;   // {tag, TTE}
// The tag target register (User's Manual §6.9.4) and Linux's TSB tag hold the VA above the TSB's base index
// bits: VA >> 22 on UltraSPARC, VA >> 21 here (the 4 KiB base page, refill.ts's header).
export const TSB_TAG_SHIFT: u32 = 21;
// Linux's TSB tag (tsb.h): bit 47 lock, bit 46 invalid.
export const TSB_TAG_LOCK: u64 = 1 << 47;
export const TSB_TAG_INVALID: u64 = 1 << 46;

// Page tables: 4 levels of 512 eight-byte entries (Linux sparc64 pgd/pud/pmd/pte at a 4 KiB page).
export const SPARC_PT_LEVELS: u32 = 4;
// Contexts: 13 bits (primary context register, the tag target's context field).
export const SPARC_CTX_BITS: u32 = 13;

// UltraSPARC-I/II implement 44-bit virtual addresses: VA[63:43] must equal VA[43] (User's Manual §6.3.4, the VA
// "hole"); an address in the hole raises an access exception before any TLB lookup. The user's page tables cover
// VA < 2^43 (Linux VA_EXCLUDE_START), and the 4-level 4 KiB tables index VA[47:12] only, so every address from 2^43
// up is refused rather than walked (it would alias a low address).
export const SPARC_VA_USER_END: u64 = <u64>1 << 43;

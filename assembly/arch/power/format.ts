// The power machine's formats (Power ISA v2.07 Book III-S §5.7; Linux arch/powerpc include/asm/book3s/64/mmu-hash.h;
// shared reference power_htab.md), defined once: the HTAB walker (walker.ts) and the control code (control.ts) use
// them, and assembly/index.ts exports them for the kernel's pmap.

// HPTE doubleword 0 (Linux HPTE_V_*), pre-ISA 3.0 layout. HPTEs are big-endian in memory.
export const HPTE_V_VALID: u64 = 0x1;
export const HPTE_V_SECONDARY: u64 = 0x2;     // H
export const HPTE_V_LARGE: u64 = 0x4;         // L
export const HPTE_V_BOLTED: u64 = 0x10;       // software: Linux never evicts it
export const HPTE_V_AVPN_SHIFT: u32 = 7;
// Bits compared against the wanted doubleword 0: B (63:62), AVPN, L, H, V; the software bits 0x78 are not.
export const HPTE_V_COMPARE: u64 = 0xFFFF_FFFF_FFFF_FF87;
// HPTE doubleword 1 (HPTE_R_*).
export const HPTE_R_RPN: u64 = 0x0FFF_FFFF_FFFF_F000;
export const HPTE_R_R: u64 = 0x100;
export const HPTE_R_C: u64 = 0x80;
export const HPTE_R_M: u64 = 0x10;            // WIMG: memory coherence
export const HPTE_R_N: u64 = 0x4;
export const HPTE_R_PP: u64 = 0x3;
// PP codes as a user access (key Kp = 1, as Linux's SLBs give user segments) sees them (Book III-S, storage
// protection, the PP-and-key table; Linux htab_convert_pte_flags): 00 no access, 10 read-write, 01 and 11 read-only.
export const HPTE_PP_RW: u32 = 0b10;
export const HPTE_PP_RO: u32 = 0b11;
// The AVPN in doubleword 0 is VA >> 23 (Book III-S, page table entry format; Linux hpte_encode_avpn): the VSID
// above the segment offset's bits 27:23.
export const HPTE_AVPN_VA_SHIFT: u32 = 23;
// A PTEG: eight 16-byte HPTEs, one 128-byte line.
export const HPTE_SIZE: u32 = 16;
export const HPTES_PER_GROUP: u32 = 8;
export const PTEG_SIZE: u32 = 128;
export const HTAB_HASH_MASK_39: u64 = 0x7F_FFFF_FFFF;   // Linux hpt_hash: the hash is 39 bits
// SDR1 (Book III-S, Storage Description Register 1): HTABORG in bits 63:18, HTABSIZE in bits 4:0; the HTAB is 2^(HTAB_MIN_SHIFT +
// HTABSIZE) bytes, the smallest 2^18 (2^11 PTEGs).
export const HTAB_MIN_SHIFT: u32 = 18;

// DSISR / SRR1 bits a failed search reports (Book III-S §6.5.3, §6.5.4).
export const DSISR_NOHPTE: u32 = 0x4000_0000;
export const DSISR_PROTFAULT: u32 = 0x0800_0000;
export const DSISR_ISSTORE: u32 = 0x0200_0000;

// Exception vectors a translation can raise (Book III-S §6.5).
export const POWER_VEC_DSI: u32 = 0x300;
export const POWER_VEC_DSEG: u32 = 0x380;
export const POWER_VEC_ISI: u32 = 0x400;
export const POWER_VEC_ISEG: u32 = 0x480;

// SLB entry words (Linux SLB_ESID_V, SLB_VSID_*), as slbmte writes them.
export const SLB_ESID_V: u64 = 0x0000_0000_0800_0000;
export const SLB_VSID_SHIFT: u32 = 12;
export const SLB_VSID_KP: u64 = 0x400;
export const SLB_VSID_N: u64 = 0x200;
/** Linux SLB_NUM_BOLTED: slots 0 and 1 hold the kernel's bolted segments; user entries never go there. */
export const SLB_NUM_BOLTED: u32 = 2;
export const POWER_SID_SHIFT: u32 = 28;       // 256 MiB segments

// Linux's VSID scheme for 256 MiB segments with a 68-bit VA (MMU_FTR_68_BIT_VA, ISA 2.05 and later) and 4 KiB
// pages: VSID_MULTIPLIER_256M, VSID_BITS_256M = 68 − 28, ESID_BITS = MAX_EA_BITS_PER_CONTEXT(46) − 28.
export const POWER_VSID_MULTIPLIER_256M: u64 = 12538073;
export const POWER_VSID_BITS_256M: u32 = 40;
export const POWER_ESID_BITS: u32 = 18;
/** One past the highest user effective address (Linux H_PGTABLE_RANGE, 4 KiB pages: TASK_SIZE_64TB). */
export const POWER_USER_EA_LIMIT: u64 = <u64>1 << 46;

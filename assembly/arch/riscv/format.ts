// The RISC-V Sv39/Sv48 page-table entry (privileged spec, supervisor.adoc, "Sv39: Page-Based 39-bit Virtual-Memory
// System"; shared reference riscv_sv.md §2), defined once: the walker (walker.ts) reads it, and assembly/index.ts
// exports it for the kernel's pmap. The low byte has the positions of the TLB entry's PERM_* bits (layout.ts).

export const SV_PTE_V: u64 = 1 << 0;
export const SV_PTE_R: u64 = 1 << 1;
export const SV_PTE_W: u64 = 1 << 2;
export const SV_PTE_X: u64 = 1 << 3;
export const SV_PTE_U: u64 = 1 << 4;
export const SV_PTE_G: u64 = 1 << 5;
export const SV_PTE_A: u64 = 1 << 6;
export const SV_PTE_D: u64 = 1 << 7;
export const SV_PTE_PPN_SHIFT: u32 = 10;                // PPN in bits 53:10
export const SV_PTE_PPN_MASK: u64 = 0xFFF_FFFF_FFFF;    // 44 bits, after the shift
export const SV_PTE_RESERVED: u64 = 0xFFC0_0000_0000_0000; // bits 63:54 (N, PBMT, reserved): not implemented → must be 0
export const SV_PTE_SIZE: u32 = 8;                      // PTESIZE = 8 (Sv39, Sv48)
export const SV_PTES_PER_TABLE: u32 = 512;              // 9 index bits per level, 8-byte entries in a 4 KiB table

// satp (RV64): MODE in bits 63:60, ASID 59:44, PPN of the root table 43:0.
export const SV_SATP_MODE_SHIFT: u32 = 60;
export const SV_SATP_ASID_SHIFT: u32 = 44;
// satp.MODE's codes (privileged spec §4.1.11, table "encoding of satp MODE field"): 8 = Sv39, 9 = Sv48 are
// layout.ts's XMODE_SV39 / XMODE_SV48, which the wasm uses as its translation modes. Their table levels
// (§4.4, §4.5: 3 levels of 9 index bits for Sv39, 4 for Sv48):
export const SV39_LEVELS: u32 = 3;
export const SV48_LEVELS: u32 = 4;

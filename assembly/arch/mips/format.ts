// The MIPS machines' formats (shared reference mips.md §2, §3), defined once: the refill model (refill.ts) and the
// control code (control.ts) use them, and assembly/index.ts exports them for the kernel's pmap, which writes its
// tables at the places named here.

// ---- EntryLo formats (NetBSD mips1_pte.h / mips3_pte.h) ----
// R3000: PFN 31:12, N 11, D 10, V 9, G 8; the OS's software bits WIRED 1, RO 0 (NetBSD PG_WIRED, PG_RO).
export const MIPS_R3000_ENTRYLO_G: u64 = 0x100;
export const MIPS_R3000_ENTRYLO_V: u64 = 0x200;
export const MIPS_R3000_ENTRYLO_D: u64 = 0x400;
export const MIPS_R3000_ENTRYLO_N: u64 = 0x800;
export const MIPS_R3000_ENTRYLO_RO: u64 = 0x1;
export const MIPS_R3000_ENTRYLO_WIRED: u64 = 0x2;
export const MIPS_R3000_ENTRYLO_PFN: u64 = 0xFFFF_F000;
// R4000: PFN 29:6 (PA 35:12), C 5:3, D 2, V 1, G 0; software bits WIRED 31, RO 30 (above the hardware field).
export const MIPS_R4000_ENTRYLO_G: u64 = 0x1;
export const MIPS_R4000_ENTRYLO_V: u64 = 0x2;
export const MIPS_R4000_ENTRYLO_D: u64 = 0x4;
export const MIPS_R4000_ENTRYLO_CACHED: u64 = 3 << 3;   // C = 3: cacheable noncoherent
export const MIPS_R4000_ENTRYLO_RO: u64 = 0x4000_0000;
export const MIPS_R4000_ENTRYLO_WIRED: u64 = 0x8000_0000;
export const MIPS_R4000_ENTRYLO_PFN_SHIFT: u32 = 6;
export const MIPS_R4000_ENTRYLO_PFN_MASK: u64 = 0xFF_FFFF;  // 24 bits, after the shift

// ---- Where the OS keeps its tables (the kernel's pmap writes them at the same places) ----
// R3000: linear table of 4-byte PTEs at PTEBase in kseg2 (Context = PTEBase | VA[30:12] << 2): 2 MiB for the
// 2 GiB kuseg, 512 pages; the root table in kseg0 has one EntryLo per linear-table page.
export const MIPS_R3000_USER_TOP: u64 = 0x8000_0000;
export const MIPS_R3000_PTEBASE: u64 = 0xC000_0000;
// R4000: linear table of 8-byte PTE pairs at PTEBase in xkseg (XContext = PTEBase | VA[39:13] << 4): 2 GiB for the
// 1 TiB xuseg; the root is a segment table of 1024 32-bit kseg0 pointers, each to a page of 512 EntryLo images
// (one per linear-table page; an even/odd pair fills one TLB entry).
export const MIPS_R4000_USER_TOP: u64 = <u64>1 << 40;
export const MIPS_R4000_PTEBASE: u64 = 0xC000_0000_0000_0000;
export const MIPS_KSEG0: u64 = 0x8000_0000;
// PTE sizes in the linear table, which Context / XContext scale BadVPN(2) by: 4-byte PTEs (R3000: Context's
// BadVPN field is VA[30:12] at bits 20:2), 8-byte EntryLo images in even/odd pairs (R4000: XContext's BadVPN2 is
// VA[39:13] at bits 30:4, 16 bytes per pair). The root side holds one EntryLo of the same size per linear page.
export const MIPS_R3000_PTE_BYTES: u32 = 4;
export const MIPS_R4000_PTE_BYTES: u32 = 8;
// ASIDs: 6-bit PID (R3000), 8-bit ASID (R4000).
export const MIPS_R3000_ASIDS: u32 = 64;
export const MIPS_R4000_ASIDS: u32 = 256;

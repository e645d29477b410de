// The x86-64 machines' formats (Intel SDM vol. 3A; shared reference x86_64.md), defined once: the walker
// (walker.ts) and the control code (control.ts) use them, and assembly/index.ts exports them for the kernel's pmap.

// Paging-structure entry bits (SDM tables 4-15 .. 4-20).
export const X86_PTE_P: u64 = 1 << 0;
export const X86_PTE_RW: u64 = 1 << 1;
export const X86_PTE_US: u64 = 1 << 2;
export const X86_PTE_PWT: u64 = 1 << 3;
export const X86_PTE_PCD: u64 = 1 << 4;
export const X86_PTE_A: u64 = 1 << 5;
export const X86_PTE_D: u64 = 1 << 6;
export const X86_PTE_PS: u64 = 1 << 7;
export const X86_PTE_G: u64 = 1 << 8;
export const X86_PTE_XD: u64 = 1 << 63;
export const X86_PTE_ADDR_MASK: u64 = 0x000F_FFFF_FFFF_F000;   // bits 51:12 (MAXPHYADDR = 52: no reserved bits 51:M)

// #PF error code bits (SDM §4.7).
export const X86_PF_P: u32 = 1 << 0;      // 0: a non-present entry; 1: a protection violation (or a reserved bit)
export const X86_PF_W: u32 = 1 << 1;      // the access was a write
export const X86_PF_U: u32 = 1 << 2;      // the access was made in user mode (always, here)
export const X86_PF_RSVD: u32 = 1 << 3;   // a reserved bit was set in some paging-structure entry
export const X86_PF_I: u32 = 1 << 4;      // the access was an instruction fetch (reported because EFER.NXE = 1)

// Exception vectors a translation can raise.
export const X86_VEC_GP: u32 = 13;        // non-canonical linear address (#GP(0), no error code, no CR2)
export const X86_VEC_PF: u32 = 14;

// Control registers (SDM §2.5, §4.10.4.1).
export const X86_CR4_LA57: u64 = 1 << 12;
export const X86_CR4_PCIDE: u64 = 1 << 17;
export const X86_CR3_NOFLUSH: u64 = 1 << 63;
export const X86_CR3_BASE: u64 = 0x000F_FFFF_FFFF_F000;
export const X86_CR3_PCID: u64 = 0xFFF;

// Paging modes (SDM §4.5): 4-level paging (48-bit linear addresses) and 5-level paging under CR4.LA57 (57-bit).
export const X86_LEVELS: u32 = 4;
export const X86_LA57_LEVELS: u32 = 5;

// The vax machine's formats (VAX-11/780; shared reference vax.md §2–§5), defined once: the walker (walker.ts) and
// the control code (control.ts) use them, and assembly/index.ts exports them for the kernel's pmap.

// PTE fields (vax.md §3): V 31, PROT 30:27, M 26, PFN 20:0.
export const VAX_PTE_V: u32 = 1 << 31;
export const VAX_PTE_PROT_SHIFT: u32 = 27;
export const VAX_PTE_PROT_MASK: u32 = 15;      // 4 bits, after the shift
export const VAX_PTE_M: u32 = 1 << 26;
export const VAX_PFN_MASK: u32 = 0x1F_FFFF;
export const VAX_PAGE_SHIFT: u32 = 9;               // 512-byte pages
// Protection codes the kernel uses (vax.md §3 table): no access, kernel write, user write, user read.
export const VAX_PROT_NA: u32 = 0;
export const VAX_PROT_KW: u32 = 2;
export const VAX_PROT_UW: u32 = 4;
export const VAX_PROT_UR: u32 = 15;

// Regions: VA<31:30> = 0 P0, 1 P1, 2 S0, 3 reserved.
export const VAX_P1_BASE: u32 = 0x4000_0000;
export const VAX_S0_BASE: u32 = 0x8000_0000;

// Access modes (PSL<CUR_MOD>).
export const VAX_MODE_KERNEL: u32 = 0;
export const VAX_MODE_USER: u32 = 3;

// Fault kinds (SCB offsets) and the fault parameter's bits (vax.md §5).
export const VAX_SCB_ACV: u32 = 0x20;
export const VAX_SCB_TNV: u32 = 0x24;
export const VAX_MM_LENGTH: u32 = 1;
export const VAX_MM_PTEREF: u32 = 2;
export const VAX_MM_WRITE: u32 = 4;

// Internal processor register numbers (vax.md §2).
export const VAX_PR_P0BR: u32 = 8;
export const VAX_PR_P0LR: u32 = 9;
export const VAX_PR_P1BR: u32 = 10;
export const VAX_PR_P1LR: u32 = 11;
export const VAX_PR_SBR: u32 = 12;
export const VAX_PR_SLR: u32 = 13;
export const VAX_PR_MAPEN: u32 = 56;
export const VAX_PR_TBIA: u32 = 57;
export const VAX_PR_TBIS: u32 = 58;
export const VAX_LR_MASK: u32 = 0x3F_FFFF;          // length registers are 22-bit fields

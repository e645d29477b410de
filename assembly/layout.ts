// The memory layout of one machine instance, defined once. Every offset the host (TypeScript) needs is exported
// from index.ts, so the host never repeats a number (shared/STYLE.md, point 6); so are the machines' page-table
// formats, defined in arch/<machine>/format.ts.
//
//   0 .. STATE_BASE            AssemblyScript static data (checked at init)
//   STATE_BASE                 CPU registers, counters, configuration
//   TLB_BASE                   modelled TLB arrays (L1I, L1D, L2), fixed maximum size
//   HOSTCACHE_BASE             host speed cache for data accesses (a subset of the modelled L1 D-TLB)
//   RVC_TABLE                  compressed-instruction expansion table (65536 × u32)
//   TRACE_BASE                 trace buffer: a batch of u64 page numbers for trace-driven replay (trace/replay.ts)
//   RAM_BASE                   guest physical memory; guest physical address p lives at RAM_BASE + p

export const STATE_BASE: usize = 0x10000;
export const XREGS: usize = STATE_BASE;            // x0..x31, u64 each
export const FREGS: usize = STATE_BASE + 0x100;    // f0..f31, u64 each (single precision NaN-boxed)
export const COUNTERS: usize = STATE_BASE + 0x200; // NCOUNTERS × u64
export const NCOUNTERS: u32 = 128;
export const CONFIG: usize = STATE_BASE + 0x600;   // NCONFIG × u64: configuration and cycle costs
export const NCONFIG: u32 = 128;
// Index ranges of counters (C_*) and configuration words (K_*) by owner, so each machine's walker or refill
// model has its own block:
//   C  0..17 shared MMU, 40..47 x86-64 PSCs, 64..71 MIPS, 72..79 POWER HTAB and clustered hashed tables,
//      80..87 SPARC TSB, 88..95 VAX and guarded tables, 96..103 tracing and recording
//   K  0..20 TLB geometry, costs and policy, 40..43 x86-64 PSCs, 64..71 MIPS, 72..79 POWER / hashed,
//      80..87 SPARC, 88..95 VAX / guarded, 96..103 tracing and recording
// Translation modes (XMODE_*): 0/8/9 RISC-V, 0x40/0x41 x86-64, 0x50.. MIPS, 0x60.. POWER / hashed, 0x70.. SPARC,
// 0x80.. VAX / guarded. Spare state regions for walker structures: 0xC4000..0xCFFFF MIPS, 0xD0000..0xDFFFF POWER
// / hashed, 0xE0000..0xEFFFF SPARC, 0xF0000..0xFFFFF VAX / guarded (PSC_BASE 0xC0000..0xC1FFF is x86-64's).

// Modelled TLBs. Entry layout (TLBE_SIZE bytes):
//   +0  tag   u64  virtual page base | level << 1 | 1 (valid); the page base's low 9 bits are always zero (12 on
//                  4 KiB machines: tlb.ts pageShift)
//   +8  pbase u64  physical page base
//   +16 stamp u64  time of the last lookup that found or filled the entry (every hit stores it, nothing else)
//   +24 meta  u32  PERM_* bits | ASID << 16
//   +28 aux   u32  policy state (FIFO: fill sequence; RRIP/NRU: RRPV; LFU: hit count)
//   +32 auxt  u64  policy time (RRIP/NRU: when aux was last written; a newer stamp means a hit since)
//   +40 odd   u64  pair entries (tlb.ts tlbGeometry, MIPS R4000): the odd page's base | its PERM_* bits; on other
//                  machines reserved for policies (e.g. a lock bit for wired entries)
// Replacement state is derived from these words at fill time (assembly/tlb/policy.ts), so hits stay one store.
export const TLBE_STAMP: u32 = 16;
export const TLBE_AUX: u32 = 28;
export const TLBE_AUXT: u32 = 32;
export const TLB_COUNT: u32 = 3;                 // 0 = L1 instruction, 1 = L1 data, 2 = unified L2
export const TLB_L1I: u32 = 0;
export const TLB_L1D: u32 = 1;
export const TLB_L2: u32 = 2;
export const TLB_MAX_ENTRIES: u32 = 4096;
export const TLBE_SIZE: u32 = 48;
export const TLB_BASE: usize = 0x20000;
export const TLB_STRIDE: usize = TLB_MAX_ENTRIES * TLBE_SIZE; // 192 KiB per TLB

// Host data cache: direct-mapped, HC_SLOTS slots of HC_SIZE bytes:
//   +0 read tag u64, +8 write tag u64, +16 addend u64 (host address − va), +24 model entry address u32
export const HC_SLOTS: u32 = 1024;
export const HC_SIZE: u32 = 32;
export const HOSTCACHE_BASE: usize = TLB_BASE + TLB_COUNT * TLB_STRIDE;
// A 4 KiB page of zeros that the fetch fast path reads while no code page is valid: zeros decode as the
// illegal compressed parcel 0x0000, whose cold path then performs the real (faulting) fetch. See mmu/mmu.ts.
export const POISON_PAGE: usize = HOSTCACHE_BASE + HC_SLOTS * HC_SIZE + 0x1000;
// x86-64 paging-structure caches (arch/x86-64/walker.ts): PSC_LEVELS tables of PSC_MAX_ENTRIES PSCE_SIZE-byte entries,
// one per non-leaf level (0 = PDE cache, 1 = PDPTE cache, 2 = PML4E cache, 3 = PML5E cache). Entry layout:
//   +0 tag u64 (linear-address bits above the level's span) << 1 | 1, +8 next table base u64, +16 stamp u64 (LRU),
//   +24 rights u32 (bit 0 R/W, bit 1 U/S, bit 2 XD: combined over this entry and the ones above), +28 PCID u32
export const PSC_LEVELS: u32 = 4;
export const PSC_MAX_ENTRIES: u32 = 64;
export const PSCE_SIZE: u32 = 32;
export const PSC_BASE: usize = 0xC0000;
export const RVC_TABLE: usize = 0x100000;
// Trace replay batch: TRACE_CAPACITY u64 page numbers (512 KiB), between the end of RVC_TABLE (0x140000) and RAM.
// Walk tracing (mmu/walk_trace.ts, `mmulab run --trace-walk`): WALK_TRACE_CAPACITY records of WT_RECORD_SIZE bytes
// in the free space between the end of RVC_TABLE (0x140000) and TRACE_BASE.
export const WALK_TRACE_BASE: usize = 0x140000;
export const WALK_TRACE_CAPACITY: u32 = 10240;
export const WT_RECORD_SIZE: u32 = 24;
export const TRACE_BASE: usize = 0x180000;
export const TRACE_CAPACITY: u32 = 65536;
export const RAM_BASE: usize = 0x200000;

// Permission and status bits kept in a TLB entry's meta word (same positions as a RISC-V PTE's low byte, which is
// what the Sv39 walker hands over; other walkers translate into these).
export const PERM_R: u32 = 0x02;
export const PERM_W: u32 = 0x04;
export const PERM_X: u32 = 0x08;
export const PERM_U: u32 = 0x10;
export const PERM_G: u32 = 0x20;
export const PERM_A: u32 = 0x40;
export const PERM_D: u32 = 0x80;

// Counters (u64 at COUNTERS + 8 × index).
export const C_INSTRET: u32 = 0;        // instructions retired
export const C_XCYCLES: u32 = 1;        // cycles beyond the base one per instruction (translation, traps, ...)
export const C_ITLB_ACCESS: u32 = 2;    // L1 instruction TLB lookups
export const C_ITLB_MISS: u32 = 3;
export const C_DTLB_ACCESS: u32 = 4;    // L1 data TLB lookups
export const C_DTLB_MISS: u32 = 5;
export const C_L2_ACCESS: u32 = 6;      // unified L2 TLB lookups (one per L1 miss)
export const C_L2_MISS: u32 = 7;
export const C_WALKS: u32 = 8;          // hardware page-table walks
export const C_WALK_REFS: u32 = 9;      // memory references made by the walker (PTE reads and A/D writes)
export const C_WALK_FAULTS: u32 = 10;   // walks that ended in a page fault
export const C_AD_UPDATES: u32 = 11;    // PTE writes made by the walker to set A or D
export const C_XLATE_CYCLES: u32 = 12;  // cycles charged to translation (subset of C_XCYCLES)
export const C_FLUSHES: u32 = 13;       // invalidations requested (sfence.vma)
export const C_FLUSH_ENTRIES: u32 = 14; // modelled TLB entries invalidated
export const C_TRAPS: u32 = 15;         // traps taken to the kernel (ecall, faults)
export const C_FETCH_SLOW: u32 = 16;    // fetches that took the slow path (page change or page straddle)
export const C_DATA_SLOW: u32 = 17;     // data accesses that missed the host speed cache (for tuning only)
// x86-64 paging-structure caches: hits and misses per cache, + 0 PDE, 1 PDPTE, 2 PML4E, 3 PML5E. A walk consults
// the caches from the PDE cache upward and stops at the first hit; each enabled cache it consults and misses counts.
export const C_PSC_PDE_HIT: u32 = 40;
export const C_PSC_PDPTE_HIT: u32 = 41;
export const C_PSC_PML4E_HIT: u32 = 42;
export const C_PSC_PML5E_HIT: u32 = 43;
export const C_PSC_PDE_MISS: u32 = 44;
export const C_PSC_PDPTE_MISS: u32 = 45;
export const C_PSC_PML4E_MISS: u32 = 46;
export const C_PSC_PML5E_MISS: u32 = 47;
// SPARC (sun4u) software refill (arch/sparc/refill.ts). Every L1 miss is one MMU miss trap (and one C_WALKS); the fast
// handler's TSB probe either hits (a fast miss) or goes to the page-table walk (a slow miss), which either fills
// the TSB or ends in a page fault: MMU_MISS_TRAPS = TSB_HITS + TSB_MISSES, TSB_MISSES = TSB_FILLS + walk faults.
export const C_MMU_MISS_TRAPS: u32 = 80; // fast_{instruction,data}_access_MMU_miss traps taken
export const C_TSB_HITS: u32 = 81;       // TSB probes whose tag matched (fast misses)
export const C_TSB_MISSES: u32 = 82;     // TSB probes that missed: the handler walked the page tables (slow misses)
export const C_TSB_FILLS: u32 = 83;      // slow misses that found a valid PTE and wrote it into the TSB
export const C_PROT_TRAPS: u32 = 84;     // fast_data_access_protection (and privilege) traps on a TLB hit
export const C_HANDLER_INSNS: u32 = 85;  // instructions executed by the modelled miss and protection handlers
export const C_DEMAP_PAGES: u32 = 86;    // demap-page operations (each an I-MMU and a D-MMU demap)
export const C_DEMAP_CONTEXTS: u32 = 87; // demap-context operations and whole-TLB flushes
// POWER hashed page table (arch/power/) and the hashed machine's clustered hashed page table
// (arch/hashed/): where each walk found its translation, segment faults, invalidations.
export const C_HTAB_PRIMARY: u32 = 72;   // HTAB walks that found the HPTE in the primary PTEG
export const C_HTAB_SECONDARY: u32 = 73; // ... in the secondary PTEG (H = 1)
export const C_HTAB_MISS: u32 = 74;      // HTAB walks that found it in neither group (a hash fault to the kernel)
export const C_SLB_MISS: u32 = 75;       // segment faults: SLB misses handled by the modelled OS handler
export const C_TLBIE: u32 = 76;          // tlbie instructions
export const C_SLBIA: u32 = 77;          // slbia instructions (context switches)
export const C_CPT_NODES: u32 = 78;      // clustered table: nodes whose tag the walker compared
export const C_CPT_HOLES: u32 = 79;      // clustered table: walks that found the block's node but no mapping for the page

// VAX (arch/vax/walker.ts): the system half of the translation buffer and the VAX's own fault kinds.
export const C_VAX_STB_HIT: u32 = 88;       // process-PTE fetches whose system translation hit the TB's system half
export const C_VAX_STB_MISS: u32 = 89;      // ... that missed it and read the system page table (one reference)
export const C_VAX_LENGTH_FAULTS: u32 = 90; // length violations (VPN ≥ P0LR or SLR, < P1LR, or no such region)
export const C_VAX_PTE_FAULTS: u32 = 91;    // faults raised while fetching a process PTE (fault parameter bit 1)
// Guarded page tables (arch/guarded/walker.ts).
export const C_GPT_GUARD_BITS: u32 = 92;    // VPN bits matched by guards (bits a radix walk would index level by level)
export const C_GPT_GUARD_FAULTS: u32 = 93;  // walks that ended on a guard mismatch
// MIPS software-refilled TLB (arch/mips/refill.ts): exceptions the modelled OS handlers took, and what they did.
export const C_MIPS_REFILLS: u32 = 64;       // TLB refill exceptions for user addresses (a retaken one counts again)
export const C_MIPS_NESTED: u32 = 65;        // nested misses: the refill's PTE load missed on the linear page table
export const C_MIPS_INVALID: u32 = 66;       // TLB invalid exceptions (TLBL/TLBS on V = 0): page faults to the kernel
export const C_MIPS_MODIFIED: u32 = 67;      // TLB modified exceptions (store to a valid entry with D = 0)
export const C_MIPS_MOD_FAULTS: u32 = 68;    // ... of which the PTE forbade writing: store page faults to the kernel
export const C_MIPS_HANDLER_INSNS: u32 = 69; // instructions of the modelled handlers (refill, nested, Mod)
export const C_MIPS_HANDLER_REFS: u32 = 70;  // their memory references (PTE and root-table reads, PTE writes)
export const C_MIPS_TLB_WRITES: u32 = 71;    // TLBWR and TLBWI executed (by the handlers and by the kernel)

// Configuration words (u64 at CONFIG + 8 × index).
export const K_SETS: u32 = 0;           // + 3 × tlb: sets, ways, policy per TLB
export const K_WAYS: u32 = 1;
export const K_POLICY: u32 = 2;
export const K_COST_L1_HIT: u32 = 9;    // extra cycles per L1 TLB hit (usually 0: overlapped with the access)
export const K_COST_L2_HIT: u32 = 10;   // extra cycles for an L2 TLB hit after an L1 miss
export const K_COST_WALK_REF: u32 = 11; // cycles per walker memory reference
export const K_COST_WALK_BASE: u32 = 12;// fixed cycles to start a walk
export const K_COST_TRAP: u32 = 13;     // cycles for a trap into the kernel and back
export const K_COST_FLUSH: u32 = 14;    // cycles per sfence.vma
export const K_SEED: u32 = 15;          // seed of the random replacement policy
export const K_TIMEBASE_DIV: u32 = 16;  // cycles per tick of the time CSR
export const K_AD_MODE: u32 = 17;       // 0 = hardware updates A/D (Svadu), 1 = fault instead (Svade)
export const K_POLICY_PARAM: u32 = 18;  // + tlb: the policy's parameter (RRIP: RRPV bits M, 0 = default 2;
                                        // reserved for e.g. a wired-entry count); read by tlbConfigure

// x86-64 paging-structure cache sizes (entries, 0 disables; at most PSC_MAX_ENTRIES), + 0 PDE .. 3 PML5E.
// Read when the caches are reset (resetTlbs, setCr4).
export const K_PSC_PDE: u32 = 40;
export const K_PSC_PDPTE: u32 = 41;
export const K_PSC_PML4E: u32 = 42;
export const K_PSC_PML5E: u32 = 43;

// SPARC refill handler instruction counts (arch/sparc/refill.ts; figures and sources in costs/sparc.json), charged
// one cycle each. The pieces of Linux's sun4u handlers: a path is the sum of the pieces it runs (arch/sparc/refill.ts).
export const K_SPARC_PROBE: u32 = 80;    // dtlb_miss.S/itlb_miss.S up to the TSB tag compare and its delay slot
export const K_SPARC_LOAD_D: u32 = 81;   // TSB hit, D side: stxa to ASI_DTLB_DATA_IN, retry
export const K_SPARC_LOAD_I: u32 = 82;   // TSB hit, I side: the _PAGE_EXEC check, stxa to ASI_ITLB_DATA_IN, retry
export const K_SPARC_MISS: u32 = 83;     // tsb_miss_{d,i}tlb to the page-table walk (trap block, pgd_paddr)
export const K_SPARC_FILL: u32 = 84;     // after a valid PTE: TSB_LOCK_TAG, TSB_WRITE, the I/D branch
export const K_SPARC_TAIL_D: u32 = 85;   // tsb_do_fault, D side, up to etrap (the kernel's fault path)
export const K_SPARC_TAIL_I: u32 = 86;   // tsb_do_fault, I side, up to etrap
export const K_SPARC_PROT: u32 = 87;     // dtlb_prot.S up to etrap
// POWER: SLB size (entries, at most SLB_MAX) and the cycles of one SLB miss (segment interrupt, OS handler, rfid);
// clustered table: log2 of the subblock factor (base pages per node). Read when the mode is set.
export const K_SLB_ENTRIES: u32 = 72;
export const K_SLB_MISS_COST: u32 = 73;
export const K_CPT_SUBBLOCK_LOG2: u32 = 74;
// VAX TB system half (arch/vax/walker.ts): sets (a power of two) and ways; 0 ways disables it. Read by resetTlbs.
export const K_VAX_STB_SETS: u32 = 88;
export const K_VAX_STB_WAYS: u32 = 89;
// MIPS refill model costs (arch/mips/refill.ts; defaults with sources in src/arch/mips/mips-*.json). Read when the
// handlers run. Memory references are charged K_COST_WALK_REF each (through the shared walk charge).
export const K_MIPS_EXC_CYCLES: u32 = 64;    // exception entry and return (pipeline drain, vector, ERET/RFE)
export const K_MIPS_REFILL_INSNS: u32 = 65;  // instructions of the user TLB refill handler
export const K_MIPS_NESTED_INSNS: u32 = 66;  // instructions of the general-exception path for a linear-table miss
export const K_MIPS_MOD_INSNS: u32 = 67;     // instructions of the TLB modified handler
export const K_MIPS_INSN_CYCLES: u32 = 68;   // cycles per handler instruction
export const K_MIPS_WIRED: u32 = 69;         // Wired at reset (R3000: the fixed 8; R4000: the Wired register)
// Recording (mmu/record.ts, `mmulab record`): nonzero while every translation is appended to the trace buffer.
// Read only on the slow paths; while it is set the host caches and the fetch fast path stay empty, so every
// access takes a slow path and is recorded.
export const K_RECORD: u32 = 96;

// Translation modes (mmu/mmu.ts xlateMode), one range per machine: the satp MODE values of RISC-V, the x86-64
// modes that a CR3 write under CR4.LA57 = 0 / 1 selects, and the other machines' (set by arch/<machine>/control.ts).
// The operation that sets the mode also selects its walker (mmu/mmu.ts useWalker).
export const XMODE_BARE: u32 = 0;
export const XMODE_SV39: u32 = 8;
export const XMODE_SV48: u32 = 9;
export const XMODE_X86_4L: u32 = 0x40;
export const XMODE_X86_5L: u32 = 0x41;
export const XMODE_SPARC_TSB: u32 = 0x70;   // sun4u: software refill from the TSB and Linux's page tables
export const XMODE_POWER_HASH: u32 = 0x60; // POWER hashed page table behind an SLB (arch/power/control.ts)
export const XMODE_CLUSTERED: u32 = 0x61;  // the hashed machine: clustered hashed page table (arch/hashed/)

// POWER SLB (arch/power/control.ts): SLB_MAX entries of 16 bytes in the POWER / hashed state region:
//   +0 ESID word (ESID << 28 | SLB_ESID_V), +8 VSID word (VSID << 12 | Ks/Kp/N/L flags), as slbmte writes them.
export const SLB_BASE: usize = 0xD0000;
export const SLB_MAX: u32 = 64;
export const XMODE_VAX: u32 = 0x80;      // MTPR #1, #MAPEN on the VAX (arch/vax/control.ts)
export const XMODE_GUARDED: u32 = 0x81;  // a guarded page table's root (arch/guarded/control.ts)
// VAX TB system half: VAX_STB_MAX entries of 16 bytes (arch/vax/walker.ts), in the VAX / guarded state region.
export const VAX_STB_BASE: usize = 0xF0000;
export const VAX_STB_MAX: u32 = 256;
export const XMODE_MIPS_R3000: u32 = 0x50;   // MIPS I: 64 single-page entries, 6-bit PID, 32-bit kuseg
export const XMODE_MIPS_R4000: u32 = 0x51;   // MIPS III: paired entries, 8-bit ASID, 64-bit xuseg

// Replacement policy codes (K_POLICY); each is one module under tlb/policy/, registered in tlb/policy.ts.
export const POLICY_LRU: u32 = 0;
export const POLICY_FIFO: u32 = 1;
export const POLICY_RANDOM: u32 = 2;
export const POLICY_PLRU: u32 = 3;
export const POLICY_NRU: u32 = 4;
export const POLICY_LFU: u32 = 5;
export const POLICY_SRRIP: u32 = 6;
export const POLICY_BRRIP: u32 = 7;
export const POLICY_MRU: u32 = 8;
export const POLICY_MIPS_RANDOM: u32 = 9;
export const NPOLICIES: u32 = 10;

// Why run() returned.
export const EXIT_BUDGET: i32 = 0;      // executed the requested number of instructions
export const EXIT_ECALL: i32 = 1;       // ecall at pc (pc not advanced)
export const EXIT_PAGE_FAULT: i32 = 2;  // trapCause 12/13/15, trapValue = faulting virtual address
export const EXIT_ILLEGAL: i32 = 3;     // trapValue = instruction bits
export const EXIT_BREAKPOINT: i32 = 4;  // ebreak at pc
export const EXIT_ACCESS_FAULT: i32 = 5;// trapCause 1/5/7: physical address outside RAM
export const EXIT_MISALIGNED: i32 = 6;  // trapCause 4/6: misaligned LR/SC/AMO (Linux sends SIGBUS)
export const EXIT_TRACE_FULL: i32 = 7;  // recording: the trace buffer is full; the host flushes it (pc not advanced)

export const CAUSE_FETCH_ACCESS: u32 = 1;
export const CAUSE_MISALIGNED_LOAD: u32 = 4;
export const CAUSE_LOAD_ACCESS: u32 = 5;
export const CAUSE_MISALIGNED_STORE: u32 = 6;
export const CAUSE_STORE_ACCESS: u32 = 7;
export const CAUSE_FETCH_PAGE_FAULT: u32 = 12;
export const CAUSE_LOAD_PAGE_FAULT: u32 = 13;
export const CAUSE_STORE_PAGE_FAULT: u32 = 15;

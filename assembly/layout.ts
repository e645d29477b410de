// The memory layout of one machine instance, defined once. Every offset the host (TypeScript) needs is exported
// from index.ts, so the host never repeats a number (shared/STYLE.md, point 6).
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
//   +0  tag   u64  virtual page base | level << 1 | 1 (valid); the page base's low 12 bits are always zero
//   +8  pbase u64  physical page base
//   +16 stamp u64  time of the last lookup that found or filled the entry (every hit stores it, nothing else)
//   +24 meta  u32  PERM_* bits | ASID << 16
//   +28 aux   u32  policy state (FIFO: fill sequence; RRIP/NRU: RRPV; LFU: hit count)
//   +32 auxt  u64  policy time (RRIP/NRU: when aux was last written; a newer stamp means a hit since)
//   +40       u64  reserved for policies (e.g. a lock bit for wired entries)
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
// illegal compressed parcel 0x0000, whose cold path then performs the real (faulting) fetch. See mmu.ts.
export const POISON_PAGE: usize = HOSTCACHE_BASE + HC_SLOTS * HC_SIZE + 0x1000;
// x86-64 paging-structure caches (walk/x86_64.ts): PSC_LEVELS tables of PSC_MAX_ENTRIES PSCE_SIZE-byte entries,
// one per non-leaf level (0 = PDE cache, 1 = PDPTE cache, 2 = PML4E cache, 3 = PML5E cache). Entry layout:
//   +0 tag u64 (linear-address bits above the level's span) << 1 | 1, +8 next table base u64, +16 stamp u64 (LRU),
//   +24 rights u32 (bit 0 R/W, bit 1 U/S, bit 2 XD: combined over this entry and the ones above), +28 PCID u32
export const PSC_LEVELS: u32 = 4;
export const PSC_MAX_ENTRIES: u32 = 64;
export const PSCE_SIZE: u32 = 32;
export const PSC_BASE: usize = 0xC0000;
export const RVC_TABLE: usize = 0x100000;
// Trace replay batch: TRACE_CAPACITY u64 page numbers (512 KiB), between the end of RVC_TABLE (0x140000) and RAM.
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

// Recording (trace/record.ts, `mmulab record`): nonzero while every translation is appended to the trace buffer.
// Read only on the slow paths; while it is set the host caches and the fetch fast path stay empty, so every
// access takes a slow path and is recorded.
export const K_RECORD: u32 = 96;

// Translation modes (mmu.ts satpMode): the satp MODE values of RISC-V, and the x86-64 modes that a CR3 write under
// CR4.LA57 = 0 / 1 selects. The write that sets the mode also selects its walker (mmu.ts useWalker).
export const XMODE_BARE: u32 = 0;
export const XMODE_SV39: u32 = 8;
export const XMODE_SV48: u32 = 9;
export const XMODE_X86_4L: u32 = 0x40;
export const XMODE_X86_5L: u32 = 0x41;

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
export const NPOLICIES: u32 = 9;

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

// The wasm ⇄ TypeScript contract (shared DESIGN.md, "Contracts"). One instance is one machine: guest RAM, CPU
// state, TLBs, walker state, counters and configuration all live in this instance's linear memory. The host calls
// run(budget) and handles what it returns; nothing crosses the boundary per instruction or per TLB hit.

import {
  STATE_BASE, XREGS, FREGS, COUNTERS, NCOUNTERS, CONFIG, NCONFIG, RAM_BASE, TLB_BASE, TLB_STRIDE, TLBE_SIZE,
  TLB_MAX_ENTRIES, K_SETS, K_WAYS, K_POLICY,
} from "./layout";
import { buildRvcTable } from "./cpu/rvc";
import { cpuRun, exitInsn } from "./cpu/cpu";
import { pc, setPc, instret, setInstret, frm, setFrm, setReservation } from "./cpu/state";
import { fpFlags, setFpFlags } from "./cpu/fpu";
import * as mmu from "./mmu/mmu";
import { tlbConfigure, tlbPageShift, pairEntries } from "./tlb/tlb";
import { pscReset } from "./arch/x86-64/walker";
import { stbReset } from "./arch/vax/walker";
import { setCfg } from "./cost/counters";

export {
  STATE_BASE, XREGS, FREGS, COUNTERS, NCOUNTERS, CONFIG, NCONFIG, RAM_BASE, TLB_BASE, TLB_STRIDE, TLBE_SIZE,
  TLB_MAX_ENTRIES,
  C_INSTRET, C_XCYCLES, C_ITLB_ACCESS, C_ITLB_MISS, C_DTLB_ACCESS, C_DTLB_MISS, C_L2_ACCESS, C_L2_MISS, C_WALKS,
  C_WALK_REFS, C_WALK_FAULTS, C_AD_UPDATES, C_XLATE_CYCLES, C_FLUSHES, C_FLUSH_ENTRIES, C_TRAPS, C_FETCH_SLOW,
  C_DATA_SLOW,
  K_SETS, K_WAYS, K_POLICY, K_COST_L1_HIT, K_COST_L2_HIT, K_COST_WALK_REF, K_COST_WALK_BASE, K_COST_TRAP,
  K_COST_FLUSH, K_SEED, K_TIMEBASE_DIV, K_AD_MODE, K_POLICY_PARAM,
  EXIT_BUDGET, EXIT_ECALL, EXIT_PAGE_FAULT, EXIT_ILLEGAL, EXIT_BREAKPOINT, EXIT_ACCESS_FAULT, EXIT_MISALIGNED,
  PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  CAUSE_FETCH_ACCESS, CAUSE_MISALIGNED_LOAD, CAUSE_LOAD_ACCESS, CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS,
  CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT,
} from "./layout";
// Replacement policies (tlb/policy.ts): each one's code, POLICY_<NAME>, the only list of them. The host derives its
// policy names from these exports (src/machine/wasm.ts policyNames: the name lower-cased, "_" → "-"), in the order
// they are exported here, which is the order the CLI lists them in.
export {
  POLICY_LRU, POLICY_PLRU, POLICY_FIFO, POLICY_RANDOM, POLICY_NRU, POLICY_LFU, POLICY_SRRIP, POLICY_BRRIP, POLICY_MRU,
  POLICY_MIPS_RANDOM, NPOLICIES,
} from "./layout";
// Trace-driven single-TLB replay (src/trace/): the batch buffer and the replay loop.
export { TRACE_BASE, TRACE_CAPACITY } from "./layout";
export { replayPages, replayRecords, replayedRefs, droppedIfetch } from "./trace/replay";
// Recording a guest's references (`mmulab record`): the switch, the buffer's fill and the exit that empties it.
export { K_RECORD, EXIT_TRACE_FULL } from "./layout";
export { recFill, recLost, setRecFill } from "./mmu/record";
// Walk tracing (`mmulab run --trace-walk`, mmu/walk_trace.ts): the buffer, its records' kinds, value formats and
// roles, the switch and the fill the host drains.
export { WALK_TRACE_BASE, WALK_TRACE_CAPACITY, WT_RECORD_SIZE, TLBE_STAMP, TLBE_AUX, TLBE_AUXT } from "./layout";
export {
  WT_BEGIN, WT_END, WT_PAIR, WT_ENTRY, WT_WRITE, WT_PSC, WT_SLB, WT_PTEG, WT_TSB, WT_REFILL, WT_NESTED, WT_MODIFIED,
  WT_STB, WT_HANDLER, WT_NODE, WF_NONE, WF_SV, WF_X86, WF_TTE, WF_HPTE, WF_MIPS1, WF_MIPS3, WF_VAX, WF_GPT, WF_CPT,
  WL_TSB, WL_LINEAR, WL_ROOT, WL_KPT, WL_SYSTEM, WL_HEAD, WL_WORD, WL_HPTE,
  setWalkTrace, setWtFill, wtFill, wtLost,
} from "./mmu/walk_trace";
export { PAIR_ODD } from "./tlb/tlb";
// For --dump-tlb: the TLB entries' page geometry (tlb/tlb.ts tlbGeometry): the smallest page's shift in bits 0..7,
// the shift step per level in bits 8..15, pair entries in bit 16.
export function tlbPageGeometry(): u32 {
  return tlbPageShift(0) | ((tlbPageShift(1) - tlbPageShift(0)) << 8) | (pairEntries ? 1 << 16 : 0);
}
// Trace-driven replay through a whole machine's TLBs and walker.
export { machineReplay, mrStop, MR_DONE, MR_FAULT, MR_CONTROL } from "./trace/machine";

/**
 * Sizes guest RAM to `ramBytes` (a multiple of 4 KiB) and resets the machine. Returns 0, or −1 when the
 * instance cannot hold that much memory, −2 when the static data overlaps the state area (a build error).
 */
export function init(ramBytes: u32): i32 {
  if (__heap_base > STATE_BASE) return -2;
  // One guard page past RAM so a 4-byte fetch at the last parcel of RAM stays inside the instance.
  const need = <u64>RAM_BASE + <u64>ramBytes + 0x1000;
  const have = <u64>memory.size() << 16;
  if (need > have) {
    const pages = <i32>((need - have + 0xFFFF) >> 16);
    if (memory.grow(pages) < 0) return -1;
  }
  memory.fill(STATE_BASE, 0, RAM_BASE - STATE_BASE);
  buildRvcTable();
  // Freshly grown memory is already zero: clear only the part of RAM this instance may have used before.
  const used = have > <u64>RAM_BASE ? min(have, need) - <u64>RAM_BASE : 0;
  memory.fill(RAM_BASE, 0, <usize>used);
  mmu.setRamSize(<u64>ramBytes);
  // Defaults: 32-entry 4-way L1s, 512-entry 4-way L2, LRU; the host reconfigures before running.
  configureTlb(0, 8, 4, 0);
  configureTlb(1, 8, 4, 0);
  configureTlb(2, 128, 4, 0);
  resetTranslation();
  setPc(0); setInstret(0); setFrm(0); setFpFlags(0); setReservation(false, 0, 0);
  return 0;
}

/** Configures TLB t (0 = L1I, 1 = L1D, 2 = L2): sets must be a power of two; 0 ways disables the level. */
export function configureTlb(t: u32, sets: u32, ways: u32, policy: u32): i32 {
  if (t > 2) return -1;
  if (ways > 0 && (sets == 0 || (sets & (sets - 1)) != 0)) return -1;
  if (<u64>sets * ways > TLB_MAX_ENTRIES) return -1;
  setCfg(K_SETS + 3 * t, sets);
  setCfg(K_WAYS + 3 * t, ways);
  setCfg(K_POLICY + 3 * t, policy);
  tlbConfigure(t);
  mmu.hostCacheClear();
  return 0;
}

/** Re-reads replacement seeds and empties every TLB (after the host changes CONFIG). */
export function resetTlbs(): void { resetTranslation(); }

/**
 * The MMU's reset, and that of the translation structures some machines have besides their TLBs, which re-read
 * their sizes from CONFIG: x86-64's paging-structure caches, the VAX TB's system half.
 */
function resetTranslation(): void {
  mmu.mmuReset();
  pscReset();
  stbReset();
}

export function run(budget: u64): i32 { return cpuRun(budget); }

export function getPc(): u64 { return pc; }
export function setPcValue(v: u64): void { setPc(v); }
export function getInstret(): u64 { return instret; }
export function getFcsr(): u32 { return (frm << 5) | (fpFlags & 0x1F); }
export function setFcsr(v: u32): void { setFrm((v >> 5) & 7); setFpFlags(v & 0x1F); }
export function trapCause(): u32 { return mmu.trapCause; }
export function trapValue(): u64 { return mmu.trapValue; }
export function illegalInsn(): u32 { return exitInsn; }
/** Drops the LR reservation (the kernel does this on every trap, as Linux does on context switch). */
export function clearReservation(): void { setReservation(false, 0, 0); }

export function sfenceVma(va: u64, asid: u32, byVa: bool, byAsid: bool): void { mmu.sfenceVma(va, asid, byVa, byAsid); }
/** The last translation fault as the modelled machine raised it (x86-64, POWER, VAX: vector and error code). */
export function trapVector(): u32 { return mmu.trapVector; }
export function pfErrorCode(): u32 { return mmu.trapError; }

// Each machine's control operations (arch/<machine>/control.ts), its page-table and register formats
// (arch/<machine>/format.ts, for the kernel's pmaps: one definition of every bit), and its layout words, counters
// and modes (layout.ts).

// riscv (Sv39 / Sv48): the satp write.
export { setSatp } from "./arch/riscv/control";
export {
  SV_PTE_V, SV_PTE_R, SV_PTE_W, SV_PTE_X, SV_PTE_U, SV_PTE_G, SV_PTE_A, SV_PTE_D, SV_PTE_PPN_SHIFT, SV_PTE_PPN_MASK,
  SV_PTE_RESERVED, SV_PTE_SIZE, SV_PTES_PER_TABLE, SV_SATP_MODE_SHIFT, SV_SATP_ASID_SHIFT, SV39_LEVELS, SV48_LEVELS,
} from "./arch/riscv/format";
export { XMODE_BARE, XMODE_SV39, XMODE_SV48 } from "./layout";

// x86-64: control registers and invalidation instructions, and the paging-structure caches' layout words and
// counters.
export { x86SetCr4 as setCr4, x86WriteCr3 as writeCr3, x86Cr3 as getCr3, x86Invlpg as invlpg, x86Invpcid as invpcid } from "./arch/x86-64/control";
export {
  X86_PTE_P, X86_PTE_RW, X86_PTE_US, X86_PTE_PWT, X86_PTE_PCD, X86_PTE_A, X86_PTE_D, X86_PTE_PS, X86_PTE_G,
  X86_PTE_XD, X86_PTE_ADDR_MASK, X86_PF_P, X86_PF_W, X86_PF_U, X86_PF_RSVD, X86_PF_I, X86_VEC_GP, X86_VEC_PF,
  X86_CR4_LA57, X86_CR4_PCIDE, X86_CR3_NOFLUSH, X86_CR3_BASE, X86_CR3_PCID, X86_LEVELS, X86_LA57_LEVELS,
} from "./arch/x86-64/format";
export {
  C_PSC_PDE_HIT, C_PSC_PDPTE_HIT, C_PSC_PML4E_HIT, C_PSC_PML5E_HIT, C_PSC_PDE_MISS, C_PSC_PDPTE_MISS,
  C_PSC_PML4E_MISS, C_PSC_PML5E_MISS, K_PSC_PDE, K_PSC_PDPTE, K_PSC_PML4E, K_PSC_PML5E, PSC_MAX_ENTRIES,
  XMODE_X86_4L, XMODE_X86_5L,
} from "./layout";

// sparc (sun4u): context switch, demaps, the TSB register, and the refill model's counters, handler figures and
// registers of the last miss.
export { sparcSwitch, sparcDemap, sparcFlushAll, sparcTsbReg } from "./arch/sparc/control";
export { srPointer as sparcTsbPointer, srTagTarget as sparcTagTarget } from "./arch/sparc/refill";
export {
  TTE_V, TTE_SIZE, TTE_PMD_HUGE, TTE_PA, TTE_PA_SHIFT, TTE_EXEC, TTE_MODIFIED, TTE_ACCESSED, TTE_READ, TTE_WRITE,
  TTE_PRESENT, TTE_L, TTE_CP, TTE_CV, TTE_E, TTE_P, TTE_W, TTE_G, TSB_SPLIT, TSB_MIN_BYTES, TSB_MAX_BYTES,
  TSB_ENTRY_BYTES, TSB_TAG_SHIFT, TSB_TAG_LOCK, TSB_TAG_INVALID, SPARC_PT_LEVELS, SPARC_CTX_BITS, SPARC_VA_USER_END,
} from "./arch/sparc/format";
export {
  C_MMU_MISS_TRAPS, C_TSB_HITS, C_TSB_MISSES, C_TSB_FILLS, C_PROT_TRAPS, C_HANDLER_INSNS, C_DEMAP_PAGES,
  C_DEMAP_CONTEXTS, K_SPARC_PROBE, K_SPARC_LOAD_D, K_SPARC_LOAD_I, K_SPARC_MISS, K_SPARC_FILL, K_SPARC_TAIL_D,
  K_SPARC_TAIL_I, K_SPARC_PROT, XMODE_SPARC_TSB,
} from "./layout";

// power (hashed page table behind an SLB): control operations, formats, counters, configuration words, mode, the
// SLB's place.
export {
  powerSetSdr1 as setSdr1, powerSwitchContext as switchContext, powerSlbia as slbia, powerTlbie as tlbie,
  powerSlbWord as slbWord,
} from "./arch/power/control";
export {
  HPTE_V_VALID, HPTE_V_SECONDARY, HPTE_V_LARGE, HPTE_V_BOLTED, HPTE_V_AVPN_SHIFT, HPTE_V_COMPARE, HPTE_R_RPN,
  HPTE_R_R, HPTE_R_C, HPTE_R_M, HPTE_R_N, HPTE_R_PP, HPTE_PP_RW, HPTE_PP_RO, HPTE_AVPN_VA_SHIFT,
  HTAB_MIN_SHIFT, HPTE_SIZE, HPTES_PER_GROUP, PTEG_SIZE, HTAB_HASH_MASK_39,
  DSISR_NOHPTE, DSISR_PROTFAULT, DSISR_ISSTORE, POWER_VEC_DSI, POWER_VEC_DSEG, POWER_VEC_ISI, POWER_VEC_ISEG,
  SLB_ESID_V, SLB_VSID_SHIFT, SLB_VSID_KP, SLB_VSID_N, SLB_NUM_BOLTED, POWER_SID_SHIFT, POWER_VSID_MULTIPLIER_256M,
  POWER_VSID_BITS_256M, POWER_ESID_BITS, POWER_USER_EA_LIMIT,
} from "./arch/power/format";
export {
  C_HTAB_PRIMARY, C_HTAB_SECONDARY, C_HTAB_MISS, C_SLB_MISS, C_TLBIE, C_SLBIA, K_SLB_ENTRIES, K_SLB_MISS_COST,
  XMODE_POWER_HASH, SLB_BASE, SLB_MAX,
} from "./layout";

// hashed (the clustered hashed page table): the table register, its format, counters, subblock word and mode.
export { hashedSetTable } from "./arch/hashed/control";
export {
  HASHED_MAP_V, HASHED_MAP_R, HASHED_MAP_W, HASHED_MAP_X, HASHED_MAP_REF, HASHED_MAP_MOD, HASHED_MAP_FRAME,
  HASHED_NODE_HEADER, HASHED_TAG_VPBN_SHIFT, HASHED_TAG_VALID, HASHED_MAX_SUBBLOCK_LOG2, HASHED_MAX_BUCKETS_LOG2,
} from "./arch/hashed/format";
export { C_CPT_NODES, C_CPT_HOLES, K_CPT_SUBBLOCK_LOG2, XMODE_CLUSTERED } from "./layout";

// vax: MTPR/MFPR on the memory-management registers, TBIA, TBIS, LDPCTX, and the protection-code check
// (PROBER/PROBEW's test); the formats; the system half's geometry words and counters.
export { vaxMtpr, vaxMfpr, vaxLdpctx, vaxSystemTb } from "./arch/vax/control";
export { vaxProtAllows } from "./arch/vax/walker";
export {
  VAX_PTE_V, VAX_PTE_PROT_SHIFT, VAX_PTE_PROT_MASK, VAX_PTE_M, VAX_PFN_MASK, VAX_PAGE_SHIFT, VAX_PROT_NA, VAX_PROT_KW,
  VAX_PROT_UW,
  VAX_PROT_UR, VAX_P1_BASE, VAX_S0_BASE, VAX_MODE_KERNEL, VAX_MODE_USER, VAX_SCB_ACV, VAX_SCB_TNV, VAX_MM_LENGTH,
  VAX_MM_PTEREF, VAX_MM_WRITE, VAX_PR_P0BR, VAX_PR_P0LR, VAX_PR_P1BR, VAX_PR_P1LR, VAX_PR_SBR, VAX_PR_SLR,
  VAX_PR_MAPEN, VAX_PR_TBIA, VAX_PR_TBIS, VAX_LR_MASK,
} from "./arch/vax/format";
export {
  C_VAX_STB_HIT, C_VAX_STB_MISS, C_VAX_LENGTH_FAULTS, C_VAX_PTE_FAULTS, K_VAX_STB_SETS, K_VAX_STB_WAYS, XMODE_VAX,
  VAX_STB_MAX,
} from "./layout";

// guarded: the root register and the invalidation instruction, the entry format, the walker's counters.
export { gptSetRoot, gptInvalidate } from "./arch/guarded/control";
export {
  GPT_V, GPT_LEAF, GPT_R, GPT_W, GPT_X, GPT_A, GPT_D, GPT_SW_WIRED, GPT_GUARD_LEN_SHIFT, GPT_GUARD_LEN_MASK,
  GPT_CHILD_BITS_SHIFT, GPT_CHILD_BITS_MASK,
  GPT_GUARD_SHIFT, GPT_VPN_BITS, GPT_ENTRY_SIZE, GPT_MAX_NODE_BITS,
} from "./arch/guarded/format";
export { C_GPT_GUARD_BITS, C_GPT_GUARD_FAULTS, XMODE_GUARDED } from "./layout";

// mips (R3000 / R4000, software-refilled TLB): context, Wired, Random, TLBP/TLBWI/TLBWR and the kernel's flushes;
// the EntryLo formats and where the OS keeps its tables; the refill model's counters, cost words and modes.
export {
  mipsSetContext, mipsSetWired, mipsRandom, mipsTlbProbe, mipsTlbWriteIndexed, mipsTlbWriteRandom, mipsFlushPage,
  mipsFlushAll, mipsUpdateTlb,
} from "./arch/mips/control";
export {
  MIPS_R3000_ENTRYLO_G, MIPS_R3000_ENTRYLO_V, MIPS_R3000_ENTRYLO_D, MIPS_R3000_ENTRYLO_N, MIPS_R3000_ENTRYLO_RO,
  MIPS_R3000_ENTRYLO_WIRED, MIPS_R3000_ENTRYLO_PFN, MIPS_R4000_ENTRYLO_G, MIPS_R4000_ENTRYLO_V, MIPS_R4000_ENTRYLO_D,
  MIPS_R4000_ENTRYLO_CACHED, MIPS_R4000_ENTRYLO_RO, MIPS_R4000_ENTRYLO_WIRED, MIPS_R4000_ENTRYLO_PFN_SHIFT,
  MIPS_R4000_ENTRYLO_PFN_MASK, MIPS_R3000_USER_TOP, MIPS_R3000_PTEBASE, MIPS_R4000_USER_TOP, MIPS_R4000_PTEBASE,
  MIPS_KSEG0, MIPS_R3000_ASIDS, MIPS_R4000_ASIDS, MIPS_R3000_PTE_BYTES, MIPS_R4000_PTE_BYTES,
} from "./arch/mips/format";
export {
  C_MIPS_REFILLS, C_MIPS_NESTED, C_MIPS_INVALID, C_MIPS_MODIFIED, C_MIPS_MOD_FAULTS, C_MIPS_HANDLER_INSNS,
  C_MIPS_HANDLER_REFS, C_MIPS_TLB_WRITES, K_MIPS_EXC_CYCLES, K_MIPS_REFILL_INSNS, K_MIPS_NESTED_INSNS,
  K_MIPS_MOD_INSNS, K_MIPS_INSN_CYCLES, K_MIPS_WIRED, XMODE_MIPS_R3000, XMODE_MIPS_R4000,
} from "./layout";

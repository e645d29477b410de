// The wasm ⇄ TypeScript contract (shared DESIGN.md, "Contracts"). One instance is one machine: guest RAM, CPU
// state, TLBs, walker state, counters and configuration all live in this instance's linear memory. The host calls
// run(budget) and handles what it returns; nothing crosses the boundary per instruction or per TLB hit.

import {
  STATE_BASE, XREGS, FREGS, COUNTERS, NCOUNTERS, CONFIG, NCONFIG, RAM_BASE, TLB_BASE, TLB_STRIDE, TLBE_SIZE,
  TLB_MAX_ENTRIES, K_SETS, K_WAYS,
} from "./layout";
import { buildRvcTable } from "./cpu/rvc";
import { cpuRun, exitInsn } from "./cpu/cpu";
import { pc, setPc, instret, setInstret, frm, setFrm, setReservation } from "./cpu/state";
import { fpFlags, setFpFlags } from "./cpu/fpu";
import * as mmu from "./mmu/mmu";
import { tlbConfigure } from "./tlb/tlb";

export {
  STATE_BASE, XREGS, FREGS, COUNTERS, NCOUNTERS, CONFIG, NCONFIG, RAM_BASE, TLB_BASE, TLB_STRIDE, TLBE_SIZE,
  TLB_MAX_ENTRIES,
  C_INSTRET, C_XCYCLES, C_ITLB_ACCESS, C_ITLB_MISS, C_DTLB_ACCESS, C_DTLB_MISS, C_L2_ACCESS, C_L2_MISS, C_WALKS,
  C_WALK_REFS, C_WALK_FAULTS, C_AD_UPDATES, C_XLATE_CYCLES, C_FLUSHES, C_FLUSH_ENTRIES, C_TRAPS, C_FETCH_SLOW,
  C_DATA_SLOW,
  K_SETS, K_WAYS, K_POLICY, K_COST_L1_HIT, K_COST_L2_HIT, K_COST_WALK_REF, K_COST_WALK_BASE, K_COST_TRAP,
  K_COST_FLUSH, K_SEED, K_TIMEBASE_DIV, K_AD_MODE,
  POLICY_LRU, POLICY_FIFO, POLICY_RANDOM,
  EXIT_BUDGET, EXIT_ECALL, EXIT_PAGE_FAULT, EXIT_ILLEGAL, EXIT_BREAKPOINT, EXIT_ACCESS_FAULT, EXIT_MISALIGNED,
  PERM_R, PERM_W, PERM_X, PERM_U, PERM_G, PERM_A, PERM_D,
  CAUSE_FETCH_ACCESS, CAUSE_MISALIGNED_LOAD, CAUSE_LOAD_ACCESS, CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS,
  CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT,
} from "./layout";
// Trace-driven single-TLB replay (src/trace/): the batch buffer and the replay loop.
export { TRACE_BASE, TRACE_CAPACITY } from "./layout";
export { replayPages, replayRecords, replayedRefs, droppedIfetch } from "./trace/replay";
// Recording a guest's references (`mmulab record`): the switch, the buffer's fill and the exit that empties it.
export { K_RECORD, EXIT_TRACE_FULL } from "./layout";
export { recFill, recLost, setRecFill } from "./trace/record";
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
  mmu.mmuReset();
  setPc(0); setInstret(0); setFrm(0); setFpFlags(0); setReservation(false, 0, 0);
  return 0;
}

/** Configures TLB t (0 = L1I, 1 = L1D, 2 = L2): sets must be a power of two; 0 ways disables the level. */
export function configureTlb(t: u32, sets: u32, ways: u32, policy: u32): i32 {
  if (t > 2) return -1;
  if (ways > 0 && (sets == 0 || (sets & (sets - 1)) != 0)) return -1;
  if (<u64>sets * ways > TLB_MAX_ENTRIES) return -1;
  store<u64>(CONFIG + ((K_SETS + 3 * t) << 3), sets);
  store<u64>(CONFIG + ((K_WAYS + 3 * t) << 3), ways);
  store<u64>(CONFIG + ((2 + 3 * t) << 3), policy);
  tlbConfigure(t);
  mmu.hostCacheClear();
  return 0;
}

/** Re-reads replacement seeds and empties every TLB (after the host changes CONFIG). */
export function resetTlbs(): void { mmu.mmuReset(); }

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

export { setSatp } from "./mmu/riscv";
export function sfenceVma(va: u64, asid: u32, byVa: bool, byAsid: bool): void { mmu.sfenceVma(va, asid, byVa, byAsid); }

// Replacement policies beyond the first three (tlb/policy.ts) and the per-TLB policy parameter word.
export { POLICY_PLRU, POLICY_NRU, POLICY_LFU, POLICY_SRRIP, POLICY_BRRIP, POLICY_MRU, NPOLICIES, K_POLICY_PARAM } from "./layout";

// x86-64 translation hardware: control registers and invalidation instructions (mmu/x86.ts), the machine's own
// view of the last translation fault, and the paging-structure caches' layout words and counters.
export { x86SetCr4 as setCr4, x86WriteCr3 as writeCr3, x86Cr3 as getCr3, x86Invlpg as invlpg, x86Invpcid as invpcid } from "./mmu/x86";
export function trapVector(): u32 { return mmu.trapVector; }
export function pfErrorCode(): u32 { return mmu.trapError; }
export {
  C_PSC_PDE_HIT, C_PSC_PDPTE_HIT, C_PSC_PML4E_HIT, C_PSC_PML5E_HIT, C_PSC_PDE_MISS, C_PSC_PDPTE_MISS,
  C_PSC_PML4E_MISS, C_PSC_PML5E_MISS, K_PSC_PDE, K_PSC_PDPTE, K_PSC_PML4E, K_PSC_PML5E, PSC_MAX_ENTRIES,
  XMODE_BARE, XMODE_SV39, XMODE_SV48, XMODE_X86_4L, XMODE_X86_5L,
} from "./layout";

// SPARC sun4u translation hardware (mmu/sparc.ts, refill/sparc.ts): context switch, demaps, the TSB register, and
// the refill model's counters, handler figures and registers of the last miss.
export { sparcSwitch, sparcDemap, sparcFlushAll, sparcTsbReg } from "./mmu/sparc";
export { srPointer as sparcTsbPointer, srTagTarget as sparcTagTarget } from "./refill/sparc";
export {
  C_MMU_MISS_TRAPS, C_TSB_HITS, C_TSB_MISSES, C_TSB_FILLS, C_PROT_TRAPS, C_HANDLER_INSNS, C_DEMAP_PAGES,
  C_DEMAP_CONTEXTS, K_SPARC_PROBE, K_SPARC_LOAD_D, K_SPARC_LOAD_I, K_SPARC_MISS, K_SPARC_FILL, K_SPARC_TAIL_D,
  K_SPARC_TAIL_I, K_SPARC_PROT, XMODE_SPARC_TSB,
} from "./layout";

// POWER hashed page table (mmu/power.ts, walk/power_htab.ts) and the clustered hashed page table (mmu/clustered.ts,
// walk/clustered.ts): control operations, counters, configuration words, modes, the SLB's place.
export {
  powerSetSdr1 as setSdr1, powerSwitchContext as switchContext, powerSlbia as slbia, powerTlbie as tlbie,
  powerSlbWord as slbWord,
} from "./mmu/power";
export { clusteredSetTable as setClusteredTable } from "./mmu/clustered";
export {
  C_HTAB_PRIMARY, C_HTAB_SECONDARY, C_HTAB_MISS, C_SLB_MISS, C_TLBIE, C_SLBIA, C_CPT_NODES, C_CPT_HOLES,
  K_SLB_ENTRIES, K_SLB_MISS_COST, K_CPT_SUBBLOCK_LOG2, XMODE_POWER_HASH, XMODE_CLUSTERED, SLB_BASE, SLB_MAX,
} from "./layout";
// VAX translation hardware (mmu/vax.ts): MTPR/MFPR on the memory-management registers, TBIA, TBIS, LDPCTX, and the
// protection-code check (PROBER/PROBEW's test); the system half's geometry words and counters.
export { vaxMtpr, vaxMfpr, vaxLdpctx, vaxSystemTb } from "./mmu/vax";
export { vaxProtAllows } from "./walk/vax";
export {
  C_VAX_STB_HIT, C_VAX_STB_MISS, C_VAX_LENGTH_FAULTS, C_VAX_PTE_FAULTS, K_VAX_STB_SETS, K_VAX_STB_WAYS, XMODE_VAX,
  VAX_STB_MAX,
} from "./layout";

// Guarded page tables (mmu/guarded.ts): the root register and the invalidation instruction, and the walker's counters.
export { gptSetRoot, gptInvalidate } from "./mmu/guarded";
export { C_GPT_GUARD_BITS, C_GPT_GUARD_FAULTS, XMODE_GUARDED } from "./layout";
// MIPS R3000 / R4000 software-refilled TLB (mmu/mips.ts, refill/mips.ts): context, Wired, Random, TLBP/TLBWI/TLBWR
// and the kernel's flushes; the refill model's counters, cost words, modes and Random policy code.
export {
  mipsSetContext, mipsSetWired, mipsRandom, mipsTlbProbe, mipsTlbWriteIndexed, mipsTlbWriteRandom, mipsFlushPage,
  mipsFlushAll, mipsUpdateTlb,
} from "./mmu/mips";
export {
  C_MIPS_REFILLS, C_MIPS_NESTED, C_MIPS_INVALID, C_MIPS_MODIFIED, C_MIPS_MOD_FAULTS, C_MIPS_HANDLER_INSNS,
  C_MIPS_HANDLER_REFS, C_MIPS_TLB_WRITES, K_MIPS_EXC_CYCLES, K_MIPS_REFILL_INSNS, K_MIPS_NESTED_INSNS,
  K_MIPS_MOD_INSNS, K_MIPS_INSN_CYCLES, K_MIPS_WIRED, XMODE_MIPS_R3000, XMODE_MIPS_R4000, POLICY_MIPS_RANDOM,
} from "./layout";

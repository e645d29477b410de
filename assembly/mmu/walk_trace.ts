// Walk tracing (`mmulab run --trace-walk`), a hook of the MMU's slow paths like recording (record.ts): while the
// host has switched it on, every walk or refill appends fixed-size records to a buffer in the state area
// (layout.ts WALK_TRACE_BASE) — its start (va, access), each step the machine's walker or refill model takes
// (entries read with their physical address and value, A/D writes, paging-structure-cache hits, SLB and PTEG
// probes, TSB probes, nested misses, ...) and its end (the page, its size and rights, or the fault, and the
// cycles it cost). Nothing is allocated and nothing runs on the fast paths: walks are slow paths already, and each
// hook is one test of `walkTracing`. The host drains the buffer at every trap and whenever run() exits with
// EXIT_TRACE_FULL, which the fetch slow path raises while fewer than WT_HEADROOM records are free; records that
// find the buffer full (a long stretch without a slow fetch) are counted in wtLost, never written past its end.
//
// Record (WT_RECORD_SIZE bytes): +0 u8 kind (WT_*), +1 u8 format of `b` (WF_*), +2 u16 aux, +4 u32 extra,
// +8 u64 a, +16 u64 b. What each kind puts where:
//   WT_BEGIN    aux access (ACC_*), extra the address-space tag, a va, b the translation mode (XMODE_*)
//   WT_END      aux bit 0 ok, bit 1 access fault, bits 4..7 level; extra PERM_* | refs << 8; a the page's physical
//               base (ok), b the cycles charged to translation during the walk
//   WT_PAIR     a the odd page's word of a pair entry (MIPS R4000: base | PERM_*)
//   WT_ENTRY    aux level (or a WL_* role), a the entry's physical address, b its value (format WF_*)
//   WT_WRITE    aux level (or role), a physical address, b the value written (A/D, R/C, M, D, a TSB fill)
//   WT_PSC      aux the cache (0 PDE .. 3 PML5E), extra 1 hit / 0 miss, a the next table (hit), b rights (hit)
//   WT_SLB      aux the SLB index, extra 0 hit / 1 miss (the handler loaded it) / 2 no segment; a the ESID word,
//               b the VSID word
//   WT_PTEG     aux 0 primary / 1 secondary, extra the matching slot + 1 (0 none), a the group's address, b hash
//   WT_TSB      aux 1 hit / 0 miss, a the 8K TSB pointer, b the tag found there; extra the tag target's low word
//   WT_REFILL   aux the attempt (0, 1 after a nested miss), a Context / XContext (the PTE's virtual address)
//   WT_NESTED   a the linear-table address that missed
//   WT_MODIFIED a va (the TLB modified exception)
//   WT_STB      aux 1 hit / 0 miss, a the system VPN, b the system PTE (hit)
//   WT_HANDLER  extra the handler's instructions
//   WT_NODE     aux 1 tag matched / 0 not, a the node's address, b its tag

import { WALK_TRACE_BASE, WALK_TRACE_CAPACITY, WT_RECORD_SIZE } from "../layout";

export const WT_BEGIN: u32 = 1;
export const WT_END: u32 = 2;
export const WT_PAIR: u32 = 3;
export const WT_ENTRY: u32 = 4;
export const WT_WRITE: u32 = 5;
export const WT_PSC: u32 = 6;
export const WT_SLB: u32 = 7;
export const WT_PTEG: u32 = 8;
export const WT_TSB: u32 = 9;
export const WT_REFILL: u32 = 10;
export const WT_NESTED: u32 = 11;
export const WT_MODIFIED: u32 = 12;
export const WT_STB: u32 = 13;
export const WT_HANDLER: u32 = 14;
export const WT_NODE: u32 = 15;

// Formats of an entry's value, so the host decodes it with the machine's exported bit names (format.ts).
export const WF_NONE: u32 = 0;     // a plain word (a table pointer, a tag)
export const WF_SV: u32 = 1;       // RISC-V Sv39/Sv48 PTE
export const WF_X86: u32 = 2;      // x86-64 paging entry
export const WF_TTE: u32 = 3;      // sun4u TTE
export const WF_HPTE: u32 = 4;     // POWER HPTE doubleword 1 (R, C, N, PP)
export const WF_MIPS1: u32 = 5;    // R3000 EntryLo
export const WF_MIPS3: u32 = 6;    // R4000 EntryLo
export const WF_VAX: u32 = 7;      // VAX PTE
export const WF_GPT: u32 = 8;      // guarded-page-table entry word 0
export const WF_CPT: u32 = 9;      // clustered-table mapping word

// Roles of an entry that is not a level of a radix walk (WT_ENTRY / WT_WRITE aux).
export const WL_TSB: u32 = 0x100;      // the TSB's TTE (SPARC)
export const WL_LINEAR: u32 = 0x101;   // a PTE loaded through the linear page table (MIPS refill)
export const WL_ROOT: u32 = 0x102;     // a root / segment-table entry read by a handler (MIPS)
export const WL_KPT: u32 = 0x103;      // a kernel page-table entry (MIPS R4000 nested miss)
export const WL_SYSTEM: u32 = 0x104;   // a system PTE (VAX SPTE)
export const WL_HEAD: u32 = 0x105;     // a bucket head (clustered table)
export const WL_WORD: u32 = 0x106;     // a mapping word (clustered table)
export const WL_HPTE: u32 = 0x107;     // the matching HPTE (POWER): a its address, b doubleword 1

/** Walk tracing is on (the host's setWalkTrace). Read on slow paths only. */
export let walkTracing: bool = false;
/** Records in the buffer (the host reads and resets it). */
export let wtFill: u32 = 0;
/** Records dropped because the buffer was full. */
export let wtLost: u32 = 0;
/** Free records wanted before an instruction starts: several walks of the longest kind, with margin. */
export const WT_HEADROOM: u32 = 256;

export function setWalkTrace(on: bool): void { walkTracing = on; }
export function setWtFill(n: u32): void { wtFill = n < WALK_TRACE_CAPACITY ? n : WALK_TRACE_CAPACITY; wtLost = 0; }

/**
 * True when the next instruction's walks might not fit. The fetch slow path then exits before the instruction
 * starts, and so do the data slow paths (access.ts) before an access that misses the host cache makes its first
 * lookup: the instruction is then left for the next run, as a trap leaves it, but nothing of it has reached the
 * model but its fetch, which the CPU loop does not count twice (cpu.ts, wtStopped). The host drains and resumes.
 */
@inline export function walkTraceFull(): bool { return walkTracing && wtFill > WALK_TRACE_CAPACITY - WT_HEADROOM; }

/** A data slow path stopped the instruction for the host to drain the buffer (cleared when a run starts). */
export let wtStopped: bool = false;
/** The trap cause such a stop leaves (not a RISC-V cause: the CPU loop turns it into EXIT_TRACE_FULL). */
export const CAUSE_WALK_TRACE_FULL: u32 = 0x100;
export function wtStop(): void { wtStopped = true; }
export function wtStopClear(): void { wtStopped = false; }

/** Appends one record (callers test walkTracing first, so that a walk pays one branch when tracing is off). */
export function wtRecord(kind: u32, fmt: u32, aux: u32, extra: u32, a: u64, b: u64): void {
  if (wtFill >= WALK_TRACE_CAPACITY) { wtLost++; return; }
  const r = WALK_TRACE_BASE + <usize>wtFill * WT_RECORD_SIZE;
  store<u32>(r, (kind & 0xFF) | ((fmt & 0xFF) << 8) | ((aux & 0xFFFF) << 16));
  store<u32>(r, extra, 4);
  store<u64>(r, a, 8);
  store<u64>(r, b, 16);
  wtFill++;
}

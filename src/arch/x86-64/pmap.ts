// x86-64 paging structures (4-level, and 5-level with CR4.LA57), written into guest physical frames as the Intel
// SDM vol. 3A §4.5 lays them out (shared reference x86_64.md §2): 512 eight-byte entries per 4 KiB table; non-leaf
// entries as Linux's _PAGE_TABLE (P, R/W, U/S, A, D); 4 KiB leaves with P, U/S, A, R/W for writable mappings, XD
// for non-executable ones and D after a write, as Linux's protection_map and mk_pte make them (and 2 MiB PDE
// leaves with PS when superpages are on: radix_table.ts promotes and demotes). Every mapping is
// user and non-global. Frames come from the same allocator as user pages (page-table memory is counted); empty
// tables are freed on removal, as FreeBSD's pmap_unwire_ptp does.
//
// Invalidation follows Linux (arch/x86/mm/tlb.c, mm/memory.c):
// - a new translation (not present before) needs none: x86 TLBs never cache non-present entries;
// - an upgrade of a present entry (more rights, same frame) needs none either: the #PF the stale entry causes
//   invalidates it (flush_tlb_fix_spurious_fault is empty on x86);
// - a present entry whose frame changes or whose rights shrink gets INVLPG (ptep_clear_flush);
// - a range (remove, protect) gets one INVLPG per page up to tlb_single_page_flush_ceiling = 33 pages, else a full
//   flush of the address space by reloading CR3 with its own PCID and the no-flush bit clear (flush_tlb_local).
//   INVLPG also drops every paging-structure-cache entry of the PCID, so freed tables need nothing more;
// - clearing A (clearReference) does not flush, as Linux's ptep_clear_flush_young on x86 does not.
// Invalidation by INVLPG only reaches the current PCID: a change to an inactive address space marks it stale
// instead, and its next activation reloads CR3 without the no-flush bit (Linux's per-ASID tlb_gen check).
// Address spaces get PCIDs 1..4095 (CR4.PCIDE = 1); activate is MOV to CR3 with the PCID.
//
// User space is the lower half of the 48-bit space (TASK_SIZE 2^47) under both paging modes: with LA57 Linux keeps
// mmap and the stack below 2^47 unless a program asks for a higher address (DEFAULT_MAP_WINDOW), and the kernel's
// addresses are JavaScript numbers, exact up to 2^53.
//
// The walking, allocation and pv bookkeeping are radix_table.ts's; this file holds the entry format, CR3 and the
// invalidation rules above (the paging modes, CR4 and the PCIDs are mmu.ts's).

import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../vm/vm_prot.js";
import type { PmapContext } from "../../vm/pmap.js";
import { wasmLayout64 } from "../../machine/wasm.js";
import { RadixTablePmap, rightsLost, tableIndex, type PteFormat } from "../radix_table.js";
import { CR3_NOFLUSH, type X86Format, type X86Machine, type X86Mmu } from "./mmu.js";

export { PTES_PER_TABLE, levelSpan } from "../radix_table.js";

// Entry bits (SDM tables 4-15 .. 4-20), as the wasm's walker defines them (assembly/arch/x86-64/format.ts).
const L64 = wasmLayout64();
export const X86_P = L64.X86_PTE_P;
export const X86_RW = L64.X86_PTE_RW;
export const X86_US = L64.X86_PTE_US;
export const X86_A = L64.X86_PTE_A;
export const X86_D = L64.X86_PTE_D;
export const X86_PS = L64.X86_PTE_PS;
export const X86_G = L64.X86_PTE_G;
export const X86_SW_WIRED = 1n << 11n;   // available bit 11: FreeBSD amd64's PG_W (wired)
export const X86_XD = L64.X86_PTE_XD;
export const X86_ADDR_MASK = L64.X86_PTE_ADDR_MASK;   // bits 51:12
/** Non-leaf entries: Linux _PAGE_TABLE. */
export const X86_TABLE = X86_P | X86_RW | X86_US | X86_A | X86_D;

/** Linux arch/x86/mm/tlb.c tlb_single_page_flush_ceiling: longer ranges flush the whole address space. */
export const FLUSH_CEILING = 33;
/** Linux's user address space under 4-level paging, and its default map window under 5-level. */
export const X86_USER_TOP = 2 ** 47;

export const pteAddrOf = (pte: bigint): number => Number(pte & X86_ADDR_MASK);
export const index = tableIndex;

/** Leaf rights for VM_PROT_* (readable whenever present: x86 has no execute-only or write-only pages). */
export function protToPte(prot: number): bigint {
  return (prot & VM_PROT_WRITE ? X86_RW : 0n) | (prot & VM_PROT_EXECUTE ? 0n : X86_XD);
}

export function pteToProt(pte: bigint): number {
  return VM_PROT_READ | (pte & X86_RW ? VM_PROT_WRITE : 0) | (pte & X86_XD ? 0 : VM_PROT_EXECUTE);
}

/** The x86-64 paging entry for the radix engine: R/W grants a right, XD takes one away; PS above level 0 is large. */
export const X86_PTE: PteFormat = {
  valid: X86_P, user: X86_US, accessed: X86_A, dirty: X86_D, wired: X86_SW_WIRED,
  table: X86_TABLE,
  largeLeaf: X86_PS, largeName: "large page", largeMark: X86_PS,
  grants: X86_RW, denies: X86_XD,
  frame: pteAddrOf,
  toFrame: (pa) => BigInt(pa),
  protToPte, pteToProt,
};

export class X86Pmap extends RadixTablePmap {
  readonly pcid: number;
  readonly format: X86Format;
  private stale = true;          // cached translations of this PCID may be out of date: next CR3 load flushes
  protected readonly flushCeiling = FLUSH_CEILING;
  protected readonly flushAllOnFreedTables = false;   // INVLPG drops the PCID's paging-structure caches too
  protected readonly clearReferenceFlushes = false;   // ptep_clear_flush_young does not flush on x86
  protected override readonly mapsLarge = true;        // a PDE with PS maps 2 MiB (SDM table 4-18)

  constructor(ctx: PmapContext, private readonly mmu: X86Mmu) {
    super(ctx, mmu.format.name, mmu.format.levels, X86_PTE);
    this.format = mmu.format;
    this.pcid = mmu.allocatePcid();
  }

  private get cpu(): X86Machine { return this.mmu.machine; }

  /** CR3 value that makes this address space current (PCID in bits 11:0; bit 63 = keep cached translations). */
  get cr3(): bigint { return BigInt(this.root) | BigInt(this.pcid); }

  override get userTop(): number { return X86_USER_TOP; }

  private get active(): boolean { return this.mmu.current === this; }

  /** INVLPG va if this address space is current; otherwise it is flushed when next activated. */
  protected override invalidatePage(va: number): void {
    if (!this.active) { this.stale = true; return; }
    this.stats.flushes++;
    this.cpu.invlpg(va);
  }

  /** Every non-global translation of this PCID: a CR3 reload without the no-flush bit (or at next activation). */
  protected override invalidateAll(): void {
    if (!this.active) { this.stale = true; return; }
    this.stats.flushes++;
    this.cpu.writeCr3(this.cr3);
  }

  /** Nothing for a new entry or an upgrade; INVLPG when a present entry changes frame or loses rights. */
  protected override invalidateEntered(va: number, old: bigint, pte: bigint): void {
    if ((old & X86_P) === 0n) return;
    if (pteAddrOf(old) !== pteAddrOf(pte) || rightsLost(X86_PTE, old, pte)) this.invalidatePage(va);
  }

  override activate(): void {
    this.cpu.writeCr3(this.stale ? this.cr3 : this.cr3 | CR3_NOFLUSH);
    if (this.stale) this.stats.flushes++;
    this.stale = false;
    this.mmu.current = this;
  }

  /** INVPCID single-context: nothing of this PCID may survive into the next address space that gets it. */
  protected override retire(): void {
    this.stats.flushes++;
    this.cpu.invpcid(1, this.pcid, 0);
    if (this.mmu.current === this) this.mmu.current = undefined;
    this.mmu.releasePcid(this.pcid);
  }
}

// RISC-V radix page tables (Sv39, and Sv48 with one more level), written into guest physical frames exactly as
// the privileged spec lays them out (shared reference riscv_sv.md §3): 512 eight-byte PTEs per 4 KiB table, a
// leaf with R/W/X at level 0 (level 1 with superpage promotion, radix.ts), non-leaf PTEs with only V set. The format is data
// (a descriptor of levels and satp mode), as in Spike. Invalidation follows Linux: after installing a translation
// `sfence.vma va` (update_mmu_cache); after removing or changing a range, `sfence.vma va, asid` per page, or
// `sfence.vma x0, asid` when the range exceeds 64 pages (tlb_flush_all_threshold) or page tables were freed.
// Empty page-table pages are freed on removal, as FreeBSD's pmap_unwire_ptp does. The walking, allocation and pv
// bookkeeping are radix.ts's; this file holds the PTE format, satp/ASIDs and the invalidation policy.

import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../vm/vm_prot.js";
import type { PmapContext } from "../../vm/pmap.js";
import { RadixTablePmap, levelSpan, tableIndex, type PteFormat } from "../radix_table.js";

export { PTES_PER_TABLE, levelSpan } from "../radix_table.js";

// PTE bits (riscv_sv.md §3).
export const PTE_V = 1n << 0n;
export const PTE_R = 1n << 1n;
export const PTE_W = 1n << 2n;
export const PTE_X = 1n << 3n;
export const PTE_U = 1n << 4n;
export const PTE_G = 1n << 5n;
export const PTE_A = 1n << 6n;
export const PTE_D = 1n << 7n;
export const PTE_SW_WIRED = 1n << 8n;   // RSW bit 8: kept by this pmap for wired mappings
export const PTE_PPN_SHIFT = 10n;
const PTE_PPN_MASK = (1n << 44n) - 1n;

/** Linux riscv tlb_flush_all_threshold: larger ranges flush the whole address space. */
export const FLUSH_ALL_THRESHOLD = 64;

export interface RadixFormat {
  readonly name: string;
  readonly satpMode: bigint;   // satp.MODE
  readonly levels: number;     // table levels
}

export const SV39: RadixFormat = { name: "riscv-sv39", satpMode: 8n, levels: 3 };
export const SV48: RadixFormat = { name: "riscv-sv48", satpMode: 9n, levels: 4 };

/** Index of va's PTE in its level-`level` table. */
export const vpn = tableIndex;

export function ptePa(pte: bigint): number { return Number((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) * PAGE_SIZE; }

/** Leaf permission bits for VM_PROT_* (write implies read: W without R is a reserved encoding). */
export function protToPte(prot: number): bigint {
  let b = 0n;
  if (prot & (VM_PROT_READ | VM_PROT_WRITE)) b |= PTE_R;
  if (prot & VM_PROT_WRITE) b |= PTE_W;
  if (prot & VM_PROT_EXECUTE) b |= PTE_X;
  return b;
}

export function pteToProt(pte: bigint): number {
  return (pte & PTE_R ? VM_PROT_READ : 0) | (pte & PTE_W ? VM_PROT_WRITE : 0) | (pte & PTE_X ? VM_PROT_EXECUTE : 0);
}

/** The Sv39/Sv48 PTE for the radix engine: non-leaf PTEs carry only V; R or X above level 0 is a superpage. */
export const SV_PTE: PteFormat = {
  valid: PTE_V, user: PTE_U, accessed: PTE_A, dirty: PTE_D, wired: PTE_SW_WIRED,
  table: PTE_V,
  largeLeaf: PTE_R | PTE_X, largeName: "superpage",
  grants: PTE_R | PTE_W | PTE_X, denies: 0n,
  frame: ptePa,
  toFrame: (pa) => BigInt(pa / PAGE_SIZE) << PTE_PPN_SHIFT,
  protToPte, pteToProt,
};

/**
 * ASIDs for one machine (satp.ASID, 16 bits here): handed out in order, never one a live address space holds;
 * a destroyed address space's ASID is flushed (sfence.vma x0, asid) before it is released, so reuse after the
 * counter wraps around (a rollover) is safe without flushing the whole TLB.
 */
export class AsidAllocator {
  private next = 1;
  private readonly live = new Set<number>();
  rollovers = 0;
  constructor(readonly max = 0xFFFF) {}
  allocate(): number {
    for (let tries = 0; tries < this.max; tries++) {
      const a = this.next;
      if (this.next >= this.max) { this.next = 1; this.rollovers++; } else this.next++;
      if (!this.live.has(a)) { this.live.add(a); return a; }
    }
    throw new Error(`all ${this.max} ASIDs are in use`);
  }
  release(a: number): void { this.live.delete(a); }
}

export class RadixPmap extends RadixTablePmap {
  readonly asid: number;
  protected readonly flushCeiling = FLUSH_ALL_THRESHOLD;
  protected readonly flushAllOnFreedTables = true;   // flush_tlb_mm when page tables were freed
  protected readonly clearReferenceFlushes = true;
  protected override readonly mapsLarge = true;   // a leaf PTE at level 1 is a 2 MiB megapage (riscv_sv.md §3)

  constructor(ctx: PmapContext, readonly format: RadixFormat, private readonly asids: AsidAllocator) {
    super(ctx, format.name, format.levels, SV_PTE);
    this.asid = asids.allocate();
  }

  /** satp value for this address space: MODE | ASID | root PPN. */
  get satp(): bigint {
    return (this.format.satpMode << 60n) | (BigInt(this.asid) << 44n) | BigInt(this.root / PAGE_SIZE);
  }

  /** One past the highest user address: the lower half of the canonical space. */
  override get userTop(): number { return levelSpan(this.format.levels) / 2; }

  private sfence(va: number, byVa: boolean, byAsid: boolean): void {
    this.stats.flushes++;
    this.ctx.machine.sfenceVma(va, this.asid, byVa, byAsid);
  }

  override activate(): void { this.ctx.machine.setSatp(this.satp); }

  /** Linux's update_mmu_cache: a local sfence.vma for the address even after an invalid → valid change. */
  protected override invalidateEntered(va: number): void { this.sfence(va, true, false); }
  /** sfence.vma va, asid (flush_tlb_range page by page, flush_tlb_page). */
  protected override invalidatePage(va: number): void { this.sfence(va, true, true); }
  /** sfence.vma x0, asid (flush_tlb_mm). */
  protected override invalidateAll(): void { this.sfence(0, false, true); }
  protected override retire(): void {
    this.invalidateAll();
    this.asids.release(this.asid);
  }
}

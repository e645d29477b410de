// RISC-V radix page tables (Sv39, and Sv48 with one more level), written into guest physical frames exactly as
// the privileged spec lays them out (shared reference riscv_sv.md §3): 512 eight-byte PTEs per 4 KiB table, a
// leaf with R/W/X at level 0 (level 1 with superpage promotion, radix_table.ts), non-leaf PTEs with only V set. The
// format is data (a descriptor of levels and satp mode, mmu.ts), as in Spike. Invalidation follows Linux: after installing a translation
// `sfence.vma va` (update_mmu_cache); after removing or changing a range, `sfence.vma va, asid` per page, or
// `sfence.vma x0, asid` when the range exceeds 64 pages (tlb_flush_all_threshold) or page tables were freed.
// Empty page-table pages are freed on removal, as FreeBSD's pmap_unwire_ptp does. The walking, allocation and pv
// bookkeeping are radix_table.ts's; this file holds the PTE format, satp and the invalidation policy (the modes,
// the CPU's control operations and the ASIDs are mmu.ts's).
// A and D: under Svadu (the default) the walker sets them; under Svade (--ad svade) a walk that needs A, or D for
// a store, faults instead, and the pmap sets them alone before the VM would see the fault (radix_table.ts refill,
// as FreeBSD riscv's pmap_fault), then sfence.vma va as update_mmu_cache does; counted as svade_faults.

import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../vm/vm_prot.js";
import type { PmapContext } from "../../vm/pmap.js";
import { wasmLayout, wasmLayout64 } from "../../machine/wasm.js";
import { RadixTablePmap, levelSpan, tableIndex, type PteFormat } from "../radix_table.js";
import type { RiscvFormat, RiscvMachine, RiscvMmu } from "./mmu.js";

export { PTES_PER_TABLE, levelSpan } from "../radix_table.js";

// PTE bits (riscv_sv.md §3), as the wasm's walker defines them (assembly/arch/riscv/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();
export const PTE_V = L64.SV_PTE_V;
export const PTE_R = L64.SV_PTE_R;
export const PTE_W = L64.SV_PTE_W;
export const PTE_X = L64.SV_PTE_X;
export const PTE_U = L64.SV_PTE_U;
export const PTE_G = L64.SV_PTE_G;
export const PTE_A = L64.SV_PTE_A;
export const PTE_D = L64.SV_PTE_D;
export const PTE_SW_WIRED = 1n << 8n;   // RSW bit 8: kept by this pmap for wired mappings
export const PTE_PPN_SHIFT = BigInt(L.SV_PTE_PPN_SHIFT);
const PTE_PPN_MASK = L64.SV_PTE_PPN_MASK;
// satp (RV64): MODE 63:60, ASID 59:44, root PPN 43:0.
const SATP_MODE_SHIFT = BigInt(L.SV_SATP_MODE_SHIFT);
const SATP_ASID_SHIFT = BigInt(L.SV_SATP_ASID_SHIFT);

/** Linux riscv tlb_flush_all_threshold: larger ranges flush the whole address space. */
export const FLUSH_ALL_THRESHOLD = 64;

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

export class RiscvPmap extends RadixTablePmap {
  readonly asid: number;
  readonly format: RiscvFormat;
  protected readonly flushCeiling = FLUSH_ALL_THRESHOLD;
  protected readonly flushAllOnFreedTables = true;   // flush_tlb_mm when page tables were freed
  protected readonly clearReferenceFlushes = true;
  protected override readonly mapsLarge = true;   // a leaf PTE at level 1 is a 2 MiB megapage (riscv_sv.md §3)

  constructor(ctx: PmapContext, private readonly mmu: RiscvMmu) {
    super(ctx, mmu.format.name, mmu.format.levels, SV_PTE);
    this.format = mmu.format;
    this.asid = mmu.asids.allocate();
  }

  private get cpu(): RiscvMachine { return this.mmu.machine; }

  /** satp value for this address space: MODE | ASID | root PPN. */
  get satp(): bigint {
    const root = BigInt(this.root / PAGE_SIZE);
    return (this.format.satpMode << SATP_MODE_SHIFT) | (BigInt(this.asid) << SATP_ASID_SHIFT) | root;
  }

  /** One past the highest user address: the lower half of the canonical space. */
  override get userTop(): number { return levelSpan(this.format.levels) / 2; }

  private sfence(va: number, byVa: boolean, byAsid: boolean): void {
    this.stats.flushes++;
    this.cpu.sfenceVma(va, this.asid, byVa, byAsid);
  }

  override activate(): void { this.cpu.setSatp(this.satp); }

  /** Under Svade the pmap sets A and D on the walker's faults (radix_table.ts refill); under Svadu the walker does. */
  protected override refModEmulation() { return this.mmu.svade ? { mode: "svade" as const, account: this.mmu.refmod } : undefined; }

  /** Svade's A/D faults and their cycles (the machine's, every address space's). */
  machineCounters(): Record<string, number> { return this.mmu.refmod.counters("svade"); }

  /** Linux's update_mmu_cache: a local sfence.vma for the address even after an invalid → valid change. */
  protected override invalidateEntered(va: number): void { this.sfence(va, true, false); }
  /** sfence.vma va, asid (flush_tlb_range page by page, flush_tlb_page). */
  protected override invalidatePage(va: number): void { this.sfence(va, true, true); }
  /** sfence.vma x0, asid (flush_tlb_mm). */
  protected override invalidateAll(): void { this.sfence(0, false, true); }
  protected override retire(): void {
    this.invalidateAll();
    this.mmu.asids.release(this.asid);
  }
}

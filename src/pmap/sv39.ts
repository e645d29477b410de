// RISC-V radix page tables (Sv39, and Sv48 with one more level), written into guest physical frames exactly as
// the privileged spec lays them out (shared reference riscv_sv.md §3): 512 eight-byte PTEs per 4 KiB table, a
// leaf with R/W/X at level 0 (this pmap maps only 4 KiB pages), non-leaf PTEs with only V set. The format is data
// (a descriptor of levels and satp mode), as in Spike. Invalidation follows Linux: after installing a translation
// `sfence.vma va` (update_mmu_cache); after removing or changing a range, `sfence.vma va, asid` per page, or
// `sfence.vma x0, asid` when the range exceeds 64 pages (tlb_flush_all_threshold) or page tables were freed.
// Empty page-table pages are freed on removal, as FreeBSD's pmap_unwire_ptp does.

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";
import type { VmPage } from "../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "./pmap.js";

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
const PTE_RWX = PTE_R | PTE_W | PTE_X;

export const PTES_PER_TABLE = 512;
/** Linux riscv tlb_flush_all_threshold: larger ranges flush the whole address space. */
export const FLUSH_ALL_THRESHOLD = 64;

export interface RadixFormat {
  readonly name: string;
  readonly satpMode: bigint;   // satp.MODE
  readonly levels: number;     // table levels
}

export const SV39: RadixFormat = { name: "riscv-sv39", satpMode: 8n, levels: 3 };
export const SV48: RadixFormat = { name: "riscv-sv48", satpMode: 9n, levels: 4 };

/** Bytes mapped by one PTE at `level` (0 = 4 KiB). */
export function levelSpan(level: number): number { return 2 ** (12 + 9 * level); }

/** Index of va's PTE in its level-`level` table. */
export function vpn(va: number, level: number): number { return Math.floor(va / levelSpan(level)) % PTES_PER_TABLE; }

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

/** ASIDs for one machine (satp.ASID, 16 bits here). */
export class AsidAllocator {
  private next = 1;
  allocate(): number {
    const a = this.next;
    this.next = this.next >= 0xFFFF ? 1 : this.next + 1;
    return a;
  }
}

/** Pages touched by a range operation, for choosing how to invalidate. */
interface RangeResult {
  min: number;
  max: number;
  count: number;
  freedTables: boolean;
}

/** Leaf visitor: returns the new PTE (0n clears it), or undefined to leave it alone. */
type LeafFn = (pte: bigint, va: number) => bigint | undefined;

export class RadixPmap implements Pmap {
  readonly identity = false;
  readonly kind: string;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly root: number;                      // physical address of the root table
  readonly asid: number;
  private readonly valid = new Map<number, number>(); // table pa → number of valid PTEs in it

  constructor(private readonly ctx: PmapContext, readonly format: RadixFormat, asids: AsidAllocator) {
    this.kind = format.name;
    this.asid = asids.allocate();
    this.root = this.allocTable();
  }

  /** satp value for this address space: MODE | ASID | root PPN. */
  get satp(): bigint {
    return (this.format.satpMode << 60n) | (BigInt(this.asid) << 44n) | BigInt(this.root / PAGE_SIZE);
  }

  /** One past the highest user address: the lower half of the canonical space. */
  get userTop(): number { return levelSpan(this.format.levels) / 2; }

  private allocTable(): number {
    const pa = this.ctx.phys.alloc("pagetable");
    this.valid.set(pa, 0);
    this.stats.tableFrames = this.valid.size;
    return pa;
  }

  private freeTable(pa: number): void {
    this.valid.delete(pa);
    this.ctx.phys.free(pa);
    this.stats.tableFrames = this.valid.size;
  }

  private read(a: number): bigint { return this.ctx.machine.readPhys64(a); }
  private write(a: number, v: bigint): void { this.ctx.machine.writePhys64(a, v); }
  private bump(table: number, by: number): void { this.valid.set(table, (this.valid.get(table) ?? 0) + by); }

  private sfence(va: number, byVa: boolean, byAsid: boolean): void {
    this.stats.flushes++;
    this.ctx.machine.sfenceVma(va, this.asid, byVa, byAsid);
  }

  private checkUser(va: number): void {
    if (!(va >= 0 && va < this.userTop && va % PAGE_SIZE === 0)) throw new Error(`${this.kind}: bad user page ${hex(va)}`);
  }

  /** Address of va's leaf PTE slot, allocating intermediate tables when `alloc`; also the table holding it. */
  private leafSlot(va: number, alloc: boolean): { slot: number; table: number } | undefined {
    let table = this.root;
    for (let level = this.format.levels - 1; level > 0; level--) {
      const slot = table + 8 * vpn(va, level);
      const pte = this.read(slot);
      if ((pte & PTE_V) === 0n) {
        if (!alloc) return undefined;
        const next = this.allocTable();
        this.write(slot, (BigInt(next / PAGE_SIZE) << PTE_PPN_SHIFT) | PTE_V);
        this.bump(table, 1);
        table = next;
      } else if ((pte & (PTE_R | PTE_X)) !== 0n) {
        throw new Error(`${this.kind}: unexpected superpage at ${hex(va)} level ${level}`);
      } else {
        table = ptePa(pte);
      }
    }
    return { slot: table + 8 * vpn(va, 0), table };
  }

  activate(): void { this.ctx.machine.setSatp(this.satp); }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    this.checkUser(va);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const { slot, table } = this.leafSlot(va, true)!;
    const old = this.read(slot);
    let pte = (BigInt(pa / PAGE_SIZE) << PTE_PPN_SHIFT) | PTE_V | PTE_U | PTE_A | protToPte(prot);
    if (access & VM_PROT_WRITE) pte |= PTE_D;
    if (wired) pte |= PTE_SW_WIRED;
    if (old & PTE_V) {
      const oldPa = ptePa(old);
      if (oldPa === pa) pte |= old & (PTE_A | PTE_D);
      else { this.ctx.pageOf(oldPa)?.pvRemove(this, va); this.ctx.pageOf(pa)?.pvAdd(this, va); }
    } else {
      this.bump(table, 1);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    this.write(slot, pte);
    // Linux's update_mmu_cache: a local sfence.vma for the address even after an invalid → valid change.
    this.sfence(va, true, false);
  }

  /** Applies fn to every valid leaf in [sva, eva); prunes tables left empty when `prune`. */
  private visit(sva: number, eva: number, fn: LeafFn, prune: boolean): RangeResult {
    const r: RangeResult = { min: Infinity, max: -Infinity, count: 0, freedTables: false };
    const top = Math.min(eva, this.userTop);
    if (sva < top) this.visitTable(this.root, this.format.levels - 1, 0, sva, top, fn, prune, r);
    return r;
  }

  private visitTable(table: number, level: number, base: number, sva: number, eva: number, fn: LeafFn,
                     prune: boolean, r: RangeResult): void {
    const span = levelSpan(level);
    const i0 = Math.max(0, Math.floor((sva - base) / span));
    const i1 = Math.min(PTES_PER_TABLE - 1, Math.floor((eva - 1 - base) / span));
    for (let i = i0; i <= i1; i++) {
      const slot = table + 8 * i;
      const pte = this.read(slot);
      if ((pte & PTE_V) === 0n) continue;
      const va = base + i * span;
      if (level === 0) {
        const next = fn(pte, va);
        if (next === undefined || next === pte) continue;
        this.write(slot, next);
        if (next === 0n) {
          this.bump(table, -1);
          this.ctx.pageOf(ptePa(pte))?.pvRemove(this, va);
        }
        r.min = Math.min(r.min, va);
        r.max = Math.max(r.max, va);
        r.count++;
        continue;
      }
      const child = ptePa(pte);
      this.visitTable(child, level - 1, va, sva, eva, fn, prune, r);
      if (prune && this.valid.get(child) === 0) {
        this.write(slot, 0n);
        this.bump(table, -1);
        this.freeTable(child);
        r.freedTables = true;
      }
    }
  }

  /** Invalidates after a range operation the way Linux's flush_tlb_range does. */
  private flushAfter(r: RangeResult): void {
    if (r.freedTables) { this.sfence(0, false, true); return; }
    if (r.count === 0) return;
    const pages = (r.max - r.min) / PAGE_SIZE + 1;
    if (pages > FLUSH_ALL_THRESHOLD) { this.sfence(0, false, true); return; }
    for (let va = r.min; va <= r.max; va += PAGE_SIZE) this.sfence(va, true, true);
  }

  remove(sva: number, eva: number): void {
    const r = this.visit(sva, eva, () => 0n, true);
    this.stats.removes += r.count;
    this.flushAfter(r);
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const bits = protToPte(prot);
    const r = this.visit(sva, eva, (pte) => (pte & ~PTE_RWX) | bits, false);
    this.stats.protects += r.count;
    this.flushAfter(r);
  }

  extract(va: number): Translation | undefined {
    if (!(va >= 0 && va < this.userTop)) return undefined;
    const page = va - (va % PAGE_SIZE);
    const s = this.leafSlot(page, false);
    if (!s) return undefined;
    const pte = this.read(s.slot);
    if ((pte & PTE_V) === 0n) return undefined;
    return {
      pa: ptePa(pte) + (va - page),
      prot: pteToProt(pte),
      referenced: (pte & PTE_A) !== 0n,
      modified: (pte & PTE_D) !== 0n,
    };
  }

  /** Rewrites the leaf PTE at va (if present) with fn, then invalidates that page. Returns the old PTE. */
  private updateLeaf(va: number, fn: (pte: bigint) => bigint): bigint {
    const s = this.leafSlot(va, false);
    if (!s) return 0n;
    const pte = this.read(s.slot);
    if ((pte & PTE_V) === 0n) return 0n;
    const next = fn(pte);
    if (next !== pte) {
      this.write(s.slot, next);
      this.sfence(va, true, true);
    }
    return pte;
  }

  private leafPte(va: number): bigint {
    const s = this.leafSlot(va, false);
    return s ? this.read(s.slot) : 0n;
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as RadixPmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else pm.updateLeaf(pv.va, (pte) => (pte & ~PTE_RWX) | (pte & protToPte(prot)));
    }
  }

  isModified(page: VmPage): boolean {
    return page.pv.some((pv) => ((pv.pmap as RadixPmap).leafPte(pv.va) & PTE_D) !== 0n);
  }

  clearModify(page: VmPage): void {
    for (const pv of page.pv) (pv.pmap as RadixPmap).updateLeaf(pv.va, (pte) => pte & ~PTE_D);
  }

  isReferenced(page: VmPage): boolean {
    return page.pv.some((pv) => ((pv.pmap as RadixPmap).leafPte(pv.va) & PTE_A) !== 0n);
  }

  clearReference(page: VmPage): void {
    for (const pv of page.pv) (pv.pmap as RadixPmap).updateLeaf(pv.va, (pte) => pte & ~PTE_A);
  }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void {
    const r = this.visit(0, this.userTop, (pte) => (pte & PTE_SW_WIRED ? undefined : 0n), true);
    this.stats.removes += r.count;
    if (r.count > 0 || r.freedTables) this.sfence(0, false, true);
  }

  destroy(): void {
    const r = this.visit(0, this.userTop, () => 0n, true);
    this.stats.removes += r.count;
    this.freeTable(this.root);
    this.sfence(0, false, true);
  }
}

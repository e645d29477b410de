// x86-64 paging structures (4-level, and 5-level with CR4.LA57), written into guest physical frames as the Intel
// SDM vol. 3A §4.5 lays them out (shared reference x86_64.md §2): 512 eight-byte entries per 4 KiB table; non-leaf
// entries as Linux's _PAGE_TABLE (P, R/W, U/S, A, D); 4 KiB leaves with P, U/S, A, R/W for writable mappings, XD
// for non-executable ones and D after a write, as Linux's protection_map and mk_pte make them. Every mapping is
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

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";
import type { VmPage } from "../vm/vm_page.js";
import type { Pmap, PmapContext, PmapMachine, PmapStats, Translation } from "./pmap.js";

// Entry bits (SDM tables 4-15 .. 4-20).
export const X86_P = 1n << 0n;
export const X86_RW = 1n << 1n;
export const X86_US = 1n << 2n;
export const X86_A = 1n << 5n;
export const X86_D = 1n << 6n;
export const X86_PS = 1n << 7n;
export const X86_G = 1n << 8n;
export const X86_SW_WIRED = 1n << 11n;   // available bit 11: FreeBSD amd64's PG_W (wired)
export const X86_XD = 1n << 63n;
export const X86_ADDR_MASK = 0x000F_FFFF_FFFF_F000n;   // bits 51:12
/** Non-leaf entries: Linux _PAGE_TABLE. */
export const X86_TABLE = X86_P | X86_RW | X86_US | X86_A | X86_D;

const CR4_LA57 = 1n << 12n;
const CR4_PCIDE = 1n << 17n;
const CR3_NOFLUSH = 1n << 63n;

export const PTES_PER_TABLE = 512;
/** Linux arch/x86/mm/tlb.c tlb_single_page_flush_ceiling: longer ranges flush the whole address space. */
export const FLUSH_CEILING = 33;
/** Linux's user address space under 4-level paging, and its default map window under 5-level. */
export const X86_USER_TOP = 2 ** 47;

export interface X86Format {
  readonly name: string;
  readonly levels: number;     // 4, or 5 with LA57
}
export const X86_64: X86Format = { name: "x86-64", levels: 4 };
export const X86_64_LA57: X86Format = { name: "x86-64-la57", levels: 5 };

/** Entries of each paging-structure cache: PDE, PDPTE, PML4E, PML5E (0 disables one). */
export interface PscConfig { pde: number; pdpte: number; pml4e: number; pml5e: number }

/**
 * Default paging-structure-cache sizes. ESTIMATE, not from a vendor document: Intel does not publish them; these
 * are the sizes commonly inferred for Intel Core parts (a 32-entry PDE cache and a few PDPTE/PML4E entries; Barr,
 * Cox and Rixner, "Translation Caching: Skip, Don't Walk (the Page Table)", ISCA 2010, §2 and §3).
 */
export const X86_DEFAULT_PSC: Readonly<PscConfig> = { pde: 32, pdpte: 4, pml4e: 2, pml5e: 2 };

/** What the x86-64 pmap needs from the machine beyond physical memory: the control operations of mmu/x86.ts. */
export interface X86Machine extends PmapMachine {
  setCr4(v: bigint): void;
  writeCr3(v: bigint): void;
  invlpg(va: number): void;
  invpcid(type: number, pcid: number, va: number): boolean;
}

export const pteAddrOf = (pte: bigint): number => Number(pte & X86_ADDR_MASK);
export function levelSpan(level: number): number { return 2 ** (12 + 9 * level); }
export function index(va: number, level: number): number { return Math.floor(va / levelSpan(level)) % PTES_PER_TABLE; }

/** Leaf rights for VM_PROT_* (readable whenever present: x86 has no execute-only or write-only pages). */
export function protToPte(prot: number): bigint {
  return (prot & VM_PROT_WRITE ? X86_RW : 0n) | (prot & VM_PROT_EXECUTE ? 0n : X86_XD);
}

export function pteToProt(pte: bigint): number {
  return VM_PROT_READ | (pte & X86_RW ? VM_PROT_WRITE : 0) | (pte & X86_XD ? 0 : VM_PROT_EXECUTE);
}

/**
 * The per-machine side: CR4 set once (LA57 for 5-level, PCIDE), PCIDs handed out, and which address space is
 * current (INVLPG only reaches the current PCID).
 */
export class X86Mmu {
  private next = 1;
  current: X86Pmap | undefined;
  constructor(readonly machine: X86Machine, readonly format: X86Format) {
    machine.setCr4((format.levels === 5 ? CR4_LA57 : 0n) | CR4_PCIDE);
  }
  allocatePcid(): number {
    const p = this.next;
    this.next = this.next >= 0xFFF ? 1 : this.next + 1;
    return p;
  }
}

interface RangeResult { min: number; max: number; count: number; freedTables: boolean }
type LeafFn = (pte: bigint, va: number) => bigint | undefined;

export class X86Pmap implements Pmap {
  readonly identity = false;
  readonly kind: string;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly root: number;
  readonly pcid: number;
  readonly format: X86Format;
  private stale = true;          // cached translations of this PCID may be out of date: next CR3 load flushes
  private readonly valid = new Map<number, number>(); // table pa → number of present entries in it

  constructor(private readonly ctx: PmapContext, private readonly mmu: X86Mmu) {
    this.format = mmu.format;
    this.kind = mmu.format.name;
    this.pcid = mmu.allocatePcid();
    this.root = this.allocTable();
  }

  private get cpu(): X86Machine { return this.mmu.machine; }

  /** CR3 value that makes this address space current (PCID in bits 11:0; bit 63 = keep cached translations). */
  get cr3(): bigint { return BigInt(this.root) | BigInt(this.pcid); }

  get userTop(): number { return X86_USER_TOP; }

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
  private get active(): boolean { return this.mmu.current === this; }

  /** INVLPG va if this address space is current; otherwise it is flushed when next activated. */
  private invlpg(va: number): void {
    if (!this.active) { this.stale = true; return; }
    this.stats.flushes++;
    this.cpu.invlpg(va);
  }

  /** Every non-global translation of this PCID: a CR3 reload without the no-flush bit (or at next activation). */
  private flushAll(): void {
    if (!this.active) { this.stale = true; return; }
    this.stats.flushes++;
    this.cpu.writeCr3(this.cr3);
  }

  private checkUser(va: number): void {
    if (!(va >= 0 && va < this.userTop && va % PAGE_SIZE === 0)) throw new Error(`${this.kind}: bad user page ${hex(va)}`);
  }

  /** Address of va's PTE, allocating tables above it when `alloc`; also the table holding it. */
  private leafSlot(va: number, alloc: boolean): { slot: number; table: number } | undefined {
    let table = this.root;
    for (let level = this.format.levels - 1; level > 0; level--) {
      const slot = table + 8 * index(va, level);
      const e = this.read(slot);
      if ((e & X86_P) === 0n) {
        if (!alloc) return undefined;
        const next = this.allocTable();
        this.write(slot, BigInt(next) | X86_TABLE);
        this.bump(table, 1);
        table = next;
      } else if (e & X86_PS) {
        throw new Error(`${this.kind}: unexpected large page at ${hex(va)} level ${level}`);
      } else {
        table = pteAddrOf(e);
      }
    }
    return { slot: table + 8 * index(va, 0), table };
  }

  activate(): void {
    this.cpu.writeCr3(this.stale ? this.cr3 : this.cr3 | CR3_NOFLUSH);
    if (this.stale) this.stats.flushes++;
    this.stale = false;
    this.mmu.current = this;
  }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    this.checkUser(va);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const { slot, table } = this.leafSlot(va, true)!;
    const old = this.read(slot);
    let pte = BigInt(pa) | X86_P | X86_US | X86_A | protToPte(prot);
    if (access & VM_PROT_WRITE) pte |= X86_D;
    if (wired) pte |= X86_SW_WIRED;
    let flush = false;
    if (old & X86_P) {
      const oldPa = pteAddrOf(old);
      if (oldPa === pa) {
        pte |= old & (X86_A | X86_D);
        // Rights taken away: the stale entry could still allow them.
        flush = ((old & X86_RW) !== 0n && (pte & X86_RW) === 0n) || ((old & X86_XD) === 0n && (pte & X86_XD) !== 0n);
      } else {
        this.ctx.pageOf(oldPa)?.pvRemove(this, va);
        this.ctx.pageOf(pa)?.pvAdd(this, va);
        flush = true;
      }
    } else {
      this.bump(table, 1);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    this.write(slot, pte);
    if (flush) this.invlpg(va);
  }

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
      const e = this.read(slot);
      if ((e & X86_P) === 0n) continue;
      const va = base + i * span;
      if (level === 0) {
        const next = fn(e, va);
        if (next === undefined || next === e) continue;
        this.write(slot, next);
        if (next === 0n) {
          this.bump(table, -1);
          this.ctx.pageOf(pteAddrOf(e))?.pvRemove(this, va);
        }
        r.min = Math.min(r.min, va);
        r.max = Math.max(r.max, va);
        r.count++;
        continue;
      }
      const child = pteAddrOf(e);
      this.visitTable(child, level - 1, va, sva, eva, fn, prune, r);
      if (prune && this.valid.get(child) === 0) {
        this.write(slot, 0n);
        this.bump(table, -1);
        this.freeTable(child);
        r.freedTables = true;
      }
    }
  }

  /** Invalidates after a range operation the way Linux's flush_tlb_mm_range does. */
  private flushAfter(r: RangeResult): void {
    if (r.count === 0) return;
    const pages = (r.max - r.min) / PAGE_SIZE + 1;
    if (pages > FLUSH_CEILING) { this.flushAll(); return; }
    for (let va = r.min; va <= r.max; va += PAGE_SIZE) this.invlpg(va);
  }

  remove(sva: number, eva: number): void {
    const r = this.visit(sva, eva, () => 0n, true);
    this.stats.removes += r.count;
    this.flushAfter(r);
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const bits = protToPte(prot);
    const r = this.visit(sva, eva, (pte) => (pte & ~(X86_RW | X86_XD)) | bits, false);
    this.stats.protects += r.count;
    this.flushAfter(r);
  }

  extract(va: number): Translation | undefined {
    if (!(va >= 0 && va < this.userTop)) return undefined;
    const page = va - (va % PAGE_SIZE);
    const s = this.leafSlot(page, false);
    if (!s) return undefined;
    const pte = this.read(s.slot);
    if ((pte & X86_P) === 0n) return undefined;
    return {
      pa: pteAddrOf(pte) + (va - page),
      prot: pteToProt(pte),
      referenced: (pte & X86_A) !== 0n,
      modified: (pte & X86_D) !== 0n,
    };
  }

  /** Rewrites the PTE at va (if present) with fn, invalidating the page when `flush`. Returns the old PTE. */
  private updateLeaf(va: number, fn: (pte: bigint) => bigint, flush = true): bigint {
    const s = this.leafSlot(va, false);
    if (!s) return 0n;
    const pte = this.read(s.slot);
    if ((pte & X86_P) === 0n) return 0n;
    const next = fn(pte);
    if (next !== pte) {
      this.write(s.slot, next);
      if (flush) this.invlpg(va);
    }
    return pte;
  }

  private leafPte(va: number): bigint {
    const s = this.leafSlot(va, false);
    return s ? this.read(s.slot) : 0n;
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as X86Pmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else {
        pm.updateLeaf(pv.va, (pte) => (prot & VM_PROT_WRITE ? pte : pte & ~X86_RW) | (prot & VM_PROT_EXECUTE ? 0n : X86_XD));
      }
    }
  }

  isModified(page: VmPage): boolean {
    return page.pv.some((pv) => ((pv.pmap as X86Pmap).leafPte(pv.va) & X86_D) !== 0n);
  }

  clearModify(page: VmPage): void {
    for (const pv of page.pv) (pv.pmap as X86Pmap).updateLeaf(pv.va, (pte) => pte & ~X86_D);
  }

  isReferenced(page: VmPage): boolean {
    return page.pv.some((pv) => ((pv.pmap as X86Pmap).leafPte(pv.va) & X86_A) !== 0n);
  }

  clearReference(page: VmPage): void {
    for (const pv of page.pv) (pv.pmap as X86Pmap).updateLeaf(pv.va, (pte) => pte & ~X86_A, false);
  }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void {
    const r = this.visit(0, this.userTop, (pte) => (pte & X86_SW_WIRED ? undefined : 0n), true);
    this.stats.removes += r.count;
    if (r.count > 0 || r.freedTables) this.flushAll();
  }

  destroy(): void {
    const r = this.visit(0, this.userTop, () => 0n, true);
    this.stats.removes += r.count;
    this.freeTable(this.root);
    // INVPCID single-context: nothing of this PCID may survive into the next address space that gets it.
    this.stats.flushes++;
    this.cpu.invpcid(1, this.pcid, 0);
    if (this.mmu.current === this) this.mmu.current = undefined;
  }
}

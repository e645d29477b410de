// The radix page-table engine shared by every pmap that writes real tables (RISC-V Sv39/Sv48, x86-64 4/5-level):
// 512 eight-byte entries per 4 KiB table, 4 KiB leaves entered by the VM, tables allocated on demand with a count
// of valid entries each and freed once empty (FreeBSD's pmap_unwire_ptp), pv lists kept on the resident pages, and
// range walks that report which pages changed so the architecture can invalidate as its OS does.
// With superpages on (PmapContext.superpages, --page-size 2M) a table whose 512 leaves map one 2 MiB-aligned
// physically contiguous run with the same rights is replaced by one 2 MiB leaf in its parent and freed (FreeBSD's
// pmap_promote_pde); an operation on part of a large leaf first splits it back into a table of 4 KiB leaves with
// the same frames, rights and A/D (pmap_demote_pde). pv entries stay on each 4 KiB page under its own address. An architecture gives
// its entry format as data (PteFormat: valid/A/D/wired bits, frame field, rights encoding) and its address-space
// switch and invalidation policy (the abstract members of RadixTablePmap); walking, allocation, pruning, pv and
// referenced/modified bookkeeping are here, once.

import { wasmLayout } from "../machine/wasm.js";
import { OutOfGuestMemory } from "../vm/phys.js";
import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_NONE, VM_PROT_WRITE, hex } from "../vm/vm_prot.js";
import type { VmPage } from "../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../vm/pmap.js";
import type { RefModEmulation } from "./refmod.js";

/**
 * Entries per table and bytes per entry: the Sv39/Sv48 figures the wasm's walker uses (assembly/arch/riscv/format.ts,
 * 512 eight-byte PTEs in a 4 KiB table); x86-64's paging structures (SDM §4.5) and Linux sparc64's tables at this
 * model's 4 KiB page have the same 512 of 8 bytes.
 */
export const PTES_PER_TABLE = wasmLayout().SV_PTES_PER_TABLE;
const PTE_SIZE = wasmLayout().SV_PTE_SIZE;
const INDEX_BITS = Math.log2(PTES_PER_TABLE);   // 9

/** Bytes mapped by one entry at `level` (0 = 4 KiB). */
export function levelSpan(level: number): number { return 2 ** (12 + INDEX_BITS * level); }

/** The large page the kernel promotes to: one level-1 leaf (2 MiB). */
export const SUPERPAGE_LEVEL = 1;
export const SUPERPAGE_SIZE = levelSpan(SUPERPAGE_LEVEL);

/** Index of va's entry in its level-`level` table. */
export function tableIndex(va: number, level: number): number { return Math.floor(va / levelSpan(level)) % PTES_PER_TABLE; }

/** One architecture's page-table entry, as data for the walker. */
export interface PteFormat {
  readonly valid: bigint;       // V / P: the entry is in use
  readonly user: bigint;        // U / U/S: set in every leaf (all mappings here are user mappings)
  readonly accessed: bigint;    // A
  readonly dirty: bigint;       // D
  readonly wired: bigint;       // software bit this pmap keeps on wired leaves
  /**
   * The software bit that says a leaf is mapped, where it differs from `valid` (Linux sparc64's _PAGE_PRESENT): the
   * reference bit is then emulated by clearing `valid` with `accessed` (pte_mkold clears _PAGE_R, the valid bit),
   * so the next access traps and refill sets both again. Absent: a leaf is mapped when `valid` is set.
   */
  readonly present?: bigint;
  readonly table: bigint;       // flags of a non-leaf entry besides its frame
  readonly largeLeaf: bigint;   // bits that make an upper-level entry a leaf (superpage)
  readonly largeName: string;   // what the architecture calls such a leaf
  readonly largeMark?: bigint;  // bits a leaf gains above level 0 (x86 PS; a RISC-V leaf is a leaf at any level)
  readonly grants: bigint;      // rights bits that allow an access when set (R/W/X; R/W)
  readonly denies: bigint;      // rights bits that forbid an access when set (XD)
  /** Physical address of the frame an entry points at. */
  frame(pte: bigint): number;
  /** Frame field for the frame at pa. */
  toFrame(pa: number): bigint;
  /** Leaf rights bits (among grants | denies) for VM_PROT_*. */
  protToPte(prot: number): bigint;
  pteToProt(pte: bigint): number;
  /**
   * Non-leaf entries, when they differ from leaves (Linux sparc64: a pgd/pud/pmd entry is the next table's bare
   * physical address, present when non-zero). Without it a non-leaf entry is toFrame(pa) | table, present when
   * `valid` is set.
   */
  readonly upper?: {
    present(pte: bigint): boolean;
    frame(pte: bigint): number;
    make(pa: number): bigint;
  };
}

/** The rights of pte intersected with those of prot (pmap_page_protect: never adds a right). */
export function restrictRights(f: PteFormat, pte: bigint, prot: number): bigint {
  const bits = f.protToPte(prot);
  return (pte & ~(f.grants | f.denies)) | (pte & bits & f.grants) | ((pte | bits) & f.denies);
}

/** Whether `next` takes away a right `old` gave (a stale cached copy of `old` would allow too much). */
export function rightsLost(f: PteFormat, old: bigint, next: bigint): boolean {
  return ((old & ~next & f.grants) | (next & ~old & f.denies)) !== 0n;
}

/** Pages touched by a range operation, for choosing how to invalidate. */
export interface RangeResult {
  min: number;
  max: number;
  count: number;
  freedTables: boolean;
  changed?: number[];   // the pages changed, when invalidation goes page by page whatever the range (no ceiling)
}

/** A leaf's slot: the table holding it and its level (0: a 4 KiB leaf), and the slot pointing at that table. */
interface LeafSlot {
  slot: number;
  table: number;
  level: number;
  up: number;      // the slot (one level up) pointing at `table`; -1 for the root
}

/** Leaf visitor: returns the new entry (0n clears it), or undefined to leave it alone. */
type LeafFn = (pte: bigint, va: number) => bigint | undefined;

export abstract class RadixTablePmap implements Pmap {
  readonly identity = false;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly root: number;                      // physical address of the root table
  private readonly valid = new Map<number, number>(); // table pa → number of valid entries in it
  /** Frames of translation structures outside the radix tables (a SPARC TSB), counted in stats.tableFrames. */
  protected otherTableFrames = 0;

  constructor(protected readonly ctx: PmapContext, readonly kind: string, protected readonly levels: number,
              protected readonly pteFormat: PteFormat) {
    this.root = this.allocTable();
  }

  /** One past the highest user address. */
  abstract get userTop(): number;
  abstract activate(): void;
  /** Range invalidation: longer ranges (in pages, first to last touched) get invalidateAll. */
  protected abstract readonly flushCeiling: number;
  /** Whether freeing page-table pages in a range operation calls for invalidateAll. */
  protected abstract readonly flushAllOnFreedTables: boolean;
  /** Whether clearing A invalidates the page. */
  protected abstract readonly clearReferenceFlushes: boolean;
  /** Whether the architecture's walker reads 2 MiB leaves the way this engine writes them. */
  protected readonly mapsLarge: boolean = false;
  /** Invalidates one page of this address space (after a range change or a leaf rewrite). */
  protected abstract invalidatePage(va: number): void;
  /** Invalidates every translation of this address space. */
  protected abstract invalidateAll(): void;
  /** Invalidates after enter replaced `old` (valid or not) with `pte` at va. */
  protected abstract invalidateEntered(va: number, old: bigint, pte: bigint): void;
  /** Last step of destroy, once every table is freed: the address-space identifier must not keep translations. */
  protected abstract retire(): void;
  /**
   * Which referenced/modified bits this machine's pmap emulates by soft faults (refill), now: "svade" (RISC-V
   * Svade: a walk faults where A, or D for a store, is clear), "valid" (the format's `present` bit: a cleared
   * reference took the valid bit away), or none (the walker keeps A/D itself). With the accounting of those faults.
   */
  protected refModEmulation(): { mode: "svade" | "valid"; account: RefModEmulation } | undefined { return undefined; }

  get pageSizes(): readonly number[] | undefined { return this.mapsLarge ? [PAGE_SIZE, SUPERPAGE_SIZE] : undefined; }

  private get promoting(): boolean { return this.mapsLarge && (this.ctx.superpages?.size ?? 0) >= SUPERPAGE_SIZE; }

  private allocTable(): number {
    const pa = this.ctx.phys.alloc("pagetable");
    this.valid.set(pa, 0);
    this.countTableFrames();
    return pa;
  }

  protected countTableFrames(): void { this.stats.tableFrames = this.valid.size + this.otherTableFrames; }

  private freeTable(pa: number): void {
    this.valid.delete(pa);
    this.ctx.phys.free(pa);
    this.countTableFrames();
  }

  private upperPresent(pte: bigint): boolean {
    const u = this.pteFormat.upper;
    return u ? u.present(pte) : (pte & this.pteFormat.valid) !== 0n;
  }
  private upperFrame(pte: bigint): number { return this.pteFormat.upper?.frame(pte) ?? this.pteFormat.frame(pte); }
  private upperEntry(pa: number): bigint {
    const f = this.pteFormat;
    return f.upper ? f.upper.make(pa) : f.toFrame(pa) | f.table;
  }

  /** Whether a leaf maps a page (valid, or present with its valid bit taken away to catch a reference). */
  private leafMapped(pte: bigint): boolean { return (pte & (this.pteFormat.present ?? this.pteFormat.valid)) !== 0n; }

  private read(a: number): bigint { return this.ctx.machine.readPhys64(a); }
  private write(a: number, v: bigint): void { this.ctx.machine.writePhys64(a, v); }
  private bump(table: number, by: number): void { this.valid.set(table, (this.valid.get(table) ?? 0) + by); }

  private checkUser(va: number): void {
    if (!(va >= 0 && va < this.userTop && va % PAGE_SIZE === 0)) throw new Error(`${this.kind}: bad user page ${hex(va)}`);
  }

  /**
   * va's leaf slot, allocating tables above it when `alloc`. A large leaf on the way is split when `demote` (a
   * 4 KiB slot is then returned), else returned as it is with its level.
   */
  private leafSlot(va: number, alloc: boolean, demote = alloc): LeafSlot | undefined {
    const f = this.pteFormat;
    let table = this.root, up = -1;
    for (let level = this.levels - 1; level > 0; level--) {
      const slot = table + PTE_SIZE * tableIndex(va, level);
      const pte = this.read(slot);
      if (!this.upperPresent(pte)) {
        if (!alloc) return undefined;
        const next = this.allocTable();
        this.write(slot, this.upperEntry(next));
        this.bump(table, 1);
        table = next;
      } else if ((pte & f.largeLeaf) !== 0n) {
        if (!demote) return { slot, table, level, up };
        const span = levelSpan(level);
        // Out of frames for the table, the large mapping is gone: look at the now empty slot again.
        if (this.demote(slot, table, level, va - (va % span), pte) === undefined) { level++; continue; }
        table = this.upperFrame(this.read(slot));
      } else {
        table = this.upperFrame(pte);
      }
      up = slot;
    }
    return { slot: table + PTE_SIZE * tableIndex(va, 0), table, level: 0, up };
  }

  /** Removes the pv entries of every 4 KiB page a large leaf at `level` maps from va. */
  private largePvRemove(pte: bigint, va: number, level: number): void {
    const pa = this.pteFormat.frame(pte);
    for (let off = 0; off < levelSpan(level); off += PAGE_SIZE) this.ctx.pageOf(pa + off)?.pvRemove(this, va + off);
  }

  /**
   * pmap_demote_pde: the large leaf `pte` in `slot` (of `table`, at `level`, mapping from `base`) becomes a table
   * of 512 leaves one level down with the same frames, rights, wired and A/D bits. Returns the new table, or
   * undefined when no frame is left for it: the mapping is then removed (the VM refaults it), as FreeBSD does.
   */
  private demote(slot: number, table: number, level: number, base: number, pte: bigint): number | undefined {
    const f = this.pteFormat;
    let next: number;
    try {
      next = this.allocTable();
    } catch (e) {
      if (!(e instanceof OutOfGuestMemory)) throw e;
      this.write(slot, 0n);
      this.bump(table, -1);
      this.largePvRemove(pte, base, level);
      this.stats.removes++;
      this.invalidatePage(base);
      return undefined;
    }
    const pa = f.frame(pte);
    const span = levelSpan(level - 1);
    const attrs = (pte ^ f.toFrame(pa)) & ~(level - 1 === 0 ? f.largeMark ?? 0n : 0n);
    for (let i = 0; i < PTES_PER_TABLE; i++) this.write(next + PTE_SIZE * i, f.toFrame(pa + i * span) | attrs);
    this.valid.set(next, PTES_PER_TABLE);
    this.write(slot, this.upperEntry(next));
    if (this.ctx.superpages) this.ctx.superpages.demotions++;
    // The same translations: only the cached large entry is dropped, so the next operation's own invalidation
    // (by a page inside it) is exact.
    this.invalidatePage(base);
    return next;
  }

  /**
   * pmap_promote_pde: when the full table of 4 KiB leaves under s.up maps one aligned, physically contiguous run
   * with the same rights and wired bit, its parent entry becomes one large leaf (A and D as the union of the
   * leaves': a clean page may then count as modified, never the other way round) and the table is freed.
   */
  private promote(s: LeafSlot): void {
    const f = this.pteFormat;
    const span = levelSpan(SUPERPAGE_LEVEL);
    const first = this.read(s.table);
    const pa = f.frame(first);
    if (pa % span !== 0 || s.up < 0) return;
    const ad = f.accessed | f.dirty;
    const attrs = (first ^ f.toFrame(pa)) & ~ad;
    let seen = 0n;
    for (let i = 0; i < PTES_PER_TABLE; i++) {
      const pte = this.read(s.table + PTE_SIZE * i);
      const at = pa + i * PAGE_SIZE;
      if ((pte & f.valid) === 0n || f.frame(pte) !== at || ((pte ^ f.toFrame(at)) & ~ad) !== attrs) return;
      seen |= pte & ad;
    }
    this.write(s.up, f.toFrame(pa) | attrs | seen | (f.largeMark ?? 0n));
    this.freeTable(s.table);
    this.ctx.superpages!.promotions++;
    // Cached 4 KiB entries of the range and the freed table may be cached: 512 pages is beyond every flush ceiling
    // (Linux flushes the whole range after collapsing a huge page), so the address space is flushed.
    this.invalidateAll();
  }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    this.checkUser(va);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const f = this.pteFormat;
    const s = this.leafSlot(va, true)!;
    const { slot, table } = s;
    const old = this.read(slot);
    let pte = f.toFrame(pa) | f.valid | f.user | f.accessed | f.protToPte(prot);
    if (access & VM_PROT_WRITE) pte |= f.dirty;
    if (wired) pte |= f.wired;
    if (this.leafMapped(old)) {
      const oldPa = f.frame(old);
      if (oldPa === pa) pte |= old & (f.accessed | f.dirty);
      else { this.ctx.pageOf(oldPa)?.pvRemove(this, va); this.ctx.pageOf(pa)?.pvAdd(this, va); }
    } else {
      this.bump(table, 1);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    this.write(slot, pte);
    this.invalidateEntered(va, old, pte);
    if (this.promoting && this.valid.get(table) === PTES_PER_TABLE) this.promote(s);
  }

  /** Applies fn to every valid leaf in [sva, eva); prunes tables left empty when `prune`. */
  private visit(sva: number, eva: number, fn: LeafFn, prune: boolean): RangeResult {
    const r: RangeResult = { min: Infinity, max: -Infinity, count: 0, freedTables: false };
    if (this.flushCeiling === Infinity) r.changed = [];
    const top = Math.min(eva, this.userTop);
    if (sva < top) this.visitTable(this.root, this.levels - 1, 0, sva, top, fn, prune, r);
    return r;
  }

  private visitTable(table: number, level: number, base: number, sva: number, eva: number, fn: LeafFn,
                     prune: boolean, r: RangeResult): void {
    const f = this.pteFormat;
    const span = levelSpan(level);
    const i0 = Math.max(0, Math.floor((sva - base) / span));
    const i1 = Math.min(PTES_PER_TABLE - 1, Math.floor((eva - 1 - base) / span));
    for (let i = i0; i <= i1; i++) {
      const slot = table + PTE_SIZE * i;
      const pte = this.read(slot);
      if (level === 0 ? !this.leafMapped(pte) : !this.upperPresent(pte)) continue;
      const va = base + i * span;
      if (level > 0 && (pte & f.largeLeaf) !== 0n) {
        if (va >= sva && va + span <= eva) {   // the whole large page: one leaf
          const next = fn(pte, va);
          if (next === undefined || next === pte) continue;
          this.write(slot, next);
          if (next === 0n) {
            this.bump(table, -1);
            this.largePvRemove(pte, va, level);
          }
          r.min = Math.min(r.min, va);
          r.max = Math.max(r.max, va);
          r.count++;
          r.changed?.push(va);
          continue;
        }
        if (this.demote(slot, table, level, va, pte) === undefined) continue;   // out of frames: removed
      }
      if (level === 0) {
        const next = fn(pte, va);
        if (next === undefined || next === pte) continue;
        this.write(slot, next);
        if (next === 0n) {
          this.bump(table, -1);
          this.ctx.pageOf(f.frame(pte))?.pvRemove(this, va);
        }
        r.min = Math.min(r.min, va);
        r.max = Math.max(r.max, va);
        r.count++;
        r.changed?.push(va);
        continue;
      }
      const child = this.upperFrame(this.read(slot));
      this.visitTable(child, level - 1, va, sva, eva, fn, prune, r);
      if (prune && this.valid.get(child) === 0) {
        this.write(slot, 0n);
        this.bump(table, -1);
        this.freeTable(child);
        r.freedTables = true;
      }
    }
  }

  /** Invalidates after a range operation: page by page up to flushCeiling pages, else the whole address space. */
  private flushAfter(r: RangeResult): void {
    if (r.freedTables && this.flushAllOnFreedTables) { this.invalidateAll(); return; }
    if (r.count === 0) return;
    const pages = (r.max - r.min) / PAGE_SIZE + 1;
    if (pages > this.flushCeiling) { this.invalidateAll(); return; }
    // Without a ceiling only the pages changed are invalidated: a sparse range (a whole address space at exit)
    // must not cost a demap for every page between its first and last mapping.
    if (r.changed) { for (const va of r.changed) this.invalidatePage(va); return; }
    for (let va = r.min; va <= r.max; va += PAGE_SIZE) this.invalidatePage(va);
  }

  remove(sva: number, eva: number): void {
    const r = this.visit(sva, eva, () => 0n, true);
    this.stats.removes += r.count;
    this.flushAfter(r);
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const f = this.pteFormat;
    const bits = f.protToPte(prot);
    const r = this.visit(sva, eva, (pte) => (pte & ~(f.grants | f.denies)) | bits, false);
    this.stats.protects += r.count;
    this.flushAfter(r);
  }

  extract(va: number): Translation | undefined {
    if (!(va >= 0 && va < this.userTop)) return undefined;
    const f = this.pteFormat;
    const s = this.leafSlot(va - (va % PAGE_SIZE), false);
    if (!s) return undefined;
    const pte = this.read(s.slot);
    if (!this.leafMapped(pte)) return undefined;
    return {
      pa: f.frame(pte) + (va % levelSpan(s.level)),
      prot: f.pteToProt(pte),
      referenced: (pte & f.accessed) !== 0n,
      modified: (pte & f.dirty) !== 0n,
    };
  }

  /** Rewrites the leaf at va (if present) with fn, invalidating the page when `flush`. Returns the old entry. */
  protected updateLeaf(va: number, fn: (pte: bigint) => bigint, flush = true): bigint {
    let s = this.leafSlot(va, false);
    if (!s) return 0n;
    if (s.level > 0) {   // a change to one page of a large one splits it first
      const large = this.read(s.slot);
      if (fn(large) === large) return large;
      s = this.leafSlot(va, false, true);
      if (!s) return 0n;
    }
    const pte = this.read(s.slot);
    if (!this.leafMapped(pte)) return 0n;
    const next = fn(pte);
    if (next !== pte) {
      this.write(s.slot, next);
      if (flush) this.invalidatePage(va);
    }
    return pte;
  }

  private leafPte(va: number): bigint {
    const s = this.leafSlot(va, false);
    return s ? this.read(s.slot) : 0n;
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as RadixTablePmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else pm.updateLeaf(pv.va, (pte) => restrictRights(pm.pteFormat, pte, prot));
    }
  }

  isModified(page: VmPage): boolean {
    return page.pv.some((pv) => { const pm = pv.pmap as RadixTablePmap; return (pm.leafPte(pv.va) & pm.pteFormat.dirty) !== 0n; });
  }

  clearModify(page: VmPage): void {
    for (const pv of page.pv) {
      const pm = pv.pmap as RadixTablePmap;
      pm.updateLeaf(pv.va, (pte) => pte & ~pm.pteFormat.dirty);
    }
  }

  isReferenced(page: VmPage): boolean {
    return page.pv.some((pv) => { const pm = pv.pmap as RadixTablePmap; return (pm.leafPte(pv.va) & pm.pteFormat.accessed) !== 0n; });
  }

  clearReference(page: VmPage): void {
    for (const pv of page.pv) {
      const pm = pv.pmap as RadixTablePmap;
      const f = pm.pteFormat;
      pm.updateLeaf(pv.va, (pte) => pte & ~(f.present ? f.accessed | f.valid : f.accessed), pm.clearReferenceFlushes);
    }
  }

  /**
   * The soft fault of an emulated bit (refModEmulation), resolved without the VM: a mapped leaf whose rights allow
   * the access but which lacks what the hardware needs to use it for that access — under Svade A, and D for a
   * store (FreeBSD riscv's pmap_fault; Linux reaches the same in handle_pte_fault); with a `present` format the
   * valid bit clearReference took (Linux sparc64's pte_mkyoung in the fault path; a store also makes the page
   * dirty, as that fault path does). The leaf gains them and is entered again as after any fault (update_mmu_cache).
   */
  refill(va: number, access: number): boolean {
    const e = this.refModEmulation();
    if (!e || !(va >= 0 && va < this.userTop)) return false;
    const f = this.pteFormat;
    const page = va - (va % PAGE_SIZE);
    const s = this.leafSlot(page, false, false);
    if (!s) return false;
    const pte = this.read(s.slot);
    if (!this.leafMapped(pte) || (f.pteToProt(pte) & access) !== access) return false;
    const write = (access & VM_PROT_WRITE) !== 0;
    if (e.mode === "valid" ? (pte & f.valid) !== 0n : (pte & f.accessed) !== 0n && (!write || (pte & f.dirty) === f.dirty)) return false;
    const next = pte | f.valid | f.accessed | (write ? f.dirty : 0n);
    this.write(s.slot, next);
    this.invalidateEntered(page, pte, next);
    e.account.charge();
    return true;
  }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void {
    const wired = this.pteFormat.wired;
    const r = this.visit(0, this.userTop, (pte) => (pte & wired ? undefined : 0n), true);
    this.stats.removes += r.count;
    if (r.count > 0 || r.freedTables) this.invalidateAll();
  }

  destroy(): void {
    const r = this.visit(0, this.userTop, () => 0n, true);
    this.stats.removes += r.count;
    this.freeTable(this.root);
    this.retire();
  }
}

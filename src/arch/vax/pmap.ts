// VAX-11/780 page tables (shared reference vax.md), written into guest physical frames as the hardware reads them:
// one system page table (SPT, physical, at SBR) and per process a P0 table (program region, grows up from 0) and a
// P1 table (control region, grows down from 2^31), both linear arrays of 32-bit PTEs that live in system virtual
// space: the SPT maps the frames that hold them, and the walker fetches a process PTE through that mapping.
//
// As 4.3BSD does with its page clusters (CLSIZE), a kernel page of 4 KiB is 8 hardware pages: enter writes 8 PTEs.
// PTEs carry V, the 4-bit protection code (UW for writable user pages, UR for read-only ones: 4.3BSD's PG_UW and
// PG_URKR; the VAX has no execute protection), M (set by the hardware on the first write) and the frame number; an
// unmapped page's PTE is 0 (protection NA), and software bit 21 marks wired pages (BSD keeps software state in
// bits 25:21). The VAX keeps no referenced bit; like 4.3BSD, clearReference simulates one by clearing V while the
// PTE keeps its frame (software bit 22 says the page is still mapped) and TBIS'ing it: the next access is a TNV
// fault, which the pmap resolves alone (refill: 4.3BSD's fast reclaim in locore's TNV handler) by setting V again,
// counted and charged as a soft fault (src/arch/refmod.ts); V set means referenced. M is the hardware's.
//
// System virtual space is laid out as VMS lays out its balance slots: up to VAX_PROCESS_SLOTS fixed windows, each
// holding one process's P0 table and its P1 table, each with room for its whole region (8 MiB of table, 16384
// system pages), so any user address can be mapped. The SPT covers the slots in use so far (128 KiB of SPT per
// slot); a new slot
// beyond them moves the SPT to a larger physically contiguous run (MTPR SBR, SLR, then TBIA). A page of page table
// (one 4 KiB frame, 1024 PTEs, mapping 512 KiB) is allocated on first use and its 8 system PTEs made valid (KW),
// freed when its last mapping goes. The length registers grow with the mappings, as
// 4.3BSD grows the data and stack regions: P0LR covers the highest P0 page mapped, P1LR the lowest P1 page.
//
// Invalidation follows 4.3BSD: a context switch is LDPCTX (the process half of the TB goes, system translations
// stay); after a valid PTE changes, MTPR TBIS for each hardware page of the cluster (newptes), or MTPR TBIA when a
// range operation touched more than one cluster (newptes flushes everything from 8 pages up); a new translation
// over an invalid PTE needs none (the TB never holds invalid PTEs). Changes to an inactive process need none:
// its entries left the TB at the switch. Freeing a page of page table invalidates its 8 system PTEs and TBIS's
// their system addresses, as BSD does after editing Sysmap entries.

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXECUTE, hex } from "../../vm/vm_prot.js";
import type { VmPage } from "../../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../../vm/pmap.js";
import { wasmLayout } from "../../machine/wasm.js";
import {
  P0_WINDOW_PAGES, P1_WINDOW_PAGES, P1_WINDOW_VPNS, PR_P0LR, PR_P1LR, PR_TBIA, PR_TBIS, REGION_PAGES, SLOT_PAGES, VAX_PAGE,
  type VaxMachine, type VaxMmu, readU32, writeU32,
} from "./mmu.js";

export const CLSIZE = PAGE_SIZE / VAX_PAGE;                // hardware pages per kernel page
const PTES_PER_FRAME = PAGE_SIZE / 4;                      // 1024: one frame of page table maps 512 KiB

// PTE fields (vax.md §3), as the wasm's walker defines them (assembly/arch/vax/format.ts).
const L = wasmLayout();
export const PG_V = L.VAX_PTE_V;
export const PG_PROT_SHIFT = L.VAX_PTE_PROT_SHIFT;
const PG_PROT_MASK = L.VAX_PTE_PROT_MASK;   // after the shift
export const PG_M = L.VAX_PTE_M;
export const PG_WIRED = 1 << 21;                           // software bit (25:21 are not used for translation)
export const PG_NOREF = 1 << 22;                           // software: mapped, V cleared to catch the next reference
const MAPPED = (PG_V | PG_NOREF) >>> 0;
export const PG_PFNUM = L.VAX_PFN_MASK;
export const PROT_NA = L.VAX_PROT_NA, PROT_KW = L.VAX_PROT_KW, PROT_UW = L.VAX_PROT_UW, PROT_UR = L.VAX_PROT_UR;

// Regions: VA<31:30>.
export const P1_BASE = L.VAX_P1_BASE;
export const S0_BASE = L.VAX_S0_BASE;

/** Lowest P1 address a process can map (its P1 window's reach). */
export const P1_WINDOW_BASE = S0_BASE - P1_WINDOW_VPNS * VAX_PAGE;

/** Leaf protection code for VM_PROT_* (no execute protection: execute needs read). */
export function protToCode(prot: number): number {
  if (prot & VM_PROT_WRITE) return PROT_UW;
  if (prot & (VM_PROT_READ | VM_PROT_EXECUTE)) return PROT_UR;
  return PROT_NA;
}

export function codeToProt(code: number): number {
  if (code === PROT_UW) return VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE;
  if (code === PROT_UR) return VM_PROT_READ | VM_PROT_EXECUTE;
  return VM_PROT_NONE;
}

const codeOf = (pte: number): number => (pte >>> PG_PROT_SHIFT) & PG_PROT_MASK;
/** pte with its protection code replaced (a signed 32-bit result, as `|` gives it). */
const withCode = (pte: number, code: number): number =>
  (pte & ~(PG_PROT_MASK << PG_PROT_SHIFT)) | (code << PG_PROT_SHIFT);

/** One page of page table: its frame and how many of its clusters are mapped. */
interface TablePage { pa: number; valid: number }

/** Where a kernel page's 8 PTEs are: region, the page-of-table index in the window, the first PTE's index in it. */
interface Slot { p1: boolean; table: number; index: number }

export class VaxPmap implements Pmap {
  readonly kind = "vax";
  readonly identity = false;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly slot: number;
  readonly p0br: number;                       // S0 address of the P0 table
  readonly p1br: number;                       // biased: the PTE of P1 VPN v is at p1br + 4·v
  p0lr = 0;                                    // P0 pages covered by the table
  p1lr = REGION_PAGES;                         // P1 pages below this VPN do not exist
  private readonly p0Tables = new Map<number, TablePage>();   // page-of-table index in the P0 window
  private readonly p1Tables = new Map<number, TablePage>();   // ... in the P1 window
  private readonly p0Svpn: number;             // system VPN of the P0 window's first page
  private readonly p1Svpn: number;

  constructor(private readonly ctx: PmapContext, private readonly mmu: VaxMmu) {
    this.slot = mmu.allocateSlot(ctx.phys, this);
    this.p0Svpn = this.slot * SLOT_PAGES;
    this.p1Svpn = this.p0Svpn + P0_WINDOW_PAGES;
    this.p0br = S0_BASE + this.p0Svpn * VAX_PAGE;
    const p1WindowEnd = S0_BASE + (this.p1Svpn + P1_WINDOW_PAGES) * VAX_PAGE;
    this.p1br = p1WindowEnd - 4 * REGION_PAGES;
  }

  private get machine(): VaxMachine { return this.mmu.machine; }
  private get active(): boolean { return this.mmu.current === this; }

  /** One past the highest user address: the end of P1. */
  get userTop(): number { return S0_BASE; }

  // ---- locating PTEs ----

  private locate(va: number): Slot | undefined {
    if (va < 0 || va >= S0_BASE) return undefined;
    if (va < P1_BASE) {
      const vpn = va / VAX_PAGE;
      return { p1: false, table: Math.floor(vpn / PTES_PER_FRAME), index: vpn % PTES_PER_FRAME };
    }
    if (va < P1_WINDOW_BASE) return undefined;
    const w = (va - P1_WINDOW_BASE) / VAX_PAGE;   // PTE index within the P1 window
    return { p1: true, table: Math.floor(w / PTES_PER_FRAME), index: w % PTES_PER_FRAME };
  }

  private tables(p1: boolean): Map<number, TablePage> { return p1 ? this.p1Tables : this.p0Tables; }

  /** System VPN of the first of the 8 system pages that map page-of-table `table`. */
  private tableSvpn(p1: boolean, table: number): number { return (p1 ? this.p1Svpn : this.p0Svpn) + table * CLSIZE; }

  private tablePage(s: Slot, alloc: boolean): TablePage | undefined {
    const map = this.tables(s.p1);
    let t = map.get(s.table);
    if (t || !alloc) return t;
    const pa = this.ctx.phys.alloc("pagetable");
    t = { pa, valid: 0 };
    map.set(s.table, t);
    const svpn = this.tableSvpn(s.p1, s.table);
    for (let i = 0; i < CLSIZE; i++) this.mmu.writeSpte(svpn + i, PG_V | (PROT_KW << PG_PROT_SHIFT) | (pa / VAX_PAGE + i));
    this.stats.tableFrames = this.p0Tables.size + this.p1Tables.size;
    return t;
  }

  private freeTablePage(p1: boolean, table: number, t: TablePage): void {
    const svpn = this.tableSvpn(p1, table);
    for (let i = 0; i < CLSIZE; i++) {
      this.mmu.writeSpte(svpn + i, PROT_KW << PG_PROT_SHIFT);
      this.stats.flushes++;
      this.mmu.mtpr(PR_TBIS, S0_BASE + (svpn + i) * VAX_PAGE);
    }
    this.tables(p1).delete(table);
    this.ctx.phys.free(t.pa);
    this.stats.tableFrames = this.p0Tables.size + this.p1Tables.size;
  }

  private pteAddr(t: TablePage, index: number, i: number): number { return t.pa + 4 * (index + i); }
  private readPte(t: TablePage, index: number, i = 0): number { return readU32(this.machine, this.pteAddr(t, index, i)); }
  private writePte(t: TablePage, index: number, i: number, v: number): void { writeU32(this.machine, this.pteAddr(t, index, i), v); }

  /** The 8 PTEs of the kernel page at va, or undefined where no page of table exists. */
  private cluster(va: number): { t: TablePage; s: Slot } | undefined {
    const s = this.locate(va);
    if (!s) return undefined;
    const t = this.tablePage(s, false);
    return t ? { t, s } : undefined;
  }

  // ---- invalidation ----

  /** TBIS for each hardware page of the kernel page at va (only the current process's entries can be cached). */
  private invalidateCluster(va: number): void {
    if (!this.active) return;
    for (let i = 0; i < CLSIZE; i++) {
      this.stats.flushes++;
      this.mmu.mtpr(PR_TBIS, va + i * VAX_PAGE);
    }
  }

  private invalidateAll(): void {
    if (!this.active) return;
    this.stats.flushes++;
    this.mmu.mtpr(PR_TBIA, 0);
  }

  /** Loads the length registers when they changed and this process is current. */
  private setLengths(p0lr: number, p1lr: number): void {
    if (p0lr === this.p0lr && p1lr === this.p1lr) return;
    if (this.active && p0lr !== this.p0lr) this.mmu.mtpr(PR_P0LR, p0lr);
    if (this.active && p1lr !== this.p1lr) this.mmu.mtpr(PR_P1LR, p1lr);
    this.p0lr = p0lr;
    this.p1lr = p1lr;
  }

  // ---- the pmap interface ----

  activate(): void {
    this.stats.flushes++;
    this.machine.vaxLdpctx(this.p0br >>> 0, this.p0lr, this.p1br >>> 0, this.p1lr);
    this.mmu.current = this;
  }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    if (!(va % PAGE_SIZE === 0 && va >= 0 && va < S0_BASE)) throw new Error(`vax: bad user page ${hex(va)}`);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    const s = this.locate(va);
    if (!s) throw new Error(`vax: ${hex(va)} has no page-table window`);
    this.stats.enters++;
    const t = this.tablePage(s, true)!;
    const old = this.readPte(t, s.index);
    let pte = PG_V | (protToCode(prot) << PG_PROT_SHIFT) | (wired ? PG_WIRED : 0);
    let m = access & VM_PROT_WRITE ? PG_M : 0;
    const oldPa = (old & PG_PFNUM) * VAX_PAGE;
    if (old & MAPPED) {
      if (oldPa === pa) { for (let i = 0; i < CLSIZE; i++) m |= this.readPte(t, s.index, i) & PG_M; }
      else { this.ctx.pageOf(oldPa)?.pvRemove(this, va); this.ctx.pageOf(pa)?.pvAdd(this, va); }
    } else {
      t.valid++;
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    // M is per hardware page; a kernel page written through any of them is modified as a whole (BSD's distcl).
    for (let i = 0; i < CLSIZE; i++) this.writePte(t, s.index, i, (pte | m | (pa / VAX_PAGE + i)) >>> 0);
    pte |= m;
    const vpn = (va % P1_BASE) / VAX_PAGE;
    this.setLengths(s.p1 ? this.p0lr : Math.max(this.p0lr, vpn + CLSIZE), s.p1 ? Math.min(this.p1lr, vpn) : this.p1lr);
    // Any change of rights is invalidated, gained ones too: the kernel enters added rights only at the fault
    // they cause, and a TB entry kept with the old code would fault again forever (4.3BSD's tbiscl after a PTE change).
    if ((old & PG_V) && (oldPa !== pa || codeOf(old) !== codeOf(pte))) this.invalidateCluster(va);
  }

  /**
   * Applies fn to each mapped kernel page in [sva, eva): fn returns the new first PTE (0 removes the page) or
   * undefined to leave it. Returns the pages changed; frees pages of table left empty when `prune`.
   */
  private visit(sva: number, eva: number, fn: (pte: number, va: number) => number | undefined, prune: boolean): number {
    let changed = 0;
    for (const p1 of [false, true]) {
      const base = p1 ? P1_WINDOW_BASE : 0;
      const span = PTES_PER_FRAME * VAX_PAGE;
      for (const [table, t] of [...this.tables(p1)].sort((a, b) => a[0] - b[0])) {
        const tva = base + table * span;
        if (tva >= eva || tva + span <= sva) continue;
        for (let index = 0; index < PTES_PER_FRAME; index += CLSIZE) {
          const va = tva + index * VAX_PAGE;
          if (va < sva || va >= eva) continue;
          const pte = this.readPte(t, index);
          if ((pte & MAPPED) === 0) continue;
          const next = fn(pte, va);
          if (next === undefined) continue;
          changed++;
          if (next === 0) {
            for (let i = 0; i < CLSIZE; i++) this.writePte(t, index, i, 0);
            t.valid--;
            this.ctx.pageOf((pte & PG_PFNUM) * VAX_PAGE)?.pvRemove(this, va);
          } else {
            for (let i = 0; i < CLSIZE; i++) {
              const old = this.readPte(t, index, i);
              this.writePte(t, index, i, ((next & ~(PG_PFNUM | PG_M)) | (old & (PG_PFNUM | PG_M))) >>> 0);
            }
          }
        }
        if (prune && t.valid === 0) this.freeTablePage(p1, table, t);
      }
    }
    return changed;
  }

  /** newptes: TBIS per hardware page for one cluster, TBIA for more. */
  private flushAfter(changed: number, sva: number): void {
    if (changed === 0) return;
    if (changed === 1) this.invalidateCluster(this.firstChanged ?? sva);
    else this.invalidateAll();
  }
  private firstChanged: number | undefined;

  remove(sva: number, eva: number): void {
    this.firstChanged = undefined;
    const n = this.visit(sva, eva, (_pte, va) => { this.firstChanged ??= va; return 0; }, true);
    this.stats.removes += n;
    this.flushAfter(n, sva);
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const code = protToCode(prot);
    this.firstChanged = undefined;
    const n = this.visit(sva, eva, (pte, va) => {
      if (codeOf(pte) === code) return undefined;
      this.firstChanged ??= va;
      return withCode(pte, code) >>> 0;
    }, false);
    this.stats.protects += n;
    this.flushAfter(n, sva);
  }

  extract(va: number): Translation | undefined {
    const page = va - (va % PAGE_SIZE);
    const c = this.cluster(page);
    if (!c) return undefined;
    const pte = this.readPte(c.t, c.s.index);
    if ((pte & MAPPED) === 0) return undefined;
    let modified = false;
    for (let i = 0; i < CLSIZE; i++) if (this.readPte(c.t, c.s.index, i) & PG_M) modified = true;
    const referenced = (pte & PG_V) !== 0;
    return { pa: (pte & PG_PFNUM) * VAX_PAGE + (va - page), prot: codeToProt(codeOf(pte)), referenced, modified };
  }

  /** Rewrites the 8 PTEs of the kernel page at va with fn (if mapped), TBIS'ing them when changed. */
  private updateCluster(va: number, fn: (pte: number) => number): void {
    const c = this.cluster(va);
    if (!c || (this.readPte(c.t, c.s.index) & MAPPED) === 0) return;
    let changed = false;
    for (let i = 0; i < CLSIZE; i++) {
      const old = this.readPte(c.t, c.s.index, i);
      const next = fn(old) >>> 0;
      if (next !== old) { this.writePte(c.t, c.s.index, i, next); changed = true; }
    }
    if (changed) this.invalidateCluster(va);
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as VaxPmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else if (!(prot & VM_PROT_WRITE)) {
        pm.updateCluster(pv.va, (pte) => codeOf(pte) === PROT_UW ? withCode(pte, PROT_UR) : pte);
      }
    }
  }

  private clusterPtes(va: number): number[] {
    const c = this.cluster(va);
    if (!c) return [];
    return Array.from({ length: CLSIZE }, (_, i) => this.readPte(c.t, c.s.index, i));
  }

  isModified(page: VmPage): boolean {
    return page.pv.some((pv) => (pv.pmap as VaxPmap).clusterPtes(pv.va).some((pte) => (pte & MAPPED) !== 0 && (pte & PG_M) !== 0));
  }

  /** Clears M in every PTE of the page; TBIS so that the next write sets it again (vax.md §4.6). */
  clearModify(page: VmPage): void {
    for (const pv of page.pv) (pv.pmap as VaxPmap).updateCluster(pv.va, (pte) => pte & ~PG_M);
  }

  /** Referenced = V set (4.3BSD's simulated reference bit: see the header). */
  isReferenced(page: VmPage): boolean {
    return page.pv.some((pv) => ((pv.pmap as VaxPmap).clusterPtes(pv.va)[0] ?? 0) & PG_V);
  }
  /** Clears V in the page's PTEs, keeping the frame (PG_NOREF); TBIS so the next access faults. */
  clearReference(page: VmPage): void {
    for (const pv of page.pv) (pv.pmap as VaxPmap).updateCluster(pv.va, (pte) => pte & PG_V ? (pte & ~PG_V) | PG_NOREF : pte);
  }

  /**
   * The TNV fault of a page whose V clearReference took away (PG_NOREF), for an access its protection code allows:
   * V set again in the cluster's 8 PTEs, PG_NOREF cleared, without the VM. The TB never holds an invalid PTE, so
   * nothing is invalidated. False for any other fault (the VM's: an unmapped page, or a right the page lacks).
   */
  refill(va: number, access: number): boolean {
    if (!(va >= 0 && va < S0_BASE)) return false;
    const c = this.cluster(va - (va % PAGE_SIZE));
    if (!c) return false;
    const pte = this.readPte(c.t, c.s.index);
    if ((pte & PG_NOREF) === 0 || (pte & PG_V) !== 0 || (codeToProt(codeOf(pte)) & access) !== access) return false;
    for (let i = 0; i < CLSIZE; i++) {
      this.writePte(c.t, c.s.index, i, ((this.readPte(c.t, c.s.index, i) & ~PG_NOREF) | PG_V) >>> 0);
    }
    this.mmu.refmod.charge();
    return true;
  }

  /** The simulated reference bit's soft faults and their cycles (every process's: the count is the machine's). */
  machineCounters(): Record<string, number> { return this.mmu.refmod.counters("vax_ref"); }

  zeroPage(pa: number): void { this.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void { this.machine.phys(dst, PAGE_SIZE).set(this.machine.phys(src, PAGE_SIZE)); }

  collect(): void {
    this.firstChanged = undefined;
    const n = this.visit(0, S0_BASE, (pte, va) => { if (pte & PG_WIRED) return undefined; this.firstChanged ??= va; return 0; }, true);
    this.stats.removes += n;
    this.flushAfter(n, 0);
  }

  destroy(): void {
    const n = this.visit(0, S0_BASE, () => 0, true);
    this.stats.removes += n;
    if (this.active) { this.invalidateAll(); this.mmu.current = undefined; }
    this.mmu.freeSlot(this.slot);
  }
}

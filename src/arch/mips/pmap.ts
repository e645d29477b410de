// MIPS R3000 / R4000 pmap: the OS's tables behind a software-refilled TLB (shared reference mips.md), written into
// guest physical frames from the same allocator as user pages (page-table memory is counted):
//
// - a linear page table per address space, the array of EntryLo images the refill handler (assembly/arch/mips/refill.ts)
//   loads at Context / XContext. R3000: 4-byte PTEs (NetBSD mips1_pte.h: PFN 31:12, N, D 0x400, V 0x200, G 0x100;
//   software RO 0x1, WIRED 0x2), one linear-table page per 4 MiB of kuseg. R4000: 8-byte EntryLo images (PFN 29:6,
//   C 5:3 = 3 cacheable noncoherent, D 0x4, V 0x2, G 0x1; software WIRED bit 31 and RO bit 30 as NetBSD
//   mips3_pte.h), an even/odd pair per 16 bytes, one linear-table page per 2 MiB of xuseg;
// - behind it, in kseg0, what maps the linear table's own pages in kseg2 / xkseg for the nested miss. R3000: a root
//   page of 512 EntryLo images (one per linear-table page). R4000: a segment table of 1024 32-bit kseg0 pointers,
//   each to a kernel page of 512 EntryLo images (one per linear-table page; consecutive even/odd images fill one
//   TLB entry). Linear-table and kernel pages are allocated on demand and freed when empty.
//
// Writability lives in software (the RO bit, like Linux's _PAGE_WRITE versus the hardware D bit): a writable page
// gets D only once written (enter with a write access, or the TLB modified handler), so isModified reads D.
// The hardware keeps no referenced bit. As Linux does (pte_mkold clears _PAGE_SILENT_READ, which is the V bit, with
// _PAGE_ACCESSED), clearReference clears V and keeps the frame (a software NOREF bit says the page is still mapped)
// and flushes the page from the TLB; the next access takes a TLB invalid exception (after a refill that loads the
// invalid image), which the pmap resolves alone as Linux's handle_tlbl / handle_tlbs fast paths do (refill: V
// again, and D for a store to a writable page, then __update_tlb), counted and charged (src/arch/refmod.ts). V set
// means referenced.
//
// Invalidation follows Linux (arch/mips/mm/tlb-r3k.c, tlb-r4k.c, context.c):
// - after a fault, update_mmu_cache → __update_tlb: TLBP for the page under the address space's ASID, TLBWI of the
//   new EntryLo (pair) over the entry found, else TLBWR — only for the current address space;
// - one page: local_flush_tlb_page (TLBP, then TLBWI of an entry that matches nothing); a range: page by page
//   (R4000: pair by pair) up to the TLB's size (R3000: 64 pages; R4000: 24 pairs, tlbsize / 2), else
//   drop_mmu_context: a new ASID, which orphans every old entry without touching the TLB;
// - ASIDs: get_new_mmu_context hands out ASIDs in order; when they wrap, local_flush_tlb_all (every entry from
//   Wired up) and a new ASID generation, so every other address space takes a new ASID at its next activation;
// - a change to a linear-table page's existence (allocated or freed) flushes its kseg2 / xkseg mapping too.

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../../vm/vm_prot.js";
import type { VmPage } from "../../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../../vm/pmap.js";
import { wasmLayout, wasmLayout64 } from "../../machine/wasm.js";
import type { MipsFormat, MipsMachine, MipsMmu } from "./mmu.js";

// EntryLo bits (module header), as the wasm's refill model defines them (assembly/arch/mips/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();
export const M1 = {
  G: L64.MIPS_R3000_ENTRYLO_G, V: L64.MIPS_R3000_ENTRYLO_V, D: L64.MIPS_R3000_ENTRYLO_D, N: L64.MIPS_R3000_ENTRYLO_N,
  RO: L64.MIPS_R3000_ENTRYLO_RO, WIRED: L64.MIPS_R3000_ENTRYLO_WIRED, PFN: L64.MIPS_R3000_ENTRYLO_PFN,
} as const;
export const M3 = {
  G: L64.MIPS_R4000_ENTRYLO_G, V: L64.MIPS_R4000_ENTRYLO_V, D: L64.MIPS_R4000_ENTRYLO_D,
  CACHED: L64.MIPS_R4000_ENTRYLO_CACHED, RO: L64.MIPS_R4000_ENTRYLO_RO, WIRED: L64.MIPS_R4000_ENTRYLO_WIRED,
  PFN_SHIFT: BigInt(L.MIPS_R4000_ENTRYLO_PFN_SHIFT), PFN_MASK: L64.MIPS_R4000_ENTRYLO_PFN_MASK,
} as const;
const KSEG0 = Number(L64.MIPS_KSEG0);
/** Software bit: mapped, with V cleared by clearReference to catch the next reference (R3000: bit 2, below the
 * hardware's fields like RO and WIRED; R4000: bit 32, above EntryLo's). */
export const M1_NOREF = 0x4n;
export const M3_NOREF = 1n << 32n;

/** EntryLo image of a present page at pa. */
export function entryLo(f: MipsFormat, pa: number, writable: boolean, dirty: boolean, wired: boolean): bigint {
  if (f.r4000) {
    return (BigInt(pa / PAGE_SIZE) << M3.PFN_SHIFT) | M3.CACHED | M3.V | (dirty && writable ? M3.D : 0n)
      | (writable ? 0n : M3.RO) | (wired ? M3.WIRED : 0n);
  }
  return BigInt(pa) | M1.V | (dirty && writable ? M1.D : 0n) | (writable ? 0n : M1.RO) | (wired ? M1.WIRED : 0n);
}

export function loValid(f: MipsFormat, lo: bigint): boolean { return (lo & (f.r4000 ? M3.V : M1.V)) !== 0n; }
/** The PTE maps a page: valid, or with V taken away by clearReference (NOREF). */
export function loMapped(f: MipsFormat, lo: bigint): boolean {
  return (lo & (f.r4000 ? M3.V | M3_NOREF : M1.V | M1_NOREF)) !== 0n;
}
export function loDirty(f: MipsFormat, lo: bigint): boolean { return (lo & (f.r4000 ? M3.D : M1.D)) !== 0n; }
export function loWritable(f: MipsFormat, lo: bigint): boolean { return (lo & (f.r4000 ? M3.RO : M1.RO)) === 0n; }
export function loWired(f: MipsFormat, lo: bigint): boolean { return (lo & (f.r4000 ? M3.WIRED : M1.WIRED)) !== 0n; }
export function loPa(f: MipsFormat, lo: bigint): number {
  return f.r4000 ? Number((lo >> M3.PFN_SHIFT) & M3.PFN_MASK) * PAGE_SIZE : Number(lo & M1.PFN);
}

export class MipsPmap implements Pmap {
  readonly identity = false;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly kind: string;
  readonly format: MipsFormat;
  readonly root: number;                              // root page (R3000) / segment table (R4000), in kseg0
  private context = 0;                                // Linux cpu_context: 0 = no ASID yet
  private readonly linear = new Map<number, number>();   // linear-table page index → frame
  private readonly linearCount = new Map<number, number>(); // linear-table page index → valid PTEs in it
  private readonly kernelPages = new Map<number, number>(); // R4000: segment index → kernel page frame
  private readonly kernelCount = new Map<number, number>(); // R4000: segment index → linear pages it maps

  constructor(private readonly ctx: PmapContext, private readonly mmu: MipsMmu) {
    this.format = mmu.format;
    this.kind = mmu.format.name;
    this.root = this.allocFrame();
  }

  private get cpu(): MipsMachine { return this.mmu.machine; }
  private get active(): boolean { return this.mmu.current === this; }
  /** This address space's ASID, or −1 when it has none in the current generation. */
  get asid(): number { return this.mmu.live(this.context) ? this.context % this.format.asids : -1; }

  private allocFrame(): number {
    const pa = this.ctx.phys.alloc("pagetable");
    this.stats.tableFrames++;
    return pa;
  }
  private freeFrame(pa: number): void {
    this.ctx.phys.free(pa);
    this.stats.tableFrames--;
  }

  // ---- the tables ----

  /** PTEs (EntryLo images) in one page: 1024 on R3000, 512 on R4000. */
  private get ptesPerPage(): number { return PAGE_SIZE / this.format.pteBytes; }
  /** User addresses one linear-table page maps: 4 MiB of kuseg on R3000, 2 MiB of xuseg on R4000. */
  private get linearSpan(): number { return this.ptesPerPage * PAGE_SIZE; }
  /** Linear-table page index of va. */
  private linearIndex(va: number): number { return Math.floor(va / this.linearSpan); }
  /** Byte offset of va's PTE in its linear-table page. */
  private pteOffset(va: number): number {
    return (Math.floor(va / PAGE_SIZE) % this.ptesPerPage) * this.format.pteBytes;
  }
  /** Virtual address of linear-table page i in kseg2 / xkseg. */
  linearVa(i: number): bigint { return this.format.pteBase + BigInt(i) * BigInt(PAGE_SIZE); }

  private readPte(a: number): bigint {
    return this.format.r4000 ? this.ctx.machine.readPhys64(a) : BigInt(this.read32(a));
  }
  private writePte(a: number, v: bigint): void {
    if (this.format.r4000) this.ctx.machine.writePhys64(a, v);
    else this.write32(a, Number(v & 0xFFFF_FFFFn));
  }
  /** A 32-bit word of guest physical memory (little-endian, as the guest's loads see it). */
  private word(a: number): DataView {
    const b = this.ctx.machine.phys(a, 4);
    return new DataView(b.buffer, b.byteOffset, 4);
  }
  private write32(a: number, v: number): void { this.word(a).setUint32(0, v >>> 0, true); }
  private read32(a: number): number { return this.word(a).getUint32(0, true); }

  /** Physical address of va's PTE, allocating the linear-table page (and R4000 kernel page) when `alloc`. */
  private pteAddr(va: number, alloc: boolean): number | undefined {
    const i = this.linearIndex(va);
    let frame = this.linear.get(i);
    if (frame === undefined) {
      if (!alloc) return undefined;
      frame = this.allocFrame();
      this.linear.set(i, frame);
      this.linearCount.set(i, 0);
      this.setLinearMapping(i, frame);
    }
    return frame + this.pteOffset(va);
  }

  /** Writes (or with frame undefined clears) the root-side EntryLo that maps linear-table page i. */
  private setLinearMapping(i: number, frame: number | undefined): void {
    const f = this.format;
    const lo = frame === undefined ? 0n
      : f.r4000 ? (BigInt(frame / PAGE_SIZE) << M3.PFN_SHIFT) | M3.CACHED | M3.D | M3.V : BigInt(frame) | M1.D | M1.V;
    if (f.r4000) {
      const seg = Math.floor(i / this.ptesPerPage);
      let kp = this.kernelPages.get(seg);
      if (kp === undefined) {
        if (frame === undefined) return;
        kp = this.allocFrame();
        this.kernelPages.set(seg, kp);
        this.kernelCount.set(seg, 0);
        this.write32(this.root + 4 * seg, KSEG0 + kp);
      }
      this.ctx.machine.writePhys64(kp + f.pteBytes * (i % this.ptesPerPage), lo);
      const n = this.kernelCount.get(seg)! + (frame === undefined ? -1 : 1);
      this.kernelCount.set(seg, n);
      if (n === 0) {
        this.write32(this.root + 4 * seg, 0);
        this.kernelPages.delete(seg);
        this.kernelCount.delete(seg);
        this.freeFrame(kp);
      }
    } else {
      this.write32(this.root + f.pteBytes * i, Number(lo));
    }
    // The kseg2 / xkseg mapping of that page may sit in the TLB (valid, or as the invalid half of a pair).
    const asid = this.asid;
    if (asid >= 0) { this.stats.flushes++; this.cpu.mipsFlushPage(this.linearVa(i), asid); }
  }

  /** Drops linear-table page i once it holds no valid PTE. */
  private releaseLinear(i: number): void {
    const frame = this.linear.get(i)!;
    this.linear.delete(i);
    this.linearCount.delete(i);
    this.setLinearMapping(i, undefined);
    this.freeFrame(frame);
  }

  private checkUser(va: number): void {
    if (!(va >= 0 && va < this.format.userTop && va % PAGE_SIZE === 0)) throw new Error(`${this.kind}: bad user page ${hex(va)}`);
  }

  /** The PTE of va (0n if none). */
  pte(va: number): bigint {
    const a = this.pteAddr(va - (va % PAGE_SIZE), false);
    return a === undefined ? 0n : this.readPte(a);
  }

  // ---- TLB maintenance (Linux) ----

  /** EntryLo0/1 for the page (pair) of va, as the refill handler would load them. */
  private entryLos(va: number): [bigint, bigint] {
    if (!this.format.r4000) return [this.pte(va), 0n];
    const even = va - (va % (2 * PAGE_SIZE));
    return [this.pte(even), this.pte(even + PAGE_SIZE)];
  }

  /** update_mmu_cache → __update_tlb for the current address space. */
  private updateTlb(va: number): void {
    const asid = this.asid;
    if (!this.active || asid < 0) return;
    const [lo0, lo1] = this.entryLos(va);
    this.cpu.mipsUpdateTlb(va, asid, lo0, lo1);
  }

  /** local_flush_tlb_page (only if this address space has an ASID in the current generation). */
  private flushPage(va: number): void {
    const asid = this.asid;
    if (asid < 0) return;
    this.stats.flushes++;
    this.cpu.mipsFlushPage(va, asid);
  }

  /** local_flush_tlb_range over the pages [min, max]: page (pair) flushes, or drop_mmu_context beyond the limit. */
  private flushRange(min: number, max: number): void {
    if (this.asid < 0) return;
    const step = this.format.r4000 ? 2 * PAGE_SIZE : PAGE_SIZE;
    const start = min - (min % step);
    const units = Math.floor((max - start) / step) + 1;
    if (units > this.format.flushPages) { this.dropContext(); return; }
    for (let va = start; va <= max; va += step) this.flushPage(va);
  }

  /** drop_mmu_context: a new ASID now if current, else at the next activation. */
  private dropContext(): void {
    this.stats.flushes++;
    if (this.active) { this.context = this.mmu.newContext(); this.load(); }
    else this.context = 0;
  }

  private load(): void {
    if (!this.cpu.mipsSetContext(this.mmu.modeCode, this.asid, this.root)) throw new Error(`${this.kind}: bad context`);
  }

  activate(): void {
    if (!this.mmu.live(this.context)) this.context = this.mmu.newContext();
    this.mmu.current = this;
    this.load();
  }

  // ---- the pmap interface ----

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    this.checkUser(va);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const f = this.format;
    const a = this.pteAddr(va, true)!;
    const old = this.readPte(a);
    const writable = (prot & VM_PROT_WRITE) !== 0;
    let dirty = (access & VM_PROT_WRITE) !== 0;
    if (loMapped(f, old)) {
      const oldPa = loPa(f, old);
      if (oldPa === pa) dirty ||= loDirty(f, old);
      else { this.ctx.pageOf(oldPa)?.pvRemove(this, va); this.ctx.pageOf(pa)?.pvAdd(this, va); }
    } else {
      const i = this.linearIndex(va);
      this.linearCount.set(i, this.linearCount.get(i)! + 1);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    const pte = entryLo(f, pa, writable, dirty, wired);
    this.writePte(a, pte);
    if (this.active) this.updateTlb(va);
    else if (loMapped(f, old) && old !== pte) this.flushPage(va);
  }

  /** Applies fn to every valid PTE in [sva, eva) (0n clears it, undefined leaves it); returns the pages changed. */
  private visit(sva: number, eva: number, fn: (pte: bigint, va: number) => bigint | undefined): { min: number; max: number; count: number } {
    const r = { min: Infinity, max: -Infinity, count: 0 };
    const top = Math.min(eva, this.format.userTop);
    const f = this.format;
    const span = this.linearSpan;
    const indices = [...this.linear.keys()].filter((i) => i * span < top && (i + 1) * span > sva).sort((x, y) => x - y);
    for (const i of indices) {
      const frame = this.linear.get(i)!;
      const lo = Math.max(sva, i * span), hi = Math.min(top, (i + 1) * span);
      for (let va = lo - (lo % PAGE_SIZE); va < hi; va += PAGE_SIZE) {
        const a = frame + this.pteOffset(va);
        const pte = this.readPte(a);
        if (!loMapped(f, pte)) continue;
        const next = fn(pte, va);
        if (next === undefined || next === pte) continue;
        this.writePte(a, next);
        if (next === 0n) {
          this.linearCount.set(i, this.linearCount.get(i)! - 1);
          this.ctx.pageOf(loPa(f, pte))?.pvRemove(this, va);
        }
        r.min = Math.min(r.min, va);
        r.max = Math.max(r.max, va);
        r.count++;
      }
      if (this.linearCount.get(i) === 0) this.releaseLinear(i);
    }
    return r;
  }

  remove(sva: number, eva: number): void {
    const r = this.visit(sva, eva, () => 0n);
    this.stats.removes += r.count;
    if (r.count > 0) this.flushRange(r.min, r.max);
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const writable = (prot & VM_PROT_WRITE) !== 0;
    const r = this.visit(sva, eva, (pte) => this.withWrite(pte, writable));
    this.stats.protects += r.count;
    if (r.count > 0) this.flushRange(r.min, r.max);
  }

  /** pte with its software write permission set as given (losing it also clears D, so the next store traps). */
  private withWrite(pte: bigint, writable: boolean): bigint {
    const f = this.format;
    const ro = f.r4000 ? M3.RO : M1.RO, d = f.r4000 ? M3.D : M1.D;
    return writable ? pte & ~ro : (pte | ro) & ~d;
  }

  extract(va: number): Translation | undefined {
    if (!(va >= 0 && va < this.format.userTop)) return undefined;
    const pte = this.pte(va);
    if (!loMapped(this.format, pte)) return undefined;
    return {
      pa: loPa(this.format, pte) + (va % PAGE_SIZE),
      prot: VM_PROT_READ | VM_PROT_EXECUTE | (loWritable(this.format, pte) ? VM_PROT_WRITE : 0),
      referenced: loValid(this.format, pte),
      modified: loDirty(this.format, pte),
    };
  }

  /** Rewrites va's valid PTE with fn; flushes the page if it changed. */
  private updateLeaf(va: number, fn: (pte: bigint) => bigint): void {
    const a = this.pteAddr(va, false);
    if (a === undefined) return;
    const pte = this.readPte(a);
    if (!loMapped(this.format, pte)) return;
    const next = fn(pte);
    if (next === pte) return;
    this.writePte(a, next);
    this.flushPage(va);
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as MipsPmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else if ((prot & VM_PROT_WRITE) === 0) pm.updateLeaf(pv.va, (pte) => pm.withWrite(pte, false));
    }
  }

  isModified(page: VmPage): boolean {
    return page.pv.some((pv) => { const pm = pv.pmap as MipsPmap; return loDirty(pm.format, pm.pte(pv.va)); });
  }

  clearModify(page: VmPage): void {
    for (const pv of page.pv) {
      const pm = pv.pmap as MipsPmap;
      pm.updateLeaf(pv.va, (pte) => pte & ~(pm.format.r4000 ? M3.D : M1.D));
    }
  }

  /** Referenced = V set (the emulated bit: see the header). */
  isReferenced(page: VmPage): boolean {
    return page.pv.some((pv) => { const pm = pv.pmap as MipsPmap; return loValid(pm.format, pm.pte(pv.va)); });
  }

  /** Clears V, keeping the frame (NOREF), and flushes the page (Linux ptep_clear_flush_young → flush_tlb_page). */
  clearReference(page: VmPage): void {
    for (const pv of page.pv) {
      const pm = pv.pmap as MipsPmap;
      const f = pm.format, v = f.r4000 ? M3.V : M1.V, noref = f.r4000 ? M3_NOREF : M1_NOREF;
      pm.updateLeaf(pv.va, (pte) => (pte & v ? (pte & ~v) | noref : pte));
    }
  }

  /**
   * The TLB invalid exception of a page whose V clearReference took (NOREF), for an access its rights allow: V set
   * again (and D for a store to a writable page), then __update_tlb, without the VM — Linux's handle_tlbl and
   * handle_tlbs fast paths (arch/mips/mm/tlbex.c: build_pte_present / build_make_valid, build_pte_writable /
   * build_make_write). False for any other fault (the VM's).
   */
  refill(va: number, access: number): boolean {
    if (!(va >= 0 && va < this.format.userTop)) return false;
    const f = this.format, page = va - (va % PAGE_SIZE);
    const a = this.pteAddr(page, false);
    if (a === undefined) return false;
    const pte = this.readPte(a);
    const noref = f.r4000 ? M3_NOREF : M1_NOREF;
    if ((pte & noref) === 0n || loValid(f, pte)) return false;
    const write = (access & VM_PROT_WRITE) !== 0;
    if (write && !loWritable(f, pte)) return false;
    this.writePte(a, (pte & ~noref) | (f.r4000 ? M3.V : M1.V) | (write ? (f.r4000 ? M3.D : M1.D) : 0n));
    this.updateTlb(page);
    this.mmu.refmod.charge();
    return true;
  }

  /** The emulated referenced bit's soft faults and their cycles (the machine's, every address space's). */
  machineCounters(): Record<string, number> { return this.mmu.refmod.counters("mips_ref"); }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void {
    const r = this.visit(0, this.format.userTop, (pte) => (loWired(this.format, pte) ? undefined : 0n));
    this.stats.removes += r.count;
    if (r.count > 0) this.dropContext();
  }

  destroy(): void {
    const r = this.visit(0, this.format.userTop, () => 0n);
    this.stats.removes += r.count;
    this.freeFrame(this.root);
    // Linux leaves a dead mm's ASID to age out with its generation; make sure it is not current any more.
    if (this.active) this.mmu.current = undefined;
    this.context = 0;
  }
}

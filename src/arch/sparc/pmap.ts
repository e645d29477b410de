// Linux sparc64 on sun4u (UltraSPARC-I/II): the per-process TSB and the Linux page tables behind it, written into
// guest physical frames (shared reference sparc_tsb.md; assembly/arch/sparc/refill.ts reads them).
//
// Page tables: 4 levels (pgd, pud, pmd, pte; arch/sparc/include/asm/pgtable_64.h), each table one page of 8-byte
// entries; an upper entry is the next table's bare physical address (pmd_populate stores __pa), a leaf is the
// sun4u TTE itself (pfn_pte: _PAGE_VALID, the PA field, _PAGE_CP/_PAGE_CV, _PAGE_PRESENT, the soft rights and
// ACCESSED/MODIFIED, hardware W once a writable page is dirty). At this model's 4 KiB base page
// (assembly/arch/sparc/refill.ts explains the deviation) a table has 512 entries and the PA field holds the 4 KiB
// frame number at bit 13.
//
// TSB (arch/sparc/mm/tsb.c): one per address space, physically contiguous and aligned to its size, 8 KiB (512
// entries of {tag, TTE}) when created (init_new_context → tsb_grow with an RSS of 0) and regrown like tsb_grow when
// the RSS passes 3/4 of the entries (tsb_size_to_rss_limit with sysctl_tsb_ratio = -2), up to 1 MiB, copying the
// valid entries into the new TSB (copy_tsb). Tags are VA >> 21 here (Linux: VA >> 22, see assembly/arch/sparc/refill.ts),
// without the context; an empty slot's tag has the invalid bit 46 (tsb_init). The TSB register is the TSB's
// physical address | its size index (setup_tsb_params for a physically addressed TSB). TSB frames come from the same
// allocator as page tables and count as page-table memory.
//
// Referenced bit (arch/sparc/include/asm/pgtable_64.h): sun4u TTEs have none, and Linux keeps _PAGE_ACCESSED in
// software; pte_mkold clears it together with _PAGE_R, which is the valid bit (_PAGE_VALID, "keep ref bit
// uptodate"), while _PAGE_PRESENT still says the page is mapped. The next access misses the TLB and the TSB (both
// invalidated with the change), the miss handler's walk finds the TTE invalid and traps, and the pmap resolves that
// fault alone (refill: pte_mkyoung, then update_mmu_cache's TSB preload), counted and charged (src/arch/refmod.ts).
//
// Invalidation as Linux does it (arch/sparc/mm/tlb.c tlb_batch_add, tsb.c flush_tsb_user, ultra.S
// __flush_tlb_pending): every change to a valid PTE (removal, protection change, frame change, clearing A or D)
// invalidates the page's TSB entry when its tag matches and demaps the page in the address space's context, page
// by page whatever the range (no flush-all ceiling); a new PTE needs no demap (the TLB never holds an invalid
// translation). After a fault, update_mmu_cache preloads the TSB with the new PTE (__update_mmu_tsb_insert).
//
// Contexts (arch/sparc/mm/init_64.c get_new_mmu_context, mmu_context_64.h switch_mm): 13-bit numbers, 0 is the
// nucleus (kernel) context and never given to a process; a process gets one when it is switched to without a
// valid one, searching upward from the last one handed out; when none is free the version advances, every number
// becomes free again and the whole TLB is flushed (the wrap); an address space whose context is of an older version
// gets a new one when next switched to, and a context newly given is demapped first (switch_mm's __flush_tlb_mm),
// since a number released by an exited process may still tag TLB entries.

import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../vm/vm_prot.js";
import type { PmapContext } from "../../vm/pmap.js";
import { wasmLayout, wasmLayout64 } from "../../machine/wasm.js";
import { RadixTablePmap, type PteFormat } from "../radix_table.js";
import type { SparcMachine, SparcMmu } from "./mmu.js";

// TTE data bits (sun4u; Linux _PAGE_*_4U), as the wasm's refill model defines them (assembly/arch/sparc/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();
export const TTE_V = L64.TTE_V;
export const TTE_PA = L64.TTE_PA;              // the 4 KiB frame number, at bit 13
const TTE_PA_SHIFT = BigInt(L.TTE_PA_SHIFT);
export const TTE_SW_WIRED = 1n << 50n;         // Soft2 bit: this pmap's wired marker (Linux keeps none in the PTE)
export const TTE_PMD_HUGE = L64.TTE_PMD_HUGE;  // _PAGE_PMD_HUGE: never written here
export const TTE_EXEC = L64.TTE_EXEC;
export const TTE_MODIFIED = L64.TTE_MODIFIED;
export const TTE_ACCESSED = L64.TTE_ACCESSED;
export const TTE_READ = L64.TTE_READ;
export const TTE_WRITE = L64.TTE_WRITE;
export const TTE_PRESENT = L64.TTE_PRESENT;
export const TTE_CP = L64.TTE_CP;
export const TTE_CV = L64.TTE_CV;
export const TTE_P = L64.TTE_P;
export const TTE_W = L64.TTE_W;
export const TTE_G = L64.TTE_G;

// TSB (tsb.h, tsb.c).
export const TSB_TAG_LOCK = L64.TSB_TAG_LOCK;
export const TSB_TAG_INVALID = L64.TSB_TAG_INVALID;
export const TSB_MIN_BYTES = L.TSB_MIN_BYTES;
export const TSB_MAX_BYTES = L.TSB_MAX_BYTES;
export const TSB_ENTRY_BYTES = L.TSB_ENTRY_BYTES;
/** Entries of the smallest TSB (512): every TSB indexes at least VA[20:12]. */
const TSB_MIN_ENTRIES = TSB_MIN_BYTES / TSB_ENTRY_BYTES;
const TSB_TAG_SPAN = 2 ** L.TSB_TAG_SHIFT;   // a TSB tag is VA / this

/** User addresses end at the Spitfire VA hole (44-bit virtual addresses: Linux VA_EXCLUDE_START = 2^43). */
export const SPARC_USER_TOP = Number(L64.SPARC_VA_USER_END);
/** Page-table levels: pgd, pud, pmd, pte. */
export const SPARC_LEVELS = L.SPARC_PT_LEVELS;
/** Linux tsb_size_to_rss_limit with sysctl_tsb_ratio = -2: 3/4 of the entries. */
export function tsbRssLimit(bytes: number): number {
  const n = bytes / TSB_ENTRY_BYTES;
  return n - (n >> 2);
}

/** The TSB size tsb_grow picks for an RSS: the smallest whose limit exceeds it, at most 1 MiB. */
export function tsbBytesFor(rss: number): number {
  let size = TSB_MIN_BYTES;
  while (size < TSB_MAX_BYTES && tsbRssLimit(size) <= rss) size *= 2;
  return size;
}

export const ttePa = (tte: bigint): number => Number((tte & TTE_PA) >> TTE_PA_SHIFT) * PAGE_SIZE;

/**
 * Leaf rights for VM_PROT_*: the soft READ/WRITE/EXEC bits (readable whenever valid). Hardware W is not a right
 * here but part of "dirty" (below): Linux sets it only on a page that is writable and modified.
 */
export function protToPte(prot: number): bigint {
  let b = 0n;
  if (prot & (VM_PROT_READ | VM_PROT_WRITE)) b |= TTE_READ;
  if (prot & VM_PROT_WRITE) b |= TTE_WRITE;
  if (prot & VM_PROT_EXECUTE) b |= TTE_EXEC;
  return b;
}

export function pteToProt(pte: bigint): number {
  return (pte & TTE_READ ? VM_PROT_READ : 0) | (pte & TTE_WRITE ? VM_PROT_WRITE : 0) | (pte & TTE_EXEC ? VM_PROT_EXECUTE : 0);
}

/**
 * The Linux sun4u PTE for the radix engine. Dirty tracking is Linux's: the TTE has no hardware modified bit, so
 * hardware W is set only together with _PAGE_MODIFIED (pte_mkdirty, __pte_mkhwwrite) on a write fault, and a
 * clean writable page takes a fast_data_access_protection trap on its first store; taking a right away, or
 * cleaning the page (pte_mkclean), clears W again. Every leaf is cacheable (_PAGE_CP | _PAGE_CV) and present, and
 * none is privileged or global.
 */
export const SPARC_PTE: PteFormat = {
  valid: TTE_V, user: TTE_PRESENT | TTE_CP | TTE_CV, accessed: TTE_ACCESSED, dirty: TTE_MODIFIED | TTE_W,
  wired: TTE_SW_WIRED, present: TTE_PRESENT,
  table: 0n,
  largeLeaf: TTE_PMD_HUGE, largeName: "huge PMD",
  grants: TTE_READ | TTE_WRITE | TTE_W | TTE_EXEC, denies: 0n,
  frame: ttePa,
  toFrame: (pa) => BigInt(pa / PAGE_SIZE) << TTE_PA_SHIFT,
  protToPte, pteToProt,
  upper: { present: (e) => e !== 0n, frame: (e) => Number(e), make: (pa) => BigInt(pa) },
};

export class SparcPmap extends RadixTablePmap {
  context = 0;                   // 0: none yet (the nucleus context is never a process's)
  private ctxVersion = 0;
  tsbPa: number;
  tsbBytes = TSB_MIN_BYTES;
  private tsbRssLimit = tsbRssLimit(TSB_MIN_BYTES);
  private mapped = 0;            // leaves made valid by enter (RSS = mapped − stats.removes)
  tsbGrows = 0;
  protected readonly flushCeiling = Infinity;       // tlb_batch_add demaps page by page
  protected readonly flushAllOnFreedTables = false; // the TLB caches no upper-level entries
  protected readonly clearReferenceFlushes = true;  // a PTE change goes through tlb_batch_add

  constructor(ctx: PmapContext, private readonly mmu: SparcMmu) {
    super(ctx, "sparc", SPARC_LEVELS, SPARC_PTE);
    this.tsbPa = this.allocTsb(TSB_MIN_BYTES);
  }

  private get cpu(): SparcMachine { return this.mmu.machine; }
  override get userTop(): number { return SPARC_USER_TOP; }
  get rss(): number { return this.mapped - this.stats.removes; }
  get tsbEntries(): number { return this.tsbBytes / TSB_ENTRY_BYTES; }
  /** TSB register: physical base | TSB_Size (log2 of the size over 8 KiB); Split = 0. */
  get tsbReg(): bigint { return BigInt(this.tsbPa) | BigInt(Math.log2(this.tsbBytes / TSB_MIN_BYTES)); }
  private get contextValid(): boolean { return this.context !== 0 && this.ctxVersion === this.mmu.contexts.version; }

  /** A zeroed TSB of `bytes` with every tag invalid (tsb_init). */
  private allocTsb(bytes: number): number {
    const pa = this.ctx.phys.allocContig(bytes / PAGE_SIZE, "pagetable");
    this.otherTableFrames += bytes / PAGE_SIZE;
    this.countTableFrames();
    for (let e = 0; e < bytes; e += TSB_ENTRY_BYTES) this.cpu.writePhys64(pa + e, TSB_TAG_INVALID);
    return pa;
  }

  private freeTsb(pa: number, bytes: number): void {
    for (let f = 0; f < bytes; f += PAGE_SIZE) this.ctx.phys.free(pa + f);
    this.otherTableFrames -= bytes / PAGE_SIZE;
    this.countTableFrames();
  }

  /** Physical address of va's TSB entry (the 8K pointer for this TSB). */
  tsbSlot(va: number): number { return this.tsbPa + TSB_ENTRY_BYTES * (Math.floor(va / PAGE_SIZE) % this.tsbEntries); }
  static tsbTag(va: number): bigint { return BigInt(Math.floor(va / TSB_TAG_SPAN)); }

  /** flush_tsb_user_page: invalidates va's TSB entry if its tag matches. */
  private tsbFlush(va: number): void {
    const slot = this.tsbSlot(va);
    if (this.cpu.readPhys64(slot) === SparcPmap.tsbTag(va)) this.cpu.writePhys64(slot, TSB_TAG_INVALID);
  }

  /** __tsb_insert (update_mmu_cache): TTE, then tag. */
  private tsbInsert(va: number, tte: bigint): void {
    const slot = this.tsbSlot(va);
    this.cpu.writePhys64(slot + 8, tte);
    this.cpu.writePhys64(slot, SparcPmap.tsbTag(va));
  }

  /** tsb_grow: a TSB sized for the RSS, valid entries copied over (copy_tsb), the old one freed. */
  private tsbGrow(): void {
    const bytes = tsbBytesFor(this.rss);
    this.tsbRssLimit = bytes >= TSB_MAX_BYTES ? Infinity : tsbRssLimit(bytes);
    if (bytes <= this.tsbBytes) return;
    const oldPa = this.tsbPa, oldBytes = this.tsbBytes;
    const newPa = this.allocTsb(bytes);
    this.tsbPa = newPa;
    this.tsbBytes = bytes;
    for (let e = 0; e < oldBytes; e += TSB_ENTRY_BYTES) {
      const tag = this.cpu.readPhys64(oldPa + e);
      if (tag & (TSB_TAG_INVALID | TSB_TAG_LOCK)) continue;   // copy_tsb's TSB_PASS_BITS
      // The tag holds VA >> 21 and the old index VA[20:12] at least (a TSB has 512 entries or more).
      const va = Number(tag) * TSB_TAG_SPAN + ((e / TSB_ENTRY_BYTES) % TSB_MIN_ENTRIES) * PAGE_SIZE;
      this.tsbInsert(va, this.cpu.readPhys64(oldPa + e + 8));
    }
    this.freeTsb(oldPa, oldBytes);
    this.tsbGrows++;
    if (this.mmu.current === this) this.cpu.sparcSwitch(this.tsbReg, this.root, this.context);
  }

  /** TSB entry and TLB entries for va: flush_tsb_user_page, then a demap in this context if it is valid. */
  protected override invalidatePage(va: number): void {
    this.tsbFlush(va);
    if (!this.contextValid) return;
    this.stats.flushes++;
    this.cpu.sparcDemap(va, this.context, true);
  }

  /** Every translation of this address space: the whole TSB and a demap context. */
  protected override invalidateAll(): void {
    for (let e = 0; e < this.tsbBytes; e += TSB_ENTRY_BYTES) this.cpu.writePhys64(this.tsbPa + e, TSB_TAG_INVALID);
    if (!this.contextValid) return;
    this.stats.flushes++;
    this.cpu.sparcDemap(0, this.context, false);
  }

  /** A changed valid PTE is invalidated; then update_mmu_cache preloads the TSB; the TSB grows with the RSS. */
  protected override invalidateEntered(va: number, old: bigint, pte: bigint): void {
    // enter keeps the old dirty state for the same frame; hardware W only where the new rights still allow writes.
    if ((pte & TTE_W) !== 0n && (pte & TTE_WRITE) === 0n) {
      pte &= ~TTE_W;
      this.updateLeaf(va, () => pte, false);
    }
    if (old & TTE_V) this.invalidatePage(va);
    if ((old & TTE_PRESENT) === 0n) this.mapped++;   // a new leaf (one whose valid bit a clear took is still mapped)
    this.tsbInsert(va, pte);
    if (this.rss > this.tsbRssLimit) this.tsbGrow();
  }

  /** The referenced bit is emulated through the valid bit (header), always. */
  protected override refModEmulation() { return { mode: "valid" as const, account: this.mmu.refmod }; }

  /** The emulated referenced bit's soft faults and their cycles (the machine's, every address space's). */
  machineCounters(): Record<string, number> { return this.mmu.refmod.counters("sparc_ref"); }

  /** switch_mm: a context if this address space has no valid one (demapped first), then the context switch. */
  override activate(): void {
    if (!this.contextValid) {
      const { ctx, wrapped } = this.mmu.contexts.allocate();
      if (wrapped) { this.stats.flushes++; this.cpu.sparcFlushAll(); }
      this.context = ctx;
      this.ctxVersion = this.mmu.contexts.version;
      this.stats.flushes++;
      this.cpu.sparcDemap(0, ctx, false);
    }
    this.cpu.sparcSwitch(this.tsbReg, this.root, this.context);
    this.mmu.current = this;
  }

  /** destroy_context: the context number is free again; the TSB's frames go back. */
  protected override retire(): void {
    this.mmu.contexts.release(this.context, this.ctxVersion);
    this.freeTsb(this.tsbPa, this.tsbBytes);
    if (this.mmu.current === this) this.mmu.current = undefined;
  }
}

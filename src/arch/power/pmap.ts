// POWER hash-MMU pmap (Linux ppc64 book3s64 hash with 4 KiB pages as the model; shared reference power_htab.md):
// one hashed page table (HTAB) per machine, sized at boot by Linux's htab_shift_for_mem_size and placed top-down
// in RAM aligned to its size (memblock), written into guest frames counted as page-table memory; SDR1 points at it.
// The HTAB is a cache: the truth is each address space's own record of its translations (the role of Linux's
// PTEs, kept here in the pmap; not written into guest memory), which enter updates and from which a hash fault
// (DSI/ISI "no HPTE") refills the HTAB (Linux hash_page) without going through the VM's fault path.
//
// HPTE insertion is Linux's hpte_insert_repeating / native_hpte_insert / native_hpte_remove: the first invalid
// slot of the primary PTEG, else of the secondary (H = 1), else evict from the primary group when the timebase is
// odd, from the secondary when even, starting at slot (timebase & 7) and skipping bolted entries; then retry.
// Doubleword 1 is written before doubleword 0 (V last). HPTEs are big-endian, as the hardware reads them.
//
// Invalidation (Book III-S §5.10.1.2, "Modifying a Page Table Entry"): a valid HPTE is made invalid, then tlbie
// for its VA, before it is changed or reused; its R/C bits are harvested into the owner's record first, because the
// hardware sets them (Linux instead pre-sets R/C and skips tlbie on eviction; here the hardware keeps R/C, so the
// ISA's full sequence applies). Range changes (remove, protect) tlbie each page that had an HPTE, as Linux's
// flush_hash_range does; a page not in the HTAB needs none (the TLB is only loaded from the HTAB and every HPTE
// removal tlbies). Clearing R or C rewrites the HPTE and tlbies it (the ISA's R/C protocol).
//
// Address spaces get context ids (Linux hash__alloc_context_id: the lowest free id, ida); the VSID of a segment is
// Linux's get_vsid(context, ea), computed by the wasm's SLB-miss handler (assembly/arch/power/control.ts).
// activate is switch_slb: slbia and the new context. Ids are at most 16 bits here (the TLB's address-space tag);
// running out fails the creation of the address space, as Linux's fork fails with ENOMEM: ids are never reused
// while live, because a reused id would give the HTAB's old entries a new owner.

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../../vm/vm_prot.js";
import type { VmPage } from "../../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../../vm/pmap.js";
import { wasmLayout, wasmLayout64 } from "../../machine/wasm.js";
import { HPTE_R_C, HPTE_R_M, HPTE_R_N, HPTE_R_PP, HPTE_R_R, type PowerMachine, type PowerMmu } from "./mmu.js";

// The user range and the VSID scheme as the wasm's SLB-miss handler defines them (assembly/arch/power/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();

/** Linux TASK_SIZE_USER64 for the 4 KiB-page hash MMU (TASK_SIZE_64TB = H_PGTABLE_RANGE). */
export const POWER_USER_TOP = Number(L64.POWER_USER_EA_LIMIT);

// Linux get_vsid for 256 MiB segments, 68-bit VA, 4 KiB pages.
const VSID_MULTIPLIER_256M = L64.POWER_VSID_MULTIPLIER_256M;
const VSID_BITS = BigInt(L.POWER_VSID_BITS_256M);
const ESID_BITS = BigInt(L.POWER_ESID_BITS);
const VSID_MODULUS = (1n << VSID_BITS) - 1n;
const SEGMENT_BYTES = 2 ** L.POWER_SID_SHIFT;   // 256 MiB
const PP_RW = BigInt(L.HPTE_PP_RW), PP_RO = BigInt(L.HPTE_PP_RO);

export function vsidScramble(protovsid: bigint): bigint {
  let vsid = (protovsid * VSID_MULTIPLIER_256M) & ((1n << 64n) - 1n);
  vsid = (vsid >> VSID_BITS) + (vsid & VSID_MODULUS);
  return (vsid + ((vsid + 1n) >> VSID_BITS)) & VSID_MODULUS;
}

export function getVsid(context: number, ea: number): bigint {
  const esid = BigInt(Math.floor(ea / SEGMENT_BYTES)) & ((1n << ESID_BITS) - 1n);
  return vsidScramble((BigInt(context) << ESID_BITS) | esid);
}

/** PP bits for user rights (Linux htab_convert_pte_flags, key Kp = 1): 0b10 read-write, 0b11 read-only. */
export function protToPp(prot: number): bigint { return prot & VM_PROT_WRITE ? PP_RW : PP_RO; }

/** Rights an HPTE's doubleword 1 gives a user access. */
export function hpteProt(r: bigint): number {
  const pp = r & HPTE_R_PP;
  if (pp === 0n) return VM_PROT_NONE;
  return VM_PROT_READ | (pp === PP_RW ? VM_PROT_WRITE : 0) | (r & HPTE_R_N ? 0 : VM_PROT_EXECUTE);
}

/** One translation in an address space's own record (Linux PTE + its hash slot). */
interface PowerPte {
  pa: number;
  prot: number;
  wired: boolean;
  referenced: boolean;   // harvested R (and R from accesses recorded at enter)
  modified: boolean;     // harvested C
  slot: number;          // global HPTE index in the HTAB, or −1 when not hashed in
}

export class PowerPmap implements Pmap {
  readonly kind = "power";
  readonly identity = false;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly context: number;
  private readonly ptes = new Map<number, PowerPte>();   // page va → translation
  private destroyed = false;

  constructor(private readonly ctx: PmapContext, private readonly mmu: PowerMmu) {
    this.context = mmu.allocContext();
    this.stats.tableFrames = mmu.htabBytes / PAGE_SIZE;   // the machine's one HTAB, shared by every address space
  }

  private get cpu(): PowerMachine { return this.mmu.machine; }

  /** The HTAB's kernel-side counters: HPTEs inserted (and into secondary groups), evicted, and hash refills. */
  machineCounters(): Record<string, number> {
    const s = this.mmu.stats;
    return { htab_inserts: s.inserts, htab_secondary_inserts: s.secondary, htab_evictions: s.evictions, hash_refills: s.refills };
  }

  get userTop(): number { return POWER_USER_TOP; }

  activate(): void {
    this.cpu.switchContext(this.context);
    this.stats.flushes++;
    this.mmu.current = this;
  }

  /** VSID of ea's segment in this address space (what the SLB-miss handler loads). */
  vsid(ea: number): bigint { return getVsid(this.context, ea); }

  private checkUser(va: number): void {
    if (!(va >= 0 && va < POWER_USER_TOP && va % PAGE_SIZE === 0)) throw new Error(`power: bad user page ${hex(va)}`);
  }

  private tlbie(va: number): void {
    this.stats.flushes++;
    this.cpu.tlbie(va, this.context);
  }

  /** Called by the HTAB when it invalidates this space's HPTE for va (eviction or removal): keep R and C. */
  hashedOut(va: number, r: boolean, c: boolean): void {
    const p = this.ptes.get(va);
    if (!p) return;
    p.referenced ||= r;
    p.modified ||= c;
    p.slot = -1;
    this.cpu.tlbie(va, this.context);
    this.stats.flushes++;
  }

  /** Doubleword 1 for a record: RPN, R/C as known, M, N unless executable, PP. */
  private hpteR(p: PowerPte): bigint {
    return BigInt(p.pa) | (p.referenced ? HPTE_R_R : 0n) | (p.modified ? HPTE_R_C : 0n) | HPTE_R_M |
      (p.prot & VM_PROT_EXECUTE ? 0n : HPTE_R_N) | protToPp(p.prot);
  }

  /** Puts the record's translation into the HTAB. */
  private hashIn(va: number, p: PowerPte): void {
    p.slot = this.mmu.insert(this, va, this.vsid(va), this.hpteR(p));
  }

  /** Takes va's HPTE out of the HTAB (with tlbie), keeping R/C in the record. */
  private hashOut(p: PowerPte): void {
    if (p.slot >= 0) this.mmu.invalidateSlot(p.slot);
  }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    this.checkUser(va);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const old = this.ptes.get(va);
    let referenced = access !== 0, modified = (access & VM_PROT_WRITE) !== 0;
    if (old) {
      this.hashOut(old);
      if (old.pa === pa) { referenced ||= old.referenced; modified ||= old.modified; }
      else { this.ctx.pageOf(old.pa)?.pvRemove(this, va); this.ctx.pageOf(pa)?.pvAdd(this, va); }
    } else {
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    const p: PowerPte = { pa, prot, wired, referenced, modified, slot: -1 };
    this.ptes.set(va, p);
    this.hashIn(va, p);
  }

  /**
   * Linux hash_page: a DSI/ISI with no HPTE for va, for a translation this address space has and that allows the
   * access, is resolved by inserting the HPTE again. Returns false when the VM must handle the fault.
   */
  refill(va: number, access: number): boolean {
    if (!(va >= 0 && va < POWER_USER_TOP)) return false;
    const page = va - (va % PAGE_SIZE);
    const p = this.ptes.get(page);
    if (!p || p.slot >= 0 || (p.prot & access) !== access) return false;
    p.referenced = true;
    if (access & VM_PROT_WRITE) p.modified = true;
    this.hashIn(page, p);
    this.mmu.stats.refills++;
    return true;
  }

  /** Pages of this space in [sva, eva), in address order. */
  private pagesIn(sva: number, eva: number): number[] {
    const out: number[] = [];
    if (eva - sva <= this.ptes.size * PAGE_SIZE) {
      for (let va = sva - (sva % PAGE_SIZE); va < eva; va += PAGE_SIZE) if (this.ptes.has(va)) out.push(va);
    } else {
      for (const va of this.ptes.keys()) if (va >= sva && va < eva) out.push(va);
      out.sort((a, b) => a - b);
    }
    return out;
  }

  private removePage(va: number): void {
    const p = this.ptes.get(va)!;
    this.hashOut(p);
    this.ptes.delete(va);
    this.ctx.pageOf(p.pa)?.pvRemove(this, va);
    this.stats.removes++;
  }

  remove(sva: number, eva: number): void {
    for (const va of this.pagesIn(sva, eva)) this.removePage(va);
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    for (const va of this.pagesIn(sva, eva)) this.setProt(va, prot);
  }

  /** New rights for one page: its HPTE goes (Linux hpte_need_flush) and is refilled with them on the next access. */
  private setProt(va: number, prot: number): void {
    const p = this.ptes.get(va)!;
    if (p.prot === prot) return;
    this.hashOut(p);
    p.prot = prot;
    this.stats.protects++;
  }

  extract(va: number): Translation | undefined {
    if (!(va >= 0 && va < POWER_USER_TOP)) return undefined;
    const page = va - (va % PAGE_SIZE);
    const p = this.ptes.get(page);
    if (!p) return undefined;
    const r = p.slot >= 0 ? this.mmu.readR(p.slot) : 0n;
    return {
      pa: p.pa + (va - page), prot: p.prot,
      referenced: p.referenced || (r & HPTE_R_R) !== 0n, modified: p.modified || (r & HPTE_R_C) !== 0n,
    };
  }

  /** Every page this address space maps, in no particular order (for tests and tools). */
  mappedPages(): number[] { return [...this.ptes.keys()]; }

  /** HPTE index holding va, or −1 (for tests and tools). */
  slotOf(va: number): number { return this.ptes.get(va - (va % PAGE_SIZE))?.slot ?? -1; }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as PowerPmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else { const p = pm.ptes.get(pv.va); if (p) pm.setProt(pv.va, p.prot & prot); }
    }
  }

  /** R or C of one page: the record's, or the live HPTE's. */
  private bit(va: number, bit: bigint): boolean {
    const p = this.ptes.get(va);
    if (!p) return false;
    if (bit === HPTE_R_R ? p.referenced : p.modified) return true;
    return p.slot >= 0 && (this.mmu.readR(p.slot) & bit) !== 0n;
  }

  /** Clears R or C in the record and the live HPTE, then tlbie, so the hardware records the next access afresh. */
  private clearBit(va: number, bit: bigint): void {
    const p = this.ptes.get(va);
    if (!p) return;
    if (bit === HPTE_R_R) p.referenced = false; else p.modified = false;
    if (p.slot >= 0) {
      const r = this.mmu.readR(p.slot);
      if ((r & bit) === 0n) return;
      this.mmu.writeR(p.slot, r & ~bit);
      this.tlbie(va);
    }
  }

  isModified(page: VmPage): boolean { return page.pv.some((pv) => (pv.pmap as PowerPmap).bit(pv.va, HPTE_R_C)); }
  clearModify(page: VmPage): void { for (const pv of page.pv) (pv.pmap as PowerPmap).clearBit(pv.va, HPTE_R_C); }
  isReferenced(page: VmPage): boolean { return page.pv.some((pv) => (pv.pmap as PowerPmap).bit(pv.va, HPTE_R_R)); }
  clearReference(page: VmPage): void { for (const pv of page.pv) (pv.pmap as PowerPmap).clearBit(pv.va, HPTE_R_R); }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void {
    for (const [va, p] of [...this.ptes]) if (!p.wired) this.removePage(va);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.remove(0, POWER_USER_TOP);
    this.destroyed = true;
    this.mmu.freeContext(this.context);
    if (this.mmu.current === this) this.mmu.current = undefined;
  }
}

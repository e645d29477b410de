// Translation off (satp.MODE = Bare): virtual address = physical address and nothing is checked. There are no
// tables and no TLB to invalidate; this pmap only records which pages the VM has entered and with what
// protection, so the kernel's own user-memory accesses know what is resident and allowed (the hardware checks
// nothing, but system calls behave as under translation). Because the guest can write anywhere in RAM without faulting,
// frames are zeroed when their mapping is removed, keeping "a page the VM has not yet entered reads as zero"
// true for memory that was unmapped. The mode exists to measure what translation costs (`--arch bare`).

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_READ, VM_PROT_WRITE, hex } from "../../vm/vm_prot.js";

/** What a translation would allow: write implies read, as on every MMU modelled here. */
function allowed(prot: number): number { return (prot & VM_PROT_WRITE ? prot | VM_PROT_READ : prot) & VM_PROT_ALL; }
import type { VmPage } from "../../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../../vm/pmap.js";
import type { BareMmu } from "./mmu.js";

export class BarePmap implements Pmap {
  readonly kind = "bare";
  readonly identity = true;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  private readonly entered = new Map<number, number>();   // page number → VM_PROT_* the VM entered it with

  constructor(private readonly ctx: PmapContext, private readonly mmu: BareMmu) {}

  activate(): void { this.mmu.translationOff(); }
  destroy(): void { this.entered.clear(); }

  enter(va: number, pa: number, prot: number, _wired: boolean): void {
    if (va !== pa) throw new Error(`bare pmap: va ${hex(va)} != pa ${hex(pa)}`);
    this.stats.enters++;
    const pn = va / PAGE_SIZE;
    if (!this.entered.has(pn)) this.ctx.pageOf(pa)?.pvAdd(this, va);
    this.entered.set(pn, allowed(prot));
  }

  remove(sva: number, eva: number): void {
    const end = Math.min(eva, this.ctx.phys.ramBytes);
    for (let va = sva; va < end; va += PAGE_SIZE) {
      if (this.entered.delete(va / PAGE_SIZE)) {
        this.stats.removes++;
        this.ctx.pageOf(va)?.pvRemove(this, va);
      }
    }
    if (end > sva) this.ctx.machine.fillPhys(sva, end - sva, 0);
  }

  /** Records the new protection; no hardware enforces it. */
  protect(sva: number, eva: number, prot: number): void {
    for (const pn of this.entered.keys()) {
      if (pn * PAGE_SIZE >= sva && pn * PAGE_SIZE < eva) { this.entered.set(pn, allowed(prot)); this.stats.protects++; }
    }
  }

  extract(va: number): Translation | undefined {
    const prot = this.entered.get(Math.floor(va / PAGE_SIZE));
    if (prot === undefined) return undefined;
    return { pa: va, prot, referenced: true, modified: true };
  }

  pageProtect(page: VmPage, prot: number): void {
    if ((prot & VM_PROT_ALL) === 0) for (const pv of [...page.pv]) this.forget(pv.va);
  }

  private forget(va: number): void {
    if (this.entered.delete(va / PAGE_SIZE)) this.ctx.pageOf(va)?.pvRemove(this, va);
  }

  isModified(): boolean { return true; }
  clearModify(): void { /* no dirty bits without an MMU */ }
  isReferenced(): boolean { return true; }
  clearReference(): void { /* no referenced bits without an MMU */ }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void { for (const pn of [...this.entered.keys()]) this.forget(pn * PAGE_SIZE); }
}

// Translation off (satp.MODE = Bare): virtual address = physical address and nothing is checked. There are no
// tables and no TLB to invalidate; this pmap only records which pages the VM has entered, so the kernel's own
// user-memory accesses know what is resident. Because the guest can write anywhere in RAM without faulting,
// frames are zeroed when their mapping is removed, keeping "a page the VM has not yet entered reads as zero"
// true for memory that was unmapped. The mode exists to measure what translation costs (`--arch bare`).

import { PAGE_SIZE, VM_PROT_ALL, hex } from "../vm/vm_prot.js";
import type { VmPage } from "../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "./pmap.js";

export class BarePmap implements Pmap {
  readonly kind = "bare";
  readonly identity = true;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  private readonly entered = new Set<number>();   // page numbers the VM has entered

  constructor(private readonly ctx: PmapContext) {}

  activate(): void { this.ctx.machine.setSatp(0n); }
  destroy(): void { this.entered.clear(); }

  enter(va: number, pa: number, _prot: number, _wired: boolean): void {
    if (va !== pa) throw new Error(`bare pmap: va ${hex(va)} != pa ${hex(pa)}`);
    this.stats.enters++;
    const pn = va / PAGE_SIZE;
    if (!this.entered.has(pn)) {
      this.entered.add(pn);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
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

  protect(): void { /* no MMU: nothing enforces protection */ }

  extract(va: number): Translation | undefined {
    const page = va - (va % PAGE_SIZE);
    if (!this.entered.has(page / PAGE_SIZE)) return undefined;
    return { pa: va, prot: VM_PROT_ALL, referenced: true, modified: true };
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

  collect(): void { for (const pn of [...this.entered]) this.forget(pn * PAGE_SIZE); }
}

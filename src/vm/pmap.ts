// The machine-dependent half of the VM (4.4BSD/Mach pmap.h): one interface, owned by the VM, and one pmap per
// machine family (src/arch/<machine>/pmap.ts); the VM never imports a concrete pmap. A pmap caches what the
// machine-independent map says in the form the modelled MMU reads, in guest physical memory, and invalidates the
// TLB exactly as that architecture's OS would after each change. The VM never looks inside a page-table format;
// it can always rebuild a translation by faulting again.

import type { VmPage } from "./vm_page.js";
import type { PhysAllocator } from "./phys.js";

/**
 * What every pmap needs from the machine: its physical memory. The MMU's control operations (satp, CR3, tlbie, …)
 * are each machine's own, in its folder (src/arch/<machine>/mmu.ts).
 */
export interface PmapMachine {
  readPhys64(pa: number): bigint;
  writePhys64(pa: number, v: bigint): void;
  fillPhys(pa: number, len: number, value?: number): void;
  phys(pa: number, len: number): Uint8Array;
}

/** Per-machine state shared by every pmap of one kind (frames for tables, pages, superpage counts). */
export interface PmapContext {
  readonly machine: PmapMachine;
  readonly phys: PhysAllocator;
  /** Resident page for a physical address (PHYS_TO_VM_PAGE), for pv bookkeeping; undefined for other frames. */
  pageOf(pa: number): VmPage | undefined;
  /**
   * Present when the kernel may map user memory with pages larger than 4 KiB (--page-size): the largest such
   * size, and the machine's promotion/demotion counts (FreeBSD's pmap_pde_promotions / pmap_pde_demotions).
   */
  readonly superpages?: SuperpageState;
}

/** Superpage policy and counters of one machine, shared by its pmaps. */
export interface SuperpageState {
  readonly size: number;   // the largest page the kernel maps user memory with (bytes)
  promotions: number;      // runs of 4 KiB leaves replaced by one large leaf
  demotions: number;       // large leaves split back into 4 KiB leaves
}

/** A translation found by extract. */
export interface Translation {
  pa: number;            // physical address of the byte at va
  prot: number;          // VM_PROT_* the translation allows a user access
  referenced: boolean;   // A bit (always true where the hardware keeps no such bit)
  modified: boolean;     // D bit
}

export interface PmapStats {
  tableFrames: number;   // frames holding this pmap's page tables now
  enters: number;        // enter calls
  removes: number;       // leaf translations removed
  protects: number;      // leaf translations whose permissions changed
  flushes: number;       // TLB invalidation requests issued (sfence.vma etc.)
}

export interface Pmap {
  readonly kind: string;
  /** Translation off: the VM must place each page in the frame at its own virtual address. */
  readonly identity: boolean;
  readonly stats: PmapStats;
  /** Page sizes this pmap can map user memory with (bytes); absent: 4 KiB only. */
  readonly pageSizes?: readonly number[];

  /** Makes this address space current on the CPU (satp write). */
  activate(): void;
  /** Releases every table frame and the address-space identifier. */
  destroy(): void;
  /**
   * Maps va → pa with VM_PROT_* `prot` (VM_PROT_NONE removes it). `access` is the access that caused the fault
   * (or 0): its referenced/modified state is recorded at once, as the hardware would on that access.
   */
  enter(va: number, pa: number, prot: number, wired: boolean, access?: number): void;
  /** Removes every translation in [sva, eva). */
  remove(sva: number, eva: number): void;
  /** Sets the permissions of every existing translation in [sva, eva) (VM_PROT_NONE removes them). */
  protect(sva: number, eva: number, prot: number): void;
  /** Looks up va in this pmap's own structures. */
  extract(va: number): Translation | undefined;
  /** Lowers the protection of every mapping of a page (pv list); VM_PROT_NONE removes them all. */
  pageProtect(page: VmPage, prot: number): void;
  isModified(page: VmPage): boolean;
  clearModify(page: VmPage): void;
  isReferenced(page: VmPage): boolean;
  clearReference(page: VmPage): void;
  /** Fills the frame at pa with zeros (through the kernel's direct view of physical memory). */
  zeroPage(pa: number): void;
  /** Copies the frame at src to the frame at dst (copy-on-write resolution). */
  copyPage(src: number, dst: number): void;
  /** Throws away every user translation and table below the root; the VM must refault them. */
  collect(): void;
  /**
   * Optional: resolves a translation fault from the pmap's own record before the VM sees it (a hashed table that
   * caches translations, e.g. Linux ppc64's hash_page). Returns true when the access can be retried.
   */
  refill?(va: number, access: number): boolean;
  /** Optional: kernel-side counters of the machine-dependent layer, merged into the machine's counters. */
  machineCounters?(): Record<string, number>;
}

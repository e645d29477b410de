// Superpage reservations (FreeBSD vm_reserv.c, after Navarro et al., "Practical, transparent operating system
// support for superpages", OSDI 2002): the first page an anonymous object needs in a 2 MiB-aligned range of its
// offsets reserves a physically contiguous, 2 MiB-aligned run of 512 frames, and every later page of that range
// takes its own frame from the run, so that once all are resident the pmap can map them with one large leaf
// (pmap_promote_pde). A reservation lives while any of its frames holds a page; when free frames run out, the
// unused frames of every reservation go back to the free list (vm_reserv_reclaim_inactive, done all at once here),
// and the pages already placed stay where they are as ordinary pages.

import type { PhysAllocator } from "./phys.js";
import type { VmObject } from "./vm_object.js";
import { PAGE_SIZE } from "./vm_prot.js";

export const RESERV_SIZE = 2 * 1024 * 1024;
export const RESERV_PAGES = RESERV_SIZE / PAGE_SIZE;

/** One reservation: 512 frames from `base` for the offsets [index × 2 MiB, +2 MiB) of `object`. */
interface VmReserv {
  readonly object: VmObject;
  readonly index: number;
  readonly base: number;
  popcnt: number;   // frames of the run holding a page
}

export interface ReservStats {
  made: number;       // reservations made
  failed: number;     // no free aligned run: the page got an ordinary frame
  broken: number;     // reservations whose unused frames were taken back under memory pressure
}

export class ReservSystem {
  private readonly byRun = new Map<number, VmReserv>();              // base / RESERV_SIZE → reservation
  private readonly byObject = new Map<VmObject, Map<number, VmReserv>>();
  readonly stats: ReservStats = { made: 0, failed: 0, broken: 0 };

  constructor(private readonly phys: PhysAllocator) {
    phys.reclaim = () => this.reclaim();
  }

  /** A frame for (obj, offset) from its reservation, made if needed; undefined: use an ordinary frame. */
  alloc(obj: VmObject, offset: number): number | undefined {
    const index = Math.floor(offset / RESERV_SIZE);
    let runs = this.byObject.get(obj);
    let r = runs?.get(index);
    if (!r) {
      const base = this.phys.reserve(RESERV_PAGES);
      if (base === undefined) { this.stats.failed++; return undefined; }
      r = { object: obj, index, base, popcnt: 0 };
      if (!runs) this.byObject.set(obj, runs = new Map());
      runs.set(index, r);
      this.byRun.set(base / RESERV_SIZE, r);
      this.stats.made++;
    }
    const pa = r.base + (offset - index * RESERV_SIZE);
    if (!this.phys.isReserved(pa)) return undefined;
    this.phys.allocReserved(pa);
    r.popcnt++;
    return pa;
  }

  /** Frees the frame at pa: back to its reservation, or the whole reservation once it holds no page. */
  free(pa: number): void {
    const r = this.byRun.get(Math.floor(pa / RESERV_SIZE));
    if (!r) { this.phys.free(pa); return; }
    if (--r.popcnt > 0) { this.phys.free(pa, true); return; }
    this.phys.free(pa);
    this.release(r);
  }

  private release(r: VmReserv): void {
    this.phys.unreserve(r.base, RESERV_PAGES);
    this.byRun.delete(r.base / RESERV_SIZE);
    const runs = this.byObject.get(r.object);
    runs?.delete(r.index);
    if (runs?.size === 0) this.byObject.delete(r.object);
  }

  /** Out of free frames: every reservation gives back its unused frames. */
  private reclaim(): boolean {
    if (this.byRun.size === 0) return false;
    for (const r of [...this.byRun.values()]) { this.release(r); this.stats.broken++; }
    return true;
  }
}

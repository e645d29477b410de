// Physical frame allocator over guest RAM. It serves both user pages and page-table pages, so page-table memory
// is counted against the same --mem budget. Allocation is deterministic (lowest free frame first).
// Running out of frames is not a host error: the kernel kills the guest like the Linux OOM killer.

import { PAGE_SIZE, hex } from "./vm_prot.js";

/** Guest physical memory as the allocator needs it (WasmMachine satisfies this). */
export interface PhysMemory {
  fillPhys(pa: number, len: number, value?: number): void;
  phys(pa: number, len: number): Uint8Array;
}

export type FrameKind = "user" | "pagetable";

const FREE = 0;
const USER = 1;
const PAGETABLE = 2;
const RESERVED = 3;   // free, but held for a superpage reservation (vm_reserv.ts)

/** Thrown when no frame is left; the machine turns it into SIGKILL (exit status 137). */
export class OutOfGuestMemory extends Error {
  override name = "OutOfGuestMemory";
}

export class PhysAllocator {
  readonly frames: number;
  private readonly use: Uint8Array;   // per frame: FREE, USER or PAGETABLE
  private cursor = 0;                 // no free frame below this index
  private nUser = 0;
  private nTable = 0;
  private nReserved = 0;
  /** Called when no free frame is left: breaks reservations (returns whether it freed any). */
  reclaim: (() => boolean) | undefined;
  /**
   * Called when no run of free frames is long enough for a physically contiguous table (the VAX system page table,
   * a SPARC TSB): the page daemon evicts the user pages of frames [first, first + count) if it can take them all
   * (returns whether it did).
   */
  evictRange: ((first: number, count: number) => boolean) | undefined;
  peakUser = 0;
  peakTable = 0;

  constructor(private readonly mem: PhysMemory, readonly ramBytes: number) {
    this.frames = Math.floor(ramBytes / PAGE_SIZE);
    this.use = new Uint8Array(this.frames);
  }

  get userFrames(): number { return this.nUser; }
  get tableFrames(): number { return this.nTable; }
  get freeFrames(): number { return this.frames - this.nUser - this.nTable; }

  /** Allocates the lowest free frame, zero-filled. Throws OutOfGuestMemory when none is left. */
  alloc(kind: FrameKind): number {
    let f = this.cursor;
    while (f < this.frames && this.use[f] !== FREE) f++;
    if (f >= this.frames && this.nReserved > 0 && this.reclaim?.()) return this.alloc(kind);
    if (f >= this.frames) throw new OutOfGuestMemory(`no free frame for a ${kind} page`);
    this.cursor = f + 1;
    this.take(f, kind);
    this.mem.fillPhys(f * PAGE_SIZE, PAGE_SIZE, 0);
    return f * PAGE_SIZE;
  }

  /**
   * Allocates `count` physically contiguous frames (a power of two) aligned to their total size, zero-filled, at
   * the lowest such place (a structure the hardware indexes physically, e.g. a SPARC TSB). Returns the first
   * frame's address; each frame is freed on its own. Throws OutOfGuestMemory when no such run is free.
   */
  allocContig(count: number, kind: FrameKind): number {
    try {
      return this.allocContigNow(count, kind);
    } catch (e) {
      if (!(e instanceof OutOfGuestMemory) || !this.makeRun(count, count)) throw e;
      return this.allocContigNow(count, kind);
    }
  }

  /**
   * Frees a run of `count` frames aligned to `align` by evicting the user pages in it (evictRange), at the lowest
   * window holding only free and user frames whose pages can all go. Returns whether it made one.
   */
  private makeRun(count: number, align: number): boolean {
    if (!this.evictRange) return false;
    for (let f = 0; f + count <= this.frames; f += align) {
      let ok = true;
      for (let i = 0; i < count && ok; i++) ok = this.use[f + i] === FREE || this.use[f + i] === USER;
      if (ok && this.evictRange(f, count)) return true;
    }
    return false;
  }

  private allocContigNow(count: number, kind: FrameKind): number {
    for (let f = 0; f + count <= this.frames; f += count) {
      let free = true;
      for (let i = 0; i < count && free; i++) free = this.use[f + i] === FREE;
      if (!free) continue;
      for (let i = 0; i < count; i++) this.take(f + i, kind);
      this.mem.fillPhys(f * PAGE_SIZE, count * PAGE_SIZE, 0);
      return f * PAGE_SIZE;
    }
    throw new OutOfGuestMemory(`no ${count} contiguous free frames for a ${kind} structure`);
  }

  /**
   * Allocates the lowest run of n consecutive free frames, zero-filled (a table the hardware indexes physically,
   * such as the VAX system page table). Returns the first frame's address; throws OutOfGuestMemory.
   */
  allocRun(n: number, kind: FrameKind): number {
    try {
      return this.allocRunNow(n, kind);
    } catch (e) {
      if (!(e instanceof OutOfGuestMemory) || !this.makeRun(n, 1)) throw e;
      return this.allocRunNow(n, kind);
    }
  }

  private allocRunNow(n: number, kind: FrameKind): number {
    let start = this.cursor;
    for (let f = this.cursor; f < this.frames; f++) {
      if (this.use[f] !== FREE) { start = f + 1; continue; }
      if (f - start + 1 === n) {
        for (let g = start; g <= f; g++) this.take(g, kind);
        if (start === this.cursor) this.cursor = f + 1;
        this.mem.fillPhys(start * PAGE_SIZE, n * PAGE_SIZE, 0);
        return start * PAGE_SIZE;
      }
    }
    throw new OutOfGuestMemory(`no run of ${n} free frames for a ${kind} table`);
  }

  /**
   * Allocates the frame at physical address pa (translation off: VA = PA). The frame keeps its contents, which
   * are zero unless the guest wrote there before the kernel noticed (bare pmaps zero frames when unmapping).
   */
  allocAt(pa: number, kind: FrameKind): number {
    const f = pa / PAGE_SIZE;
    if (!Number.isInteger(f) || f < 0 || f >= this.frames) throw new OutOfGuestMemory(`no frame at ${hex(pa)}`);
    if (this.use[f] !== FREE) throw new Error(`frame ${hex(pa)} is already in use`);
    this.take(f, kind);
    return pa;
  }

  free(pa: number, keepReserved = false): void {
    const f = pa / PAGE_SIZE;
    const u = this.use[f];
    if (u === undefined || u === FREE || u === RESERVED) throw new Error(`freeing frame ${hex(pa)} that is not allocated`);
    if (u === USER) this.nUser--; else this.nTable--;
    if (keepReserved) { this.use[f] = RESERVED; this.nReserved++; return; }
    this.use[f] = FREE;
    if (f < this.cursor) this.cursor = f;
  }

  /**
   * Holds the lowest aligned run of `count` free frames (a power of two) for a superpage reservation, without
   * allocating any; undefined when there is none (the caller falls back to single frames).
   */
  reserve(count: number): number | undefined {
    for (let f = 0; f + count <= this.frames; f += count) {
      let free = true;
      for (let i = 0; i < count && free; i++) free = this.use[f + i] === FREE;
      if (!free) continue;
      this.use.fill(RESERVED, f, f + count);
      this.nReserved += count;
      return f * PAGE_SIZE;
    }
    return undefined;
  }

  /** Whether the frame at pa is held by a reservation and not allocated. */
  isReserved(pa: number): boolean { return this.use[pa / PAGE_SIZE] === RESERVED; }

  /** Allocates the reserved frame at pa as a user page, zero-filled. */
  allocReserved(pa: number): number {
    const f = pa / PAGE_SIZE;
    if (this.use[f] !== RESERVED) throw new Error(`frame ${hex(pa)} is not reserved`);
    this.nReserved--;
    this.take(f, "user");
    this.mem.fillPhys(pa, PAGE_SIZE, 0);
    return pa;
  }

  /** Returns the reserved, unallocated frames of [pa, pa + count frames) to the free list. */
  unreserve(pa: number, count: number): void {
    const f0 = pa / PAGE_SIZE;
    for (let f = f0; f < f0 + count; f++) {
      if (this.use[f] !== RESERVED) continue;
      this.use[f] = FREE;
      this.nReserved--;
    }
    if (f0 < this.cursor) this.cursor = f0;
  }

  /** A live view of the frame at pa (do not keep it across a run of the machine). */
  view(pa: number): Uint8Array { return this.mem.phys(pa, PAGE_SIZE); }

  isAllocated(pa: number): boolean {
    const u = this.use[pa / PAGE_SIZE] ?? FREE;
    return u !== FREE && u !== RESERVED;
  }

  private take(f: number, kind: FrameKind): void {
    if (kind === "user") {
      this.use[f] = USER;
      this.peakUser = Math.max(this.peakUser, ++this.nUser);
    } else {
      this.use[f] = PAGETABLE;
      this.peakTable = Math.max(this.peakTable, ++this.nTable);
    }
  }
}

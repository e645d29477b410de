// The page daemon (Mach vm_pageout, FreeBSD vm_pageout.c): physical memory is a cache of memory objects, and this
// is what keeps room in it. Every resident page of an object is on the active or the inactive queue (the free
// frames are the allocator's); the policy (pageout/*.ts, --pageout) decides which and orders them. The daemon is
// woken when free frames fall below its threshold (where a fault needs a new page and holds none half-made) and
// reclaims until they are back at the target: the policy names a victim, a modified page is first cleaned through its
// pager (data_write: a file page to its file, an anonymous page to swap through the default pager), a clean one
// is simply dropped (its pager has it, or it can be zero-filled again), and the frame is freed. Wired pages, busy
// pages (data on its way) and anonymous pages with nowhere to go (no swap slot left) are never taken. When nothing
// can be reclaimed, allocation runs dry and the guest is killed as before (out of memory and swap).
//
// freeMin frames are the reserve a fault may need beyond its page (page-table pages) and the wake-up threshold;
// freeTarget is where the daemon stops (FreeBSD's v_free_min, vm_pageout_wakeup_thresh and v_free_target). The kernel's work is charged: each page examined by a scan, each page copied to or from the
// device (swap_devices.json).

import { type PagingClock, backedBySwap } from "./pager.js";
import { PAGEOUT_POLICIES } from "./pageout/index.js";
import type { PageoutContext, PageoutPolicy } from "./pageout/policy.js";
import { type SwapLatency, pagingCosts } from "./swap_device.js";
import type { VmPage } from "./vm_page.js";
import { PageQueue } from "./vm_page_queue.js";
import { PAGE_SIZE } from "./vm_prot.js";
import type { VmSystem } from "./vm_system.js";
import { ConfigError } from "../sys/config_error.js";

export interface PagingOptions {
  swapBytes: number;          // swap space (0: none — only pages another pager holds can leave memory)
  latency: SwapLatency;       // the swap device
  policy: string;             // --pageout name (pageout/index.ts)
  seed?: bigint;              // for the random policy
  freeMin?: number;           // frames kept for page tables (default: sized to memory)
  freeTarget?: number;        // frames the daemon frees up to (default: sized to memory)
  exactReferences?: boolean;  // every reference is reported (tests): LRU is exact
}

export interface PagingStats {
  wakeups: number;            // times the daemon ran
  scanned: number;            // pages examined by its scans
  reclaimed: number;          // pages it freed
  cleaned: number;            // of which written to their pager first (modified)
  referenceCleared: number;   // reference bits it cleared
  prefetched: number;         // pages a pager provided beyond what was asked (kept while frames were plentiful)
  cycles: number;             // CPU cycles charged for paging work (scans, page copies)
}

/** Checks a --pageout name. */
export function parsePageoutPolicy(s: string): string {
  if (!Object.hasOwn(PAGEOUT_POLICIES, s)) {
    throw new ConfigError(`bad --pageout '${s}' (expected ${Object.keys(PAGEOUT_POLICIES).join(", ")})`);
  }
  return s;
}

/** A 64-bit xorshift generator for the random policy: deterministic from the seed. */
function xorshift(seed: bigint): (n: number) => number {
  let x = BigInt.asUintN(64, seed ^ 0x9e3779b97f4a7c15n) || 1n;
  return (n) => {
    x ^= BigInt.asUintN(64, x << 13n); x ^= x >> 7n; x ^= BigInt.asUintN(64, x << 17n);
    return Number(x % BigInt(n));
  };
}

export class PageDaemon {
  readonly active = new PageQueue("active");
  readonly inactive = new PageQueue("inactive");
  readonly policy: PageoutPolicy;
  readonly freeMin: number;
  readonly freeTarget: number;
  readonly stats: PagingStats = { wakeups: 0, scanned: 0, reclaimed: 0, cleaned: 0, referenceCleared: 0, prefetched: 0, cycles: 0 };
  private readonly ctx: PageoutContext;
  private readonly costs = pagingCosts();
  /** Cycles to copy one page to or from the device (charged per page-in and page-out). */
  get copyCost(): number { return this.costs.copyPage; }
  private faults = 0;
  private running = false;

  constructor(private readonly vm: VmSystem, readonly options: PagingOptions, private readonly clock: PagingClock) {
    const frames = vm.phys.frames;
    this.policy = PAGEOUT_POLICIES[parsePageoutPolicy(options.policy)]!();
    // A fault needs its page plus at most a few page-table pages (five levels on x86-64 LA57); FreeBSD's v_free_min
    // is a small share of memory too. The target adds a batch so that the daemon runs once per several faults.
    this.freeMin = options.freeMin ?? Math.min(64, Math.max(8, frames >> 8));
    this.freeTarget = Math.max(this.freeMin, options.freeTarget ?? this.freeMin + Math.min(256, Math.max(8, frames >> 7)));
    const rand = xorshift(options.seed ?? 0n);
    const self = this;
    this.ctx = {
      active: this.active,
      inactive: this.inactive,
      frames,
      evictable: (p) => this.evictable(p),
      isReferenced: (p) => p.referenced || (firstPmap(p)?.isReferenced(p) ?? false),
      clearReference: (p) => {
        p.referenced = false;
        firstPmap(p)?.clearReference(p);
        this.stats.referenceCleared++;
      },
      isModified: (p) => (p.dirty && p.object !== null && backedBySwap(p.object)) || (firstPmap(p)?.isModified(p) ?? false),
      scanned: () => { this.stats.scanned++; this.charge(this.costs.scanPage); },
      get now() { return self.faults; },
      random: rand,
      exactReferences: options.exactReferences ?? false,
    };
  }

  /** A page became resident. */
  insert(p: VmPage): void { this.policy.insert(p, this.ctx); }

  /** Puts a page on the inactive queue (a prefetched page nobody asked for yet). */
  deactivate(p: VmPage): void { this.inactive.prepend(p); }

  /** A page leaves memory. */
  remove(p: VmPage): void {
    if (!p.queue) return;
    (p.queue as PageQueue).remove(p);
    this.policy.removed?.(p, this.ctx);
  }

  /** The kernel saw p referenced (a fault found it resident; or a test reports a reference). */
  reference(p: VmPage): void {
    this.faults++;
    p.referenced = true;
    if (p.queue) this.policy.reference?.(p, this.ctx);
  }

  /**
   * A fault needs a new page: wake the daemon if free frames are below the wake-up threshold — freeMin, as
   * FreeBSD's vm_pageout_wakeup_thresh sits just above v_free_min — and let it reclaim up to freeTarget, so that it
   * runs once per freeTarget − freeMin faults rather than at every one.
   */
  check(): void {
    this.faults++;
    if (this.vm.phys.freeFrames < Math.max(this.freeMin, 1) && !this.running) this.run();
  }

  /** One round: reclaim until the free frames are back at the target, or nothing more can go. */
  run(): void {
    this.running = true;
    try {
      this.stats.wakeups++;
      this.policy.wakeup?.(this.ctx);
      while (this.vm.phys.freeFrames < this.freeTarget) {
        const p = this.policy.victim(this.ctx);
        if (!p || !this.evictable(p)) break;
        this.reclaim(p);
      }
    } finally {
      this.running = false;
    }
  }

  /** Whether p may be taken now. */
  evictable(p: VmPage): boolean {
    const obj = p.object;
    if (!obj || p.wireCount > 0 || p.busy || p.error) return false;
    if (!backedBySwap(obj)) return true;
    // Backed by swap: clean (a copy on swap, or its pager's unchanging data), or a slot to write it to.
    if (!p.dirty && (obj.swapped(p.offset) || obj.pager !== null)) return true;
    return this.vm.swapPager?.canWrite(obj, p.offset) ?? false;
  }

  /**
   * Evicts the user pages of frames [first, first + count) if every one of them can go (a physically contiguous
   * table needs the run); returns whether the run is now free of user pages.
   */
  evictRange(first: number, count: number): boolean {
    const pages: VmPage[] = [];
    for (let f = first; f < first + count; f++) {
      if (!this.vm.phys.isAllocated(f * PAGE_SIZE)) continue;
      const p = this.vm.pageOf(f * PAGE_SIZE);
      if (!p || !this.evictable(p)) return false;
      pages.push(p);
    }
    for (const p of pages) this.reclaim(p);
    return pages.every((p) => p.object === null);
  }

  /** Cleans p through its pager if it is modified, then frees its frame. */
  reclaim(p: VmPage): void {
    const obj = p.object!;
    const swapClean = backedBySwap(obj) && !p.dirty && (obj.swapped(p.offset) || obj.pager !== null);
    if (!swapClean) {
      const before = this.vm.swapPager?.pageouts ?? 0;
      if (!this.vm.pageClean(p, false)) return;
      if ((this.vm.swapPager?.pageouts ?? 0) > before || !backedBySwap(obj)) {
        this.stats.cleaned++;
        this.charge(this.costs.copyPage);
      }
    }
    this.vm.pageFree(p);
    this.stats.reclaimed++;
  }

  /** Cycles of paging work, charged to the machine. */
  charge(cycles: number): void {
    this.stats.cycles += cycles;
    this.clock.charge(cycles);
  }

  /** Resident pages on the queues. */
  get queued(): number { return this.active.length + this.inactive.length; }
}

/** Some pmap mapping p (every pmap of a machine is of one kind, and each reads the bits over the whole pv list). */
function firstPmap(p: VmPage) {
  const first = p.pv[Symbol.iterator]().next();
  return first.done ? undefined : first.value.pmap;
}

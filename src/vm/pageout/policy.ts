// The page-replacement policy contract: what the page daemon (vm_pageout.ts) asks of a policy, and what it gives
// one. A policy is one short module in this folder (like the TLB's assembly/tlb/policy/): it decides which queue a
// page joins, what a reference the kernel saw does, and which page goes next. It reads reference and modify bits
// only through the context (the pmap contract's isReferenced/clearReference/isModified, plus the kernel's own
// record of the faults it took), never from a page table.

import type { PageQueue } from "../vm_page_queue.js";
import type { VmPage } from "../vm_page.js";

export interface PageoutContext {
  /** Pages in use (FreeBSD's PQ_ACTIVE). Policies with one queue keep every page here. */
  readonly active: PageQueue;
  /** Pages the policy expects to reclaim first (PQ_INACTIVE). */
  readonly inactive: PageQueue;
  /** Frames of the machine (sizes targets such as 2Q's Kin or the active/inactive balance). */
  readonly frames: number;
  /** Whether the page may be taken now: not wired, not busy, and somewhere to put it if it is dirty. */
  evictable(p: VmPage): boolean;
  /** Referenced since last cleared: the hardware's bit through the pmap, or a fault the kernel took on it. */
  isReferenced(p: VmPage): boolean;
  clearReference(p: VmPage): void;
  /** Modified since its pager last had it (the VM's dirty state, or the hardware's bit through the pmap). */
  isModified(p: VmPage): boolean;
  /** Counts (and charges) one page examined by the scan. */
  scanned(): void;
  /** Faults so far: the policies' virtual clock (WSClock's ages). */
  readonly now: number;
  /** Deterministic random numbers in [0, n) (the machine's seed). */
  random(n: number): number;
  /**
   * True when every reference is reported through reference() (a test or a replay that knows each one): LRU is
   * then exact, and does not sample reference bits.
   */
  readonly exactReferences: boolean;
}

export interface PageoutPolicy {
  readonly name: string;
  /** A page became resident: put it on a queue. */
  insert(p: VmPage, ctx: PageoutContext): void;
  /** The kernel saw p referenced (a fault that found it resident, or a reported reference). */
  reference?(p: VmPage, ctx: PageoutContext): void;
  /** p leaves memory (the daemon has taken it off its queue). */
  removed?(p: VmPage, ctx: PageoutContext): void;
  /** The daemon wakes up for a round of reclaiming (before the first victim() of the round). */
  wakeup?(ctx: PageoutContext): void;
  /** The next page to reclaim: an evictable page, or undefined when the policy finds none. */
  victim(ctx: PageoutContext): VmPage | undefined;
}

/** The first evictable page of q from its head (a FIFO's victim), looking at each page once. */
export function firstEvictable(q: PageQueue, ctx: PageoutContext): VmPage | undefined {
  for (let p = q.head; p; p = p.qnext) {
    ctx.scanned();
    if (ctx.evictable(p)) return p;
  }
  return undefined;
}

/**
 * One sweep over q from the head: pages whose reference bit is set go to the tail in the order met, bits cleared
 * (what a scan learns from reference bits: these were used since the last sweep). LRU's and 2Q's way of hearing of
 * references the kernel does not see.
 */
export function sampleReferences(q: PageQueue, ctx: PageoutContext): void {
  const n = q.length;
  let p = q.head;
  for (let i = 0; i < n && p; i++) {
    const next = p.qnext;
    ctx.scanned();
    if (ctx.isReferenced(p)) { ctx.clearReference(p); q.append(p); }
    p = next;
  }
}

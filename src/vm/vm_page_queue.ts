// Page queues (Mach vm_page_queue_active/inactive, FreeBSD's PQ_ACTIVE/PQ_INACTIVE): doubly linked lists threaded
// through the pages themselves, so that putting a page on a queue, taking it off or moving it to the tail is O(1)
// and a page is on one queue at most. The page daemon (vm_pageout.ts) owns the queues; its policies
// (pageout/*.ts) decide which page goes where and scan them from the head.

import type { PageQueueLike, VmPage } from "./vm_page.js";

export class PageQueue implements PageQueueLike {
  head: VmPage | null = null;
  tail: VmPage | null = null;
  length = 0;

  constructor(readonly name: string) {}

  /** Appends the page at the tail (taking it off any queue it is on first). */
  append(p: VmPage): void {
    if (p.queue) (p.queue as PageQueue).remove(p);
    p.queue = this;
    p.qprev = this.tail;
    p.qnext = null;
    if (this.tail) this.tail.qnext = p; else this.head = p;
    this.tail = p;
    this.length++;
  }

  /** Puts the page at the head (taking it off any queue it is on first). */
  prepend(p: VmPage): void {
    if (p.queue) (p.queue as PageQueue).remove(p);
    p.queue = this;
    p.qprev = null;
    p.qnext = this.head;
    if (this.head) this.head.qprev = p; else this.tail = p;
    this.head = p;
    this.length++;
  }

  /** Puts p just before `at`, which is on this queue (taking p off any queue it is on first). */
  insertBefore(p: VmPage, at: VmPage): void {
    if (p === at) return;
    if (p.queue) (p.queue as PageQueue).remove(p);
    p.queue = this;
    p.qnext = at;
    p.qprev = at.qprev;
    if (at.qprev) at.qprev.qnext = p; else this.head = p;
    at.qprev = p;
    this.length++;
  }

  /** Takes the page off this queue (it must be on it). */
  remove(p: VmPage): void {
    if (p.queue !== this) throw new Error(`page ${p.pa} is not on the ${this.name} queue`);
    if (p.qprev) p.qprev.qnext = p.qnext; else this.head = p.qnext;
    if (p.qnext) p.qnext.qprev = p.qprev; else this.tail = p.qprev;
    p.queue = null;
    p.qprev = p.qnext = null;
    this.length--;
  }

  /** The page after p, wrapping around to the head (a clock hand's step); null on an empty queue. */
  nextAround(p: VmPage | null): VmPage | null {
    return p?.qnext ?? this.head;
  }
}

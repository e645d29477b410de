// Guarded page tables (Liedtke; shared reference academic_tables.md §4, the walker in assembly/arch/guarded/walker.ts),
// built in guest physical frames as a compressed radix tree over the 36-bit virtual page number (48-bit VAs, 4 KiB
// pages). Entries are 16 bytes: word 0 holds V, LEAF, R/W/X, A/D, a software wired bit, the guard's length and
// value and a child's index width; word 1 the child node's or the page's physical address.
//
// Node size: every node has at most 16 entries (4 index bits, 256 bytes; 16 nodes share one 4 KiB frame), the node
// size of the guarded-table examples (technovelty's review; a 16-ary tree over a 36-bit VPN is 9 levels unguarded).
// A node created by a split indexes the 4-bit digit of the VPN (digits aligned to bit 0) where the paths diverge,
// clipped to the guard being split, so a dense region grows 16-ary nodes at fixed digits. The root is a 16-entry node.
//
// Insertion follows the trie: an empty slot takes a leaf whose guard holds every remaining VPN bit (one reference
// per walk for an isolated page); when the new page's path diverges inside an entry's guard, the entry is split: it
// keeps the common prefix as its guard and points to a new node indexed by the next bits, holding the old entry
// (with what is left of its guard) and the new leaf. Removal undoes this: an emptied node is freed and a node left
// with one entry is merged into its parent (the parent's guard absorbs the index bits and the child's guard), so the
// tree stays in its compressed form.
//
// The TLB caches only leaf translations, so restructuring (splits, merges) needs no invalidation. After a valid
// leaf changes frame or loses rights: invalidation of (va, ASID), or of the whole ASID beyond 64 pages (the rule the
// RISC-V pmap follows; the invalidation instruction has sfence.vma's semantics). ASIDs are 16 bits; when they run
// out, a new generation starts with a flush of every TLB entry and each address space takes a new ASID at its next
// activation (Linux's ASID allocator on arm64 and RISC-V).

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXECUTE, hex } from "../../vm/vm_prot.js";
import type { VmPage } from "../../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../../vm/pmap.js";
import { wasmLayout, wasmLayout64 } from "../../machine/wasm.js";
import type { GuardedMachine, GuardedMmu } from "./mmu.js";

// Entry format (word 0's bits and fields, entry size, VPN width) as the wasm's walker defines it
// (assembly/arch/guarded/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();
export const GPT_V = L64.GPT_V;
export const GPT_LEAF = L64.GPT_LEAF;
export const GPT_R = L64.GPT_R;
export const GPT_W = L64.GPT_W;
export const GPT_X = L64.GPT_X;
export const GPT_A = L64.GPT_A;
export const GPT_D = L64.GPT_D;
export const GPT_WIRED = L64.GPT_SW_WIRED;          // software: the walker ignores it
const GUARD_LEN_SHIFT = BigInt(L.GPT_GUARD_LEN_SHIFT), GUARD_LEN_MASK = BigInt(L.GPT_GUARD_LEN_MASK);
const CHILD_BITS_SHIFT = BigInt(L.GPT_CHILD_BITS_SHIFT), CHILD_BITS_MASK = BigInt(L.GPT_CHILD_BITS_MASK);
const GUARD_SHIFT = BigInt(L.GPT_GUARD_SHIFT);
export const VPN_BITS = L.GPT_VPN_BITS;
export const NODE_BITS = 4;                        // 16 entries per node
const ENTRY = L.GPT_ENTRY_SIZE;
const NODE_BYTES = ENTRY << NODE_BITS;             // 256
const NODES_PER_FRAME = PAGE_SIZE / NODE_BYTES;    // 16
const RIGHTS = GPT_R | GPT_W | GPT_X;
/** Linux riscv tlb_flush_all_threshold: longer ranges invalidate the whole address space. */
export const FLUSH_ALL_THRESHOLD = 64;
/** User space: the lower half of the 48-bit space, as on Sv48 and x86-64. */
export const GPT_USER_TOP = 2 ** 47;

export function protToBits(prot: number): bigint {
  return (prot & VM_PROT_READ ? GPT_R : 0n) | (prot & VM_PROT_WRITE ? GPT_W | GPT_R : 0n) | (prot & VM_PROT_EXECUTE ? GPT_X : 0n);
}
export function bitsToProt(e: bigint): number {
  return (e & GPT_R ? VM_PROT_READ : 0) | (e & GPT_W ? VM_PROT_WRITE : 0) | (e & GPT_X ? VM_PROT_EXECUTE : 0);
}

const glen = (w0: bigint): number => Number((w0 >> GUARD_LEN_SHIFT) & GUARD_LEN_MASK);
const cbits = (w0: bigint): number => Number((w0 >> CHILD_BITS_SHIFT) & CHILD_BITS_MASK);
const gval = (w0: bigint): number => Number(w0 >> GUARD_SHIFT);
const mkWord0 = (flags: bigint, g: number, guard: number, s = 0): bigint =>
  (flags & 0xFFn) | GPT_V | (BigInt(g) << GUARD_LEN_SHIFT) | (BigInt(s) << CHILD_BITS_SHIFT) |
  (BigInt(guard) << GUARD_SHIFT);
/** VPN bits [left−1 .. left−n] as a number. */
const bitsAt = (vpn: number, left: number, n: number): number => Math.floor(vpn / 2 ** (left - n)) % 2 ** n;

interface Node { pa: number; valid: number }

export class GuardedPmap implements Pmap {
  readonly kind = "guarded";
  readonly identity = false;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly root: number;
  asid = 0;
  private generation = 0;
  private readonly nodes = new Map<number, Node>();     // node pa → node
  private readonly frames = new Map<number, number>();  // frame pa → nodes in use in it
  private readonly freeNodes: number[] = [];

  constructor(private readonly ctx: PmapContext, private readonly mmu: GuardedMmu) {
    this.root = this.allocNode();
  }

  private get machine(): GuardedMachine { return this.mmu.machine; }
  get userTop(): number { return GPT_USER_TOP; }
  /** Nodes in the tree (the root included). */
  get nodeCount(): number { return this.nodes.size; }

  // ---- node memory ----

  private allocNode(): number {
    let pa = this.freeNodes.pop();
    if (pa === undefined) {
      const frame = this.ctx.phys.alloc("pagetable");
      this.frames.set(frame, 0);
      for (let i = NODES_PER_FRAME - 1; i > 0; i--) this.freeNodes.push(frame + i * NODE_BYTES);
      pa = frame;
    } else {
      this.machine.fillPhys(pa, NODE_BYTES, 0);
    }
    const frame = pa - (pa % PAGE_SIZE);
    this.frames.set(frame, this.frames.get(frame)! + 1);
    this.nodes.set(pa, { pa, valid: 0 });
    this.stats.tableFrames = this.frames.size;
    return pa;
  }

  private freeNode(pa: number): void {
    this.nodes.delete(pa);
    const frame = pa - (pa % PAGE_SIZE);
    const n = this.frames.get(frame)! - 1;
    if (n > 0) { this.frames.set(frame, n); this.freeNodes.push(pa); }
    else {
      this.frames.delete(frame);
      for (let i = this.freeNodes.length - 1; i >= 0; i--) if (this.freeNodes[i]! - (this.freeNodes[i]! % PAGE_SIZE) === frame) this.freeNodes.splice(i, 1);
      this.ctx.phys.free(frame);
    }
    this.stats.tableFrames = this.frames.size;
  }

  private r0(a: number): bigint { return this.machine.readPhys64(a); }
  private r1(a: number): number { return Number(this.machine.readPhys64(a + 8)); }
  private write(a: number, w0: bigint, w1: number): void { this.machine.writePhys64(a, w0); this.machine.writePhys64(a + 8, BigInt(w1)); }
  private clear(a: number): void { this.write(a, 0n, 0); }

  // ---- the tree ----

  /** The leaf entry for vpn and the path to it (entry addresses, the nodes holding them and their index bits). */
  private find(vpn: number): { leaf: number; path: { node: number; s: number; slot: number }[] } | undefined {
    let node = this.root, s = NODE_BITS, left = VPN_BITS;
    const path: { node: number; s: number; slot: number }[] = [];
    for (;;) {
      const slot = node + ENTRY * bitsAt(vpn, left, s);
      left -= s;
      path.push({ node, s, slot });
      const w0 = this.r0(slot);
      if ((w0 & GPT_V) === 0n) return undefined;
      const g = glen(w0);
      if (bitsAt(vpn, left, g) !== gval(w0) % 2 ** g) return undefined;
      left -= g;
      if (w0 & GPT_LEAF) return left === 0 ? { leaf: slot, path } : undefined;
      node = this.r1(slot);
      s = cbits(w0);
    }
  }

  /** Installs the leaf (w0 flags, page pa) for vpn, splitting an entry whose guard the path diverges in. */
  private insert(vpn: number, flags: bigint, pa: number): { slot: number; old: bigint } {
    let node = this.root, s = NODE_BITS, left = VPN_BITS;
    for (;;) {
      const slot = node + ENTRY * bitsAt(vpn, left, s);
      left -= s;
      const w0 = this.r0(slot);
      if ((w0 & GPT_V) === 0n) {
        this.write(slot, mkWord0(flags | GPT_LEAF, left, bitsAt(vpn, left, left)), pa);
        this.nodes.get(node)!.valid++;
        return { slot, old: 0n };
      }
      const g = glen(w0), guard = gval(w0) % 2 ** g, mine = bitsAt(vpn, left, g);
      if (guard === mine) {
        left -= g;
        if (w0 & GPT_LEAF) {
          this.write(slot, mkWord0(flags | GPT_LEAF, g, guard), pa);
          return { slot, old: w0 };
        }
        node = this.r1(slot);
        s = cbits(w0);
        continue;
      }
      // Split. The guard covers VPN bits [left − 1, left − g]; the paths agree on its top c bits and differ at
      // bit p − 1 (p = left − c). The new node indexes the 4-bit digit holding that bit (digits aligned to VPN bit
      // 0, clipped to the guard), so dense regions grow 16-ary nodes at fixed digits instead of a binary trie; this
      // entry keeps the bits above the digit as its guard.
      let c = 0;
      while (c < g && bitsAt(guard, g, c + 1) === bitsAt(mine, g, c + 1)) c++;
      const p = left - c;
      const top = Math.min(left, Math.ceil(p / NODE_BITS) * NODE_BITS);
      const bottom = Math.max(top - NODE_BITS, left - g);
      const s2 = top - bottom, keep = left - top;
      const child = this.allocNode();
      const oldRest = bottom - (left - g);
      const oldSlot = child + ENTRY * (Math.floor(guard / 2 ** oldRest) % 2 ** s2);
      this.write(oldSlot, mkWord0(w0, oldRest, guard % 2 ** oldRest, cbits(w0)), this.r1(slot));
      const newSlot = child + ENTRY * bitsAt(vpn, top, s2);
      this.write(newSlot, mkWord0(flags | GPT_LEAF, bottom, bitsAt(vpn, bottom, bottom)), pa);
      this.nodes.get(child)!.valid = 2;
      this.write(slot, mkWord0(0n, keep, Math.floor(guard / 2 ** (g - keep)), s2), child);
      return { slot: newSlot, old: 0n };
    }
  }

  /** Clears vpn's leaf; frees emptied nodes and merges a node left with one entry into its parent entry. */
  private erase(vpn: number): bigint {
    const f = this.find(vpn);
    if (!f) return 0n;
    const old = this.r0(f.leaf);
    this.clear(f.leaf);
    let i = f.path.length - 1;
    this.nodes.get(f.path[i]!.node)!.valid--;
    while (i > 0) {
      const { node, s } = f.path[i]!;
      const n = this.nodes.get(node)!;
      const parent = f.path[i - 1]!.slot;
      if (n.valid >= 2) break;
      if (n.valid === 1) {
        // Merge: parent guard ++ the survivor's index ++ its guard, with its flags and pointer.
        let k = 0;
        while ((this.r0(node + ENTRY * k) & GPT_V) === 0n) k++;
        const e = this.r0(node + ENTRY * k), pw = this.r0(parent);
        const pg = glen(pw), cg = glen(e);
        const guard = ((gval(pw) % 2 ** pg) * 2 ** s + k) * 2 ** cg + (gval(e) % 2 ** cg);
        this.write(parent, mkWord0(e, pg + s + cg, guard, cbits(e)), this.r1(node + ENTRY * k));
        this.freeNode(node);
        break;
      }
      this.clear(parent);
      this.freeNode(node);
      i--;
      this.nodes.get(f.path[i]!.node)!.valid--;
    }
    return old;
  }

  /** Every leaf in [sva, eva) as (vpn, entry address, word 0). */
  private leaves(sva: number, eva: number): { vpn: number; slot: number; w0: bigint }[] {
    const out: { vpn: number; slot: number; w0: bigint }[] = [];
    const lo = Math.floor(sva / PAGE_SIZE), hi = Math.ceil(Math.min(eva, GPT_USER_TOP) / PAGE_SIZE);
    const visit = (node: number, s: number, left: number, prefix: number): void => {
      for (let i = 0; i < 2 ** s; i++) {
        const slot = node + ENTRY * i;
        const w0 = this.r0(slot);
        if ((w0 & GPT_V) === 0n) continue;
        const g = glen(w0), l2 = left - s - g;
        const p = (prefix * 2 ** s + i) * 2 ** g + (gval(w0) % 2 ** g);
        const first = p * 2 ** l2, last = (p + 1) * 2 ** l2;
        if (last <= lo || first >= hi) continue;
        if (w0 & GPT_LEAF) out.push({ vpn: p, slot, w0 });
        else visit(this.r1(slot), cbits(w0), l2, p);
      }
    };
    if (lo < hi) visit(this.root, NODE_BITS, VPN_BITS, 0);
    return out;
  }

  // ---- invalidation ----

  private get active(): boolean { return this.mmu.current === this; }

  private invalidatePage(va: number): void {
    if (this.generation !== this.mmu.generation) return;   // no entry of ours survives a generation change
    this.stats.flushes++;
    this.machine.gptInvalidate(va, this.asid, true, true);
  }

  private invalidateAll(): void {
    if (this.generation !== this.mmu.generation) return;
    this.stats.flushes++;
    this.machine.gptInvalidate(0, this.asid, false, true);
  }

  private flushPages(vas: number[]): void {
    if (vas.length === 0) return;
    // A loop, not Math.min(...vas): a range can hold a quarter of a million pages, past the host's argument limit.
    let min = Infinity, max = -Infinity;
    for (const va of vas) { if (va < min) min = va; if (va > max) max = va; }
    if ((max - min) / PAGE_SIZE + 1 > FLUSH_ALL_THRESHOLD) { this.invalidateAll(); return; }
    for (const va of vas) this.invalidatePage(va);
  }

  // ---- the pmap interface ----

  activate(): void {
    if (this.generation !== this.mmu.generation) {
      this.asid = this.mmu.allocateAsid();
      this.generation = this.mmu.generation;
    }
    if (!this.machine.gptSetRoot(this.root, NODE_BITS, this.asid)) throw new Error("guarded: root register rejected");
    this.mmu.current = this;
  }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    if (!(va >= 0 && va < GPT_USER_TOP && va % PAGE_SIZE === 0)) throw new Error(`guarded: bad user page ${hex(va)}`);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const vpn = va / PAGE_SIZE;
    const before = this.find(vpn);
    const old = before ? this.r0(before.leaf) : 0n;
    const oldPa = before ? this.r1(before.leaf) : -1;
    let flags = protToBits(prot) | GPT_A | (access & VM_PROT_WRITE ? GPT_D : 0n) | (wired ? GPT_WIRED : 0n);
    if (oldPa === pa) flags |= old & (GPT_A | GPT_D);
    this.insert(vpn, flags, pa);
    if (oldPa !== pa) {
      if (before) this.ctx.pageOf(oldPa)?.pvRemove(this, va);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    // Any change of rights is invalidated, gained ones too: the kernel enters added rights only at the fault they
    // cause, and a TLB entry kept with the old rights would fault again forever.
    if (before && (oldPa !== pa || (old & RIGHTS) !== (protToBits(prot) & RIGHTS))) this.invalidatePage(va);
  }

  remove(sva: number, eva: number): void {
    const ls = this.leaves(sva, eva);
    for (const l of ls) {
      const pa = this.r1(l.slot);
      this.erase(l.vpn);
      this.ctx.pageOf(pa)?.pvRemove(this, l.vpn * PAGE_SIZE);
    }
    this.stats.removes += ls.length;
    this.flushPages(ls.map((l) => l.vpn * PAGE_SIZE));
  }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const bits = protToBits(prot);
    const changed: number[] = [];
    for (const l of this.leaves(sva, eva)) {
      const next = (l.w0 & ~RIGHTS) | bits;
      if (next === l.w0) continue;
      this.machine.writePhys64(l.slot, next);
      changed.push(l.vpn * PAGE_SIZE);
    }
    this.stats.protects += changed.length;
    this.flushPages(changed);
  }

  extract(va: number): Translation | undefined {
    if (!(va >= 0 && va < GPT_USER_TOP)) return undefined;
    const f = this.find(Math.floor(va / PAGE_SIZE));
    if (!f) return undefined;
    const w0 = this.r0(f.leaf);
    return {
      pa: this.r1(f.leaf) + (va % PAGE_SIZE), prot: bitsToProt(w0),
      referenced: (w0 & GPT_A) !== 0n, modified: (w0 & GPT_D) !== 0n,
    };
  }

  private leafWord(va: number): bigint {
    const f = this.find(va / PAGE_SIZE);
    return f ? this.r0(f.leaf) : 0n;
  }

  /** Rewrites the leaf for va with fn; invalidates when it changed and `flush`. */
  private update(va: number, fn: (w0: bigint) => bigint, flush = true): void {
    const f = this.find(va / PAGE_SIZE);
    if (!f) return;
    const w0 = this.r0(f.leaf), next = fn(w0);
    if (next === w0) return;
    this.machine.writePhys64(f.leaf, next);
    if (flush) this.invalidatePage(va);
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as GuardedPmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else pm.update(pv.va, (w0) => w0 & ~(RIGHTS & ~protToBits(prot)));
    }
  }

  isModified(page: VmPage): boolean { return page.pv.some((pv) => ((pv.pmap as GuardedPmap).leafWord(pv.va) & GPT_D) !== 0n); }
  clearModify(page: VmPage): void { for (const pv of page.pv) (pv.pmap as GuardedPmap).update(pv.va, (w0) => w0 & ~GPT_D); }
  isReferenced(page: VmPage): boolean { return page.pv.some((pv) => ((pv.pmap as GuardedPmap).leafWord(pv.va) & GPT_A) !== 0n); }
  clearReference(page: VmPage): void { for (const pv of page.pv) (pv.pmap as GuardedPmap).update(pv.va, (w0) => w0 & ~GPT_A); }

  zeroPage(pa: number): void { this.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void { this.machine.phys(dst, PAGE_SIZE).set(this.machine.phys(src, PAGE_SIZE)); }

  collect(): void {
    const ls = this.leaves(0, GPT_USER_TOP).filter((l) => (l.w0 & GPT_WIRED) === 0n);
    for (const l of ls) {
      const pa = this.r1(l.slot);
      this.erase(l.vpn);
      this.ctx.pageOf(pa)?.pvRemove(this, l.vpn * PAGE_SIZE);
    }
    this.stats.removes += ls.length;
    if (ls.length > 0) this.invalidateAll();
  }

  destroy(): void {
    this.remove(0, GPT_USER_TOP);
    this.invalidateAll();
    this.freeNode(this.root);
    if (this.active) this.mmu.current = undefined;
  }
}

// The hashed machine's pmap: the clustered hashed page table of Talluri, Hill and Khalidi (SOSP 1995; walker and
// node layout in assembly/arch/hashed/walker.ts): one table per address space, a frame of 2^b bucket heads, and nodes of
// 16 + 8·s bytes (tag, next pointer, s mapping words) carved from page-table frames, so page-table memory is
// counted. A node is created when the first page of its block is mapped (pushed at the head of its bucket's
// chain) and freed when its last mapping goes; a frame of nodes is freed when none of its nodes is in use.
//
// Invalidation is the Linux riscv policy the Sv39 pmap follows (sfence.vma va after a new translation, per page
// for ranges up to 64 pages, by ASID beyond), since this machine keeps RISC-V's TLBs and sfence.vma. ASIDs use
// the generation scheme of Linux's riscv/arm64 allocators: an address space whose ASID is from an older
// generation gets a new one when it is next activated; running out starts a new generation and flushes every TLB.

import { PAGE_SIZE, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_NONE, VM_PROT_READ, VM_PROT_WRITE, hex } from "../../vm/vm_prot.js";
import type { VmPage } from "../../vm/vm_page.js";
import type { Pmap, PmapContext, PmapStats, Translation } from "../../vm/pmap.js";
import { wasmLayout, wasmLayout64 } from "../../machine/wasm.js";
import type { HashedMachine, HashedMmu } from "./mmu.js";

// Mapping word bits and the node header, as the wasm's walker defines them (assembly/arch/hashed/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();
export const MAP_V = L64.HASHED_MAP_V;
export const MAP_R = L64.HASHED_MAP_R;
export const MAP_W = L64.HASHED_MAP_W;
export const MAP_X = L64.HASHED_MAP_X;
export const MAP_REF = L64.HASHED_MAP_REF;
export const MAP_MOD = L64.HASHED_MAP_MOD;
export const MAP_SW_WIRED = 0x100n;   // software: this pmap's wired marker (the walker ignores it)
export const MAP_FRAME = L64.HASHED_MAP_FRAME;
export const NODE_HEADER = L.HASHED_NODE_HEADER;
const TAG_VPBN_SHIFT = BigInt(L.HASHED_TAG_VPBN_SHIFT), TAG_VALID = L64.HASHED_TAG_VALID;   // tag = VPBN << 1 | 1

/** The user address range: the same 47-bit lower half as x86-64 and Sv48, so only the table differs. */
export const CLUSTERED_USER_TOP = 2 ** 47;
/** Buckets per table: one 4 KiB frame of heads. */
export const DEFAULT_BUCKETS_LOG2 = 9;
/** Linux riscv tlb_flush_all_threshold. */
export const FLUSH_ALL_THRESHOLD = 64;

/** XOR-fold bucket of a page-block number (assembly/arch/hashed/walker.ts hashedBucket). */
export function cptBucket(vpbn: number, bucketsLog2: number): number {
  const v = BigInt(vpbn), b = BigInt(bucketsLog2);
  return Number((v ^ (v >> b) ^ (v >> (2n * b))) & ((1n << b) - 1n));
}

export function protToMap(prot: number): bigint {
  return (prot & (VM_PROT_READ | VM_PROT_WRITE) ? MAP_R : 0n) | (prot & VM_PROT_WRITE ? MAP_W : 0n) |
    (prot & VM_PROT_EXECUTE ? MAP_X : 0n);
}

export function mapToProt(m: bigint): number {
  return (m & MAP_R ? VM_PROT_READ : 0) | (m & MAP_W ? VM_PROT_WRITE : 0) | (m & MAP_X ? VM_PROT_EXECUTE : 0);
}

export class HashedPmap implements Pmap {
  readonly kind = "hashed";
  readonly identity = false;
  readonly stats: PmapStats = { tableFrames: 0, enters: 0, removes: 0, protects: 0, flushes: 0 };
  readonly root: number;                 // bucket heads
  readonly subblock: number;
  readonly nodeBytes: number;
  asid = 0;
  private generation = 0;
  private readonly nodes = new Map<number, number>();   // block number → node pa
  private readonly used = new Map<number, number>();    // node pa → valid mapping words
  private readonly frames = new Map<number, number>();  // node frame pa → nodes in use
  private freeNodes: number[] = [];

  constructor(private readonly ctx: PmapContext, private readonly mmu: HashedMmu,
              readonly bucketsLog2 = DEFAULT_BUCKETS_LOG2) {
    this.subblock = mmu.subblock;
    this.nodeBytes = NODE_HEADER + 8 * this.subblock;
    const bytes = 8 * 2 ** bucketsLog2;
    if (bytes !== PAGE_SIZE) throw new Error("hashed: the bucket array must fill one frame");
    this.root = ctx.phys.alloc("pagetable");
    this.stats.tableFrames = 1;
    this.newAsid();
  }

  private get cpu(): HashedMachine { return this.mmu.machine; }

  /** Nodes in this table now, and ASID generations started by rollover. */
  machineCounters(): Record<string, number> {
    return { cpt_nodes_live: this.nodes.size, asid_rollovers: this.mmu.asids.rollovers };
  }
  get userTop(): number { return CLUSTERED_USER_TOP; }
  private get blockBytes(): number { return this.subblock * PAGE_SIZE; }

  private newAsid(): void {
    const a = this.mmu.asids.allocate();
    this.asid = a.asid;
    this.generation = a.generation;
  }

  activate(): void {
    if (this.generation !== this.mmu.asids.generation) this.newAsid();
    if (!this.cpu.hashedSetTable(this.root, this.bucketsLog2, this.asid)) throw new Error("hashed: the clustered table was rejected");
    this.mmu.current = this;
  }

  private sfence(va: number, byVa: boolean): void {
    this.stats.flushes++;
    this.cpu.sfenceVma(va, this.asid, byVa, true);
  }

  private read(a: number): bigint { return this.ctx.machine.readPhys64(a); }
  private write(a: number, v: bigint): void { this.ctx.machine.writePhys64(a, v); }

  private headOf(block: number): number { return this.root + 8 * cptBucket(block, this.bucketsLog2); }
  private wordAddr(node: number, va: number): number {
    return node + NODE_HEADER + 8 * (Math.floor(va / PAGE_SIZE) % this.subblock);
  }

  private allocNode(): number {
    if (this.freeNodes.length === 0) {
      const f = this.ctx.phys.alloc("pagetable");
      this.frames.set(f, 0);
      this.stats.tableFrames++;
      const n = Math.floor(PAGE_SIZE / this.nodeBytes);
      // A chain ends at a null link (the walker stops at node 0), so no node may sit at physical address 0. Frame 0
      // is a page-table frame like any other once the first address space is gone (a CLONE_VM process can outlive
      // the first one): its first slot stays unused.
      for (let i = n - 1; i >= (f === 0 ? 1 : 0); i--) this.freeNodes.push(f + i * this.nodeBytes);
    }
    const node = this.freeNodes.pop()!;
    const f = node - (node % PAGE_SIZE);
    this.frames.set(f, this.frames.get(f)! + 1);
    return node;
  }

  private freeNode(node: number): void {
    this.ctx.machine.fillPhys(node, this.nodeBytes, 0);
    const f = node - (node % PAGE_SIZE);
    const left = this.frames.get(f)! - 1;
    if (left > 0) { this.frames.set(f, left); this.freeNodes.push(node); return; }
    this.frames.delete(f);
    this.freeNodes = this.freeNodes.filter((n) => n - (n % PAGE_SIZE) !== f);
    this.ctx.phys.free(f);
    this.stats.tableFrames--;
  }

  /** The node of va's block, created (at the head of its chain) when `create`. */
  private nodeFor(va: number, create: boolean): number | undefined {
    const block = Math.floor(va / this.blockBytes);
    let node = this.nodes.get(block);
    if (node !== undefined || !create) return node;
    node = this.allocNode();
    const head = this.headOf(block);
    this.write(node, (BigInt(block) << TAG_VPBN_SHIFT) | TAG_VALID);
    this.write(node + 8, this.read(head));
    this.write(head, BigInt(node));
    this.nodes.set(block, node);
    this.used.set(node, 0);
    return node;
  }

  /** Unlinks and frees the node of `block` (its last mapping is gone). */
  private dropNode(block: number, node: number): void {
    let link = this.headOf(block);
    for (let n = Number(this.read(link)); n !== 0; link = n + 8, n = Number(this.read(n + 8))) {
      if (n === node) { this.write(link, this.read(node + 8)); break; }
    }
    this.nodes.delete(block);
    this.used.delete(node);
    this.freeNode(node);
  }

  private checkUser(va: number): void {
    if (!(va >= 0 && va < CLUSTERED_USER_TOP && va % PAGE_SIZE === 0)) throw new Error(`hashed: bad user page ${hex(va)}`);
  }

  enter(va: number, pa: number, prot: number, wired: boolean, access = 0): void {
    this.checkUser(va);
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(va, va + PAGE_SIZE); return; }
    this.stats.enters++;
    const node = this.nodeFor(va, true)!;
    const a = this.wordAddr(node, va);
    const old = this.read(a);
    let m = BigInt(pa) | MAP_V | protToMap(prot) | (wired ? MAP_SW_WIRED : 0n);
    if (access !== 0) m |= MAP_REF;
    if (access & VM_PROT_WRITE) m |= MAP_MOD;
    if (old & MAP_V) {
      const oldPa = Number(old & MAP_FRAME);
      if (oldPa === pa) m |= old & (MAP_REF | MAP_MOD);
      else { this.ctx.pageOf(oldPa)?.pvRemove(this, va); this.ctx.pageOf(pa)?.pvAdd(this, va); }
    } else {
      this.used.set(node, this.used.get(node)! + 1);
      this.ctx.pageOf(pa)?.pvAdd(this, va);
    }
    this.write(a, m);
    this.sfence(va, true);   // update_mmu_cache
  }

  /** Valid pages of [sva, eva) with their mapping-word addresses, block by block. */
  private pagesIn(sva: number, eva: number): { va: number; a: number; node: number; block: number }[] {
    const out: { va: number; a: number; node: number; block: number }[] = [];
    const top = Math.min(eva, CLUSTERED_USER_TOP);
    const blocks = this.nodes.size * this.blockBytes < top - sva
      ? [...this.nodes.keys()].filter((b) => (b + 1) * this.blockBytes > sva && b * this.blockBytes < top).sort((x, y) => x - y)
      : undefined;
    const visit = (block: number) => {
      const node = this.nodes.get(block);
      if (node === undefined) return;
      for (let i = 0; i < this.subblock; i++) {
        const va = (block * this.subblock + i) * PAGE_SIZE;
        if (va < sva || va >= top) continue;
        const a = node + NODE_HEADER + 8 * i;
        if (this.read(a) & MAP_V) out.push({ va, a, node, block });
      }
    };
    if (blocks) blocks.forEach(visit);
    else for (let b = Math.floor(sva / this.blockBytes); b * this.blockBytes < top; b++) visit(b);
    return out;
  }

  /** sfence.vma per page up to the threshold, else for the whole ASID (Linux riscv flush_tlb_range). */
  private flushPages(vas: number[]): void {
    if (vas.length === 0) return;
    const pages = (vas[vas.length - 1]! - vas[0]!) / PAGE_SIZE + 1;
    if (pages > FLUSH_ALL_THRESHOLD) { this.sfence(0, false); return; }
    for (const va of vas) this.sfence(va, true);
  }

  private removeWhere(sva: number, eva: number, keep: (m: bigint) => boolean): number {
    const done: number[] = [];
    for (const p of this.pagesIn(sva, eva)) {
      const m = this.read(p.a);
      if (keep(m)) continue;
      this.write(p.a, 0n);
      this.ctx.pageOf(Number(m & MAP_FRAME))?.pvRemove(this, p.va);
      const left = this.used.get(p.node)! - 1;
      this.used.set(p.node, left);
      if (left === 0) this.dropNode(p.block, p.node);
      done.push(p.va);
    }
    this.stats.removes += done.length;
    this.flushPages(done);
    return done.length;
  }

  remove(sva: number, eva: number): void { this.removeWhere(sva, eva, () => false); }

  protect(sva: number, eva: number, prot: number): void {
    if ((prot & VM_PROT_ALL) === VM_PROT_NONE) { this.remove(sva, eva); return; }
    const done: number[] = [];
    for (const p of this.pagesIn(sva, eva)) {
      const m = this.read(p.a);
      const next = (m & ~(MAP_R | MAP_W | MAP_X)) | protToMap(prot);
      if (next === m) continue;
      this.write(p.a, next);
      done.push(p.va);
    }
    this.stats.protects += done.length;
    this.flushPages(done);
  }

  private word(va: number): { a: number; m: bigint } | undefined {
    if (!(va >= 0 && va < CLUSTERED_USER_TOP)) return undefined;
    const node = this.nodeFor(va, false);
    if (node === undefined) return undefined;
    const a = this.wordAddr(node, va);
    const m = this.read(a);
    return m & MAP_V ? { a, m } : undefined;
  }

  extract(va: number): Translation | undefined {
    const w = this.word(va);
    if (!w) return undefined;
    return {
      pa: Number(w.m & MAP_FRAME) + (va % PAGE_SIZE), prot: mapToProt(w.m),
      referenced: (w.m & MAP_REF) !== 0n, modified: (w.m & MAP_MOD) !== 0n,
    };
  }

  /** Rewrites va's mapping word with fn and flushes the page when it changed. */
  private update(va: number, fn: (m: bigint) => bigint): void {
    const w = this.word(va);
    if (!w) return;
    const next = fn(w.m);
    if (next === w.m) return;
    this.write(w.a, next);
    this.sfence(va, true);
  }

  pageProtect(page: VmPage, prot: number): void {
    for (const pv of [...page.pv]) {
      const pm = pv.pmap as HashedPmap;
      if ((prot & VM_PROT_ALL) === VM_PROT_NONE) pm.remove(pv.va, pv.va + PAGE_SIZE);
      else pm.update(pv.va, (m) => (m & ~(MAP_R | MAP_W | MAP_X)) | (m & protToMap(prot)));
    }
  }

  private has(va: number, bit: bigint): boolean { return ((this.word(va)?.m ?? 0n) & bit) !== 0n; }
  isModified(page: VmPage): boolean { return page.pv.some((pv) => (pv.pmap as HashedPmap).has(pv.va, MAP_MOD)); }
  clearModify(page: VmPage): void { for (const pv of page.pv) (pv.pmap as HashedPmap).update(pv.va, (m) => m & ~MAP_MOD); }
  isReferenced(page: VmPage): boolean { return page.pv.some((pv) => (pv.pmap as HashedPmap).has(pv.va, MAP_REF)); }
  clearReference(page: VmPage): void { for (const pv of page.pv) (pv.pmap as HashedPmap).update(pv.va, (m) => m & ~MAP_REF); }

  zeroPage(pa: number): void { this.ctx.machine.fillPhys(pa, PAGE_SIZE, 0); }
  copyPage(src: number, dst: number): void {
    this.ctx.machine.phys(dst, PAGE_SIZE).set(this.ctx.machine.phys(src, PAGE_SIZE));
  }

  collect(): void {
    const n = this.removeWhere(0, CLUSTERED_USER_TOP, (m) => (m & MAP_SW_WIRED) !== 0n);
    if (n > 0) this.sfence(0, false);
  }

  destroy(): void {
    this.remove(0, CLUSTERED_USER_TOP);
    this.ctx.phys.free(this.root);
    this.stats.tableFrames--;
    this.stats.flushes++;
    this.cpu.sfenceVma(0, this.asid, false, true);
    if (this.mmu.current === this) this.mmu.current = undefined;
  }

  /** Nodes on va's chain ahead of (and including) its block's node, as the walker will compare them; 0 if absent. */
  chainPosition(va: number): number {
    const block = Math.floor(va / this.blockBytes);
    const node = this.nodes.get(block);
    if (node === undefined) return 0;
    let k = 1;
    for (let n = Number(this.read(this.headOf(block))); n !== node && n !== 0; n = Number(this.read(n + 8))) k++;
    return k;
  }
}

// The hashed machine's walker, the clustered hashed page table (assembly/arch/hashed/), over hand-built tables in
// guest RAM: a node per aligned block of s pages with one tag, a next pointer and s mapping words; chains of
// colliding nodes; the exact
// references per lookup (bucket head, one header per node compared, the mapping word, a REF/MOD store); partially
// filled blocks; rights; subblock factors; ASID tags and sfence.vma.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, frames, loadPaged, Machine, PAGED } from "../../harness";

const { CODE_VA, CODE_PA } = PAGED;
const TABLE = 0x100000;            // bucket heads
const B = 9;                       // 512 buckets
const V = 1n, R = 2n, W = 4n, X = 8n, REF = 0x40n, MOD = 0x80n;
const DVA = 0x40000000n;
const DPA = 0x30000;

/** The XOR-fold bucket of a page-block number. */
const bucket = (vpbn: bigint) => Number((vpbn ^ (vpbn >> BigInt(B)) ^ (vpbn >> BigInt(2 * B))) & ((1n << BigInt(B)) - 1n));

class Cpt {
  readonly alloc = frames(TABLE + 0x1000, 0x180000);
  private nodeArea = 0;
  private nodeEnd = 0;
  constructor(readonly m: Machine, readonly subLog2 = 4) {}
  get words(): number { return 1 << this.subLog2; }
  vpbn(va: bigint): bigint { return va >> BigInt(12 + this.subLog2); }
  head(va: bigint): number { return TABLE + 8 * bucket(this.vpbn(va)); }
  private newNode(): number {
    const size = 16 + 8 * this.words;
    if (this.nodeArea + size > this.nodeEnd) { this.nodeArea = this.alloc(); this.nodeEnd = this.nodeArea + 4096; }
    const n = this.nodeArea;
    this.nodeArea += size;
    return n;
  }
  /** The node of va's block, or undefined. */
  node(va: bigint): number | undefined {
    const tag = (this.vpbn(va) << 1n) | 1n;
    for (let n = Number(this.m.r64(this.head(va))); n !== 0; n = Number(this.m.r64(n + 8))) {
      if (this.m.r64(n) === tag) return n;
    }
    return undefined;
  }
  /** Adds a node for va's block at the head (default) or tail of its chain. */
  addNode(va: bigint, atTail = false): number {
    const n = this.newNode();
    this.m.w64(n, (this.vpbn(va) << 1n) | 1n);
    const h = this.head(va);
    if (!atTail || this.m.r64(h) === 0n) {
      this.m.w64(n + 8, this.m.r64(h));
      this.m.w64(h, BigInt(n));
    } else {
      let p = Number(this.m.r64(h));
      while (this.m.r64(p + 8) !== 0n) p = Number(this.m.r64(p + 8));
      this.m.w64(n + 8, 0n);
      this.m.w64(p + 8, BigInt(n));
    }
    return n;
  }
  wordAddr(va: bigint): number {
    const n = this.node(va) ?? this.addNode(va);
    return n + 16 + 8 * Number((va >> 12n) & BigInt(this.words - 1));
  }
  map(va: bigint, pa: number, flags: bigint): number {
    const a = this.wordAddr(va);
    this.m.w64(a, BigInt(pa) | flags | V);
    return a;
  }
}

function cptMachine(subLog2 = 4, asid = 1) {
  const m = new Machine(4 << 20);
  m.setConfig(m.K.K_CPT_SUBBLOCK_LOG2, subLog2);
  const t = new Cpt(m, subLog2);
  t.map(CODE_VA, CODE_PA, R | X | REF);
  expect(m.ex.hashedSetTable(BigInt(TABLE), B, asid)).toBe(0);
  return { m, t };
}

/** A page-block number colliding with `vpbn` in the 512-bucket table: vpbn + 2^9 + 1 flips bit 0 and bit 9. */
function collidingVa(va: bigint, subLog2 = 4): bigint {
  const v = va >> BigInt(12 + subLog2);
  for (let d = 1n; d < 1n << 20n; d++) {
    const c = v + d * 4096n;
    if (bucket(c) === bucket(v)) return c << BigInt(12 + subLog2);
  }
  throw new Error("no collision found");
}

describe.skipIf(!asmAvailable)("clustered page table walker", () => {
  const [ld1, sd1, jmp] = asmAvailable ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "jalr ra, 0(a1)"]) : [];
  const run = (m: Machine, code: Uint8Array, va: bigint, extra: Record<string, bigint> = {}) => {
    loadPaged(m, code);
    m.regs({ a1: va, ...extra });
    return m.run(1000);
  };

  it("rejects a bucket count or subblock factor out of range, and a misaligned table", () => {
    const m = new Machine(4 << 20);
    expect(m.ex.hashedSetTable(BigInt(TABLE), 21, 1)).toBe(-1);
    expect(m.ex.hashedSetTable(BigInt(TABLE) + 4n, B, 1)).toBe(-1);
    m.setConfig(m.K.K_CPT_SUBBLOCK_LOG2, 7);
    expect(m.ex.hashedSetTable(BigInt(TABLE), B, 1)).toBe(-1);
  });

  it("first node of its chain: 3 references (head, node header, mapping word); REF set with one more store", () => {
    const { m, t } = cptMachine();
    const a = t.map(DVA + 0x3000n, DPA, R | W);
    m.w64(DPA + 8, 42n);
    const c0 = m.counters();
    expect(run(m, ld1, DVA + 0x3008n)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(42n);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(2n);
    expect(d.C_CPT_NODES).toBe(2n);
    expect(d.C_AD_UPDATES).toBe(1n);
    expect(d.C_WALK_REFS).toBe(3n + 3n + 1n);
    expect(m.r64(a) & (REF | MOD)).toBe(REF);
  });

  it("a chain of colliding nodes: the k-th node costs 2 + k references, every tag compared is counted", () => {
    const { m, t } = cptMachine();
    const vas = [DVA];
    for (let i = 0; i < 3; i++) vas.push(collidingVa(vas[vas.length - 1]!));
    for (const va of vas) expect(t.head(va)).toBe(t.head(DVA));
    // Nodes appended at the tail: DVA's node first, the last one fourth.
    vas.forEach((va, i) => { t.addNode(va, true); t.map(va, DPA + 0x1000 * i, R | W | REF); m.w64(DPA + 0x1000 * i, BigInt(i)); });
    for (let k = 1; k <= 4; k++) {
      const va = vas[k - 1]!;
      const c0 = m.counters();
      loadPaged(m, ld1);
      m.regs({ a1: va });
      m.sfence(0, 0, false, false);                 // empty every TLB so that both walks happen
      expect(m.run(1000)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(BigInt(k - 1));
      const d = delta(c0, m.counters());
      expect(d.C_WALKS).toBe(2n);
      expect(d.C_CPT_NODES).toBe(1n + BigInt(k));
      expect(d.C_WALK_REFS).toBe(3n + (2n + BigInt(k)));
    }
  });

  it("a miss walks the whole chain: 1 + chain length references, then a page fault", () => {
    const { m, t } = cptMachine();
    const a = DVA, b = collidingVa(a), c = collidingVa(b);
    t.map(a, DPA, R | REF);
    t.map(b, DPA, R | REF);
    const c0 = m.counters();
    expect(run(m, ld1, c)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(13);
    expect(m.trapValue()).toBe(c);
    const d = delta(c0, m.counters());
    expect(d.C_WALK_FAULTS).toBe(1n);
    expect(d.C_CPT_NODES).toBe(1n + 2n);
    expect(d.C_WALK_REFS).toBe(3n + 1n + 2n);
    expect(d.C_CPT_HOLES ?? 0n).toBe(0n);
  });

  it("a partially filled block: mapped pages translate, the empty words of the same node fault as holes", () => {
    const { m, t } = cptMachine();
    for (const i of [0, 5, 15]) { t.map(DVA + BigInt(i) * 0x1000n, DPA + i * 0x1000, R | W | REF); m.w64(DPA + i * 0x1000, BigInt(i)); }
    for (const i of [0, 5, 15]) {
      expect(run(m, ld1, DVA + BigInt(i) * 0x1000n)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(BigInt(i));
    }
    const c0 = m.counters();
    expect(run(m, sd1, DVA + 0x6000n)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    const d = delta(c0, m.counters());
    expect(d.C_CPT_HOLES).toBe(1n);
    expect(d.C_WALK_REFS).toBe(3n);
    expect(t.node(DVA)).toBeDefined();
    expect(t.node(DVA + 0x10000n)).toBeUndefined();    // the next block has no node
  });

  it("rights: no W → store fault (MOD not set), no X → fetch fault, no R → load fault; MOD set by a store", () => {
    const { m, t } = cptMachine();
    const ro = t.map(DVA, DPA, R | X | REF);
    expect(run(m, sd1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.r64(ro) & MOD).toBe(0n);
    t.map(DVA + 0x1000n, DPA, R | W | REF);
    expect(run(m, jmp, DVA + 0x1000n)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(12);
    t.map(DVA + 0x2000n, DPA, X | REF);
    expect(run(m, ld1, DVA + 0x2000n)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(13);
    const rw = t.map(DVA + 0x3000n, DPA, R | W | REF);
    expect(run(m, sd1, DVA + 0x3000n, { a2: 3n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r64(rw) & MOD).toBe(MOD);
    expect(m.r64(DPA)).toBe(3n);
  });

  for (const subLog2 of [0, 2, 6]) {
    it(`subblock factor ${1 << subLog2}: the page's word is found at its index in its block's node`, () => {
      const { m, t } = cptMachine(subLog2);
      const va = DVA + BigInt(((1 << subLog2) - 1) * 0x1000);
      t.map(va, DPA, R | REF);
      m.w64(DPA, 31n);
      expect(run(m, ld1, va)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(31n);
      expect(t.node(va)).toBe(t.node(DVA));
    });
  }

  it("ASID tags: a TLB entry of another address space does not hit; sfence by ASID removes only its own", () => {
    const { m, t } = cptMachine(4, 1);
    t.map(DVA, DPA, R | REF);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    m.ex.hashedSetTable(BigInt(TABLE), B, 2);
    let c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_WALKS).toBe(2n);  // code and data again under ASID 2
    m.sfence(0, 2, false, true);
    m.ex.hashedSetTable(BigInt(TABLE), B, 1);
    c0 = m.counters();
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n).toBe(0n);   // ASID 1's entries survived
  });

  it("an invalidated mapping stays cached until sfence.vma, then faults", () => {
    const { m, t } = cptMachine();
    const a = t.map(DVA, DPA, R | REF);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    m.w64(a, 0n);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_BREAKPOINT);
    m.sfence(DVA, 1, true, true);
    expect(run(m, ld1, DVA)).toBe(m.K.EXIT_PAGE_FAULT);
  });
});

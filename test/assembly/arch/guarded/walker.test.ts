// The guarded-page-table walker (assembly/arch/guarded/) with hand-built trees in guest
// RAM: guards that match and skip levels, guard mismatches, nodes of different sizes, references per walk exactly
// as the tree implies (one per node visited, plus the A/D write), malformed trees, rights, and ASID-tagged entries
// with invalidation by address and by ASID.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, Machine } from "../../harness";

const V = 1n, LEAF = 2n, R = 4n, W = 8n, X = 16n, A = 32n, D = 64n;
const CODE_VA = 0x10000n, CODE_PA = 0x1000;
const ROOT = 0x100000;

/** Entry word 0: flags, guard of length g with value `guard`, child index bits s. */
const w0 = (flags: bigint, g: number, guard: bigint, s = 0) =>
  flags | V | (BigInt(g) << 8n) | (BigInt(s) << 16n) | (guard << 28n);
const vpnOf = (va: bigint) => va >> 12n;
/** VPN bits [left−1 .. left−n] (the next n bits when `left` bits are still untranslated). */
const bits = (va: bigint, left: number, n: number) => (vpnOf(va) >> BigInt(left - n)) & ((1n << BigInt(n)) - 1n);

class Tree {
  private next = ROOT + 0x10000;
  constructor(readonly m: Machine) {}
  /** A zeroed node of 2^s entries (16 bytes each), aligned to its size. */
  node(s: number): number {
    const size = 16 << s;
    this.next = Math.ceil(this.next / size) * size;
    const a = this.next;
    this.next += size;
    this.m.write(a, new Uint8Array(size));
    return a;
  }
  set(node: number, idx: bigint, word0: bigint, word1: number | bigint): number {
    const a = node + 16 * Number(idx);
    this.m.w64(a, word0);
    this.m.w64(a + 8, BigInt(word1));
    return a;
  }
  /** A leaf in `node` (2^s entries, `left` bits untranslated before it) that maps va's page with one guard. */
  leaf(node: number, s: number, left: number, va: bigint, pa: number, flags: bigint): number {
    const g = left - s;
    return this.set(node, bits(va, left, s), w0(flags | LEAF, g, bits(va, left - s, g)), pa);
  }
}

function gptMachine(rootBits = 4, asid = 1) {
  const m = new Machine(4 << 20);
  m.configureTlb(2, 0, 0);   // no L2: every L1 miss walks
  const t = new Tree(m);
  m.write(ROOT, new Uint8Array(16 << rootBits));
  t.leaf(ROOT, rootBits, 36, CODE_VA, CODE_PA, R | X | A);
  expect(m.ex.gptSetRoot(BigInt(ROOT), rootBits, asid)).toBe(0);
  return { m, t };
}

describe.skipIf(!asmAvailable)("guarded page-table walker", () => {
  const [ld, sd, jmp] = asmAvailable ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "jalr ra, 0(a1)"]) : [];
  const run = (m: Machine, code: Uint8Array, regs: Record<string, bigint | number>) => {
    m.write(CODE_PA, code);
    m.pc = CODE_VA;
    m.regs(regs);
    return m.run(1000);
  };
  const warm = (m: Machine) => expect(run(m, ld, { a1: CODE_VA })).toBe(m.K.EXIT_BREAKPOINT);

  it("a root entry whose guard holds all 32 remaining bits maps a page in one reference", () => {
    const { m, t } = gptMachine();
    const va = 0x7123_4567_8000n;
    t.leaf(ROOT, 4, 36, va, 0x3000, R | W | A | D);
    m.w64(0x3000 + 0x18, 42n);
    warm(m);
    const c0 = m.counters();
    expect(run(m, ld, { a1: va + 0x18n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(42n);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(1n);
    expect(d.C_WALK_REFS).toBe(1n);
    expect(d.C_GPT_GUARD_BITS).toBe(32n);
  });

  it("a guard mismatch is a page fault after one reference; so is an invalid entry", () => {
    const { m, t } = gptMachine();
    const va = 0x7123_4567_8000n;
    t.leaf(ROOT, 4, 36, va, 0x3000, R | A);
    warm(m);
    for (const bad of [va ^ 0x1000n, va ^ 0x0100_0000_0000n]) {   // lowest and highest guarded bit
      const c0 = m.counters();
      expect(run(m, ld, { a1: bad })).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(13);
      expect(m.trapValue()).toBe(bad);
      const d = delta(c0, m.counters());
      expect(d.C_WALK_REFS).toBe(1n);
      expect(d.C_GPT_GUARD_FAULTS).toBe(1n);
    }
    const c0 = m.counters();
    expect(run(m, ld, { a1: 0x2000_0000_0000n })).toBe(m.K.EXIT_PAGE_FAULT);   // root index 2: invalid
    const d = delta(c0, m.counters());
    expect(d.C_WALK_REFS).toBe(1n);
    expect(d.C_GPT_GUARD_FAULTS ?? 0n).toBe(0n);
  });

  it("levels and guards: references = nodes visited, guards skip the bits a radix walk would index", () => {
    const { m, t } = gptMachine();
    // root (4 bits) → guard 8 → node of 16 (4 bits) → guard 12 → node of 256 (8 bits) → leaf, no guard.
    const va = 0x5AB_C12_34_5000n;
    const n1 = t.node(4), n2 = t.node(8);
    t.set(ROOT, bits(va, 36, 4), w0(0n, 8, bits(va, 32, 8), 4), n1);
    t.set(n1, bits(va, 24, 4), w0(0n, 12, bits(va, 20, 12), 8), n2);
    t.leaf(n2, 8, 8, va, 0x5000, R | W | A | D);
    m.w64(0x5000, 7n);
    warm(m);
    const c0 = m.counters();
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(7n);
    const d = delta(c0, m.counters());
    expect(d.C_WALK_REFS).toBe(3n);
    expect(d.C_GPT_GUARD_BITS).toBe(20n);
    // A neighbour page in the same 256-entry node: no leaf there → fault after 3 references.
    const c1 = m.counters();
    expect(run(m, ld, { a1: va + 0x1000n })).toBe(m.K.EXIT_PAGE_FAULT);
    expect(delta(c1, m.counters()).C_WALK_REFS).toBe(3n);
    // A mismatch in the middle node's guard: 2 references.
    const c2 = m.counters();
    expect(run(m, ld, { a1: va ^ 0x1000_0000n })).toBe(m.K.EXIT_PAGE_FAULT);   // VPN bit 16: in the middle guard
    const d2 = delta(c2, m.counters());
    expect(d2.C_WALK_REFS).toBe(2n);
    expect(d2.C_GPT_GUARD_FAULTS).toBe(1n);
  });

  it("nodes of any size: a 2-bit root and a 12-bit (4096-entry) node", () => {
    const { m, t } = gptMachine(2);
    const va = 0x4000_0123_4000n;
    const n = t.node(12);
    t.set(ROOT, bits(va, 36, 2), w0(0n, 10, bits(va, 34, 10), 12), n);
    t.leaf(n, 12, 24, va, 0x6000, R | A);
    m.w64(0x6000 + 8, 99n);
    warm(m);
    const c0 = m.counters();
    expect(run(m, ld, { a1: va + 8n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(99n);
    expect(delta(c0, m.counters()).C_WALK_REFS).toBe(2n);
  });

  it("the split a new mapping forces: two leaves below a new node under the common guard prefix", () => {
    const { m, t } = gptMachine();
    const a = 0x6000_1234_5000n, b = 0x6000_1234_7000n;     // differ in VPN bit 1
    // Before: one leaf for a, guard = its 32 bits. After the split: guard = the 29-bit common prefix, a node of 16
    // entries indexing the next 4 bits (which include the differing bit), leaves with no guard left... except the
    // 3 bits below: 4 + 29 + 4 = 37 > 36, so the node takes the last 3 bits as an 8-entry node.
    t.leaf(ROOT, 4, 36, a, 0x7000, R | A);
    warm(m);
    expect(run(m, ld, { a1: a })).toBe(m.K.EXIT_BREAKPOINT);
    expect(run(m, ld, { a1: b })).toBe(m.K.EXIT_PAGE_FAULT);
    const n = t.node(3);
    t.set(ROOT, bits(a, 36, 4), w0(0n, 29, bits(a, 32, 29), 3), n);
    t.leaf(n, 3, 3, a, 0x7000, R | A);
    t.leaf(n, 3, 3, b, 0x8000, R | A);
    m.w64(0x7000, 1n); m.w64(0x8000, 2n);
    m.ex.gptInvalidate(a, 1, 1, 1);
    for (const [va, v] of [[a, 1n], [b, 2n]] as const) {
      const c0 = m.counters();
      expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(v);
      expect(delta(c0, m.counters()).C_WALK_REFS).toBe(2n);
    }
  });

  it("large pages where 9 or 18 bits are left: 2 MiB and 1 GiB leaves, one reference, offsets translated", () => {
    const { m, t } = gptMachine();
    const va2 = 0x3000_0020_0000n, va1 = 0x5000_4000_0000n;
    t.set(ROOT, bits(va2, 36, 4), w0(R | LEAF | A, 23, bits(va2, 32, 23)), 0x200000);   // 9 bits left: 2 MiB
    t.set(ROOT, bits(va1, 36, 4), w0(R | LEAF | A, 14, bits(va1, 32, 14)), 0);          // 18 bits left: 1 GiB
    m.w64(0x212348, 11n);
    m.w64(0x2A0008, 22n);
    warm(m);
    for (const [va, v] of [[va2 + 0x12348n, 11n], [va1 + 0x2A0008n, 22n]] as const) {
      const c0 = m.counters();
      expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(v);
      expect(delta(c0, m.counters()).C_WALK_REFS).toBe(1n);
    }
    // Another address in the same 2 MiB page hits the TLB entry: no walk.
    const c0 = m.counters();
    expect(run(m, ld, { a1: va2 + 0x1F0000n })).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n).toBe(0n);
    // A misaligned 2 MiB frame faults.
    t.set(ROOT, bits(va2, 36, 4), w0(R | LEAF | A, 23, bits(va2, 32, 23)), 0x201000);
    m.ex.gptInvalidate(va2, 1, 1, 1);
    expect(run(m, ld, { a1: va2 })).toBe(m.K.EXIT_PAGE_FAULT);
  });

  it("malformed trees fault: a leaf with bits left that are no page size, a child larger than the bits left", () => {
    const { m, t } = gptMachine();
    const va = 0x3000_0000_0000n;
    t.set(ROOT, bits(va, 36, 4), w0(R | LEAF | A, 20, bits(va, 32, 20)), 0x3000);   // 12 bits left after the leaf
    warm(m);
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_PAGE_FAULT);
    const n = t.node(8);
    t.set(ROOT, bits(va, 36, 4), w0(0n, 30, bits(va, 32, 30), 8), n);                // 2 bits left, node of 8
    m.ex.gptInvalidate(0n, 1, 0, 1);
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_PAGE_FAULT);
    expect(run(m, ld, { a1: 0x1_0000_0000_0000n })).toBe(m.K.EXIT_PAGE_FAULT);        // beyond 48 bits
  });

  it("rights per access (R, W, X) and A/D set by the walker as counted references", () => {
    const { m, t } = gptMachine();
    const va = 0x1000_0000_0000n;
    const e = t.leaf(ROOT, 4, 36, va, 0x3000, R);
    warm(m);
    let c0 = m.counters();
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    let d = delta(c0, m.counters());
    expect(d.C_WALK_REFS).toBe(2n);        // entry read + A write
    expect(d.C_AD_UPDATES).toBe(1n);
    expect(m.r64(e) & (A | D)).toBe(A);
    expect(run(m, sd, { a1: va })).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(run(m, jmp, { a1: va })).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(12);
    m.w64(e, m.r64(e) | W);
    m.ex.gptInvalidate(va, 1, 1, 1);
    c0 = m.counters();
    expect(run(m, sd, { a1: va, a2: 5 })).toBe(m.K.EXIT_BREAKPOINT);
    d = delta(c0, m.counters());
    expect(m.r64(e) & (A | D)).toBe(A | D);
    expect(d.C_AD_UPDATES).toBe(1n);
  });

  it("ASID-tagged TLB entries: two trees, same address; invalidation by ASID removes only that space's entries", () => {
    const { m, t } = gptMachine(4, 1);
    const va = 0x2000_0000_0000n;
    t.leaf(ROOT, 4, 36, va, 0x3000, R | A);
    const root2 = t.node(4);
    t.leaf(root2, 4, 36, CODE_VA, CODE_PA, R | X | A);
    t.leaf(root2, 4, 36, va, 0x4000, R | A);
    m.w64(0x3000, 1n); m.w64(0x4000, 2n);
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(1n);
    expect(m.ex.gptSetRoot(BigInt(root2), 4, 2)).toBe(0);
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(2n);
    // Back to ASID 1: its entries are still cached (no walk); after invalidating ASID 1 they are gone.
    expect(m.ex.gptSetRoot(BigInt(ROOT), 4, 1)).toBe(0);
    let c0 = m.counters();
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(1n);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n).toBe(0n);
    m.ex.gptInvalidate(0n, 1, 0, 1);
    c0 = m.counters();
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_WALKS).toBe(2n);
    // ASID 2's entries survived that invalidation.
    expect(m.ex.gptSetRoot(BigInt(root2), 4, 2)).toBe(0);
    c0 = m.counters();
    expect(run(m, ld, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n).toBe(0n);
  });

  it("the root register rejects an impossible root", () => {
    const m = new Machine(1 << 20);
    expect(m.ex.gptSetRoot(BigInt(ROOT), 0, 1)).toBe(-1);
    expect(m.ex.gptSetRoot(BigInt(ROOT), 13, 1)).toBe(-1);
    expect(m.ex.gptSetRoot(BigInt(ROOT + 8), 4, 1)).toBe(-1);
  });
});

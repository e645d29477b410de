// Replacement policies of the modelled TLBs, each driven through the real wasm with a worked access sequence from
// the policy's definition: a one-set L1 D-TLB of k ways (no L2, so every L1 miss walks), hand-built Sv39 tables,
// one load per instruction at a chosen page, and per instruction whether C_DTLB_MISS moved. The expected traces
// below were worked out by hand from the cited definitions ('M' = miss, '.' = hit); a later probe shows which page
// the policy evicted. Sources are summarised in the project's replacement-policy digest
// (reference/replacement_policies.md): Belady 1966 / textbook LRU and FIFO, tree-PLRU as in gem5 TreePLRU and
// ChampSim, NRU as 1-bit RRIP, and Jaleel, Theobald, Steely, Emer, "High Performance Cache Replacement Using
// Re-Reference Interval Prediction (RRIP)", ISCA 2010, for SRRIP-HP and BRRIP.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, delta, loadPaged, Machine, PAGED, pagedMachine, PTE } from "./harness";

const { CODE_VA } = PAGED;

const URW = PTE.R | PTE.W | PTE.U | PTE.A | PTE.D;
const L1I = 0, L1D = 1, L2 = 2;
const PA_DATA = 0x20000;
const page = (k: number) => 0x40000000n + BigInt(k) * 0x1000n;
const REGS = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6"];

/**
 * A machine whose L1 D-TLB is one set of `ways` ways under `policy` (a POLICY_* name), with no L2. Pages are
 * letters: page "A" is data page 0, "B" page 1, ... Returns the miss trace of `seq` (one load per letter).
 */
function trace(policy: string, ways: number, seq: string, seed = 0): string {
  const { m, pt } = pagedMachine();
  const code = m.K[`POLICY_${policy.toUpperCase()}`];
  expect(code, policy).toBeTypeOf("number");
  m.setConfig(m.K.K_SEED, seed);
  m.configureTlb(L1D, 1, ways, code);
  m.configureTlb(L2, 1, 0, m.K.POLICY_LRU);
  m.ex.resetTlbs();                             // empties the TLBs and re-seeds the generator from K_SEED
  const letters = [...new Set(seq)].sort();
  if (letters.length > REGS.length) throw new Error("too many pages for the registers");
  letters.forEach((c, i) => {
    const k = c.charCodeAt(0) - 65;
    pt.map(page(k), PA_DATA + k * 0x1000, URW);
    m.setX(REGS[i], page(k));
  });
  loadPaged(m, asm([...seq].map((c) => `ld t0, 0(${REGS[letters.indexOf(c)]})`).join("\n") + "\nebreak"));
  return missTrace(m, seq.length);
}

function missTrace(m: Machine, steps: number): string {
  let out = "";
  for (let i = 0; i < steps; i++) {
    const before = m.counter(m.K.C_DTLB_MISS);
    expect(m.run(1)).toBe(m.K.EXIT_BUDGET);
    out += m.counter(m.K.C_DTLB_MISS) !== before ? "M" : ".";
  }
  return out;
}

/** The seeded generator of assembly/tlb/policy/common.ts (xorshift64*), for BRRIP's 1-in-32 draws. */
function draws(seed: bigint, n: number): number[] {
  const M = (1n << 64n) - 1n;
  let x = (seed ^ 0x9E3779B97F4A7C15n) & M;
  if (x === 0n) x = 1n;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x >> 12n; x = (x ^ (x << 25n)) & M; x ^= x >> 27n;
    out.push(Number((((x * 0x2545F4914F6CDD1Dn) & M) >> 32n) & 31n));
  }
  return out;
}

// Belady's reference string (Belady, Nelson, Shedler, CACM 1969; digest §5): 1 2 3 4 1 2 5 1 2 3 4 5 = ABCDABEABCDE.
const BELADY = "ABCDABEABCDE";

describe.skipIf(!asmAvailable)("replacement policies on worked sequences", () => {
  it("LRU, 3 ways, Belady's string: 10 misses (a stack algorithm: 8 with 4 ways)", () => {
    // 3 frames: A B C fill; D evicts A; A evicts B; B evicts C; E evicts D; A, B hit; C evicts E; D evicts A;
    // E evicts B. 4 frames: A B C D fill; A, B hit; E evicts C; A, B hit; C evicts D; D evicts E; E evicts A.
    expect(trace("lru", 3, BELADY)).toBe("MMMMMMM..MMM");
    expect(trace("lru", 4, BELADY)).toBe("MMMM..M..MMM");
  });

  it("FIFO, Belady's anomaly: 9 misses with 3 ways, 10 with 4", () => {
    // 3 frames: A B C fill; D evicts A; A evicts B; B evicts C; E evicts D; A, B hit (no reordering); C evicts A;
    // D evicts B; E hits. 4 frames: A B C D fill; A, B hit; E evicts A; A evicts B; B evicts C; C evicts D;
    // D evicts E; E evicts A.
    const m3 = trace("fifo", 3, BELADY), m4 = trace("fifo", 4, BELADY);
    expect(m3).toBe("MMMMMMM..MM.");
    expect(m4).toBe("MMMM..MMMMMM");
    expect([...m3].filter((c) => c === "M")).toHaveLength(9);
    expect([...m4].filter((c) => c === "M")).toHaveLength(10);
  });

  it("tree-PLRU, 4 ways: after A B C D C A, E evicts D (the tree's choice), where LRU evicts B", () => {
    // Ways 0..3 = A B C D, tree bits point away from each touch. After the fills: root → left, left node → A,
    // right node → C. Touch C (way 2): root → left, right node → D. Touch A (way 0): root → right, left node → B.
    // Miss E: root → right → D: E replaces D in way 3 (root → left, right node → C). B hits (way 1: root → right,
    // left node → A). Miss D: root → right → C: D replaces C. Probe C: miss.
    expect(trace("plru", 4, "ABCDCAEBDC")).toBe("MMMM..M.MM");
    expect(trace("lru", 4, "ABCDCAEBDC")).toBe("MMMM..MMMM");
  });

  it("NRU (1-bit RRIP), 4 ways: fills and hits clear the bit; the leftmost set bit goes; none set → set all", () => {
    // A B C D fill with bit 0. Miss E: no bit set → set all, evict way 0 (A); E (bit 0) in way 0. B hits (bit 0).
    // Miss F: leftmost set bit is way 2 (C). Miss G: way 3 (D). Miss H: none set → set all → way 0 (E).
    // B hits (its bit was set by the aging, the hit clears it). Probe E: miss.
    expect(trace("nru", 4, "ABCDEBFGHBE")).toBe("MMMMM.MMM.M");
  });

  it("SRRIP-HP (M = 2), 4 ways: reused entries survive a scan that flushes LRU (Jaleel et al. §3)", () => {
    // A B C D fill at RRPV 2; A and B hit → 0. Miss E: RRPVs 0 0 2 2, none is 3 → age by 1 → 1 1 3 3 → evict
    // way 2 (C); E at 2. Miss F: way 3 (D) is 3 → F at 2. Miss G: 1 1 2 2 → age → 2 2 3 3 → way 2 (E). Miss H:
    // way 3 (F). A and B (RRPV 2) still resident: hits. LRU loses both to the four-page scan E F G H.
    expect(trace("srrip", 4, "ABCDABEFGHAB")).toBe("MMMM..MMMM..");
    expect(trace("lru", 4, "ABCDABEFGHAB")).toBe("MMMM..MMMMMM");
  });

  it("BRRIP (M = 2), 4 ways: a cyclic working set one larger than the set keeps 3 of 5 pages (thrash resistance)", () => {
    // Seed 0: none of the first 12 draws is 0 mod 32, so every fill is at the distant RRPV 3.
    expect(draws(0n, 12).every((d) => d !== 0)).toBe(true);
    // A B C D fill at 3. Miss E: way 0 (A) is the leftmost 3. Miss A: way 0 (E) again. B, C, D hit → 0. Miss E:
    // way 0 (A). Miss A: way 0 (E). B hits. LRU misses every access of the loop (digest §5).
    expect(trace("brrip", 4, "ABCDEABCDEAB", 0)).toBe("MMMMMM...MM.");
    expect(trace("lru", 4, "ABCDEABCDEAB")).toBe("MMMMMMMMMMMM");
  });

  it("BRRIP: a fill drawn at 1/32 goes in at RRPV 2 (long) and outlives distant fills", () => {
    // Seed 29: draws 0..3 are non-zero, draw 4 (the fill of E) is 0 → E inserted at 2, the rest at 3.
    const d = draws(29n, 8);
    expect(d[4]).toBe(0);
    expect([0, 1, 2, 3, 5, 6, 7].every((i) => d[i] !== 0)).toBe(true);
    // A B C D at 3. Miss E: evict way 0 (A), E at 2. Miss A: leftmost 3 is way 1 (B). Miss B: way 1 (A).
    // C, D, E hit. Miss A: way 1 (B). Miss B: way 1 (A).
    expect(trace("brrip", 4, "ABCDEABCDEAB", 29)).toBe("MMMMMMM...MM");
  });

  it("LFU, 3 ways: the entry hit once outlives two never-hit ones; ties go to the least recently used", () => {
    // A fills, A hits (count 1), B C fill (0). Miss D: counts 1 0 0 → B and C tie → LRU is B. Probe A: hit (LRU
    // would have evicted A, its least recently used). Probe B: miss.
    expect(trace("lfu", 3, "AABCDAB")).toBe("M.MMM.M");
    expect(trace("lru", 3, "AABCDAB")).toBe("M.MMMMM");
  });

  it("MRU, 4 ways: the loop that defeats LRU keeps most of its pages", () => {
    // A B C D fill. Miss E evicts D (most recent). A B C hit. Miss D evicts C; E hits; A B hit.
    expect(trace("mru", 4, "ABCDEABCDEAB")).toBe("MMMMM...M...");
  });

  it("SRRIP on the I-TLB: hits by fast fetches after a fill count (one slow fetch after each fill stamps the entry)", () => {
    // I-TLB: one set of 2 ways. Page P runs three instructions (a fill, then hits), jumps to Q, whose single
    // instruction jumps to R (Q is never hit), whose single instruction jumps back to P's ebreak. At R's miss the
    // RRPVs are P 0 (hit), Q 2 → age by 1 → 1 3 → Q goes, and the return to P hits: 3 misses. Had P's hits been
    // lost, P and Q would both be at 2 and the leftmost (P) would go: 4 misses, as with LRU (P is older).
    const misses = (policy: number) => {
      const { m, pt } = pagedMachine();
      m.configureTlb(L1I, 1, 2, policy);
      const X = PTE.R | PTE.X | PTE.U | PTE.A;
      const Q = CODE_VA + 0x1000n, R = CODE_VA + 0x2000n;
      pt.map(Q, 0x3000, X);
      pt.map(R, 0x4000, X);
      loadPaged(m, asm("nop\nnop\njr t2\nebreak"));
      m.write(0x3000, asm("jr t3"));
      m.write(0x4000, asm("jr t4"));
      m.regs({ t2: Q, t3: R, t4: CODE_VA + 12n });
      const before = m.counters();
      expect(m.run(100)).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(before, m.counters());
      expect(d.C_ITLB_ACCESS).toBe(6n);         // nop nop jr | jr | jr | ebreak
      return d.C_ITLB_MISS;
    };
    expect(misses(pagedMachine().m.K.POLICY_SRRIP)).toBe(3n);
    expect(misses(pagedMachine().m.K.POLICY_LRU)).toBe(4n);
  });

  it("every policy keeps the access and hit accounting exact on a multi-page loop, I-TLB included", () => {
    // Code on two pages calling each other in a loop, loads over 6 data pages in a 4-entry D-TLB: whatever the
    // policy, accesses = fetches (instructions + the trapping ebreak) and loads; misses ≤ accesses.
    const body = Array.from({ length: 30 }, (_, i) => `ld t0, 0(${REGS[i % 6]})`).join("\n");
    const names = ["lru", "plru", "fifo", "random", "nru", "lfu", "srrip", "brrip", "mru"];
    const misses: Record<string, bigint> = {};
    for (const p of names) {
      const { m, pt } = pagedMachine();
      const code = m.K[`POLICY_${p.toUpperCase()}`];
      m.configureTlb(L1I, 1, 2, code);
      m.configureTlb(L1D, 1, 4, code);
      m.configureTlb(L2, 2, 2, code);
      for (let k = 0; k < 6; k++) { pt.map(page(k), PA_DATA + k * 0x1000, URW); m.setX(REGS[k], page(k)); }
      // First code page: the loop body, then a jump to the second code page, which counts and jumps back (20×).
      pt.map(CODE_VA + 0x1000n, 0x3000, PTE.R | PTE.X | PTE.U | PTE.A);
      loadPaged(m, asm(`li t1, 20\n${body}\nlui t2, ${Number(CODE_VA + 0x1000n) >> 12}\njr t2`));
      m.write(0x3000, asm(`addi t1, t1, -1\nbeqz t1, 1f\nlui t2, ${Number(CODE_VA) >> 12}\naddi t2, t2, 4\njr t2\n1: ebreak`));
      const before = m.counters();
      expect(m.run(100000), p).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(before, m.counters());
      const insns = d.C_INSTRET!;
      expect(d.C_ITLB_ACCESS, p).toBe(insns + 1n);
      expect(d.C_DTLB_ACCESS, p).toBe(20n * 30n);
      expect(d.C_DTLB_MISS! <= d.C_DTLB_ACCESS!, p).toBe(true);
      misses[p] = d.C_DTLB_MISS!;
    }
    // 6 pages cycling through 4 ways: LRU and FIFO miss on every load; MRU and the RRIP family do better.
    expect(misses.lru).toBe(600n);
    expect(misses.fifo).toBe(600n);
    expect(misses.mru).toBeLessThan(600n);
    expect(misses.brrip).toBeLessThan(600n);
  });
});

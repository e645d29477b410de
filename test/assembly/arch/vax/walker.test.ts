// The VAX walker (assembly/arch/vax/) with hand-built system and process page tables in
// guest RAM: 512-byte pages; a process PTE fetched through the system page table, through the TB's system half or
// missing it; length violations in every region; protection codes per access mode, checked before validity; the M
// bit set by the first write; LDPCTX dropping the process half while system translations survive; TBIA and TBIS;
// and exact miss counts with one TB entry per 512-byte page.

import { describe, expect, it } from "vitest";
import { asmAvailable, asmMany, delta, frames, Machine, PageTable, PTE } from "../../harness";

const V = 1 << 31, M = 1 << 26;
const prot = (code: number) => code << 27;
const NA = 0, KW = 2, KR = 3, UW = 4, EW = 5, ERKW = 6, ER = 7, SW = 8, SREW = 9, SRKW = 10, SR = 11;
const URSW = 12, UREW = 13, URKW = 14, UR = 15;
const PR = { P0BR: 8, P0LR: 9, P1BR: 10, P1LR: 11, SBR: 12, SLR: 13, MAPEN: 56, TBIA: 57, TBIS: 58 };
const ACV = 0x20, TNV = 0x24, LEN = 1, PTEREF = 2, WRITE = 4;

// Guest physical layout of the test machine.
const SBR = 0x100000;          // system page table: SLR longwords
const SLR = 64;                // S0 pages 0x80000000 .. 0x80008000
const P0PT_PA = 0x110000;      // S0 pages 0..7 → the P0 table (1024 PTEs: P0 VA 0 .. 0x80000)
const P1PT_PA = 0x111000;      // S0 pages 8..15 → the P1 table for the top 1024 P1 pages
const P0BR = 0x80000000;
const P0LR = 1024;
const P1LR = (1 << 21) - 1024;
const P1BR = (0x80001000 - 4 * P1LR) >>> 0;   // biased: the PTE of P1 VPN v is at P1BR + 4·v
const CODE_VA = 0x10000, CODE_PA = 0x1000;
const DVA = 0x20000, DPA = 0x3000;

class VaxTables {
  constructor(readonly m: Machine) {}
  spte(svpn: number): number { return this.m.r32(SBR + 4 * svpn); }
  setSpte(svpn: number, v: number): void { this.m.w32(SBR + 4 * svpn, v); }
  /** Physical address of the process PTE for va (P0 or P1), following the system PTE that maps it. */
  pteAddr(va: number): number {
    const vpn = (va >>> 9) & 0x1FFFFF;
    const ptev = (((va >>> 30) === 1 ? P1BR : P0BR) + 4 * vpn) >>> 0;
    const svpn = ((ptev >>> 9) & 0x1FFFFF);
    return (this.spte(svpn) & 0x1FFFFF) * 512 + (ptev & 0x1FF);
  }
  pte(va: number): number { return this.m.r32(this.pteAddr(va)) >>> 0; }
  setPte(va: number, v: number): void { this.m.w32(this.pteAddr(va), v); }
  /** Maps the 512-byte page of va to pa with protection code `code` (valid). */
  map(va: number, pa: number, code: number, extra = 0): void { this.setPte(va, V | prot(code) | (pa >>> 9) | extra); }
}

interface Opts { stbSets?: number; stbWays?: number; l1d?: [number, number]; l2?: [number, number] }

/** A machine with mapping enabled: the system page table maps both process tables; code mapped UR at CODE_VA. */
function vaxMachine(o: Opts = {}) {
  const m = new Machine(4 << 20);
  m.setConfig(m.K.K_VAX_STB_SETS, o.stbSets ?? 32);
  m.setConfig(m.K.K_VAX_STB_WAYS, o.stbWays ?? 2);
  m.ex.resetTlbs();
  const pt = new VaxTables(m);
  for (let i = 0; i < 8; i++) pt.setSpte(i, V | prot(KW) | ((P0PT_PA >>> 9) + i));
  for (let i = 0; i < 8; i++) pt.setSpte(8 + i, V | prot(KW) | ((P1PT_PA >>> 9) + i));
  const mtpr = (ipr: number, v: number) => expect(m.ex.vaxMtpr(ipr, v >>> 0)).toBe(0);
  mtpr(PR.SBR, SBR); mtpr(PR.SLR, SLR);
  mtpr(PR.P0BR, P0BR); mtpr(PR.P0LR, P0LR); mtpr(PR.P1BR, P1BR); mtpr(PR.P1LR, P1LR);
  mtpr(PR.MAPEN, 1);
  const [l1s, l1w] = o.l1d ?? [8, 4];
  m.configureTlb(1, l1s, l1w);
  const [l2s, l2w] = o.l2 ?? [0, 0];
  m.configureTlb(2, l2s, l2w);
  pt.map(CODE_VA, CODE_PA, UR);
  return { m, pt, mtpr };
}

describe.skipIf(!asmAvailable)("VAX walker", () => {
  const [ldw, stw, ld2, jmp, ldAll] = asmAvailable
    ? asmMany(["lw a0, 0(a1)\nebreak", "sw a2, 0(a1)\nebreak", "lw a0, 0(a1)\nlw a3, 0(a2)\nebreak", "jalr ra, 0(a1)",
      // a1 = base, a2 = count, a3 = stride, a4 = passes: loads count addresses stride apart, passes times.
      "1: mv t0, a1\nmv t1, a2\n2: lw a0, 0(t0)\nadd t0, t0, a3\naddi t1, t1, -1\nbnez t1, 2b\naddi a4, a4, -1\nbnez a4, 1b\nebreak"])
    : [];

  const run = (m: Machine, code: Uint8Array, regs: Record<string, number | bigint> = {}) => {
    if (code.length > 512) throw new Error("code longer than one VAX page");
    m.write(CODE_PA, code);
    m.pc = CODE_VA;
    m.regs(regs);
    return m.run(10_000);
  };
  const expectFault = (m: Machine, va: number | bigint, cause: number, vector: number, param: number) => {
    expect(m.trapCause(), "RISC-V cause").toBe(cause);
    expect(m.trapValue()).toBe(BigInt(va));
    expect(m.ex.trapVector(), "SCB vector").toBe(vector);
    expect(m.ex.pfErrorCode(), "fault parameter").toBe(param);
  };

  it("MTPR/MFPR: the registers read back; an unknown register is a reserved operand", () => {
    const { m } = vaxMachine();
    expect(m.ex.vaxMfpr(PR.P0BR) >>> 0).toBe(P0BR);
    expect(m.ex.vaxMfpr(PR.P1BR) >>> 0).toBe(P1BR);
    expect(m.ex.vaxMfpr(PR.P1LR) >>> 0).toBe(P1LR);
    expect(m.ex.vaxMfpr(PR.SLR) >>> 0).toBe(SLR);
    expect(m.ex.vaxMfpr(PR.MAPEN) >>> 0).toBe(1);
    expect(m.ex.vaxMtpr(99, 0)).toBe(-1);
  });

  it("a process PTE fetch that misses the system half reads the system page table: 2 references; a hit: 1", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UR);
    pt.map(DVA + 0x200, DPA + 0x200, UR);
    m.w32(DPA + 4, 0x1234); m.w32(DPA + 0x204, 0x5678);
    const c0 = m.counters();
    expect(run(m, ld2, { a1: DVA + 4, a2: DVA + 0x204 })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x1234n);
    expect(m.x("a3")).toBe(0x5678n);
    const d = delta(c0, m.counters());
    // Code PTE (P0 VPN 128) is in S0 page 1; both data PTEs (VPNs 256, 257) are in S0 page 2.
    expect(d.C_WALKS).toBe(3n);
    expect(d.C_VAX_STB_MISS).toBe(2n);
    expect(d.C_VAX_STB_HIT).toBe(1n);
    expect(d.C_WALK_REFS).toBe(3n + d.C_VAX_STB_MISS);
    expect(d.C_DTLB_MISS).toBe(2n);   // one TB entry per 512-byte page
  });

  it("a P1 (stack) page translates through the biased P1BR", () => {
    const { m, pt } = vaxMachine();
    const va = 0x7FFFFE00;
    pt.map(va, 0x5000, UW);
    m.w32(0x5000 + 0x10, 77);
    expect(run(m, ldw, { a1: va + 0x10 })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(77n);
    expect(pt.pteAddr(va)).toBe(P1PT_PA + 4 * 1023);
  });

  it("an invalid system PTE (page of page table not resident) is TNV with the PTE-reference flag", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UW);
    pt.setSpte(2, prot(KW) | ((P0PT_PA >>> 9) + 2));   // V = 0
    const c0 = m.counters();
    expect(run(m, stw, { a1: DVA, a2: 1 })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 15, TNV, PTEREF | WRITE);
    expect(delta(c0, m.counters()).C_VAX_PTE_FAULTS).toBe(1n);
    // The kernel pages the table page in; the access is restarted and succeeds.
    pt.setSpte(2, V | prot(KW) | ((P0PT_PA >>> 9) + 2));
    expect(run(m, stw, { a1: DVA, a2: 9 })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r32(DPA)).toBe(9);
  });

  it("an inaccessible system PTE (no access) is ACV with the PTE-reference flag", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UW);
    pt.setSpte(2, V | prot(NA) | ((P0PT_PA >>> 9) + 2));
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 13, ACV, PTEREF);
  });

  it("length violations: beyond P0LR, below P1LR, a PTE beyond SLR, the reserved region, above 2^32", () => {
    const { m, mtpr } = vaxMachine();
    expect(run(m, ldw, { a1: CODE_VA })).toBe(m.K.EXIT_BREAKPOINT);   // the code page's walk out of the way
    const cases: [number | bigint, number][] = [
      [P0LR * 512, LEN],                       // first page past the P0 table
      [0x40000000 + (P1LR - 1) * 512, LEN],    // last page below P1LR
      [0xC0000000, LEN],                       // reserved region (S1)
      [0x1_0000_0000n, LEN],                   // no VAX address
      [0x8000_0000 + SLR * 512, LEN],          // S0 beyond SLR
    ];
    for (const [va, param] of cases) {
      const c0 = m.counters();
      expect(run(m, ldw, { a1: va }), `va ${va.toString(16)}`).toBe(m.K.EXIT_PAGE_FAULT);
      expectFault(m, va, 13, ACV, param);
      const d = delta(c0, m.counters());
      expect(d.C_VAX_LENGTH_FAULTS).toBe(1n);
      expect(d.C_WALK_REFS ?? 0n, "no memory reference before the length check").toBe(0n);
    }
    // P0LR covering more pages than the system page table maps: the PTE's system VPN is beyond SLR.
    mtpr(PR.P0LR, 0x10000);
    expect(run(m, stw, { a1: 0x8000 * 512 })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, 0x8000 * 512, 15, ACV, LEN | PTEREF | WRITE);
    // The OS grows the region by raising the length register: the same access then reaches the PTE.
    mtpr(PR.P0LR, P0LR);
    expect(run(m, ldw, { a1: (P0LR - 1) * 512 })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, (P0LR - 1) * 512, 13, ACV, 0);   // PTE is 0: protection NA, checked before V
  });

  it("S0 from user mode: the system PTE is read (1 reference) and its KW protection denies the access", () => {
    const { m } = vaxMachine();
    expect(run(m, ldw, { a1: CODE_VA })).toBe(m.K.EXIT_BREAKPOINT);
    const c0 = m.counters();
    expect(run(m, ldw, { a1: 0x80000010 })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, 0x80000010, 13, ACV, 0);
    expect(delta(c0, m.counters()).C_WALK_REFS).toBe(1n);
  });

  it("protection is checked before validity: NA + V=0 is ACV, UR + V=0 is TNV, UR write is ACV", () => {
    const { m, pt } = vaxMachine();
    pt.setPte(DVA, prot(NA) | (DPA >>> 9));
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 13, ACV, 0);
    pt.setPte(DVA, prot(UR) | (DPA >>> 9));
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 13, TNV, 0);
    expect(run(m, stw, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 15, ACV, WRITE);
    // A valid UR page: loads work, a store through the TB entry made by the load is still an ACV.
    pt.map(DVA, DPA, UR);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    const c0 = m.counters();
    expect(run(m, stw, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 15, ACV, WRITE);
    expect(delta(c0, m.counters()).C_WALKS ?? 0n, "denied by the cached entry").toBe(0n);
  });

  it("user-mode rights of every protection code through the walker (read and write)", () => {
    const userRead = new Set([UW, URSW, UREW, URKW, UR]);
    for (let code = 0; code < 16; code++) {
      if (code === 1) continue;   // reserved code: unpredictable
      const { m, pt } = vaxMachine();
      pt.map(DVA, DPA, code);
      const r = run(m, ldw, { a1: DVA });
      expect(r, `read code ${code}`).toBe(userRead.has(code) ? m.K.EXIT_BREAKPOINT : m.K.EXIT_PAGE_FAULT);
      const w = run(m, stw, { a1: DVA + 8 });
      expect(w, `write code ${code}`).toBe(code === UW ? m.K.EXIT_BREAKPOINT : m.K.EXIT_PAGE_FAULT);
      if (w !== m.K.EXIT_BREAKPOINT) expectFault(m, DVA + 8, 15, ACV, WRITE);
    }
  });

  it("protection codes per access mode (the PROBER/PROBEW test): the architecture's table", () => {
    const { m } = vaxMachine();
    // [code, modes that may read, modes that may write], modes K=0 E=1 S=2 U=3
    const table: [number, number[], number[]][] = [
      [NA, [], []], [KW, [0], [0]], [KR, [0], []], [UW, [0, 1, 2, 3], [0, 1, 2, 3]], [EW, [0, 1], [0, 1]],
      [ERKW, [0, 1], [0]], [ER, [0, 1], []], [SW, [0, 1, 2], [0, 1, 2]], [SREW, [0, 1, 2], [0, 1]],
      [SRKW, [0, 1, 2], [0]], [SR, [0, 1, 2], []], [URSW, [0, 1, 2, 3], [0, 1, 2]], [UREW, [0, 1, 2, 3], [0, 1]],
      [URKW, [0, 1, 2, 3], [0]], [UR, [0, 1, 2, 3], []],
    ];
    for (const [code, reads, writes] of table) {
      for (let mode = 0; mode < 4; mode++) {
        expect(m.ex.vaxProtAllows(code, mode, 0) !== 0, `read code ${code} mode ${mode}`).toBe(reads.includes(mode));
        expect(m.ex.vaxProtAllows(code, mode, 1) !== 0, `write code ${code} mode ${mode}`).toBe(writes.includes(mode));
      }
    }
  });

  it("M is set in the PTE by the first write only, also after a read filled the TB entry", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UW);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    expect(pt.pte(DVA) & M).toBe(0);
    let c0 = m.counters();
    expect(run(m, stw, { a1: DVA, a2: 3 })).toBe(m.K.EXIT_BREAKPOINT);
    let d = delta(c0, m.counters());
    expect(pt.pte(DVA) & M).toBe(M);
    expect(d.C_WALKS).toBe(1n);          // the write re-walks (modify flows) ...
    expect(d.C_AD_UPDATES).toBe(1n);     // ... and writes M back
    expect(d.C_WALK_REFS).toBe(2n);      // PTE read (system half hit) + M write
    c0 = m.counters();
    expect(run(m, stw, { a1: DVA + 4, a2: 4 })).toBe(m.K.EXIT_BREAKPOINT);
    d = delta(c0, m.counters());
    expect(d.C_WALKS ?? 0n).toBe(0n);
    // Only the written page's PTE has M.
    pt.map(DVA + 0x200, DPA + 0x200, UW);
    expect(run(m, ldw, { a1: DVA + 0x200 })).toBe(m.K.EXIT_BREAKPOINT);
    expect(pt.pte(DVA + 0x200) & M).toBe(0);
  });

  it("LDPCTX drops the process half only: the next walk hits the system half (1 reference)", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UR);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    let c0 = m.counters();
    m.ex.vaxLdpctx(P0BR, P0LR, P1BR, P1LR);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    let d = delta(c0, m.counters());
    expect(d.C_FLUSHES).toBe(1n);
    expect(d.C_WALKS).toBe(2n);            // code and data again
    expect(d.C_VAX_STB_HIT).toBe(2n);      // their page-table pages' system translations survived
    expect(d.C_VAX_STB_MISS ?? 0n).toBe(0n);
    expect(d.C_WALK_REFS).toBe(2n);
    // TBIA drops both halves: every PTE fetch reads the system page table again.
    c0 = m.counters();
    m.ex.vaxMtpr(PR.TBIA, 0);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    d = delta(c0, m.counters());
    expect(d.C_VAX_STB_MISS).toBe(2n);
    expect(d.C_WALK_REFS).toBe(4n);
  });

  it("a context switch to another process's tables: its translations, not the old ones", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UR);
    m.w32(DPA, 111); m.w32(0x6000, 222);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(111n);
    // Process B: its P0 table in S0 pages 16..23 (frame 0x112000), same code page, DVA → 0x6000.
    for (let i = 0; i < 8; i++) pt.setSpte(16 + i, V | prot(KW) | ((0x112000 >>> 9) + i));
    const bP0br = 0x80000000 + 16 * 512;
    m.w32(0x112000 + 4 * (CODE_VA >>> 9), V | prot(UR) | (CODE_PA >>> 9));
    m.w32(0x112000 + 4 * (DVA >>> 9), V | prot(UR) | (0x6000 >>> 9));
    m.ex.vaxLdpctx(bP0br, P0LR, P1BR, P1LR);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(222n);
    m.ex.vaxLdpctx(P0BR, P0LR, P1BR, P1LR);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(111n);
  });

  it("TBIS on a process page: that page walks again, its neighbour does not; TBIS on a table page's S0 address empties its system entry", () => {
    const { m, pt, mtpr } = vaxMachine();
    pt.map(DVA, DPA, UR);
    pt.map(DVA + 0x200, DPA + 0x200, UR);
    expect(run(m, ld2, { a1: DVA, a2: DVA + 0x200 })).toBe(m.K.EXIT_BREAKPOINT);
    // Remap DVA to another frame without TBIS: the stale TB entry is still used.
    pt.map(DVA, 0x7000, UR);
    m.w32(0x7000, 55);
    m.w32(DPA, 44);
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(44n);
    let c0 = m.counters();
    mtpr(PR.TBIS, DVA);
    expect(run(m, ld2, { a1: DVA, a2: DVA + 0x200 })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(55n);
    let d = delta(c0, m.counters());
    expect(d.C_FLUSHES).toBe(1n);
    expect(d.C_WALKS).toBe(1n);
    expect(d.C_WALK_REFS).toBe(1n);        // system half still holds S0 page 2
    // TBIS of S0 page 2's address: the system entry goes; process entries stay.
    c0 = m.counters();
    mtpr(PR.TBIS, 0x80000000 + 2 * 512);
    mtpr(PR.TBIS, DVA + 0x200);
    expect(run(m, ldw, { a1: DVA + 0x200 })).toBe(m.K.EXIT_BREAKPOINT);
    d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(1n);
    expect(d.C_VAX_STB_MISS).toBe(1n);
    expect(d.C_WALK_REFS).toBe(2n);
  });

  it("the system half's LRU holds exactly its geometry: 1 set × 2 ways, three table pages cycle", () => {
    const { m, pt } = vaxMachine({ stbSets: 1, stbWays: 2, l1d: [1, 1] });
    // Data pages whose PTEs are in S0 pages 2, 3, 4 (P0 VPNs 256, 384, 512); code's PTE in S0 page 1.
    const vas = [0x20000, 0x30000, 0x40000];
    vas.forEach((va, i) => pt.map(va, 0x8000 + 0x200 * i, UR));
    const c0 = m.counters();
    for (const va of vas) expect(run(m, ldw, { a1: va })).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(c0, m.counters());
    // Code walk once (S0 page 1, miss); then pages 2, 3, 4 each miss and evict the least recent.
    expect(d.C_VAX_STB_MISS).toBe(4n);
    expect(d.C_VAX_STB_HIT ?? 0n).toBe(0n);
  });

  it("one TB entry per 512-byte page: 8 pages of one 4 KiB frame are 8 misses; exact with a 1-entry and an 8-entry TB", () => {
    for (const [ways, misses] of [[1, 16n], [8, 8n]] as const) {
      const { m, pt } = vaxMachine({ l1d: [1, ways] });
      for (let i = 0; i < 8; i++) pt.map(DVA + 512 * i, DPA + 512 * i, UR);
      const c0 = m.counters();
      expect(run(m, ldAll, { a1: DVA, a2: 8, a3: 512, a4: 2 })).toBe(m.K.EXIT_BREAKPOINT);
      const d = delta(c0, m.counters());
      expect(d.C_DTLB_ACCESS).toBe(16n);
      expect(d.C_DTLB_MISS, `${ways} ways`).toBe(misses);
      expect(d.C_WALKS).toBe(misses + 1n);   // + the code page
    }
  });

  it("a fetch from a page without user read is an ACV; from a non-resident page a TNV", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, KW);
    expect(run(m, jmp, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 12, ACV, 0);
    pt.setPte(DVA, prot(UR));
    expect(run(m, jmp, { a1: DVA })).toBe(m.K.EXIT_PAGE_FAULT);
    expectFault(m, DVA, 12, TNV, 0);
  });

  it("switching to a 4 KiB machine (satp) empties the TLBs: 512-byte entries are never read as 4 KiB ones", () => {
    const { m, pt } = vaxMachine();
    pt.map(DVA, DPA, UR);
    m.w32(DPA + 0x600, 31);
    expect(run(m, ldw, { a1: DVA + 0x600 })).toBe(m.K.EXIT_PAGE_FAULT);   // only the first 512 bytes are mapped
    expect(run(m, ldw, { a1: DVA })).toBe(m.K.EXIT_BREAKPOINT);
    // Sv39 tables mapping the same code and data addresses to the same frames, as 4 KiB pages.
    const sv = new PageTable(m, 0x200000, frames(0x201000, 0x210000));
    sv.map(CODE_VA, CODE_PA, PTE.R | PTE.X | PTE.U | PTE.A);
    sv.map(DVA, DPA, PTE.R | PTE.U | PTE.A);
    m.setSatp(sv.satp(1));
    const c0 = m.counters();
    expect(run(m, ldw, { a1: DVA + 0x600 })).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(31n);
    const d = delta(c0, m.counters());
    expect(d.C_WALKS).toBe(2n);                     // code and data walked afresh
    expect(d.C_WALK_REFS).toBe(6n);                 // 3 levels each
  });

  it("code running across 512-byte page boundaries fetches through one TB entry per page", () => {
    const { m, pt } = vaxMachine();
    // 300 nops then ebreak: spans three 512-byte pages.
    const code = new Uint8Array(301 * 4);
    for (let i = 0; i < 300; i++) new DataView(code.buffer).setUint32(4 * i, 0x00000013, true);
    new DataView(code.buffer).setUint32(1200, 0x00100073, true);
    for (let i = 0; i < 3; i++) pt.map(CODE_VA + 512 * i, CODE_PA + 512 * i, UR);
    m.write(CODE_PA, code);
    m.pc = CODE_VA;
    const c0 = m.counters();
    expect(m.run(10_000)).toBe(m.K.EXIT_BREAKPOINT);
    const d = delta(c0, m.counters());
    expect(d.C_ITLB_MISS).toBe(3n);
    expect(d.C_ITLB_ACCESS).toBe(301n);
    expect(d.C_INSTRET).toBe(300n);
  });
});

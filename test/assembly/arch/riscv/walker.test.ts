// The riscv machines' walker (assembly/arch/riscv/) with hand-built Sv39/Sv48 tables in guest RAM: translation
// through 4 KiB pages and superpages, every page-fault cause with its faulting address, access faults for PTEs and pages outside RAM,
// hardware A/D updates (Svadu) and Svade faults, ASID-tagged translations, and what the kernel sees after it
// fixes a mapping and fences.

import { describe, expect, it } from "vitest";
import { asm, asmAvailable, asmMany, frames, loadPaged, Machine, PAGED, pagedMachine, PageTable, PTE } from "../../harness";

const { CODE_VA } = PAGED;
const URW = PTE.R | PTE.W | PTE.U | PTE.A | PTE.D;
const DVA = 0x40000000n;      // a data page (VPN[2] = 1)
const DPA = 0x20000;

/** Runs until the ebreak (or a trap) and returns the exit code. */
const go = (m: Machine) => m.run(1000);

describe.skipIf(!asmAvailable)("Sv39 translation", () => {
  const [ldsd, ld1, sd1, jmp] = asmAvailable
    ? asmMany(["ld a0, 0(a1)\nsd a2, 8(a1)\nebreak", "ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "jalr ra, 0(a1)"])
    : [];

  it("4 KiB page: loads and stores reach the mapped frame, at both ends of the page", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, URW);
    m.w64(DPA, 0x1122334455667788n);
    m.w64(DPA + 0xFF0, 0x99n);
    loadPaged(m, ldsd);
    m.regs({ a1: DVA, a2: 0xABCDn });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x1122334455667788n);
    expect(m.r64(DPA + 8)).toBe(0xABCDn);
    loadPaged(m, ldsd);
    m.regs({ a1: DVA + 0xFF0n, a2: 0x5555n });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x99n);
    expect(m.r64(DPA + 0xFF8)).toBe(0x5555n);
    expect(m.pc).toBe(CODE_VA + 8n);
  });

  it("2 MiB megapage: offsets within it translate", () => {
    const { m, pt } = pagedMachine();
    const va = 0x40200000n;
    pt.map(va, 0x200000, URW, 1);
    for (const off of [0x0, 0x12348, 0x1FFFF8]) {
      m.w64(0x200000 + off, BigInt(off) * 3n + 1n);
      loadPaged(m, ld1);
      m.regs({ a1: va + BigInt(off) });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0"), `offset ${off.toString(16)}`).toBe(BigInt(off) * 3n + 1n);
    }
  });

  it("1 GiB gigapage: offsets within it translate; one past RAM is an access fault at that VA", () => {
    const { m, pt } = pagedMachine();
    const va = 0x80000000n;
    pt.map(va, 0, URW, 2);
    for (const off of [0x2A0008, 0x3FFFF8, 0x8]) {
      m.w64(off, BigInt(off) + 5n);
      loadPaged(m, ld1);
      m.regs({ a1: va + BigInt(off) });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0"), `offset ${off.toString(16)}`).toBe(BigInt(off) + 5n);
    }
    loadPaged(m, ld1);
    m.regs({ a1: va + 0x10000000n });
    expect(go(m)).toBe(m.K.EXIT_ACCESS_FAULT);
    expect(m.trapCause()).toBe(5);
    expect(m.trapValue()).toBe(va + 0x10000000n);
    expect(m.pc).toBe(CODE_VA);
  });

  it("misaligned superpages are page faults", () => {
    const { m, pt } = pagedMachine();
    pt.map(0x40200000n, 0x201000, URW, 1);   // megapage whose PPN[0] ≠ 0
    pt.map(0x80000000n, 0x200000, URW, 2);   // gigapage whose PPN[1] ≠ 0
    for (const va of [0x40200000n + 0x10n, 0x80000000n + 0x10n]) {
      loadPaged(m, ld1);
      m.regs({ a1: va });
      expect(go(m), va.toString(16)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(13);
      expect(m.trapValue()).toBe(va);
    }
  });

  it("a canonical address in the upper half translates", () => {
    const { m, pt } = pagedMachine();
    const va = 0xFFFFFFC000001000n;           // bit 38 set, 63..39 all ones
    pt.map(va, DPA, URW);
    m.w64(DPA + 0x10, 0x4242n);
    loadPaged(m, ld1);
    m.regs({ a1: va + 0x10n });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x4242n);
  });

  // [description, PTE bits (or a function building the table), access, expected cause]
  type Acc = "load" | "store" | "fetch";
  const FAULTS: [string, (pt: PageTable) => void, Acc, number][] = [
    ["invalid PTE, load", (pt) => pt.setPte(DVA, BigInt(DPA >> 12) << 10n | BigInt(URW)), "load", 13],
    ["invalid PTE, store", (pt) => pt.setPte(DVA, BigInt(DPA >> 12) << 10n | BigInt(URW)), "store", 15],
    ["invalid PTE, fetch", (pt) => pt.setPte(DVA, BigInt(DPA >> 12) << 10n | BigInt(URW | PTE.X)), "fetch", 12],
    ["no mapping at all, load", () => undefined, "load", 13],
    ["missing U, load", (pt) => pt.map(DVA, DPA, PTE.R | PTE.W | PTE.A | PTE.D), "load", 13],
    ["missing U, store", (pt) => pt.map(DVA, DPA, PTE.R | PTE.W | PTE.A | PTE.D), "store", 15],
    ["missing U, fetch", (pt) => pt.map(DVA, DPA, PTE.R | PTE.X | PTE.A), "fetch", 12],
    ["missing R, load (execute-only)", (pt) => pt.map(DVA, DPA, PTE.X | PTE.U | PTE.A), "load", 13],
    ["missing W, store", (pt) => pt.map(DVA, DPA, PTE.R | PTE.U | PTE.A | PTE.D), "store", 15],
    ["missing X, fetch", (pt) => pt.map(DVA, DPA, URW), "fetch", 12],
    ["W without R (reserved), load", (pt) => pt.map(DVA, DPA, PTE.W | PTE.U | PTE.A | PTE.D), "load", 13],
    ["W without R (reserved), store", (pt) => pt.map(DVA, DPA, PTE.W | PTE.U | PTE.A | PTE.D), "store", 15],
    ["W|X without R (reserved), fetch", (pt) => pt.map(DVA, DPA, PTE.W | PTE.X | PTE.U | PTE.A | PTE.D), "fetch", 12],
    ["non-leaf with A set", (pt) => { pt.map(DVA, DPA, URW); nonLeaf(pt, PTE.A); }, "load", 13],
    ["non-leaf with D set", (pt) => { pt.map(DVA, DPA, URW); nonLeaf(pt, PTE.D); }, "store", 15],
    ["non-leaf with U set", (pt) => { pt.map(DVA, DPA, URW | PTE.X); nonLeaf(pt, PTE.U); }, "fetch", 12],
    ["leaf with bit 54 set (reserved)", (pt) => highBits(pt, 54n), "load", 13],
    ["leaf with bit 60 set (reserved)", (pt) => highBits(pt, 60n), "store", 15],
    ["leaf with PBMT = 1 (Svpbmt absent)", (pt) => highBits(pt, 61n), "load", 13],
    ["leaf with N set (Svnapot absent)", (pt) => highBits(pt, 63n), "load", 13],
    ["non-leaf with bit 55 set (reserved)", (pt) => { pt.map(DVA, DPA, URW); nonLeaf(pt, 0, 55n); }, "load", 13],
    ["pointer at level 0 (no leaf found)", (pt) => pt.setPte(DVA, BigInt(0x30000 >> 12) << 10n | 1n), "load", 13],
  ];
  function nonLeaf(pt: PageTable, bits: number, high?: bigint): void {
    const a = pt.pteAddr(DVA, 1, false);   // the level-1 pointer to the last table
    pt.m.w64(a, pt.m.r64(a) | BigInt(bits) | (high !== undefined ? 1n << high : 0n));
  }
  function highBits(pt: PageTable, bit: bigint): void {
    pt.map(DVA, DPA, URW | PTE.X);
    pt.setPte(DVA, pt.pte(DVA) | (1n << bit));
  }

  it.each(FAULTS.map((f, i) => [f[0], i] as [string, number]))("%s → page fault with the VA", (_d, i) => {
    const [, build, acc, cause] = FAULTS[i];
    const { m, pt } = pagedMachine();
    build(pt);
    const va = DVA + 0x18n;
    const before = m.counters();
    if (acc === "fetch") {
      loadPaged(m, jmp);
      m.regs({ a1: va, ra: 0x77 });
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.pc).toBe(va);
      expect(m.x("ra")).toBe(CODE_VA + 4n); // the jump itself retired
    } else {
      loadPaged(m, acc === "load" ? ld1 : sd1);
      m.regs({ a0: 0x77, a1: va, a2: 0x99 });
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.pc).toBe(CODE_VA);
      expect(m.x("a0")).toBe(0x77n);
    }
    expect(m.trapCause()).toBe(cause);
    expect(m.trapValue()).toBe(va);
    expect(m.r64(DPA + 0x18)).toBe(0n);
    expect(m.counter(m.K.C_WALK_FAULTS) - before.C_WALK_FAULTS).toBe(1n);
  });

  it("non-canonical addresses are page faults of the access type (load, store, fetch)", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, URW | PTE.X);
    for (const [code, cause, va] of [[ld1, 13, 0x0000008000000000n], [sd1, 15, 0x4000000000000000n], [ld1, 13, 0xFFFFFF8000000000n - 0x1000n]] as const) {
      loadPaged(m, code);
      m.regs({ a1: va });
      expect(go(m), va.toString(16)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(cause);
      expect(m.trapValue()).toBe(va);
    }
    // The low 39 bits of this VA are those of a mapped page: a TLB must not match it either.
    loadPaged(m, ld1);
    m.regs({ a1: DVA });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    loadPaged(m, ld1);
    m.regs({ a1: DVA | (1n << 45n) });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapValue()).toBe(DVA | (1n << 45n));
    loadPaged(m, jmp);
    m.regs({ a1: 0x0000400000000000n });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(12);
    expect(m.pc).toBe(0x0000400000000000n);
  });

  it("AMOs need write permission (store fault on a read-only page); LR needs read permission", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, PTE.R | PTE.U | PTE.A | PTE.D);
    const [amo, lr] = asmMany(["amoadd.d a0, a2, (a1)\nebreak", "lr.d a0, (a1)\nebreak"]);
    loadPaged(m, amo);
    m.regs({ a1: DVA + 8n });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.trapValue()).toBe(DVA + 8n);
    loadPaged(m, lr);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    pt.map(DVA + 0x1000n, DPA + 0x1000, PTE.X | PTE.U | PTE.A);
    m.sfence(0, 0, false, false);
    loadPaged(m, lr);
    m.regs({ a1: DVA + 0x1000n });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(13);
  });

  it("a PTE address outside RAM is an access fault of the access type", () => {
    const { m, pt } = pagedMachine();
    // The root entry for VPN[2] = 1 points at a table far beyond the 4 MiB of RAM.
    m.w64(pt.root + 8, (BigInt(0x40000000 >> 12) << 10n) | 1n);
    for (const [code, cause] of [[ld1, 5], [sd1, 7], [jmp, 1]] as const) {
      loadPaged(m, code);
      m.regs({ a1: DVA + 0x20n });
      expect(go(m)).toBe(m.K.EXIT_ACCESS_FAULT);
      expect(m.trapCause()).toBe(cause);
      expect(m.trapValue()).toBe(DVA + 0x20n);
    }
  });

  it("a leaf mapping a frame outside RAM is an access fault (data and fetch)", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, 0x10000000, URW | PTE.X);
    for (const [code, cause] of [[ld1, 5], [sd1, 7], [jmp, 1]] as const) {
      loadPaged(m, code);
      m.regs({ a1: DVA + 0x20n });
      expect(go(m)).toBe(m.K.EXIT_ACCESS_FAULT);
      expect(m.trapCause()).toBe(cause);
      expect(m.trapValue()).toBe(DVA + 0x20n);
    }
  });

  it("an execute-only code page runs", () => {
    const { m, pt } = pagedMachine();
    pt.map(CODE_VA, PAGED.CODE_PA, PTE.X | PTE.U | PTE.A);
    loadPaged(m, asm("addi a0, a0, 1\nebreak"));
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(1n);
  });

  it("an access straddling two pages uses both frames (not contiguous), with one D-TLB access per page", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA + 0x3000, URW);
    pt.map(DVA + 0x1000n, DPA, URW);
    m.write(DPA + 0x3FFC, Uint8Array.from([1, 2, 3, 4]));
    m.write(DPA, Uint8Array.from([5, 6, 7, 8]));
    loadPaged(m, asm("ld a0, 0(a1)\nsd a2, 0(a1)\nebreak"));
    m.regs({ a1: DVA + 0xFFCn, a2: 0x1112131415161718n });
    const before = m.counters();
    expect(m.run(1)).toBe(m.K.EXIT_BUDGET);
    expect(m.x("a0")).toBe(0x0807060504030201n);
    expect(m.counter(m.K.C_DTLB_ACCESS) - before.C_DTLB_ACCESS).toBe(2n);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r32(DPA + 0x3FFC)).toBe(0x15161718);
    expect(m.r32(DPA)).toBe(0x11121314);
  });

  it("a store straddling into an unmapped page faults at that page and writes nothing", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, URW);
    loadPaged(m, asm("sd a2, 0(a1)\nebreak"));
    m.regs({ a1: DVA + 0xFFAn, a2: -1 });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.trapValue()).toBe(DVA + 0x1000n);
    expect(m.r64(DPA + 0xFF8)).toBe(0n);
  });

  it("a fetch right after satp is written translates (pc in the first page of the address space)", () => {
    const { m, pt } = pagedMachine();
    loadPaged(m, asm("ebreak"));
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    m.setSatp(pt.satp());
    m.pc = 0x10n;                             // VA 0 .. 0xFFF is not mapped
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(12);
    expect(m.trapValue()).toBe(0x10n);
  });
});

describe.skipIf(!asmAvailable)("A and D bits", () => {
  const [ld1, sd1, ldsd] = asmAvailable ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak", "ld a0, 0(a1)\nsd a2, 0(a1)\nebreak"]) : [];
  const RW = PTE.R | PTE.W | PTE.U;

  it("the first load sets A only; the first store then sets D", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, RW);
    loadPaged(m, ld1);
    m.regs({ a1: DVA });
    const c0 = m.counter(m.K.C_AD_UPDATES);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(Number(pt.pte(DVA) & 0xFFn)).toBe(RW | PTE.V | PTE.A);
    expect(m.counter(m.K.C_AD_UPDATES) - c0).toBe(1n);
    loadPaged(m, sd1);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(Number(pt.pte(DVA) & 0xFFn)).toBe(RW | PTE.V | PTE.A | PTE.D);
    expect(m.counter(m.K.C_AD_UPDATES) - c0).toBe(2n);
    loadPaged(m, ldsd);                       // nothing left to update
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.counter(m.K.C_AD_UPDATES) - c0).toBe(2n);
  });

  it("the first store sets A and D in one update", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, RW);
    loadPaged(m, sd1);
    m.regs({ a1: DVA, a2: 3 });
    const c0 = m.counter(m.K.C_AD_UPDATES);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(Number(pt.pte(DVA) & 0xFFn)).toBe(RW | PTE.V | PTE.A | PTE.D);
    expect(m.counter(m.K.C_AD_UPDATES) - c0).toBe(1n);
    expect(m.r64(DPA)).toBe(3n);
  });

  it("a fetch sets A on the code page; superpage leaves are updated in place", () => {
    const { m, pt } = pagedMachine();
    pt.map(CODE_VA, PAGED.CODE_PA, PTE.R | PTE.X | PTE.U);
    pt.map(0x40200000n, 0x200000, RW, 1);
    loadPaged(m, sd1);
    m.regs({ a1: 0x40200000n + 0x1234n * 8n });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(Number(pt.pte(CODE_VA) & 0xFFn)).toBe(PTE.R | PTE.X | PTE.U | PTE.V | PTE.A);
    expect(Number(pt.pte(0x40200000n, 1) & 0xFFn)).toBe(RW | PTE.V | PTE.A | PTE.D);
  });

  it("Svade (K_AD_MODE = 1): a clear A, or a clear D on a store, faults and the PTE stays as it was", () => {
    const { m, pt } = pagedMachine();
    m.setConfig(m.K.K_AD_MODE, 1);
    pt.map(DVA, DPA, RW);                     // A and D clear
    pt.map(DVA + 0x1000n, DPA + 0x1000, RW | PTE.A);
    loadPaged(m, ld1);
    m.regs({ a1: DVA });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(13);
    expect(Number(pt.pte(DVA) & 0xFFn)).toBe(RW | PTE.V);
    loadPaged(m, ldsd);                       // A set, D clear: the load works, the store faults
    m.regs({ a1: DVA + 0x1000n, a2: 9 });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.trapValue()).toBe(DVA + 0x1000n);
    expect(m.pc).toBe(CODE_VA + 4n);
    expect(Number(pt.pte(DVA + 0x1000n) & 0xFFn)).toBe(RW | PTE.V | PTE.A);
    expect(m.counter(m.K.C_AD_UPDATES)).toBe(0n);
    // The kernel sets D and fences that page: the store now completes.
    pt.setPte(DVA + 0x1000n, pt.pte(DVA + 0x1000n) | BigInt(PTE.D));
    m.sfence(DVA + 0x1000n, 0, true, false);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r64(DPA + 0x1000)).toBe(9n);
  });
});

describe.skipIf(!asmAvailable)("Svade on instruction fetch", () => {
  it("a code page with A clear is a fetch page fault under Svade, and gets A under Svadu", () => {
    for (const [mode, exit] of [[1, "EXIT_PAGE_FAULT"], [0, "EXIT_BREAKPOINT"]] as const) {
      const { m, pt } = pagedMachine();
      m.setConfig(m.K.K_AD_MODE, mode);
      pt.map(CODE_VA, PAGED.CODE_PA, PTE.R | PTE.X | PTE.U);
      loadPaged(m, asm("ebreak"));
      expect(go(m)).toBe(m.K[exit]);
      if (mode === 1) {
        expect(m.trapCause()).toBe(12);
        expect(m.trapValue()).toBe(CODE_VA);
      }
      expect((pt.pte(CODE_VA) & BigInt(PTE.A)) !== 0n).toBe(mode === 0);
    }
  });
});

describe.skipIf(!asmAvailable)("the kernel's view: fix a mapping, fence, retry", () => {
  const [ld1, sd1] = asmAvailable ? asmMany(["ld a0, 0(a1)\nebreak", "sd a2, 0(a1)\nebreak"]) : [];

  it("a page mapped after a fault is found on retry", () => {
    const { m, pt } = pagedMachine();
    loadPaged(m, ld1);
    m.regs({ a1: DVA + 0x40n });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    pt.map(DVA, DPA, URW);
    m.w64(DPA + 0x40, 17n);
    m.sfence(DVA, 0, true, false);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(17n);
  });

  it("write permission added after a store fault", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, PTE.R | PTE.U | PTE.A | PTE.D);
    loadPaged(m, sd1);
    m.regs({ a1: DVA, a2: 5 });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    pt.map(DVA, DPA, URW);
    m.sfence(DVA, 0, true, false);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.r64(DPA)).toBe(5n);
  });

  it("write permission removed (and fenced) stops stores that were hitting the fast path", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, URW);
    loadPaged(m, asm("1: sd a2, 0(a1)\naddi a2, a2, 1\nj 1b"));
    m.regs({ a1: DVA, a2: 0 });
    expect(m.run(300)).toBe(m.K.EXIT_BUDGET);
    expect(m.r64(DPA)).toBe(99n);
    pt.map(DVA, DPA, PTE.R | PTE.U | PTE.A | PTE.D);
    m.sfence(DVA, 0, true, false);
    expect(m.run(300)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.x("a2")).toBe(100n);
    expect(m.r64(DPA)).toBe(99n);
  });

  // A fence by address probes only the sets that address selects at each page size present (tlb.ts
  // tlbFlushWhere), and drops only the host-cache slots of the L1 D-TLB entries it removed.
  it("a fence at any address inside a 2 MiB page, in set-associative TLBs, stops stores through it", () => {
    const { m, pt } = pagedMachine(3, 0, 8 << 20);
    m.configureTlb(m.K.TLB_L1D, 16, 4);
    m.configureTlb(m.K.TLB_L2, 64, 8);
    const SVA = 0x40200000n, SPA = 0x400000;  // a 2 MiB leaf at level 1
    pt.map(SVA, SPA, URW, 1);
    pt.map(DVA, DPA, URW);                    // a 4 KiB page kept in the TLBs throughout
    loadPaged(m, asm("1: sd a2, 0(a1)\nsd a2, 0(a3)\naddi a2, a2, 1\nj 1b"));
    m.regs({ a1: SVA + 0x12340n, a2: 0, a3: DVA });
    expect(m.run(400)).toBe(m.K.EXIT_BUDGET);
    const flushed = m.counter(m.K.C_FLUSH_ENTRIES);
    m.sfence(SVA + 0x1000n, 0, true, false); // another address in the 2 MiB page than the one stored to
    expect(m.counter(m.K.C_FLUSH_ENTRIES)).toBe(flushed + 2n);   // the 2 MiB entry goes from L1 D and L2
    pt.map(SVA, SPA, PTE.R | PTE.U | PTE.A | PTE.D, 1);
    m.sfence(SVA + 0x1f000n, 0, true, false);
    expect(m.counter(m.K.C_FLUSH_ENTRIES)).toBe(flushed + 2n);   // nothing cached any more for that page
    const a2 = m.x("a2");
    expect(m.run(400)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(15);
    expect(m.trapValue()).toBe(SVA + 0x12340n);
    expect(m.x("a2")).toBe(a2);
    expect(m.r64(DPA)).toBe(a2 - 1n);         // the 4 KiB page's entry was not disturbed: its stores went on
  });

  it("a remapped page (fenced) is read from its new frame", () => {
    const { m, pt } = pagedMachine();
    pt.map(DVA, DPA, URW);
    m.w64(DPA, 1n);
    m.w64(DPA + 0x1000, 2n);
    loadPaged(m, ld1);
    m.regs({ a1: DVA });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(1n);
    pt.map(DVA, DPA + 0x1000, URW);
    m.sfence(DVA, 0, true, false);
    loadPaged(m, ld1);
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(2n);
  });

  it("switching between bare and paged translation re-reads through the new mode", () => {
    const { m, pt } = pagedMachine();
    const va = 0x8000n;                        // paged: → DPA; bare: PA 0x8000
    pt.map(va, DPA, URW);
    pt.map(0x2000n, 0x2000, PTE.R | PTE.X | PTE.U | PTE.A);   // code at the same address in both modes
    m.w64(DPA, 1n);
    m.w64(0x8000, 2n);
    m.write(0x2000, ld1);
    for (const [sat, want] of [[pt.satp(), 1n], [0n, 2n], [pt.satp(), 1n], [0n, 2n]] as const) {
      m.setSatp(sat);
      m.regs({ a1: va });
      m.pc = 0x2000;
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0"), `satp ${sat.toString(16)}`).toBe(want);
    }
  });

  it("two address spaces (ASIDs 1 and 2) map one VA to different frames; switching satp needs no fence", () => {
    const { m, pt } = pagedMachine(3, 1);
    const root2 = 0x180000;
    const pt2 = new PageTable(m, root2, frames(root2 + 0x1000, root2 + 0x20000));
    pt2.map(CODE_VA, PAGED.CODE_PA, PTE.R | PTE.X | PTE.U | PTE.A);
    pt.map(DVA, DPA, URW);
    pt2.map(DVA, DPA + 0x1000, URW);
    m.w64(DPA, 111n);
    m.w64(DPA + 0x1000, 222n);
    for (const [sat, want] of [[pt.satp(1), 111n], [pt2.satp(2), 222n], [pt.satp(1), 111n], [pt2.satp(2), 222n]] as const) {
      m.setSatp(sat);
      loadPaged(m, ld1);
      m.regs({ a1: DVA });
      expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0")).toBe(want);
    }
  });
});

describe.skipIf(!asmAvailable)("Sv48", () => {
  const [ld1] = asmAvailable ? asmMany(["ld a0, 0(a1)\nebreak"]) : [];

  it("a 4-level walk translates a VA above the Sv39 range, with 4 references", () => {
    const { m, pt } = pagedMachine(4);
    const va = 0x0000123456789000n;
    pt.map(va, DPA, URW);
    m.w64(DPA + 0x28, 0x4848n);
    loadPaged(m, ld1);
    m.regs({ a1: va + 0x28n });
    const c = m.counters();
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(0x4848n);
    // Two walks (code page, data page), 4 PTE reads each, no A/D writes.
    expect(m.counter(m.K.C_WALKS) - c.C_WALKS).toBe(2n);
    expect(m.counter(m.K.C_WALK_REFS) - c.C_WALK_REFS).toBe(8n);
  });

  it("bit 39 is a valid VA bit in Sv48, and bit 47 must be sign-extended", () => {
    const { m, pt } = pagedMachine(4);
    pt.map(0x0000008000000000n, DPA, URW);
    m.w64(DPA, 7n);
    loadPaged(m, ld1);
    m.regs({ a1: 0x0000008000000000n });
    expect(go(m)).toBe(m.K.EXIT_BREAKPOINT);
    expect(m.x("a0")).toBe(7n);
    for (const va of [0x0000800000000000n, 0x00FF000000000000n]) {
      loadPaged(m, ld1);
      m.regs({ a1: va });
      expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
      expect(m.trapCause()).toBe(13);
      expect(m.trapValue()).toBe(va);
    }
  });

  it("superpages at levels 1, 2 and 3 (512 GiB) translate offsets", () => {
    const { m, pt } = pagedMachine(4);
    // [VA of the page, PA of the page, level, PA to read inside it]
    const cases: [bigint, number, number, number][] = [
      [0x0000100000200000n, 0x200000, 1, 0x2B0010], [0x0000100040000000n, 0, 2, 0x2A0010], [0x0000200000000000n, 0, 3, 0x3A0020],
    ];
    for (const [va, pa, level] of cases) pt.map(va, pa, URW, level);
    for (const [va, pa, , target] of cases) {
      m.w64(target, BigInt(target) ^ 0x5An);
      loadPaged(m, ld1);
      m.regs({ a1: va + BigInt(target - pa) });
      expect(go(m), va.toString(16)).toBe(m.K.EXIT_BREAKPOINT);
      expect(m.x("a0"), va.toString(16)).toBe(BigInt(target) ^ 0x5An);
    }
  });

  it("a misaligned 512 GiB page is a page fault", () => {
    const { m, pt } = pagedMachine(4);
    pt.map(0x0000200000000000n, 0x40000000, URW, 3);   // PPN[2] ≠ 0
    loadPaged(m, ld1);
    m.regs({ a1: 0x0000200000000000n });
    expect(go(m)).toBe(m.K.EXIT_PAGE_FAULT);
    expect(m.trapCause()).toBe(13);
  });
});

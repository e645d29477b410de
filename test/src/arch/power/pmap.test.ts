import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { PowerMmu, htabShiftForMemSize, powerSlbConfig } from "../../../../src/arch/power/mmu.js";
import { PowerPmap } from "../../../../src/arch/power/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";

const RAM = 4 * 1024 * 1024;
const V = 1n, H = 2n, BOLTED = 0x10n, R = 0x100n, C = 0x80n, M = 0x10n, N = 4n;
const RW = VM_PROT_READ | VM_PROT_WRITE;

function bswap(v: bigint): bigint {
  let o = 0n;
  for (let i = 0n; i < 64n; i += 8n) o = (o << 8n) | ((v >> i) & 0xFFn);
  return o;
}
/** Linux get_vsid and hpt_hash, written out again (independent of the pmap's own). */
function vsid(context: number, ea: number): bigint {
  const proto = (BigInt(context) << 18n) | BigInt(Math.floor(ea / 2 ** 28) % 2 ** 18);
  const mod = (1n << 40n) - 1n;
  let x = (proto * 12538073n) & ((1n << 64n) - 1n);
  x = (x >> 40n) + (x & mod);
  return (x + ((x + 1n) >> 40n)) & mod;
}
const hash = (vs: bigint, ea: number) => ((vs & 0x7F_FFFF_FFFFn) ^ BigInt(Math.floor((ea % 2 ** 28) / 4096))) & 0x7F_FFFF_FFFFn;
const avpnV = (vs: bigint, ea: number) => (((vs << 5n) | BigInt(Math.floor((ea % 2 ** 28) / 2 ** 23))) << 7n) | V;

type Op = ["tlbie", number, number] | ["switch", number] | ["sdr1", bigint];

function setup(maxContext?: number) {
  const w = new WasmMachine();
  w.init(RAM);
  const ops: Op[] = [];
  const m = w as WasmMachine & Record<string, (...a: never[]) => unknown>;
  const orig = { tlbie: w.tlbie.bind(w), switchContext: w.switchContext.bind(w), setSdr1: w.setSdr1.bind(w) };
  m.tlbie = (ea: number, ctx: number) => { ops.push(["tlbie", ea, ctx]); orig.tlbie(ea, ctx); };
  m.switchContext = (ctx: number) => { ops.push(["switch", ctx]); orig.switchContext(ctx); };
  m.setSdr1 = (v: bigint) => { ops.push(["sdr1", v]); return orig.setSdr1(v); };
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new PowerMmu(w, phys, RAM, powerSlbConfig(), maxContext);
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const pmap = new PowerPmap(ctx, mmu);
  const group = (g: number) => Array.from({ length: 8 }, (_, i) => ({
    v: bswap(w.readPhys64(mmu.htab + g * 128 + i * 16)), r: bswap(w.readPhys64(mmu.htab + g * 128 + i * 16 + 8)),
  }));
  const put = (g: number, i: number, v: bigint, r: bigint) => {
    w.writePhys64(mmu.htab + g * 128 + i * 16 + 8, bswap(r));
    w.writePhys64(mmu.htab + g * 128 + i * 16, bswap(v));
  };
  const groups = (p: PowerPmap, ea: number) => {
    const h = hash(vsid(p.context, ea), ea), mask = BigInt(mmu.ptegCount - 1);
    return { primary: Number(h & mask), secondary: Number(~h & mask) };
  };
  return { w, phys, vm, mmu, ctx, pmap, ops, group, put, groups };
}

describe("POWER HTAB sizing (Linux htab_shift_for_mem_size, 4 KiB pages)", () => {
  it("two pages per PTEG of memory rounded up to a power of two, at least 256 KiB", () => {
    expect(htabShiftForMemSize(4 << 20)).toBe(18);
    expect(htabShiftForMemSize(64 << 20)).toBe(20);
    expect(htabShiftForMemSize(256 << 20)).toBe(22);
    expect(htabShiftForMemSize(3 << 28)).toBe(24);   // 768 MiB rounds up to 1 GiB
    expect(htabShiftForMemSize(1 << 20)).toBe(18);
  });

  it("the HTAB is placed top-down aligned to its size, counted as page-table memory, and SDR1 points at it", () => {
    const s = setup();
    expect(s.mmu.htabBytes).toBe(256 * 1024);
    expect(s.mmu.htab).toBe(RAM - 256 * 1024);
    expect(s.ops[0]).toEqual(["sdr1", BigInt(RAM - 256 * 1024)]);
    expect(s.phys.tableFrames).toBe(64);
    expect(s.w.config(s.w.layout.K_SLB_ENTRIES)).toBe(32n);
  });
});

describe("PowerPmap", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("enter writes a big-endian HPTE into the primary group: AVPN, V; RPN, R (for the access), M, N, PP", () => {
    const va = 0x12345000, pa = 0x20000;
    s.pmap.enter(va, pa, VM_PROT_READ, false, VM_PROT_READ);
    const { primary } = s.groups(s.pmap, va);
    const e = s.group(primary)[0]!;
    expect(e.v).toBe(avpnV(vsid(s.pmap.context, va), va));
    expect(e.r).toBe(BigInt(pa) | R | M | N | 3n);
    s.pmap.enter(va + 4096, pa + 4096, RW | VM_PROT_EXECUTE, false, VM_PROT_WRITE);
    const { primary: p2 } = s.groups(s.pmap, va + 4096);
    expect(s.group(p2)[0]!.r).toBe(BigInt(pa + 4096) | R | C | M | 2n);
    expect(s.pmap.extract(va + 4096 + 8)).toEqual({ pa: pa + 4096 + 8, prot: RW | VM_PROT_EXECUTE, referenced: true, modified: true });
  });

  it("a full primary group sends the HPTE to the secondary group with H = 1", () => {
    const va = 0x40000000;
    const { primary, secondary } = s.groups(s.pmap, va);
    for (let i = 0; i < 8; i++) s.put(primary, i, (BigInt(i + 1) << 12n) | V | BOLTED, 0n);
    s.pmap.enter(va, 0x30000, VM_PROT_READ, false);
    const e = s.group(secondary)[0]!;
    expect(e.v).toBe(avpnV(vsid(s.pmap.context, va), va) | H);
    expect(s.mmu.stats.secondary).toBe(1);
  });

  it("both groups full: the victim is never a bolted HPTE, whatever the timebase", () => {
    for (let start = 0; start < 8; start++) {
      const t = setup();
      const va = 0x40000000;
      const { primary, secondary } = t.groups(t.pmap, va);
      for (let i = 0; i < 8; i++) {
        t.put(primary, i, (BigInt(i + 1) << 12n) | V | (i === 5 ? 0n : BOLTED), BigInt(i));
        t.put(secondary, i, (BigInt(i + 20) << 12n) | V | BOLTED, 0n);
      }
      for (let k = 0; k < start; k++) t.mmu.mftb();
      t.pmap.enter(va, 0x30000, VM_PROT_READ, false);
      const g = t.group(primary);
      expect(g[5]!.v, `start ${start}`).toBe(avpnV(vsid(t.pmap.context, va), va));
      for (let i = 0; i < 8; i++) if (i !== 5) expect(g[i]!.v & BOLTED).toBe(BOLTED);
      expect(t.group(secondary).every((e) => (e.v & BOLTED) !== 0n)).toBe(true);
      expect(t.mmu.stats.evictions).toBe(1);
    }
  });

  it("eviction takes the victim's R/C into its owner's record and tlbies its VA; the owner refills on a hash fault", () => {
    const other = new PowerPmap(s.ctx, s.mmu);
    const va = 0x40000000;
    const { primary, secondary } = s.groups(s.pmap, va);
    // Fill both groups of va with the other address space's pages that hash there (searching its page numbers).
    const victims: number[] = [];
    for (let ea = 0; victims.length < 16 && ea < 2 ** 40; ea += 4096) {
      const g = s.groups(other, ea);
      if (g.primary === primary || g.primary === secondary) {
        const full = s.group(g.primary).every((e) => (e.v & V) !== 0n);
        if (!full) { other.enter(ea, 0x50000, RW, false); victims.push(ea); }
      }
    }
    expect(s.group(primary).every((e) => (e.v & V) !== 0n) && s.group(secondary).every((e) => (e.v & V) !== 0n)).toBe(true);
    // The hardware set C in every one of them.
    for (const g of [primary, secondary]) for (let i = 0; i < 8; i++) { const e = s.group(g)[i]!; s.put(g, i, e.v, e.r | R | C); }
    const n0 = s.ops.length;
    s.pmap.enter(va, 0x30000, VM_PROT_READ, false);
    expect(s.mmu.stats.evictions).toBe(1);
    const gone = victims.filter((ea) => other.slotOf(ea) < 0);
    expect(gone.length).toBe(1);
    const ea = gone[0]!;
    expect(s.ops.slice(n0)).toEqual([["tlbie", ea, other.context]]);
    expect(other.extract(ea)).toEqual({ pa: 0x50000, prot: RW, referenced: true, modified: true });
    // hash_page: the owner's next access puts it back (a read needs only read rights).
    expect(other.refill(ea + 8, VM_PROT_READ)).toBe(true);
    expect(other.slotOf(ea)).toBeGreaterThanOrEqual(0);
    expect(s.mmu.stats.refills).toBe(1);
    expect(s.mmu.stats.evictions).toBe(2);   // its groups were full too
  });

  it("refill only for a translation the space has, not hashed in, and allowing the access", () => {
    expect(s.pmap.refill(0x10000, VM_PROT_READ)).toBe(false);
    s.pmap.enter(0x10000, 0x20000, VM_PROT_READ, false);
    expect(s.pmap.refill(0x10000, VM_PROT_READ)).toBe(false);     // already in the HTAB: a protection fault
    s.pmap.protect(0x10000, 0x11000, VM_PROT_READ | VM_PROT_EXECUTE);
    expect(s.pmap.slotOf(0x10000)).toBe(-1);
    expect(s.pmap.refill(0x10000, VM_PROT_WRITE)).toBe(false);    // the VM decides (copy-on-write, SIGSEGV)
    expect(s.pmap.refill(0x10000, VM_PROT_EXECUTE)).toBe(true);
    const slot = s.pmap.slotOf(0x10000);
    expect(bswap(s.w.readPhys64(s.mmu.htab + slot * 16 + 8)) & (N | 3n)).toBe(3n);   // executable, read-only
  });

  it("remove: the HPTE is made invalid and tlbie'd, page by page; pv entries go", () => {
    const obj = s.vm.objectAllocate(8 * 4096);
    const pages = [0, 1, 2].map((i) => s.vm.pageAlloc(obj, i * 4096, 0x10000 + i * 4096));
    pages.forEach((p, i) => s.pmap.enter(0x10000 + i * 4096, p.pa, RW, false));
    const slots = [0, 1, 2].map((i) => s.pmap.slotOf(0x10000 + i * 4096));
    const n0 = s.ops.length;
    s.pmap.remove(0x10000, 0x13000);
    expect(s.ops.slice(n0)).toEqual([0, 1, 2].map((i) => ["tlbie", 0x10000 + i * 4096, s.pmap.context]));
    for (const slot of slots) expect(bswap(s.w.readPhys64(s.mmu.htab + slot * 16)) & V).toBe(0n);
    for (const p of pages) expect(p.pv.length).toBe(0);
    expect(s.pmap.extract(0x10000)).toBeUndefined();
    s.pmap.remove(0x10000, 0x13000);
    expect(s.ops.length).toBe(n0 + 3);
  });

  it("R and C: the hardware's bits are read from the HPTE; clearing one rewrites the HPTE and tlbies it", () => {
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x10000);
    s.pmap.enter(0x10000, page.pa, RW, false);
    expect(s.pmap.isModified(page)).toBe(false);
    expect(s.pmap.isReferenced(page)).toBe(false);
    const slot = s.pmap.slotOf(0x10000);
    const a = s.mmu.htab + slot * 16 + 8;
    s.w.writePhys64(a, bswap(bswap(s.w.readPhys64(a)) | R | C));   // as the walker does on a store
    expect(s.pmap.isModified(page)).toBe(true);
    expect(s.pmap.isReferenced(page)).toBe(true);
    const n0 = s.ops.length;
    s.pmap.clearModify(page);
    expect(bswap(s.w.readPhys64(a)) & (R | C)).toBe(R);
    expect(s.ops.slice(n0)).toEqual([["tlbie", 0x10000, s.pmap.context]]);
    expect(s.pmap.isModified(page)).toBe(false);
    s.pmap.clearReference(page);
    expect(s.pmap.isReferenced(page)).toBe(false);
  });

  it("activate is switch_slb: the context id and slbia; context ids are the lowest free, reused only after destroy", () => {
    s.pmap.activate();
    expect(s.ops.at(-1)).toEqual(["switch", s.pmap.context]);
    const b = new PowerPmap(s.ctx, s.mmu), c = new PowerPmap(s.ctx, s.mmu);
    expect([s.pmap.context, b.context, c.context]).toEqual([1, 2, 3]);
    b.enter(0x10000, 0x20000, VM_PROT_READ, false);
    const slot = b.slotOf(0x10000);
    b.destroy();
    expect(bswap(s.w.readPhys64(s.mmu.htab + slot * 16)) & V).toBe(0n);   // nothing of id 2 stays in the HTAB
    expect(new PowerPmap(s.ctx, s.mmu).context).toBe(2);
  });

  it("running out of context ids fails the new address space (Linux's fork gets ENOMEM)", () => {
    const t = setup(3);
    new PowerPmap(t.ctx, t.mmu);
    const last = new PowerPmap(t.ctx, t.mmu);
    expect(() => new PowerPmap(t.ctx, t.mmu)).toThrow(/out of POWER context ids/);
    last.destroy();
    expect(new PowerPmap(t.ctx, t.mmu).context).toBe(3);
  });

  it("collect drops every unwired translation from the record and the HTAB", () => {
    s.pmap.enter(0x10000, 0x20000, RW, true);
    s.pmap.enter(0x11000, 0x21000, RW, false);
    s.pmap.collect();
    expect(s.pmap.extract(0x10000)).toBeDefined();
    expect(s.pmap.extract(0x11000)).toBeUndefined();
    expect(s.pmap.slotOf(0x11000)).toBe(-1);
  });
});

describe("PowerPmap under HTAB pressure (randomized, with invariants)", () => {
  it("three address spaces competing for one pair of PTEGs: the HTAB always caches the records exactly", () => {
    const s = setup();
    const spaces = [s.pmap, new PowerPmap(s.ctx, s.mmu), new PowerPmap(s.ctx, s.mmu)];
    const mask = s.mmu.ptegCount - 1;
    const T = 0x123;
    // In segment 0 the primary group of page p is (p ^ VSID) & mask: 32 pages per space hash to group T.
    const pool = spaces.map((p) => {
      const vs = Number(vsid(p.context, 0) & BigInt(mask));
      return Array.from({ length: 32 }, (_, k) => (((T ^ vs) & mask) | (k << 11)) * 4096);
    });
    let seed = 12345;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor((seed / 2 ** 31) * n); };
    const truth = spaces.map(() => new Map<number, { pa: number; prot: number }>());
    const check = () => {
      const owned = new Set<number>();
      spaces.forEach((p, i) => {
        for (const [va, t] of truth[i]!) {
          const x = p.extract(va)!;
          expect(x.pa).toBe(t.pa);
          expect(x.prot).toBe(t.prot);
          const slot = p.slotOf(va);
          if (slot < 0) continue;
          owned.add(slot);
          const group = Math.floor(slot / 8);
          const e = s.group(group)[slot % 8]!;
          const secondary = (e.v & H) !== 0n;
          expect(group).toBe(secondary ? (~T & mask) : T);
          expect(e.v).toBe(avpnV(vsid(p.context, va), va) | (secondary ? H : 0n));
          expect(e.r & 0x0FFF_FFFF_FFFF_F000n).toBe(BigInt(t.pa));
          expect(e.r & 3n).toBe(t.prot & VM_PROT_WRITE ? 2n : 3n);
        }
        expect(p.mappedPages().sort()).toEqual([...truth[i]!.keys()].sort());
      });
      for (const g of [T, ~T & mask]) {
        s.group(g).forEach((e, k) => { if (e.v & V) expect(owned.has(g * 8 + k), `slot ${g * 8 + k} owned`).toBe(true); });
      }
    };
    for (let step = 0; step < 1200; step++) {
      const i = rnd(3), p = spaces[i]!, va = pool[i]![rnd(32)]!;
      const op = rnd(10);
      if (op < 5) {
        const prot = rnd(2) ? RW : VM_PROT_READ;
        const pa = 0x10000 + rnd(16) * 4096;
        p.enter(va, pa, prot, false, rnd(2) ? VM_PROT_READ : 0);
        truth[i]!.set(va, { pa, prot });
      } else if (op < 7) {
        p.remove(va, va + 4096);
        truth[i]!.delete(va);
      } else if (op < 8) {
        const t = truth[i]!.get(va);
        p.protect(va, va + 4096, VM_PROT_READ);
        if (t) t.prot = VM_PROT_READ;
      } else {
        const inHtab = p.slotOf(va) >= 0;
        expect(p.refill(va, VM_PROT_READ)).toBe(truth[i]!.has(va) && !inHtab);
        if (truth[i]!.has(va)) expect(p.slotOf(va)).toBeGreaterThanOrEqual(0);
      }
      check();
    }
    expect(s.mmu.stats.evictions).toBeGreaterThan(100);
    expect(s.mmu.stats.secondary).toBeGreaterThan(100);
  });
});

// Referenced and modified bits on every machine, through the pmap contract (isReferenced / clearReference /
// isModified / clearModify), with real references: each goes through the machine's TLBs and walker or refill model
// in wasm and, when it faults, through the live trap path (kern/trap.ts: the pmap's refill, then vm_fault), as a
// whole-machine trace replay takes it (src/trace/machine.ts). Where the hardware keeps the bits (x86-64 and RISC-V
// A/D, POWER R/C, the hashed and guarded tables) they are its own; where it keeps none (VAX, MIPS, SPARC) or only
// faults (RISC-V Svade) the pmap emulates them by soft faults it resolves alone (src/arch/refmod.ts), which the VM
// never sees, counted and charged per machine.

import { describe, expect, it } from "vitest";
import { machineConfig } from "../../../src/index.js";
import { ARCHS } from "../../../src/arch/registry.js";
import { machineData } from "../../../src/machine/costs.js";
import { MachineReplayer } from "../../../src/trace/machine.js";
import type { X86Pmap } from "../../../src/arch/x86-64/pmap.js";
import type { VmPage } from "../../../src/vm/vm_page.js";

type Kind = "L" | "S" | "I";
const KIND = { L: 0n, S: 1n, I: 2n };

/** Every machine that translates, and RISC-V under Svade as a machine of its own. */
const MACHINES: { name: string; arch: string; svade?: boolean }[] = [
  ...ARCHS.filter((a) => a !== "bare").map((a) => ({ name: a, arch: a })),
  { name: "riscv-sv39 --ad svade", arch: "riscv-sv39", svade: true },
];

/** The emulation counter of a machine (refmod.ts), or undefined where the hardware keeps the bits. */
function emulationCounter(m: { arch: string; svade?: boolean }): string | undefined {
  if (m.svade) return "svade";
  if (m.arch === "vax") return "vax_ref";
  if (m.arch.startsWith("mips")) return "mips_ref";
  if (m.arch === "sparc") return "sparc_ref";
  return undefined;
}

class Rig {
  readonly r: MachineReplayer;
  constructor(readonly m: { arch: string; svade?: boolean }) {
    this.r = new MachineReplayer(machineConfig({ arch: m.arch, mem: "32M", ...(m.svade ? { hardwareAD: false } : {}) }));
  }
  get pmap() { return this.r.machine.task.pmap; }
  /** The task's user addresses start here (a page of the trace region every machine can map). */
  get base(): number { return Math.ceil((this.r.machine.task.layout.minAddress + 0x100000) / 4096) * 4096; }
  va(i: number): number { return this.base + i * 4096; }
  /** One reference, replayed through the whole machine (faults resolved through the trap path). */
  ref(kind: Kind, va: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, (BigInt(va + 8) & ~3n) | KIND[kind], true);
    this.r.feedBytes(b, { version: 1, sizes: false }, false);
  }
  page(va: number): VmPage {
    const t = this.pmap.extract(va);
    expect(t, `no translation at ${va.toString(16)}`).toBeDefined();
    return this.r.machine.vm.pageOf(t!.pa - (t!.pa % 4096))!;
  }
  counters(): Record<string, number> { return this.r.counters(); }
  /** Empties the TLB of the task's translations as a full flush would (x86-64: MOV to CR3 without the no-flush bit). */
  flushTlb(): void {
    const p = this.pmap as X86Pmap;
    this.r.machine.wasm.writeCr3(p.cr3);
  }
}

for (const m of MACHINES) {
  const emu = emulationCounter(m);
  // Linux on x86 clears A without a flush (ptep_clear_flush_young): while the TLB holds the entry, the
  // walker is not asked and A stays clear. Every other pmap invalidates the page when it clears the bit.
  const flushesOnClear = !m.arch.startsWith("x86-64");

  describe(`referenced and modified bits: ${m.name}`, () => {
    it("after clearReference an access sets referenced again; the translation and the data are unchanged", () => {
      const g = new Rig(m);
      const va = g.va(3);
      g.ref("S", va);
      const pa = g.pmap.extract(va)!.pa;
      const page = g.page(va);
      g.r.machine.wasm.phys(pa, 4).set([1, 2, 3, 4]);
      expect(g.pmap.isReferenced(page)).toBe(true);
      g.pmap.clearReference(page);
      expect(g.pmap.isReferenced(page)).toBe(false);
      expect(g.pmap.extract(va)?.pa).toBe(pa);              // still mapped, to the same frame
      const before = g.counters();
      g.ref("L", va);
      if (!flushesOnClear) {
        expect(g.pmap.isReferenced(page)).toBe(false);      // the TLB still held the entry
        g.flushTlb();
        g.ref("L", va);
      }
      expect(g.pmap.isReferenced(page)).toBe(true);
      const after = g.counters();
      expect(g.pmap.extract(va)?.pa).toBe(pa);
      expect([...g.r.machine.wasm.phys(pa, 4)]).toEqual([1, 2, 3, 4]);
      expect(after["page_faults"]).toBe(before["page_faults"]);   // never a VM fault
      if (emu) {
        expect(after[`${emu}_faults`]! - before[`${emu}_faults`]!).toBe(1);
        const d = machineData(m.arch);
        expect(after[`${emu}_cycles`]! - before[`${emu}_cycles`]!).toBe(d.costs.trap.cycles + d.refModEmulation!.cycles);
        expect(after["traps_page_fault"]! - before["traps_page_fault"]!).toBe(1);
      } else {
        expect(after["traps_page_fault"]).toBe(before["traps_page_fault"]);
      }
    });

    it("a write sets modified; clearModify clears it; a read leaves it clear, the next write sets it again", () => {
      const g = new Rig(m);
      const va = g.va(5);
      g.ref("L", va);
      const page = g.page(va);
      g.ref("S", va);
      expect(g.pmap.isModified(page)).toBe(true);
      for (let round = 0; round < 3; round++) {
        g.pmap.clearModify(page);
        expect(g.pmap.isModified(page)).toBe(false);
        g.ref("L", va);
        expect(g.pmap.isModified(page)).toBe(false);
        g.ref("S", va);
        expect(g.pmap.isModified(page)).toBe(true);
      }
      // Both bits cleared, then one store: referenced and modified again, the frame kept.
      const pa = g.pmap.extract(va)!.pa;
      g.pmap.clearReference(page);
      g.pmap.clearModify(page);
      if (!flushesOnClear) g.flushTlb();
      g.ref("S", va);
      expect([g.pmap.isReferenced(page), g.pmap.isModified(page), g.pmap.extract(va)?.pa]).toEqual([true, true, pa]);
    });

    it("an instruction fetch counts as a reference", () => {
      const g = new Rig(m);
      const va = g.va(7);
      g.ref("I", va);
      const page = g.page(va);
      g.pmap.clearReference(page);
      if (!flushesOnClear) g.flushTlb();
      g.ref("I", va);
      expect(g.pmap.isReferenced(page)).toBe(true);
    });

    // The reference string: in each round every page but one is touched (in a shuffled order, loads, stores and
    // fetches mixed), so the one left out is the least recently used page; a clock scan of the referenced bits
    // (read, then cleared) must find exactly the pages touched, and so pick the victim exact LRU picks.
    it("the bits agree with an exact-LRU oracle: the unreferenced page is the least recently used one", () => {
      const g = new Rig(m);
      const N = 8;
      const pages: VmPage[] = [];
      for (let i = 0; i < N; i++) { g.ref("S", g.va(i)); pages.push(g.page(g.va(i))); }
      for (const p of pages) g.pmap.clearReference(p);
      const lastUse = new Array<number>(N).fill(0);
      let clock = 0, seed = 7;
      const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
      const faults0 = g.counters()["page_faults"];
      for (let round = 0; round < 24; round++) {
        if (!flushesOnClear) g.flushTlb();   // Linux x86 would miss references of TLB-resident pages
        const skip = round % N;
        const order = [...Array(N).keys()].filter((i) => i !== skip);
        for (let i = order.length - 1; i > 0; i--) { const j = rand(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
        for (const i of order) {
          for (let k = 0; k <= rand(3); k++) g.ref((["L", "S", "L"] as const)[rand(3)], g.va(i));
          lastUse[i] = ++clock;
        }
        const referenced = pages.map((p) => g.pmap.isReferenced(p));
        expect(referenced, `round ${round}`).toEqual(pages.map((_, i) => i !== skip));
        const victim = referenced.indexOf(false);
        const lru = lastUse.indexOf(Math.min(...lastUse));
        expect(victim).toBe(lru);
        for (const p of pages) g.pmap.clearReference(p);
      }
      expect(g.counters()["page_faults"]).toBe(faults0);   // the emulation never reached the VM
      if (emu) expect(g.counters()[`${emu}_faults`]).toBeGreaterThanOrEqual(24 * (N - 1));
    });
  });
}

describe("the emulation's cost shows when machines are compared", () => {
  it("the same clear-and-touch string costs the VAX, MIPS and SPARC soft faults and x86-64 none", () => {
    const run = (arch: string) => {
      const g = new Rig({ arch });
      const pages = [0, 1, 2, 3].map((i) => { g.ref("L", g.va(i)); return g.page(g.va(i)); });
      for (let round = 0; round < 10; round++) {
        for (const p of pages) g.pmap.clearReference(p);
        for (let i = 0; i < 4; i++) g.ref("L", g.va(i));
      }
      return g.counters();
    };
    expect(run("vax")["vax_ref_faults"]).toBe(40);
    expect(run("mips-r3000")["mips_ref_faults"]).toBe(40);
    expect(run("sparc")["sparc_ref_faults"]).toBe(40);
    const x86 = run("x86-64");
    expect(Object.keys(x86).some((k) => k.endsWith("_ref_faults"))).toBe(false);
  });
});

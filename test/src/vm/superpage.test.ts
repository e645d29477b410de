// Superpages in the kernel (--page-size 2M): reservations place an anonymous 2 MiB range in one aligned physical
// run, the radix pmaps promote a full table of contiguous leaves to one 2 MiB leaf and demote it before any change
// to part of it. Checked at the pmap (tables as the walker reads them, extract, collect, table frames), on guests
// (same output as with 4 KiB pages, fewer misses and walks, mprotect/munmap/fork inside promoted ranges) and at the
// command line (a size the machine or its kernel cannot map is one line, status 2).

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WasmMachine } from "../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { VmObject } from "../../../src/vm/vm_object.js";
import { ReservSystem } from "../../../src/vm/vm_reserv.js";
import { RiscvMmu, SV39 } from "../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../src/arch/riscv/pmap.js";
import { X86_PS } from "../../../src/arch/x86-64/pmap.js";
import type { SuperpageState } from "../../../src/vm/pmap.js";
import { VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";
import { runGuest, type Arch } from "../../../src/index.js";
import { main } from "../../../src/cli/main.js";
import { BufferIo, loadedMachine } from "../helpers/machine.js";

const M2 = 2 * 1024 * 1024;
const RW = VM_PROT_READ | VM_PROT_WRITE;
const bin = (name: string): string => fileURLToPath(new URL(`../../../guest/bin/${name}`, import.meta.url));

function setup() {
  const w = new WasmMachine();
  const ram = 16 * 1024 * 1024;
  w.init(ram);
  const phys = new PhysAllocator(w, ram);
  const vm = new VmSystem(phys, false);
  const superpages: SuperpageState = { size: M2, promotions: 0, demotions: 0 };
  const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa), superpages }, new RiscvMmu(w, SV39));
  return { w, phys, vm, pmap, superpages };
}

/** The Sv39 entry for va and its level, read from the tables as the walker does. */
function leaf(w: WasmMachine, root: number, va: number): { pte: bigint; level: number } | undefined {
  let table = root;
  for (let level = 2; level >= 0; level--) {
    const pte = w.readPhys64(table + 8 * (Math.floor(va / 2 ** (12 + 9 * level)) % 512));
    if ((pte & 1n) === 0n) return undefined;
    if ((pte & 0xAn) !== 0n) return { pte, level };
    table = Number(pte >> 10n) * 4096;
  }
  return undefined;
}

describe("radix pmap promotion and demotion", () => {
  const va = 0x4000_0000;   // 2 MiB aligned
  const pa = 0x40_0000;     // 2 MiB aligned, inside the 16 MiB of RAM, above the tables

  function promoted() {
    const s = setup();
    for (let i = 0; i < 512; i++) s.pmap.enter(va + i * 4096, pa + i * 4096, RW, false, VM_PROT_WRITE);
    return s;
  }

  it("replaces 512 contiguous leaves with one 2 MiB leaf and frees the table", () => {
    const s = setup();
    for (let i = 0; i < 511; i++) s.pmap.enter(va + i * 4096, pa + i * 4096, RW, false, VM_PROT_WRITE);
    expect(leaf(s.w, s.pmap.root, va)!.level).toBe(0);
    const tables = s.pmap.stats.tableFrames;
    s.pmap.enter(va + 511 * 4096, pa + 511 * 4096, RW, false, VM_PROT_READ);
    expect(s.superpages.promotions).toBe(1);
    const l = leaf(s.w, s.pmap.root, va + 0x12345)!;
    expect(l.level).toBe(1);
    expect(Number(l.pte >> 10n) * 4096).toBe(pa);
    expect(l.pte & 0xC0n).toBe(0xC0n);   // A and D: the union of the leaves'
    expect(s.pmap.stats.tableFrames).toBe(tables - 1);
    expect(s.phys.tableFrames).toBe(s.pmap.stats.tableFrames);
    expect(s.pmap.extract(va + 0x12345)).toEqual({ pa: pa + 0x12345, prot: RW, referenced: true, modified: true });
  });

  it("does not promote a range that is not contiguous, aligned, or uniform", () => {
    const s = setup();
    for (let i = 0; i < 512; i++) s.pmap.enter(va + i * 4096, pa + 4096 + i * 4096, RW, false, 0);   // misaligned
    expect(s.superpages.promotions).toBe(0);
    const t = setup();
    for (let i = 0; i < 512; i++) t.pmap.enter(va + i * 4096, pa + i * 4096, i === 7 ? VM_PROT_READ : RW, false, 0);
    expect(t.superpages.promotions).toBe(0);
    expect(leaf(t.w, t.pmap.root, va)!.level).toBe(0);
  });

  it("demotes before protecting one page: that page alone loses write, the others keep the same frames", () => {
    const s = promoted();
    s.pmap.protect(va + 5 * 4096, va + 6 * 4096, VM_PROT_READ);
    expect(s.superpages.demotions).toBe(1);
    expect(leaf(s.w, s.pmap.root, va)!.level).toBe(0);
    expect(s.pmap.extract(va + 5 * 4096)!.prot).toBe(VM_PROT_READ);
    for (const i of [0, 4, 6, 511]) expect(s.pmap.extract(va + i * 4096)).toEqual({ pa: pa + i * 4096, prot: RW, referenced: true, modified: true });
    expect(s.phys.tableFrames).toBe(s.pmap.stats.tableFrames);
  });

  it("protects a whole large page as one leaf, and removes one page by demoting first", () => {
    const s = promoted();
    s.pmap.protect(va, va + M2, VM_PROT_READ);
    expect(s.superpages.demotions).toBe(0);
    expect(leaf(s.w, s.pmap.root, va + 0x1000)!.level).toBe(1);
    expect(s.pmap.extract(va + 0x1000)!.prot).toBe(VM_PROT_READ);
    s.pmap.remove(va + 0x3000, va + 0x4000);
    expect(s.superpages.demotions).toBe(1);
    expect(s.pmap.extract(va + 0x3000)).toBeUndefined();
    expect(s.pmap.extract(va + 0x4000)!.pa).toBe(pa + 0x4000);
  });

  it("collect and destroy throw large leaves away and free every table", () => {
    const s = promoted();
    s.pmap.collect();
    expect(s.pmap.extract(va)).toBeUndefined();
    expect(s.pmap.stats.tableFrames).toBe(1);
    const t = promoted();
    t.pmap.destroy();
    expect(t.phys.tableFrames).toBe(0);
  });

  it("keeps pv entries per 4 KiB page: pageProtect of one page demotes and write-protects just that page", () => {
    const s = setup();
    const obj = new VmObject(1, M2);
    const pages = [];
    for (let i = 0; i < 512; i++) {
      const page = s.vm.pageAlloc(obj, i * 4096, 0);
      pages.push(page);
      s.pmap.enter(va + i * 4096, page.pa, RW, false, VM_PROT_WRITE);
    }
    // Lowest-first allocation after the tables: contiguous, but aligned only if the run starts on 2 MiB.
    const aligned = pages[0]!.pa % M2 === 0;
    expect(s.superpages.promotions).toBe(aligned ? 1 : 0);
    expect(s.pmap.isModified(pages[9]!)).toBe(true);
    s.pmap.pageProtect(pages[9]!, VM_PROT_READ);
    expect(s.pmap.extract(va + 9 * 4096)!.prot).toBe(VM_PROT_READ);
    expect(s.pmap.extract(va + 10 * 4096)!.prot).toBe(RW);
    expect(s.superpages.demotions).toBe(aligned ? 1 : 0);
  });
});

describe("reservations", () => {
  it("give the pages of one 2 MiB object range frames of one aligned run, and release it when they are freed", () => {
    const s = setup();
    s.vm.reserv = new ReservSystem(s.phys);
    const obj = s.vm.objectAllocate(4 * M2);
    const a = s.vm.pageAlloc(obj, M2 + 3 * 4096, 0, true);
    const b = s.vm.pageAlloc(obj, M2 + 4096, 0, true);
    expect(a.pa % M2).toBe(3 * 4096);
    expect(b.pa).toBe(a.pa - 2 * 4096);
    const plain = s.vm.pageAlloc(obj, 0, 0);   // not from the reservation
    expect(Math.floor(plain.pa / M2)).not.toBe(Math.floor(a.pa / M2));
    const before = s.phys.freeFrames;
    s.vm.pageFree(a);
    s.vm.pageFree(b);
    expect(s.phys.freeFrames).toBe(before + 2);
    expect(s.vm.reserv.stats.made).toBe(1);
  });

  it("are broken when memory runs out, and then every frame can be allocated", () => {
    const s = setup();
    s.vm.reserv = new ReservSystem(s.phys);
    const obj = s.vm.objectAllocate(M2);
    s.vm.pageAlloc(obj, 0, 0, true);
    let n = 0;
    for (;;) { try { s.phys.alloc("user"); n++; } catch { break; } }
    expect(s.vm.reserv.stats.broken).toBe(1);
    expect(s.phys.freeFrames).toBe(0);
    expect(n).toBeGreaterThan(3000);
  });
});


function guest(arch: Arch, pageSize: string, prog: string, args: string[] = []) {
  return runGuest({ path: bin(prog), arch, pageSize, args });
}

describe("guests under --page-size 2M", () => {
  for (const arch of ["riscv-sv39", "x86-64"] as const) {
    it(`${arch}: stride prints the same, with far fewer TLB misses and walks and fewer table frames`, () => {
      const small = guest(arch, "4K", "stride", ["16", "2"]);
      const large = guest(arch, "2M", "stride", ["16", "2"]);
      expect(small.exitCode).toBe(0);
      expect(large.stdout).toBe(small.stdout);
      const s = small.counters, l = large.counters;
      expect(s["superpage_promotions"]).toBeUndefined();   // 4K: the counters of today, nothing added
      expect(l["superpage_promotions"]).toBe(8);             // 16 MiB = 8 ranges of 2 MiB
      expect(l["dtlb_miss"]!).toBeLessThan(s["dtlb_miss"]! / 4);
      expect(l["walks"]!).toBeLessThan(s["walks"]! / 4);
      expect(l["pt_frames_peak"]!).toBeLessThan(s["pt_frames_peak"]!);
      expect(l["cycles"]!).toBeLessThan(s["cycles"]!);
    });

    it(`${arch}: mprotect, munmap and fork inside promoted ranges demote and behave as with 4 KiB pages`, () => {
      const small = guest(arch, "4K", "superpage");
      const large = guest(arch, "2M", "superpage");
      expect(small.exitCode).toBe(0);
      expect(small.stdout).toContain("store to the read-only page faults: yes (at +0x64000)");
      expect(small.stdout).toContain("load from the unmapped page: faults");
      expect(small.stdout).toContain("range 2 unchanged: yes");
      expect(large.stdout).toBe(small.stdout);
      expect(large.exitCode).toBe(0);
      expect(large.counters["superpage_promotions"]).toBeGreaterThanOrEqual(4);
      expect(large.counters["superpage_demotions"]).toBeGreaterThanOrEqual(3);   // mprotect, munmap, a write after fork
    });
  }

  it("keeps the VM's invariants with large leaves mapped (checked after the run, first task's map kept)", () => {
    const { m, io } = loadedMachine(readFileSync(bin("superpage")), { config: { pageSize: M2, ramBytes: 64 * 1024 * 1024 } });
    m.run();
    expect(io.out).toContain("final checksum");
    expect(m.counters()["superpage_promotions"]).toBeGreaterThan(0);
    expect(m.checkInvariants()).toEqual([]);
    m.collectPmaps();
    expect(m.checkInvariants()).toEqual([]);
  });

  it("x86-64 writes the 2 MiB leaf as a PDE with PS", () => {
    // superpage leaves its last ranges mapped at exit (the first task's map is kept to the end of the run).
    const { m } = loadedMachine(readFileSync(bin("superpage")), { arch: "x86-64", config: { pageSize: M2 } });
    m.run();
    const pm = m.pmap as unknown as { root: number };
    let large = 0;
    const w = m.wasm;
    const walk = (table: number, level: number): void => {
      for (let i = 0; i < 512; i++) {
        const e = w.readPhys64(table + 8 * i);
        if ((e & 1n) === 0n) continue;
        if (level === 1 && (e & X86_PS) !== 0n) { large++; continue; }
        if (level > 1) walk(Number(e & 0x000F_FFFF_FFFF_F000n), level - 1);
      }
    };
    walk(pm.root, 3);
    expect(large).toBeGreaterThanOrEqual(1);
  });
});

describe("--page-size validation", () => {
  const dir = mkdtempSync(join(tmpdir(), "mmulab-pagesize-"));
  function cli(...argv: string[]) {
    const io = new BufferIo();
    const status = main(["run", bin("hello"), "--json", join(dir, "r.json"), ...argv], io);
    return { status, err: io.err };
  }
  const oneLine = (r: { status: number; err: string }, re: RegExp): void => {
    expect(r.status).toBe(2);
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(re);
  };

  it("rejects sizes the machine lacks, sizes its kernel cannot map, and garbage, before the guest starts", () => {
    oneLine(cli("--arch", "mips-r3000", "--page-size", "2M"), /--page-size 2M: mips-r3000 has no such pages \(it offers 4K\)/);
    oneLine(cli("--page-size", "8K"), /--page-size 8K: riscv-sv39 has no such pages/);
    oneLine(cli("--page-size", "huge"), /bad page size 'huge'/);
    oneLine(cli("--page-size", "1G"), /--page-size 1G: the riscv-sv39 kernel .* promotes to 2M at most/);
  });

  it("accepts 4K everywhere and 2M on the radix machines", () => {
    expect(cli("--page-size", "4K").status).toBe(0);
    expect(cli("--arch", "mips-r3000", "--page-size", "4096").status).toBe(0);
    for (const arch of ["riscv-sv39", "riscv-sv48", "x86-64", "x86-64-la57"]) expect(cli("--arch", arch, "--page-size", "2M").status).toBe(0);
  });
});

// The teaching views on every machine: --trace-walk's steps are the machine's page tables as they are in physical
// memory and its results what the kernel's pmap says; --trace-faults names how each fault was resolved; --dump-tlb's
// entries are translations the pmap agrees with, no more of them than the TLB's fills.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ARCHS, type Arch } from "../../../src/arch/registry.js";
import { Machine } from "../../../src/boot/machine.js";
import { tlbContents } from "../../../src/boot/tlb_dump.js";
import { parseElf } from "../../../src/loader/elf.js";
import { BufferIo, testConfig } from "../helpers/machine.js";

const elf = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../../guest/bin/${name}`, import.meta.url)));

function boot(arch: Arch, guest: string, args: string[] = [], views: { walk?: (l: string, m: Machine) => void; faults?: boolean } = {}) {
  const io = new BufferIo();
  const faults: string[] = [];
  const walks: string[] = [];
  // eslint-disable-next-line prefer-const
  let m: Machine;
  m = new Machine(testConfig(arch), {
    io,
    ...(views.walk ? { walkTrace: (l: string) => { walks.push(l); views.walk!(l, m); } } : {}),
    ...(views.faults ? { faultTrace: (l: string) => faults.push(l) } : {}),
  });
  m.load(parseElf(elf(guest)), { argv: [`/bin/${guest}`, ...args], envp: [], execfn: `/bin/${guest}`, exePath: `/bin/${guest}` });
  return { m, io, faults, walks };
}

// Bits a walker or refill handler may set in an entry after a walk read it: a later walk of the same stretch may have
// set them before the lines are printed. Sv39/Sv48 and x86-64 A/D (0xC0, 0x60), POWER R/C (0x180), guarded A/D
// (0x60), clustered REF/MOD (0xC0), the VAX's M (bit 26), MIPS D (R4000 0x4, R3000 0x400).
const STICKY = 0x1E0n | 0x4n | 0x400n | (1n << 26n);

/** The entry at pa as the trace printed it: little-endian u64 or u32, or a POWER HPTE's big-endian second doubleword. */
function inMemory(m: Machine, pa: bigint, value: bigint): boolean {
  const p = Number(pa);
  const bytes = m.wasm.phys(p, p + 16 <= m.wasm.ramSize ? 16 : 8);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const candidates = [dv.getBigUint64(0, true), BigInt(dv.getUint32(0, true))];
  if (bytes.length >= 16) candidates.push(dv.getBigUint64(8, false));
  return candidates.some((c) => c === value || ((c ^ value) & ~STICKY) === 0n);
}

describe("--trace-walk on every machine", () => {
  for (const arch of ARCHS) {
    it(`${arch}: each entry printed is in physical memory, each result is the pmap's translation`, () => {
      let entries = 0, results = 0, mismatched: string[] = [];
      const check = (line: string, m: Machine): void => {
        // The last mention of each address in a walk is what memory holds now (a TSB fill rewrites its probe).
        const last = new Map<bigint, bigint>();
        for (const x of line.matchAll(/\[(0x[0-9a-f]+)\] (?::= )?(0x[0-9a-f]+)/g)) last.set(BigInt(x[1]!), BigInt(x[2]!));
        for (const [pa, v] of last) {
          entries++;
          if (!inMemory(m, pa, v)) mismatched.push(`${line} @ ${pa.toString(16)}`);
        }
        const r = /^walk (\w+) va (0x[0-9a-f]+) asid \d+:.*⇒ pa (0x[0-9a-f]+) (\w+) /.exec(line);
        if (r) {
          const va = Number(BigInt(r[2]!));
          const t = m.current.pmap.extract(va);
          expect(t, line).toBeDefined();
          const size = { "512B": 512, "4K": 4096, "2M": 2 << 20, "1G": 1 << 30 }[r[4]!]!;
          expect(t!.pa - (va % size), line).toBe(Number(BigInt(r[3]!)));
          results++;
        }
      };
      const { m, io, walks } = boot(arch, "hello", [], { walk: check });
      m.run();
      expect(io.out).toContain("Hello, world!");
      if (arch === "bare") { expect(walks).toEqual([]); return; }   // no translation, no walk
      expect(walks.length).toBeGreaterThan(5);
      expect(mismatched).toEqual([]);
      expect(results).toBeGreaterThan(3);
      expect(entries).toBeGreaterThanOrEqual(results);
      // Every walk the hardware counted is printed (hello is short: nothing is lost or cut).
      expect(walks.filter((l) => l.startsWith("walk ")).length).toBe(m.counters()["walks"]);
      expect(walks.filter((l) => l.startsWith("walk ") && l.includes("⇒ page fault")).length).toBe(m.counters()["walk_faults"]);
    });
  }

  it("prints the same lines in two runs", () => {
    const a = boot("x86-64", "hello", [], { walk: () => {} }), b = boot("x86-64", "hello", [], { walk: () => {} });
    a.m.run(); b.m.run();
    expect(a.walks).toEqual(b.walks);
    expect(a.walks.some((l) => /PSC PDE hit → table/.test(l))).toBe(true);
  });

  it("machine steps are named: the PTEG probes, the TSB probe and slow path, the refill's nested miss, the system table", () => {
    const lines = (arch: Arch): string => { const r = boot(arch, "hello", [], { walk: () => {} }); r.m.run(); return r.walks.join("\n"); };
    expect(lines("power")).toMatch(/SLB\[\d+\] hit ESID 0x\w+ VSID 0x\w+ → primary PTEG \[0x\w+\] hash 0x\w+: slot \d → HPTE/);
    expect(lines("sparc")).toMatch(/TSB \[0x\w+\] tag 0x\w+ miss → TSB TTE .* → L3 .* → L0 .* → TSB TTE \[0x\w+\] := .* → handler \d+ insns ⇒ pa/);
    expect(lines("mips-r4000")).toMatch(/refill: Context 0x\w+ → nested miss on 0x\w+ → root table .* → kernel PT .* → refill again/);
    expect(lines("vax")).toMatch(/system TB miss SVPN 0x\w+ → SPTE \[0x\w+\] .* → PTE \[0x\w+\]/);
    expect(lines("hashed")).toMatch(/bucket head \[0x\w+\] 0x\w+ → node \[0x\w+\] tag 0x\w+ match → mapping word/);
    expect(lines("guarded")).toMatch(/node\(36 bits left\) \[0x\w+\] 0x\w+ \(V[^)]*guard 0x\w+\/\d+/);
  });

  it("costs nothing to the model: every counter is the same with the trace on", () => {
    for (const arch of ["riscv-sv39", "mips-r3000", "power"] as const) {
      const off = boot(arch, "hello"), on = boot(arch, "hello", [], { walk: () => {} });
      off.m.run(); on.m.run();
      expect(on.m.counters(), arch).toEqual(off.m.counters());
    }
  });
});

describe("--trace-faults", () => {
  const kinds = (arch: Arch, guest: string, args: string[] = []): Map<string, number> => {
    const { m, faults } = boot(arch, guest, args, { faults: true });
    m.run();
    const out = new Map<string, number>();
    for (const l of faults) {
      expect(l).toMatch(/^(\[pid \d+\] )?fault (fetch|load|store) va 0x[0-9a-f]+ pc 0x[0-9a-f]+: /);
      const k = l.replace(/^.*: /, "");
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  };

  for (const arch of ARCHS) {
    it(`${arch}: zero fill, copy-on-write after fork, file pages, a shared page, SIGSEGV`, () => {
      const cow = kinds(arch, "fork_cow");
      if (arch === "bare") { expect(cow.size).toBe(0); return; }   // VA = PA: nothing faults, not even NULL
      expect(cow.get("copy-on-write copy")).toBeGreaterThan(10);
      expect(cow.get("zero fill")).toBeGreaterThan(0);
      expect(cow.get("file page (vnode pager)")).toBeGreaterThan(0);
      expect(cow.get("SIGSEGV (SEGV_MAPERR)")).toBe(1);   // the child that dies of SIGSEGV
      expect(kinds(arch, "filemap", ["/tmp"]).get("shared page")).toBeGreaterThan(0);
      expect(kinds(arch, "segv").get("SIGSEGV (SEGV_MAPERR)")).toBe(1);
    });
  }

  it("a read of untouched anonymous memory maps the zero page; a write to a read-only page is SEGV_ACCERR", () => {
    expect(kinds("riscv-sv39", "zeropage", ["read", "1"]).get("zero page")).toBe(256);
    const sig = kinds("riscv-sv39", "sigsegv", ["1"]);
    expect(sig.get("SIGSEGV (SEGV_ACCERR)")).toBeGreaterThan(0);
  });

  it("a page beyond the end of a mapped file is SIGBUS (BUS_ADRERR)", () => {
    expect(kinds("riscv-sv39", "filemap", ["/tmp", "sigbus"]).get("SIGBUS (BUS_ADRERR)")).toBe(1);
  });
});

describe("--dump-tlb", () => {
  for (const arch of ARCHS) {
    it(`${arch}: every valid entry is a translation the pmap agrees with; no more entries than fills`, () => {
      const { m } = boot(arch, "hello");
      m.run();
      const c = m.counters();
      const tlbs = tlbContents(m.wasm);
      let checked = 0;
      for (const t of tlbs) {
        expect(t.entries.length).toBeLessThanOrEqual(t.sets * t.ways);
        const fills = t.name === "L1 I-TLB" ? c["itlb_miss"]! : t.name === "L1 D-TLB" ? c["dtlb_miss"]! + (arch.startsWith("mips") ? c["itlb_miss"]! + c["mips_tlb_writes"]! : 0) : c["l2_miss"]!;
        expect(t.entries.length, t.name).toBeLessThanOrEqual(fills);
        for (const e of t.entries) {
          const pages = e.odd ? [[e.va, e.pa, e.perm], [e.va + BigInt(e.size), e.odd.pa, e.odd.perm]] as const : [[e.va, e.pa, e.perm]] as const;
          for (const [va, pa, perm] of pages) {
            const x = m.pmap.extract(Number(va));
            if (!x || perm === 0) continue;   // another address space's, the MIPS linear table's, or an invalid half
            expect(x.pa, `${t.name} va ${va.toString(16)}`).toBe(Number(pa));
            checked++;
          }
        }
      }
      if (arch === "bare") expect(checked).toBe(0);
      else expect(checked).toBeGreaterThan(3);
    });
  }

  it("a region of interest's dump shows the TLBs at that point", () => {
    const dumps: string[][] = [];
    // eslint-disable-next-line prefer-const
    let m: Machine;
    m = new Machine(testConfig("riscv-sv39"), { io: new BufferIo(), onStatsDump: (tag) => dumps.push(m.tlbDump(`at statistics dump ${tag}`)) });
    m.load(parseElf(elf("roi")), { argv: ["/bin/roi"], envp: [], execfn: "/bin/roi", exePath: "/bin/roi" });
    m.run();
    expect(dumps).toHaveLength(1);
    expect(dumps[0]![0]).toBe("TLB contents at statistics dump 1:");
    expect(dumps[0]!.filter((l) => /^ {4}set \d+ way \d+: va 0x\w+ → pa 0x\w+ 4K asid \d+ [-rwxugad]{7}/.test(l)).length).toBeGreaterThan(10);
  });
});

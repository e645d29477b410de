import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../src/cli/main.js";
import { ARCHS } from "../../../src/arch/registry.js";
import { COST_KEYS, machineData } from "../../../src/machine/costs.js";
import { BufferIo } from "../helpers/machine.js";
import { A0, program } from "../helpers/rv.js";

const bin = (name: string): string => fileURLToPath(new URL(`../../../guest/bin/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mmulab-compare-"));
// Exits with the low byte of the cycle counter: translation costs cycles, so the status differs between machines.
const cycleExit = join(dir, "cycle-exit");
writeFileSync(cycleExit, program((a) => { a.addi(A0, 0, 0).csrr(A0, 0xC00).li(17, 94).ecall(); }));

function cli(...argv: string[]): { status: number; out: string; err: string } {
  const io = new BufferIo();
  const status = main(argv, io);
  return { status, out: io.out, err: io.err };
}

function oneLine(err: string): void {
  expect(err.trimEnd().split("\n")).toHaveLength(1);
  expect(err).toMatch(/^mmulab: /);
}

interface CompareDoc {
  identical: boolean;
  firstDifference: string | null;
  machines: {
    arch: string; exitCode: number; instructions: number; cycles: number; translationShare: number; walkRefsPerWalk: number;
    counters: Record<string, number>;
  }[];
}

function compareJson(...argv: string[]): { status: number; out: string; err: string; doc: CompareDoc } {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  const r = cli("compare", "--json", file, ...argv);
  return { ...r, doc: JSON.parse(readFileSync(file, "utf8")) as CompareDoc };
}

describe("mmulab archs", () => {
  it("lists every machine with its TLBs, page sizes, walk levels and sourced costs", () => {
    const r = cli("archs");
    expect(r.status).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    for (const a of ARCHS) {
      expect(lines.some((l) => l.startsWith(`${a} `)), a).toBe(true);        // a row of the table
      expect(r.out).toContain(`${a}: `);                                      // its sources
    }
    for (const k of ["walk levels", "page sizes", "L1 I-TLB", "L1 D-TLB", "L2 TLB", ...COST_KEYS]) expect(lines[0]).toContain(k);
  });

  it("--json gives the data files", () => {
    const r = cli("archs", "--json");
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.out) as { machines: { arch: string; costs: Record<string, { cycles: number; source: string }> }[] };
    expect(doc.machines.map((m) => m.arch)).toEqual([...ARCHS]);
    for (const m of doc.machines) for (const k of COST_KEYS) expect(m.costs[k]!.source.length).toBeGreaterThan(10);
  });
});

describe("mmulab compare", () => {
  it.each([["hello", []], ["qsort", ["20000"]]] as [string, string[]][])(
    "%s on every machine: identical output, counters that add up", (name, args) => {
      const { status, out, err, doc } = compareJson(bin(name), ...args, "--archs", "all");
      expect(err).toBe("");
      expect(status).toBe(0);
      expect(doc.identical).toBe(true);
      expect(doc.firstDifference).toBeNull();
      expect(out).toMatch(new RegExp(`translation is transparent: .* identical on all ${ARCHS.length} machines`));
      expect(out).not.toContain("Hello");                                      // guest output is not shown
      expect(doc.machines.map((m) => m.arch)).toEqual([...ARCHS]);
      const insns = doc.machines[0]!.instructions;
      for (const m of doc.machines) {
        const c = m.counters, g = (k: string): number => c[k] ?? 0;
        // Translation changes no instruction, except that a machine whose OS tracks dirty pages with protection
        // traps (sparc) may fail a store-conditional once per such trap (the trap drops the reservation), which
        // reruns its LR/SC loop: 4 instructions.
        const retries = m.instructions - insns;
        expect(retries % 4, m.arch).toBe(0);
        expect(retries, m.arch).toBeGreaterThanOrEqual(0);
        expect(retries, m.arch).toBeLessThanOrEqual(4 * g("prot_traps"));
        expect(m.cycles).toBe(g("instret") + g("xcycles"));
        expect(g("xcycles")).toBeGreaterThanOrEqual(g("xlate_cycles") + g("trap_cycles"));
        expect(m.translationShare).toBeGreaterThanOrEqual(0);
        expect(m.translationShare).toBeLessThan(1);
        expect(m.translationShare).toBeCloseTo(g("xlate_cycles") / m.cycles, 12);
        for (const t of ["itlb", "dtlb", "l2"]) expect(g(`${t}_hit`) + g(`${t}_miss`)).toBe(g(`${t}_access`));
        // Every L1 miss looks up the L2 TLB, on machines that have one (MIPS goes straight to its refill handler).
        expect(g("l2_access")).toBe(machineData(m.arch).tlb.l2.entries === 0 ? 0 : g("itlb_miss") + g("dtlb_miss"));
        if (m.arch === "bare") {
          expect(g("walks") + g("xlate_cycles") + g("pt_bytes_peak")).toBe(0);
        } else {
          expect(g("walks")).toBeGreaterThan(0);
          expect(m.walkRefsPerWalk).toBeCloseTo(g("walk_refs") / g("walks"), 12);
          expect(m.translationShare).toBeGreaterThan(0);
          expect(g("pt_bytes_peak")).toBeGreaterThan(0);
        }
        const line = out.split("\n").find((l) => l.startsWith(`${m.arch} `))!;
        expect(line).toContain(m.instructions.toLocaleString("en-US"));
        expect(line).toContain(m.cycles.toLocaleString("en-US"));
      }
      const sv39 = doc.machines.find((m) => m.arch === "riscv-sv39")!, sv48 = doc.machines.find((m) => m.arch === "riscv-sv48")!;
      expect(sv48.walkRefsPerWalk).toBeGreaterThan(sv39.walkRefsPerWalk);      // one more level per walk
    });

  it("--show-output prints the guest's output once", () => {
    const r = cli("compare", bin("hello"), "--archs", "riscv-sv39,bare", "--show-output");
    expect(r.status).toBe(0);
    expect(r.out.match(/Hello, world!/g)).toHaveLength(1);
    expect(r.out.indexOf("Hello")).toBeLessThan(r.out.indexOf("machine"));
  });

  it("a difference between machines is an error naming the first differing machine", () => {
    const { status, err, doc } = compareJson(cycleExit, "--archs", "bare,riscv-sv39,riscv-sv48");
    expect(status).toBe(1);
    oneLine(err);
    expect(err).toMatch(/guest output differs on riscv-sv39 from bare \(exit status \d+, not \d+\)/);
    expect(doc.identical).toBe(false);
    expect(doc.firstDifference).toBe("riscv-sv39");
  });

  it("bad configuration: one line and status 2 before any guest runs", () => {
    const cases: [string[], RegExp][] = [
      [["compare", bin("hello"), "--archs", "riscv-sv39,pdp10"], /unknown machine 'pdp10' in --archs \(choose all or some of riscv-sv39, /],
      [["compare", bin("hello"), "--archs", ","], /--archs is empty/],
      [["compare", bin("hello"), "--mem", "3M", "--archs", "riscv-sv39,bare"], /--archs bare needs --mem of at least/],
      [["compare", bin("hello"), "--max-insns", "0"], /--max-insns must be a positive integer/],
      [["compare", "--archs", "all"], /missing the program to run \(usage: mmulab compare/],
      [["compare", bin("hello"), "--bogus"], /unknown option '--bogus'/],
      [["run", "--arch", "pdp11", bin("hello")], /unknown architecture 'pdp11' \(choose riscv-sv39, /],
      [["run", "--tlb", "l2=1536:5", bin("hello")], /tlb l2: 1536 entries are not divisible by 5 ways/],
      [["run", "--tlb", "l1d=96:32", bin("hello")], /tlb l1d: 3 sets .* not a power of two/],
    ];
    for (const [argv, msg] of cases) {
      const r = cli(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.out, argv.join(" ")).toBe("");                               // no guest started
      oneLine(r.err);
      expect(r.err).toMatch(msg);
    }
  });
});

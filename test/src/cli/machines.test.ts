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
// Machine files (--machine): x86-64 with a 4-entry L1 D-TLB, and one that is x86-64 exactly.
const tinyTlb = join(dir, "tiny-tlb.json"), sameAsX86 = join(dir, "same.json");
writeFileSync(tinyTlb, JSON.stringify({ arch: "x86-64", tlb: { l1d: { entries: 4, ways: 4, policy: "lru" } } }));
writeFileSync(sameAsX86, JSON.stringify({ arch: "x86-64" }));
writeFileSync(cycleExit, program((a) => { a.addi(A0, 0, 0).csrr(A0, 0xC00).li(17, 94).ecall(); }));

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await main(argv, io);
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

async function compareJson(...argv: string[]): Promise<{ status: number; out: string; err: string; doc: CompareDoc }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  const r = await cli("compare", "--json", file, ...argv);
  return { ...r, doc: JSON.parse(readFileSync(file, "utf8")) as CompareDoc };
}

describe("mmulab archs", () => {
  it("lists every machine with its TLBs, page sizes, walk levels and sourced costs", async () => {
    const r = await cli("archs");
    expect(r.status).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    for (const a of ARCHS) {
      expect(lines.some((l) => l.startsWith(`${a} `)), a).toBe(true);        // a row of the table
      expect(r.out).toContain(`${a}: `);                                      // its sources
    }
    for (const k of ["walk levels", "page sizes", "L1 I-TLB", "L1 D-TLB", "L2 TLB", ...COST_KEYS]) expect(lines[0]).toContain(k);
  });

  it("--json gives the data files", async () => {
    const r = await cli("archs", "--json");
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.out) as { machines: { arch: string; costs: Record<string, { cycles: number; source: string }> }[] };
    expect(doc.machines.map((m) => m.arch)).toEqual([...ARCHS]);
    for (const m of doc.machines) for (const k of COST_KEYS) expect(m.costs[k]!.source.length).toBeGreaterThan(10);
  });
});

describe("mmulab compare", () => {
  it.each([["hello", []], ["qsort", ["20000"]]] as [string, string[]][])(
    "%s on every machine: identical output, counters that add up", async (name, args) => {
      const { status, out, err, doc } = await compareJson(bin(name), ...args, "--archs", "all");
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

  it("--show-output prints the guest's output once", async () => {
    const r = await cli("compare", bin("hello"), "--archs", "riscv-sv39,bare", "--show-output");
    expect(r.status).toBe(0);
    expect(r.out.match(/Hello, world!/g)).toHaveLength(1);
    expect(r.out.indexOf("Hello")).toBeLessThan(r.out.indexOf("machine"));
  });

  it("a difference between machines is an error naming the first differing machine", async () => {
    const { status, err, doc } = await compareJson(cycleExit, "--archs", "bare,riscv-sv39,riscv-sv48");
    expect(status).toBe(1);
    oneLine(err);
    expect(err).toMatch(/guest output differs on riscv-sv39 from bare \(exit status \d+, not \d+\)/);
    expect(doc.identical).toBe(false);
    expect(doc.firstDifference).toBe("riscv-sv39");
  });

  it("--tlb gives every machine one geometry (a machine file's too, as options override files)", async () => {
    const a = await compareJson(bin("qsort"), "5000", "--archs", "riscv-sv39,x86-64", "--tlb", "l1d=16:4:fifo,l2=64:4:lru",
      "--machine", tinyTlb);
    expect(a.status, a.err).toBe(0);
    expect(a.doc.identical).toBe(true);
    for (const m of a.doc.machines) {
      const tlb = (m as unknown as { config: { tlb: { l1d: object; l2: object } } }).config.tlb;
      expect(tlb.l1d).toMatchObject({ entries: 16, ways: 4, policy: "fifo" });
      expect(tlb.l2).toMatchObject({ entries: 64, ways: 4, policy: "lru" });
    }
  }, 120_000);

  it("--machine adds machines from files, named after them; --jobs 2 gives what --jobs 1 gives", async () => {
    const run = (jobs: string) => compareJson(bin("matmul"), "60", "--archs", "x86-64,riscv-sv39", "--machine", tinyTlb, "--jobs", jobs);
    const a = await run("1");
    expect(a.status, a.err).toBe(0);
    expect(a.doc.machines.map((m) => (m as unknown as { label: string }).label)).toEqual(["x86-64", "riscv-sv39", "x86-64 (tiny-tlb.json)"]);
    expect(a.out).toMatch(/^x86-64 \(tiny-tlb\.json\) +\d/m);
    const tiny = (a.doc.machines[2] as unknown as { config: { tlb: { l1d: { entries: number } } } }).config.tlb;
    expect(tiny.l1d.entries).toBe(4);
    // The 4-entry L1 D-TLB misses more than x86-64's own 64 entries on a 60×60 matrix product.
    expect(a.doc.machines[2]!.counters["dtlb_miss"]).toBeGreaterThan(2 * a.doc.machines[0]!.counters["dtlb_miss"]!);
    const b = await run("2");
    expect(b.status, b.err).toBe(0);
    expect(b.out).toBe(a.out);
    expect(b.doc.machines).toEqual(a.doc.machines);
    // Only machine files: without --archs, just those.
    const c = await compareJson(bin("hello"), "--machine", tinyTlb, "--machine", sameAsX86);
    expect(c.doc.machines.map((m) => (m as unknown as { label: string }).label)).toEqual(["x86-64 (tiny-tlb.json)", "x86-64 (same.json)"]);
  }, 120_000);

  it("bad configuration: one line and status 2 before any guest runs", async () => {
    const cases: [string[], RegExp][] = [
      [["compare", bin("hello"), "--archs", "riscv-sv39,pdp10"], /unknown machine 'pdp10' in --archs \(choose all or some of riscv-sv39, /],
      [["compare", bin("hello"), "--archs", ","], /--archs is empty/],
      [["compare", bin("hello"), "--mem", "3M", "--archs", "riscv-sv39,bare"], /^mmulab: bare needs --mem of at least/],
      [["compare", bin("hello"), "--archs", "riscv-sv39,mips-r4000", "--tlb", "l1d=32:4:lru"], /mips-r4000 TLB is fully associative/],
      [["compare", bin("hello"), "--machine", join(dir, "none.json")], /--machine .*none\.json/],
      [["compare", bin("hello"), "--machine", tinyTlb, "--machine", tinyTlb], /x86-64 \(tiny-tlb\.json\) is compared twice/],
      [["compare", bin("hello"), "--jobs", "0"], /--jobs must be a positive integer/],
      [["compare", bin("hello"), "--tlb", "l1d=32:4:lru", "--tlb", "l2=64:4:lru"], /--tlb given more than once/],
      [["compare", bin("hello"), "--max-insns", "0"], /--max-insns must be a positive integer/],
      [["compare", "--archs", "all"], /missing the program to run \(usage: mmulab compare/],
      [["compare", bin("hello"), "--bogus"], /unknown option '--bogus'/],
      [["run", "--arch", "pdp11", bin("hello")], /unknown architecture 'pdp11' \(choose riscv-sv39, /],
      [["run", "--tlb", "l2=1536:5", bin("hello")], /tlb l2: 1536 entries are not divisible by 5 ways/],
      [["run", "--tlb", "l1d=96:32", bin("hello")], /tlb l1d: 3 sets .* not a power of two/],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.out, argv.join(" ")).toBe("");                               // no guest started
      oneLine(r.err);
      expect(r.err).toMatch(msg);
    }
  });
});

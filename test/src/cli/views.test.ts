// `mmulab run` --trace-walk, --trace-faults, --dump-tlb, --trace-limit, --trace-file: where the lines go, the limit,
// determinism, and every bad value as one line with status 2 before the run.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";

const bin = (name: string): string => fileURLToPath(new URL(`../../../guest/bin/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mmulab-views-"));

function run(guest: string, ...argv: string[]): { status: number; out: string; err: string } {
  const io = new BufferIo();
  const status = main(["run", bin(guest), ...argv], io);
  return { status, out: io.out, err: io.err };
}

function rejected(r: { status: number; err: string; out: string }, pattern: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.out).toBe("");   // checked before the guest ran
}

describe("mmulab run views", () => {
  it("--trace-walk prints every walk on stderr, the guest's output untouched, as many as the walks counter", () => {
    const json = join(dir, "w.json");
    const r = run("hello", "--trace-walk", "--trace-limit", "0", "--json", json);
    const plain = run("hello");
    expect(r.status).toBe(0);
    expect(r.out).toBe(plain.out);
    const walks = r.err.split("\n").filter((l) => l.startsWith("walk "));
    const counters = (JSON.parse(readFileSync(json, "utf8")) as { counters: Record<string, number> }).counters;
    expect(walks.length).toBe(counters["walks"]);
    expect(walks[1]).toMatch(/^walk fetch va 0x[0-9a-f]+ asid 1: L2 \[0x[0-9a-f]+\] 0x[0-9a-f]+ \(V, → 0x[0-9a-f]+\) → L1 .* → L0 .* ⇒ pa 0x[0-9a-f]+ 4K r-xu-a- \(3 refs, \d+ cycles\)$/);
  });

  it("stops the traces after --trace-limit lines (1000 by default), saying so once", () => {
    const dflt = run("stride", "4", "1", "--trace-walk", "--trace-faults").err.split("\n").filter((l) => l !== "");
    expect(dflt).toHaveLength(1001);
    expect(dflt[1000]).toBe("(trace limit of 1000 lines reached: --trace-limit N for more, 0 for all)");
    const five = run("hello", "--trace-faults", "--trace-limit", "5").err.trimEnd().split("\n");
    expect(five).toHaveLength(6);
    expect(five.slice(0, 5).every((l) => /^fault (fetch|load|store) va 0x\w+ pc 0x\w+: /.test(l))).toBe(true);
  });

  it("--trace-file takes the lines instead of stderr; two runs write the same file", () => {
    const a = join(dir, "a.txt"), b = join(dir, "b.txt");
    const ra = run("fork_cow", "--trace-walk", "--trace-faults", "--dump-tlb", "--trace-limit", "0", "--trace-file", a);
    const rb = run("fork_cow", "--trace-walk", "--trace-faults", "--dump-tlb", "--trace-limit", "0", "--trace-file", b);
    expect(ra.status).toBe(0);
    expect(ra.err).not.toMatch(/^walk /m);
    const text = readFileSync(a, "utf8");
    expect(text).toBe(readFileSync(b, "utf8"));
    expect(text).toMatch(/^\[pid \d+\] fault store va 0x\w+ pc 0x\w+: copy-on-write copy$/m);
    expect(text).toMatch(/^TLB contents at exit:\n {2}L1 I-TLB: \d+ sets? × \d+ ways?, \w+, \d+ valid$/m);
  });

  it("--dump-tlb shows each level at exit and at the guest's statistics dump, never cut by the limit", () => {
    const r = run("roi", "--dump-tlb", "--arch", "x86-64");
    expect(r.status).toBe(0);
    const lines = r.err.split("\n");
    const heads = lines.filter((l) => l.startsWith("TLB contents"));
    expect(heads).toEqual(["TLB contents at statistics dump 1:", "TLB contents at exit:"]);
    expect(lines).toContain("  L2 TLB: 128 sets × 12 ways, lru, " + lines.find((l) => l.startsWith("  L2 TLB"))!.split(", ").pop());
    expect(lines.filter((l) => /^ {4}set \d+ way \d+: va 0x\w+ → pa 0x\w+ (4K|2M) asid \d+ [-rwxugad]{7} last use \d+$/.test(l)).length).toBeGreaterThan(20);
    const mips = run("hello", "--dump-tlb", "--arch", "mips-r4000").err;
    expect(mips).toMatch(/set 0 way \d+: va 0x\w+ → pa 0x\w+ 4K asid \d+ [-rwxugad]{7}, odd page pa 0x\w+ [-rwxugad]{7}$/m);
  });

  it("rejects bad values in one line with status 2, before the run", () => {
    rejected(run("hello", "--trace-walk", "--trace-limit", "many"), /--trace-limit must be a number of lines \(0 for no limit\), got 'many'/);
    rejected(run("hello", "--trace-walk", "--trace-limit", "-1"), /--trace-limit must be a number of lines/);
    rejected(run("hello", "--trace-limit", "10"), /--trace-limit needs --trace-walk or --trace-faults/);
    rejected(run("hello", "--trace-file", join(dir, "x")), /--trace-file needs --trace-walk, --trace-faults or --dump-tlb/);
    rejected(run("hello", "--trace-faults", "--trace-file", join(dir, "no", "such", "x")), /--trace-file '.*': no such directory/);
    rejected(run("hello", "--trace-faults", "--trace-file", dir), /--trace-file '.*' is a directory/);
    rejected(run("hello", "--trace-walk", "--trace-limit", "1", "--trace-limit", "2"), /--trace-limit given more than once/);
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
});

describe("the library's views (runGuest)", () => {
  it("hands the same lines to callbacks and the TLB dumps in the result", async () => {
    const { runGuest } = await import("../../../src/index.js");
    const walks: string[] = [], faults: string[] = [];
    const r = runGuest({ path: bin("hello"), arch: "sparc", traceWalk: (l) => walks.push(l), traceFaults: (l) => faults.push(l) });
    expect(r.exitCode).toBe(0);
    expect(walks.filter((l) => l.startsWith("walk ")).length).toBe(r.counters["walks"]);
    expect(walks.some((l) => /TSB \[0x\w+\] tag 0x\w+ hit → TSB TTE/.test(l))).toBe(true);
    expect(faults.length).toBe(r.counters["traps_page_fault"]);
    expect(r.tlbDump).toBeUndefined();
    // roi counts from its reset, so its counters say nothing of the whole run; its dump is what is checked.
    const roi = runGuest({ path: bin("roi"), arch: "sparc", dumpTlb: true });
    expect(roi.tlbDump?.map((d) => d[0])).toEqual(["TLB contents at statistics dump 1:", "TLB contents at exit:"]);
  });
});

// Transparency across machines: every guest of the differential suite (test/diff/qemu.test.ts, where qemu-riscv64
// is the oracle) runs on every machine `mmulab archs` lists and must print exactly what it prints on riscv-sv39,
// with the same exit status and the same number of retired instructions. Only cycles and translation counters
// may differ. New machines are covered by being added to ARCHS. A machine without translation (walk levels 0 in
// its data file: `bare`) has no protection, so the guests that expect a fault from the MMU are not run there; a
// machine whose hardware cannot refuse instruction fetches from readable pages (executeProtection false: MIPS
// before Release 3, the VAX) runs data as code, as Linux on that hardware would, so the guests that probe
// execute protection are not compared there.

import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runGuest, type GuestResult } from "../../../src/index.js";
import { ARCHS } from "../../../src/arch/registry.js";
import { machineData } from "../../../src/machine/costs.js";

const bin = (g: string) => fileURLToPath(new URL(`../../../guest/bin/${g}`, import.meta.url));
const ENV = ["MMULAB_GREETING=hi there", "MMULAB_A=1", "OTHER_VAR=not printed"];
const MEM = "128M";

/** The differential suite's guests, with arguments sized so the whole matrix stays within a minute or two. */
const CASES: [string, string[], ("needs-mmu" | "needs-nx")?][] = [
  ["hello", []],
  ["echo", ["alpha", "two words", "", "ünïcode"]],
  ["echo", ["status", "exit=3"]],
  ["malloc", ["3000"]],
  ["qsort", ["20000"]],
  ["matmul", ["32"]],
  ["stride", ["8", "2"]],
  ["hashtable", ["14"]],
  ["fp", ["1000"]],
  ["integer", ["5000"]],
  ["fptest", []],
  ["divzero", []],
  ["isa_int", []],
  ["isa_muldiv", []],
  ["isa_amo", []],
  ["isa_rvc", []],
  ["isa_csr", []],
  ["badjump", [], "needs-mmu"],
  ["segv", [], "needs-mmu"],
  ["segv", ["read"], "needs-mmu"],
  ["illegal", ["opcode"]],
  ["illegal", ["ebreak"]],
  // Signals: delivery, frames and fault codes must not depend on the translation hardware.
  ["sigsegv", [], "needs-nx"],
  ["dirtypages", [], "needs-mmu"],
  ["sigorder", []],
  ["sigaltstk", [], "needs-mmu"],
  ["sigfault", [], "needs-mmu"],
  ["fetchfault", [], "needs-mmu"],
  // Files, pipes and file mappings (the in-memory file system; the guests work in their own directory).
  ["files", []],
  ["pipes", []],
  ["filemap", [], "needs-mmu"],
  ["fsfuzz", ["1", "600"]],
  ["mapfuzz", ["1", "600"], "needs-mmu"],
  ["memlock", [], "needs-mmu"],
  ["dontneed", [], "needs-mmu"],
  ["residency", ["linux"], "needs-mmu"],
];

const present = CASES.every(([g]) => existsSync(bin(g)));
const reference = new Map<string, GuestResult>();

// Counter snapshot: every counter of every run of this suite, on every machine, as the committed file holds them.
// A change of structure must leave them bit-identical; a change that means to alter the model (a new cost, a
// new counter) rewrites the file with MMULAB_UPDATE_COUNTERS=1 and says so in its commit.
const SNAPSHOT = fileURLToPath(new URL("./transparency.counters.json", import.meta.url));
interface Snapshot { names: string[]; runs: Record<string, (number | null)[]> }
const updating = process.env["MMULAB_UPDATE_COUNTERS"] === "1";
const snapshot: Snapshot | undefined = !updating && existsSync(SNAPSHOT) ? JSON.parse(readFileSync(SNAPSHOT, "utf8")) : undefined;
const observed = new Map<string, Record<string, number>>();

function checkCounters(key: string, got: Record<string, number>): void {
  if (updating) { observed.set(key, got); return; }
  if (!snapshot) return;
  const want = snapshot.runs[key];
  expect(want, `${key}: not in the counter snapshot`).toBeDefined();
  const expected: Record<string, number> = {};
  snapshot.names.forEach((n, i) => { if (want![i] !== null) expected[n] = want![i]!; });
  expect(got, `${key}: counters`).toEqual(expected);
}

afterAll(() => {
  if (!updating || observed.size === 0) return;
  const names = [...new Set([...observed.values()].flatMap((c) => Object.keys(c)))].sort();
  const runs: Record<string, (number | null)[]> = {};
  for (const [k, c] of [...observed].sort(([a], [b]) => (a < b ? -1 : 1))) runs[k] = names.map((n) => c[n] ?? null);
  writeFileSync(SNAPSHOT, JSON.stringify({ names, runs }, null, 0).replace(/\],"/g, '],\n"') + "\n");
});

// The guest's path is part of its initial stack (argv[0], AT_EXECFN), so the runs use a fixed guest path, not the
// checkout's: the counters must not depend on where the repository lies.
const elfs = new Map<string, Uint8Array>();
function run(arch: string, g: string, args: string[]): GuestResult {
  let elf = elfs.get(g);
  if (!elf) { elf = readFileSync(bin(g)); elfs.set(g, elf); }
  const r = runGuest({ path: `/guest/bin/${g}`, elf, args, env: ENV, arch, mem: MEM });
  checkCounters(`${arch} ${g} ${JSON.stringify(args)}`, r.counters);
  return r;
}

function ref(g: string, args: string[]): GuestResult {
  const key = `${g} ${args.join("\0")}`;
  let r = reference.get(key);
  if (!r) { r = run("riscv-sv39", g, args); reference.set(key, r); }
  return r;
}

describe.skipIf(!present)("every guest behaves identically on every machine", () => {
  for (const arch of ARCHS.filter((a) => a !== "riscv-sv39")) {
    it(arch, () => {
      const data = machineData(arch);
      const translates = data.walkLevels.value > 0, nx = translates && (data.executeProtection?.value ?? true);
      for (const [g, args, needs] of CASES) {
        if ((needs === "needs-mmu" && !translates) || (needs === "needs-nx" && !nx)) continue;
        const want = ref(g, args), got = run(arch, g, args);
        const what = `${g} ${args.map((a) => JSON.stringify(a)).join(" ")} on ${arch}`;
        expect(got.stdout, `${what}: stdout`).toBe(want.stdout);
        expect(got.exitCode, `${what}: exit status`).toBe(want.exitCode);
        expect(got.signal, `${what}: signal`).toBe(want.signal);
        // The same instructions, except that a trap between LR and SC drops the reservation (as Linux's trap return
        // does), so a machine whose OS takes extra traps (e.g. dirty-bit tracking by protection traps on sparc)
        // may rerun a 4-instruction LR/SC loop a few times.
        const extra = got.counters["instret"]! - want.counters["instret"]!;
        expect(extra % 4, `${what}: instructions (${extra} extra)`).toBe(0);
        expect(extra, `${what}: instructions`).toBeGreaterThanOrEqual(0);
        expect(extra, `${what}: instructions`).toBeLessThanOrEqual(64);
      }
    });
  }
});

describe.skipIf(!present)("machines without execute protection run data as code", () => {
  const noNx = ARCHS.filter((a) => machineData(a).executeProtection?.value === false);
  it(`${noNx.join(", ")}: a jump into a data page executes it instead of faulting`, () => {
    expect(noNx.length).toBeGreaterThan(0);
    const want = ref("sigsegv", []);
    const before = want.stdout.slice(0, want.stdout.indexOf("execute data"));
    expect(before.length).toBeGreaterThan(0);
    for (const arch of noNx) {
      const got = run(arch, "sigsegv", []);
      // Everything up to the execute probe is identical; then the zeros of the data page decode as an illegal
      // instruction, which the guest does not handle: SIGILL, as on the real hardware.
      expect(got.stdout, arch).toBe(before);
      expect(got.signal, arch).toBe(4);
    }
  });
});

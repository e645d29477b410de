// Frames studies (src/trace/frames.ts, `mmulab trace --frames`): OPT, LRU and FIFO page faults on the classic
// reference strings whose counts are known, the stack property of LRU and OPT against an exhaustive check, and the
// command line.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fifoFaults, frameStudy, lruFaults, optFaults, pageString, PageStringCollector } from "../../src/trace/frames.js";
import { runCli } from "../../src/cli/main.js";
import { BufferIo } from "../src/helpers/machine.js";

// OSTEP ch. 22 (Figures 22.1, 22.2, 22.5): 0,1,2,0,1,3,0,3,1,2,1 with a cache of 3 pages.
const OSTEP = [0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1];
// Belady, Nelson and Shedler 1969: FIFO takes more faults with 4 frames than with 3.
const ANOMALY = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];

/** Reference simulators, written the obvious quadratic way, to check the fast ones against. */
function slow(refs: number[], frames: number, policy: "opt" | "lru" | "fifo"): number {
  const resident: number[] = [];       // fifo: arrival order; lru: least recent first
  let faults = 0;
  refs.forEach((p, i) => {
    const at = resident.indexOf(p);
    if (at >= 0) { if (policy === "lru") { resident.splice(at, 1); resident.push(p); } return; }
    faults++;
    if (resident.length === frames) {
      let victim = 0;
      if (policy === "opt") {
        let far = -1;
        resident.forEach((q, j) => { const n = refs.indexOf(q, i + 1); const d = n < 0 ? Infinity : n; if (d > far) { far = d; victim = j; } });
      }
      resident.splice(victim, 1);
    }
    resident.push(p);
  });
  return faults;
}

describe("frames: page faults of OPT, LRU and FIFO", () => {
  it("OSTEP's example with 3 frames: OPT 5 faults (3 cold), LRU 5, FIFO 7", () => {
    const s = pageString(OSTEP);
    expect(optFaults(s, 3)).toBe(5);
    expect(lruFaults(s, [3])).toEqual([5]);
    expect(fifoFaults(s, 3)).toBe(7);
    expect(s.pages).toBe(4);
  });

  it("Belady's anomaly: FIFO takes 9 faults with 3 frames and 10 with 4; OPT and LRU never get worse", () => {
    const s = pageString(ANOMALY);
    expect(fifoFaults(s, 3)).toBe(9);
    expect(fifoFaults(s, 4)).toBe(10);
    expect(optFaults(s, 3)).toBe(7);
    expect(optFaults(s, 4)).toBe(6);
    expect(lruFaults(s, [3, 4])).toEqual([10, 8]);
  });

  it("agrees with straightforward simulators on random strings, and OPT is the floor", () => {
    let seed = 12345;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let t = 0; t < 40; t++) {
      const pages = 2 + rand(12);
      const refs = Array.from({ length: 30 + rand(200) }, () => rand(pages));
      const s = pageString(refs);
      const frames = [1, 2, 3, 5, 8, 13];
      const lru = lruFaults(s, frames);
      frames.forEach((f, i) => {
        const opt = optFaults(s, f);
        expect(opt).toBe(slow(refs, f, "opt"));
        expect(lru[i]).toBe(slow(refs, f, "lru"));
        expect(fifoFaults(s, f)).toBe(slow(refs, f, "fifo"));
        expect(opt).toBeLessThanOrEqual(Math.min(lru[i]!, fifoFaults(s, f)));
        expect(opt).toBeGreaterThanOrEqual(s.pages);   // every page's first touch
      });
    }
  });

  it("counts pages per task: the same virtual page of two tasks is two pages", () => {
    const c = new PageStringCollector();
    const task = (id: number) => c.record(((id % 2 ** 20) * 4096 + 3) >>> 0, Math.floor(id / 2 ** 20));
    task(1); c.record(0x5000, 0); c.record(0x5008, 0);
    task(2); c.record(0x5000, 0);
    expect(c.string.pages).toBe(2);
    expect(c.string.ids.length).toBe(3);
    expect(frameStudy(c.string, [1], ["opt"]).rows[0]!.faults.opt).toBe(2);
  });

  it("refuses a frame count that is not a positive integer", () => {
    expect(() => optFaults(pageString(OSTEP), 0)).toThrow(RangeError);
    expect(() => lruFaults(pageString(OSTEP), [2.5])).toThrow(RangeError);
  });
});

describe("mmulab trace --frames", () => {
  const dir = mkdtempSync(join(tmpdir(), "mmulab-frames-"));
  const lackey = (refs: number[]) => "==1== Lackey\n" + refs.map((p) => ` L ${(0x10000 + p * 4096 + 8).toString(16)},8`).join("\n") + "\n";
  writeFileSync(join(dir, "anomaly.lackey"), lackey(ANOMALY));
  async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
    const io = new BufferIo();
    const status = await runCli(["trace", ...argv], io);
    return { status, out: io.out, err: io.err };
  }

  it("prints the faults of every policy for every number of frames, and writes them as JSON", async () => {
    const json = join(dir, "f.json");
    const r = await cli(join(dir, "anomaly.lackey"), "--frames", "3,4", "--json", json);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/references +12\n/);
    expect(r.out).toMatch(/frames +opt +lru +fifo\n3 +7 +10 +9\n4 +6 +8 +10\n/);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.rows).toEqual([{ frames: 3, faults: { opt: 7, lru: 10, fifo: 9 } }, { frames: 4, faults: { opt: 6, lru: 8, fifo: 10 } }]);
    const fifo = await cli(join(dir, "anomaly.lackey"), "--frames", "3", "--policy", "fifo");
    expect(fifo.out).toMatch(/frames +fifo\n3 +9\n/);
  });

  it("bad input: one line and status 2", async () => {
    for (const argv of [["--frames", "0"], ["--frames", "3,x"], ["--frames", "3", "--policy", "clock"],
      ["--frames", "3", "--entries", "8"], ["--frames", "3", "--arch", "x86-64"]]) {
      const r = await cli(join(dir, "anomaly.lackey"), ...argv);
      expect(r.status, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(/^mmulab: [^\n]*\n$/);
    }
  });
});

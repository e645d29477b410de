// The progress line (cli/progress.ts): drawn at most once a second and not before the first second, instructions,
// MIPS and the time --max-insns leaves, wiped before the guest's own output and at the end; and from the command line.

import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ProgressLine, withProgress } from "../../../src/cli/progress.js";
import { main } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";

const WIPE = "\r\x1b[K";

describe("the progress line", () => {
  it("waits a second, then redraws at most once a second with instructions, MIPS and the time left", () => {
    let t = 0;
    const out: string[] = [];
    const p = new ProgressLine((s) => out.push(s), 1_000_000_000n, () => t);
    t = 500; p.tick(50_000_000n);
    expect(out).toEqual([]);                                   // a short run never shows it
    t = 1000; p.tick(100_000_000n);
    expect(out).toEqual([`${WIPE}mmulab: 100,000,000 instructions, 100.0 MIPS, 1 s, at most 9 s left (--max-insns)`]);
    t = 1500; p.tick(150_000_000n);
    expect(out).toHaveLength(1);                               // not twice within a second
    t = 2000; p.tick(300_000_000n);
    expect(out[1]).toBe(`${WIPE}mmulab: 300,000,000 instructions, 150.0 MIPS, 2 s, at most 5 s left (--max-insns)`);
    p.clear();
    expect(out[2]).toBe(WIPE);
    p.clear();
    expect(out).toHaveLength(3);                               // nothing to wipe twice
  });

  it("without --max-insns there is no time left; the guest's writes wipe the line first", () => {
    let t = 0;
    const err: string[] = [];
    const p = new ProgressLine((s) => err.push(s), undefined, () => t);
    const io = new BufferIo();
    const wrapped = withProgress(io, p);
    t = 1200; p.tick(7n);
    expect(err[0]).toMatch(/^\r\x1b\[Kmmulab: 7 instructions, 0\.0 MIPS, 1 s$/);
    wrapped.write(1, new TextEncoder().encode("hello\n"));
    expect(err[1]).toBe(WIPE);
    expect(io.out).toBe("hello\n");
  });

  it("mmulab run --progress on a long run draws it on stderr and wipes it before the closing line", async () => {
    const io = new BufferIo();
    const status = await main(["run", join(import.meta.dirname, "../../../guest/bin/spin"), "--max-insns", "600000000", "--progress"], io);
    expect(status).toBe(124);
    expect(io.err).toMatch(/\r\x1b\[Kmmulab: [\d,]+ instructions, [\d.]+ MIPS, \d+ s/);
    expect(io.err.endsWith(`${WIPE}mmulab: instruction limit reached (--max-insns 600000000)\n`)).toBe(true);
    // Not asked for, and stderr not a terminal: no line.
    const quiet = new BufferIo();
    await main(["run", join(import.meta.dirname, "../../../guest/bin/hello")], quiet);
    expect(quiet.err).toBe("");
  }, 120_000);
});

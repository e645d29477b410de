// `mmulab trace`: output, --opt, --json, --write, and bad input (one line, non-zero status, no stack trace).

import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli/main.js";
import { BufferIo } from "../src/helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-trace-cli-"));
const LACKEY = "==1== Lackey\n" + Array.from({ length: 200 }, (_, i) => ` L ${(0x10000 + (i % 70) * 4096).toString(16)},8\nI  00400000,4\n`).join("");
writeFileSync(join(dir, "t.lackey"), LACKEY);
writeFileSync(join(dir, "bad.lackey"), LACKEY + " L 1000,8\n Q 1000,8\n");

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await runCli(["trace", ...argv], io);
  return { status, out: io.out, err: io.err };
}

function oneLine(err: string): void {
  expect(err).toMatch(/^mmulab: [^\n]*\n$/);
  expect(err).not.toMatch(/\s+at .*\(.*:\d+:\d+\)/);
}

describe("mmulab trace", () => {
  it("replays a lackey file and reports accesses, misses, miss rate and MIN", async () => {
    const r = await cli(join(dir, "t.lackey"), "--entries", "64", "--ways", "64", "--opt");
    expect(r.status).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/accesses +400\n/);
    expect(r.out).toMatch(/misses +201\n/);   // 70 data pages loop through 63 free entries: all miss; code misses once
    expect(r.out).toMatch(/miss rate +50\.2500%/);
    expect(r.out).toMatch(/MIN misses +\d+/);
    const noI = await cli(join(dir, "t.lackey"), "--entries", "64", "--ways", "64", "--no-ifetch");
    expect(noI.out).toMatch(/accesses +200\n/);
  });

  it("--gen, --json and --write; the written binary trace replays identically", async () => {
    const json = join(dir, "r.json"), bin = join(dir, "r.bin");
    const r = await cli("--gen", "zipf:2000:1.0:4", "--refs", "50K", "--entries", "1536", "--ways", "12", "--opt", "--json", json, "--write", bin);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc).toMatchObject({ entries: 1536, ways: 12, sets: 128, policy: "lru", pageSize: 4096, accesses: 50000 });
    expect(doc.opt.misses).toBeLessThanOrEqual(doc.misses);
    const again = await cli(bin, "--entries", "1536", "--ways", "12", "--opt", "--json", join(dir, "r2.json"));
    expect(again.status).toBe(0);
    const doc2 = JSON.parse(readFileSync(join(dir, "r2.json"), "utf8"));
    expect([doc2.accesses, doc2.misses, doc2.opt.misses]).toEqual([doc.accesses, doc.misses, doc.opt.misses]);
  });

  it("bigger pages merge references: 8 KiB pages halve a sequential stream's misses", async () => {
    const small = await cli("--gen", "seq", "--refs", "1000", "--page-size", "4K", "--json", join(dir, "s.json"));
    expect(small.out).toMatch(/misses +1,000\n/);
    writeFileSync(join(dir, "seq.lackey"), Array.from({ length: 1000 }, (_, i) => ` S ${(i * 4096).toString(16)},8`).join("\n"));
    expect((await cli(join(dir, "seq.lackey"), "--page-size", "8K")).out).toMatch(/misses +500\n/);
  });

  it("--opt refuses traces above its limit, politely", async () => {
    const r = await cli("--gen", "seq", "--refs", "200K", "--opt", "--opt-limit", "100000");
    expect(r.status).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/--opt holds the whole trace in memory .*sample/);
  });

  it("--ways full is one set, as in sweep", async () => {
    const r = await cli("--gen", "loop:20", "--refs", "1000", "--entries", "16", "--ways", "full");
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/16 entries, 16-way \(1 sets\)/);
  });

  it("bad input: malformed line (1), truncated binary (1), impossible geometry and usage (2)", async () => {
    const bin = join(dir, "ok.bin");
    await cli("--gen", "loop:10", "--refs", "100", "--write", bin);
    writeFileSync(join(dir, "cut.bin"), readFileSync(bin).subarray(0, 32 + 8 * 50 + 5));
    const cases: [string[], number, RegExp][] = [
      [[join(dir, "bad.lackey")], 1, /bad\.lackey: line 403: malformed lackey line ' Q 1000,8'/],
      [[join(dir, "cut.bin")], 1, /truncated binary trace/],
      [[join(dir, "nope")], 1, /cannot read '.*nope': no such file/],
      [["--gen", "loop:9", "--entries", "48", "--ways", "5"], 2, /48 entries are not divisible by 5 ways/],
      [["--gen", "loop:9", "--entries", "48", "--ways", "4"], 2, /12 sets \(48 entries \/ 4 ways\) is not a power of two/],
      [["--gen", "loop:9", "--page-size", "3000"], 2, /page size 3000 is not a power of two/],
      [["--gen", "loop:9", "--entries", "8192", "--ways", "8"], 2, /exceed the model's maximum/],
      [["--gen", "loop:9", "--policy", "belady"], 2, /unknown policy 'belady'/],
      [["--gen", "nope:3"], 2, /unknown generator 'nope'/],
      [[], 2, /give either a trace file/],
      [[join(dir, "t.lackey"), "--bogus"], 2, /Unknown argument/],
      [[join(import.meta.dirname, "../../guest/bin/hello")], 1, /hello is an ELF executable, not a trace: run it with 'mmulab run'/],
      [["--gen", "loop:9", "--ways", "two"], 2, /--ways: 'two' is not a positive integer or 'full'/],
    ];
    for (const [argv, status, msg] of cases) {
      const r = await cli(...argv);
      expect(r.status, argv.join(" ")).toBe(status);
      oneLine(r.err);
      expect(r.err).toMatch(msg);
    }
    const lenient = await cli(join(dir, "bad.lackey"), "--lenient");
    expect(lenient.status).toBe(0);
    expect(lenient.out).toMatch(/accesses +401 \(1 malformed lines skipped\)/);
  });

  it("record -o NAME.gz writes gzip that replays like the plain trace; a trace without a count is noted as such", async () => {
    const hello = join(import.meta.dirname, "../../guest/bin/hello");
    const plain = join(dir, "h.bin"), gz = join(dir, "h.bin.gz");
    for (const o of [plain, gz]) expect(await runCli(["record", hello, "-o", o], new BufferIo())).toBe(0);
    const z = readFileSync(gz);
    expect([z[0], z[1]]).toEqual([0x1f, 0x8b]);
    expect(existsSync(`${gz}.part`)).toBe(false);
    expect(z.length).toBeLessThan(readFileSync(plain).length / 4);
    const a = await cli(plain), b = await cli(gz);
    expect(b.out.replace(gz, plain)).toBe(a.out);
    expect(a.err).toBe("");
    // A recording that never finished leaves the count unknown (all ones): every record is read, and it is said.
    const raw = readFileSync(plain);
    raw.fill(0xFF, 16, 24);
    const cut = join(dir, "cut.bin");
    writeFileSync(cut, raw.subarray(0, 32 + 8 * 1000));
    const c = await cli(cut);
    expect(c.status).toBe(0);
    expect(c.out).toMatch(/accesses +9\d\d\n/);   // the references among the 1,000 records (the rest are control records)
    expect(c.err).toMatch(/^mmulab: note: .*cut\.bin has no record count \(written to a stream, or its recording never finished\): its 1,000 records may be a prefix\n$/);
    const xz = await runCli(["record", hello, "-o", join(dir, "h.xz")], new BufferIo());
    expect(xz).toBe(1);
  });
});

// The researchers' formats (ChampSim, DynamoRIO drmemtrace) and zstd/xz compression: hand-built files give exactly
// the references of their lackey equivalent (and so the same misses through the same study), every compressed
// variant the same as the plain one, bad input one line.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { decompress as unzstd } from "fzstd";
import { runCli } from "../../src/cli/main.js";
import { KIND_IFETCH, KIND_LOAD, KIND_LETTERS, KIND_STORE } from "../../src/trace/batch.js";
import { champsimRecord } from "../../src/trace/champsim.js";
import { readTrace, runStudy, type TraceFormat } from "../../src/trace/study.js";
import { zstdFrame } from "../../src/trace/zstd.js";
import { BufferIo } from "../src/helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-formats-"));
const at = (name: string): string => join(dir, name);

type Ref = [kind: number, addr: bigint];

/** References as text, one per line, as a reader delivers them (low two address bits dropped). */
async function refsOf(path: string, format: TraceFormat, o = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const b of readTrace(path, format, o)) {
    for (let i = 0; i < b.count; i++) {
      const lo = b.words[2 * i]!, hi = b.words[2 * i + 1]!;
      out.push(`${KIND_LETTERS[lo & 3]} ${((BigInt(hi) << 32n) | BigInt((lo & ~3) >>> 0)).toString(16)}`);
    }
  }
  return out;
}
const expected = (refs: readonly Ref[]): string[] => refs.map(([k, a]) => `${KIND_LETTERS[k]} ${(a & ~3n).toString(16)}`);
const lackeyOf = (refs: readonly Ref[]): string =>
  refs.map(([k, a]) => (k === KIND_IFETCH ? `I  ${a.toString(16)},4` : ` ${k === KIND_STORE ? "S" : "L"} ${a.toString(16)},8`)).join("\n") + "\n";

/** A small program's worth of instructions: a loop over code pages touching data pages, some with 4 loads and 2 stores. */
function program(n: number): { ip: bigint; loads: bigint[]; stores: bigint[] }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const ip = 0x400000n + BigInt((i * 52) % 40000);
    const d = (k: number) => 0x3f00000000n + BigInt(((i * 7 + k * 13) % 90) * 4096 + ((i * 8) % 4096));
    const loads = i % 3 === 0 ? [d(0)] : i % 11 === 0 ? [d(1), d(2), d(3), d(4)] : [];
    const stores = i % 5 === 0 ? [d(5)] : i % 22 === 0 ? [d(6), d(7)] : [];
    out.push({ ip, loads, stores });
  }
  return out;
}

function champsimOf(prog: readonly { ip: bigint; loads: bigint[]; stores: bigint[] }[]): { bytes: Uint8Array; refs: Ref[] } {
  const refs: Ref[] = [];
  const bytes = new Uint8Array(64 * prog.length);
  prog.forEach((p, i) => {
    bytes.set(champsimRecord(p.ip, p.loads, p.stores, i % 9 === 0 ? 1 : 0, i % 18 === 0 ? 1 : 0), 64 * i);
    refs.push([KIND_IFETCH, p.ip], ...p.loads.map((a): Ref => [KIND_LOAD, a]), ...p.stores.map((a): Ref => [KIND_STORE, a]));
  });
  return { bytes, refs };
}

/** drmemtrace entries (type, size, addr) as bytes. */
function entries(list: readonly [number, number, bigint][]): Uint8Array {
  const b = new Uint8Array(12 * list.length);
  const dv = new DataView(b.buffer);
  list.forEach(([t, s, a], i) => { dv.setUint16(12 * i, t, true); dv.setUint16(12 * i + 2, s, true); dv.setBigUint64(12 * i + 4, a, true); });
  return b;
}

/**
 * One thread's drmemtrace file as raw2trace writes it: header, thread, pid, version, file type and timestamp markers,
 * then per instruction its fetch and its reads and writes, with entries that are no references (a prefetch, a flush,
 * an encoding, a no-fetch instruction, markers) and an instruction bundle; a footer.
 */
function drmemtraceOf(prog: ReturnType<typeof program>, tid: number, version = 7): { bytes: Uint8Array; refs: Ref[] } {
  const e: [number, number, bigint][] = [[25, 0, BigInt(version)], [22, 4, BigInt(tid)], [24, 4, 77n], [28, 12, BigInt(version)], [28, 9, 0x40n],
    [28, 10, 64n], [28, 2, 13_000_000_000n + BigInt(tid)], [28, 3, 1n]];
  const refs: Ref[] = [];
  prog.forEach((p, i) => {
    if (i % 10 === 4) e.push([47, 4, 0x90909090n]);                 // an encoding
    e.push([i % 7 === 0 ? 14 : 10, 4, p.ip]);
    refs.push([KIND_IFETCH, p.ip]);
    for (const a of p.loads) { e.push([0, 8, a]); refs.push([KIND_LOAD, a]); }
    for (const a of p.stores) { e.push([1, 8, a]); refs.push([KIND_STORE, a]); }
    if (i % 13 === 0) e.push([3, 64, p.ip + 0x100000n]);                // a prefetch: no reference
    if (i % 17 === 0) e.push([20, 64, p.ip + 0x200000n]);               // a data flush: none
    if (i % 19 === 0) e.push([29, 2, p.ip + 0x300000n]);                // an instruction not fetched
    if (i % 23 === 0) {                                                  // a bundle: 3 instructions after this one
      e.push([17, 3, 0x030201n]);
      refs.push([KIND_IFETCH, p.ip + 4n], [KIND_IFETCH, p.ip + 5n], [KIND_IFETCH, p.ip + 7n]);
    }
    if (i % 100 === 99) e.push([28, 2, 13_000_000_100n + BigInt(i)]);
  });
  e.push([23, 4, BigInt(tid)], [26, 0, 0n]);
  return { bytes: entries(e), refs };
}

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await runCli(["trace", ...argv], io);
  return { status, out: io.out, err: io.err };
}

const PROG = program(3000);

describe("ChampSim traces", () => {
  const { bytes, refs } = champsimOf(PROG);
  writeFileSync(at("t.champsim"), bytes);
  writeFileSync(at("t.lackey"), lackeyOf(refs));

  it("give an instruction fetch, its loads and its stores per record, as the lackey equivalent", async () => {
    const got = await refsOf(at("t.champsim"), "champsim", { batchRecords: 100 });
    expect(got).toEqual(expected(refs));
    expect(got).toEqual(await refsOf(at("t.lackey"), "lackey"));
    const study = { geometry: { entries: 32, ways: 4, policy: "lru", seed: 0n }, pageSize: 4096, opt: true };
    const a = await runStudy(readTrace(at("t.champsim"), "champsim"), study);
    const b = await runStudy(readTrace(at("t.lackey"), "lackey"), study);
    expect(a).toEqual(b);
    expect(a.misses).toBeGreaterThan(100);
  });

  it("are read compressed: gzip, zstd (several frames), xz", async () => {
    const half = bytes.length / 2 + 7;
    writeFileSync(at("t.champsim.gz"), gzipSync(bytes));
    writeFileSync(at("t.champsim.zst"), Buffer.concat([zstdFrame(bytes.subarray(0, half)), zstdFrame(bytes.subarray(half))]));
    const want = expected(refs);
    for (const f of ["t.champsim.gz", "t.champsim.zst"]) expect(await refsOf(at(f), "champsim")).toEqual(want);
    // An xz file made by xz 5 (`xz -k`) from champsimOf(program(200)): committed, as no xz writer is a dependency.
    const small = champsimOf(program(200));
    expect(await refsOf(join(import.meta.dirname, "data/program200.champsim.xz"), "champsim")).toEqual(expected(small.refs));
    const plain = await cli(at("t.champsim"), "--format", "champsim");
    const zst = await cli(at("t.champsim.zst"), "--format", "champsim");
    expect(plain.status).toBe(0);
    expect(zst.out.replace("t.champsim.zst", "t.champsim")).toBe(plain.out);
  });

  it("replay through a whole machine as their lackey equivalent does", async () => {
    const a = await cli(at("t.champsim"), "--format", "champsim", "--arch", "riscv-sv39");
    const b = await cli(at("t.lackey"), "--arch", "riscv-sv39");
    expect(a.status).toBe(0);
    expect(a.out.replace("t.champsim", "t.lackey")).toBe(b.out);
  });

  it("are not recognised by auto (no signature): one line asking for --format champsim", async () => {
    const r = await cli(at("t.champsim"));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^mmulab: .*t\.champsim: trace format not recognised .*give --format champsim\)\n$/);
    // Text is lackey even with UTF-8 in valgrind's banner (it quotes the command line).
    writeFileSync(at("utf8.lackey"), "==7== Command: ./pr\u00f6g \u2192 out\n" + lackeyOf(champsimOf(PROG.slice(0, 50)).refs));
    expect(await refsOf(at("utf8.lackey"), "auto")).toEqual(expected(champsimOf(PROG.slice(0, 50)).refs));
  });

  it("bad input is one line with its record number; --lenient skips and counts", async () => {
    writeFileSync(at("cut.champsim"), bytes.subarray(0, 64 * 10 + 30));
    const bad = Buffer.from(bytes.subarray(0, 64 * 20));
    bad[64 * 12 + 8] = 7;
    writeFileSync(at("bad.champsim"), bad);
    const cut = await cli(at("cut.champsim"), "--format", "champsim");
    expect(cut.status).toBe(1);
    expect(cut.err).toMatch(/^mmulab: .*cut\.champsim: record 10: truncated \(the trace ends 30 bytes into a 64-byte record\)\n$/);
    const garbage = await cli(at("bad.champsim"), "--format", "champsim");
    expect(garbage.status).toBe(1);
    expect(garbage.err).toMatch(/^mmulab: .*bad\.champsim: record 12: is_branch 7 and branch_taken 0 are not 0 or 1 \(not a ChampSim trace\?\)\n$/);
    const lenient = await cli(at("bad.champsim"), "--format", "champsim", "--lenient");
    expect(lenient.status).toBe(0);
    expect(lenient.out).toMatch(/accesses +\d[\d,]* \(1 malformed records skipped\)\n/);
  });
});

describe("drmemtrace traces", () => {
  const t1 = drmemtraceOf(PROG.slice(0, 2000), 101), t2 = drmemtraceOf(PROG.slice(2000), 102);
  writeFileSync(at("t1.trace"), t1.bytes);
  writeFileSync(at("t1.lackey"), lackeyOf(t1.refs));

  it("give fetches, bundles' fetches, reads and writes, and skip the rest, as the lackey equivalent", async () => {
    const got = await refsOf(at("t1.trace"), "auto", { batchRecords: 64 });
    expect(got).toEqual(expected(t1.refs));
    expect(got).toEqual(await refsOf(at("t1.lackey"), "lackey"));
    const study = { geometry: { entries: 64, ways: 8, policy: "lru", seed: 0n }, pageSize: 4096 };
    expect(await runStudy(readTrace(at("t1.trace"), "drmemtrace"), study)).toEqual(await runStudy(readTrace(at("t1.lackey"), "lackey"), study));
  });

  it("are read gzipped, zstd-compressed, zipped in chunks, and as a directory of threads in file order", async () => {
    writeFileSync(at("t1.trace.gz"), gzipSync(t1.bytes));
    writeFileSync(at("t1.trace.zst"), zstdFrame(t1.bytes));
    const cut = 12 * 900 + 5;                    // chunk files need not end on an entry
    writeFileSync(at("t1.trace.zip"), zipSync({ "chunk.0000": t1.bytes.subarray(0, cut), "chunk.0001": t1.bytes.subarray(cut) }));
    for (const f of ["t1.trace.gz", "t1.trace.zst", "t1.trace.zip"]) expect(await refsOf(at(f), "auto")).toEqual(expected(t1.refs));
    const d = at("drmemtrace.app.77.dir"), trace = join(d, "trace");
    mkdirSync(trace, { recursive: true });
    writeFileSync(join(trace, "drmemtrace.app.77.101.0000.trace.zip"), zipSync({ "chunk.0000": t1.bytes }));
    writeFileSync(join(trace, "drmemtrace.app.77.102.0000.trace.zst"), zstdFrame(t2.bytes));
    writeFileSync(join(d, "modules.log"), "not a trace\n");
    const both = expected([...t1.refs, ...t2.refs]);
    expect(await refsOf(d, "auto")).toEqual(both);
    expect(await refsOf(trace, "drmemtrace")).toEqual(both);
    writeFileSync(at("both.lackey"), lackeyOf([...t1.refs, ...t2.refs]));
    const a = await cli(d, "--entries", "16"), b = await cli(at("both.lackey"), "--entries", "16");
    expect(a.status).toBe(0);
    expect(a.out.replace(d, "X")).toBe(b.out.replace(at("both.lackey"), "X"));
  });

  it("a wrong version, a garbage or truncated file is one line; --lenient skips unknown entry types", async () => {
    writeFileSync(at("v9.trace"), drmemtraceOf(PROG.slice(0, 10), 1, 9).bytes);
    const v = await cli(at("v9.trace"), "--format", "drmemtrace");
    expect(v.status).toBe(1);
    expect(v.err).toMatch(/^mmulab: .*v9\.trace: record 0: drmemtrace version 9 is not supported \(versions 2 to 7 are read\)\n$/);
    writeFileSync(at("garbage.trace"), Buffer.from("\x07\x00\x00\x00 this is no drmemtrace trace at all..."));
    const g = await cli(at("garbage.trace"), "--format", "drmemtrace");
    expect(g.err).toMatch(/^mmulab: .*garbage\.trace: record 0: not a drmemtrace trace \(its first entry has type 7, not the header's 25\)\n$/);
    writeFileSync(at("cut.trace"), t1.bytes.subarray(0, 12 * 50 + 4));
    const c = await cli(at("cut.trace"));
    expect(c.status).toBe(1);
    expect(c.err).toMatch(/^mmulab: .*cut\.trace: record 50: truncated \(the trace ends 4 bytes into a 12-byte entry\)\n$/);
    const odd = Buffer.from(t1.bytes);
    odd.writeUInt16LE(300, 12 * 40);
    writeFileSync(at("odd.trace"), odd);
    const o = await cli(at("odd.trace"));
    expect(o.err).toMatch(/^mmulab: .*odd\.trace: record 40: unknown entry type 300\n$/);
    const l = await cli(at("odd.trace"), "--lenient");
    expect(l.status).toBe(0);
    expect(l.out).toMatch(/accesses +\d[\d,]* \(1 malformed records skipped\)\n/);
    writeFileSync(at("empty.trace"), "");
    expect((await cli(at("empty.trace"), "--format", "drmemtrace")).err).toMatch(/empty\.trace: empty drmemtrace file \(no header entry\)\n$/);
    const notDir = await cli(dir, "--format", "lackey");
    expect(notDir.err).toMatch(/is a directory\n$/);
  });
});

describe("zstd", () => {
  it("record -o NAME.zst and .zstd write zstd frames whose content is the plain record; a bad frame is one line", async () => {
    const hello = join(import.meta.dirname, "../../guest/bin/hello");
    const plain = at("h.bin"), zst = at("h.bin.zst"), zstd = at("h.bin.zstd");
    for (const o of [plain, zst, zstd]) expect(await runCli(["record", hello, "-o", o], new BufferIo())).toBe(0);
    for (const z of [zst, zstd]) {
      const b = readFileSync(z);
      expect([...b.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
      expect(existsSync(`${z}.part`)).toBe(false);
      expect(Buffer.from(unzstd(b)).equals(readFileSync(plain))).toBe(true);
    }
    const a = await cli(plain), b = await cli(zst);
    expect(b.out.replace(zst, plain)).toBe(a.out);
    const m = await cli(zst, "--arch", "mips-r3000"), n = await cli(plain, "--arch", "mips-r3000");
    expect(m.out.replace(zst, plain)).toBe(n.out);
    const broken = Buffer.from(readFileSync(zst));
    broken.fill(0x55, 20, 60);
    writeFileSync(at("broken.zst"), broken);
    const r = await cli(at("broken.zst"));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^mmulab: .*broken\.zst: (bad zstd data|truncated|not an mmulab)[^\n]*\n$/);
  });
});

describe("a recorded run written as a ChampSim trace", () => {
  it("reads back as the references it was made from, with the lackey equivalent's misses on one TLB and a machine", async () => {
    // ChampSim's tracer and DynamoRIO are not installable here (Pin and DynamoRIO are not in the registries this
    // project reaches): the real trace is mmulab's own recording of a guest, converted to ChampSim's records.
    const hello = join(import.meta.dirname, "../../guest/bin/hello");
    expect(await runCli(["record", hello, "-o", at("rec.bin")], new BufferIo())).toBe(0);
    const recs: Ref[] = [];
    for await (const b of readTrace(at("rec.bin"), "bin")) {
      for (let i = 0; i < b.count; i++) {
        const lo = b.words[2 * i]!, hi = b.words[2 * i + 1]!;
        if ((lo & 3) !== 3) recs.push([lo & 3, (BigInt(hi) << 32n) | BigInt((lo & ~15) >>> 0)]);   // sizes flag: bits 3..2 are the size
      }
    }
    expect(recs.length).toBeGreaterThan(10000);
    // One record per fetch; a data reference joins the instruction before it (a fifth load, a third store or one
    // before any fetch starts another record at the same ip, whose fetch the expected references then include).
    const records: { ip: bigint; loads: bigint[]; stores: bigint[] }[] = [];
    for (const [k, a] of recs) {
      const cur = records[records.length - 1];
      if (k === KIND_IFETCH) records.push({ ip: a, loads: [], stores: [] });
      else if (!cur || (k === KIND_LOAD ? cur.loads.length === 4 : cur.stores.length === 2)) {
        records.push({ ip: cur?.ip ?? 0x1000n, loads: k === KIND_LOAD ? [a] : [], stores: k === KIND_STORE ? [a] : [] });
      } else (k === KIND_LOAD ? cur.loads : cur.stores).push(a);
    }
    const { bytes, refs } = champsimOf(records);
    writeFileSync(at("rec.champsim.gz"), gzipSync(bytes));
    writeFileSync(at("rec.lackey"), lackeyOf(refs));
    expect(await refsOf(at("rec.champsim.gz"), "champsim")).toEqual(expected(refs));
    const study = { geometry: { entries: 16, ways: 4, policy: "lru", seed: 0n }, pageSize: 4096 };
    const a = await runStudy(readTrace(at("rec.champsim.gz"), "champsim"), study);
    expect(a).toEqual(await runStudy(readTrace(at("rec.lackey"), "lackey"), study));
    expect(a.accesses).toBe(refs.length);
    const m = await cli(at("rec.champsim.gz"), "--format", "champsim", "--arch", "riscv-sv39");
    const n = await cli(at("rec.lackey"), "--arch", "riscv-sv39");
    expect(m.status).toBe(0);
    expect(m.out.replace("rec.champsim.gz", "rec.lackey")).toBe(n.out);
  });
});

const bin = join(import.meta.dirname, "../../bin/mmulab.js");
describe.skipIf(!existsSync(join(import.meta.dirname, "../../dist/cli/main.js")))("standard input (built CLI)", () => {
  it("takes zstd- and xz-compressed traces on '-' as from a file", () => {
    const { bytes } = champsimOf(PROG.slice(0, 500));
    writeFileSync(at("s.champsim"), bytes);
    const want = spawnSync(process.execPath, [bin, "trace", at("s.champsim"), "--format", "champsim"], { encoding: "utf8" });
    expect(want.status).toBe(0);
    const inputs = [Buffer.from(zstdFrame(bytes)), readFileSync(join(import.meta.dirname, "data/program200.champsim.xz"))];
    const zst = spawnSync(process.execPath, [bin, "trace", "-", "--format", "champsim"], { encoding: "utf8", input: inputs[0] });
    expect(zst.stderr).toBe("");
    expect(zst.stdout.replace("<stdin>", at("s.champsim"))).toBe(want.stdout);
    const xz = spawnSync(process.execPath, [bin, "trace", "-", "--format", "champsim"], { encoding: "utf8", input: inputs[1] });
    expect(xz.status).toBe(0);
    expect(xz.stdout).toContain(`accesses    ${champsimOf(program(200)).refs.length.toLocaleString("en-US")}\n`);
  });
});

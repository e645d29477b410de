// `mmulab record` and machine-level replay: a trace recorded from a guest and replayed through the same machine
// gives the live run's counters — every one but those the replay cannot have (NOT_REPLAYED) — on every machine with
// a TLB; recording changes neither the guest's output nor the model.

import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGuest, machineConfig } from "../../src/index.js";
import { ARCHS } from "../../src/arch/registry.js";
import { TraceRecorder } from "../../src/trace/record.js";
import { MachineReplayer, replayFileOnMachine } from "../../src/trace/machine.js";
import {
  CTL_END, CTL_FAULT, CTL_GRANT, CTL_REMOVE, CTL_TASK, CTL_TRAP, FLAG_IFETCH, FLAG_SIZES, HEADER_SIZE, type FaultRecord,
  decodeControl, decodeFault, decodeHeader,
} from "../../src/trace/binary.js";
import { runCli } from "../../src/cli/main.js";
import { BufferIo } from "../src/helpers/machine.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-record-"));
const GUEST = (g: string) => join(import.meta.dirname, "../../guest/bin", g);
const TLB_KEYS = ["itlb_access", "itlb_miss", "dtlb_access", "dtlb_miss", "l2_access", "l2_miss", "walks", "walk_refs",
  "walk_faults", "ad_updates", "flushes", "flush_entries", "xlate_cycles", "psc_pde_hit", "psc_pde_miss"];

/**
 * The counters a replay cannot reproduce, and why; every other counter of `mmulab run` — each machine's TLB,
 * walker, refill-handler (mips_*, TSB, HTAB/SLB, hash refill, cpt_*, vax_*, gpt_*), PSC and flush counters,
 * translation and extra cycles, traps and their cycles, page faults and pmap operations — must be the live run's.
 */
const NOT_REPLAYED: Record<string, string> = {
  instret: "no instruction runs in a replay",
  cycles: "instret + xcycles: xcycles is exact, instret is not there",
  fetch_slow: "host speed-cache tuning counters, not the model's: recording keeps the host caches off",
  data_slow: "likewise",
  syscalls: "a system call's trap is replayed (its cost, traps_ecall) but no call is made",
  page_faults_kernel: "the live kernel's own faults (copyout) are replayed as mappings (control records), not faults",
  zero_fills: "the replay's memory is anonymous: every page is zero-filled, file pages included",
  pager_fills: "likewise (no file is read)",
  user_frames: "frames the live kernel freed (munmap) stay in the replay's one anonymous object",
  user_frames_peak: "likewise",
  soft_faults: "likewise: a page freed live and touched again is found resident by the replay",
  fault_errors: "the live kernel's failed faults, its own (EFAULT) included: the replay counts the signals it sees",
  cow_copies: "the VM objects' work: the replay has one anonymous object, no file, no shadow chain",
  shadows_created: "likewise", object_collapses: "likewise", object_bypasses: "likewise",
  virtual_copy_pages: "likewise", copied_bytes: "likewise", file_pages_read: "likewise", file_pages_written: "likewise",
  task_exits: "no task exits",
  major_faults: "pager_fills by another name (getrusage's split): the replay reads no file",
  minor_faults: "likewise",
};

/** Every counter of c but NOT_REPLAYED. */
function replayable(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).filter(([k]) => !(k in NOT_REPLAYED)));
}

function pick(c: Record<string, number>, keys = TLB_KEYS): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, c[k] ?? 0]));
}

/** Records of each kind (load, store, fetch, control) in a binary trace file. */
function kindCounts(path: string): number[] {
  const b = readFileSync(path);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const k = [0, 0, 0, 0];
  for (let off = HEADER_SIZE; off < b.length; off += 8) k[dv.getUint32(off, true) & 3]!++;
  return k;
}

/** The types of a binary trace file's control records, in order. */
function controlTypes(path: string): number[] {
  const b = readFileSync(path);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const types: number[] = [];
  for (let off = HEADER_SIZE; off < b.length; off += 8) {
    const v = dv.getBigUint64(off, true);
    if ((v & 3n) === 3n) types.push(decodeControl(v).type);
  }
  return types;
}

async function replay(path: string, arch: string, ifetch = true): Promise<Record<string, number>> {
  const r = new MachineReplayer(machineConfig({ arch, mem: "256M" }));
  await replayFileOnMachine(r, path, "auto", { ifetch }, { lines: 0, skipped: 0, records: 0 });
  return r.counters();
}

// Guests whose runs a replay reproduces: any with one task (the replay refuses a second). Between them: system
// calls, an illegal instruction, signals, page faults answered with a signal (a fatal one in segv, handled ones in
// dirtypages, which tracks dirty pages with mprotect, and in sigsegv, which also executes a non-executable page),
// copy-on-write and private file mappings (filemap), Mach virtual copies (mach_vm), munmap, the heap, and over a
// million references (malloc).
const EXACT_CASES: [string, string[]][] = [
  ["hello", []], ["echo", ["status", "exit=3"]], ["matmul", ["12"]], ["malloc", ["300"]], ["stride", ["4", "1"]],
  ["qsort", ["3000"]], ["illegal", ["opcode"]], ["sigorder", []], ["pipes", []], ["segv", []], ["dirtypages", []],
  ["sigsegv", []], ["filemap", []], ["mach_vm", []],
];
const TLB_ARCHS = ARCHS.filter((a) => a !== "bare");

describe("recording a guest and replaying it through the same machine", () => {
  for (const arch of TLB_ARCHS) {
    for (const [g, args] of EXACT_CASES) {
      it(`${g} ${args.join(" ")} on ${arch}: same output, same counters live, recorded and replayed`, async () => {
        // Recording maps no zero page (the replay could not tell where the live kernel would): compare with a
        // live run that does not either.
        const live = runGuest({ path: GUEST(g), args, arch, zeroPage: false });
        const path = join(dir, `${g}-${arch}.bin`);
        const rec = new TraceRecorder(path);
        const recorded = runGuest({ path: GUEST(g), args, arch, recorder: rec });
        const n = rec.close();
        expect(recorded.exitCode).toBe(live.exitCode);
        expect(recorded.stdout).toBe(live.stdout);
        expect(replayable(recorded.counters)).toEqual(replayable(live.counters));
        expect(recorded.counters.instret).toBe(live.counters.instret);
        const back = await replay(path, arch);
        expect(replayable(back)).toMatchObject(replayable(live.counters));
        // every TLB access is one reference or a faulting one (no instruction runs in a replay)
        expect(back.trace_references + back.trace_retries + back.trace_signals).toBe(back.itlb_access + back.dtlb_access);
        expect(BigInt(n)).toBeGreaterThan(0n);
      });
    }
  }

  for (const [arch, tlb] of [["riscv-sv39", "l1d=16:4:random"], ["mips-r3000", undefined], ["power", undefined]] as const) {
    it(`collections (--pmap-collect-every) at trap entry, before the fault is resolved, and ${tlb ?? "the default TLBs"} on ${arch}`, async () => {
      const o = { path: GUEST("malloc"), args: ["300"], arch, pmapCollectEvery: 50, ...(tlb ? { tlb } : {}) };
      const live = runGuest({ ...o, zeroPage: false }).counters;
      const path = join(dir, `collect-${arch}.bin`);
      const rec = new TraceRecorder(path);
      runGuest({ ...o, recorder: rec });
      rec.close();
      const r = new MachineReplayer(machineConfig({ arch, mem: "256M", ...(tlb ? { tlb } : {}) }));
      await replayFileOnMachine(r, path, "auto", {}, { lines: 0, skipped: 0, records: 0 });
      expect(live.pmap_collections).toBeGreaterThan(10);
      expect(replayable(r.counters())).toMatchObject(replayable(live));
    });
  }

  it("every counter the replay leaves out is one the machine reports", () => {
    const c = runGuest({ path: GUEST("hello"), args: [], arch: "mips-r3000" }).counters;
    for (const k of Object.keys(NOT_REPLAYED)) expect(c, k).toHaveProperty(k);
  });

  it("records every trap where it was taken: page faults as faults, system calls and other traps as traps", () => {
    const types = controlTypes(join(dir, "illegal-riscv-sv39.bin"));
    const live = runGuest({ path: GUEST("illegal"), args: ["opcode"], arch: "riscv-sv39", zeroPage: false }).counters;
    expect(types.filter((t) => t === CTL_FAULT).length).toBe(live.traps_page_fault);
    expect(types.filter((t) => t === CTL_GRANT).length).toBe(live.traps_page_fault);
    expect(types.filter((t) => t === CTL_TRAP).length).toBe(live.traps_ecall + live.traps_other);
    expect(live.traps_other).toBe(1);
  });

  it("a fault the kernel answered with a signal is marked so, and the replay does not resolve it", async () => {
    const path = join(dir, "segv-riscv-sv39.bin");
    const b = readFileSync(path);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const faults: (FaultRecord & { prot: number })[] = [];
    for (let off = HEADER_SIZE; off < b.length; off += 8) {
      const v = dv.getBigUint64(off, true);
      if ((v & 3n) !== 3n) continue;
      if (decodeControl(v).type === CTL_FAULT) faults.push({ ...decodeFault(v), prot: -1 });
      if (decodeControl(v).type === CTL_GRANT) faults.at(-1)!.prot = decodeControl(v).prot;   // right after it
    }
    expect(faults.every((f) => f.prot >= 0)).toBe(true);
    expect(faults.filter((f) => f.prot === 0)).toEqual([{ address: 0n, kind: 1, prot: 0 }]);   // *(int *)0 = 1
    const back = await replay(path, "riscv-sv39");
    expect(back.trace_signals).toBe(1);
    expect(back.fault_errors).toBe(1);
  });

  it("reads a version-2 trace (no trap or fault records): each fault found when its reference comes", async () => {
    const b = readFileSync(join(dir, "matmul-riscv-sv39.bin"));
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const kept: bigint[] = [];
    for (let off = HEADER_SIZE; off < b.length; off += 8) {
      const v = dv.getBigUint64(off, true);
      if ((v & 3n) !== 3n || decodeControl(v).type < CTL_TRAP) kept.push(v);
    }
    const v2 = new Uint8Array(HEADER_SIZE + 8 * kept.length);
    v2.set(b.subarray(0, HEADER_SIZE));
    const out = new DataView(v2.buffer);
    out.setUint16(8, 2, true);
    out.setBigUint64(16, BigInt(kept.length), true);
    kept.forEach((v, i) => out.setBigUint64(HEADER_SIZE + 8 * i, v, true));
    const path = join(dir, "matmul-v2.bin");
    writeFileSync(path, v2);
    const live = runGuest({ path: GUEST("matmul"), args: ["12"], arch: "riscv-sv39", zeroPage: false }).counters;
    const back = await replay(path, "riscv-sv39");
    expect(back.page_faults).toBe(live.page_faults);
    expect(back.traps).toBe(live.traps_page_fault);        // no system call's trap in version 2
    expect(back.trace_retries).toBe(live.traps_page_fault);
  });

  it("--arch bare has no TLB: the replay refuses it", () => {
    expect(() => new MachineReplayer(machineConfig({ arch: "bare", mem: "256M" }))).toThrow(/--arch bare has no TLB to replay a trace through/);
  });

  it("writes a version-3 header with fetches and sizes, a task record first, and sized references", () => {
    const path = join(dir, "hello-riscv-sv39.bin");
    const b = readFileSync(path);
    const h = decodeHeader(b, path);
    expect(h).toMatchObject({ version: 3, flags: FLAG_IFETCH | FLAG_SIZES, pageShift: 12 });
    expect(h.count).toBe(BigInt((b.length - HEADER_SIZE) / 8));
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const first = dv.getBigUint64(HEADER_SIZE, true);
    expect(Number(first & 3n)).toBe(3);
    expect(decodeControl(first).type).toBe(CTL_TASK);
    const kinds = [0, 0, 0], sizes = new Set<number>();
    for (let off = HEADER_SIZE + 8; off < b.length; off += 8) {
      const lo = dv.getUint32(off, true);
      if ((lo & 3) === 3) continue;
      kinds[lo & 3]!++;
      sizes.add(1 << ((lo >> 2) & 3));
    }
    expect(kinds.every((k) => k > 0)).toBe(true);    // loads, stores and fetches
    expect([...sizes].sort()).toEqual([1, 2, 4, 8]);  // byte stores, compressed and full fetches, doubleword loads
  });

  it("a guest that forks: each context switch is a task record; a whole-machine replay refuses the second task", async () => {
    const path = join(dir, "forktree.bin");
    const rec = new TraceRecorder(path);
    const r = runGuest({ path: GUEST("forktree"), args: ["2", "2"], recorder: rec, quantum: 20000 });
    rec.close();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/7 processes/);
    const b = readFileSync(path);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const tasks: number[] = [];
    for (let off = HEADER_SIZE; off < b.length; off += 8) {
      const v = dv.getBigUint64(off, true);
      if ((v & 3n) === 3n && decodeControl(v).type === CTL_TASK) tasks.push(decodeControl(v).address / 4096);
    }
    expect(tasks[0]).toBe(0);                                   // the first task, as before
    expect(new Set(tasks)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));   // 7 processes: ids follow the pids
    expect(tasks.length).toBeGreaterThan(12);                  // switched back and forth
    await expect(replay(path, "riscv-sv39")).rejects.toThrow(/switches from task 0 to task \d+ \(a guest that forks\)/);
  });

  it("records the kernel's unmapping as a range (munmap in stride)", () => {
    const types = controlTypes(join(dir, "stride-riscv-sv39.bin"));
    const i = types.indexOf(CTL_REMOVE);
    expect(i).toBeGreaterThan(0);
    expect(types[i + 1]).toBe(CTL_END);
  });

  it("flushes a full buffer many times over (malloc: over a million records)", () => {
    const b = readFileSync(join(dir, "malloc-x86-64.bin"));
    expect((b.length - HEADER_SIZE) / 8).toBeGreaterThan(10 * 65536);
  });

  it("--no-ifetch replays only loads and stores: no I-TLB access, every data reference once (plus fault retries)", async () => {
    const path = join(dir, "matmul-riscv-sv39.bin");
    const all = await replay(path, "riscv-sv39");
    const noI = await replay(path, "riscv-sv39", false);
    expect(noI.itlb_access).toBe(0);
    expect(noI.dtlb_access).toBe(noI.trace_references + noI.trace_retries);
    expect(noI.trace_references).toBe(kindCounts(path)[0]! + kindCounts(path)[1]!);   // every load and store recorded
    expect(all.trace_references).toBe(kindCounts(path).slice(0, 3).reduce((x, y) => x + y));
  });
});

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = new BufferIo();
  const status = await runCli(argv, io);
  return { status, out: io.out, err: io.err };
}

describe("mmulab record and mmulab trace --arch", () => {
  it("record runs the guest (its output on stdout) and says how much it wrote; trace --arch reports like run", async () => {
    const bin = join(dir, "echo.bin"), json = join(dir, "echo.json"), live = join(dir, "echo-live.json");
    const r = await cli("record", GUEST("echo"), "a", "b", "-o", bin, "--arch", "x86-64");
    expect(r.status).toBe(0);
    expect(r.out).toContain("argc=3");
    expect(r.err).toMatch(/^mmulab: recorded [\d,]+ records to .*echo\.bin\n$/);
    await cli("run", GUEST("echo"), "a", "b", "--arch", "x86-64", "--json", live);
    const t = await cli("trace", bin, "--arch", "x86-64", "--json", json);
    expect(t.status).toBe(0);
    expect(t.out).toMatch(/references +[\d,]+ \(\d+ replayed again after a page fault, \d+ control records\)/);
    expect(t.out).toMatch(/L1 D-TLB .* accesses/);
    const doc = JSON.parse(readFileSync(json, "utf8")), liveDoc = JSON.parse(readFileSync(live, "utf8"));
    expect(doc.config.arch).toBe("x86-64");
    expect(pick(doc.counters)).toEqual(pick(liveDoc.counters));
  });

  it("a lackey trace is demand-mapped page by page; a modify counts once or twice", async () => {
    const lines = ["I  10000,4", " L 20000,8", " M 21000,4", " S 20008,8", "I  10004,4", " M 22000,8"];
    const path = join(dir, "small.lackey");
    writeFileSync(path, lines.join("\n") + "\n");
    const json = join(dir, "small.json");
    expect((await cli("trace", path, "--arch", "riscv-sv39", "--json", json)).status).toBe(0);
    const two = JSON.parse(readFileSync(json, "utf8"));
    expect(two.references).toBe(8);
    expect(two.counters.page_faults).toBe(4);          // pages 0x10000, 0x20000, 0x21000, 0x22000
    expect(two.counters.itlb_access).toBe(2 + 1);      // one fetch replayed after its fault
    await cli("trace", path, "--arch", "riscv-sv39", "--modify-as", "1", "--no-ifetch", "--json", json);
    const one = JSON.parse(readFileSync(json, "utf8"));
    expect(one.references).toBe(4);
    expect(one.counters.itlb_access).toBe(0);
  });

  it("a malformed lackey line stops a machine replay with its line number, or is skipped and counted with --lenient", async () => {
    const bad = join(dir, "bad.lackey");
    writeFileSync(bad, " L 20000,8\n L 21000,8\n Q 3\n S 20008,8\n");
    const r = await cli("trace", bad, "--arch", "x86-64");
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^mmulab: .*bad\.lackey: line 3: malformed lackey line ' Q 3'\n$/);
    const l = await cli("trace", bad, "--arch", "x86-64", "--lenient");
    expect(l.status).toBe(0);
    expect(l.out).toMatch(/references +3 \(2 replayed again after a page fault, 0 control records\), 1 malformed lines skipped\n/);
  });

  it("bad input: one line and a non-zero status", async () => {
    const far = join(dir, "far.lackey");
    writeFileSync(far, " L 7ffd00001000,8\n");
    const r = await cli("trace", far, "--arch", "riscv-sv39");
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^mmulab: reference to 0x7ffd00001000 lies outside riscv-sv39's user address space \[0x10000, 0x4000000000\)\n$/);
    expect((await cli("trace", far, "--arch", "riscv-sv48")).status).toBe(0);
    const bin = join(dir, "hello-riscv-sv39.bin");
    const cut = join(dir, "cut.bin");
    writeFileSync(cut, readFileSync(bin).subarray(0, HEADER_SIZE + 8 * 100 + 3));
    const t = await cli("trace", cut, "--arch", "riscv-sv39");
    expect(t.status).toBe(1);
    expect(t.err).toMatch(/^mmulab: .*cut\.bin: truncated binary trace \(ends 3 bytes into record 100\)\n$/);
    for (const argv of [["trace", bin, "--arch", "riscv-sv39", "--policy", "fifo"], ["trace", bin, "--arch", "pdp-11"],
      ["trace", bin, "--mem", "64M"], ["record", GUEST("hello")], ["record", GUEST("hello"), "-o", join(dir, "x.bin"), "--bogus"],
      ["trace", bin, "--arch", "bare"]]) {
      const e = await cli(...argv);
      expect(e.status, argv.join(" ")).toBe(argv.includes("bare") ? 1 : 2);
      expect(e.err).toMatch(/^mmulab: [^\n]+\n$/);
    }
  });
});

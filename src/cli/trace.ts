// `mmulab trace`: a trace-driven study of one TLB. The trace is a valgrind lackey log, an mmulab binary trace
// (src/trace/FORMAT.md), a ChampSim trace or a DynamoRIO drmemtrace file or directory, any file gzip-, zstd- or
// xz-compressed, standard input ('-'), or a seeded synthetic generator (--gen).
// Bad input gives one line on stderr: status 2 for usage and geometry errors, 1 for malformed or truncated traces.

import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import yargs from "yargs";
import type { GuestIo } from "../fs/file.js";
import { ARCHS } from "../arch/registry.js";
import { ConfigError, POLICIES } from "../machine/config.js";
import { machineConfig } from "../index.js";
import { MachineReplayer, replayFileOnMachine } from "../trace/machine.js";
import { formatStats, statsJson } from "./report.js";
import { commandLine, onceOnly } from "./command.js";
import { BinaryTraceWriter, FLAG_IFETCH, FLAG_MODIFY2 } from "../trace/binary.js";
import { TraceError, type ReadStats, type TraceBatch, type TraceSource } from "../trace/batch.js";
import { DEFAULT_OPT_LIMIT } from "../trace/belady.js";
import { GEN_USAGE, generate, parseGenSpec } from "../trace/gen.js";
import { pageShiftOf } from "../trace/replay.js";
import { FRAME_POLICIES } from "../trace/frames.js";
import { framesTrace } from "./frames.js";
import { TRACE_FORMATS, readTrace, runStudy, type StudyResult, type TraceFormat } from "../trace/study.js";

export class TraceUsageError extends Error {
  override name = "TraceUsageError";
}

export interface TraceArgs {
  file?: string;
  gen?: string;
  refs: string;
  entries: number;
  ways: string;
  policy: string;
  "page-size": string;
  format: string;
  ifetch: boolean;
  "modify-as": number;
  lenient: boolean;
  opt: boolean;
  "opt-limit": number;
  seed: string;
  json?: string;
  write?: string;
  arch?: string;
  mem: string;
  tlb?: string;
  frames?: string;
}

function parseArgs(argv: readonly string[]): TraceArgs | "done" {
  let ran = false;
  const out = yargs([...argv])
    .scriptName("mmulab")
    .command("trace [file]", "replay a memory trace through one modelled TLB", (y) => y
      .positional("file", { type: "string", describe: "lackey log, mmulab binary trace, ChampSim trace or drmemtrace file or directory (gzip, zstd, xz accepted; '-' = stdin)" })
      .option("gen", { type: "string", describe: `synthetic trace instead of a file: ${GEN_USAGE}` })
      .option("refs", { type: "string", default: "1000000", describe: "references to generate with --gen" })
      .option("entries", { type: "number", default: 64, describe: "TLB entries" })
      .option("ways", { type: "string", default: "4", describe: "associativity (entries/ways sets, a power of two); 'full' = one set" })
      .option("policy", { type: "string", default: "lru", describe: `replacement policy: ${POLICIES.join(", ")}` })
      .option("page-size", { type: "string", default: "4K", describe: "page size (a power of two, e.g. 4K, 2M)" })
      .option("format", { type: "string", default: "auto", choices: [...TRACE_FORMATS],
        describe: "trace format; auto recognises all but champsim, which has no signature" })
      .option("ifetch", { type: "boolean", default: true, describe: "include instruction fetches (--no-ifetch drops them)" })
      .option("modify-as", { type: "number", default: 2, choices: [1, 2], describe: "a lackey 'M' counts as 1 access or 2 (load + store)" })
      .option("lenient", { type: "boolean", default: false, describe: "skip malformed lines (records) and count them" })
      .option("opt", { type: "boolean", default: false,
        describe: "also compute Belady's MIN for the same geometry; holds the trace in memory (about 4 bytes per " +
          "reference) and refuses traces above --opt-limit references (sample them instead)" })
      .option("opt-limit", { type: "number", default: DEFAULT_OPT_LIMIT, describe: "most references --opt will hold" })
      .option("seed", { type: "string", default: "0", describe: "seed of random replacement" })
      .option("json", { type: "string", describe: "write the results as JSON to this file" })
      .option("write", { type: "string", describe: "also write the trace read, as an mmulab binary trace, to this file" })
      .option("arch", { type: "string", describe: `replay through this whole machine's TLBs and walker instead of one TLB: ${ARCHS.join(", ")}` })
      .option("mem", { type: "string", default: "256M", describe: "with --arch: physical memory for the demand-mapped pages" })
      .option("tlb", { type: "string", describe: "with --arch: TLB geometry, e.g. l1i=32:8:lru,l1d=32:8:lru,l2=512:4:lru" })
      .option("frames", { type: "string", describe: `page faults for N[,M…] page frames of 4 KiB instead of a TLB, under --policy ${FRAME_POLICIES.join("|")} (a list; default all three)` }),
    () => { ran = true; })
    .check(onceOnly([]))
    .example("$0 trace run.lackey --entries 64 --ways 4 --policy lru --opt", "one TLB over a valgrind lackey trace, next to Belady's MIN")
    .example("$0 trace run.bin.zst --arch x86-64", "a recorded run replayed through a whole machine")
    .example("$0 trace app.champsimtrace.xz --format champsim --frames 64,128", "page faults of OPT, LRU and FIFO for two memory sizes")
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => { throw new TraceUsageError((msg ?? err?.message ?? "bad command line").replace(/\s*\n\s*/g, " ")); })
    .parseSync();
  if (!ran) return "done";
  return out as unknown as TraceArgs;
}

/** Parses a byte size with an optional K/M/G suffix (binary units). */
export function parseBytes(s: string, what: string): number {
  const m = /^(\d+)\s*([kKmMgG]?)(i?[bB])?$/.exec(s.trim());
  if (!m) throw new ConfigError(`bad ${what} '${s}' (expected e.g. 4096, 4K, 2M)`);
  return Number(m[1]) * { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
}

export function parseRefs(s: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(s.trim());
  const v = m ? Number(m[1]) * { "": 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(v) || v <= 0) throw new ConfigError(`--refs: bad reference count '${s}'`);
  return v;
}

function pct(x: number): string { return `${(100 * x).toFixed(4)}%`; }
function num(n: number): string { return n.toLocaleString("en-US"); }

export function formatStudy(r: StudyResult, source: string, skipped: number, unit: "line" | "record" = "line"): string {
  const lines = [
    `trace       ${source}`,
    `TLB         ${r.entries} entries, ${r.ways}-way (${r.sets} sets), ${r.policy}, ${r.pageSize}-byte pages`,
    `accesses    ${num(r.accesses)}` + (skipped > 0 ? ` (${num(skipped)} malformed ${unit}s skipped)` : ""),
    `misses      ${num(r.misses)}`,
    `miss rate   ${pct(r.missRate)}`,
  ];
  if (r.opt) {
    const o = r.opt;
    const rel = o.misses === 0 ? (r.misses === 0 ? "0%" : "-") : `${((100 * o.excessMisses) / o.misses).toFixed(2)}%`;
    lines.push(`MIN misses  ${num(o.misses)} (Belady's optimum, miss rate ${pct(o.missRate)})`);
    lines.push(`${r.policy} - MIN  ${num(o.excessMisses)} misses (+${rel} over MIN)`);
  }
  return lines.join("\n") + "\n";
}

/** Runs `mmulab trace ...` (argv includes the word "trace"); returns the exit status. */
export async function traceMain(argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  const a = parseArgs(argv);
  if (a === "done") return 0;
  if (a.file === "" && argv.includes("-")) a.file = "-";    // yargs reads a lone '-' as an empty string
  if ((a.file === undefined) === (a.gen === undefined)) {
    throw new TraceUsageError("give either a trace file ('-' for stdin) or --gen SPEC");
  }
  if (a.file !== undefined && a.file !== "-") refuseExecutable(a.file);
  if (a.frames !== undefined && a.arch !== undefined) throw new TraceUsageError("--frames studies the trace's pages, not a machine: drop --arch");
  if (a.arch !== undefined) return machineTrace(a, argv, io, say);
  if (a.frames !== undefined) return framesTrace(a, argv, io, say);
  for (const o of ["mem", "tlb"]) {
    if (argv.some((t) => t === `--${o}` || t.startsWith(`--${o}=`))) throw new TraceUsageError(`--${o} needs --arch (a whole machine)`);
  }
  const pageSize = parseBytes(a["page-size"], "--page-size");
  const shift = pageShiftOf(pageSize);
  if (!/^\d+$/.test(a.seed)) throw new ConfigError(`--seed: bad seed '${a.seed}'`);
  const ways = a.ways.trim() === "full" ? a.entries : /^\d+$/.test(a.ways.trim()) && Number(a.ways) > 0 ? Number(a.ways) : NaN;
  if (Number.isNaN(ways)) throw new ConfigError(`--ways: '${a.ways}' is not a positive integer or 'full'`);
  const geometry = { entries: a.entries, ways, policy: a.policy.toLowerCase(), seed: BigInt(a.seed) };
  const stats: ReadStats = { lines: 0, skipped: 0, records: 0 };
  let trace: TraceSource;
  let source: string;
  if (a.gen !== undefined) {
    const spec = parseGenSpec(a.gen);
    const refs = parseRefs(a.refs);
    trace = generate(spec, refs, shift);
    source = `--gen ${a.gen} (${num(refs)} references)`;
  } else {
    trace = readTrace(a.file!, a.format as TraceFormat, { ifetch: a.ifetch, modifyAs: a["modify-as"] as 1 | 2, lenient: a.lenient }, stats);
    source = a.file === "-" ? "<stdin>" : a.file!;
  }
  if (a.write !== undefined) {
    const writer = new BinaryTraceWriter(a.write, { flags: (a.ifetch ? FLAG_IFETCH : 0) | (a["modify-as"] === 2 ? FLAG_MODIFY2 : 0), pageShift: shift });
    const inner = trace;
    trace = (async function* (): AsyncGenerator<TraceBatch> {
      for await (const b of inner) { writer.write(b); yield b; }
      writer.close();
    })();
  }
  const r = await runStudy(trace, { geometry, pageSize, opt: a.opt, optLimit: a["opt-limit"] });
  io.write(1, new TextEncoder().encode(formatStudy(r, source, stats.skipped, stats.unit)));
  return finishStudy(a, argv, source, stats, r, say);
}

/**
 * The end of a one-TLB or a frames study: the note on an unfinished trace, and --json (the command line, the source,
 * the lines read and skipped, and the study's figures). Returns the exit status.
 */
export function finishStudy(a: TraceArgs, argv: readonly string[], source: string, stats: ReadStats, r: object,
  say: (line: string) => void): number {
  noteUnfinished(a.file, stats, say);
  if (a.json !== undefined) {
    const doc = { command: commandLine(argv), source, ...(a.file !== undefined ? { lines: stats.lines, skippedLines: stats.skipped } : {}), ...r };
    try {
      writeFileSync(a.json, JSON.stringify(doc, null, 2) + "\n");
    } catch (e) {
      say(`cannot write '${a.json}': ${(e as Error).message}`);
      return 1;
    }
  }
  return 0;
}

/**
 * A binary trace file without a record count was written to a stream, or by a recording that never finished (the
 * count is written when it closes): its records were all read, but the user should know it may be a prefix.
 */
export function noteUnfinished(file: string | undefined, stats: ReadStats, say: (line: string) => void): void {
  if (file === undefined || file === "-" || !stats.countUnknown) return;
  say(`note: ${file} has no record count (written to a stream, or its recording never finished): its ${stats.records.toLocaleString("en-US")} records may be a prefix`);
}

/** An ELF executable given where a trace belongs: say what to do instead of reading its bytes as lackey lines. */
function refuseExecutable(file: string): void {
  let head: Buffer;
  try {
    const fd = openSync(file, "r");
    head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
  } catch {
    return;   // the reader reports a missing or unreadable file in its own words
  }
  if (head[0] === 0x7F && head.toString("latin1", 1, 4) === "ELF") {
    throw new TraceError(`${file} is an ELF executable, not a trace: run it with 'mmulab run', or record its trace with 'mmulab record ${file} -o FILE'`);
  }
}

/** Options that describe one TLB, meaningless for a whole machine. */
const SINGLE_TLB_OPTIONS = ["entries", "ways", "policy", "page-size", "opt", "opt-limit", "gen", "refs", "write"];

/** `mmulab trace FILE --arch X`: the trace through a whole machine, reported like `mmulab run`. */
async function machineTrace(a: TraceArgs, argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  for (const o of SINGLE_TLB_OPTIONS) {
    if (argv.some((t) => t === `--${o}` || t.startsWith(`--${o}=`))) {
      throw new TraceUsageError(`--${o} describes a single-TLB study and cannot be combined with --arch (use --tlb for the machine's TLBs)`);
    }
  }
  if (a.file === undefined) throw new TraceUsageError("give a trace file ('-' for stdin) to replay through --arch");
  const config = machineConfig({ arch: a.arch!, mem: a.mem, seed: a.seed, ...(a.tlb !== undefined ? { tlb: a.tlb } : {}) });
  const r = new MachineReplayer(config);
  const stats: ReadStats = { lines: 0, skipped: 0, records: 0 };
  await replayFileOnMachine(r, a.file, a.format as TraceFormat,
    { ifetch: a.ifetch, modifyAs: a["modify-as"] as 1 | 2, lenient: a.lenient }, stats);
  const c = r.counters();
  const source = a.file === "-" ? "<stdin>" : a.file;
  const head = [
    `trace       ${source}`,
    `references  ${num(r.stats.references)} (${num(r.stats.retries)} replayed again after a page fault, ` +
      `${num(r.stats.controls)} control records)` + (stats.skipped > 0 ? `, ${num(stats.skipped)} malformed ${stats.unit ?? "line"}s skipped` : ""),
  ];
  io.write(1, new TextEncoder().encode(head.join("\n") + "\n" + formatStats(c, config) + "\n"));
  noteUnfinished(a.file, stats, say);
  if (a.json !== undefined) {
    const outcome = {
      command: commandLine(argv), trace: source, references: r.stats.references, retries: r.stats.retries, controls: r.stats.controls,
      ifetch: a.ifetch, modifyAs: a["modify-as"], ...(a.file !== undefined ? { lines: stats.lines, skippedLines: stats.skipped } : {}),
    };
    try {
      writeFileSync(a.json, statsJson(c, config, outcome));
    } catch (e) {
      say(`cannot write '${a.json}': ${(e as Error).message}`);
      return 1;
    }
  }
  return 0;
}

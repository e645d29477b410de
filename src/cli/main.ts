// The command line: `mmulab run <elf> [args..] [options]`, `mmulab compare <elf> [args..] --archs …` (cli/machines.ts),
// `mmulab archs`, `mmulab trace` (cli/trace.ts). Options may come before or after the program; the
// other words after the program are the guest's argv, and after `--` every word is, even one starting with "-". Bad input of any kind gives one
// line on stderr and a non-zero status (2 for usage errors), never a stack trace. The guest's exit status
// becomes ours (128 + signal when it dies of one; 124 when --max-insns is reached).

import { accessSync, constants, readFileSync, readSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import type { GuestIo } from "../fs/file.js";
import { SIGPIPE, TaskTerminated } from "../kern/signal.js";
import { ElfError, parseElf, readProgram } from "../loader/elf.js";
import { ARCHS } from "../arch/registry.js";
import { ConfigError } from "../machine/config.js";
import { Machine, type RunResult } from "../boot/machine.js";
import { guestEnvironment, machineConfig, pagingConfig } from "../index.js";
import { formatStats, formatStatsFile, statsJson } from "./report.js";
import { TraceError } from "../trace/batch.js";
import { traceMain, TraceUsageError } from "./trace.js";
import { TraceRecorder } from "../trace/record.js";
import { sweepMain } from "./sweep.js";
import { commandLine, onceOnly, parseCount } from "./command.js";
import { progressOn, withProgress } from "./progress.js";
import { reportMain } from "./html.js";
import { allMachines, archsCommand, compareCommand } from "./machines.js";
import { applyMounts } from "../fs/mount.js";
import { DEFAULT_TRACE_LIMIT, type ViewArgs, finishViews, openViews, viewOptions } from "./views.js";

const PROG = "mmulab";
/** Options of the commands that run a guest that take a value (needed to find where the guest's argv starts), and flags. */
const GUEST_COMMANDS: Record<string, { values: Set<string>; flags: Set<string>; repeatable?: Set<string> }> = {
  run: { values: new Set(["arch", "machine", "tlb", "mem", "max-insns", "json", "stats-file", "warmup-insns", "stats-every", "seed", "env", "ad", "psc", "subblock", "pft-size", "mount", "quantum", "pmap-collect-every", "page-size", "swap", "swap-latency", "pageout", "trace-limit", "trace-file"]), flags: new Set(["stats", "strace", "env-clear", "help", "trace-walk", "trace-faults", "dump-tlb", "progress"]) },
  compare: { values: new Set(["archs", "machine", "tlb", "jobs", "mem", "max-insns", "json", "seed", "env"]), flags: new Set(["show-output", "env-clear", "help", "progress"]),
    repeatable: new Set(["machine"]) },
  record: { values: new Set(["arch", "machine", "tlb", "mem", "max-insns", "seed", "env", "o", "output", "mount"]), flags: new Set(["stats", "env-clear", "help"]) },
};

/** Value options that may be given several times (each adds one item), and a command's own (GUEST_COMMANDS). */
const REPEATABLE = new Set(["env", "mount"]);

export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Splits argv into mmulab's part (the command, its options and the program) and the guest's arguments.
 * Options may stand before or after the program; every other word after the program is the guest's, and
 * everything after `--` is the guest's even when it starts with "-".
 */
export function splitGuestArgs(argv: readonly string[]): { own: string[]; guest: string[] } {
  const cmd = argv.findIndex((t) => !t.startsWith("-"));
  const opts = cmd < 0 ? undefined : GUEST_COMMANDS[argv[cmd]!];
  if (opts === undefined) return { own: [...argv], guest: [] };
  const VALUE_OPTIONS = opts.values, FLAG_OPTIONS = opts.flags;
  const own = argv.slice(0, cmd + 1);
  const guest: string[] = [];
  const seen = new Set<string>();
  let elf: string | undefined;
  const take = (t: string) => {
    if (elf === undefined) {
      if (t.startsWith("-") && t !== "-") throw new UsageError(`program name '${t}' must not start with '-'`);
      elf = t;
      own.push(t);
    } else guest.push(t);
  };
  for (let j = cmd + 1; j < argv.length; j++) {
    const t = argv[j]!;
    if (t === "--") { for (const g of argv.slice(j + 1)) take(g); break; }
    if (t.startsWith("-") && t !== "-") {
      const name = t.replace(/^--?/, "");
      const bare = name.replace(/=.*$/s, "");
      if (VALUE_OPTIONS.has(bare)) {
        // Handed to yargs as --name=value, so that a value starting with '-' (--mem -5M) stays a value and is
        // judged by the option's own check; a missing value is said here.
        let value: string;
        if (bare !== name) value = name.slice(bare.length + 1);
        else if (j + 1 < argv.length && !argv[j + 1]!.startsWith("--")) value = argv[++j]!;
        else throw new UsageError(`option '${t}' needs a value`);
        if (!REPEATABLE.has(bare) && !opts.repeatable?.has(bare) && seen.has(bare)) throw new UsageError(`--${bare} given more than once`);
        seen.add(bare);
        own.push(`--${bare}=${value}`);
        continue;
      }
      if (FLAG_OPTIONS.has(bare) || FLAG_OPTIONS.has(bare.replace(/^no-/, "")) || bare === "h") { own.push(t); continue; }
      throw new UsageError(`unknown option '${t}' (guest arguments that start with '-' go after '--')`);
    }
    take(t);
  }
  if (elf === undefined && !own.some((t) => t === "--help" || t === "-h")) {
    throw new UsageError(`missing the program to run (usage: mmulab ${argv[cmd]} <elf> [args..] [options])`);
  }
  return { own, guest };
}

interface RunArgs extends ViewArgs {
  elf: string;
  progress?: boolean;
  arch?: string;
  machine?: string;
  tlb?: string;
  mem?: string;
  "max-insns"?: string;
  stats: boolean;
  json?: string;
  "stats-file"?: string;
  "warmup-insns"?: string;
  "stats-every"?: string;
  strace: boolean;
  seed: string;
  env: string[];
  "env-clear": boolean;
  ad?: string;
  psc?: string;
  subblock?: string;
  "pft-size"?: string;
  mount: string[];
  quantum?: string;
  "pmap-collect-every"?: string;
  "page-size"?: string;
  swap?: string;
  "swap-latency"?: string;
  pageout?: string;
}

interface RecordArgs extends Omit<RunArgs, "strace" | "json"> {
  output: string;
}

interface CompareCliArgs {
  elf: string;
  progress?: boolean;
  archs?: string;
  machine: string[];
  tlb?: string;
  jobs: string;
  mem: string;
  "max-insns"?: string;
  json?: string;
  seed: string;
  env: string[];
  "env-clear": boolean;
  "show-output": boolean;
}

type Parsed = { cmd: "run"; a: RunArgs } | { cmd: "archs"; json: boolean; machine?: string } | { cmd: "compare"; a: CompareCliArgs }
  | { cmd: "record"; a: RecordArgs } | "done";

function parseCli(own: string[]): Parsed {
  let ran: "run" | "archs" | "compare" | "record" | undefined;
  const out = yargs(own)
    .scriptName(PROG)
    .usage("$0 run <elf> [args..] [options]")
    .example("$0 run guest/bin/hello --stats", "run a guest on riscv-sv39 and print what translation cost")
    .example("$0 run guest/bin/qsort 20000 --arch x86-64 --tlb l1d=32:4:lru --json q.json", "another machine, another L1 D-TLB")
    .example("$0 run guest/bin/matmul 60 --trace-walk --trace-limit 20", "watch the first page walks, step by step")
    .example("$0 compare guest/bin/qsort 20000 --jobs 2", "the same guest on every machine, side by side")
    .command("run <elf> [args..]", "run a RISC-V Linux executable under the emulated MMU", (y) => y
      .positional("elf", { type: "string", describe: "static RISC-V ELF64 executable" })
      .positional("args", { type: "string", array: true, describe: "arguments for the guest" })
      .option("arch", { type: "string", describe: `translation hardware (default riscv-sv39): ${ARCHS.join(", ")}` })
      .option("machine", { type: "string", describe: "FILE.json: a machine in the data files' format, overriding any part of its defaults (TLBs, costs, PSCs, memory)" })
      .option("tlb", { type: "string", describe: "TLB geometry, e.g. l1i=32:8:lru,l1d=32:8:lru,l2=512:4:lru" })
      .option("mem", { type: "string", describe: "guest RAM size (default 256M)" })
      .option("ad", { type: "string", describe: "accessed/dirty bits: svadu (walker sets them) or svade (fault), where the machine offers both" })
      .option("psc", { type: "string", describe: "paging-structure cache entries, e.g. pde=32,pdpte=4,pml4e=2,pml5e=2 (0 disables)" })
      .option("max-insns", { type: "string", describe: "stop after this many instructions (exit 124)" })
      .option("stats", { type: "boolean", default: false, describe: "print statistics on stderr" })
      .option("json", { type: "string", describe: "write every counter as JSON to this file" })
      .option("stats-file", { type: "string", describe: "write every counter that applies, one per line with unit and description (like gem5's stats.txt)" })
      .option("warmup-insns", { type: "string", describe: "statistics count from this instruction on (a warm-up, like ChampSim's)" })
      .option("stats-every", { type: "string", describe: "dump the statistics every N instructions: a time series in --json and --stats-file" })
      .option("strace", { type: "boolean", default: false, describe: "trace system calls on stderr" })
      .option("seed", { type: "string", default: "0", describe: "seed for random replacement and guest entropy" })
      .option("env", { type: "string", array: true, nargs: 1, default: [], describe: "NAME=value added to the guest environment, or replacing a default (repeatable)" })
      .option("env-clear", { type: "boolean", default: false, describe: "start the guest environment empty instead of PATH=/usr/local/bin:/usr/bin:/bin HOME=/" })
      .option("subblock", { type: "string", describe: "hashed: base pages per clustered-table node (1, 2, 4 .. 64; default 16)" })
      .option("pft-size", { type: "string", describe: "power: log2 of the HTAB size in bytes (default: Linux's sizing to memory)" })
      .option("mount", { type: "string", array: true, nargs: 1, default: [], describe: "HOSTDIR:GUESTPATH: show a host directory read-only in the guest (repeatable)" })
      .option("quantum", { type: "string", describe: "scheduling quantum in emulated cycles (default 1000000)" })
      .option("pmap-collect-every", { type: "string", describe: "throw every pmap's translations away every N traps" })
      .option("page-size", { type: "string", describe: "largest page for user memory: 4K (default) or 2M (superpage promotion)" })
      .option("progress", { type: "boolean", describe: "a progress line on stderr: instructions, MIPS, time left (default: when stderr is a terminal)" })
      .option("trace-walk", { type: "boolean", describe: "print each page walk or refill: its steps, result and cycles" })
      .option("trace-faults", { type: "boolean", describe: "print each page fault and how the kernel resolved it" })
      .option("dump-tlb", { type: "boolean", describe: "print the TLBs' entries at exit and at each statistics dump" })
      .option("trace-limit", { type: "string", describe: `lines of trace at most (default ${DEFAULT_TRACE_LIMIT}; 0: no limit)` })
      .option("trace-file", { type: "string", describe: "write the views to this file instead of stderr" })
      .option("swap", { type: "string", describe: "swap space, e.g. 64M; 0 for none (default: as large as --mem)" })
      .option("swap-latency", { type: "string", describe: "swap device: disk1987, ssd (default), nvme, or cycles per page" })
      .option("pageout", { type: "string", describe: "page-replacement policy: fifo, random, lru, clock, clock2, second-chance, nru, 2q, freebsd (default)" }),

    () => { ran = "run"; })
    .command("archs [machine]", "list the machines (or one) and their translation hardware, each default with its source", (y) => y
      .positional("machine", { type: "string", describe: `one machine: ${ARCHS.join(", ")}` })
      .option("json", { type: "boolean", default: false, describe: "print the machine data as JSON" }),
    () => { ran = "archs"; })
    .command("compare <elf> [args..]", "run one guest on several machines and compare what translation cost", (y) => y
      .positional("elf", { type: "string", describe: "static RISC-V ELF64 executable" })
      .positional("args", { type: "string", array: true, describe: "arguments for the guest" })
      .option("archs", { type: "string", describe: `machines: all (the default without --machine), or a comma-separated list of ${ARCHS.join(", ")}` })
      .option("machine", { type: "string", array: true, nargs: 1, default: [], describe: "FILE.json: also compare a machine described by a file (repeatable)" })
      .option("tlb", { type: "string", describe: "one TLB geometry for every machine, e.g. l1d=64:4:lru,l2=1024:8:lru" })
      .option("jobs", { type: "string", default: "1", describe: "machines run at once, on worker threads" })
      .option("mem", { type: "string", default: "256M", describe: "guest RAM size" })
      .option("max-insns", { type: "string", describe: "stop each run after this many instructions" })
      .option("json", { type: "string", describe: "write every machine's counters and the verdict as JSON to this file" })
      .option("seed", { type: "string", default: "0", describe: "seed for random replacement and guest entropy" })
      .option("env", { type: "string", array: true, nargs: 1, default: [], describe: "NAME=value added to the guest environment, or replacing a default (repeatable)" })
      .option("env-clear", { type: "boolean", default: false, describe: "start the guest environment empty instead of PATH=/usr/local/bin:/usr/bin:/bin HOME=/" })
      .option("show-output", { type: "boolean", default: false, describe: "print the guest's output (once)" })
      .option("progress", { type: "boolean", describe: "machines run so far on stderr (default: when stderr is a terminal)" }),
    () => { ran = "compare"; })
    .command("record <elf> [args..]", "run a guest and write its virtual references as a binary trace", (y) => y
      .positional("elf", { type: "string", describe: "static RISC-V ELF64 executable" })
      .positional("args", { type: "string", array: true, describe: "arguments for the guest" })
      .option("output", { alias: "o", type: "string", demandOption: true, describe: "the trace file to write" })
      .option("arch", { type: "string", describe: `translation hardware (default riscv-sv39): ${ARCHS.join(", ")}` })
      .option("machine", { type: "string", describe: "FILE.json: a machine in the data files' format, overriding any part of its defaults (TLBs, costs, PSCs, memory)" })
      .option("tlb", { type: "string", describe: "TLB geometry, e.g. l1i=32:8:lru,l1d=32:8:lru,l2=512:4:lru" })
      .option("mem", { type: "string", describe: "guest RAM size (default 256M)" })
      .option("max-insns", { type: "string", describe: "stop after this many instructions (exit 124)" })
      .option("stats", { type: "boolean", default: false, describe: "print the run's statistics on stderr" })
      .option("seed", { type: "string", default: "0", describe: "seed for random replacement and guest entropy" })
      .option("env", { type: "string", array: true, nargs: 1, default: [], describe: "NAME=value added to the guest environment, or replacing a default (repeatable)" })
      .option("env-clear", { type: "boolean", default: false, describe: "start the guest environment empty instead of PATH=/usr/local/bin:/usr/bin:/bin HOME=/" })
      .option("mount", { type: "string", array: true, nargs: 1, default: [], describe: "HOSTDIR:GUESTPATH: show a host directory read-only in the guest (repeatable)" }),
    () => { ran = "record"; })
    .command("trace [file]", "replay a memory trace through one modelled TLB or a whole machine (mmulab trace --help)")
    .command("sweep [traces..]", "sweep TLB policies, geometries, page sizes and machines over traces and guests (mmulab sweep --help)")
    .command("report <json>", "one self-contained HTML page from the JSON of a run, compare, trace or sweep (mmulab report --help)")
    .demandCommand(1, "missing command (try: mmulab run <elf>)")
    .check(onceOnly(["args", "env", "mount", "machine"]))
    .strict()
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError((msg ?? err?.message ?? "bad command line").replace(/\s*\n\s*/g, " "));
    })
    .parseSync();
  if (ran === undefined) return "done";   // --help was shown
  if (ran === "archs") {
    const o = out as unknown as { json: boolean; machine?: string };
    return { cmd: "archs", json: o.json, ...(o.machine !== undefined ? { machine: o.machine } : {}) };
  }
  if (ran === "compare") return { cmd: "compare", a: out as unknown as CompareCliArgs };
  if (ran === "record") return { cmd: "record", a: out as unknown as RecordArgs };
  return { cmd: "run", a: out as unknown as RunArgs };
}

function write(fd: number, data: Uint8Array): void {
  let at = 0;
  while (at < data.length) {
    try {
      at += writeSync(fd, data, at, data.length - at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
      throw e;
    }
  }
}

/** The guest's standard streams are ours, written synchronously so that output order is kept. */
export const hostIo: GuestIo = {
  read(max: number): Uint8Array {
    const buf = new Uint8Array(max);
    for (;;) {
      try {
        return buf.subarray(0, readSync(0, buf, 0, max, null));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); continue; }
        if (code === "EOF") return new Uint8Array(0);
        throw e;
      }
    }
  },
  write(fd: 1 | 2, data: Uint8Array): void {
    try {
      write(fd, data);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") throw TaskTerminated.bySignal(SIGPIPE, "broken pipe");
      throw e;
    }
  },
};

const enc = new TextEncoder();

/** The package's version (package.json beside dist/ and src/). */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * An output file named on the command line must be writable before a long run starts: its directory exists and
 * is writable, and the name is not a directory.
 */
export function checkOutputFile(path: string, option: string): void {
  if (path === "") throw new ConfigError(`${option} needs a file name`);
  let isDir = false;
  try { isDir = statSync(path).isDirectory(); } catch { /* does not exist yet */ }
  if (isDir) throw new ConfigError(`${option} '${path}' is a directory`);
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${option} '${path}': ${code === "ENOENT" ? "no such directory" : "directory not writable"}`);
  }
}

function runCommand(a: RunArgs, guestArgs: string[], hostStreams: GuestIo, say: (line: string) => void,
  recorder?: TraceRecorder, command?: string): number {
  let io = hostStreams;
  const envp = guestEnvironment(a.env, a["env-clear"]);
  const config = machineConfig({
    ...(a.arch !== undefined ? { arch: a.arch } : {}), ...(a.machine !== undefined ? { machine: a.machine } : {}),
    ...(a.mem !== undefined ? { mem: a.mem } : {}), seed: a.seed, ...(a.tlb !== undefined ? { tlb: a.tlb } : {}),
    ...(a.ad !== undefined ? { ad: a.ad } : {}), ...(a.psc !== undefined ? { psc: a.psc } : {}),
    ...(a.subblock !== undefined ? { subblock: Number(parseCount(a.subblock, "--subblock")) } : {}),
    ...(a["pft-size"] !== undefined ? { pftSize: Number(parseCount(a["pft-size"], "--pft-size")) } : {}),
    ...(a["page-size"] !== undefined ? { pageSize: a["page-size"] } : {}),
  });
  const maxInsns = a["max-insns"] !== undefined ? parseCount(a["max-insns"], "--max-insns") : undefined;
  const warmup = a["warmup-insns"] !== undefined ? parseCount(a["warmup-insns"], "--warmup-insns") : undefined;
  const dumpEvery = a["stats-every"] !== undefined ? parseCount(a["stats-every"], "--stats-every") : undefined;
  if (a.json !== undefined) checkOutputFile(a.json, "--json");
  if (a["stats-file"] !== undefined) checkOutputFile(a["stats-file"], "--stats-file");
  // The progress line (cli/progress.ts): by default only on a terminal, and only for the process's own streams.
  const progress = (a.progress ?? (io === hostIo && process.stderr.isTTY === true)) ? progressOn(io, maxInsns) : undefined;
  if (progress) io = withProgress(io, progress);
  const views = openViews(a, io);
  const bytes = readProgram(a.elf);
  const image = parseElf(bytes);
  const strace = a.strace ? (line: string): void => { io.write(2, enc.encode(line + "\n")); } : undefined;
  const quantum = a.quantum !== undefined ? Number(parseCount(a.quantum, "--quantum")) : undefined;
  const every = a["pmap-collect-every"] !== undefined ? Number(parseCount(a["pmap-collect-every"], "--pmap-collect-every")) : undefined;
  const paging = pagingConfig({
    ...(a.swap !== undefined ? { swap: a.swap } : {}), ...(a["swap-latency"] !== undefined ? { swapLatency: a["swap-latency"] } : {}),
    ...(a.pageout !== undefined ? { pageout: a.pageout } : {}),
  });
  const m: Machine = new Machine(config, {
    io, ...(strace ? { strace } : {}), ...(recorder ? { recorder } : {}), ...(quantum !== undefined ? { quantum } : {}),
    ...(every !== undefined ? { pmapCollectEvery: every } : {}), paging, ...viewOptions(a, views, (): Machine => m),
    ...(progress ? { progress: (n: bigint) => progress.tick(n) } : {}),
  });
  if (views) views.onLimit = () => m.stopWalkTrace();
  applyMounts(m.fs, a.mount);
  m.load(image, { argv: [a.elf, ...guestArgs], envp, execfn: a.elf, exePath: resolve(a.elf) });
  const r: RunResult = m.runMeasured({
    ...(maxInsns !== undefined ? { maxInsns } : {}), ...(warmup !== undefined ? { warmup } : {}),
    ...(dumpEvery !== undefined ? { every: dumpEvery } : {}),
  });
  progress?.clear();
  finishViews(a, views, m);
  if (recorder) {
    const n = recorder.close();
    say(`recorded ${n.toLocaleString("en-US")} records to ${recorder.path}`);
  }
  if (r.message) say(r.message);   // every signal death has its one line, SIGPIPE too
  const counters = m.counters();
  if (a.stats) io.write(2, enc.encode(formatStats(counters, config) + "\n"));
  if (a["stats-file"] !== undefined) {
    try {
      writeFileSync(a["stats-file"], [...m.stats.dumps.map((d) => formatStatsFile(d.counters, config, d.tag)),
        formatStatsFile(counters, config)].join("\n"));
    } catch (e) {
      say(`cannot write '${a["stats-file"]}': ${(e as Error).message}`);
      return r.exitCode === 0 ? 1 : r.exitCode;
    }
  }
  if (a.json !== undefined) {
    const doc = statsJson(counters, config, {
      ...(command !== undefined ? { command } : {}), program: a.elf, args: guestArgs, exitCode: r.exitCode, reason: r.reason, signal: r.signal,
      ...(m.stats.resets > 0 ? { statsResets: m.stats.resets } : {}),
      ...(m.stats.dumps.length > 0 ? { dumps: m.stats.dumps } : {}),
    });
    try {
      writeFileSync(a.json, doc);
    } catch (e) {
      say(`cannot write '${a.json}': ${(e as Error).message}`);
      return r.exitCode === 0 ? 1 : r.exitCode;
    }
  }
  return r.exitCode;
}

/**
 * Runs the command line; returns the process exit status. `io` carries the guest's streams and our own messages
 * (tests pass a capturing one; yargs' --help text still goes to the console).
 */
export function main(argv: readonly string[] = hideBin(process.argv), io: GuestIo = hostIo): number | Promise<number> {
  const say = (line: string): void => {
    try { io.write(2, enc.encode(`${PROG}: ${line}\n`)); } catch { /* stderr is gone: nothing more to say */ }
  };
  try {
    const { own, guest } = splitGuestArgs(argv);
    const p = parseCli(own);
    if (p === "done") return 0;
    allMachines();   // every machine's data file present, complete and sourced, or one line and status 70
    if (p.cmd === "archs") return archsCommand(p.json, io, p.machine);
    const guestArgs = [...((p.a as unknown as { args?: string[] }).args ?? []), ...guest];
    const command = commandLine(argv);
    if (p.cmd === "compare") {
      const c = p.a;
      if (c.json !== undefined) checkOutputFile(c.json, "--json");
      // The only asynchronous command of main(): its machines may run on worker threads. Failures are reported as
      // main's own are.
      return compareCommand({
        elf: c.elf, args: guestArgs, mem: c.mem, seed: c.seed, env: guestEnvironment(c.env, c["env-clear"]), showOutput: c["show-output"],
        machines: c.machine, jobs: Number(parseCount(c.jobs, "--jobs")),
        progress: c.progress ?? (io === hostIo && process.stderr.isTTY === true),
        ...(c.archs !== undefined ? { archs: c.archs } : {}), ...(c.tlb !== undefined ? { tlb: c.tlb } : {}),
        ...(c["max-insns"] !== undefined ? { maxInsns: parseCount(c["max-insns"], "--max-insns") } : {}),
        ...(c.json !== undefined ? { json: c.json } : {}), command,
      }, io, say).catch((e: unknown) => failure(e, say));
    }
    if (p.cmd === "record") {
      const r = p.a;
      checkOutputFile(r.output, "--output");
      const recorder = new TraceRecorder(r.output);
      return runCommand({ ...r, strace: false }, guestArgs, io, say, recorder);
    }
    return runCommand(p.a, guestArgs, io, say, undefined, command);
  } catch (e) {
    return failure(e, say);
  }
}

/** The exit status of a command that threw, its one line said: 2 for usage, 1 for bad input, 70 for our own bug. */
function failure(e: unknown, say: (line: string) => void): number {
  if (e instanceof UsageError || e instanceof ConfigError) { say(e.message); return 2; }
  if (e instanceof TraceError) { say(e.message); return 1; }
  if (e instanceof ElfError) { say(e.message); return 1; }   // the program cannot be run
  say(`internal error: ${(e as Error).message ?? String(e)}`);
  return 70;
}

/**
 * The whole command line, including the asynchronous commands (`trace` streams its input): the launcher's entry
 * point. Everything else goes to main().
 */
export async function runCli(argv: readonly string[] = hideBin(process.argv), io: GuestIo = hostIo): Promise<number> {
  const cmd = argv.find((t) => !t.startsWith("-"));
  if (cmd !== "trace" && cmd !== "sweep" && cmd !== "report") return main(argv, io);
  const say = (line: string): void => {
    try { io.write(2, enc.encode(`${PROG}: ${line}\n`)); } catch { /* stderr is gone: nothing more to say */ }
  };
  try {
    if (cmd === "report") return await reportMain(argv, io, say);
    return await (cmd === "sweep" ? sweepMain(argv, io, say) : traceMain(argv, io, say));
  } catch (e) {
    if (e instanceof TraceUsageError || e instanceof UsageError || e instanceof ConfigError) { say(e.message); return 2; }
    if (e instanceof TraceError) { say(e.message); return 1; }
    say(`internal error: ${(e as Error).message ?? String(e)}`);
    return 70;
  }
}

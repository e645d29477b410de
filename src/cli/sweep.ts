// `mmulab sweep`: replacement policies × TLB sizes × associativities × page sizes (single-TLB studies, each next to
// Belady's optimum) and machines, over trace files and guests, on worker threads. Prints the Markdown tables; with
// --out writes sweep.json, sweep.csv, machines.csv, sweep.md and the plots (missrate.svg, cycles.svg). A bad list
// or an impossible geometry is reported before anything runs.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import yargs from "yargs";
import { ElfError, parseElf, readProgram } from "../loader/elf.js";
import type { GuestIo } from "../fs/file.js";
import { ARCHS } from "../arch/registry.js";
import { ConfigError, POLICIES } from "../machine/config.js";
import { translates } from "../machine/costs.js";
import { wasmLayout } from "../machine/wasm.js";
import { DEFAULT_OPT_LIMIT } from "../trace/belady.js";
import { pageShiftOf } from "../trace/replay.js";
import type { TraceFormat } from "../trace/study.js";
import { runPool } from "../sweep/pool.js";
import { checkSpec, machineJobs, tlbJobs, type MachineRow, type RecordJob, type SweepInput, type SweepSpec, type TlbRow } from "../sweep/plan.js";
import { machinesCsv, sweepJson, sweepMarkdown, tlbCsv, type SweepResult } from "../sweep/output.js";
import { cyclesSpec, missRateSpec, renderSvg } from "../sweep/plot.js";
import { parseBytes, TraceUsageError } from "./trace.js";
import { commandLine, onceOnly, parseCount } from "./command.js";
import { existsSync, statSync } from "node:fs";

interface SweepArgs {
  traces: string[];
  guest: string[];
  policies: string;
  entries: string;
  ways: string;
  "page-sizes": string;
  archs: string;
  opt: boolean;
  "machines-only": boolean;
  jobs: number;
  out?: string;
  seed: string;
  ifetch: boolean;
  "modify-as": number;
  format: string;
  mem: string;
  "opt-limit": number;
  "record-arch": string;
  "max-insns"?: string;
}

function parseArgs(argv: readonly string[]): SweepArgs | "done" {
  let ran = false;
  const out = yargs([...argv])
    .scriptName("mmulab")
    .command("sweep [traces..]", "sweep TLB policies, sizes, associativities, page sizes and machines over traces and guests", (y) => y
      .positional("traces", { type: "string", array: true, describe: "trace files (lackey or mmulab binary, .gz accepted)" })
      .option("guest", { type: "string", array: true, nargs: 1, default: [], describe: "\"PROGRAM [ARGS]\": a guest, recorded once for the TLB studies (repeatable)" })
      .option("policies", { type: "string", default: "lru,fifo,random", describe: `replacement policies: ${POLICIES.join(", ")}` })
      .option("entries", { type: "string", default: "16,32,64,128,256", describe: "TLB sizes (entries)" })
      .option("ways", { type: "string", default: "4", describe: "associativities; 'full' = fully associative" })
      .option("page-sizes", { type: "string", default: "4K", describe: "page sizes (powers of two, e.g. 4K,2M)" })
      .option("archs", { type: "string", default: "", describe: `also run every input on these machines: all, or a list of ${ARCHS.filter(translates).join(", ")}` })
      .option("opt", { type: "boolean", default: true, describe: "Belady's optimum for every geometry (--no-opt skips it)" })
      .option("machines-only", { type: "boolean", default: false, describe: "only the machine runs, no single-TLB studies" })
      .option("jobs", { type: "number", default: Math.min(2, availableParallelism()), describe: "worker threads" })
      .option("out", { type: "string", describe: "directory for sweep.json, sweep.csv, machines.csv, sweep.md, missrate.svg, cycles.svg" })
      .option("seed", { type: "string", default: "0", describe: "seed of random replacement and of the guests" })
      .option("ifetch", { type: "boolean", default: true, describe: "include instruction fetches (--no-ifetch drops them)" })
      .option("modify-as", { type: "number", default: 2, choices: [1, 2], describe: "a lackey 'M' counts as 1 access or 2" })
      .option("format", { type: "string", default: "auto", choices: ["auto", "lackey", "bin"], describe: "trace format" })
      .option("mem", { type: "string", default: "256M", describe: "guest RAM of the machines" })
      .option("opt-limit", { type: "number", default: DEFAULT_OPT_LIMIT, describe: "most references the optimum will hold" })
      .option("record-arch", { type: "string", default: "riscv-sv39", describe: "machine a guest is recorded on for the TLB studies" })
      .option("max-insns", { type: "string", describe: "stop every guest after this many instructions (its trace and runs are that prefix)" }),
    () => { ran = true; })
    .check(onceOnly(["traces", "guest"]))
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => { throw new TraceUsageError((msg ?? err?.message ?? "bad command line").replace(/\s*\n\s*/g, " ")); })
    .parseSync();
  if (!ran) return "done";
  return out as unknown as SweepArgs;
}

function list(s: string, what: string): string[] {
  const items = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (items.length === 0) throw new ConfigError(`${what}: empty list`);
  return items;
}

function positiveInts(s: string, what: string): number[] {
  return list(s, what).map((x) => {
    if (!/^\d+$/.test(x) || Number(x) === 0) throw new ConfigError(`${what}: '${x}' is not a positive integer`);
    return Number(x);
  });
}

function buildSpec(a: SweepArgs): SweepSpec {
  if (a.out !== undefined) {
    let isFile = false;
    try { isFile = !statSync(a.out).isDirectory(); } catch { /* created at the end */ }
    if (isFile) throw new ConfigError(`--out '${a.out}' is a file (it names the directory the outputs go to)`);
  }
  const inputs: SweepInput[] = [];
  for (const t of a.traces ?? []) {
    if (!existsSync(t)) throw new ConfigError(`trace file '${t}' does not exist`);
    inputs.push({ name: t, kind: "trace", path: t, args: [] });
  }
  for (const g of a.guest) {
    const words = g.trim().split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) throw new ConfigError("--guest: empty program");
    if (!existsSync(words[0]!)) throw new ConfigError(`--guest: program '${words[0]}' does not exist`);
    try {
      parseElf(readProgram(words[0]!));
    } catch (e) {
      if (e instanceof ElfError) throw new ConfigError(`--guest '${words[0]}': ${e.message}`);
      throw e;
    }
    inputs.push({ name: [basename(words[0]!), ...words.slice(1)].join(" "), kind: "guest", path: words[0]!, args: words.slice(1) });
  }
  const ways = list(a.ways, "--ways").map((w) => {
    if (w === "full") return "full" as const;
    if (!/^\d+$/.test(w) || Number(w) === 0) throw new ConfigError(`--ways: '${w}' is not a positive integer or 'full'`);
    return Number(w);
  });
  const pageSizes = list(a["page-sizes"], "--page-sizes").map((p) => { const b = parseBytes(p, "--page-sizes"); pageShiftOf(b); return b; });
  const archs = a.archs === "" ? [] : a.archs === "all" ? ARCHS.filter(translates) : list(a.archs, "--archs");
  if (!Number.isSafeInteger(a.jobs) || a.jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got ${a.jobs}`);
  if (!/^\d+$/.test(a.seed)) throw new ConfigError(`--seed: bad seed '${a.seed}'`);
  const spec: SweepSpec = {
    inputs, policies: list(a.policies, "--policies").map((p) => p.toLowerCase()), entries: positiveInts(a.entries, "--entries"),
    ways, pageSizes, archs, opt: a.opt, tlbStudy: !a["machines-only"], seed: a.seed, ifetch: a.ifetch,
    modifyAs: a["modify-as"] as 1 | 2, format: a.format as TraceFormat, mem: a.mem, optLimit: a["opt-limit"],
    recordArch: a["record-arch"],
    ...(a["max-insns"] !== undefined ? { maxInsns: parseCount(a["max-insns"], "--max-insns").toString() } : {}),
  };
  checkSpec(spec);
  return spec;
}

/** A progress bar on stderr, only when stderr is a terminal. */
function progressBar(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const width = 30, fill = total === 0 ? width : Math.round((width * done) / total);
    process.stderr.write(`\rsweep [${"#".repeat(fill)}${" ".repeat(width - fill)}] ${done}/${total} jobs`);
    if (done === total) process.stderr.write("\n");
  };
}

/** Runs `mmulab sweep ...` (argv includes the word "sweep"); returns the exit status. */
export async function sweepMain(argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  const a = parseArgs(argv);
  if (a === "done") return 0;
  const spec = buildSpec(a);
  const maxEntries = wasmLayout().TLB_MAX_ENTRIES;
  tlbJobs(spec, new Map(), maxEntries);     // every geometry checked before anything runs
  const ctx = { seed: spec.seed, ifetch: spec.ifetch, modifyAs: spec.modifyAs, format: spec.format, mem: spec.mem,
    optLimit: spec.optLimit, recordArch: spec.recordArch, ...(spec.maxInsns !== undefined ? { maxInsns: spec.maxInsns } : {}) };
  const progress = progressBar();
  const files = new Map<string, string>();
  const tmp = mkdtempSync(join(tmpdir(), "mmulab-sweep-"));
  try {
    const records: RecordJob[] = [];
    for (const i of spec.inputs) {
      if (i.kind === "trace") files.set(i.name, i.path);
      else if (spec.tlbStudy) {
        const out = join(tmp, `guest${records.length}.bin`);
        files.set(i.name, out);
        records.push({ kind: "record", input: i, out });
      }
    }
    const tj = tlbJobs(spec, files, maxEntries), mj = machineJobs(spec);
    const all = [...records, ...tj, ...mj];
    // Recordings first (the TLB studies read them); then the studies and machine runs together.
    const total = all.length;
    const step = progress ? (d: number) => progress(d, total) : undefined;
    await runPool(records, ctx, a.jobs, step ? (d) => step(d) : undefined);
    const res = await runPool([...tj, ...mj], ctx, a.jobs, step ? (d) => step(records.length + d) : undefined);
    const result: SweepResult = {
      command: commandLine(argv),
      spec,
      tlb: res.slice(0, tj.length).map((r) => (r as { row: TlbRow }).row),
      machines: res.slice(tj.length).map((r) => (r as { row: MachineRow }).row),
    };
    const md = sweepMarkdown(result);
    io.write(1, new TextEncoder().encode(md));
    if (a.out !== undefined) {
      try {
        mkdirSync(a.out, { recursive: true });
        writeFileSync(join(a.out, "sweep.json"), sweepJson(result));
        writeFileSync(join(a.out, "sweep.md"), md);
        if (result.tlb.length > 0) {
          writeFileSync(join(a.out, "sweep.csv"), tlbCsv(result));
          writeFileSync(join(a.out, "missrate.svg"), await renderSvg(missRateSpec(result.tlb)));
        }
        if (result.machines.length > 0) {
          writeFileSync(join(a.out, "machines.csv"), machinesCsv(result));
          writeFileSync(join(a.out, "cycles.svg"), await renderSvg(cyclesSpec(result.machines)));
        }
      } catch (e) {
        say(`cannot write to '${a.out}': ${(e as Error).message}`);
        return 1;
      }
    }
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

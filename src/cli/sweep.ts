// `mmulab sweep`: replacement policies × TLB sizes × associativities × page sizes (single-TLB studies, each next to
// Belady's optimum) and machines, over trace files and guests, on worker threads. Prints the Markdown tables; with
// --out writes sweep.json, sweep.csv, machines.csv, sweep.md and the plots (missrate.svg, cycles.svg). A bad list
// or an impossible geometry is reported before anything runs.

import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { ElfError, parseElf, readProgram } from "../loader/elf.js";
import type { GuestIo } from "../fs/file.js";
import { ARCHS } from "../arch/registry.js";
import { ConfigError, POLICIES } from "../machine/config.js";
import { translates } from "../machine/costs.js";
import { wasmLayout } from "../machine/wasm.js";
import { DEFAULT_OPT_LIMIT } from "../trace/belady.js";
import { pageShiftOf } from "../trace/replay.js";
import { TRACE_FORMATS, type TraceFormat } from "../trace/study.js";
import { runPool } from "../sweep/pool.js";
import {
  checkSpec, machineJobs, tlbJobs, type MachineJob, type MachineRow, type RecordJob, type SweepInput, type SweepSpec, type TlbJob,
  type TlbRow,
} from "../sweep/plan.js";
import { formatPageSize, machinesCsv, sweepJson, sweepMarkdown, tlbCsv, type SweepResult } from "../sweep/output.js";
import { EMIT_KINDS, jobList, k8sJob, slurmScript, type EmitKind, type EmitPlan } from "../sweep/emit.js";
import { inSlice, mergeSlices, parseSlice, parseSliceDoc, SLICE_FILE, withoutOptions, type SliceDoc } from "../sweep/slice.js";
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
  slice?: string;
  emit?: string;
  slices?: number;
  image: string;
}

function parseArgs(argv: readonly string[]): SweepArgs | "done" {
  let ran = false;
  const out = yargs([...argv])
    .scriptName("mmulab")
    .command("sweep [traces..]", "sweep TLB policies, sizes, associativities, page sizes and machines over traces and guests", (y) => y
      .positional("traces", { type: "string", array: true, describe: "trace files (lackey, mmulab binary, ChampSim or drmemtrace; gzip, zstd, xz accepted)" })
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
      .option("format", { type: "string", default: "auto", choices: [...TRACE_FORMATS], describe: "trace format (champsim must be named)" })
      .option("mem", { type: "string", default: "256M", describe: "guest RAM of the machines" })
      .option("opt-limit", { type: "number", default: DEFAULT_OPT_LIMIT, describe: "most references the optimum will hold" })
      .option("record-arch", { type: "string", default: "riscv-sv39", describe: "machine a guest is recorded on for the TLB studies" })
      .option("max-insns", { type: "string", describe: "stop every guest after this many instructions (its trace and runs are that prefix)" })
      .option("slice", { type: "string", describe: "run only slice I/N of the plan (jobs I, I+N, …; I from 0) and write --out/slice.json for 'sweep merge'" })
      .option("emit", { type: "string", choices: EMIT_KINDS as string[], describe: "do not run: write the job list and a Slurm array script or a Kubernetes Indexed Job to --out" })
      .option("slices", { type: "number", describe: "slices for --emit (default: one per job, at most 100)" })
      .option("image", { type: "string", default: "mmulab", describe: "container image for --emit k8s (one with mmulab installed)" }),
    () => { ran = true; })
    .check(onceOnly(["traces", "guest"]))
    .example("mmulab sweep t.lackey --policies lru,fifo --entries 16,64 --out res", "two policies, two sizes, one trace")
    .example("mmulab sweep --guest \"guest/bin/matmul 40\" --archs all --emit slurm --slices 8 --out big", "a Slurm job array of 8 slices")
    .example("mmulab sweep merge big/slices/* --out big/merged", "join the slices into the whole sweep")
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

/** This package's launcher (src/cli or dist/cli → bin/mmulab.js), which the emitted scripts run by default. */
const LAUNCHER = new URL("../../bin/mmulab.js", import.meta.url);

/** A plan job in words, for jobs.txt. */
function describeJob(j: TlbJob | MachineJob): string {
  if (j.kind === "machine") return `machine ${j.input.name} on ${j.arch}`;
  const ways = j.ways === j.entries ? "full" : `${j.ways}-way`;
  return `tlb ${j.input} ${formatPageSize(j.pageSize)} pages ${j.entries} entries ${ways} ${j.policy}`;
}

/** Writes a sweep's outputs into directory `out` (sweep.json, sweep.md, the CSVs and plots); false: say'd why not. */
async function writeOutputs(result: SweepResult, md: string, out: string, say: (line: string) => void): Promise<boolean> {
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "sweep.json"), sweepJson(result));
    writeFileSync(join(out, "sweep.md"), md);
    if (result.tlb.length > 0) {
      writeFileSync(join(out, "sweep.csv"), tlbCsv(result));
      writeFileSync(join(out, "missrate.svg"), await renderSvg(missRateSpec(result.tlb)));
    }
    if (result.machines.length > 0) {
      writeFileSync(join(out, "machines.csv"), machinesCsv(result));
      writeFileSync(join(out, "cycles.svg"), await renderSvg(cyclesSpec(result.machines)));
    }
    return true;
  } catch (e) {
    say(`cannot write to '${out}': ${(e as Error).message}`);
    return false;
  }
}

/** The directory named by --out is writable (created if needed), checked before long work. */
function checkOutDir(out: string): void {
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (e) {
    throw new ConfigError(`cannot write to '${out}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** `mmulab sweep merge SLICE...  [--out DIR]`: joins slices (their directories or slice.json files). */
async function mergeMain(argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  let ran = false;
  const a = yargs([...argv])
    .scriptName("mmulab")
    .command("sweep merge <slices..>", "join the slices of a sweep run with --slice into the whole sweep's outputs", (y) => y
      .positional("slices", { type: "string", array: true, describe: "slice directories (each with slice.json) or slice.json files" })
      .option("out", { type: "string", describe: "directory for the merged sweep.json, sweep.csv, machines.csv, sweep.md and plots" }),
    () => { ran = true; })
    .check(onceOnly(["slices"]))
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => { throw new TraceUsageError((msg ?? err?.message ?? "bad command line").replace(/\s*\n\s*/g, " ")); })
    .parseSync() as unknown as { slices: string[]; out?: string };
  if (!ran) return 0;
  const docs = a.slices.map((p) => {
    const file = existsSync(p) && statSync(p).isDirectory() ? join(p, SLICE_FILE) : p;
    if (!existsSync(file)) throw new ConfigError(`sweep merge: ${file} does not exist (did that slice finish?)`);
    return { name: file, doc: parseSliceDoc(file, readFileSync(file, "utf8")) };
  });
  if (a.out !== undefined) checkOutDir(a.out);
  const result = mergeSlices(docs);
  const md = sweepMarkdown(result);
  io.write(1, new TextEncoder().encode(md));
  if (a.out !== undefined && !(await writeOutputs(result, md, a.out, say))) return 1;
  return 0;
}

/** `--emit`: the plan's job list and a batch description, nothing run. */
function emitMain(argv: readonly string[], a: SweepArgs, jobs: (TlbJob | MachineJob)[], io: GuestIo): number {
  const kind = a.emit as EmitKind;
  if (a.out === undefined) throw new ConfigError("--emit needs --out DIR (where the job list, the script and the slices go)");
  const slices = a.slices ?? Math.min(jobs.length, 100);
  if (!Number.isSafeInteger(slices) || slices < 1) throw new ConfigError(`--slices must be a positive integer, got ${a.slices}`);
  if (slices > jobs.length) throw new ConfigError(`--slices ${slices}: the plan has only ${jobs.length} jobs`);
  checkOutDir(a.out);
  const dir = resolve(a.out);
  const start = argv.indexOf("sweep");
  const plan: EmitPlan = {
    kind, dir, cwd: process.cwd(), slices, jobs: jobs.map(describeJob),
    launcher: [process.execPath, fileURLToPath(LAUNCHER)],
    sweepArgs: withoutOptions(argv.slice(start + 1), ["emit", "slices", "out", "slice", "jobs", "image"]),
  };
  mkdirSync(join(dir, "slices"), { recursive: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  writeFileSync(join(dir, "jobs.txt"), jobList(plan));
  const script = kind === "slurm" ? "sweep.slurm" : "sweep-job.yaml";
  writeFileSync(join(dir, script), kind === "slurm" ? slurmScript(plan) : k8sJob(plan, a.image));
  io.write(1, new TextEncoder().encode(
    `${jobs.length} jobs in ${slices} slices: ${join(dir, "jobs.txt")}\n` +
    `${kind === "slurm" ? "submit: sbatch" : "submit: kubectl apply -f"} ${join(dir, script)}\n` +
    `then:   mmulab sweep merge ${join(dir, "slices")}/* --out ${join(dir, "merged")}\n`));
  return 0;
}

/** Runs `mmulab sweep ...` (argv includes the word "sweep"); returns the exit status. */
export async function sweepMain(argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  if (argv[argv.indexOf("sweep") + 1] === "merge") return mergeMain(argv, io, say);
  const a = parseArgs(argv);
  if (a === "done") return 0;
  const spec = buildSpec(a);
  const maxEntries = wasmLayout().TLB_MAX_ENTRIES;
  const planned = [...tlbJobs(spec, new Map(), maxEntries), ...machineJobs(spec)];   // every geometry checked first
  if (a.emit !== undefined) {
    if (a.slice !== undefined) throw new ConfigError("--emit writes the slices' commands: it takes no --slice");
    return emitMain(argv, a, planned, io);
  }
  if (a.slices !== undefined) throw new ConfigError("--slices goes with --emit (a slice to run is --slice I/N)");
  const slice = a.slice !== undefined ? parseSlice(a.slice) : undefined;
  if (slice && a.out === undefined) throw new ConfigError("--slice needs --out DIR (the slice's rows go to DIR/slice.json)");
  if (slice) checkOutDir(a.out!);
  const ctx = { seed: spec.seed, ifetch: spec.ifetch, modifyAs: spec.modifyAs, format: spec.format, mem: spec.mem,
    optLimit: spec.optLimit, recordArch: spec.recordArch, ...(spec.maxInsns !== undefined ? { maxInsns: spec.maxInsns } : {}) };
  const progress = progressBar();
  const files = new Map<string, string>();
  const tmp = mkdtempSync(join(tmpdir(), "mmulab-sweep-"));
  try {
    // The slice's jobs (all of them without --slice): TLB studies numbered first, then machine runs.
    const allTlb = tlbJobs(spec, files, maxEntries), allMachine = machineJobs(spec);
    const mine = (k: number) => slice === undefined || inSlice(k, slice);
    const tlbIdx = allTlb.map((_, k) => k).filter(mine);
    const machineIdx = allMachine.map((_, k) => k).filter((k) => mine(allTlb.length + k));
    const needed = new Set(tlbIdx.map((k) => allTlb[k]!.input));
    const records: RecordJob[] = [];
    for (const i of spec.inputs) {
      if (i.kind === "trace") files.set(i.name, i.path);
      else if (spec.tlbStudy && needed.has(i.name)) {
        const out = join(tmp, `guest${records.length}.bin`);
        files.set(i.name, out);
        records.push({ kind: "record", input: i, out });
      }
    }
    const tj = tlbJobs(spec, files, maxEntries).filter((_, k) => mine(k));
    const mj = machineIdx.map((k) => allMachine[k]!);
    // Recordings first (the TLB studies read them); then the studies and machine runs together.
    const total = records.length + tj.length + mj.length;
    const step = progress ? (d: number) => progress(d, total) : undefined;
    await runPool(records, ctx, a.jobs, step ? (d) => step(d) : undefined);
    const res = await runPool([...tj, ...mj], ctx, a.jobs, step ? (d) => step(records.length + d) : undefined);
    const tlbRows = res.slice(0, tj.length).map((r) => (r as { row: TlbRow }).row);
    const machineRows = res.slice(tj.length).map((r) => (r as { row: MachineRow }).row);
    if (slice) {
      const doc: SliceDoc = {
        format: "mmulab-sweep-slice", version: 1,
        command: commandLine(withoutOptions(argv, ["slice", "out", "jobs"])),
        spec, slice, tlbJobs: allTlb.length, machineJobs: allMachine.length,
        tlb: tlbRows.map((row, i) => ({ job: tlbIdx[i]!, row })),
        machines: machineRows.map((row, i) => ({ job: machineIdx[i]!, row })),
      };
      const part: SweepResult = { command: doc.command, spec, tlb: tlbRows, machines: machineRows };
      io.write(1, new TextEncoder().encode(sweepMarkdown(part)));
      try {
        writeFileSync(join(a.out!, SLICE_FILE), JSON.stringify(doc, null, 2) + "\n");
      } catch (e) {
        say(`cannot write to '${a.out}': ${(e as Error).message}`);
        return 1;
      }
      return 0;
    }
    const result: SweepResult = { command: commandLine(argv), spec, tlb: tlbRows, machines: machineRows };
    const md = sweepMarkdown(result);
    io.write(1, new TextEncoder().encode(md));
    if (a.out !== undefined && !(await writeOutputs(result, md, a.out, say))) return 1;
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

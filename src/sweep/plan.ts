// A sweep's plan: the cross product of inputs (trace files and guests) with replacement policies, TLB sizes,
// associativities and page sizes (single-TLB studies, each policy next to Belady's optimum), and with machines
// (whole-machine runs). Jobs are listed in one fixed order, and results are kept in that order whatever order the
// workers finish in, so a sweep's output depends only on its command line.

import { parseArch } from "../arch/registry.js";
import { ConfigError, POLICIES } from "../machine/config.js";
import { translates } from "../machine/costs.js";
import { checkGeometry } from "../trace/replay.js";
import type { TraceFormat } from "../trace/study.js";
import type { GuestOptions } from "../index.js";

export interface SweepInput {
  name: string;              // as shown in tables and plots
  kind: "trace" | "guest";
  path: string;
  args: string[];            // a guest's arguments
}

export interface SweepSpec {
  inputs: SweepInput[];
  policies: string[];
  entries: number[];
  ways: (number | "full")[];
  pageSizes: number[];
  archs: string[];
  opt: boolean;              // Belady's MIN next to every geometry
  tlbStudy: boolean;         // single-TLB studies (false: machines only)
  seed: string;
  ifetch: boolean;
  modifyAs: 1 | 2;
  format: TraceFormat;
  mem: string;
  optLimit: number;
  recordArch: string;        // the machine a guest is recorded on for its single-TLB studies
  maxInsns?: string;         // guests stop after this many instructions (their recording and machine runs)
}

/** A single-TLB study of one input (a trace file, or a guest's recording) with one geometry and policy. */
export interface TlbJob {
  kind: "tlb";
  input: string;             // SweepInput.name
  file: string;              // the trace file (filled in after recording for guests)
  pageSize: number;
  entries: number;
  ways: number;
  policy: string;            // a replacement policy, or "opt" for Belady's MIN
}

export interface MachineJob { kind: "machine"; input: SweepInput; arch: string }
export interface RecordJob { kind: "record"; input: SweepInput; out: string }
/** One guest run with every option of the library API, its whole result returned (`mmulab compare --jobs`). */
export interface GuestJob { kind: "guest"; options: GuestOptions }
export type Job = TlbJob | MachineJob | RecordJob | GuestJob;

export interface TlbRow {
  input: string; pageSize: number; entries: number; ways: number; sets: number; policy: string;
  accesses: number; misses: number; missRate: number;
}

export interface MachineRow {
  input: string; arch: string; accesses: number; itlbMisses: number; dtlbMisses: number; l2Misses: number;
  walks: number; walkRefs: number; pageFaults: number; xlateCycles: number; cyclesPerAccess: number;
  instructions: number; cycles: number;
  /** Set when the input cannot run on this machine (e.g. a trace whose addresses lie outside its user address
   * space, or a guest that fails there): the row's figures are then absent, the rest of the sweep stands. */
  unavailable?: string;
}

/** The geometries of a sweep (ways "full" = one set), every impossible one named in a single ConfigError. */
export function geometries(spec: SweepSpec, maxEntries: number): { entries: number; ways: number }[] {
  const out: { entries: number; ways: number }[] = [];
  const bad: string[] = [];
  for (const e of spec.entries) {
    for (const w of spec.ways) {
      const ways = w === "full" ? e : w;
      try {
        checkGeometry({ entries: e, ways, policy: "lru" }, maxEntries);
        out.push({ entries: e, ways });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        bad.push(`${e} entries × ${w} ways: ${err.message}`);
      }
    }
  }
  if (bad.length > 0) throw new ConfigError(`impossible TLB geometry in the sweep (nothing was run): ${bad.join("; ")}`);
  return out;
}

/** Checks the lists that do not depend on the inputs (policies, machines). */
export function checkSpec(spec: SweepSpec): void {
  for (const p of spec.policies) {
    if (!(POLICIES as readonly string[]).includes(p)) throw new ConfigError(`unknown policy '${p}' (choose ${POLICIES.join(", ")})`);
  }
  for (const a of spec.archs) {
    if (!translates(parseArch(a))) throw new ConfigError("--archs: bare has no TLB to compare");
  }
  if (spec.inputs.length === 0) throw new ConfigError("nothing to sweep: give trace files and/or --guest \"PROGRAM [ARGS]\"");
  const names = new Set<string>();
  for (const i of spec.inputs) {
    if (names.has(i.name)) throw new ConfigError(`input '${i.name}' is given twice`);
    names.add(i.name);
  }
  if (!spec.tlbStudy && spec.archs.length === 0) throw new ConfigError("--machines-only needs --archs");
}

/** Single-TLB study jobs in output order: input, page size, ways, entries, then policies and the optimum. */
export function tlbJobs(spec: SweepSpec, files: Map<string, string>, maxEntries: number): TlbJob[] {
  if (!spec.tlbStudy) return [];
  const geo = geometries(spec, maxEntries);
  const jobs: TlbJob[] = [];
  const policies = spec.opt ? [...spec.policies, "opt"] : spec.policies;
  const waysOrder = [...new Set(geo.map((g) => g.ways === g.entries ? "full" : String(g.ways)))];
  for (const input of spec.inputs) {
    for (const pageSize of spec.pageSizes) {
      for (const wk of waysOrder) {
        for (const g of geo.filter((x) => (x.ways === x.entries ? "full" : String(x.ways)) === wk)) {
          for (const policy of policies) {
            jobs.push({ kind: "tlb", input: input.name, file: files.get(input.name)!, pageSize, entries: g.entries, ways: g.ways, policy });
          }
        }
      }
    }
  }
  return jobs;
}

export function machineJobs(spec: SweepSpec): MachineJob[] {
  return spec.inputs.flatMap((input) => spec.archs.map((arch) => ({ kind: "machine" as const, input, arch })));
}

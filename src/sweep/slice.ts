// A sweep cut into slices that run apart (array jobs on a cluster) and are merged back. Slice i of n takes every
// job of the plan whose index is i modulo n — the plan lists similar jobs together, so dealing them out round-robin
// gives every slice a similar mix — and writes its rows with their plan indices to slice.json. `sweep merge` checks
// that the slices come from one plan and cover it exactly once, and puts the rows back in plan order: the merged
// result is the one a single sweep of the same command line gives.

import { ConfigError } from "../machine/config.js";
import type { SweepResult } from "./output.js";
import type { MachineRow, SweepSpec, TlbRow } from "./plan.js";

export interface Slice { index: number; count: number }

/** What one slice wrote (slice.json). */
export interface SliceDoc {
  format: "mmulab-sweep-slice";
  version: 1;
  command: string;            // the sweep's command line without --slice and --out: the same in every slice
  spec: SweepSpec;
  slice: Slice;
  tlbJobs: number;            // jobs of each kind in the whole plan
  machineJobs: number;
  tlb: { job: number; row: TlbRow }[];
  machines: { job: number; row: MachineRow }[];
}

export const SLICE_FILE = "slice.json";

/** Parses --slice I/N (0 ≤ I < N; I is the array-task index, as Slurm's and Kubernetes' indexed jobs count). */
export function parseSlice(s: string): Slice {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new ConfigError(`--slice: '${s}' is not I/N (slice I of N, counting from 0)`);
  const index = Number(m[1]), count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new ConfigError(`--slice: the number of slices must be at least 1, got ${m[2]}`);
  if (index >= count) throw new ConfigError(`--slice: slice ${index} does not exist among ${count} (they count from 0 to ${count - 1})`);
  return { index, count };
}

/** Whether job k of the plan (TLB studies first, then machine runs, one numbering) belongs to the slice. */
export function inSlice(k: number, s: Slice): boolean { return k % s.count === s.index; }

/** Removes options (with their values, as `--x v` or `--x=v`) from a command line's words. */
export function withoutOptions(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const name = names.find((n) => w === `--${n}` || w.startsWith(`--${n}=`));
    if (name === undefined) { out.push(w); continue; }
    if (w === `--${name}`) i++;   // its value is the next word
  }
  return out;
}

/**
 * Joins slices into the result of the whole sweep. Every check fails with one line naming what is wrong: slices of
 * different sweeps, a different number of slices, a slice given twice or missing, rows that do not cover the plan.
 */
export function mergeSlices(docs: readonly { name: string; doc: SliceDoc }[]): SweepResult {
  if (docs.length === 0) throw new ConfigError("sweep merge: no slices given");
  const first = docs[0]!;
  const count = first.doc.slice.count;
  const seen = new Map<number, string>();
  for (const { name, doc } of docs) {
    if (doc.command !== first.doc.command || JSON.stringify(doc.spec) !== JSON.stringify(first.doc.spec) ||
        doc.tlbJobs !== first.doc.tlbJobs || doc.machineJobs !== first.doc.machineJobs) {
      throw new ConfigError(`sweep merge: ${name} is a slice of another sweep than ${first.name} ('${doc.command}' vs '${first.doc.command}')`);
    }
    if (doc.slice.count !== count) {
      throw new ConfigError(`sweep merge: ${name} is slice ${doc.slice.index}/${doc.slice.count}, but ${first.name} is one of ${count}`);
    }
    const again = seen.get(doc.slice.index);
    if (again !== undefined) throw new ConfigError(`sweep merge: slice ${doc.slice.index}/${count} is given twice (${again} and ${name})`);
    seen.set(doc.slice.index, name);
  }
  const missing = [...Array(count).keys()].filter((i) => !seen.has(i));
  if (missing.length > 0) {
    const list = missing.length > 10 ? `${missing.slice(0, 10).join(", ")}, …` : missing.join(", ");
    throw new ConfigError(`sweep merge: ${missing.length} of ${count} slices missing (${list})`);
  }
  const nTlb = first.doc.tlbJobs, nMachine = first.doc.machineJobs;
  const tlb = new Array<TlbRow | undefined>(nTlb), machines = new Array<MachineRow | undefined>(nMachine);
  for (const { name, doc } of docs) {
    for (const { job, row } of doc.tlb) {
      if (!Number.isInteger(job) || job < 0 || job >= nTlb || !inSlice(job, doc.slice) || tlb[job] !== undefined) {
        throw new ConfigError(`sweep merge: ${name} holds TLB job ${job}, which is not its own`);
      }
      tlb[job] = row;
    }
    for (const { job, row } of doc.machines) {
      const k = nTlb + job;
      if (!Number.isInteger(job) || job < 0 || job >= nMachine || !inSlice(k, doc.slice) || machines[job] !== undefined) {
        throw new ConfigError(`sweep merge: ${name} holds machine job ${job}, which is not its own`);
      }
      machines[job] = row;
    }
  }
  const lostTlb = tlb.findIndex((r) => r === undefined), lostMachine = machines.findIndex((r) => r === undefined);
  if (lostTlb >= 0) throw new ConfigError(`sweep merge: no slice holds TLB job ${lostTlb} (slice ${lostTlb % count} is incomplete)`);
  if (lostMachine >= 0) {
    throw new ConfigError(`sweep merge: no slice holds machine job ${lostMachine} (slice ${(nTlb + lostMachine) % count} is incomplete)`);
  }
  return { command: first.doc.command, spec: first.doc.spec, tlb: tlb as TlbRow[], machines: machines as MachineRow[] };
}

/** Reads a slice document, with one line for anything that is not one. */
export function parseSliceDoc(name: string, text: string): SliceDoc {
  let d: unknown;
  try { d = JSON.parse(text); } catch { throw new ConfigError(`sweep merge: ${name} is not JSON`); }
  const doc = d as Partial<SliceDoc>;
  if (doc?.format !== "mmulab-sweep-slice") throw new ConfigError(`sweep merge: ${name} is not a sweep slice (written by sweep --slice)`);
  if (doc.version !== 1) throw new ConfigError(`sweep merge: ${name} has slice format version ${String(doc.version)}, this mmulab reads 1`);
  if (!doc.slice || !Array.isArray(doc.tlb) || !Array.isArray(doc.machines) || typeof doc.command !== "string" || !doc.spec ||
      typeof doc.tlbJobs !== "number" || typeof doc.machineJobs !== "number") {
    throw new ConfigError(`sweep merge: ${name} is a damaged slice (fields missing)`);
  }
  return doc as SliceDoc;
}

// Running one sweep job, in a worker thread or inline: record a guest, study one TLB geometry on a trace, or run an
// input on a whole machine (a guest live, a trace through the machine replay).

import { machineConfig, runGuest, type GuestResult } from "../index.js";
import { MachineReplayer, replayFileOnMachine } from "../trace/machine.js";
import { TraceRecorder } from "../trace/record.js";
import { readTrace, runStudy } from "../trace/study.js";
import { TraceError } from "../trace/batch.js";
import type { Job, MachineRow, SweepSpec, TlbRow } from "./plan.js";

function unavailable(input: string, arch: string, why: string): JobResult {
  return {
    kind: "machine",
    row: {
      input, arch, accesses: 0, itlbMisses: 0, dtlbMisses: 0, l2Misses: 0, walks: 0, walkRefs: 0, pageFaults: 0,
      xlateCycles: 0, cyclesPerAccess: 0, instructions: 0, cycles: 0, unavailable: why,
    },
  };
}

export type JobResult = { kind: "tlb"; row: TlbRow } | { kind: "machine"; row: MachineRow } | { kind: "record"; records: number }
  | { kind: "guest"; result: GuestResult };

/** The part of the spec a job needs (sent to workers with every job). */
export type JobContext = Pick<SweepSpec, "seed" | "ifetch" | "modifyAs" | "format" | "mem" | "optLimit" | "recordArch" | "maxInsns">;

/** Exit status of a guest stopped by --max-insns: its run (or its trace) is the first N instructions. */
const LIMIT_STATUS = 124;

export async function runJob(job: Job, ctx: JobContext): Promise<JobResult> {
  switch (job.kind) {
    case "guest":
      return { kind: "guest", result: runGuest(job.options) };
    case "record": {
      const rec = new TraceRecorder(job.out);
      const r = runGuest({ path: job.input.path, args: job.input.args, arch: ctx.recordArch, mem: ctx.mem, seed: ctx.seed, recorder: rec,
        ...(ctx.maxInsns !== undefined ? { maxInsns: BigInt(ctx.maxInsns) } : {}) });
      const n = rec.close();
      if (r.exitCode !== 0 && r.exitCode !== LIMIT_STATUS) throw new Error(`${job.input.name} exited with status ${r.exitCode}${r.message ? `: ${r.message}` : ""}`);
      return { kind: "record", records: Number(n) };
    }
    case "tlb": {
      const opt = job.policy === "opt";
      const trace = readTrace(job.file, ctx.format, { ifetch: ctx.ifetch, modifyAs: ctx.modifyAs });
      const r = await runStudy(trace, {
        geometry: { entries: job.entries, ways: job.ways, policy: opt ? "lru" : job.policy, seed: BigInt(ctx.seed) },
        pageSize: job.pageSize, opt, optLimit: ctx.optLimit,
      });
      const misses = opt ? r.opt!.misses : r.misses;
      return {
        kind: "tlb",
        row: {
          input: job.input, pageSize: job.pageSize, entries: job.entries, ways: job.ways, sets: r.sets, policy: job.policy,
          accesses: r.accesses, misses, missRate: r.accesses === 0 ? 0 : misses / r.accesses,
        },
      };
    }
    case "machine": {
      let c: Record<string, number>;
      try {
        if (job.input.kind === "guest") {
          const r = runGuest({ path: job.input.path, args: job.input.args, arch: job.arch, mem: ctx.mem, seed: ctx.seed,
            ...(ctx.maxInsns !== undefined ? { maxInsns: BigInt(ctx.maxInsns) } : {}) });
          if (r.exitCode !== 0 && r.exitCode !== LIMIT_STATUS) {
            return unavailable(job.input.name, job.arch, `exited with status ${r.exitCode}${r.message ? `: ${r.message}` : ""}`);
          }
          c = r.counters;
        } else {
          const rp = new MachineReplayer(machineConfig({ arch: job.arch, mem: ctx.mem, seed: ctx.seed }));
          await replayFileOnMachine(rp, job.input.path, ctx.format, { ifetch: ctx.ifetch, modifyAs: ctx.modifyAs },
            { lines: 0, skipped: 0, records: 0 });
          c = rp.counters();
        }
      } catch (e) {
        // A trace this machine cannot replay is a fact about the pair, not a failure of the sweep.
        if (e instanceof TraceError) return unavailable(job.input.name, job.arch, e.message);
        throw e;
      }
      const g = (k: string): number => c[k] ?? 0;
      const accesses = g("itlb_access") + g("dtlb_access");
      return {
        kind: "machine",
        row: {
          input: job.input.name, arch: job.arch, accesses, itlbMisses: g("itlb_miss"), dtlbMisses: g("dtlb_miss"),
          l2Misses: g("l2_miss"), walks: g("walks"), walkRefs: g("walk_refs"), pageFaults: g("page_faults"),
          xlateCycles: g("xlate_cycles"), cyclesPerAccess: accesses === 0 ? 0 : g("xlate_cycles") / accesses,
          instructions: g("instret"), cycles: g("cycles"),
        },
      };
    }
  }
}

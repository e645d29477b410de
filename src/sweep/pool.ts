// Runs a list of sweep jobs on worker threads (node:worker_threads), at most `jobs` at a time, and returns the
// results in the list's order whatever order they finish in. One job per worker at a time; a failed job stops the
// sweep with its error (re-raised as the same kind of error, so the CLI reports it as usual). With jobs = 1 the
// jobs run inline on this thread.

import { Worker } from "node:worker_threads";
import { ConfigError } from "../machine/config.js";
import { TraceError } from "../trace/batch.js";
import { runJob, type JobContext, type JobResult } from "./jobs.js";
import type { Job } from "./plan.js";

/** The compiled worker (src/sweep or dist/sweep both resolve to dist/sweep). */
const WORKER_URL = new URL("../../dist/sweep/worker.js", import.meta.url);

function rethrow(e: { name: string; message: string }): never {
  if (e.name === "ConfigError") throw new ConfigError(e.message);
  if (e.name === "TraceError") throw new TraceError(e.message);
  throw new Error(e.message);
}

export async function runPool(jobs: readonly Job[], ctx: JobContext, threads: number,
  progress?: (done: number, total: number) => void): Promise<JobResult[]> {
  const results = new Array<JobResult>(jobs.length);
  let done = 0;
  progress?.(0, jobs.length);
  if (threads <= 1 || jobs.length <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      results[i] = await runJob(jobs[i]!, ctx);
      done++;
      progress?.(done, jobs.length);
    }
    return results;
  }
  const n = Math.min(threads, jobs.length);
  const workers = Array.from({ length: n }, () => new Worker(WORKER_URL));
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const feed = (w: Worker): void => {
        if (failed) return;
        if (next >= jobs.length) { if (done === jobs.length) resolve(); return; }
        const id = next++;
        w.postMessage({ id, job: jobs[id], ctx });
      };
      for (const w of workers) {
        w.on("message", (m: { id: number; result?: JobResult; error?: { name: string; message: string } }) => {
          if (m.error) { failed = true; try { rethrow(m.error); } catch (e) { reject(e); } return; }
          results[m.id] = m.result!;
          done++;                        // not inside progress?.(): that call's arguments are skipped without it
          progress?.(done, jobs.length);
          if (done === jobs.length) resolve(); else feed(w);
        });
        w.on("error", (e) => { failed = true; reject(e); });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

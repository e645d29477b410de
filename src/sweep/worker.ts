// A sweep worker thread: runs the jobs the pool sends, one at a time, and answers each with its result or error.

import { parentPort } from "node:worker_threads";
import { runJob, type JobContext } from "./jobs.js";
import type { Job } from "./plan.js";

parentPort!.on("message", (m: { id: number; job: Job; ctx: JobContext }) => {
  runJob(m.job, m.ctx).then(
    (result) => parentPort!.postMessage({ id: m.id, result }),
    (e: Error) => parentPort!.postMessage({ id: m.id, error: { name: e.name, message: e.message } }),
  );
});

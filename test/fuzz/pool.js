// Runs inputs on a long-lived worker (worker.js) with the same verdict fields as runner.js: a wall-clock budget
// (past it the worker is killed and replaced: a hang), resident memory sampled from /proc (past the bound: killed
// and replaced), and the worker's death during an input (a crash that escaped the CLI) reported as a host signal.

import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { JSON_NAME } from "./runner.js";

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));

function rssKB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}

export class WorkerPool {
  constructor(budgetMs, memBoundKB) { this.budgetMs = budgetMs; this.memBoundKB = memBoundKB; this.child = undefined; this.seq = 0; }

  async start() {
    const child = fork(WORKER, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: ["--max-old-space-size=2048"] });
    child.stderr.on("data", (c) => { if (child.errText.length < 1 << 16) child.errText += c.toString("latin1"); });
    child.errText = "";
    await new Promise((res, rej) => {
      child.once("message", (m) => (m.ready ? res() : rej(new Error("worker did not start"))));
      child.once("exit", () => rej(new Error(`worker died at start: ${child.errText}`)));
    });
    this.child = child;
  }

  stop() { this.child?.kill("SIGKILL"); this.child = undefined; }

  /** @param {{argv: string[], files: Record<string, Buffer>}} input */
  async run(input) {
    if (!this.child) await this.start();
    const child = this.child, id = ++this.seq, t0 = Date.now();
    child.errText = "";
    const files = Object.fromEntries(Object.entries(input.files).map(([k, v]) => [k, v.toString("base64")]));
    return new Promise((resolve) => {
      let peak = 0, done = false;
      const finish = (r, kill) => {
        if (done) return;
        done = true;
        clearInterval(sample);
        clearTimeout(timer);
        child.off("message", onMsg);
        child.off("exit", onExit);
        if (kill) { child.kill("SIGKILL"); this.child = undefined; }
        resolve({ stdout: "", rssKB: peak, ms: Date.now() - t0, json: undefined, timedOut: false, signal: null, status: null, ...r });
      };
      const onMsg = (m) => { if (m.id === id) finish({ status: m.status, stderr: m.stderr + child.errText, json: m.json }, false); };
      const onExit = (code, sig) => { this.child = undefined; finish({ status: code, signal: sig ?? (code === null ? "unknown" : null), stderr: child.errText || `worker exited with ${code}` }, false); };
      const sample = setInterval(() => {
        peak = Math.max(peak, rssKB(child.pid));
        if (peak > this.memBoundKB) finish({ stderr: child.errText }, true);
      }, 50);
      const timer = setTimeout(() => finish({ timedOut: true, stderr: child.errText }, true), this.budgetMs);
      child.on("message", onMsg);
      child.on("exit", onExit);
      child.send({ id, argv: input.argv, files, jsonName: JSON_NAME });
    });
  }
}
